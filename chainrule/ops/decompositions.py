"""Singular value decomposition: `torch.svd` (U, S, V), `torch.linalg.svd` (U, S, Vh) and
`Tensor.svd`, over the last two dims (leading dims are a batch), with PyTorch's gradient.

The front computes the factors once; each returned factor is its own node (`SVDFactor`, one
per output) that keeps them. The SVD's backward is linear in (ḡU, ḡS, ḡVh), so the three
nodes' rules sum to PyTorch's one `svd_backward`. Only the first k = min(m, n) singular
vectors get a gradient (for full_matrices=True the others are not unique), as in PyTorch.
The rules work on arrays only: a second derivative (create_graph=True) raises.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import return_types
from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from ..engine.variable import Variable
from . import _dual
from .factorizations import scalar_type_name

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["SVDFactor", "svd", "linalg_svd", "svd_factors"]


def svd_factors(a: Array, full_matrices: bool = False) -> tuple[Array, Array, Array]:
    """NumPy's (U, S, Vh) of a batch of matrices, with linalg.svd's error when it fails."""
    xp = array_module(a)
    try:
        u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
    except xp.linalg.LinAlgError:
        raise RuntimeError("linalg.svd: The algorithm failed to converge because the input "
                           "matrix is ill-conditioned or has too many repeated singular "
                           "values") from None
    return u, s, vh


def _skew_over_gaps(product: Array, s: Array) -> Array:
    """(X − Xᵀ) ∘ F with F_ij = 1/(s_j² − s_i²) off the diagonal (the diagonal of X − Xᵀ is
    0, so the diagonal of the gaps is set to 1 to keep it finite)."""
    xp = array_module(s)
    squares = s * s
    gaps = squares[..., None, :] - squares[..., :, None]
    k = s.shape[-1]
    gaps = gaps + xp.eye(k, dtype=s.dtype)
    return (product - product.swapaxes(-1, -2)) / gaps  # type: ignore[no-any-return]


class SVDFactor(Gate):
    """One factor of A = U diag(S) Vh (`part` is "U", "S" or "Vh"); with U, V of the first
    k = min(m, n) singular vectors, E_ij = s_j² − s_i² and skew(X) = X − Xᵀ:
    - S:  ∂L/∂A = U diag(ḡS) Vh;
    - U:  ∂L/∂A = U [(skew(Uᵀ ḡU) / E) S] Vh + (I − UUᵀ) ḡU S⁻¹ Vh;
    - Vh: ∂L/∂A = U [S (skew(Vᵀ ḡV) / E)] Vh + U S⁻¹ ḡVᵀ (I − VVᵀ),  ḡV = ḡVhᵀ
    (Townsend 2016; PyTorch's `svd_backward`). The last terms vanish for square A."""

    __slots__ = ("factors",)
    factors: tuple[Array, Array, Array]
    label = "linalg_svd"

    @staticmethod
    def forward(ctx: SVDFactor, a: Array, factors: tuple[Array, Array, Array],
                part: str) -> Array:
        u, s, vh = factors
        k = s.shape[-1]
        ctx.factors = (u[..., :, :k], s, vh[..., :k, :])
        return {"U": u, "S": s, "Vh": vh}[part].copy()

    @staticmethod
    def backward(ctx: SVDFactor, grad: Array) -> tuple[Grad, None, None]:
        if _dual.is_tensor(grad):
            raise NotImplementedError("svd: the second derivative (create_graph=True) is not "
                                      "implemented; the first derivative is")
        u, s, vh = ctx.factors
        k = s.shape[-1]
        part = ctx.inputs[2]
        if part == "S":
            return (u * grad[..., None, :]) @ vh, None, None
        if part == "U":
            grad_u = grad[..., :, :k]
            inner = _skew_over_gaps(u.swapaxes(-1, -2) @ grad_u, s) * s[..., None, :]
            result = u @ inner @ vh
            if u.shape[-2] > k:  # the part of ḡU outside the span of U
                outside = grad_u - u @ (u.swapaxes(-1, -2) @ grad_u)
                result = result + (outside / s[..., None, :]) @ vh
            return result, None, None
        grad_vh = grad[..., :k, :]
        inner = s[..., :, None] * _skew_over_gaps(vh @ grad_vh.swapaxes(-1, -2), s)
        result = u @ inner @ vh
        if vh.shape[-1] > k:  # the part of ḡVh outside the span of Vh
            outside = grad_vh - (grad_vh @ vh.swapaxes(-1, -2)) @ vh
            result = result + u @ (outside / s[..., :, None])
        return result, None, None


def _checked(op: str, A: Tensor, old_front: bool = False) -> None:  # noqa: N803
    if not isinstance(A, Variable):
        raise TypeError(f"{op}(): argument 'A' must be Tensor, not {type(A).__name__}")
    if A.ndim < 2 and old_front:  # torch.svd words it differently from linalg.svd
        raise RuntimeError(f"{op}: input should have at least 2 dimensions, but has {A.ndim} "
                           "dimensions instead")
    if A.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions.")
    if A._array.dtype.kind != "f":
        raise RuntimeError(f"{op}: Expected a floating point or complex tensor as input. Got "
                           f"{scalar_type_name(A._array.dtype)}")


def _parts(A: Tensor, full_matrices: bool) -> tuple[Tensor, Tensor, Tensor]:  # noqa: N803
    factors = svd_factors(A._array, full_matrices)
    return (SVDFactor.apply(A, factors, "U"), SVDFactor.apply(A, factors, "S"),
            SVDFactor.apply(A, factors, "Vh"))


def linalg_svd(A: Tensor, full_matrices: bool = True, *,  # noqa: N803 - PyTorch's name
               driver: str | None = None) -> Any:
    """`torch.linalg.svd`: (U, S, Vh) with A = U diag(S) Vh, S descending; U is m×m and Vh
    n×n unless full_matrices=False (then m×k and k×n, k = min(m, n)). `driver` is accepted
    for PyTorch's signature (it only chooses a CUDA algorithm)."""
    _checked("linalg.svd", A)
    return return_types.linalg_svd(*_parts(A, full_matrices))


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:  # noqa: A002
    """`torch.svd`: (U, S, V) with input = U diag(S) Vᵀ (V, not Vh); reduced unless
    some=False; with compute_uv=False, U and V are zero-filled m×m and n×n, as PyTorch.

        >>> import chainrule as cr
        >>> cr.svd(cr.tensor([[3.0, 0.0], [0.0, -2.0]])).S.tolist()
        [3.0, 2.0]
    """
    _checked("linalg.svd", input, old_front=True)
    if not compute_uv:
        xp = array_module(input._array)
        batch, (m, n) = tuple(input.shape[:-2]), tuple(input.shape[-2:])
        values = SVDFactor.apply(input, svd_factors(input._array), "S")
        dtype = input._array.dtype
        return return_types.svd(input._make(xp.zeros(batch + (m, m), dtype), None), values,
                                input._make(xp.zeros(batch + (n, n), dtype), None))
    u, s, vh = _parts(input, not some)
    return return_types.svd(u, s, vh.transpose(-1, -2))
