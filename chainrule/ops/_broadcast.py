"""Broadcasting and its undoing, in one place.

When a binary gate broadcasts an input of shape (3,) against one of shape (4, 3), every
element of the smaller input is used 4 times, so its gradient is the sum of the 4 upstream
gradients (fan-out: gradients add). `unbroadcast` does that sum for every rule; no rule sums
axes by hand (HIPS autograd's `unbroadcast`, Chainer's `sum_to`).
"""

from __future__ import annotations

from .._typing import Array, Grad, Shape
from ..backends import array_module
from ..engine.gate import Gate, ViewGate
from ..engine.variable import Variable
from .errors import ShapeError

__all__ = ["unbroadcast", "broadcast_to", "sum_to_array", "SumTo", "BroadcastTo"]


def sum_to_array(array: Array, shape: Shape) -> Array:
    """Sums a broadcast array back down to `shape`."""
    if array.shape == shape:
        return array
    lead = array.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, size in enumerate(shape) if size == 1 and array.shape[lead + i] != 1)
    summed = array.sum(axis=axes) if axes else array
    if summed.shape != shape:
        summed = summed.reshape(shape)
    return summed


def unbroadcast(grad: Array, shape: Shape) -> Array:
    """The gradient for an input of `shape` that was broadcast to `grad.shape`."""
    if grad.shape == shape:
        return grad
    if isinstance(grad, Variable):
        return SumTo.apply(grad, shape)
    return sum_to_array(grad, shape)


def broadcast_to(value: Array, shape: Shape) -> Array:
    """`value` repeated to `shape` (a read-only view for arrays, a recorded gate for tensors)."""
    if value.shape == shape:
        return value
    if isinstance(value, Variable):
        return BroadcastTo.apply(value, shape)
    return array_module(value).broadcast_to(value, shape)


class SumTo(Gate):
    """f(x) = x summed down to `shape`;  ∂f/∂x broadcasts the upstream gradient back."""

    __slots__ = ()
    label = "sum_to"

    @staticmethod
    def forward(ctx: Gate, x: Array, shape: tuple[int, ...]) -> Array:
        return sum_to_array(x, shape)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        return broadcast_to(grad, ctx.inputs[0].shape), None


class BroadcastTo(ViewGate):
    """f(x) = x repeated to `shape` (`expand`);  the gradient sums the repeats: unbroadcast."""

    __slots__ = ()
    label = "expand"

    @staticmethod
    def forward(ctx: Gate, x: Array, shape: tuple[int, ...]) -> Array:
        try:
            return array_module(x).broadcast_to(x, shape)
        except ValueError:
            raise ShapeError(f"expand: shape {tuple(x.shape)} cannot be broadcast to "
                             f"{tuple(shape)}: each size must match or be 1") from None

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        return unbroadcast(grad, ctx.inputs[0].shape), None
