"""Row-sparse gradients: what an embedding lookup with `sparse=True` sends to its table.

A batch touches a few hundred rows of a table of tens of thousands; its gradient is zero
everywhere else. Like PyTorch's sparse COO gradient of `nn.Embedding(sparse=True)`, the rule
returns the touched rows and their summed gradients as a value; the engine sums such values
(`+`) and stores them in the leaf's `.grad`; optimisers that know them (SGD without momentum
or weight decay, Adagrad) update only those rows, and any other reader asks for
`to_dense()`. Nothing is written on the parameter, and no table-sized array is made.
"""

from __future__ import annotations

from typing import Any

from ..backends import array_module

__all__ = ["SparseRows"]


class SparseRows:
    """A gradient of `shape` that is zero outside the rows `rows`, whose values are
    `values[i]` at row `rows[i]`. Rows may repeat until `coalesce()` sums them.

    >>> import numpy as np
    >>> g = SparseRows(np.array([2, 0, 2]), np.ones((3, 2), np.float32), (4, 2))
    >>> g.coalesce().rows.tolist()
    [0, 2]
    >>> g.to_dense().tolist()
    [[1.0, 1.0], [0.0, 0.0], [2.0, 2.0], [0.0, 0.0]]
    """

    __slots__ = ("rows", "values", "shape", "coalesced")
    is_sparse = True
    # NumPy must hand `array + SparseRows` to `__radd__`, never broadcast the object.
    __array_ufunc__ = None

    def __init__(self, rows: Any, values: Any, shape: tuple[int, ...],
                 coalesced: bool = False) -> None:
        self.rows = rows
        self.values = values
        self.shape = tuple(shape)
        self.coalesced = coalesced

    @property
    def dtype(self) -> Any:
        return self.values.dtype

    def coalesce(self) -> SparseRows:
        """The same gradient with each row once, in ascending order, repeats summed.

        Sorting the ids and summing each run with `add.reduceat` is about 3× faster than
        `add.at` for an embedding's backward, where a batch repeats frequent words."""
        if self.coalesced:
            return self
        xp = array_module(self.values)
        if self.rows.shape[0] == 0:
            return SparseRows(self.rows, self.values, self.shape, coalesced=True)
        order = xp.argsort(self.rows, kind="stable")
        sorted_rows = self.rows[order]
        starts = xp.flatnonzero(xp.concatenate([xp.ones(1, dtype=bool),
                                                sorted_rows[1:] != sorted_rows[:-1]]))
        summed = xp.add.reduceat(self.values[order], starts, axis=0)
        return SparseRows(sorted_rows[starts], summed, self.shape, coalesced=True)

    def add_to(self, dense: Any) -> Any:
        """Adds this gradient into the array `dense` in place and returns it."""
        merged = self.coalesce()
        dense[merged.rows] += merged.values
        return dense

    def to_dense(self) -> Any:
        """The full (rows × …) array."""
        xp = array_module(self.values)
        return self.add_to(xp.zeros(self.shape, dtype=self.values.dtype))

    def numpy(self) -> Any:
        """The dense array, for readers that want one (PyTorch would ask for to_dense())."""
        return self.to_dense()

    def __add__(self, other: Any) -> Any:
        """Sparse + sparse stays sparse (rows concatenated, as PyTorch does); sparse + dense
        is a new dense array."""
        if isinstance(other, SparseRows):
            xp = array_module(self.values)
            return SparseRows(xp.concatenate([self.rows, other.rows]),
                              xp.concatenate([self.values, other.values]), self.shape)
        return self.add_to(other.copy())

    __radd__ = __add__

    def __repr__(self) -> str:
        return (f"SparseRows(rows={self.rows.tolist()}, shape={self.shape}, "
                f"dtype={self.dtype})")
