"""Elementwise gates with two inputs (atan2, hypot, fmod, remainder, xlogy), the rounding
family, erfc, erfinv and logit, and their fronts (clamp_min, lerp, addcmul, nan_to_num, …).

Rounding is flat almost everywhere, so its gradient is 0, as in PyTorch; `frac` passes the
gradient through.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from ._broadcast import unbroadcast
from .activation import erf
from .dispatch import as_floating, clamp

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["Atan2", "Hypot", "Fmod", "Remainder", "Xlogy", "Floor",
           "Ceil", "Trunc", "Frac", "Erfc", "Erfinv", "Logit", "NanToNum",
           "clamp_min", "clamp_max", "lerp", "addcmul", "addcdiv", "logit", "nan_to_num", "isinf",
           "round", "erfc", "erfinv"]

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _shape(ctx: Gate, index: int) -> tuple[int, ...]:
    return ctx.inputs[index]._array.shape  # type: ignore[no-any-return]


class Atan2(Gate):
    """f(a, b) = atan2(a, b);  ∂f/∂a = b/(a² + b²), ∂f/∂b = −a/(a² + b²)."""

    __slots__ = ()
    label = "atan2"

    @staticmethod
    def forward(ctx: Gate, a: Array, b: Array) -> Array:
        ctx.save_for_backward(a, b)
        return array_module(a).arctan2(a, b)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        scale = grad / (a * a + b * b)
        return (unbroadcast(scale * b, _shape(ctx, 0)) if need_a else None,
                unbroadcast(-scale * a, _shape(ctx, 1)) if need_b else None)


class Hypot(Gate):
    """f(a, b) = √(a² + b²);  ∂f/∂a = a/f, ∂f/∂b = b/f."""

    __slots__ = ()
    saves_output = True
    label = "hypot"

    @staticmethod
    def forward(ctx: Gate, a: Array, b: Array) -> Array:
        out = array_module(a).hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad]:
        a, b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        scale = grad / out
        return (unbroadcast(scale * a, _shape(ctx, 0)) if need_a else None,
                unbroadcast(scale * b, _shape(ctx, 1)) if need_b else None)


class Fmod(Gate):
    """f(a, b) = a − trunc(a/b)·b (C's fmod);  ∂f/∂a = 1, ∂f/∂b = −trunc(a/b)."""

    __slots__ = ()
    label = "fmod"

    @staticmethod
    def forward(ctx: Gate, a: Array, b: Array) -> Array:
        ctx.save_for_backward(a, b)
        return array_module(a).fmod(a, b)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        quotient = np.trunc(_dual.constant(a) / _dual.constant(b))
        return (unbroadcast(grad, _shape(ctx, 0)) if need_a else None,
                unbroadcast(-grad * quotient, _shape(ctx, 1)) if need_b else None)


class Remainder(Gate):
    """f(a, b) = a − floor(a/b)·b (Python's %);  ∂f/∂a = 1, ∂f/∂b = −floor(a/b)."""

    __slots__ = ()
    label = "remainder"

    @staticmethod
    def forward(ctx: Gate, a: Array, b: Array) -> Array:
        ctx.save_for_backward(a, b)
        return array_module(a).remainder(a, b)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad]:
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        quotient = np.floor(_dual.constant(a) / _dual.constant(b))
        return (unbroadcast(grad, _shape(ctx, 0)) if need_a else None,
                unbroadcast(-grad * quotient, _shape(ctx, 1)) if need_b else None)


