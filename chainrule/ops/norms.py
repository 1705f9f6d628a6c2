"""Norms: the vector p-norms (one gate), the matrix norms built from them and from singular
values, and the fronts `norm`, `linalg.vector_norm`, `linalg.matrix_norm`, `linalg.norm`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._typing import Array, Axes, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from .args import normalize_axes, normalize_dim
from .extremes import amax, amin
from .reduce import kept_shape, restore

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["norm", "vector_norm", "matrix_norm", "linalg_norm", "svdvals", "dist", "cdist",
           "VectorNorm", "SingularValues"]


def _p_norm(x: Array, order: float, axes: Axes, keepdim: bool) -> Array:
    xp = array_module(x)
    size = abs(x)
    if order == math.inf:
        return size.max(axis=axes, keepdims=keepdim)
    if order == -math.inf:
        return size.min(axis=axes, keepdims=keepdim)
    if order == 0:
        return (size != 0).sum(axis=axes, keepdims=keepdim).astype(x.dtype)
    if order == 1:
        return size.sum(axis=axes, keepdims=keepdim)
    if order == 2:
        return xp.sqrt((x * x).sum(axis=axes, keepdims=keepdim))
    return (size ** order).sum(axis=axes, keepdims=keepdim) ** (1.0 / order)


class VectorNorm(Gate):
    """‖x‖_p = (Σ |xᵢ|^p)^(1/p) over `axes` (max |xᵢ| for p = ∞, min for −∞, the count of
    non-zeros for p = 0);  ∂‖x‖_p/∂xᵢ = sign(xᵢ) |xᵢ|^(p−1) / ‖x‖_p^(p−1), which is
    xᵢ/‖x‖ for p = 2 and sign(xᵢ) for p = 1; for ±∞ the ties for the extreme |xᵢ| share it,
    and p = 0 has gradient 0. At ‖x‖ = 0 the gradient is 0, as PyTorch gives."""

    __slots__ = ()
    saves_output = True
    label = "vector_norm"

    @staticmethod
    def forward(ctx: Gate, x: Array, order: float, axes: Axes, keepdim: bool) -> Array:
        out = _p_norm(x, order, axes, keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None, None]:
        x, out = ctx.saved_tensors
        order, axes = ctx.inputs[1], ctx.inputs[2]
        raw, shape = _dual.constant(x), ctx.inputs[0].shape
        upstream = restore(grad, shape, axes)
        if order == 0:
            return upstream * 0, None, None, None
        if order == 1:
            return upstream * np.sign(raw), None, None, None
        norm_raw = _dual.constant(out).reshape(kept_shape(shape, axes))
        if math.isinf(order):
            ties = abs(raw) == norm_raw
            share = (np.sign(raw) * ties / ties.sum(axis=axes, keepdims=True)).astype(raw.dtype)
            return upstream * share, None, None, None
        full_norm = restore(out, shape, axes)
        safe_norm = _dual.where(np.broadcast_to(norm_raw == 0, shape), 1.0, full_norm)
        if order == 2:
            local = x / safe_norm
        else:
            size = _dual.call("abs", x)
            safe_size = _dual.where(raw == 0, 1.0, size)
            local = np.sign(raw) * (safe_size / safe_norm) ** (order - 1)
        return _dual.where(np.broadcast_to(norm_raw == 0, shape), 0.0, upstream * local), \
            None, None, None


class SingularValues(Gate):
    """σ(A), the singular values over the last two dims, largest first;  ∂L/∂A = U diag(g) Vᵀ
    (for distinct singular values). The second derivative is not implemented."""

    __slots__ = ("factors",)
    factors: tuple[Array, Array] | None
    label = "svdvals"

    @staticmethod
    def forward(ctx: SingularValues, a: Array) -> Array:
        u, s, vh = array_module(a).linalg.svd(a, full_matrices=False)
        ctx.factors = (u, vh)
        return s

    @staticmethod
    def backward(ctx: SingularValues, grad: Array) -> tuple[Grad]:
        if _dual.is_tensor(grad):
            raise NotImplementedError("svdvals: the second derivative (create_graph=True) is "
                                      "not implemented; the first derivative is")
        assert ctx.factors is not None
        u, vh = ctx.factors
        return ((u * grad[..., None, :]) @ vh,)


# ---------------------------------------------------------------------- fronts
def _floating(op: str, input: Tensor, dtype: Any) -> Tensor:  # noqa: A002
    source = input if dtype is None else input.to(dtype)
    if source._array.dtype.kind != "f":
        raise RuntimeError(f"{op}: expected a floating-point tensor, got {source.dtype}; "
                           "convert first (e.g. x.float()) or pass dtype=")
    return source


def _order(op: str, ord: Any) -> float:  # noqa: A002
    if isinstance(ord, bool) or not isinstance(ord, (int, float, np.integer, np.floating)):
        raise RuntimeError(f"{op}: ord must be a number (or inf, -inf), got {ord!r}")
    return float(ord)


def vector_norm(x: Tensor, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """‖x‖_ord over `dim` (all elements by default), x treated as a vector: ord is any
    number, inf or -inf (max or min |x|), or 0 (the count of non-zeros)."""
    order = _order("linalg.vector_norm", ord)
    source = _floating("linalg.vector_norm", x, dtype)
    axes = normalize_axes("linalg.vector_norm", dim, x.ndim)
    if axes == () or x.ndim == 0:
        axes = None
    reduced_sizes = x.shape if axes is None else [x.shape[a] for a in axes]
    if (order < 0 or math.isinf(order)) and 0 in reduced_sizes:
        raise RuntimeError(f"linalg.vector_norm: the norm of order {ord} over no elements is "
                           f"not defined (shape {x.shape}, dim {dim})")
    return VectorNorm.apply(source, order, axes, keepdim)


def svdvals(A: Tensor) -> Tensor:  # noqa: N803 - PyTorch's name
    """The singular values of `A` (over its last two dims), largest first."""
    return SingularValues.apply(_floating("linalg.svdvals", A, None))


def matrix_norm(A: Tensor, ord: Any = "fro", dim: Any = (-2, -1),  # noqa: A002,N803
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The matrix norm over the two dims `dim`: 'fro' (√Σ a²), 'nuc' (Σ σ), 1 / -1 (max /
    min column sum of |a|), inf / -inf (max / min row sum), 2 / -2 (largest / smallest σ)."""
    source = _floating("linalg.matrix_norm", A, dtype)
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: the input must have at least 2 dims, got "
                           f"shape {A.shape}")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple of ints, got {dim!r}")
    rows, cols = (normalize_dim("linalg.matrix_norm", d, A.ndim) for d in dim)
    if rows == cols:
        raise RuntimeError(f"linalg.matrix_norm: dim {dim!r} names the same dim twice")
    if ord == "fro":
        return VectorNorm.apply(source, 2.0, tuple(sorted((rows, cols))), keepdim)
    if ord in ("nuc", 2, -2):
        others = [d for d in range(A.ndim) if d not in (rows, cols)]
        moved = source.permute(*others, rows, cols)
        values = SingularValues.apply(moved)
        reduced = values.sum(-1) if ord == "nuc" else amax(values, -1) if ord == 2 else \
            amin(values, -1)
        if keepdim:
            for axis in sorted((rows, cols)):
                reduced = reduced.unsqueeze(axis)
        return reduced
    if ord in (1, -1, math.inf, -math.inf):
        summed, picked = (rows, cols) if abs(ord) == 1 else (cols, rows)
        sums = VectorNorm.apply(source, 1.0, (summed,), True)
        extreme = amax if ord > 0 else amin
        result = extreme(sums, picked, keepdim=True)
        return result if keepdim else result.squeeze((rows, cols))
    raise RuntimeError(f"linalg.matrix_norm: order {ord!r} is not supported; expected 'fro', "
                       "'nuc', 1, -1, 2, -2, inf or -inf")


