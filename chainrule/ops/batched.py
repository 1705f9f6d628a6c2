"""PyTorch's strict products: mm (2-D only), mv, bmm (3-D, equal batches), and the fused
forms addmm, addmv, baddbmm, addbmm (β·input + α·product).

Each checks its shapes and dtypes as PyTorch does (RuntimeError, with the shapes), then is
built from `MatMul` and the elementwise gates, so the gradients are theirs:
∂/∂input = β·G (summed back over broadcasting), ∂/∂mat1 = α·G·mat2ᵀ, ∂/∂mat2 = α·mat1ᵀ·G.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.variable import Variable
from .linalg import MatMul
from .scatter import FillWhere
from .select import in_place

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["mm", "mv", "bmm", "addmm", "addmv", "baddbmm", "addbmm", "addmm_", "addmv_",
           "baddbmm_", "addbmm_"]


def _tensors(op: str, *values: Any) -> None:
    for value in values:
        if not isinstance(value, Variable):
            raise TypeError(f"{op}(): expected Tensor arguments, got {type(value).__name__}")
    first = values[0]
    for value in values[1:]:
        if value._array.dtype != first._array.dtype:
            raise RuntimeError(f"{op}(): expected both operands to have the same dtype, but got "
                               f"{first.dtype} and {value.dtype}")


def _dims(op: str, value: Tensor, ndim: int, name: str) -> None:
    if value.ndim != ndim:
        kind = {1: "vector (1-D)", 2: "matrix (2-D)", 3: "3-D tensor"}[ndim]
        raise RuntimeError(f"{op}(): {name} must be a {kind}, got shape {value.shape}")


def _x(shape: tuple[int, ...]) -> str:
    return "x".join(str(size) for size in shape)


def mm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """The product of two matrices: (n×m)·(m×p) → n×p."""
    _tensors("mm", input, mat2)
    _dims("mm", input, 2, "self")
    _dims("mm", mat2, 2, "mat2")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mm(): mat1 and mat2 shapes cannot be multiplied "
                           f"({_x(input.shape)} and {_x(mat2.shape)})")
    return MatMul.apply(input, mat2)


def mv(input: Tensor, vec: Tensor) -> Tensor:  # noqa: A002
    """The product of a matrix and a vector: (n×m)·(m) → n."""
    _tensors("mv", input, vec)
    _dims("mv", input, 2, "input")
    _dims("mv", vec, 1, "vec")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"mv(): size mismatch, got matrix ({_x(input.shape)}) and vector "
                           f"({vec.shape[0]})")
    return MatMul.apply(input, vec)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """Batched matrix products: (b×n×m)·(b×m×p) → b×n×p, no broadcasting."""
    _tensors("bmm", input, mat2)
    _dims("bmm", input, 3, "batch1")
    _dims("bmm", mat2, 3, "batch2")
    expected = (input.shape[0], input.shape[2])
    if mat2.shape[:2] != expected:
        raise RuntimeError(f"bmm(): expected size for first two dimensions of batch2 tensor to "
                           f"be {list(expected)} but got {list(mat2.shape[:2])} (batch1 has "
                           f"shape {input.shape})")
    return MatMul.apply(input, mat2)


def _fused(op: str, input: Tensor, product: Tensor, beta: Any, alpha: Any) -> Tensor:  # noqa: A002
    """β·input + α·product, input broadcast to the product's shape; β = 0 ignores input
    (its NaN and inf too), as in PyTorch."""
    shape = tuple(product.shape)
    try:
        fits = tuple(np.broadcast_shapes(tuple(input.shape), shape)) == shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(f"{op}(): input of shape {input.shape} cannot be broadcast to the "
                           f"product's shape {shape}")
    scaled: Any = product if alpha == 1 else product * alpha
    if beta == 0:
        if not input._requires_grad:
            return scaled  # type: ignore[no-any-return]
        # input still gets its (zero) gradient, as in PyTorch, without its NaN or inf
        zeros = FillWhere.apply(input, np.ones(shape, dtype=bool), 0)
        return scaled + zeros  # type: ignore[no-any-return]
    result: Any = (input if beta == 1 else input * beta) + scaled
    return result  # type: ignore[no-any-return]


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,  # noqa: A002
          alpha: Any = 1) -> Tensor:
    """β·input + α·(mat1·mat2), input broadcast to the product's shape."""
    _tensors("addmm", input, mat1, mat2)
    return _fused("addmm", input, mm(mat1, mat2), beta, alpha)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1,  # noqa: A002
          alpha: Any = 1) -> Tensor:
    """β·input + α·(mat·vec)."""
    _tensors("addmv", input, mat, vec)
    return _fused("addmv", input, mv(mat, vec), beta, alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,  # noqa: A002
            alpha: Any = 1) -> Tensor:
    """β·input + α·bmm(batch1, batch2)."""
    _tensors("baddbmm", input, batch1, batch2)
    return _fused("baddbmm", input, bmm(batch1, batch2), beta, alpha)


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,  # noqa: A002
           alpha: Any = 1) -> Tensor:
    """β·input + α·Σ_b batch1[b]·batch2[b] (the batch summed away)."""
    _tensors("addbmm", input, batch1, batch2)
    return _fused("addbmm", input, bmm(batch1, batch2).sum(0), beta, alpha)


def addmm_(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,  # noqa: A002
           alpha: Any = 1) -> Tensor:
    """In place: `addmm` (input must have the product's shape)."""
    return in_place(input, "addmm_", lambda: addmm(input, mat1, mat2, beta=beta, alpha=alpha),
                    mat1, mat2)


def addmv_(input: Tensor, mat: Tensor, vec: Tensor, *, beta: Any = 1,  # noqa: A002
           alpha: Any = 1) -> Tensor:
    """In place: `addmv`."""
    return in_place(input, "addmv_", lambda: addmv(input, mat, vec, beta=beta, alpha=alpha),
                    mat, vec)


def baddbmm_(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,  # noqa: A002
             alpha: Any = 1) -> Tensor:
    """In place: `baddbmm`."""
    return in_place(input, "baddbmm_", lambda: baddbmm(input, batch1, batch2, beta=beta,
                                                       alpha=alpha), batch1, batch2)


def addbmm_(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Any = 1,  # noqa: A002
            alpha: Any = 1) -> Tensor:
    """In place: `addbmm`."""
    return in_place(input, "addbmm_", lambda: addbmm(input, batch1, batch2, beta=beta,
                                                     alpha=alpha), batch1, batch2)
