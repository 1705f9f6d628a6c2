"""Sorting and selection along a dim: sort, argsort, msort, topk, kthvalue, median, mode.

Each returns values picked from the input at computed indices, so one gate serves them all:
`Pick` takes the values at the indices, and its gradient puts the upstream back at them
(`Place`, Pick's adjoint, whose own gradient is a Pick again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import return_types
from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from .args import int_arg, keepdim_arg, normalize_dim
from .extremes import TiedSelect

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "mode", "Pick", "Place",
           "stable_order", "sorted_slices", "select_rank", "refuse_bool"]


def _place(grad: Array, shape: tuple[int, ...], indices: Array, axis: int) -> Array:
    """zeros(shape) with `grad` added at `indices` along `axis`; an index picked twice gets
    the sum (np.add.at), as the adjoint of a pick must."""
    xp = array_module(grad)
    out = xp.zeros(shape, dtype=grad.dtype)
    where = list(xp.ix_(*(xp.arange(size) for size in indices.shape)))
    where[axis] = indices
    xp.add.at(out, tuple(where), grad)
    return out


class Pick(Gate):
    """yₖ = x[indicesₖ] along `axis`;  ∂L/∂x = g added back at the indices (summed where an
    index repeats), 0 elsewhere."""

    __slots__ = ()
    label = "pick"

    @staticmethod
    def forward(ctx: Gate, x: Array, indices: Array, axis: int) -> Array:
        return array_module(x).take_along_axis(x, indices, axis=axis)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        x, indices, axis = ctx.inputs
        if _dual.is_tensor(grad):
            return Place.apply(grad, x.shape, indices, axis), None, None
        return _place(grad, x.shape, indices, axis), None, None


class Place(Gate):
    """f(g) = zeros(shape) with g added at `indices` along `axis` (Pick's adjoint);
    ∂L/∂g = upstream picked at the indices."""

    __slots__ = ()
    label = "place"

    @staticmethod
    def forward(ctx: Gate, values: Array, shape: tuple[int, ...], indices: Array,
                axis: int) -> Array:
        return _place(values, shape, indices, axis)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None, None]:
        indices, axis = ctx.inputs[2], ctx.inputs[3]
        if _dual.is_tensor(grad):
            return Pick.apply(grad, indices, axis), None, None, None
        return array_module(grad).take_along_axis(grad, indices, axis=axis), None, None, None


def stable_order(x: Array, axis: int, descending: bool) -> Array:
    """The indices that sort `x` along `axis`, equal values kept in their order; NaN counts
    as the largest value, as in PyTorch."""
    xp = array_module(x)
    if not descending:
        return xp.argsort(x, axis=axis, kind="stable")
    # Sorting the reversed slice ascending and reading it backwards keeps ties in order
    # and puts NaN first, with no negation (which bools and unsigned ints do not have).
    flipped = xp.argsort(xp.flip(x, axis=axis), axis=axis, kind="stable")
    return x.shape[axis] - 1 - xp.flip(flipped, axis=axis)


def _as_vector(op: str, input: Tensor, dim: int) -> tuple[Tensor, int, bool]:  # noqa: A002
    """A 0-d tensor as one element along dim 0 (PyTorch allows dim 0 and -1 on it)."""
    axis = normalize_dim(op, dim, input.ndim)
    if input.ndim == 0:
        return input.reshape(1), 0, True
    return input, axis, False


def _pair(kind: Any, values: Tensor, indices: Array, scalar: bool, like: Tensor) -> Any:
    index_tensor = like._make(indices.astype(np.int64, copy=False), None)
    if scalar:
        return kind(values.reshape(()), index_tensor.reshape(()))
    return kind(values, index_tensor)


def sort(input: Tensor, dim: int = -1, descending: bool = False, *,  # noqa: A002
         stable: bool = False) -> Any:
    """The named pair (values, indices) of `input` sorted along `dim`; the sort is always
    stable (equal values keep their order); NaN sorts as the largest value."""
    x, axis, scalar = _as_vector("sort", input, dim)
    order = stable_order(x._array, axis, descending)
    return _pair(return_types.sort, Pick.apply(x, order, axis), order, scalar, input)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,  # noqa: A002
            stable: bool = False) -> Tensor:
    """The indices that sort `input` along `dim` (always a stable sort)."""
    x, axis, scalar = _as_vector("argsort", input, dim)
    order = stable_order(x._array, axis, descending)
    found = input._make(order.astype(np.int64, copy=False), None)
    return found.reshape(()) if scalar else found


def msort(input: Tensor) -> Tensor:  # noqa: A002
    """`input` sorted along dim 0."""
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,  # noqa: A002
         sorted: bool = True) -> Any:  # noqa: A002
    """The named pair (values, indices) of the `k` largest (or smallest) along `dim`, in
    order (the result is sorted whether or not `sorted` asks for it)."""
    k = int_arg("topk", "k", k)
    if input._array.dtype.kind == "b":
        raise RuntimeError("topk: bool tensors are not supported; convert first (e.g. x.int())")
    x, axis, scalar = _as_vector("topk", input, dim)
    size = x.shape[axis]
    if not 0 <= k <= size:
        raise RuntimeError(f"topk: k={k} is out of range for dim {dim} of size {size} "
                           f"(expected 0..{size})")
    order = stable_order(x._array, axis, descending=largest)
    chosen = np.take(order, np.arange(k), axis=axis)
    return _pair(return_types.topk, Pick.apply(x, chosen, axis), chosen, scalar, input)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False, *,  # noqa: A002
             keepdims: bool | None = None) -> Any:
    """The named pair (values, indices) of the k-th smallest element along `dim` (k from
    1)."""
    k = int_arg("kthvalue", "k", k)
    refuse_bool("kthvalue", input)
    keepdim = keepdim_arg("kthvalue", keepdim, keepdims)
    x, axis, scalar = _as_vector("kthvalue", input, dim)
    size = x.shape[axis]
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue: k={k} is out of range for dim {dim} of size {size} "
                           f"(expected 1..{size})")
    order = stable_order(x._array, axis, descending=False)
    return select_rank(return_types.kthvalue, input, x, order, k - 1, axis, keepdim, scalar)


def select_rank(kind: Any, input: Tensor, x: Tensor, order: Array, rank: Any,  # noqa: A002
                axis: int, keepdim: bool, scalar: bool) -> Any:
    """The element of sorted rank `rank` (an int, or an array of one per slice) along
    `axis`, as the named pair `kind`."""
    if isinstance(rank, int):
        chosen = np.take(order, [rank], axis=axis)
    else:
        chosen = np.take_along_axis(order, rank, axis=axis)
    values = Pick.apply(x, chosen, axis)
    if not keepdim and not scalar:
        values, chosen = values.squeeze(axis), chosen.squeeze(axis)
    return _pair(kind, values, chosen, scalar, input)


def refuse_bool(op: str, input: Tensor) -> None:  # noqa: A002
    """PyTorch's selections (but not sort) are not defined for bool tensors."""
    if input._array.dtype.kind == "b":
        raise NotImplementedError(f"{op}: bool tensors are not supported; convert first "
                                  "(e.g. x.int())")


def sorted_slices(op: str, input: Tensor, dim: int) -> tuple[Tensor, int, bool, Array]:  # noqa: A002
    """(x, axis, scalar, order): `input` as at least 1-d, and its stable ascending order
    along `dim`; an IndexError for a dim of size 0."""
    refuse_bool(op, input)
    x, axis, scalar = _as_vector(op, input, dim)
    if x.shape[axis] == 0:
        raise IndexError(f"{op}: dim {dim} has size 0; there is no middle element")
    return x, axis, scalar, stable_order(x._array, axis, descending=False)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
           keepdims: bool | None = None) -> Any:
    """The lower of the two middle values: of all elements (a tensor; ties share the
    gradient), or along `dim` (the named pair (values, indices)). NaN if a NaN is there."""
    keepdim = keepdim_arg("median", keepdim, keepdims)
    if dim is None:
        refuse_bool("median", input)
        return TiedSelect.apply(input, None, False, "median")
    x, axis, scalar, order = sorted_slices("median", input, dim)
    size = x.shape[axis]
    rank = np.full(np.take(order, [0], axis=axis).shape, (size - 1) // 2)
    nan = np.isnan(x._array) if x._array.dtype.kind == "f" else None
    if nan is not None and nan.any():  # a slice with NaN has median NaN, at its first NaN
        has_nan = nan.any(axis=axis, keepdims=True)
        # argsort puts NaN last, in order: the first NaN has rank (size − count of NaN)
        nan_rank = size - nan.sum(axis=axis, keepdims=True)
        rank = np.where(has_nan, nan_rank, rank)
    return select_rank(return_types.median, input, x, order, rank, axis, keepdim, scalar)


def _mode_index(row: np.ndarray) -> int:
    """Where the most frequent value of `row` last occurs (the smallest value among equally
    frequent ones; each NaN counts on its own), as PyTorch picks."""
    values, counts = np.unique(row, return_counts=True, equal_nan=False)
    winner = values[int(np.argmax(counts))]  # argmax: the first, i.e. smallest, of the ties
    if winner != winner:  # every element NaN: the last one
        return row.size - 1
    return int(np.flatnonzero(row == winner)[-1])


def mode(input: Tensor, dim: int = -1, keepdim: bool = False, *,  # noqa: A002
         keepdims: bool | None = None) -> Any:
    """The named pair (values, indices) of the most frequent value along `dim` (the
    smallest of equally frequent values, at its last index); the gradient goes to that
    index."""
    keepdim = keepdim_arg("mode", keepdim, keepdims)
    x, axis, scalar = _as_vector("mode", input, dim)
    if x.shape[axis] == 0:
        raise IndexError(f"mode: dim {dim} has size 0; there is no value to count")
    rows = np.moveaxis(x._array, axis, -1)
    found = np.array([_mode_index(row) for row in rows.reshape(-1, rows.shape[-1])],
                     dtype=np.int64)
    chosen = np.expand_dims(found.reshape(rows.shape[:-1]), axis)
    # the chosen index is the one "rank" of a one-element order
    return select_rank(return_types.mode, input, x, chosen, 0, axis, keepdim, scalar)
