"""Gates for the special functions that `chainrule.special` adds beyond the op table:
erfinv, sinc, entr and log_ndtr, each a NumPy forward and its local derivative.

Each backward is written with `_dual` helpers and the gates themselves, so a recorded
backward (create_graph=True) is differentiable again.
"""

from __future__ import annotations

import math

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from .activation import erf
from .pointwise2 import erfc

__all__ = ["Erfinv", "Sinc", "Entr", "LogNdtr", "erfinv", "log_ndtr"]

_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2
_INV_SQRT_2 = 1 / math.sqrt(2)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


def _giles(x: Array) -> Array:
    """Giles' approximation of erfinv (relative error about 1e-7 in float64): the start that
    two Newton steps make exact."""
    xp = array_module(x)
    w = -xp.log((1 - x) * (1 + x))
    central, tail = w - 2.5, xp.sqrt(xp.maximum(w, 5.0)) - 3
    p = xp.full_like(x, 2.81022636e-08)
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        p = c + p * central
    q = xp.full_like(x, -0.000200214257)
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        q = c + q * tail
    return xp.where(w < 5.0, p, q) * x  # type: ignore[no-any-return]


def erfinv(x: Array) -> Array:
    """The inverse error function, elementwise: ±inf at ±1, NaN beyond.

    Newton steps on erf y = x near 0, and on erfc |y| = 1 − |x| beyond 0.5, where 1 − |x| is
    exact and erfc keeps its relative precision (erf would lose it against 1)."""
    xp = array_module(x)
    work = x.astype(xp.float64)
    magnitude = abs(work)
    inside = magnitude < 1
    safe = xp.where(inside, magnitude, 0.5)
    y = _giles(safe)
    for _ in range(3):
        slope = xp.exp(-y * y) / _SQRT_PI_OVER_2
        # erf y − |x|, computed as (1 − |x|) − erfc y in the tail
        residual = xp.where(safe > 0.5, (1 - safe) - erfc(y), erf(y) - safe)
        y = y - residual / slope
    edge = xp.where(magnitude == 1, xp.inf, xp.nan)
    result = xp.sign(work) * xp.where(inside, y, edge)
    return result.astype(x.dtype, copy=False)  # type: ignore[no-any-return]


class Erfinv(Gate):
    """f(x) = erf⁻¹ x;  ∂f/∂x = (√π/2) e^(f(x)²)."""

    __slots__ = ()
    label = "erfinv"

    @staticmethod
    def forward(ctx: Gate, x: Array) -> Array:
        ctx.save_for_backward(x)
        return erfinv(x)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        y = Erfinv.apply(x) if _dual.is_tensor(x) else erfinv(x)
        return grad * _dual.exp(y * y) * _SQRT_PI_OVER_2


def _sinc(x: Array) -> Array:
    return array_module(x).sinc(x)  # type: ignore[no-any-return]


class Sinc(Gate):
    """f(x) = sin(πx)/(πx), 1 at 0;  ∂f/∂x = (cos(πx) − f(x))/x, 0 at 0."""

    __slots__ = ()
    label = "sinc"

    @staticmethod
    def forward(ctx: Gate, x: Array) -> Array:
        ctx.save_for_backward(x)
        return _sinc(x)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        zero = _dual.constant(x) == 0
        safe = _dual.where(zero, 1.0, x)  # the 0/0 branch is never chosen, nor differentiated
        value = Sinc.apply(safe) if _dual.is_tensor(safe) else _sinc(safe)
        slope = (_dual.call("cos", safe * math.pi) - value) / safe
        # at 0 the slope is 0, written as −(π²/3)x so that its own derivative there is
        # sinc''(0) = −π²/3 when this rule is differentiated again
        return grad * _dual.where(zero, x * (-math.pi ** 2 / 3), slope)


class Entr(Gate):
    """f(x) = −x ln x (0 at 0, −inf below);  ∂f/∂x = −(1 + ln x) (NaN below 0, as in
    PyTorch)."""

    __slots__ = ()
    label = "entr"

    @staticmethod
    def forward(ctx: Gate, x: Array) -> Array:
        ctx.save_for_backward(x)
        xp = array_module(x)
        with xp.errstate(divide="ignore", invalid="ignore"):
            inner = -x * xp.log(xp.where(x > 0, x, 1))
        result = xp.where(x > 0, inner, xp.where(x == 0, 0, -xp.inf))
        return xp.where(xp.isnan(x), x, result).astype(x.dtype, copy=False)  # type: ignore

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        xp = array_module(_dual.constant(x))
        with xp.errstate(divide="ignore", invalid="ignore"):
            return -grad * (1 + _dual.log(x))


def log_ndtr(x: Array) -> Array:
    """ln Φ(x), Φ the standard normal CDF, without underflow far in the left tail: there
    (x < −20) the asymptotic series ln Φ(x) = −x²/2 − ln(−x) − ln√(2π) + ln Σ (−1)ⁿ
    (2n−1)!!/x²ⁿ, whose terms fall below 1e-17 by n = 10; elsewhere ln(erfc(−x/√2)/2), or
    for x > 0 ln(1 − erfc(x/√2)/2) by log1p, which keeps the tiny distance from 0."""
    xp = array_module(x)
    work = x.astype(xp.float64)
    far = work < -20
    tail_x = xp.where(far, work, -20.0)
    inverse_square = 1 / (tail_x * tail_x)
    term, series = xp.ones_like(tail_x), xp.ones_like(tail_x)
    for n in range(1, 12):
        term = -term * (2 * n - 1) * inverse_square
        series = series + term
    tail = -0.5 * tail_x * tail_x - xp.log(-tail_x) - _LOG_SQRT_2PI + xp.log(series)
    near = xp.where(far, 0.0, work)
    left = xp.log(0.5 * erfc(-near * _INV_SQRT_2))
    # ln(1 − Φ(−x)) for x > 0: no rounding to 0
    right = xp.log1p(-0.5 * erfc(xp.maximum(near, 0.0) * _INV_SQRT_2))
    return xp.where(far, tail, xp.where(near > 0, right, left)).astype(  # type: ignore
        x.dtype, copy=False)


class LogNdtr(Gate):
    """f(x) = ln Φ(x);  ∂f/∂x = φ(x)/Φ(x) = e^(−x²/2 − f(x))/√(2π)."""

    __slots__ = ()
    label = "log_ndtr"

    @staticmethod
    def forward(ctx: Gate, x: Array) -> Array:
        ctx.save_for_backward(x)
        return log_ndtr(x)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        value = LogNdtr.apply(x) if _dual.is_tensor(x) else log_ndtr(x)
        return grad * _dual.exp(-0.5 * x * x - value) * _INV_SQRT_2PI
