"""Adam and AdamW: momentum on the gradient and on its square, with bias correction."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ..backends import array_module
from ..tensor import Tensor
from ._adam_family import begin_step, require_adam_hyperparameters, update_moments
from .optimizer import Optimizer, implementation_flags, state_array

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), step for step PyTorch's:

        t ← t + 1
        g ← ∇θ + λθ          (AdamW or decoupled_weight_decay: θ ← θ(1 − γλ) first instead)
        m ← β₁m + (1 − β₁)g,    v ← β₂v + (1 − β₂)g²
        v̂ ← max(v̂, v) with amsgrad, else v
        θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
    """

    decoupled = False

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, *,
                 foreach: bool | None = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None, decoupled_weight_decay: bool = False) -> None:
        require_adam_hyperparameters(lr, betas, eps, weight_decay)
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "maximize": maximize,
                                  "decoupled_weight_decay": decoupled_weight_decay
                                  or self.decoupled,
                                  **implementation_flags(differentiable, foreach=foreach,
                                                         capturable=capturable,
                                                         fused=fused)})

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        weights = param._array
        xp = array_module(weights)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        grad, step = begin_step(weights, grad, group, state)
        mean, square = update_moments(state, weights, grad, beta1, beta2)
        if group["amsgrad"]:
            peak = state_array(state, "max_exp_avg_sq", weights)
            xp.maximum(peak, square, out=peak)
            square = peak
        step_size = lr / (1 - beta1 ** step)
        denominator = xp.sqrt(square) / math.sqrt(1 - beta2 ** step)
        denominator += group["eps"]
        weights -= step_size * mean / denominator


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter, 2019): θ ← θ(1 − γλ) before
    the Adam step, instead of adding λθ to the gradient."""

    decoupled = True

    def __init__(self, params: Iterable[Any], lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: bool | None = None,
                 capturable: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         foreach=foreach, capturable=capturable,
                         differentiable=differentiable, fused=fused)
