"""Indexing: `x[index]` and its adjoint, adding a gradient back into the indexed places.

With integer-array indices the same element can be picked several times (fan-out), so its
gradient is the sum of all the picks: `add.at` accumulates repeated indices, where plain
assignment would keep only the last.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._typing import Array, Grad, Shape
from ..backends import array_module
from ..engine.gate import Gate, ViewGate
from .args import normalize_index

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["getitem", "GetItem", "IndexAdd", "is_basic_index"]


def is_basic_index(index: tuple[Any, ...]) -> bool:
    """True for ints, slices, None and Ellipsis only: each element is picked at most once."""
    for part in index:
        if not (part is None or part is Ellipsis or isinstance(part, (int, slice))):
            return False
    return True


def _scatter_add(shape: Shape, dtype: Any, index: tuple[Any, ...], values: Array,
                 like: Array) -> Array:
    xp = array_module(like)
    out = xp.zeros(shape, dtype=dtype)
    if is_basic_index(index):
        out[index] = values
    else:
        xp.add.at(out, index, values)
    return out


class GetItem(ViewGate):
    """f(x) = x[index];  ∂L/∂x is zero except at the picked places, which receive the
    upstream gradient, summed where an index repeats."""

    __slots__ = ()
    label = "index"

    @staticmethod
    def forward(ctx: Gate, x: Array, index: tuple[Any, ...]) -> Array:
        return x[index]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        x, index = ctx.inputs
        if hasattr(grad, "_array"):  # on tensors, so the scatter is recorded too
            return IndexAdd.apply(grad, x.shape, index), None
        return _scatter_add(x.shape, grad.dtype, index, grad, grad), None


class IndexAdd(Gate):
    """f(g) = zeros(shape) with g added at `index` (GetItem's adjoint);  ∂L/∂g = upstream[index]."""

    __slots__ = ()
    label = "index_add"

    @staticmethod
    def forward(ctx: Gate, values: Array, shape: tuple[int, ...], index: tuple[Any, ...]) -> Array:
        return _scatter_add(shape, values.dtype, index, values, values)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        return grad[ctx.inputs[2]], None, None


def getitem(input: Tensor, index: Any) -> Tensor:  # noqa: A002
    """`input[index]` (ints, slices, None, Ellipsis, integer and bool arrays)."""
    try:
        return GetItem.apply(input, normalize_index(index))
    except IndexError as error:
        raise IndexError(f"index {index!r} does not fit a tensor of shape {input.shape}: "
                         f"{error}") from None
