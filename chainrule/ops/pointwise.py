"""More elementwise gates: trigonometric and hyperbolic functions, exponentials and
logarithms in other bases, and reciprocals, each with its derivative.

Every rule is an elementwise product of the upstream gradient with f'(x), written with
operators and `_dual.call`, so that it also runs on tensors under create_graph.
"""

from __future__ import annotations

import math
from typing import Any

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual

__all__ = ["Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh",
           "Atanh", "Exp2", "Expm1", "Log2", "Log10", "Log1p", "Rsqrt", "Reciprocal"]

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _numpy(name: str, x: Array) -> Array:
    return getattr(array_module(x), name)(x)  # type: ignore[no-any-return]


class _OnInput(Gate):
    """A unary gate whose forward is the NumPy function `numpy_name` and whose rule needs x."""

    __slots__ = ()
    numpy_name = ""

    @classmethod
    def forward(cls, ctx: Any, x: Array) -> Array:  # type: ignore[override]
        ctx.save_for_backward(x)
        return _numpy(cls.numpy_name, x)


class _OnOutput(Gate):
    """A unary gate whose forward is `numpy_name` and whose rule needs only the output."""

    __slots__ = ()
    saves_output = True
    numpy_name = ""

    @classmethod
    def forward(cls, ctx: Any, x: Array) -> Array:  # type: ignore[override]
        out = _numpy(cls.numpy_name, x)
        ctx.save_for_backward(out)
        return out


class Sin(_OnInput):
    """f(x) = sin x;  ∂f/∂x = cos x."""

    __slots__ = ()
    label = numpy_name = "sin"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad * _dual.call("cos", x)


class Cos(_OnInput):
    """f(x) = cos x;  ∂f/∂x = −sin x."""

    __slots__ = ()
    label = numpy_name = "cos"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return -grad * _dual.call("sin", x)


class Tan(_OnOutput):
    """f(x) = tan x;  ∂f/∂x = 1 + tan²x, from the output."""

    __slots__ = ()
    label = numpy_name = "tan"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (out,) = ctx.saved_tensors
        return grad * (1 + out * out)


class Asin(_OnInput):
    """f(x) = arcsin x;  ∂f/∂x = 1/√(1 − x²)."""

    __slots__ = ()
    label, numpy_name = "asin", "arcsin"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad / _dual.call("sqrt", 1 - x * x)


class Acos(_OnInput):
    """f(x) = arccos x;  ∂f/∂x = −1/√(1 − x²)."""

    __slots__ = ()
    label, numpy_name = "acos", "arccos"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return -grad / _dual.call("sqrt", 1 - x * x)


class Atan(_OnInput):
    """f(x) = arctan x;  ∂f/∂x = 1/(1 + x²)."""

    __slots__ = ()
    label, numpy_name = "atan", "arctan"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad / (1 + x * x)


class Sinh(_OnInput):
    """f(x) = sinh x;  ∂f/∂x = cosh x."""

    __slots__ = ()
    label = numpy_name = "sinh"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad * _dual.call("cosh", x)


class Cosh(_OnInput):
    """f(x) = cosh x;  ∂f/∂x = sinh x."""

    __slots__ = ()
    label = numpy_name = "cosh"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad * _dual.call("sinh", x)


class Asinh(_OnInput):
    """f(x) = arsinh x;  ∂f/∂x = 1/√(x² + 1)."""

    __slots__ = ()
    label, numpy_name = "asinh", "arcsinh"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad / _dual.call("sqrt", x * x + 1)


class Acosh(_OnInput):
    """f(x) = arcosh x;  ∂f/∂x = 1/√(x² − 1)."""

    __slots__ = ()
    label, numpy_name = "acosh", "arccosh"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad / _dual.call("sqrt", x * x - 1)


class Atanh(_OnInput):
    """f(x) = artanh x;  ∂f/∂x = 1/(1 − x²)."""

    __slots__ = ()
    label, numpy_name = "atanh", "arctanh"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x)


class Exp2(_OnOutput):
    """f(x) = 2ˣ;  ∂f/∂x = 2ˣ ln 2."""

    __slots__ = ()
    label = numpy_name = "exp2"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (out,) = ctx.saved_tensors
        return grad * out * _LN2


class Expm1(_OnOutput):
    """f(x) = eˣ − 1;  ∂f/∂x = eˣ = f(x) + 1."""

    __slots__ = ()
    label = numpy_name = "expm1"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (out,) = ctx.saved_tensors
        return grad * (out + 1)


class Log2(_OnInput):
    """f(x) = log₂ x;  ∂f/∂x = 1/(x ln 2)."""

    __slots__ = ()
    label = numpy_name = "log2"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad / (x * _LN2)


class Log10(_OnInput):
    """f(x) = log₁₀ x;  ∂f/∂x = 1/(x ln 10)."""

    __slots__ = ()
    label = numpy_name = "log10"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad / (x * _LN10)


class Log1p(_OnInput):
    """f(x) = ln(1 + x);  ∂f/∂x = 1/(1 + x)."""

    __slots__ = ()
    label = numpy_name = "log1p"

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad / (1 + x)


class Rsqrt(_OnOutput):
    """f(x) = 1/√x;  ∂f/∂x = −½ x^(−3/2) = −½ f(x)³."""

    __slots__ = ()
    label = "rsqrt"

    @classmethod
    def forward(cls, ctx: Any, x: Array) -> Array:  # type: ignore[override]
        out = 1 / array_module(x).sqrt(x)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (out,) = ctx.saved_tensors
        return grad * (-0.5 * out * out * out)


class Reciprocal(_OnOutput):
    """f(x) = 1/x;  ∂f/∂x = −1/x² = −f(x)²."""

    __slots__ = ()
    label = "reciprocal"

    @classmethod
    def forward(cls, ctx: Any, x: Array) -> Array:  # type: ignore[override]
        out = 1 / x
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (out,) = ctx.saved_tensors
        return -grad * out * out
