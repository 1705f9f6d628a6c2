"""Masks and flat indices: masked_fill (the attention-mask fill, with a broadcast mask),
masked_select, masked_scatter, take, put and index_put.

Only masked_fill has a gate of its own (`scatter.FillWhere`); the others are built from
recorded gates (broadcast, indexing and its adjoint, where, index_copy/index_add on the
flattened tensor), so their gradients need no new rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.variable import Variable
from ._broadcast import BroadcastTo
from .args import normalize_index
from .elementwise import Where
from .indexing import GetItem, IndexAdd
from .scatter import FillWhere, IndexAddDim, IndexCopy
from .select import _fill_value, in_place, index_array

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["masked_fill", "masked_fill_", "masked_select", "masked_scatter",
           "masked_scatter_", "take", "put", "put_", "index_put", "index_put_"]


def _mask(op: str, input: Tensor, mask: Any) -> tuple[np.ndarray, tuple[int, ...]]:  # noqa: A002
    """The bool array of `mask` and the shape it broadcasts to with `input`."""
    array = mask._array if isinstance(mask, Variable) else mask
    if not isinstance(array, np.ndarray) or array.dtype != np.bool_:
        kind = getattr(array, "dtype", type(array).__name__)
        raise RuntimeError(f"{op}: expected a bool tensor for mask, got {kind}")
    try:
        shape = np.broadcast_shapes(tuple(input.shape), array.shape)
    except ValueError:
        raise RuntimeError(f"{op}: mask of shape {array.shape} cannot be broadcast with the "
                           f"input's shape {tuple(input.shape)}") from None
    return array, tuple(shape)


def _broadcast(input: Tensor, shape: tuple[int, ...]) -> Tensor:  # noqa: A002
    return input if tuple(input.shape) == shape else BroadcastTo.apply(input, shape)


def masked_fill(input: Tensor, mask: Any, value: Any) -> Tensor:  # noqa: A002
    """`value` where `mask` is true, else input; mask broadcasts with input (the attention
    mask: `scores.masked_fill(~allowed, float('-inf'))`). No gradient flows to filled places.

    >>> import chainrule as cr
    >>> scores = cr.zeros(2, 2)
    >>> scores.masked_fill(cr.tensor([False, True]), float("-inf")).softmax(-1)
    tensor([[1., 0.],
            [1., 0.]])
    """
    array, _ = _mask("masked_fill", input, mask)
    return FillWhere.apply(input, array, _fill_value("masked_fill", value,
                                                          input._array.dtype))


def masked_fill_(input: Tensor, mask: Any, value: Any) -> Tensor:  # noqa: A002
    """In place: `masked_fill` (the mask must broadcast to input's own shape)."""
    return in_place(input, "masked_fill_", lambda: masked_fill(input, mask, value), value)


def masked_select(input: Tensor, mask: Any) -> Tensor:  # noqa: A002
    """The elements where `mask` (broadcast with input) is true, as a 1-D tensor."""
    array, shape = _mask("masked_select", input, mask)
    return GetItem.apply(_broadcast(input, shape), (np.broadcast_to(array, shape),))


def masked_scatter(input: Tensor, mask: Any, source: Tensor) -> Tensor:  # noqa: A002
    """input with the places where `mask` is true filled, in order, by source's first
    elements (row-major)."""
    array, shape = _mask("masked_scatter", input, mask)
    if input._array.dtype != source._array.dtype:
        raise RuntimeError(f"masked_scatter: input and source must have the same dtype, got "
                           f"{input.dtype} and {source.dtype}")
    full_mask = np.broadcast_to(array, shape)
    count = int(full_mask.sum())
    if source.numel() < count:
        raise RuntimeError(f"masked_scatter: source has {source.numel()} elements but the mask "
                           f"selects {count} places; expected at least as many elements")
    part = source.reshape(-1)[:count]
    placed = IndexAdd.apply(part, shape, (full_mask,))
    return Where.apply(full_mask, placed, _broadcast(input, shape))


def masked_scatter_(input: Tensor, mask: Any, source: Tensor) -> Tensor:  # noqa: A002
    """In place: `masked_scatter`."""
    return in_place(input, "masked_scatter_", lambda: masked_scatter(input, mask, source),
                    source)


def _flat_index(op: str, input: Tensor, index: Any) -> np.ndarray:  # noqa: A002
    """Flat (row-major) indices, negatives counted from the end, checked against numel."""
    idx = index_array(op, index)
    count = input.numel()
    bad = idx[(idx < -count) | (idx >= count)]
    if bad.size:
        raise IndexError(f"{op}: out of range: tried to access index {int(bad.flat[0])} on a "
                         f"tensor of {count} elements")
    return idx % count if count else idx


def take(input: Tensor, index: Any) -> Tensor:  # noqa: A002
    """input treated as 1-D, picked at `index` (the result has index's shape; repeated
    indices add their gradients)."""
    idx = _flat_index("take", input, index)
    return GetItem.apply(input.reshape(-1), (idx,))


def put(input: Tensor, index: Any, source: Tensor, accumulate: bool = False  # noqa: A002
        ) -> Tensor:
    """input treated as 1-D with source's elements written at `index` (added with
    `accumulate`)."""
    idx = _flat_index("put", input, index).reshape(-1)
    if input._array.dtype != source._array.dtype:
        raise RuntimeError(f"put: input and source must have the same dtype, got "
                           f"{input.dtype} and {source.dtype}")
    if source.numel() != idx.size:
        raise RuntimeError(f"put: source has {source.numel()} elements but index has "
                           f"{idx.size}; expected the same number")
    flat, values = input.reshape(-1), source.reshape(-1)
    if accumulate:
        return IndexAddDim.apply(flat, 0, idx, values, 1).reshape(input.shape)
    return IndexCopy.apply(flat, 0, idx, values).reshape(input.shape)


def put_(input: Tensor, index: Any, source: Tensor, accumulate: bool = False  # noqa: A002
         ) -> Tensor:
    """In place: `put`."""
    return in_place(input, "put_", lambda: put(input, index, source, accumulate), source)


def _indexed_shape(input: Tensor, index: tuple[Any, ...]) -> tuple[int, ...]:  # noqa: A002
    """The shape of input[index], with PyTorch's errors for bad indices."""
    try:
        return tuple(np.empty(input.shape, dtype=np.bool_)[index].shape)
    except IndexError as error:
        raise IndexError(f"index_put: the indices do not fit a tensor of shape "
                         f"{tuple(input.shape)}: {error}") from None


def index_put(input: Tensor, indices: Any, values: Tensor,  # noqa: A002
              accumulate: bool = False) -> Tensor:
    """input with input[indices] = values (values broadcast to the indexed shape), or
    input[indices] += values with `accumulate` (repeated indices then add up)."""
    if not isinstance(values, Variable):
        raise TypeError(f"index_put(): values must be a Tensor, got {type(values).__name__}")
    if input._array.dtype != values._array.dtype:
        raise RuntimeError(f"index_put: input and values must have the same dtype, got "
                           f"{input.dtype} and {values.dtype}")
    for part in indices:
        if isinstance(part, Variable) and part._array.dtype.kind not in "biu":
            raise IndexError(f"index_put: tensors used as indices must be integer or bool "
                             f"tensors, got {part._array.dtype}")
    index = normalize_index(tuple(indices))
    shape = _indexed_shape(input, index)
    try:
        spread = values if tuple(values.shape) == shape else BroadcastTo.apply(values, shape)
    except ValueError:
        raise RuntimeError(f"index_put: values of shape {tuple(values.shape)} cannot be "
                           f"broadcast to the indexed shape {shape}") from None
    placed: Any = IndexAdd.apply(spread, tuple(input.shape), index)
    if accumulate:
        return input + placed  # type: ignore[no-any-return]
    written = np.zeros(input.shape, dtype=bool)
    written[index] = True
    return Where.apply(written, placed, input)  # type: ignore[no-any-return]


def index_put_(input: Tensor, indices: Any, values: Tensor,  # noqa: A002
               accumulate: bool = False) -> Tensor:
    """In place: `index_put`."""
    return in_place(input, "index_put_", lambda: index_put(input, indices, values, accumulate),
                    values)
