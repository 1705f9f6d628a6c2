"""`chainrule.functional`, as PyTorch's module `torch.functional` (`import torch.functional
as F` keeps working after `import chainrule as torch`): the same public names.

Most are chainrule's `cr.*` functions under this module's name too (einsum, split, norm,
meshgrid, unique, tensordot, cdist); the others are defined here by composing existing
gates, so they carry gradients where PyTorch's do (atleast_1d/2d/3d, broadcast_tensors,
block_diag, cartesian_prod, chain_matmul), or work on integer indices without one
(broadcast_shapes, unique_consecutive, unravel_index).

Left out: `stft`, `istft` (short-time Fourier transforms), `lu` (LU factorisation),
`svd_lowrank` and `pca_lowrank` (randomised low-rank factorisations); calling them raises
NotImplementedError, naming what to use instead.

    >>> import chainrule.functional as F
    >>> import chainrule as cr
    >>> F.block_diag(cr.tensor([[1.0]]), cr.tensor([2.0, 3.0])).tolist()
    [[1.0, 0.0, 0.0], [0.0, 2.0, 3.0]]
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ._namespace import cdist, einsum, meshgrid, norm, split, tensordot, unique
from ._size import Size
from .creation import cat, stack
from .engine.variable import Variable
from .ops.args import normalize_dim

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
           "cartesian_prod", "block_diag", "cdist", "chain_matmul", "einsum", "istft", "lu",
           "norm", "meshgrid", "pca_lowrank", "split", "stft", "svd_lowrank", "tensordot",
           "unique", "unique_consecutive", "unravel_index"]


def _tensors(op: str, tensors: tuple[Any, ...]) -> tuple[Tensor, ...]:
    for position, value in enumerate(tensors):
        if not isinstance(value, Variable):
            raise TypeError(f"{op}(): expected Tensors, but argument {position} is "
                            f"{type(value).__name__}")
    return tensors  # type: ignore[return-value]


def _atleast(op: str, tensors: tuple[Any, ...], shapes: dict[int, Any]) -> Any:
    """Each tensor reshaped by `shapes[ndim](shape)` when its rank is listed there; one
    tensor gives one tensor, several (or one sequence) give a tuple, as PyTorch."""
    single = len(tensors) == 1 and isinstance(tensors[0], Variable)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    results = tuple(t.reshape(shapes[t.ndim](tuple(t.shape))) if t.ndim in shapes else t
                    for t in _tensors(op, tensors))
    return results[0] if single else results


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor with at least one dim (a 0-d tensor becomes shape (1,))."""
    return _atleast("atleast_1d", tensors, {0: lambda s: (1,)})


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor with at least two dims: () → (1, 1), (n,) → (1, n)."""
    return _atleast("atleast_2d", tensors, {0: lambda s: (1, 1), 1: lambda s: (1,) + s})


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor with at least three dims: () → (1, 1, 1), (n,) → (1, n, 1),
    (m, n) → (m, n, 1), as PyTorch (and NumPy)."""
    return _atleast("atleast_3d", tensors, {0: lambda s: (1, 1, 1), 1: lambda s: (1,) + s + (1,),
                                            2: lambda s: s + (1,)})


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape that tensors of `shapes` broadcast to (an int counts as a 1-d shape)."""
    as_tuples = [(shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
                 for shape in shapes]
    result: list[int] = []
    for position, shape in enumerate(as_tuples):
        if any(size < 0 for size in shape):
            raise ValueError("Attempting to broadcast a dimension with negative length!")
        result = [1] * (len(shape) - len(result)) + result
        for offset, size in enumerate(shape):
            axis = len(result) - len(shape) + offset
            if size != 1 and result[axis] not in (1, size):
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {size} at "
                    f"{offset - len(shape)}! Mismatching argument at index {position} had "
                    f"{shape}; but expected shape should be broadcastable to {result}")
            if size != 1:
                result[axis] = int(size)
    return Size(result)


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """The tensors expanded (as views, with gradients) to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    checked = _tensors("broadcast_tensors", tensors)
    shapes = [tuple(t.shape) for t in checked]
    try:
        shape = np.broadcast_shapes(*shapes)
    except ValueError:
        first, second = next((a, b) for i, a in enumerate(shapes) for b in shapes[i + 1:]
                             if not _broadcastable(a, b))
        raise RuntimeError(f"broadcast_tensors: shapes {list(first)} and {list(second)} do "
                           "not broadcast: sizes must match or be 1 in every dim, "
                           "counting from the last") from None
    return tuple(t.expand(*shape) for t in checked)


def _broadcastable(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(x == y or 1 in (x, y) for x, y in zip(reversed(a), reversed(b)))


def cartesian_prod(*tensors: Any) -> Tensor:
    """All tuples of one element from each 1-d tensor, as rows of an (N, k) tensor (one
    tensor alone comes back as it is), in itertools.product's order."""
    checked = _tensors("cartesian_prod", tensors)
    for tensor in checked:
        if tensor.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(tensor.shape)}")
    if len(checked) == 1:
        return checked[0]
    grids = meshgrid(*checked, indexing="ij")
    return stack([grid.reshape(-1) for grid in grids], dim=1)  # type: ignore[no-any-return]


