"""`cr.special`, PyTorch's `torch.special`: the special functions chainrule differentiates.

Most are the library's own ops under torch.special's names (`expit` is `sigmoid`); erfinv,
sinc, entr, log_ndtr, xlog1py, gammaln and polygamma (digamma, psi) are gates of their own
(`ops/special_functions.py`); ndtr is erfc rescaled, multigammaln a sum of gammaln.
Integer inputs are promoted to the default float type, as in PyTorch.

>>> import chainrule as cr
>>> x = cr.tensor([0.0, 0.5], dtype=cr.float64, requires_grad=True)
>>> cr.special.ndtr(x).tolist()
[0.5, 0.691462461274013]
"""

from __future__ import annotations

import math
from typing import Any

from ._namespace import erf as _erf
from ._namespace import erfc as _erfc
from ._namespace import exp2 as _exp2
from ._namespace import expm1 as _expm1
from ._namespace import log1p as _log1p
from ._namespace import logit as _logit
from ._namespace import logsumexp as _logsumexp
from ._namespace import round as _round
from ._namespace import sigmoid as _sigmoid
from ._namespace import xlogy as _xlogy
from .ops.dispatch import as_floating, binary
from .ops.pointwise2 import Erfinv
from .ops.special_functions import Entr, Lgamma, LogNdtr, Polygamma, Sinc, Xlog1py
from .tensor import Tensor
from .tensor import as_tensor_argument as _tensor

__all__ = ["expit", "logit", "erf", "erfc", "erfinv", "exp2", "expm1", "log1p", "logsumexp",
           "softmax", "log_softmax", "xlogy", "xlog1py", "sinc", "entr", "round", "ndtr",
           "log_ndtr", "gammaln", "digamma", "psi", "polygamma", "multigammaln"]

_INV_SQRT_2 = 1 / math.sqrt(2)


def _floating(value: Any) -> Tensor:
    return as_floating(_tensor(value))


def expit(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's name
    """The logistic sigmoid 1/(1 + e^(−x))."""
    return _sigmoid(input)  # type: ignore[no-any-return]


def logit(input: Tensor, eps: float | None = None) -> Tensor:  # noqa: A002
    """ln(x/(1 − x)), x clamped to [eps, 1 − eps] when eps is given."""
    return _logit(input, eps)  # type: ignore[no-any-return]


def erf(input: Tensor) -> Tensor:  # noqa: A002
    """The error function (2/√π) ∫₀ˣ e^(−t²) dt."""
    return _erf(input)  # type: ignore[no-any-return]


def erfc(input: Tensor) -> Tensor:  # noqa: A002
    """1 − erf x, precise where erf x is near 1."""
    return _erfc(input)  # type: ignore[no-any-return]


def erfinv(input: Tensor) -> Tensor:  # noqa: A002
    """The inverse of erf on (−1, 1): ±inf at ±1, NaN outside."""
    return Erfinv.apply(_floating(input))  # type: ignore[no-any-return]


def exp2(input: Tensor) -> Tensor:  # noqa: A002
    """2ˣ."""
    return _exp2(input)  # type: ignore[no-any-return]


def expm1(input: Tensor) -> Tensor:  # noqa: A002
    """eˣ − 1, precise near 0."""
    return _expm1(input)  # type: ignore[no-any-return]


def log1p(input: Tensor) -> Tensor:  # noqa: A002
    """ln(1 + x), precise near 0."""
    return _log1p(input)  # type: ignore[no-any-return]


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False, *,  # noqa: A002
              keepdims: bool | None = None) -> Tensor:
    """ln Σ eˣ over `dim`, without overflow."""
    return _logsumexp(input, dim, keepdim if keepdims is None else keepdims)  # type: ignore


def softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """e^(x_i) / Σ_j e^(x_j) along `dim`, computed in `dtype` when given."""
    tensor = _tensor(input)
    return (tensor if dtype is None else tensor.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """x − logsumexp(x) along `dim`, computed in `dtype` when given."""
    tensor = _tensor(input)
    return (tensor if dtype is None else tensor.to(dtype)).log_softmax(dim)


def xlogy(input: Any, other: Any) -> Tensor:  # noqa: A002
    """x·ln y, 0 where x = 0."""
    return _xlogy(input, other)  # type: ignore[no-any-return]


def sinc(input: Tensor) -> Tensor:  # noqa: A002
    """The normalised sinc sin(πx)/(πx), 1 at 0."""
    return Sinc.apply(_floating(input))  # type: ignore[no-any-return]


def entr(input: Tensor) -> Tensor:  # noqa: A002
    """The elementwise entropy −x ln x: 0 at 0, −inf for x < 0."""
    return Entr.apply(_floating(input))  # type: ignore[no-any-return]


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001, A002
    """Rounded half to even, to `decimals` places (gradient 0)."""
    return _round(input, decimals=decimals)  # type: ignore[no-any-return]


def ndtr(input: Tensor) -> Tensor:  # noqa: A002
    """Φ(x), the standard normal CDF: erfc(−x/√2)/2."""
    return _erfc(_floating(input) * -_INV_SQRT_2) * 0.5  # type: ignore[no-any-return]


def log_ndtr(input: Tensor) -> Tensor:  # noqa: A002
    """ln Φ(x), precise far into both tails."""
    return LogNdtr.apply(_floating(input))  # type: ignore[no-any-return]


def xlog1py(input: Any, other: Any) -> Tensor:  # noqa: A002
    """x·ln(1 + y), 0 where x = 0."""
    return binary(Xlog1py, _tensor(input), other, True)  # type: ignore[no-any-return]


def gammaln(input: Tensor) -> Tensor:  # noqa: A002
    """ln|Γ(x)| (inf at 0 and the negative integers)."""
    return Lgamma.apply(_floating(input))  # type: ignore[no-any-return]


def digamma(input: Tensor) -> Tensor:  # noqa: A002
    """ψ(x) = Γ′(x)/Γ(x)."""
    return Polygamma.apply(_floating(input), 0)  # type: ignore[no-any-return]


psi = digamma


def polygamma(n: int, input: Tensor) -> Tensor:  # noqa: A002
    """ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"polygamma: n must be an int, got {type(n).__name__}")
    if n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n (got n = {n}).")
    return Polygamma.apply(_floating(input), n)  # type: ignore[no-any-return]


def multigammaln(input: Tensor, p: int) -> Tensor:  # noqa: A002
    """The log multivariate gamma function of dimension p:
    p(p − 1)/4 · ln π + Σⱼ₌₀ᵖ⁻¹ ln Γ(x − j/2)."""
    if p < 1:
        raise RuntimeError(f"multigammaln: p has to be greater than or equal to 1, got {p}")
    x = _floating(input)
    total = gammaln(x)
    for j in range(1, p):
        total = total + gammaln(x - j / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)  # type: ignore[no-any-return]