def linalg_norm(A: Tensor, ord: Any = None, dim: Any = None,  # noqa: A002,N803
                keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """A vector norm (dim an int, or a 1-d input) or a matrix norm (dim a pair, or a 2-d
    input); with neither ord nor dim, the 2-norm of all elements."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None and ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if dim is None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: with ord={ord!r} and no dim the input must be "
                               f"1-d or 2-d, got shape {A.shape}")
        dim = tuple(range(A.ndim))
    if len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.norm: order {ord!r} is a matrix norm; it needs 2 dims")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False,  # noqa: A002
         dtype: Any = None) -> Tensor:
    """The norm of `input` (PyTorch's `torch.norm`): a number p gives the vector p-norm over
    `dim` (all elements by default), 'fro' the 2-norm, 'nuc' the nuclear norm of a matrix."""
    if p == "nuc":
        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim,
                           dtype=dtype)
    if p is None or p == "fro":
        return vector_norm(input, 2, dim, keepdim, dtype=dtype)
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


def dist(input: Tensor, other: Any, p: Any = 2) -> Tensor:  # noqa: A002
    """‖input − other‖_p over all elements (the two broadcast)."""
    return vector_norm(input - other, p)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """The p-norm distance between each row of `x1` (…, P, M) and each row of `x2`
    (…, R, M): a (…, P, R) tensor. `compute_mode` is accepted and ignored (the distances
    are always taken directly, never through a matrix product)."""
    for name, points in (("x1", x1), ("x2", x2)):
        if points._array.dtype.kind != "f":
            raise RuntimeError(f"cdist: expected floating-point tensors, {name} is "
                               f"{points.dtype}")
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist: x1 and x2 must have at least 2 dims, got shapes "
                           f"{x1.shape} and {x2.shape}")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"cdist: x1 and x2 must have the same number of columns, got "
                           f"{x1.shape[-1]} and {x2.shape[-1]}")
    if isinstance(p, bool) or not isinstance(p, (int, float)) or p < 0:
        raise RuntimeError(f"cdist: p must be a number >= 0, got {p!r}")
    return vector_norm(x1.unsqueeze(-2) - x2.unsqueeze(-3), p, -1)