def block_diag(*tensors: Any) -> Tensor:
    """The tensors (0-d, 1-d as one row, or 2-d) as blocks down the diagonal of one matrix,
    zeros elsewhere, in their promoted dtype; built with `cat`, so gradients flow."""
    from ._dtype_info import promote_types
    from .creation import zeros

    checked = _tensors("block_diag", tensors)
    for position, tensor in enumerate(checked):
        if tensor.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {position} has {tensor.ndim} dimensions")
    blocks = [t.reshape(1, 1) if t.ndim == 0 else t.reshape(1, -1) if t.ndim == 1 else t
              for t in checked]
    if not blocks:
        return zeros(1, 0)
    dtype = blocks[0].dtype
    for block in blocks[1:]:
        dtype = promote_types(dtype, block.dtype)
    width = sum(int(block.shape[1]) for block in blocks)
    rows, before = [], 0
    for block in blocks:
        height, size = int(block.shape[0]), int(block.shape[1])
        rows.append(cat([zeros(height, before, dtype=dtype), block.to(dtype),
                         zeros(height, width - before - size, dtype=dtype)], dim=1))
        before += size
    return cat(rows, dim=0)


def chain_matmul(*matrices: Any, out: Tensor | None = None) -> Tensor:
    """The product of 2-d matrices, left to right (deprecated in PyTorch, with its warning,
    in favour of `linalg.multi_dot`)."""
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch "
                  "release. Use torch.linalg.multi_dot instead, which accepts a list of two "
                  "or more tensors rather than multiple parameters.", UserWarning, stacklevel=2)
    if out is not None:
        raise TypeError("chain_matmul: out= is not supported by chainrule")
    checked = _tensors("chain_matmul", matrices)
    if not checked:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for tensor in checked:
        if tensor.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {tensor.ndim}, expected 2 instead.")
    return multi_dot(checked) if len(checked) > 1 else checked[0]


def multi_dot(tensors: Sequence[Tensor]) -> Tensor:
    """`torch.linalg.multi_dot`: the product of matrices left to right; the first may be
    1-d (a row) and the last 1-d (a column), as in PyTorch."""
    checked = _tensors("multi_dot", tuple(tensors))
    if len(checked) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(checked)}")
    result = checked[0]
    for position, matrix in enumerate(checked[1:], start=1):
        if result.shape[-1] != matrix.shape[0]:
            raise RuntimeError(f"multi_dot(): tensors {position - 1} and {position} with "
                               f"shapes {list(checked[position - 1].shape)} and "
                               f"{list(matrix.shape)} cannot be multiplied")
        result = result @ matrix
    return result


def unique_consecutive(input: Tensor, return_inverse: bool = False,  # noqa: A002
                       return_counts: bool = False, dim: int | None = None) -> Any:
    """The input with each run of equal consecutive elements (or slices along `dim`) kept
    once; with `return_inverse`, the run each element belongs to; with `return_counts`, each
    run's length (no gradient: the values are copies)."""
    (tensor,) = _tensors("unique_consecutive", (input,))
    array = tensor._array
    axis = None if dim is None else normalize_dim("unique_consecutive", dim, array.ndim)
    flat = array.reshape(-1) if axis is None else np.moveaxis(array, axis, 0)
    if flat.shape[0] == 0:
        starts = np.zeros(0, dtype=bool)
    else:
        changed = (flat[1:] != flat[:-1]).reshape(flat.shape[0] - 1, -1).any(axis=1)
        starts = np.concatenate([[True], changed])
    values = flat[starts]
    if axis is not None:
        values = np.moveaxis(values, 0, axis)
    run_of = np.cumsum(starts) - 1
    counts = np.diff(np.append(np.flatnonzero(starts), flat.shape[0]))
    result = [tensor._make(np.ascontiguousarray(values), None)]
    if return_inverse:
        inverse = run_of.reshape(array.shape) if axis is None else run_of
        result.append(tensor._make(inverse.astype(np.int64), None))
    if return_counts:
        result.append(tensor._make(counts.astype(np.int64), None))
    return result[0] if len(result) == 1 else tuple(result)


def unravel_index(indices: Tensor, shape: Any) -> tuple[Tensor, ...]:
    """The coordinates of flat `indices` in a tensor of `shape`, one int64 tensor per dim
    (like NumPy's, but as PyTorch: negative and too-large indices wrap)."""
    if not isinstance(indices, Variable):
        raise TypeError(f"expected 'indices' to be integer tensor, but got "
                        f"{type(indices).__name__}")
    array = indices._array
    if array.dtype.kind not in "iu" or array.dtype == np.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    sizes = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(size < 0 for size in sizes):
        raise ValueError(f"'shape' cannot have negative values, but got {sizes}")
    remaining = array.astype(np.int64)
    coordinates = []
    for size in reversed(sizes):
        coordinates.append(remaining % size if size else remaining * 0)
        remaining = remaining // size if size else remaining
    return tuple(indices._make(np.asarray(c, dtype=np.int64), None)
                 for c in reversed(coordinates))


def _left_out(name: str, instead: str) -> Any:
    def missing(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"torch.functional.{name} is not implemented in chainrule; "
                                  f"{instead}")

    missing.__name__ = missing.__qualname__ = name
    return missing


stft = _left_out("stft", "use numpy.fft on tensor.numpy() for a short-time Fourier transform")
istft = _left_out("istft", "use numpy.fft on tensor.numpy() for an inverse transform")
lu = _left_out("lu", "use linalg.solve or linalg.inv for linear systems")
svd_lowrank = _left_out("svd_lowrank", "use torch.svd or linalg.svd (exact, with gradients)")
pca_lowrank = _left_out("pca_lowrank", "use torch.svd on the centred data instead")
