"""scatter_reduce: src[p] combined into input at gather's position p by sum, mean, amax, amin
or prod (`include_self` says whether input's own value takes part).

No gate of its own: each reduction is written with recorded gates (`ScatterAdd`, the fill,
elementwise products with constant weights), so its gradient is theirs and matches
PyTorch's: sum passes the upstream to every contributor; mean divides it by the count;
amax/amin share it evenly between the contributors equal to the result (ties split);
prod sends upstream times the product of the others to each (first order only).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.grad_mode import state
from .scatter import FillWhere, ScatterAdd, grid
from .select import _check_same_dtype, _gather_layout, _src_part, in_place

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["scatter_reduce", "scatter_reduce_"]

_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _counts(shape: tuple[int, ...], place: tuple[Any, ...], include_self: bool,
            touched: np.ndarray) -> np.ndarray:
    """How many values meet at each position (input's own counted with include_self); 1
    where nothing is scattered, so untouched places keep input's value."""
    counts = np.zeros(shape, dtype=np.int64)
    np.add.at(counts, place, 1)
    counts += int(include_self)
    return np.where(touched, counts, 1)  # type: ignore[no-any-return]


def _extreme(input: Tensor, axis: int, idx: np.ndarray, src: Tensor,  # noqa: A002
             reduce: str, include_self: bool, touched: np.ndarray) -> Tensor:
    """amax/amin as Σ weight·value, the weights 1/(number of ties) on the contributors equal
    to the result: the value is the extreme, the gradient PyTorch's even split."""
    place = grid(axis, idx)
    ufunc = np.maximum if reduce == "amax" else np.minimum
    exact = input._array.copy()
    if not include_self:
        exact[touched] = -np.inf if reduce == "amax" else np.inf
    ufunc.at(exact, place, src._array)
    self_ties = (input._array == exact) & touched
    src_ties = src._array == exact[place]
    # PyTorch counts input's own value among the ties even with include_self=False (it
    # then gets no share): the same split here.
    ties = self_ties.astype(np.int64)
    np.add.at(ties, place, src_ties)
    ties = np.maximum(ties, 1)
    dtype = input._array.dtype
    self_weight = np.where(touched, self_ties / ties if include_self else 0.0, 1.0).astype(dtype)
    src_weight = (src_ties / ties[place]).astype(dtype)
    result: Any = ScatterAdd.apply(input * self_weight, axis, idx, src * src_weight)
    error = exact - result._array  # rounding of v/n + … + v/n where ties split
    return result + error if error.any() else result  # type: ignore[no-any-return]


def _product(input: Tensor, axis: int, idx: np.ndarray, src: Tensor,  # noqa: A002
             include_self: bool, touched: np.ndarray) -> Tensor:
    """prod: the value by multiply.at. Its gradient to a contributor c is upstream times the
    product of the others (result/c when c is not 0), recorded as Σ c·that with the value
    corrected to the product; first order only (that form's second derivative is 0)."""
    place = grid(axis, idx)
    dtype = input._array.dtype
    own_values = input._array if include_self else np.where(touched, 1, input._array)
    exact = own_values.astype(dtype)
    np.multiply.at(exact, place, src._array)
    if not (state.grad_enabled and (input._requires_grad or src._requires_grad)):
        return input._make(exact, None)
    if dtype.kind != "f":
        raise RuntimeError("scatter_reduce(reduce='prod'): gradients need a float tensor")
    # The product of the non-zero contributors and the number of zeros at each position.
    nonzero = np.where(own_values != 0, own_values, 1).astype(dtype)
    np.multiply.at(nonzero, place, np.where(src._array != 0, src._array, 1))
    zeros = (own_values == 0).astype(np.int64)
    np.add.at(zeros, place, src._array == 0)

    def others(values: np.ndarray, at: tuple[Any, ...] | None) -> np.ndarray:
        full, count = (nonzero, zeros) if at is None else (nonzero[at], zeros[at])
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(values != 0, np.where(count == 0, full / values, 0.0),
                            np.where(count == 1, full, 0.0)).astype(dtype)

    own = np.where(touched, others(input._array, None) if include_self else 0.0, 1.0)
    result: Any = ScatterAdd.apply(input * own.astype(dtype), axis, idx,
                                   src * others(src._array, place))
    return result + (exact - result._array)  # type: ignore[no-any-return]


def scatter_reduce(input: Tensor, dim: int, index: Any, src: Tensor, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """input with each src[p] combined into gather's position p by `reduce` ('sum', 'prod',
    'mean', 'amax', 'amin'); with include_self=False input's own value is left out where
    anything is scattered."""
    if reduce not in _REDUCTIONS:
        raise RuntimeError(f"scatter_reduce(): reduce must be one of {', '.join(_REDUCTIONS)}, "
                           f"got {reduce!r}")
    _check_same_dtype("scatter_reduce()", input, src, "src")
    axis, idx = _gather_layout("scatter_reduce", input, dim, index, src)
    src = _src_part(src, idx.shape)
    place = grid(axis, idx)
    touched = np.zeros(input.shape, dtype=bool)
    touched[place] = True
    if reduce in ("amax", "amin"):
        return _extreme(input, axis, idx, src, reduce, include_self, touched)
    if reduce == "prod":
        return _product(input, axis, idx, src, include_self, touched)
    base = input if include_self else FillWhere.apply(input, touched, 0)
    total: Any = ScatterAdd.apply(base, axis, idx, src)
    if reduce == "sum":
        return total  # type: ignore[no-any-return]
    counts = _counts(tuple(input.shape), place, include_self, touched)
    if input._array.dtype.kind != "f":  # integer mean: floor division, as PyTorch
        return input._make(total._array // counts, None)
    return total / counts.astype(input._array.dtype)  # type: ignore[no-any-return]


def scatter_reduce_(input: Tensor, dim: int, index: Any, src: Tensor, reduce: str, *,  # noqa: A002
                    include_self: bool = True) -> Tensor:
    """In place: `scatter_reduce`."""
    return in_place(input, "scatter_reduce_", lambda: scatter_reduce(
        input, dim, index, src, reduce, include_self=include_self), src)
