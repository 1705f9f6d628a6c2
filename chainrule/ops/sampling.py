"""Sampling from distributions: `normal`, `bernoulli`, `multinomial`, `poisson`, and the
in-place samplers `uniform_`, `normal_`, `bernoulli_`, `exponential_`, `random_`,
`geometric_`, `log_normal_`, `cauchy_`, with PyTorch's signatures, dtypes and errors.

Every function takes `generator=` (default: the library's default generator, see
`chainrule.random`). The in-place samplers write into the tensor's own array and bump its
version counter, so a tensor saved for backward and then resampled makes backward raise.

Unlike PyTorch, samples carry no gradient: PyTorch records `normal`, `bernoulli` and
`poisson` with a gradient that is identically zero, so `requires_grad` on their result
would only propagate zeros; here the result simply does not require grad.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._generator import default_generator
from ..backends import array_module
from ..engine import version
from ..engine.variable import Variable
from . import inplace

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["normal_from_tensors", "bernoulli", "multinomial", "poisson", "uniform_", "normal_",
           "bernoulli_", "exponential_", "random_", "geometric_", "log_normal_", "cauchy_"]


def _rng(generator: Any) -> np.random.Generator:
    return (generator or default_generator).numpy


def _host(tensor: Any) -> np.ndarray:
    array = tensor._array
    return array if isinstance(array, np.ndarray) else array.get()


def _require_float(op: str, tensor: Any) -> None:
    if tensor._array.dtype.kind != "f":
        raise NotImplementedError(f"{op}: sampling needs a floating-point tensor, got "
                                  f"{tensor.dtype}; convert first, e.g. x.float()")


def _new(like: Any, array: np.ndarray) -> Tensor:
    """A new tensor over `array` on `like`'s device (made without importing the Tensor)."""
    made = like._make(array, None)
    return made if str(like.device) == "cpu" else made.to(like.device)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------- new tensors
def normal_from_tensors(mean: Any, std: Any, generator: Any = None) -> Tensor:
    """Normal samples for `normal(mean, std)` where at least one of the two is a tensor
    (broadcast against the other); the result has the floating dtype of the tensor(s)."""
    mean_is, std_is = isinstance(mean, Variable), isinstance(std, Variable)
    for name, value in (("mean", mean), ("std", std)):
        if isinstance(value, Variable):
            _require_float(f"normal ({name})", value)
    tensors = [v for v in (mean, std) if isinstance(v, Variable)]
    target = np.result_type(*(t._array.dtype for t in tensors))
    mean_array = _host(mean) if mean_is else np.asarray(float(mean), dtype=target)
    std_array = _host(std) if std_is else np.asarray(float(std), dtype=target)
    if np.any(std_array < 0):
        raise RuntimeError("normal: expects all elements of std >= 0.0")
    try:
        shape = np.broadcast_shapes(mean_array.shape, std_array.shape)
    except ValueError:
        raise RuntimeError(f"normal: mean of shape {tuple(mean_array.shape)} and std of shape "
                           f"{tuple(std_array.shape)} do not broadcast") from None
    draws = _rng(generator).standard_normal(shape)
    return _new(tensors[0], (mean_array + std_array * draws).astype(target))


def bernoulli(input: Tensor, p: float | None = None, *,  # noqa: A002 - PyTorch's name
              generator: Any = None) -> Tensor:
    """0/1 samples, 1 with probability `input` (elementwise), or with probability `p` when
    given; the result has `input`'s shape and dtype."""
    _require_float("bernoulli", input)
    probability = _host(input) if p is None else np.asarray(p, dtype=np.float64)
    _check_probability("bernoulli", probability)
    draws = _rng(generator).random(input.shape)
    return _new(input, (draws < probability).astype(input._array.dtype))


