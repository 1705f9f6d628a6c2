"""Quantiles: quantile and nanquantile, as PyTorch computes them.

The input is sorted along the dim (a `Pick`, so differentiable), and each quantile q is read
at the rank q·(n − 1) between two sorted values, by the chosen interpolation; the gradient
goes back through the picks to the one or two inputs used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.variable import Variable
from .args import keepdim_arg, normalize_dim
from .shape import Stack
from .sorting import Pick, stable_order

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["quantile", "nanquantile"]

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _levels(op: str, q: Any, input: Tensor) -> tuple[list[float], bool]:  # noqa: A002
    """The quantile levels as floats, and whether they came as a 1-d tensor (a leading dim
    in the result)."""
    if isinstance(q, Variable):
        tensor: Any = q
        if tensor.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor, got shape {q.shape}")
        if q._array.dtype != input._array.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor, got "
                               f"{tensor.dtype} and {input.dtype}")
        levels, listed = [float(v) for v in q._array.reshape(-1)], tensor.ndim == 1
    elif isinstance(q, (int, float)) and not isinstance(q, bool):
        levels, listed = [float(q)], False
    else:
        raise TypeError(f"{op}() q must be a float or a tensor, got {type(q).__name__}")
    for level in levels:
        if not 0.0 <= level <= 1.0:
            raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {level}")
    return levels, listed


def _quantile(op: str, input: Tensor, q: Any, dim: Any, keepdim: bool,  # noqa: A002
              interpolation: str, skip_nan: bool) -> Tensor:
    if input._array.dtype.kind != "f":
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype, got "
                           f"{input.dtype}")
    if interpolation not in INTERPOLATIONS:
        raise RuntimeError(f"{op}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    if not input._array.size:
        raise RuntimeError(f"{op}() input tensor must be non-empty")
    levels, listed = _levels(op, q, input)
    if dim is None:
        x, axis = input.reshape(-1), 0
    else:
        axis = normalize_dim(op, dim, input.ndim)
        x = input.reshape(1) if input.ndim == 0 else input
    ordered = Pick.apply(x, stable_order(x._array, axis, descending=False), axis)
    size = x.shape[axis]
    # How many sorted values count: NaN sorts last, so the first `count` are the numbers.
    # A slice that quantile must answer with NaN reads rank size − 1 (a NaN) throughout.
    nan = np.isnan(x._array)
    numbers = size - nan.sum(axis=axis, keepdims=True)
    count = numbers if skip_nan else np.where(numbers < size, 1, size)
    last = np.where(numbers < size, size - 1, 0) if not skip_nan else \
        np.where(numbers == 0, size - 1, 0)
    span = np.maximum(count, 1) - 1
    # q given as a tensor: linear interpolation is differentiable in q too, as in PyTorch
    given: Any = q
    flat_levels: Any = given.reshape(-1) if isinstance(q, Variable) else None
    level_tensors = [flat_levels[i] if flat_levels is not None else None
                     for i in range(len(levels))]
    results = [_read(ordered, level * span + last, axis, interpolation, (level_tensor, span))
               for level, level_tensor in zip(levels, level_tensors)]
    results = [_shaped(r, input, dim, axis, keepdim) for r in results]
    return Stack.apply(0, *results) if listed else results[0]


def _read(ordered: Tensor, rank: np.ndarray, axis: int, interpolation: str,
          level: tuple[Any, np.ndarray]) -> Tensor:
    """The sorted values at fractional `rank` (one per slice), interpolated; `level` is q as
    a 0-d tensor (or None) and the span n − 1 it is scaled by."""
    def at(position: np.ndarray) -> Tensor:
        return Pick.apply(ordered, position.astype(np.int64), axis)

    low, high = np.floor(rank), np.ceil(rank)
    if interpolation == "lower":
        return at(low)
    if interpolation == "higher":
        return at(high)
    if interpolation == "nearest":
        return at(np.round(rank))  # half to even, as PyTorch
    low_value, high_value = at(low), at(high)
    if interpolation == "midpoint":
        return low_value + (high_value - low_value) * 0.5
    dtype = ordered._array.dtype
    fraction: Any = ordered._make((rank - low).astype(dtype), None)
    level_tensor, span = level
    if level_tensor is not None:  # rank − low = q·span + (the rest, constant in q)
        fraction = level_tensor * ordered._make(span.astype(dtype), None) + ordered._make(
            (rank - low - level_tensor.item() * span).astype(dtype), None)
    return low_value + (high_value - low_value) * fraction


def _shaped(result: Tensor, input: Tensor, dim: Any, axis: int,  # noqa: A002
            keepdim: bool) -> Tensor:
    if dim is None:
        return result.reshape((1,) * input.ndim if keepdim else ())
    if input.ndim == 0:
        return result.reshape(())
    return result if keepdim else result.squeeze(axis)


def quantile(input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
             interpolation: str = "linear", keepdims: bool | None = None) -> Tensor:
    """The q-th quantiles along `dim` (of all elements by default): q a float in [0, 1] or
    a 1-d tensor of them (a leading dim in the result); NaN where a slice holds NaN."""
    keepdim = keepdim_arg("quantile", keepdim, keepdims)
    return _quantile("quantile", input, q, dim, keepdim, interpolation, skip_nan=False)


def nanquantile(input: Tensor, q: Any, dim: int | None = None,  # noqa: A002
                keepdim: bool = False, *, interpolation: str = "linear",
                keepdims: bool | None = None) -> Tensor:
    """`quantile` of the values that are not NaN (NaN where a slice holds only NaN)."""
    keepdim = keepdim_arg("nanquantile", keepdim, keepdims)
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, skip_nan=True)
