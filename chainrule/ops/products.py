"""Products over several dims: tensordot, inner, kron and cross, built from permute, reshape,
MatMul and the broadcasting multiply, so their gradients are those gates' rules.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.variable import Variable
from .args import int_arg, normalize_dim
from .errors import ShapeError
from .linalg import MatMul

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["tensordot", "inner", "kron", "cross", "linalg_cross"]


def _contracted(a: Tensor, b: Tensor, dims: Any) -> tuple[list[int], list[int]]:
    """The dims of a and of b that tensordot sums over, checked pairwise."""
    if isinstance(dims, (int,)) and not isinstance(dims, bool):
        count = int_arg("tensordot", "dims", dims, minimum=0)
        if count > min(a.ndim, b.ndim):
            raise RuntimeError(f"tensordot: dims={count} is more than the dims of shapes "
                               f"{a.shape} and {b.shape}")
        dims_a, dims_b = list(range(a.ndim - count, a.ndim)), list(range(count))
    else:
        listed_a, listed_b = dims
        listed_a = [listed_a] if isinstance(listed_a, int) else list(listed_a)
        listed_b = [listed_b] if isinstance(listed_b, int) else list(listed_b)
        if len(listed_a) != len(listed_b):
            raise RuntimeError(f"tensordot: both dims lists must have the same length, got "
                               f"{listed_a} and {listed_b}")
        dims_a = [normalize_dim("tensordot", d, a.ndim) for d in listed_a]
        dims_b = [normalize_dim("tensordot", d, b.ndim) for d in listed_b]
    for da, db in zip(dims_a, dims_b):
        if a.shape[da] != b.shape[db]:
            raise RuntimeError(f"tensordot: contracted dimensions need to match, but the first "
                               f"has size {a.shape[da]} in dim {da} and the second size "
                               f"{b.shape[db]} in dim {db}")
    return dims_a, dims_b


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Σ over the paired dims `dims` (an int n: a's last n with b's first n; or two lists)
    of a·b; the result has a's free dims, then b's."""
    dims_a, dims_b = _contracted(a, b, dims)
    free_a = [d for d in range(a.ndim) if d not in dims_a]
    free_b = [d for d in range(b.ndim) if d not in dims_b]
    size = 1
    for d in dims_a:
        size *= a.shape[d]
    left = a.permute(*free_a, *dims_a).reshape(-1, size)
    right = b.permute(*dims_b, *free_b).reshape(size, -1)
    shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    product: Any = MatMul.apply(left, right)
    return product.reshape(shape)  # type: ignore[no-any-return]


def inner(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The dot product over the last dims (a·b when either is 0-d)."""
    if not isinstance(other, Variable):
        raise TypeError(f"inner(): expected a Tensor, got {type(other).__name__}")
    if input.ndim == 0 or other.ndim == 0:
        return input * other  # type: ignore[no-any-return]
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner(): the last dimension must match on both inputs, got shapes "
                           f"{input.shape} and {other.shape}")
    return tensordot(input, other, ([-1], [-1]))


def kron(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The Kronecker product: blocks input[i]·other, so dim k has size input_k·other_k (the
    shorter shape padded with leading 1s)."""
    ndim = max(input.ndim, other.ndim)
    shape_a = (1,) * (ndim - input.ndim) + tuple(input.shape)
    shape_b = (1,) * (ndim - other.ndim) + tuple(other.shape)
    spread_a = [size for pair in zip(shape_a, (1,) * ndim) for size in pair]
    spread_b = [size for pair in zip((1,) * ndim, shape_b) for size in pair]
    product: Any = input.reshape(*spread_a) * other.reshape(*spread_b)
    return product.reshape(*[a * b for a, b in zip(shape_a, shape_b)])  # type: ignore[no-any-return]


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """The cross product along `dim` (of size 3), broadcasting the other dims; without dim,
    PyTorch's deprecated default: the first dim of size 3 (with its warning)."""
    if not isinstance(other, Variable):
        raise TypeError(f"cross(): expected a Tensor, got {type(other).__name__}")
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\n"
                      "Please either pass the dim explicitly or simply use torch.linalg.cross."
                      "\nThe default value of dim will change to agree with that of "
                      "linalg.cross in a future release.", UserWarning, stacklevel=3)
        sizes = _broadcast_shape(input, other)
        dim = next((d for d, size in enumerate(sizes) if size == 3), None)
        if dim is None:
            raise RuntimeError(f"cross(): no dimension of size 3 in input of shape "
                               f"{tuple(input.shape)}; pass dim=")
    return linalg_cross(input, other, dim)


def linalg_cross(input: Tensor, other: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """a × b along `dim`: c_i = a_{i+1}·b_{i+2} − a_{i+2}·b_{i+1} (indices mod 3), from
    recorded rolls and products, so its gradient is the chain rule (∂/∂a: b × g, ∂/∂b: g × a)."""
    if not isinstance(other, Variable):
        raise TypeError(f"linalg.cross(): expected a Tensor, got {type(other).__name__}")
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions, got "
                           f"shapes {tuple(input.shape)} and {tuple(other.shape)}")
    sizes = _broadcast_shape(input, other)
    axis = normalize_dim("linalg.cross", dim, len(sizes))
    if input.shape[axis] != 3 or other.shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3, got "
                           f"shapes {tuple(input.shape)} and {tuple(other.shape)}")
    a, b = input.expand(*sizes), other.expand(*sizes)
    result: Any = (a.roll(-1, axis) * b.roll(-2, axis) - a.roll(-2, axis) * b.roll(-1, axis))
    return result  # type: ignore[no-any-return]


def _broadcast_shape(input: Tensor, other: Tensor) -> tuple[int, ...]:  # noqa: A002
    try:
        return tuple(np.broadcast_shapes(tuple(input.shape), tuple(other.shape)))
    except ValueError:
        raise ShapeError(f"cross: shapes {tuple(input.shape)} and {tuple(other.shape)} cannot "
                         "be broadcast together") from None