def _check_probability(op: str, probability: np.ndarray) -> None:
    if not np.all((probability >= 0) & (probability <= 1)):
        raise RuntimeError(f"{op}: expects p to be in [0, 1], but got values outside it "
                           f"(min {float(np.min(probability))}, "
                           f"max {float(np.max(probability))})")


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Any = None) -> Tensor:
    """Indices drawn from the categories whose (unnormalised) weights are `input`'s last
    dim: one row of `num_samples` indices for a 1-d input, one per row for a 2-d input."""
    weights = _multinomial_weights(input, num_samples, replacement)
    rng = _rng(generator)
    rows = weights.reshape(-1, weights.shape[-1]) / weights.sum(-1, keepdims=True).reshape(-1, 1)
    picks = np.empty((rows.shape[0], num_samples), dtype=np.int64)
    for row, probability in enumerate(rows):
        if replacement:  # inverse CDF: zero-weight categories are never drawn
            cdf = np.cumsum(probability)
            found = np.searchsorted(cdf, rng.random(num_samples) * cdf[-1], side="right")
            picks[row] = np.minimum(found, probability.size - 1)
        else:  # exponential race: the num_samples smallest of E_i / w_i, as PyTorch does
            with np.errstate(divide="ignore"):
                keys = rng.exponential(size=probability.size) / probability
            picks[row] = np.argsort(keys, kind="stable")[:num_samples]
    return _new(input, picks.reshape(weights.shape[:-1] + (num_samples,)))


def _multinomial_weights(input: Any, num_samples: int, replacement: bool  # noqa: A002
                         ) -> np.ndarray:
    if input._array.dtype.kind != "f":
        raise RuntimeError(f"multinomial: only floating-point dtypes are supported for input, "
                           f"got {input.dtype}")
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape "
                           f"{tuple(input.shape)}")
    if isinstance(num_samples, bool) or not isinstance(num_samples, (int, np.integer)):
        raise TypeError(f"multinomial: num_samples must be an int, got "
                        f"{type(num_samples).__name__}")
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples "
                           f"(num_samples={num_samples})")
    weights = _host(input).astype(np.float64)
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    if np.any(weights.sum(-1) <= 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of "
                           "probabilities <= 0)")
    if not replacement and num_samples > weights.shape[-1]:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement ({num_samples} > {weights.shape[-1]})")
    return weights


def poisson(input: Tensor, generator: Any = None) -> Tensor:  # noqa: A002
    """Poisson samples with rates `input` (elementwise), of `input`'s shape and dtype."""
    _require_float("poisson", input)
    rates = _host(input)
    if np.any(rates < 0) or np.any(np.isnan(rates)):
        raise RuntimeError("poisson: invalid Poisson rate, expected rate to be non-negative")
    return _new(input, _rng(generator).poisson(rates).astype(rates.dtype))


# ---------------------------------------------------------------------- in place
def _write(tensor: Any, op: str, values: np.ndarray) -> Tensor:
    """Stores `values` into the tensor's own array and records the in-place change."""
    inplace.check(tensor, op)
    array = tensor._array
    array[...] = values if isinstance(array, np.ndarray) else \
        array_module(array).asarray(values)  # a CuPy array: copy the draws to the GPU
    version.bump(tensor)
    return tensor  # type: ignore[no-any-return]


def _float_draws(tensor: Any, op: str) -> tuple[tuple[int, ...], np.dtype]:
    if tensor._array.dtype.kind != "f":
        raise NotImplementedError(f"{op}: a continuous distribution needs a floating-point "
                                  f"tensor, got {tensor.dtype}")
    return tuple(tensor.shape), tensor._array.dtype


def uniform_(input: Tensor, from_: float = 0.0, to: float = 1.0, *,  # noqa: A002
             generator: Any = None) -> Tensor:
    """Fills the tensor in place with uniform samples on [from_, to)."""
    shape, _ = _float_draws(input, "uniform_")
    if from_ > to:
        raise RuntimeError(f"uniform_: expects a [from, to) range, but found from={from_} > "
                           f"to={to}")
    return _write(input, "uniform_", _rng(generator).uniform(from_, to, shape))


def normal_(input: Tensor, mean: float = 0.0, std: float = 1.0, *,  # noqa: A002
            generator: Any = None) -> Tensor:
    """Fills the tensor in place with normal samples of the given mean and std."""
    shape, _ = _float_draws(input, "normal_")
    if std < 0:
        raise RuntimeError(f"normal_: expects std >= 0.0, but found std {std}")
    return _write(input, "normal_", _rng(generator).normal(mean, std, shape))


