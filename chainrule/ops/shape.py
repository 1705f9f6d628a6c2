"""Shape gates: reshape and its relatives, permute/transpose, concatenation and stacking.

None of them changes a value, so each rule only moves the upstream gradient back into the
input's layout.
"""

from __future__ import annotations

from typing import Any

from ..backends import array_module, to_device
from ..engine.gate import Gate
from . import _dual

__all__ = ["Reshape", "View", "Flatten", "Squeeze", "Unsqueeze", "Permute", "Transpose",
           "Concatenate", "Stack", "ToDevice"]


class Reshape(Gate):
    """f(x) = x with a new shape;  the gradient is reshaped back."""

    __slots__ = ()
    label = "reshape"

    @staticmethod
    def forward(ctx: Any, x: Any, shape: tuple[int, ...]) -> Any:
        try:
            return x.reshape(shape)
        except ValueError:
            raise ValueError(f"{ctx.label}: cannot reshape a tensor of shape {tuple(x.shape)} "
                             f"({x.size} elements) into {tuple(shape)}") from None

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple[Any, None]:
        return grad.reshape(ctx.inputs[0].shape), None


class View(Reshape):
    __slots__ = ()
    label = "view"


class Flatten(Reshape):
    __slots__ = ()
    label = "flatten"


class Squeeze(Reshape):
    __slots__ = ()
    label = "squeeze"


class Unsqueeze(Reshape):
    __slots__ = ()
    label = "unsqueeze"


class Permute(Gate):
    """f(x) = x with its axes reordered;  the gradient's axes are put back by the inverse."""

    __slots__ = ()
    label = "permute"

    @staticmethod
    def forward(ctx: Any, x: Any, axes: tuple[int, ...]) -> Any:
        return x.transpose(axes)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple[Any, None]:
        axes = ctx.inputs[1]
        inverse = [0] * len(axes)
        for position, axis in enumerate(axes):
            inverse[axis] = position
        return _dual.permute(grad, tuple(inverse)), None


class Transpose(Permute):
    __slots__ = ()
    label = "transpose"


def _along(axis: int, index: Any) -> tuple[Any, ...]:
    return (slice(None),) * axis + (index,)


class Concatenate(Gate):
    """f(x₁, …, xₙ) = the inputs joined along `dim`;  each input gets its slice of the gradient.

    Called as `Concatenate.apply(dim, *tensors)`.
    """

    __slots__ = ()
    label = "cat"

    @staticmethod
    def forward(ctx: Any, axis: int, *arrays: Any) -> Any:
        return array_module(arrays[0]).concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple[Any, ...]:
        axis = ctx.inputs[0]
        grads: list[Any] = [None]
        start = 0
        for value, needed in zip(ctx.inputs[1:], ctx.needs_input_grad[1:]):
            stop = start + value.shape[axis]
            grads.append(grad[_along(axis, slice(start, stop))] if needed else None)
            start = stop
        return tuple(grads)


class Stack(Gate):
    """f(x₁, …, xₙ) = the inputs stacked along a new `dim`;  input i gets the gradient's
    i-th slice. Called as `Stack.apply(dim, *tensors)`."""

    __slots__ = ()
    label = "stack"

    @staticmethod
    def forward(ctx: Any, axis: int, *arrays: Any) -> Any:
        return array_module(arrays[0]).stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple[Any, ...]:
        axis = ctx.inputs[0]
        return (None,) + tuple(grad[_along(axis, i)] if needed else None
                               for i, needed in enumerate(ctx.needs_input_grad[1:]))


class ToDevice(Gate):
    """f(x) = x copied to another device;  the gradient is copied back."""

    __slots__ = ()
    label = "to"

    @staticmethod
    def forward(ctx: Any, x: Any, device: Any) -> Any:
        return to_device(x, device)

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple[Any, None]:
        source = ctx.inputs[0].device
        if _dual.is_tensor(grad):
            return grad.to(source), None
        return to_device(grad, source), None
