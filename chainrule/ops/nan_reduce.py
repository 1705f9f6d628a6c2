"""Reductions that skip NaN: nansum, nanmean, nanmedian.

nansum and nanmean are the plain reductions of the input with its NaNs replaced by 0 (a
`where`, so a NaN gets gradient 0, as in PyTorch); nanmedian is the median of the values
that are not NaN.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import return_types
from .args import keepdim_arg, normalize_axes
from .dispatch import where
from .extremes import TiedSelect
from .reduce import sum as reduce_sum
from .sorting import refuse_bool, select_rank, sorted_slices

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["nansum", "nanmean", "nanmedian"]


def _without_nan(input: Tensor) -> Tensor:  # noqa: A002
    if input._array.dtype.kind != "f":
        return input
    return where(input.isnan().logical_not(), input, 0.0)


def nansum(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
           dtype: Any = None, keepdims: bool | None = None) -> Tensor:
    """Σ over `dim` of the elements that are not NaN (NaN counts as 0)."""
    keepdim = keepdim_arg("nansum", keepdim, keepdims)
    return reduce_sum(_without_nan(input), dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
            dtype: Any = None, keepdims: bool | None = None) -> Tensor:
    """The average over `dim` of the elements that are not NaN (NaN where all are)."""
    keepdim = keepdim_arg("nanmean", keepdim, keepdims)
    source = input if dtype is None else input.to(dtype)
    if source._array.dtype.kind != "f":
        raise RuntimeError(f"nanmean: expected a floating-point tensor, got {source.dtype}; "
                           "convert first (e.g. x.float()) or pass dtype=")
    axes = normalize_axes("nanmean", dim, source.ndim)
    count = (~np.isnan(source._array)).sum(axis=axes, keepdims=keepdim)
    # 0 / NaN is NaN without the warning 0 / 0 gives, where every element is NaN
    count = np.where(count == 0, np.nan, count).astype(source._array.dtype)
    return reduce_sum(_without_nan(source), axes, keepdim) / source._make(count, None)


def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
              keepdims: bool | None = None) -> Any:
    """The lower median of the elements that are not NaN: of all (a tensor; ties share the
    gradient), or along `dim` (the named pair (values, indices)); NaN where all are NaN."""
    keepdim = keepdim_arg("nanmedian", keepdim, keepdims)
    if dim is None:
        refuse_bool("nanmedian", input)
        return TiedSelect.apply(input, None, False, "nanmedian")
    x, axis, scalar, order = sorted_slices("nanmedian", input, dim)
    rank = np.full(np.take(order, [0], axis=axis).shape, 0)
    if x._array.dtype.kind == "f":  # NaN sorts last: the median of the c numbers before it
        numbers = (~np.isnan(x._array)).sum(axis=axis, keepdims=True)
        rank = np.maximum(numbers - 1, 0) // 2
    else:
        rank = rank + (x.shape[axis] - 1) // 2
    return select_rank(return_types.nanmedian, input, x, order, rank, axis, keepdim, scalar)
