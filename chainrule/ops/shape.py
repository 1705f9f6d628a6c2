"""Shape gates: reshape and its relatives, permute/transpose, concatenation and stacking.

None of them changes a value, so each rule only moves the upstream gradient back into the
input's layout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from .._typing import Array, Grad
from ..backends import array_module, to_device
from ..engine.gate import Gate, ViewGate
from . import _dual
from ._broadcast import BroadcastTo, SumTo
from .args import normalize_axes, normalize_dim, resolve_shape, shape_args
from .errors import ShapeError

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["Reshape", "View", "Flatten", "Squeeze", "Unsqueeze", "Permute", "Transpose",
           "Concatenate", "Stack", "ToDevice"]


class Reshape(ViewGate):
    """f(x) = x with a new shape;  the gradient is reshaped back."""

    __slots__ = ()
    label = "reshape"

    @staticmethod
    def forward(ctx: Gate, x: Array, shape: tuple[int, ...]) -> Array:
        try:
            return x.reshape(shape)
        except ValueError:
            raise ShapeError(f"{ctx.label}: cannot reshape a tensor of shape {tuple(x.shape)} "
                             f"({x.size} elements) into {tuple(shape)}") from None

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
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


class Permute(ViewGate):
    """f(x) = x with its axes reordered;  the gradient's axes are put back by the inverse."""

    __slots__ = ()
    label = "permute"

    @staticmethod
    def forward(ctx: Gate, x: Array, axes: tuple[int, ...]) -> Array:
        return x.transpose(axes)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
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
    def forward(ctx: Gate, axis: int, *arrays: Array) -> Array:
        return array_module(arrays[0]).concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, ...]:
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
    def forward(ctx: Gate, axis: int, *arrays: Array) -> Array:
        return array_module(arrays[0]).stack(arrays, axis=axis)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, ...]:
        axis = ctx.inputs[0]
        return (None,) + tuple(grad[_along(axis, i)] if needed else None
                               for i, needed in enumerate(ctx.needs_input_grad[1:]))


class ToDevice(Gate):
    """f(x) = x copied to another device;  the gradient is copied back."""

    __slots__ = ()
    label = "to"

    @staticmethod
    def forward(ctx: Gate, x: Array, device: Any) -> Array:
        return to_device(x, device)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        source = ctx.inputs[0].device
        if _dual.is_tensor(grad):
            return cast(Any, grad).to(source), None  # a tensor: copied back by a gate
        return to_device(grad, source), None


# ---------------------------------------------------------------------- fronts
def reshape(input: Tensor, *shape: Any) -> Tensor:  # noqa: A002
    """The same elements in `shape` (one size may be -1)."""
    return Reshape.apply(input, resolve_shape("reshape", input.shape,
                                              shape_args("reshape", shape)))


def view(input: Tensor, *shape: Any) -> Tensor:  # noqa: A002
    """`reshape`, PyTorch's name for a reshape that shares the storage."""
    return View.apply(input, resolve_shape("view", input.shape, shape_args("view", shape)))


def view_as(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """`view` to `other`'s shape."""
    return view(input, other.shape)


def reshape_as(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """`reshape` to `other`'s shape."""
    return reshape(input, other.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    """The dims from `start_dim` to `end_dim` merged into one."""
    if input.ndim == 0:
        return Flatten.apply(input, (1,))
    start = normalize_dim("flatten", start_dim, input.ndim)
    end = normalize_dim("flatten", end_dim, input.ndim)
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    shape = input.shape
    middle = 1
    for size in shape[start:end + 1]:
        middle *= size
    return Flatten.apply(input, shape[:start] + (middle,) + shape[end + 1:])


def squeeze(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """Dims of size 1 removed (only those in `dim`, if given)."""
    if dim is None:
        new_shape = tuple(size for size in input.shape if size != 1)
    else:
        axes = normalize_axes("squeeze", dim, input.ndim) or ()
        new_shape = tuple(size for i, size in enumerate(input.shape)
                          if not (i in axes and size == 1))
    return Squeeze.apply(input, new_shape)


def unsqueeze(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """A dim of size 1 inserted at `dim`."""
    axis = normalize_dim("unsqueeze", dim, input.ndim + 1)
    return Unsqueeze.apply(input, input.shape[:axis] + (1,) + input.shape[axis:])


def permute(input: Tensor, *dims: Any) -> Tensor:  # noqa: A002
    """The dims reordered: dim i of the result is dim `dims[i]` of the input."""
    order = shape_args("permute", dims)
    ndim = input.ndim
    if len(order) != ndim or sorted(normalize_dim("permute", d, ndim)
                                    for d in order) != list(range(ndim)):
        raise ShapeError(f"permute: dims {order} are not a permutation of the "
                         f"{ndim} dimensions of a tensor of shape {input.shape}")
    return Permute.apply(input, tuple(d % max(ndim, 1) for d in order))


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """Dims `dim0` and `dim1` swapped."""
    order = list(range(input.ndim))
    a = normalize_dim("transpose", dim0, input.ndim)
    b = normalize_dim("transpose", dim1, input.ndim)
    order[a], order[b] = order[b], order[a]
    return Transpose.apply(input, tuple(order))


def t(input: Tensor) -> Tensor:  # noqa: A002
    """The transpose of a tensor of at most 2 dims."""
    if input.ndim > 2:
        raise ValueError(f"t(): expects a tensor of at most 2 dimensions, got {input.ndim}")
    return permute(input, *range(input.ndim - 1, -1, -1))


def expand(input: Tensor, *sizes: Any) -> Tensor:  # noqa: A002
    """The tensor repeated (as a broadcast) to `sizes`; -1 keeps a size."""
    target = shape_args("expand", sizes)
    if len(target) < input.ndim:
        raise ValueError(f"expand: the target {target} has fewer dimensions than the "
                         f"tensor's shape {input.shape}")
    lead = len(target) - input.ndim
    shape = tuple(input.shape[i - lead] if size == -1 and i >= lead else size
                  for i, size in enumerate(target))
    return BroadcastTo.apply(input, shape)


def expand_as(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """`expand` to `other`'s shape."""
    return expand(input, other.shape)


def sum_to_size(input: Tensor, *size: Any) -> Tensor:  # noqa: A002
    """Summed down to `size` (the inverse of expand)."""
    return SumTo.apply(input, shape_args("sum_to_size", size))
