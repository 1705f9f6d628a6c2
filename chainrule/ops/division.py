"""Rounded division: `floor_divide` (`//`) and `div(rounding_mode='trunc')`, whose
gradients are 0 (flat between the steps). `dispatch.rounded_divide` chooses between them."""

from __future__ import annotations

import numpy as np

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from ._broadcast import unbroadcast
from .errors import ArgumentError

__all__ = ["FloorDivide", "TruncDivide"]


def _shape(ctx: Gate, index: int) -> tuple[int, ...]:
    return ctx.inputs[index]._array.shape  # type: ignore[no-any-return]


class FloorDivide(Gate):
    """f(a, b) = ⌊a/b⌋ (Python's //);  ∂f/∂a = ∂f/∂b = 0 (flat between the steps; PyTorch
    leaves this derivative unimplemented)."""

    __slots__ = ()
    label = "floor_divide"

    @staticmethod
    def forward(ctx: Gate, a: Array, b: Array) -> Array:
        xp = array_module(a)
        if xp.asarray(a).dtype.kind in "iub" and xp.asarray(b).dtype.kind in "iub" and (
                xp.asarray(b) == 0).any():
            raise ArgumentError("floor_divide: ZeroDivisionError (an integer divided by 0)")
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.floor_divide(a, b)  # type: ignore[no-any-return]


    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad]:
        need_a, need_b = ctx.needs_input_grad
        return (unbroadcast(grad * 0, _shape(ctx, 0)) if need_a else None,
                unbroadcast(grad * 0, _shape(ctx, 1)) if need_b else None)


class TruncDivide(FloorDivide):
    """f(a, b) = a/b rounded toward 0 (`div(rounding_mode='trunc')`);  ∂f/∂a = ∂f/∂b = 0."""

    __slots__ = ()
    label = "trunc_divide"

    @staticmethod
    def forward(ctx: Gate, a: Array, b: Array) -> Array:
        xp = array_module(a)
        floored = FloorDivide.forward(ctx, a, b)
        # floor and trunc differ where the quotient is negative and inexact: one step up
        with np.errstate(divide="ignore", invalid="ignore"):
            inexact = (floored * b != a) & ((xp.asarray(a) < 0) != (xp.asarray(b) < 0))
        return xp.where(inexact & xp.isfinite(floored), floored + 1, floored)  # type: ignore
