"""Gates for the special functions that `chainrule.special` adds beyond the op table:
sinc, entr, log_ndtr, lgamma, polygamma (digamma is its order 0) and xlog1py, each a
NumPy forward and its local derivative.

Each backward is written with `_dual` helpers and the gates themselves, so a recorded
backward (create_graph=True) is differentiable again.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from ._broadcast import unbroadcast
from .pointwise2 import erfc

__all__ = ["Sinc", "Entr", "LogNdtr", "Lgamma", "Polygamma", "Xlog1py", "log_ndtr", "lgamma",
           "polygamma"]

_SQRT_PI_OVER_2 = math.sqrt(math.pi) / 2
_INV_SQRT_2 = 1 / math.sqrt(2)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


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


# ---------------------------------------------------------------------- the gamma family
# B₂, B₄, …, B₁₆: the Bernoulli numbers of the Stirling and polygamma asymptotic series.
_BERNOULLI = (1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510)
_ASYMPTOTIC_FROM = 10.0  # at z ≥ 10 the series' last term is below 1e-17 of the sum
_MAX_SHIFTS = 10_000  # polygamma(n ≥ 1) below −10⁴ would need more recurrence steps: NaN


def _shifted(x: Array, step: Any, most: int) -> tuple[Array, Array]:
    """(z, correction): z = x + m ≥ 10 for the least such m, and the sum of step(x + k) for
    k < m; non-finite x and x needing more than `most` steps are left for the caller."""
    xp = array_module(x)
    z = xp.where(xp.isfinite(x), x, _ASYMPTOTIC_FROM)
    correction = xp.zeros_like(z)
    for _ in range(most):
        small = z < _ASYMPTOTIC_FROM
        if not small.any():
            break
        with xp.errstate(divide="ignore", invalid="ignore"):
            correction = correction + xp.where(small, step(xp.where(small, z, 1.0)), 0.0)
        z = xp.where(small, z + 1, z)
    return z, correction


def lgamma(x: Array) -> Array:
    """ln|Γ(x)|, elementwise: Stirling's series at x + m ≥ 10 less Σ ln|x + k|, and the
    reflection ln|Γ(x)| = ln(π/|sin πx|) − ln|Γ(1 − x)| below 1/2 (inf at the poles)."""
    xp = array_module(x)
    work = x.astype(xp.float64)
    reflect = work < 0.5
    positive = xp.where(reflect, 1 - work, work)
    z, correction = _shifted(positive, lambda v: xp.log(abs(v)), 20)
    inverse = 1 / z
    series = xp.zeros_like(z)
    for k, bernoulli in enumerate(_BERNOULLI, start=1):
        series = series + bernoulli / (2 * k * (2 * k - 1)) * inverse ** (2 * k - 1)
    value = (z - 0.5) * xp.log(z) - z + 0.5 * math.log(2 * math.pi) + series - correction
    with xp.errstate(divide="ignore", invalid="ignore"):
        sine = abs(xp.sin(math.pi * (work - xp.floor(work))))  # exact 0 at the integers
        reflected = xp.log(math.pi / sine) - value
    result = xp.where(reflect, reflected, value)
    result = xp.where(xp.isinf(work), xp.inf, xp.where(xp.isnan(work), work, result))
    return result.astype(x.dtype, copy=False)  # type: ignore[no-any-return]


def polygamma(order: int, x: Array) -> Array:
    """ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function ψ = (ln Γ)′, elementwise: the
    asymptotic series at x + m ≥ 10, less the recurrence terms (−1)ⁿ n!/(x + k)ⁿ⁺¹; for
    ψ itself, the reflection ψ(x) = ψ(1 − x) − π/tan(πx) below 0 (NaN at the negative
    integers and −inf at 0, as PyTorch gives)."""
    xp = array_module(x)
    work = x.astype(xp.float64)
    reflect = (work < 0) if order == 0 else xp.zeros(work.shape, bool)
    shifted_input = xp.where(reflect, 1 - work, work)
    factorial = math.factorial(order)
    sign = -1.0 if order % 2 else 1.0  # (−1)ⁿ

    def step(v: Array) -> Array:
        return sign * factorial / v ** (order + 1)  # type: ignore[no-any-return]

    most = 20 if order == 0 else _MAX_SHIFTS
    z, correction = _shifted(shifted_input, step, most)
    inverse = 1 / z
    if order == 0:
        series = xp.log(z) - 0.5 * inverse
        for k, bernoulli in enumerate(_BERNOULLI, start=1):
            series = series - bernoulli / (2 * k) * inverse ** (2 * k)
    else:
        series = math.factorial(order - 1) * inverse ** order + \
            factorial / 2 * inverse ** (order + 1)
        for k, bernoulli in enumerate(_BERNOULLI, start=1):
            series = series + bernoulli * math.factorial(2 * k + order - 1) / \
                math.factorial(2 * k) * inverse ** (2 * k + order)
        series = -sign * series  # (−1)ⁿ⁺¹
    value = xp.where(z < _ASYMPTOTIC_FROM, xp.nan, series - correction)
    if order == 0:
        with xp.errstate(divide="ignore", invalid="ignore"):
            fraction = work - xp.floor(work)
            cotangent = xp.where(fraction == 0, xp.nan, math.pi / xp.tan(math.pi * work))
        value = xp.where(reflect, value - cotangent, value)
        value = xp.where(work == 0, -xp.inf, value)
    value = _polygamma_at_infinity(xp, work, value, order)
    return value.astype(x.dtype, copy=False)  # type: ignore[no-any-return]


def _polygamma_at_infinity(xp: Any, work: Array, value: Array, order: int) -> Array:
    at_inf = xp.inf if order == 0 else 0.0
    value = xp.where(work == xp.inf, at_inf, value)
    value = xp.where(work == -xp.inf, xp.nan, value)
    return xp.where(xp.isnan(work), work, value)  # type: ignore[no-any-return]


class Lgamma(Gate):
    """f(x) = ln|Γ(x)|;  ∂f/∂x = ψ(x), the digamma function."""

    __slots__ = ()
    label = "lgamma"

    @staticmethod
    def forward(ctx: Gate, x: Array) -> Array:
        ctx.save_for_backward(x)
        return lgamma(x)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        slope = Polygamma.apply(x, 0) if _dual.is_tensor(x) else polygamma(0, x)
        return grad * slope


class Polygamma(Gate):
    """f(x) = ψ⁽ⁿ⁾(x) (n = 0: digamma);  ∂f/∂x = ψ⁽ⁿ⁺¹⁾(x)."""

    __slots__ = ()
    label = "polygamma"

    @staticmethod
    def forward(ctx: Gate, x: Array, order: int) -> Array:
        ctx.save_for_backward(x)
        return polygamma(order, x)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        (x,) = ctx.saved_tensors
        order = ctx.inputs[1] + 1
        slope = Polygamma.apply(x, order) if _dual.is_tensor(x) else polygamma(order, x)
        return grad * slope, None


class Xlog1py(Gate):
    """f(x, y) = x·ln(1 + y), 0 where x = 0 (NaN where y is);  ∂f/∂x = ln(1 + y) (0 where
    x = 0 and y ≤ −1, as PyTorch), ∂f/∂y = x/(1 + y)."""

    __slots__ = ()
    label = "xlog1py"

    @staticmethod
    def forward(ctx: Gate, x: Array, y: Array) -> Array:
        ctx.save_for_backward(x, y)
        xp = array_module(x)
        with xp.errstate(divide="ignore", invalid="ignore"):
            product = x * xp.log1p(y)
        return xp.where((x == 0) & ~xp.isnan(y), xp.zeros_like(product), product)  # type: ignore

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad]:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad
        grad_x = grad_y = None
        with np.errstate(divide="ignore", invalid="ignore"):  # y = −1: ±inf or NaN, as torch
            if need_x:
                masked = (_dual.constant(x) == 0) & (_dual.constant(y) <= -1)
                slope = _dual.call("log1p", _dual.where(masked, 0.0, y))
                grad_x = unbroadcast(_dual.where(masked, 0.0, grad * slope),
                                     ctx.inputs[0]._array.shape)
            if need_y:
                grad_y = unbroadcast(grad * x / (1 + y), ctx.inputs[1]._array.shape)
        return grad_x, grad_y
