"""`torch.functional`: the functions PyTorch keeps in that module (einsum, split, meshgrid,
norm, unique, …, as `cr.*` has them), and the broadcasting helpers `broadcast_shapes`,
`broadcast_tensors` and `atleast_1d/2d/3d`, built from recorded views so that gradients
flow through them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._namespace import cdist, einsum, meshgrid, norm, split, tensordot, unique
from ._size import Size
from .ops.errors import ShapeError
from .tensor import Tensor

__all__ = ["atleast_1d", "atleast_2d", "atleast_3d", "broadcast_shapes", "broadcast_tensors",
           "cdist", "einsum", "meshgrid", "norm", "split", "tensordot", "unique"]


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape the given shapes broadcast to (PyTorch's RuntimeError when they cannot)."""
    normalized = [(shape,) if isinstance(shape, int) else tuple(shape) for shape in shapes]
    try:
        return Size(np.broadcast_shapes(*normalized))
    except ValueError:
        raise ShapeError(f"broadcast_shapes: shapes {', '.join(map(str, normalized))} cannot "
                         "be broadcast together (sizes must match or be 1, aligned from the "
                         "right)") from None


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    """The tensors expanded to their common broadcast shape (views, differentiable)."""
    shape = broadcast_shapes(*(tuple(tensor.shape) for tensor in tensors))
    return tuple(tensor.expand(*shape) for tensor in tensors)


def _padded(shape: tuple[int, ...], rank: int) -> tuple[int, ...]:
    """NumPy's and PyTorch's placement of the new dims of atleast_1d/2d/3d."""
    if len(shape) >= rank:
        return shape
    if not shape:
        return (1,) * rank
    if rank == 2:
        return (1, *shape)
    return (1, *shape, 1) if len(shape) == 1 else (*shape, 1)


def _at_least(op: str, tensors: tuple[Any, ...], rank: int) -> Any:
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    results = []
    for tensor in tensors:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"{op}(): expected Tensors, got {type(tensor).__name__}")
        results.append(tensor.reshape(*_padded(tuple(tensor.shape), rank)))
    return results[0] if len(results) == 1 else tuple(results)


def atleast_1d(*tensors: Any) -> Any:
    """Each tensor viewed with at least 1 dim (a 0-d tensor becomes shape (1,))."""
    return _at_least("atleast_1d", tensors, 1)


def atleast_2d(*tensors: Any) -> Any:
    """Each tensor viewed with at least 2 dims ((n,) becomes (1, n))."""
    return _at_least("atleast_2d", tensors, 2)


def atleast_3d(*tensors: Any) -> Any:
    """Each tensor viewed with at least 3 dims ((n,) becomes (1, n, 1), (m, n) (m, n, 1))."""
    return _at_least("atleast_3d", tensors, 3)
