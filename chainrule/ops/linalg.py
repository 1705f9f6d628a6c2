"""Matrix products, in every case NumPy's `matmul` has.

For C = A·B the local rules are ∂L/∂A = ∂L/∂C · Bᵀ and ∂L/∂B = Aᵀ · ∂L/∂C: the vectorised
form of the CS224n notes (∇W = δ aᵀ). Vectors are treated as a row (left operand) or a column
(right operand), and broadcast batch dimensions are summed back by `unbroadcast`.
"""

from __future__ import annotations

from typing import Any

from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from ._broadcast import unbroadcast

__all__ = ["MatMul"]


class MatMul(Gate):
    """f(A, B) = A·B;  ∂L/∂A = G·Bᵀ, ∂L/∂B = Aᵀ·G."""

    __slots__ = ()
    label = "matmul"

    @staticmethod
    def forward(ctx: Any, a: Any, b: Any) -> Any:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: both arguments need at least 1 dimension, got shapes "
                             f"{tuple(a.shape)} and {tuple(b.shape)}")
        if a.dtype != b.dtype:
            raise TypeError(f"matmul: dtypes {a.dtype} and {b.dtype} differ; chainrule does not "
                            "mix them silently: cast one side first (e.g. .double() or .float())")
        ctx.save_for_backward(a, b)
        try:
            return array_module(a).matmul(a, b)
        except ValueError:
            raise ValueError(_misaligned(a.shape, b.shape)) from None

    @staticmethod
    def backward(ctx: Any, grad: Any) -> tuple[Any, Any]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, without reshapes
            return (grad @ _dual.swap_last_axes(b) if need_a else None,
                    _dual.swap_last_axes(a) @ grad if need_b else None)
        # Vectors become a 1×k row (left) or a k×1 column (right); the gradient follows.
        a2 = a.reshape((1,) + tuple(a.shape)) if a.ndim == 1 else a
        b2 = b.reshape(tuple(b.shape) + (1,)) if b.ndim == 1 else b
        g2 = grad
        if a.ndim == 1:
            g2 = g2.reshape(tuple(g2.shape[:-1]) + (1,) + tuple(g2.shape[-1:])) \
                if b.ndim != 1 else g2.reshape((1,))
        if b.ndim == 1:
            g2 = g2.reshape(tuple(g2.shape) + (1,))
        grad_a = grad_b = None
        if need_a:
            grad_a = unbroadcast(g2 @ _dual.swap_last_axes(b2), tuple(a2.shape))
            grad_a = grad_a.reshape(tuple(a.shape)) if a.ndim == 1 else grad_a
        if need_b:
            grad_b = unbroadcast(_dual.swap_last_axes(a2) @ g2, tuple(b2.shape))
            grad_b = grad_b.reshape(tuple(b.shape)) if b.ndim == 1 else grad_b
        return grad_a, grad_b


def _misaligned(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> str:
    inner_a = shape_a[-1]
    inner_b = shape_b[0] if len(shape_b) == 1 else shape_b[-2]
    if inner_a != inner_b:
        return (f"matmul: shapes {tuple(shape_a)} and {tuple(shape_b)} do not align: "
                f"{inner_a} != {inner_b}")
    return (f"matmul: the batch dimensions of shapes {tuple(shape_a)} and {tuple(shape_b)} "
            f"cannot be broadcast together")
