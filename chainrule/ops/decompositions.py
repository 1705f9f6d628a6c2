"""The singular value decomposition, `cr.svd` and `cr.linalg.svd`, with its gradient.

The three factors come from one gate, `Svd`, whose output packs U, S and V along the last
axis; the fronts slice them out with recorded views, so the gradients of whichever factors
a program uses reach `Svd.backward` as one packed gradient (zeros for the unused ones).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import return_types
from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from ..engine.grad_mode import state
from . import _dual
from .dispatch import as_floating

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["Svd", "svd", "linalg_svd"]


class Svd(Gate):
    """A = U·diag(S)·Vᵀ (reduced: k = min(m, n) columns), packed as [U | S | V] on the last
    axis. With gU, gS, gV the gradients of the factors, the rule (PyTorch's svd_backward,
    real case) is, with Ω = skew(UᵀgU), Ψ = skew(VᵀgV), skew(X) = X − Xᵀ,
    E_ij = S_j² − S_i² (1 on the diagonal):
        R = (Ω·S_j + S_i·Ψ) / E + diag(gS),
        gA = U R Vᵀ + (I − UUᵀ) gU S⁻¹ Vᵀ + U S⁻¹ gVᵀ (I − VVᵀ).
    Repeated or zero singular values make it undefined, as in PyTorch."""

    __slots__ = ("factors",)
    label = "svd"

    def __init__(self) -> None:
        super().__init__()
        self.factors: tuple[Array, Array, Array] | None = None

    @staticmethod
    def forward(ctx: Svd, a: Array) -> Array:
        u, s, vh = array_module(a).linalg.svd(a, full_matrices=False)
        ctx.factors = (u, s, vh)
        batch = a.shape[:-2]
        v = vh.swapaxes(-1, -2)
        return np.concatenate([u.reshape(*batch, -1), s, v.reshape(*batch, -1)], axis=-1)

    @staticmethod
    def backward(ctx: Svd, grad: Array) -> tuple[Grad]:
        if _dual.is_tensor(grad):
            raise NotImplementedError("svd: the second derivative (create_graph=True) is not "
                                      "implemented; the first derivative is")
        assert ctx.factors is not None
        u, s, vh = ctx.factors
        m, k, n = u.shape[-2], s.shape[-1], vh.shape[-1]
        batch = grad.shape[:-1]
        g_u = grad[..., :m * k].reshape(*batch, m, k)
        g_s = grad[..., m * k:m * k + k]
        g_v = grad[..., m * k + k:].reshape(*batch, n, k)
        v = vh.swapaxes(-1, -2)
        u_t = u.swapaxes(-1, -2)
        omega = u_t @ g_u
        omega = omega - omega.swapaxes(-1, -2)
        psi = vh @ g_v
        psi = psi - psi.swapaxes(-1, -2)
        squares = s * s
        gaps = squares[..., None, :] - squares[..., :, None]
        eye = np.eye(k, dtype=bool)
        gaps = np.where(eye, 1.0, gaps)
        inner = (omega * s[..., None, :] + s[..., :, None] * psi) / gaps
        inner = np.where(eye, 0.0, inner) + eye * g_s[..., None, :]
        g_a = u @ inner @ vh
        if m > k:  # the part of gU outside U's column space
            g_u_scaled = g_u / s[..., None, :]
            g_a = g_a + (g_u_scaled - u @ (u_t @ g_u_scaled)) @ vh
        if n > k:  # the part of gV outside V's column space
            g_v_scaled = g_v / s[..., None, :]
            g_a = g_a + u @ (g_v_scaled - v @ (vh @ g_v_scaled)).swapaxes(-1, -2)
        return (g_a.astype(grad.dtype, copy=False),)


def _factors(op: str, input: Tensor) -> tuple[Tensor, Tensor, Tensor]:  # noqa: A002
    if input.ndim < 2:
        raise RuntimeError(f"{op}: The input tensor A must have at least 2 dimensions, got "
                           f"shape {tuple(input.shape)}")
    x = as_floating(input)
    m, n = x.shape[-2:]
    k = min(m, n)
    packed: Any = Svd.apply(x)
    batch = tuple(x.shape[:-2])
    u = packed[..., :m * k].reshape(*batch, m, k)
    s = packed[..., m * k:m * k + k]
    v = packed[..., m * k + k:].reshape(*batch, n, k)
    return u, s, v


def _complete(op: str, input: Tensor, basis: Tensor) -> Tensor:  # noqa: A002
    """`basis` (…, r, k) completed to a square orthogonal (…, r, r): the full-matrices U or V,
    without a gradient (PyTorch cannot differentiate the completion either)."""
    rows, columns = basis.shape[-2:]
    if rows == columns:
        return basis
    if state.grad_enabled and input.requires_grad:
        raise RuntimeError(f"{op}: the full matrices of a non-square input have no gradient; "
                           "use some=True (full_matrices=False)")
    array = basis._array
    q, _ = np.linalg.qr(np.concatenate(
        [array, np.broadcast_to(np.eye(rows, dtype=array.dtype),
                                (*array.shape[:-2], rows, rows))], axis=-1))
    q = q[..., :rows]
    q[..., :columns] = array  # the given columns stay as they are
    return input._make(q, None)


def svd(input: Tensor, some: bool = True, compute_uv: bool = True) -> Any:  # noqa: A002
    """(U, S, V) with input = U·diag(S)·Vᵀ (`torch.svd`: V, not Vᵀ; reduced unless some=False;
    with compute_uv=False, U and V are zeros, as PyTorch returns them)."""
    u, s, v = _factors("svd", input)
    if not compute_uv:
        return return_types.svd(input._make(np.zeros(u.shape[:-1] + (u.shape[-2],), u._array
                                                     .dtype), None), s.detach(),
                                input._make(np.zeros(v.shape[:-1] + (v.shape[-2],),
                                                     v._array.dtype), None))
    if not some:
        u, v = _complete("svd", input, u), _complete("svd", input, v)
    return return_types.svd(u, s, v)


def linalg_svd(A: Tensor, full_matrices: bool = True) -> Any:  # noqa: N803 - PyTorch's name
    """(U, S, Vh) with A = U·diag(S)·Vh (`torch.linalg.svd`; full matrices by default)."""
    u, s, v = _factors("linalg.svd", A)
    if full_matrices:
        u, v = _complete("linalg.svd", A, u), _complete("linalg.svd", A, v)
    return return_types.linalg_svd(u, s, v.transpose(-2, -1))
