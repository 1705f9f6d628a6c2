"""Adamax: Adam with the infinity norm in place of the running square."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backends import array_module
from ..tensor import Tensor
from ._adam_family import begin_step, require_adam_hyperparameters
from .optimizer import Optimizer, implementation_flags, state_array

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba, 2015, section 7.1), step for step PyTorch's:

        t ← t + 1
        g ← ∇θ + λθ                          (−∇θ first with maximize)
        m ← β₁m + (1 − β₁)g
        u ← max(β₂u, |g| + ε)
        θ ← θ − (γ / (1 − β₁ᵗ)) · m / u

    >>> import chainrule as cr
    >>> w = cr.tensor([1.0], requires_grad=True)
    >>> opt = cr.optim.Adamax([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> round(w.item(), 6)
    0.9
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        require_adam_hyperparameters(lr, betas, eps, weight_decay)
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize,
                                  **implementation_flags(differentiable, foreach=foreach,
                                                         capturable=capturable)})

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        weights = param._array
        xp = array_module(weights)
        beta1, beta2 = group["betas"]
        grad, step = begin_step(weights, grad, group, state)
        mean = state_array(state, "exp_avg", weights)
        peak = state_array(state, "exp_inf", weights)
        mean += (grad - mean) * (1 - beta1)
        peak *= beta2
        xp.maximum(peak, xp.abs(grad) + group["eps"], out=peak)
        weights -= group["lr"] / (1 - beta1 ** step) * mean / peak
