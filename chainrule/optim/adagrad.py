"""Adagrad: a learning rate per parameter, shrinking with its accumulated squared gradient."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..backends import array_module
from ..engine.sparse import SparseRows
from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    finite_number,
    implementation_flags,
    require,
    require_numbers,
    state_array,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), the CS224n notes' choice for word vectors:

        t ← t + 1
        g ← ∇θ + λθ
        γ̃ ← γ / (1 + (t − 1)·η)             (η: lr_decay)
        G ← G + g²                           (G starts at initial_accumulator_value)
        θ ← θ − γ̃ · g / (√G + ε)
    """

    def __init__(self, params: Iterable[Any], lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 fused: bool | None = None) -> None:
        require_numbers(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps)
        require(lr >= 0.0, f"Invalid learning rate: {lr}")
        require(lr_decay >= 0.0, f"Invalid lr_decay value: {lr_decay}")
        require(weight_decay >= 0.0, f"Invalid weight_decay value: {weight_decay}")
        require(initial_accumulator_value >= 0.0,
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        require(eps >= 0.0, f"Invalid epsilon value: {eps}")
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value,
                                  "eps": eps, "maximize": maximize,
                                  **implementation_flags(differentiable, foreach=foreach,
                                                         fused=fused)})
        for group in self.param_groups:  # PyTorch creates the state at construction
            for param in group["params"]:
                state = self.state[param]
                state["step"] = 0
                state_array(state, "sum", param._array, group["initial_accumulator_value"])

    def _applies_sparse(self, group: dict[str, Any]) -> bool:
        # Rows with a zero gradient keep their sum and value, unless weight decay moves them.
        return not group["weight_decay"]

    def _rows_equal_dense(self, group: dict[str, Any]) -> bool:
        # G + 0 = G and θ − γ̃·0/(√G + ε) = θ bit for bit, unless 0/0 (ε = 0 where G = 0) or
        # 0·∞ (γ̃ = ∞) makes NaN.
        return (finite_number(group["eps"]) and group["eps"] > 0 and finite_number(group["lr"])
                and finite_number(group["lr_decay"]))

    def _update_rows(self, param: Tensor, grad: SparseRows, group: dict[str, Any],
                     state: dict[str, Any]) -> None:
        state["step"] = state.get("step", 0) + 1
        rate = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        squares = state_array(state, "sum", param._array, group["initial_accumulator_value"])
        picked = -grad.values if group["maximize"] else grad.values
        sums = squares[grad.rows] + picked * picked
        squares[grad.rows] = sums
        param._array[grad.rows] -= rate * picked / (array_module(sums).sqrt(sums) + group["eps"])

    def _update(self, param: Tensor, grad: Any, group: dict[str, Any],
                state: dict[str, Any]) -> None:
        weights = param._array
        if group["maximize"]:
            grad = -grad
        state["step"] = state.get("step", 0) + 1
        if group["weight_decay"]:
            grad = grad + group["weight_decay"] * weights
        rate = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        squares = state_array(state, "sum", weights, group["initial_accumulator_value"])
        squares += grad * grad
        denominator = array_module(squares).sqrt(squares)
        denominator += group["eps"]
        weights -= rate * grad / denominator
