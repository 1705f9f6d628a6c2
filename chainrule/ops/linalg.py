"""Matrix products, in every case NumPy's `matmul` has.

For C = A·B the local rules are ∂L/∂A = ∂L/∂C · Bᵀ and ∂L/∂B = Aᵀ · ∂L/∂C: the vectorised
form of the CS224n notes (∇W = δ aᵀ). Vectors are treated as a row (left operand) or a column
(right operand), and broadcast batch dimensions are summed back by `unbroadcast`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from ..engine.variable import Variable
from . import _dual
from ._broadcast import unbroadcast

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["MatMul", "matmul", "dot", "outer", "einsum"]


class MatMul(Gate):
    """f(A, B) = A·B;  ∂L/∂A = G·Bᵀ, ∂L/∂B = Aᵀ·G."""

    __slots__ = ()
    label = "matmul"

    @staticmethod
    def forward(ctx: Gate, a: Array, b: Array) -> Array:
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
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad]:
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


# ---------------------------------------------------------------------- fronts
def _operand(input: Tensor, other: Any) -> Any:
    """`other` as a tensor like `input` (arrays and lists become constants)."""
    if isinstance(other, Variable):
        return other
    if isinstance(other, (list, tuple)) or hasattr(other, "shape"):
        return input._make(array_module(input._array).asarray(other), None)
    raise TypeError(f"matmul: expected a Tensor, got {type(other).__name__}")


def matmul(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """The matrix product, with NumPy's rules for vectors and batches."""
    return MatMul.apply(input, _operand(input, other))


def rmatmul(input: Tensor, other: Any) -> Tensor:
    """other @ input, for an `other` that is no tensor."""
    return MatMul.apply(_operand(input, other), input)


def dot(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """The inner product of two 1-D tensors."""
    if input.ndim != 1 or other.ndim != 1:
        raise ValueError(f"dot: expects two 1-D tensors, got shapes {input.shape} and "
                         f"{other.shape}")
    if input.shape != other.shape:
        raise ValueError(f"dot: the tensors must have the same number of elements, got "
                         f"{input.shape[0]} and {other.shape[0]}")
    return matmul(input, other)


def outer(input: Tensor, vec2: Any) -> Tensor:  # noqa: A002
    """The outer product of two 1-D tensors."""
    for name, value in (("self", input), ("vec2", vec2)):
        if getattr(value, "ndim", None) != 1:
            raise RuntimeError(f"outer: expected a 1-D argument {name}, got shape "
                               f"{getattr(value, 'shape', type(value).__name__)}")
    return input.unsqueeze(1) * vec2.unsqueeze(0)


def einsum(equation: str, *operands: Any) -> Any:
    """Einstein summation, built from the recorded gates (permute, broadcasting multiply,
    sum), so its gradient needs no rule of its own. Supports explicit or implicit output,
    without ellipsis."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    spec = equation.replace(" ", "")
    if "..." in spec:
        raise NotImplementedError("einsum: '...' (ellipsis) is not supported yet")
    inputs_spec, _, output_spec = spec.partition("->")
    terms = inputs_spec.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum: the equation names {len(terms)} operands but "
                         f"{len(operands)} were given")
    if "->" not in spec:
        letters = "".join(terms)
        output_spec = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    everything = sorted(set("".join(terms)) | set(output_spec))
    order = list(output_spec) + [c for c in everything if c not in output_spec]
    sizes: dict[str, int] = {}
    product = None
    for term, operand in zip(terms, operands):
        _check_term(term, operand, sizes)
        present = [c for c in order if c in term]
        aligned = operand.permute(*[term.index(c) for c in present])
        aligned = aligned.reshape(tuple(sizes[c] if c in term else 1 for c in order))
        product = aligned if product is None else product * aligned
    assert product is not None
    summed = tuple(range(len(output_spec), len(order)))
    return product.sum(dim=summed) if summed else product


def _check_term(term: str, operand: Any, sizes: dict[str, int]) -> None:
    if not isinstance(operand, Variable):
        raise TypeError(f"einsum: operands must be tensors, got {type(operand).__name__}")
    if len(term) != len(operand.shape):
        raise ValueError(f"einsum: term '{term}' has {len(term)} letters but its operand "
                         f"has {len(operand.shape)} dimensions")
    for letter, size in zip(term, operand.shape):
        if sizes.setdefault(letter, size) != size and size != 1:
            raise ValueError(f"einsum: letter '{letter}' has sizes {sizes[letter]} and "
                             f"{size}")
    # Repeated letters in one term (a diagonal) are not supported by this construction.
    if len(set(term)) != len(term):
        raise NotImplementedError("einsum: a letter repeated within one operand "
                                  "(a diagonal) is not supported yet")
