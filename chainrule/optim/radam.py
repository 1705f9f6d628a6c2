"""RAdam: Adam whose adaptive step is switched on only once its variance is tractable."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backends import array_module
from ..tensor import Tensor
from ._adam_family import begin_step, require_adam_hyperparameters, update_moments
from .optimizer import Optimizer, implementation_flags

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam (Liu et al., 2020), step for step PyTorch's:

        t ← t + 1
        g ← ∇θ + λθ          (decoupled_weight_decay: θ ← θ(1 − γλ) instead)
        m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²,   m̂ ← m / (1 − β₁ᵗ)
        ρ∞ ← 2/(1 − β₂) − 1,   ρₜ ← ρ∞ − 2tβ₂ᵗ/(1 − β₂ᵗ)
        ρₜ > 5:  r ← √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)),
                 θ ← θ − γ · m̂ · r · √(1 − β₂ᵗ) / (√v + ε)
        else:    θ ← θ − γ · m̂
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False) -> None:
        require_adam_hyperparameters(lr, betas, eps, weight_decay)
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize,
                                  "decoupled_weight_decay": decoupled_weight_decay,
                                  **implementation_flags(differentiable, foreach=foreach,
                                                         capturable=capturable)})

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        weights = param._array
        xp = array_module(weights)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        grad, step = begin_step(weights, grad, group, state)
        mean, square = update_moments(state, weights, grad, beta1, beta2)
        correction1, correction2 = 1 - beta1 ** step, 1 - beta2 ** step
        corrected_mean = mean / correction1
        rho_inf = 2 / (1 - beta2) - 1
        rho = rho_inf - 2 * step * (beta2 ** step) / correction2
        if rho > 5.0:
            rect = ((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)) ** 0.5
            adaptive = correction2 ** 0.5 / (xp.sqrt(square) + group["eps"])
            weights -= corrected_mean * lr * adaptive * rect
        else:
            weights -= corrected_mean * lr
