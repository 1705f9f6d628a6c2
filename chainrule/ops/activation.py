"""Activation gates beyond the elementwise basics: leaky ReLU, softplus, hard tanh, GELU.

ReLU, sigmoid and tanh live in `elementwise`. The local derivatives here are the ones the
Goodfellow chapter lists for hidden units; at a kink each follows PyTorch's convention.
"""

from __future__ import annotations

import math
from typing import Any

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from .elementwise import stable_sigmoid

__all__ = ["LeakyRelu", "Softplus", "Hardtanh", "Gelu", "erf"]


class LeakyRelu(Gate):
    """f(x) = x for x > 0, else a·x;  ∂f/∂x = 1 for x > 0, else a."""

    __slots__ = ()
    label = "leaky_relu"

    @staticmethod
    def forward(ctx: Gate, x: Array, slope: float) -> Array:
        ctx.save_for_backward(x)
        return array_module(x).where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        (x,) = ctx.saved_tensors
        slope = ctx.inputs[1]
        return _dual.where(_dual.constant(x) > 0, grad, grad * slope), None


class Softplus(Gate):
    """f(x) = log(1 + e^(βx))/β (x itself where βx > threshold);  ∂f/∂x = σ(βx).

    The smooth ReLU of the notes: its derivative is the logistic sigmoid.
    """

    __slots__ = ()
    label = "softplus"

    @staticmethod
    def forward(ctx: Gate, x: Array, beta: float, threshold: float) -> Array:
        xp = array_module(x)
        scaled = x * beta
        # log(1 + e^z) = max(z, 0) + log1p(e^−|z|): never overflows
        smooth = (xp.maximum(scaled, 0) + xp.log1p(xp.exp(-abs(scaled)))) / beta
        ctx.save_for_backward(x)
        return xp.where(scaled > threshold, x, smooth)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        (x,) = ctx.saved_tensors
        beta, threshold = ctx.inputs[1], ctx.inputs[2]
        scaled = x * beta
        raw = _dual.constant(scaled)
        slope = scaled.sigmoid() if _dual.is_tensor(scaled) else stable_sigmoid(raw)
        return _dual.where(raw > threshold, grad, grad * slope), None, None


class Hardtanh(Gate):
    """f(x) = clamp(x, lo, hi);  ∂f/∂x = 1 strictly inside (lo, hi), 0 elsewhere (PyTorch's
    convention, unlike `clamp`, which passes the gradient at the bounds)."""

    __slots__ = ()
    label = "hardtanh"

    @staticmethod
    def forward(ctx: Gate, x: Array, low: float, high: float) -> Array:
        ctx.save_for_backward(x)
        return array_module(x).clip(x, low, high)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        (x,) = ctx.saved_tensors
        raw = _dual.constant(x)
        inside = (raw > ctx.inputs[1]) & (raw < ctx.inputs[2])
        return _dual.where(inside, grad, 0), None, None


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)
_INV_SQRT_2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)


class Gelu(Gate):
    """f(x) = x·Φ(x), Φ the standard normal CDF;  ∂f/∂x = Φ(x) + x·φ(x).
    With `approximate='tanh'`: Φ(x) ≈ ½(1 + tanh(√(2/π)(x + 0.044715x³)))."""

    __slots__ = ()
    label = "gelu"

    @staticmethod
    def forward(ctx: Gate, x: Array, approximate: str) -> Array:
        ctx.save_for_backward(x)
        if approximate == "tanh":
            xp = array_module(x)
            return 0.5 * x * (1 + xp.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)))
        return 0.5 * x * (1 + erf(x * _INV_SQRT_2))

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        (x,) = ctx.saved_tensors
        if ctx.inputs[1] == "tanh":
            t = _dual.tanh(_SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))
            slope = 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_OVER_PI * (
                1 + 3 * 0.044715 * x * x)
        else:
            cdf = 0.5 * (1 + (Erf.apply(x * _INV_SQRT_2) if _dual.is_tensor(x)
                              else erf(x * _INV_SQRT_2)))
            slope = cdf + x * _dual.exp(-0.5 * x * x) * _INV_SQRT_2PI
        return grad * slope, None


class Erf(Gate):
    """f(x) = erf x;  ∂f/∂x = (2/√π) e^(−x²)."""

    __slots__ = ()
    label = "erf"

    @staticmethod
    def forward(ctx: Gate, x: Array) -> Array:
        ctx.save_for_backward(x)
        return erf(x)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> Grad:
        (x,) = ctx.saved_tensors
        return grad * _dual.exp(-(x * x)) * (2 / math.sqrt(math.pi))


_NOT_LOADED: Any = object()
# SciPy's erf, a compiled kernel, when SciPy happens to be installed (else None); imported on
# first use so that `import chainrule` stays light.
_scipy_erf: Any = _NOT_LOADED


def _compiled_erf() -> Any:
    global _scipy_erf
    if _scipy_erf is _NOT_LOADED:
        try:
            from scipy.special import erf as scipy_erf
        except ImportError:  # pragma: no cover - depends on the environment
            scipy_erf = None
        _scipy_erf = scipy_erf
    return _scipy_erf


def erf(x: Array) -> Array:
    """The error function, elementwise, to float64 precision.

    Without SciPy: for |x| < 2.5 the series erf x = (2/√π) e^(−x²) Σ 2ⁿx^(2n+1)/(2n+1)!!,
    whose terms are all positive (no cancellation); beyond, erfc x from its continued
    fraction, which converges fast there.
    """
    xp = array_module(x)
    compiled = _compiled_erf() if xp.__name__ == "numpy" else None
    if compiled is not None:
        return compiled(x).astype(x.dtype, copy=False)
    work = x.astype(xp.float64)
    magnitude = abs(work)
    small = xp.minimum(magnitude, 2.5)
    term = small.copy()
    total = small.copy()
    squared = small * small
    for n in range(1, 60):  # at 2.5 the terms fall below 1e-17 of the sum by n ≈ 55
        term = term * 2 * squared / (2 * n + 1)
        total += term
    series = 2 / math.sqrt(math.pi) * xp.exp(-squared) * total
    large = xp.maximum(magnitude, 2.5)
    # erfc x = e^(−x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + 2/(x + …))))), evaluated bottom-up
    fraction = large
    for k in range(60, 0, -1):
        fraction = large + (k / 2) / fraction
    tail = 1 - xp.exp(-large * large) / (math.sqrt(math.pi) * fraction)
    result = xp.where(magnitude < 2.5, series, tail)
    return (xp.sign(work) * result).astype(x.dtype, copy=False)
