"""Adaptive pooling: PyTorch's bins, [⌊i·size/out⌋, ⌈(i+1)·size/out⌉) along each axis, so
the output has the asked size whatever the input's.

Both are composed from existing gates. Averaging is linear: a product with an averaging
matrix on each side, A_h · x · A_wᵀ. The maximum gathers each bin into a fixed-size window
(a bin narrower than the widest repeats its last place, which changes no maximum and, coming
later, never wins a tie) and takes `max` over it; the gather's rule carries the gradient.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._typing import Array
from .pool import batched, unbatched

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d",
           "adaptive_max_pool2d"]


def _bins(size: int, out: int) -> tuple[Array, Array]:
    """Each bin's first place and its end (exclusive)."""
    rows = np.arange(out)
    return (rows * size) // out, -((-(rows + 1) * size) // out)


def _output_sizes(op: str, x: Tensor, output_size: Any, dims: int) -> tuple[int, int]:
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else \
        (output_size,) * dims
    if len(sizes) != dims:
        raise ValueError(f"{op}: output_size must be an int or {dims} ints, got "
                         f"{output_size!r}")
    height, width = x.shape[2:]
    sizes = tuple(size if size is not None else (height, width)[2 - dims + axis]
                  for axis, size in enumerate(sizes))
    if any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1
           for s in sizes):
        raise RuntimeError(f"{op}: output_size must be positive ints, got {output_size!r}")
    return (1, int(sizes[0])) if dims == 1 else (int(sizes[0]), int(sizes[1]))


def _averaging_matrix(size: int, out: int, dtype: Any) -> Array:
    """(out, size): row i averages bin i."""
    starts, ends = _bins(size, out)
    columns = np.arange(size)
    inside = (columns >= starts[:, None]) & (columns < ends[:, None])
    return (inside / (ends - starts)[:, None]).astype(dtype)


def _adaptive_avg(op: str, input: Tensor, output_size: Any, dims: int) -> Tensor:  # noqa: A002
    x, was_batched = batched(op, input, dims)
    out_h, out_w = _output_sizes(op, x, output_size, dims)
    height, width = x.shape[2:]
    dtype = x._array.dtype if x._array.dtype.kind == "f" else np.float32
    rows = x._make(_averaging_matrix(height, out_h, dtype), None)
    columns = x._make(_averaging_matrix(width, out_w, dtype).T.copy(), None)
    return unbatched(rows @ x @ columns, was_batched, dims)


def _gather_places(size: int, out: int) -> Array:
    """(out, widest bin): the places of each bin, the last one repeated to fill."""
    starts, ends = _bins(size, out)
    widest = int((ends - starts).max())
    return np.minimum(starts[:, None] + np.arange(widest), ends[:, None] - 1)


def _adaptive_max(op: str, input: Tensor, output_size: Any, return_indices: bool,  # noqa: A002
                  dims: int) -> Any:
    x, was_batched = batched(op, input, dims)
    out_h, out_w = _output_sizes(op, x, output_size, dims)
    height, width = x.shape[2:]
    rows, columns = _gather_places(height, out_h), _gather_places(width, out_w)
    tall, wide = rows.shape[1], columns.shape[1]
    gathered = x[:, :, rows[:, None, :, None], columns[None, :, None, :]]
    values, which = gathered.reshape(*x.shape[:2], out_h, out_w, tall * wide).max(-1)
    out = unbatched(values, was_batched, dims)
    if not return_indices:
        return out
    chosen = which.numpy()
    flat = rows[np.arange(out_h)[:, None], chosen // wide] * width + \
        columns[np.arange(out_w), chosen % wide]
    return out, unbatched(x._make(flat.astype(np.int64), None), was_batched, dims)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """The mean over PyTorch's adaptive bins, giving output_size (OH, OW) whatever the input's
    size (`F.adaptive_avg_pool2d`); a None keeps that axis's size."""
    return _adaptive_avg("adaptive_avg_pool2d", input, output_size, 2)


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:  # noqa: A002
    """The mean over adaptive bins of (N, C, L) or (C, L) (`F.adaptive_avg_pool1d`)."""
    return _adaptive_avg("adaptive_avg_pool1d", input, output_size, 1)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False  # noqa: A002
                        ) -> Any:
    """The maximum over PyTorch's adaptive bins (`F.adaptive_max_pool2d`); with
    `return_indices`, also each maximum's flat index into H·W."""
    return _adaptive_max("adaptive_max_pool2d", input, output_size, return_indices, 2)


def adaptive_max_pool1d(input: Tensor, output_size: Any, return_indices: bool = False  # noqa: A002
                        ) -> Any:
    """The maximum over adaptive bins of (N, C, L) or (C, L) (`F.adaptive_max_pool1d`)."""
    return _adaptive_max("adaptive_max_pool1d", input, output_size, return_indices, 1)
