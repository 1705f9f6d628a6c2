"""NAdam: Adam with Nesterov momentum and a momentum schedule."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backends import array_module
from ..tensor import Tensor
from ._adam_family import begin_step, require_adam_hyperparameters, update_moments
from .optimizer import Optimizer, implementation_flags, require, require_numbers

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat, 2016), step for step PyTorch's:

        t ← t + 1
        g ← ∇θ + λθ          (decoupled_weight_decay: θ ← θ(1 − γλ) instead)
        μₜ ← β₁(1 − ½·0.96^(tψ)),  μₜ₊₁ ← β₁(1 − ½·0.96^((t+1)ψ))      (ψ: momentum_decay)
        Πₜ ← Πₜ₋₁·μₜ                                                  (mu_product)
        m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
        d ← √(v / (1 − β₂ᵗ)) + ε
        θ ← θ − γ(1 − μₜ)/(1 − Πₜ) · g/d − γμₜ₊₁/(1 − Πₜμₜ₊₁) · m/d
    """

    def __init__(self, params: Iterable[Any], lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: bool | None = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        require_adam_hyperparameters(lr, betas, eps, weight_decay)
        require_numbers(momentum_decay=momentum_decay)
        require(momentum_decay >= 0.0, f"Invalid momentum_decay value: {momentum_decay}")
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps,
                                  "weight_decay": weight_decay,
                                  "momentum_decay": momentum_decay,
                                  "decoupled_weight_decay": decoupled_weight_decay,
                                  "maximize": maximize,
                                  **implementation_flags(differentiable, foreach=foreach,
                                                         capturable=capturable)})

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        weights = param._array
        xp = array_module(weights)
        lr, (beta1, beta2) = group["lr"], group["betas"]
        grad, step = begin_step(weights, grad, group, state)
        momentum_decay = group["momentum_decay"]
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        state["mu_product"] = state.get("mu_product", 1.0) * mu
        mu_product = state["mu_product"]
        mean, square = update_moments(state, weights, grad, beta1, beta2)
        denominator = xp.sqrt(square / (1 - beta2 ** step))
        denominator += group["eps"]
        weights += (-lr * (1.0 - mu) / (1.0 - mu_product)) * grad / denominator
        weights += (-lr * mu_next / (1.0 - mu_product * mu_next)) * mean / denominator
