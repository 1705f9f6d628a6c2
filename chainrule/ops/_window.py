"""Sliding windows over the last two axes: the geometry shared by convolution and pooling.

A window op sees a padded input through a strided view (no copy): `windows(...)` has one
axis per output position and one per kernel offset, as CS231n's "fast layers" gather their
patches. The adjoint, adding each window's values back where they came from, is a loop over
the kH·kW kernel offsets, each adding one strided slice (never a loop over pixels and never
`add.at`, which is many times slower).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._typing import Array

__all__ = ["Geometry", "pair", "output_size", "pad", "windows", "add_windows", "crop"]

Pair = tuple[int, int]


class Geometry(NamedTuple):
    """How a kernel slides over (H, W): per axis its size, step, spacing of its taps, and
    the padding (before, after) added around the input."""

    kernel: Pair
    stride: Pair
    padding: tuple[Pair, Pair]
    dilation: Pair

    def output_shape(self, height: int, width: int) -> Pair:
        return (output_size(height, self.kernel[0], self.stride[0], sum(self.padding[0]),
                            self.dilation[0]),
                output_size(width, self.kernel[1], self.stride[1], sum(self.padding[1]),
                            self.dilation[1]))


def pair(op: str, name: str, value: Any, minimum: int, dims: int = 2) -> Pair:
    """An int or a sequence of `dims` ints, each at least `minimum`, as a pair (a 1-D op's
    single value is its W; its H is 1)."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
    if len(values) != dims or any(isinstance(v, bool) or not isinstance(v, (int, np.integer))
                                  for v in values):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {dims} ints, got {value!r}")
    if any(v < minimum for v in values):
        words = {0: "negative", 1: "non-positive"}
        raise RuntimeError(f"{op}: {words.get(minimum, 'small')} {name} is not supported, "
                           f"got {value!r}")
    if dims == 1:
        return (1 if minimum > 0 else 0, int(values[0]))
    return int(values[0]), int(values[1])


def output_size(size: int, kernel: int, stride: int, total_pad: int, dilation: int) -> int:
    """⌊(size + padding − dilation·(kernel − 1) − 1) / stride⌋ + 1 (PyTorch's formula)."""
    return (size + total_pad - dilation * (kernel - 1) - 1) // stride + 1


def pad(x: Array, padding: tuple[Pair, Pair], value: float = 0.0) -> Array:
    """x with `padding` rows and columns of `value` around its last two axes."""
    if padding == ((0, 0), (0, 0)):
        return x
    (top, bottom), (left, right) = padding
    height, width = x.shape[-2:]
    # a filled array and one slice assignment: far less per-call work than np.pad's
    out = np.full(x.shape[:-2] + (height + top + bottom, width + left + right), value,
                  dtype=x.dtype)
    out[..., top:top + height, left:left + width] = x
    return out


def windows(padded: Array, geometry: Geometry, out_shape: Pair) -> Array:
    """A read-only view of every window of `padded` (N, C, Hp, Wp): shape
    (N, C, OH, OW, kH, kW)."""
    n, c = padded.shape[:2]
    sn, sc, sh, sw = padded.strides
    (kh, kw), (th, tw), (dh, dw) = geometry.kernel, geometry.stride, geometry.dilation
    oh, ow = out_shape
    return as_strided(padded, (n, c, oh, ow, kh, kw),
                      (sn, sc, sh * th, sw * tw, sh * dh, sw * dw), writeable=False)


def add_windows(target: Array, values: Array, geometry: Geometry) -> None:
    """Adds `values` (…, OH, OW, kH, kW) into `target` (…, Hp, Wp) where each window came
    from: one strided-slice addition per kernel offset (overlapping windows sum)."""
    oh, ow, kh, kw = values.shape[-4:]
    (th, tw), (dh, dw) = geometry.stride, geometry.dilation
    for i in range(kh):
        rows = slice(i * dh, i * dh + th * (oh - 1) + 1, th)
        for j in range(kw):
            target[..., rows, j * dw:j * dw + tw * (ow - 1) + 1:tw] += values[..., i, j]


def crop(padded: Array, padding: tuple[Pair, Pair]) -> Array:
    """The inverse of `pad`: the interior of `padded`."""
    (top, bottom), (left, right) = padding
    height, width = padded.shape[-2:]
    return padded[..., top:height - bottom, left:width - right]
