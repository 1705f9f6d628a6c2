"""ASGD: gradient descent with a decaying rate and a running average of the iterates."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..tensor import Tensor
from .optimizer import Optimizer, implementation_flags, require, require_numbers, state_array

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged SGD (Polyak & Juditsky, 1992), step for step PyTorch's:

        t ← t + 1
        g ← ∇θ + λ_w θ                        (−∇θ first with maximize)
        θ ← θ(1 − λη) − ηg                    (η starts at lr, μ at 1)
        ā ← ā + μ(θ − ā)   (ā ← θ while μ = 1)
        η ← γ / (1 + λγt)^α,    μ ← 1 / max(1, t − t₀)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0.0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        require_numbers(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay)
        require(lr >= 0.0, f"Invalid learning rate: {lr}")
        require(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                                  "weight_decay": weight_decay, "maximize": maximize,
                                  **implementation_flags(differentiable, foreach=foreach,
                                                         capturable=capturable)})

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        weights = param._array
        if group["maximize"]:
            grad = -grad
        if not state:
            state.update(step=0, eta=float(group["lr"]), mu=1.0)
        average = state_array(state, "ax", weights)
        state["step"] += 1
        step, lr, lambd = state["step"], group["lr"], group["lambd"]
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * weights
        eta = state["eta"]
        weights *= 1 - lambd * eta
        weights -= eta * grad
        if state["mu"] != 1:
            average += (weights - average) * state["mu"]
        else:
            average[...] = weights
        state["eta"] = lr / ((1 + lambd * lr * step) ** group["alpha"])
        state["mu"] = 1 / max(1, step - group["t0"])
