"""Products over several dims: tensordot, inner and kron, built from permute, reshape,
MatMul and the broadcasting multiply, so their gradients are those gates' rules.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine.variable import Variable
from .args import int_arg, normalize_dim
from .linalg import MatMul

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["tensordot", "inner", "kron"]


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
