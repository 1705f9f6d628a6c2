"""Counting: count_nonzero, unique, bincount, histc, histogram; and var_mean / std_mean.

Counts are step functions of the input, so none of these has a gradient (PyTorch's have
none either), except var_mean and std_mean, which are made of differentiable reductions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import return_types
from .args import int_arg, keepdim_arg, normalize_axes
from .reduce import mean, std, var

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["count_nonzero", "unique", "bincount", "histc", "histogram", "var_mean",
           "std_mean"]


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """The number of non-zero elements (along `dim`, an int or a tuple), as int64."""
    axes = normalize_axes("count_nonzero", dim, input.ndim)
    counted = np.count_nonzero(input._array, axis=axes if input.ndim else None)
    return input._make(np.asarray(counted, dtype=np.int64), None)


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct elements (or, with `dim`, the distinct slices along it), in ascending
    order; with `return_inverse`, where each element went; with `return_counts`, how often
    each occurs. A tensor alone, or a tuple when either is asked for."""
    axis = None
    if dim is not None:
        axis = normalize_axes("unique", dim, input.ndim)[0]  # type: ignore[index]
    values, inverse, counts = np.unique(input._array, return_inverse=True,
                                        return_counts=True, axis=axis)
    inverse = inverse.reshape(input.shape if axis is None else (input.shape[axis],))
    result = [input._make(values, None)]
    if return_inverse:
        result.append(input._make(inverse.astype(np.int64), None))
    if return_counts:
        result.append(input._make(counts.astype(np.int64), None))
    return result[0] if len(result) == 1 else tuple(result)


def bincount(input: Tensor, weights: Tensor | None = None,  # noqa: A002
             minlength: int = 0) -> Tensor:
    """How often each value 0, 1, …, max occurs in a 1-d non-negative integer tensor (at
    least `minlength` bins); with `weights`, the sum of the weights instead."""
    source = input._array
    minlength = int_arg("bincount", "minlength", minlength, minimum=0)
    if source.dtype.kind not in "biu":
        raise NotImplementedError(f"bincount: expected an integer tensor, got {input.dtype}")
    if source.ndim != 1 or (source.size and source.min() < 0):
        raise RuntimeError(f"bincount: expected a 1-d tensor of non-negative integers, got "
                           f"shape {input.shape}" + (f" with minimum {source.min()}"
                                                     if source.size else ""))
    if weights is None:
        return input._make(np.bincount(source, minlength=minlength).astype(np.int64), None)
    weight_array = weights._array
    if weight_array.shape != source.shape:
        raise RuntimeError(f"bincount: weights must have the input's shape {input.shape}, "
                           f"got {weights.shape}")
    kept = weight_array.dtype if weight_array.dtype.kind == "f" else np.dtype(np.float64)
    counted = np.bincount(source, weights=weight_array, minlength=minlength)
    return input._make(counted.astype(kept), None)


def _floating_values(op: str, input: Tensor) -> np.ndarray:  # noqa: A002
    if input._array.dtype.kind != "f":
        raise NotImplementedError(f"{op}: expected a floating-point tensor, got {input.dtype}")
    return input._array


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts in `bins` equal-width bins over [min, max] (the data's own range when both are
    0); elements outside are ignored. The counts have the input's dtype."""
    values = _floating_values("histc", input)
    bins = int_arg("histc", "bins", bins)
    if bins <= 0:
        raise RuntimeError(f"histc: bins must be > 0, got {bins}")
    low, high = float(min), float(max)
    if low > high:
        raise RuntimeError(f"histc: max must be larger than min, got min={min} and max={max}")
    if low == high and values.size:
        low, high = float(values.min()), float(values.max())
    if low == high:  # one value: PyTorch widens the range by 1 on each side
        low, high = low - 1, high + 1
    counts, _ = np.histogram(values, bins=bins, range=(low, high))
    return input._make(counts.astype(values.dtype), None)


def histogram(input: Tensor, bins: Any = 100, *, range: Any = None,  # noqa: A002
              weight: Tensor | None = None, density: bool = False) -> Any:
    """The named pair (hist, bin_edges): `bins` equal-width bins over `range` (the data's
    range by default), or the edges given as a 1-d tensor; `weight` sums weights instead of
    counting, `density` divides by the total and the widths."""
    values = _floating_values("histogram", input)
    edges: Any = bins
    if hasattr(bins, "_array"):
        edges = bins._array
        if edges.ndim != 1 or edges.size < 1:
            raise RuntimeError(f"histogram: bins must be a 1-d tensor of edges, got shape "
                               f"{tuple(edges.shape)}")
    else:
        edges = int_arg("histogram", "bins", bins)
        if edges <= 0:
            raise RuntimeError(f"histogram: bins must be > 0, got {edges}")
    weights = None if weight is None else weight._array
    if weights is not None and weights.shape != values.shape:
        raise RuntimeError(f"histogram: weight must have the input's shape {input.shape}, got "
                           f"{tuple(weights.shape)}")
    if range is not None:
        range = (float(range[0]), float(range[1]))
    counts, found_edges = np.histogram(values, bins=edges, range=range, weights=weights,
                                       density=density)
    return return_types.histogram(input._make(counts.astype(values.dtype), None),
                                  input._make(found_edges.astype(values.dtype), None))


def var_mean(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
             correction: Any = 1, unbiased: bool | None = None,
             keepdims: bool | None = None) -> tuple[Tensor, Tensor]:
    """(var, mean) over `dim`, both differentiable (see `var` for `correction`)."""
    keepdim = keepdim_arg("var_mean", keepdim, keepdims)
    return (var(input, dim, keepdim, correction=correction, unbiased=unbiased),
            mean(input, dim, keepdim))


def std_mean(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
             correction: Any = 1, unbiased: bool | None = None,
             keepdims: bool | None = None) -> tuple[Tensor, Tensor]:
    """(std, mean) over `dim`, both differentiable (see `std` for `correction`)."""
    keepdim = keepdim_arg("std_mean", keepdim, keepdims)
    return (std(input, dim, keepdim, correction=correction, unbiased=unbiased),
            mean(input, dim, keepdim))