def bernoulli_(input: Tensor, p: Any = 0.5, *,  # noqa: A002
               generator: Any = None) -> Tensor:
    """Fills the tensor in place with 0/1 samples, 1 with probability `p` (a float or a
    tensor broadcast to this tensor's shape)."""
    probability = _host(p) if isinstance(p, Variable) else np.asarray(p, dtype=np.float64)
    _check_probability("bernoulli_", probability)
    draws = _rng(generator).random(tuple(input.shape))
    return _write(input, "bernoulli_", draws < probability)


def exponential_(input: Tensor, lambd: float = 1.0, *,  # noqa: A002
                 generator: Any = None) -> Tensor:
    """Fills the tensor in place with exponential samples of rate `lambd`."""
    if input._array.dtype.kind != "f":
        raise RuntimeError(f"exponential_: the exponential distribution is continuous; the "
                           f"dtype must be floating point, but this tensor is {input.dtype}")
    if not lambd > 0:
        raise RuntimeError(f"exponential_: expects lambda > 0.0, but found lambda={lambd}")
    return _write(input, "exponential_",
                  _rng(generator).exponential(1 / lambd, tuple(input.shape)))


def geometric_(input: Tensor, p: float, *,  # noqa: A002
               generator: Any = None) -> Tensor:
    """Fills the tensor in place with the number of Bernoulli(p) trials up to and including
    the first success (1, 2, …)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_: expects p to be in (0, 1), but got p={p}")
    return _write(input, "geometric_", _rng(generator).geometric(p, tuple(input.shape)))


def log_normal_(input: Tensor, mean: float = 1.0, std: float = 2.0, *,  # noqa: A002
                generator: Any = None) -> Tensor:
    """Fills the tensor in place with exp(N(mean, std²)) samples (PyTorch's defaults 1, 2)."""
    shape, _ = _float_draws(input, "log_normal_")
    if not std > 0:
        raise RuntimeError(f"log_normal_: expects std > 0.0, but found std={std}")
    return _write(input, "log_normal_", _rng(generator).lognormal(mean, std, shape))


def cauchy_(input: Tensor, median: float = 0.0, sigma: float = 1.0, *,  # noqa: A002
            generator: Any = None) -> Tensor:
    """Fills the tensor in place with Cauchy samples: median + sigma·tan(π(U − ½))."""
    shape, _ = _float_draws(input, "cauchy_")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_: expects sigma > 0.0, but found sigma={sigma}")
    draws = _rng(generator).standard_cauchy(shape)
    return _write(input, "cauchy_", median + sigma * draws)


def random_(input: Tensor, from_: int = 0, to: int | None = None, *,  # noqa: A002
            generator: Any = None) -> Tensor:
    """Fills the tensor in place with integers uniform on [from_, to); `random_(to)` means
    [0, to); `random_()` spans every integer the dtype holds exactly (for floats, up to
    2**mantissa bits, as PyTorch)."""
    for name, value in (("from", from_), ("to", to)):
        if value is not None and (isinstance(value, float) or isinstance(value, bool)):
            raise TypeError(f"random_: {name} must be an int, got {type(value).__name__}")
    dtype = input._array.dtype
    if to is None and from_ != 0:  # random_(to)
        from_, to = 0, from_
    if to is None:
        low, high = 0, _random_ceiling(dtype)
    else:
        low, high = int(from_), int(to)
        if low >= high:
            raise RuntimeError(f"random_: expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
    values = _rng(generator).integers(low, high, tuple(input.shape), dtype=np.int64,
                                      endpoint=to is None)
    return _write(input, "random_", values.astype(dtype))


def _random_ceiling(dtype: np.dtype) -> int:
    """The largest value `random_()` draws: the dtype's maximum, or 2**digits for floats."""
    if dtype.kind == "b":
        return 1
    if dtype.kind == "f":
        return 2 ** (np.finfo(dtype).nmant + 1)
    return int(min(np.iinfo(dtype).max, 2 ** 63 - 1))
