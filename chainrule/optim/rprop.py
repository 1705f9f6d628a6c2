"""Rprop: per-weight step sizes grown or shrunk by the sign agreement of successive gradients."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backends import array_module
from ..tensor import Tensor
from .optimizer import Optimizer, implementation_flags, require, require_numbers, state_array

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop (Riedmiller & Braun, 1993), step for step PyTorch's:

        s ← sign(g · g_prev)  mapped  +1 → η₊,  −1 → η₋,  0 → 1
        Δ ← clamp(Δ · s, Δ_min, Δ_max)                (Δ starts at lr)
        g ← 0 where s = η₋                            (a sign change: skip this step)
        θ ← θ − sign(g) · Δ,   g_prev ← g
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50), *,
                 capturable: bool = False, foreach: bool | None = None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        require_numbers(lr=lr)
        require(lr >= 0.0, f"Invalid learning rate: {lr}")
        require(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, {"lr": lr, "etas": tuple(etas),
                                  "step_sizes": tuple(step_sizes), "maximize": maximize,
                                  **implementation_flags(differentiable, foreach=foreach,
                                                         capturable=capturable)})

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        weights = param._array
        xp = array_module(weights)
        if group["maximize"]:
            grad = -grad
        state["step"] = state.get("step", 0) + 1
        shrink, grow = group["etas"]
        smallest, largest = group["step_sizes"]
        previous = state_array(state, "prev", weights)
        sizes = state_array(state, "step_size", weights, group["lr"])
        agreement = xp.sign(grad * previous)
        factor = xp.where(agreement > 0, grow, xp.where(agreement < 0, shrink, 1.0))
        sizes *= factor
        xp.clip(sizes, smallest, largest, out=sizes)
        grad = xp.where(factor == shrink, 0.0, grad).astype(weights.dtype, copy=False)
        weights -= xp.sign(grad) * sizes
        previous[...] = grad
