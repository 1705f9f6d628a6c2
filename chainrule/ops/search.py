"""Searching sorted sequences: searchsorted and bucketize (indices, so no gradient)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..engine.variable import Variable

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["searchsorted", "bucketize"]


def _side(op: str, right: bool, side: str | None) -> Literal["left", "right"]:
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise RuntimeError(f"{op}: side must be 'left' or 'right', got {side!r}")
    if right and side == "left":
        raise RuntimeError(f"{op}: side and right can't be set to opposites, got side of left "
                           "while right was True")
    return "left" if side == "left" else "right"


def _values(op: str, values: Any, boundaries: np.ndarray) -> np.ndarray:
    array = values._array if isinstance(values, Variable) else np.asarray(values)
    if array.dtype.kind == "b" or boundaries.dtype.kind == "b":
        raise NotImplementedError(f"{op}: bool tensors are not supported; convert first "
                                  "(e.g. x.int())")
    return array


def _indices(like: Tensor, found: np.ndarray, out_int32: bool) -> Tensor:
    return like._make(np.asarray(found, dtype=np.int32 if out_int32 else np.int64), None)


def searchsorted(sorted_sequence: Tensor, input: Any, *, out_int32: bool = False,  # noqa: A002
                 right: bool = False, side: str | None = None,
                 sorter: Tensor | None = None) -> Tensor:
    """For each value, the index where it would be inserted into `sorted_sequence` (sorted
    along its last dim) to keep it sorted: before equal entries, or after them with
    `right=True` / `side='right'`. A multi-dim sequence is searched row by row, and its
    leading dims must match the values'."""
    where = _side("searchsorted", right, side)
    boundaries = sorted_sequence._array
    values = _values("searchsorted", input, boundaries)
    if sorter is not None:
        boundaries = np.take_along_axis(boundaries, sorter._array, axis=-1)
    if boundaries.ndim == 1:
        return _indices(sorted_sequence, np.searchsorted(boundaries, values, side=where),
                        out_int32)
    if values.ndim != boundaries.ndim or values.shape[:-1] != boundaries.shape[:-1]:
        raise RuntimeError(f"searchsorted: the sorted sequence must be 1-d, or its leading "
                           f"dims must match the values': got shapes {boundaries.shape} and "
                           f"{values.shape}")
    rows = boundaries.reshape(-1, boundaries.shape[-1])
    row_values = values.reshape(-1, values.shape[-1])
    found = np.stack([np.searchsorted(row, picks, side=where)
                      for row, picks in zip(rows, row_values)]) if len(rows) else \
        np.zeros(row_values.shape, dtype=np.int64)
    return _indices(sorted_sequence, found.reshape(values.shape), out_int32)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False,  # noqa: A002
              right: bool = False) -> Tensor:
    """The bucket of each value among the 1-d sorted `boundaries`: i with
    boundaries[i−1] < x ≤ boundaries[i] (or boundaries[i−1] ≤ x < boundaries[i] with
    `right=True`)."""
    if boundaries.ndim != 1:
        raise RuntimeError(f"bucketize: boundaries must be 1-d, got shape {boundaries.shape}")
    found = np.searchsorted(boundaries._array, _values("bucketize", input, boundaries._array),
                            side="right" if right else "left")
    like: Any = input if isinstance(input, Variable) else boundaries
    return _indices(like, found, out_int32)
