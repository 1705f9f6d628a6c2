"""Adadelta: a step sized by the running RMS of past steps over that of the gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backends import array_module
from ..tensor import Tensor
from .optimizer import Optimizer, implementation_flags, require, require_numbers, state_array

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler, 2012), step for step PyTorch's:

        g ← ∇θ + λθ                          (−∇θ first with maximize)
        v ← ρv + (1 − ρ)g²
        Δ ← √(u + ε) / √(v + ε) · g
        u ← ρu + (1 − ρ)Δ²
        θ ← θ − γΔ
    """

    def __init__(self, params: Iterable[Any], lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0.0,
                 foreach: bool | None = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        require_numbers(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay)
        require(lr >= 0.0, f"Invalid learning rate: {lr}")
        require(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        require(eps >= 0.0, f"Invalid epsilon value: {eps}")
        require(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize,
                                  **implementation_flags(differentiable, foreach=foreach,
                                                         capturable=capturable)})

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        weights = param._array
        xp = array_module(weights)
        state["step"] = state.get("step", 0) + 1
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * weights
        rho, eps = group["rho"], group["eps"]
        square = state_array(state, "square_avg", weights)
        accumulated = state_array(state, "acc_delta", weights)
        square *= rho
        square += (1 - rho) * grad * grad
        delta = xp.sqrt(accumulated + eps) / xp.sqrt(square + eps) * grad
        accumulated *= rho
        accumulated += (1 - rho) * delta * delta
        weights -= group["lr"] * delta
