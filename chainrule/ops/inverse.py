"""Square systems: `linalg.inv`, `linalg.det` and `linalg.solve`, over the last two dims
(leading dims are a batch), with their gradients.

Each rule is written with `@`, the transpose and the gates themselves, so it also runs on
tensors under `create_graph=True` and is differentiable again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import return_types
from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from ._broadcast import unbroadcast
from .dispatch import where

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["inv", "linalg_det", "solve", "inverse", "det", "slogdet", "linalg_slogdet",
           "logdet", "Inverse", "Determinant", "Solve", "LogAbsDet"]


def _checked(op: str, array: Array) -> None:
    if array.ndim < 2 or array.shape[-1] != array.shape[-2]:
        raise RuntimeError(f"linalg.{op}: expected square matrices in the last two dims, got "
                           f"shape {tuple(array.shape)}")


def _inverse(op: str, a: Array) -> Array:
    xp = array_module(a)
    try:
        return xp.linalg.inv(a)
    except xp.linalg.LinAlgError:
        raise RuntimeError(f"linalg.{op}: the matrix is singular (not invertible)") from None


class Inverse(Gate):
    """Y = A⁻¹;  ∂L/∂A = −Yᵀ G Yᵀ."""

    __slots__ = ()
    saves_output = True
    label = "inv"

    @staticmethod
    def forward(ctx: Gate, a: Array) -> Array:
        out = _inverse("inv", a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad]:
        (out,) = ctx.saved_tensors
        transposed = _dual.swap_last_axes(out)
        return (-(transposed @ grad @ transposed),)


class Determinant(Gate):
    """d = det A;  ∂L/∂A = g · d · A⁻ᵀ (A invertible)."""

    __slots__ = ()
    saves_output = True
    label = "det"

    @staticmethod
    def forward(ctx: Gate, a: Array) -> Array:
        out = array_module(a).linalg.det(a)
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad]:
        a, out = ctx.saved_tensors
        if _dual.is_tensor(grad):
            inverse_t = _dual.swap_last_axes(Inverse.apply(a))
            scale = (grad * out).unsqueeze(-1).unsqueeze(-1)
        else:
            inverse_t = _inverse("det", a).swapaxes(-1, -2)
            scale = (grad * out)[..., None, None]
        return (scale * inverse_t,)


class LogAbsDet(Gate):
    """f(A) = log |det A|;  ∂L/∂A = g · A⁻ᵀ (A invertible)."""

    __slots__ = ()
    label = "logabsdet"

    @staticmethod
    def forward(ctx: Gate, a: Array) -> Array:
        _, logabs = array_module(a).linalg.slogdet(a)
        ctx.save_for_backward(a)
        return logabs

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad]:
        (a,) = ctx.saved_tensors
        if _dual.is_tensor(grad):
            recorded: Any = grad
            return (recorded.unsqueeze(-1).unsqueeze(-1) *
                    _dual.swap_last_axes(Inverse.apply(a)),)
        return (grad[..., None, None] * _inverse("slogdet", a).swapaxes(-1, -2),)


class Solve(Gate):
    """X = A⁻¹ B (B a batch of matrices);  ∂L/∂B = A⁻ᵀ G,  ∂L/∂A = −(∂L/∂B) Xᵀ; batch dims
    broadcast, and their broadcasting is undone by `unbroadcast`."""

    __slots__ = ()
    saves_output = True
    label = "solve"

    @staticmethod
    def forward(ctx: Gate, a: Array, b: Array) -> Array:
        xp = array_module(a)
        try:
            out = xp.linalg.solve(a, b)
        except xp.linalg.LinAlgError:
            raise RuntimeError("linalg.solve: the matrix A is singular (not invertible)") \
                from None
        ctx.save_for_backward(a, out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad]:
        a, out = ctx.saved_tensors
        a_shape, b_shape = ctx.inputs[0].shape, ctx.inputs[1].shape
        if _dual.is_tensor(grad):
            grad_b = Solve.apply(_dual.swap_last_axes(a), grad)
        else:
            grad_b = array_module(grad).linalg.solve(a.swapaxes(-1, -2), grad)
        grad_a = -(grad_b @ _dual.swap_last_axes(out)) if ctx.needs_input_grad[0] else None
        return (None if grad_a is None else unbroadcast(grad_a, a_shape),
                unbroadcast(grad_b, b_shape) if ctx.needs_input_grad[1] else None)


def _floating(op: str, tensor: Tensor) -> Tensor:
    if tensor._array.dtype.kind != "f":
        raise RuntimeError(f"linalg.{op}: expected a floating-point tensor, got "
                           f"{tensor.dtype}; convert first (e.g. A.double())")
    _checked(op, tensor._array)
    return tensor


def inv(A: Tensor) -> Tensor:  # noqa: N803 - PyTorch's name
    """The inverse of a square matrix (or of each in a batch); RuntimeError if singular."""
    return Inverse.apply(_floating("inv", A))


def linalg_det(A: Tensor) -> Tensor:  # noqa: N803 - PyTorch's name
    """The determinant of a square matrix (or of each in a batch)."""
    return Determinant.apply(_floating("det", A))


def det(input: Tensor) -> Tensor:  # noqa: A002
    """The determinant of a square matrix (or of each in a batch): `torch.det`."""
    return Determinant.apply(_floating("det", input))


def inverse(input: Tensor) -> Tensor:  # noqa: A002
    """The inverse of a square matrix (or of each in a batch): `torch.inverse`."""
    return Inverse.apply(_floating("inv", input))


def solve(A: Tensor, B: Any, *, left: bool = True) -> Tensor:  # noqa: N803 - PyTorch's names
    """X with A X = B: B a matrix (…, n, k) or a vector (…, n) (a vector when it has one dim
    fewer than A and matches A's leading shape, as PyTorch decides)."""
    if not left:
        raise NotImplementedError("linalg.solve: left=False is not implemented; solve the "
                                  "transposed system instead")
    _floating("solve", A)
    if not hasattr(B, "_array") or B.ndim == 0:
        raise RuntimeError(f"linalg.solve: B must be a tensor with at least 1 dim, got {B!r}")
    if B._array.dtype != A._array.dtype:
        raise RuntimeError(f"linalg.solve: A and B must have the same dtype, got {A.dtype} "
                           f"and {B.dtype}")
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))
    if (B.shape[-2] if not vector and B.ndim >= 2 else B.shape[-1]) != A.shape[-1]:
        raise RuntimeError(f"linalg.solve: A of shape {tuple(A.shape)} and B of shape "
                           f"{tuple(B.shape)} do not match: B needs {A.shape[-1]} rows")
    if vector:
        return Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return Solve.apply(A, B)


def _signed_log(op: str, A: Tensor) -> tuple[Tensor, Tensor]:  # noqa: N803
    source = _floating(op, A)
    sign, _ = np.linalg.slogdet(source._array)
    return source._make(np.asarray(sign, dtype=source._array.dtype), None), \
        LogAbsDet.apply(source)


def slogdet(input: Tensor) -> Any:  # noqa: A002
    """The named pair (sign, logabsdet) of det(input): sign ±1 (0 if singular) and
    log |det| (differentiable); `torch.slogdet`."""
    return return_types.slogdet(*_signed_log("slogdet", input))


def linalg_slogdet(A: Tensor) -> Any:  # noqa: N803 - PyTorch's name
    """The named pair (sign, logabsdet) of det(A), as `torch.linalg.slogdet`."""
    return return_types.linalg_slogdet(*_signed_log("slogdet", A))


def logdet(input: Tensor) -> Tensor:  # noqa: A002
    """log det(input): NaN where the determinant is negative, −inf where it is 0."""
    sign, logabs = _signed_log("logdet", input)
    if bool((sign._array < 0).any()):
        return where(sign._array >= 0, logabs, float("nan"))
    return logabs