class Xlogy(Gate):
    """f(x, y) = x·ln y, 0 where x = 0;  ∂f/∂x = ln y (0 where x = 0), ∂f/∂y = x/y."""

    __slots__ = ()
    label = "xlogy"

    @staticmethod
    def forward(ctx: Gate, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        xp = array_module(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.where(x == 0, xp.zeros_like(x * y), x * xp.log(y))  # type: ignore

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad]:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        zero = _dual.constant(x) == 0
        grad_x = grad_y = None
        if need_x:
            safe_y = _dual.where(zero, 1, y)
            grad_x = unbroadcast(_dual.where(zero, 0, grad * _dual.log(safe_y)), _shape(ctx, 0))
        if need_y:
            grad_y = unbroadcast(grad * x / y, _shape(ctx, 1))
        return grad_x, grad_y


class _Flat(Gate):
    """A rounding gate: its gradient is 0 everywhere (flat between the steps)."""

    __slots__ = ()
    numpy_name = ""

    @classmethod
    def forward(cls, ctx: Any, x: Array) -> Array:  # type: ignore[override]
        return getattr(array_module(x), cls.numpy_name)(x)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        return grad * 0


class Floor(_Flat):
    """f(x) = ⌊x⌋;  ∂f/∂x = 0."""

    __slots__ = ()
    label = numpy_name = "floor"


class Ceil(_Flat):
    """f(x) = ⌈x⌉;  ∂f/∂x = 0."""

    __slots__ = ()
    label = numpy_name = "ceil"


class Trunc(_Flat):
    """f(x) = x rounded toward 0;  ∂f/∂x = 0."""

    __slots__ = ()
    label = numpy_name = "trunc"


class Round(Gate):
    """f(x) = x rounded half to even at `decimals` places;  ∂f/∂x = 0."""

    __slots__ = ()
    label = "round"

    @staticmethod
    def forward(ctx: Gate, x: Array, decimals: int) -> Array:
        return array_module(x).round(x, decimals)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        return grad * 0, None


class Frac(Gate):
    """f(x) = x − trunc(x);  ∂f/∂x = 1."""

    __slots__ = ()
    label = "frac"

    @staticmethod
    def forward(ctx: Gate, x: Array) -> Array:
        return x - array_module(x).trunc(x)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        return grad


class Erfc(Gate):
    """f(x) = 1 − erf x;  ∂f/∂x = −(2/√π) e^(−x²)."""

    __slots__ = ()
    label = "erfc"

    @staticmethod
    def forward(ctx: Gate, x: Array) -> Array:
        ctx.save_for_backward(x)
        return erfc(x)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return -grad * _dual.exp(-(x * x)) * _TWO_OVER_SQRT_PI


class Erfinv(Gate):
    """y = erf⁻¹ x (±inf at ±1, NaN outside [−1, 1]);  ∂y/∂x = (√π/2) e^(y²)."""

    __slots__ = ()
    label = "erfinv"
    saves_output = True

    @staticmethod
    def forward(ctx: Gate, x: Array) -> Array:
        y = erfinv(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (y,) = ctx.saved_tensors
        return grad * _dual.exp(y * y) / _TWO_OVER_SQRT_PI


class Logit(Gate):
    """f(x) = ln(x/(1 − x)), x clamped to [ε, 1 − ε] when ε is given;
    ∂f/∂x = 1/(x(1 − x)) (0 outside [ε, 1 − ε], as in PyTorch)."""

    __slots__ = ()
    label = "logit"

    @staticmethod
    def forward(ctx: Gate, x: Array, eps: float | None) -> Array:
        ctx.save_for_backward(x)
        xp = array_module(x)
        z = x if eps is None else xp.clip(x, eps, 1 - eps)
        with np.errstate(divide="ignore", invalid="ignore"):
            return xp.log(z / (1 - z))  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        (x,) = ctx.saved_tensors
        eps = ctx.inputs[1]
        slope = grad / (x * (1 - x))
        if eps is not None:
            raw = _dual.constant(x)
            slope = _dual.where((raw < eps) | (raw > 1 - eps), 0, slope)
        return slope, None


class NanToNum(Gate):
    """NaN, +inf and −inf replaced by numbers;  the gradient passes where x was finite and
    is 0 where a value was replaced."""

    __slots__ = ()
    label = "nan_to_num"

    @staticmethod
    def forward(ctx: Gate, x: Array, nan: float, posinf: float | None,
                neginf: float | None) -> Array:
        return array_module(x).nan_to_num(  # type: ignore[no-any-return]
            x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None, None]:
        raw = _dual.constant(ctx.inputs[0])
        return _dual.where(array_module(raw).isfinite(raw), grad, 0), None, None, None


def erfc(x: Array) -> Array:
    """1 − erf x without the cancellation of the subtraction for large x: for |x| < 2.5 the
    difference in float64 is exact enough; beyond, e^(−x²)/√π times the continued fraction
    that `activation.erf` uses for its tail."""
    xp = array_module(x)
    work = x.astype(xp.float64)
    magnitude = abs(work)
    large = xp.maximum(magnitude, 2.5)
    fraction = large
    for k in range(60, 0, -1):
        fraction = large + (k / 2) / fraction
    tail = xp.exp(-large * large) / (math.sqrt(math.pi) * fraction)  # erfc of |x|
    tail = xp.where(work > 0, tail, 2 - tail)
    result = xp.where(magnitude < 2.5, 1 - erf(work), tail)
    return result.astype(x.dtype, copy=False)  # type: ignore[no-any-return]


def erfinv(x: Array) -> Array:
    """erf⁻¹ x: Giles's single-precision approximation ("Approximating the erfinv function",
    GPU Computing Gems, 2011) as the start, then three Newton steps, which bring it to float64
    accuracy."""
    xp = array_module(x)
    work = x.astype(xp.float64)
    inside = abs(work) < 1
    safe = xp.where(inside, work, 0.0)
    w = -xp.log((1 - safe) * (1 + safe))
    central, tail = w - 2.5, xp.sqrt(xp.maximum(w, 5.0)) - 3.0
    p_central = _polynomial(central, _GILES_CENTRAL)
    p_tail = _polynomial(tail, _GILES_TAIL)
    y = abs(xp.where(w < 5.0, p_central, p_tail) * safe)
    # Beyond |x| = 0.5, Newton on log erfc y = log(1 − |x|), not on erf y = |x|: near |x| = 1
    # erf y rounds to 1 and the step would be noise, while erfc y and 1 − |x| (exact in
    # floating point) keep their digits.
    target = 1 - abs(safe)
    near_one = target < 0.5
    for _ in range(_NEWTON_STEPS):  # on log erfc y, nearly quadratic in y in the tail
        slope = _TWO_OVER_SQRT_PI * xp.exp(-y * y)
        tail_mass = erfc(y)
        tail_step = (xp.log(tail_mass) - xp.log(target)) * tail_mass / slope
        y = y + xp.where(near_one, tail_step, (abs(safe) - erf(y)) / slope)
    y = xp.copysign(y, safe)
    edge = xp.where(abs(work) == 1, xp.copysign(xp.inf, work), xp.nan)
    return xp.where(inside, y, edge).astype(x.dtype, copy=False)  # type: ignore[no-any-return]


# Giles's start is single-precision for |x| < 1 − 1e−7 (two steps would do); nearer to 1 it
# is rougher, and three steps on log erfc reach float64 accuracy there too.
_NEWTON_STEPS = 3


def _polynomial(t: Array, coefficients: tuple[float, ...]) -> Array:
    result = coefficients[0] + 0 * t
    for c in coefficients[1:]:
        result = result * t + c
    return result


_GILES_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06,
                  0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_GILES_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844,
               0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


# ---------------------------------------------------------------------- fronts
def clamp_min(input: Tensor, min: Any) -> Tensor:
    """max(input, min)."""
    return clamp(input, min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:
    """min(input, max)."""
    return clamp(input, max=max)


def lerp(input: Tensor, end: Any, weight: Any) -> Tensor:
    """input + weight·(end − input)."""
    return input + weight * (end - input)


def addcmul(input: Tensor, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """input + value·tensor1·tensor2."""
    return input + value * tensor1 * tensor2


def addcdiv(input: Tensor, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Tensor:
    """input + value·tensor1/tensor2."""
    return input + value * tensor1 / tensor2


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """ln(x/(1 − x)), with x clamped to [eps, 1 − eps] when eps is given."""
    return Logit.apply(as_floating(input), eps)  # type: ignore[no-any-return]


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Tensor:
    """NaN → `nan`, +inf → `posinf`, −inf → `neginf` (the dtype's extremes by default)."""
    return NanToNum.apply(input, nan, posinf, neginf)  # type: ignore[no-any-return]


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001
    """Rounded half to even, to `decimals` places (gradient 0)."""
    return Round.apply(input, decimals)  # type: ignore[no-any-return]


def isinf(input: Tensor) -> Tensor:
    """Where the elements are +inf or −inf."""
    return input._make(np.isinf(input._array), None)
