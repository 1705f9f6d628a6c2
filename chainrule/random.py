"""Random numbers: one generator behind every random draw of the library.

The default generator is seeded from the operating system at import, as PyTorch's is, so
unseeded programs differ from run to run; `manual_seed(s)` makes `rand`, `randn`,
`randint`, the samplers (`normal`, `bernoulli`, `multinomial`, `poisson` and the in-place
`uniform_`, `normal_`, …), the initialisers, dropout and data shuffling reproducible. Pass
`generator=` to any of them to use an independent stream. Values come from NumPy's PCG64,
so they are not PyTorch's, but their distributions, dtypes and shapes are.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import _dtype
from ._generator import Generator, default_generator
from .backends import default_device
from .creation import creation_shape
from .ops.args import int_arg
from .ops.sampling import normal_from_tensors
from .tensor import Tensor

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed", "rand",
           "randn", "randint", "randperm", "normal", "rand_like", "randn_like", "randint_like",
           "get_rng_state", "set_rng_state", "fork_rng"]


def manual_seed(seed: int) -> Generator:
    """Seeds the default generator: every later random draw is reproducible."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seeds the default generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict[str, Any]:
    return default_generator.get_state()


def set_rng_state(new_state: dict[str, Any]) -> None:
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cuda") -> Iterator[None]:
    """Draws inside the `with` block leave the default generator as it was before it (its
    state is saved and restored), as PyTorch's `torch.random.fork_rng`."""
    if not enabled:
        yield
        return
    saved = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(saved)


def _rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator).numpy


def _float_dtype(op: str, dtype: Any) -> np.dtype:
    target = _dtype.default_float.numpy if dtype is None else _dtype.to_numpy_dtype(dtype)
    if target.kind != "f":  # PyTorch: "not implemented for 'Long'"
        raise NotImplementedError(f"{op}: the samples are real numbers, so the dtype must be "
                                  f"floating point, got {target}")
    return target


def _finish(array: np.ndarray, requires_grad: bool, device: Any) -> Tensor:
    tensor = Tensor._make(array, None)
    device = default_device() if device is None else device
    if str(device) != "cpu":
        tensor = tensor.to(device)
    return tensor.requires_grad_(True) if requires_grad else tensor


def _draw_type(target: np.dtype) -> np.dtype:
    """NumPy draws float32 and float64 directly; float16 is drawn as float64 and rounded."""
    return target if target in (np.float32, np.float64) else np.dtype(np.float64)


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1)."""
    target = _float_dtype("rand", dtype)
    shape = creation_shape("rand", size)
    array = _rng(generator).random(shape, dtype=_draw_type(target)).astype(target, copy=False)
    return _finish(array, requires_grad, device)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples."""
    target = _float_dtype("randn", dtype)
    shape = creation_shape("randn", size)
    array = _rng(generator).standard_normal(shape, dtype=_draw_type(target)).astype(
        target, copy=False)
    return _finish(array, requires_grad, device)


def randint(low: int, high: int | None = None, size: Any = None, *,
            generator: Generator | None = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Integers uniform on [low, high); `randint(high, size)` means low = 0, as in PyTorch."""
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint: expected randint(low, high, size) or randint(high, size)")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    int_arg("randint", "low", low)
    int_arg("randint", "high", high)
    if high <= low:
        raise RuntimeError(f"randint: expected low < high, but got low={low}, high={high}")
    target = _dtype.int64.numpy if dtype is None else _dtype.to_numpy_dtype(dtype)
    shape = creation_shape("randint", (size,))
    array = _rng(generator).integers(low, high, shape).astype(target, copy=False)
    return _finish(array, requires_grad, device)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 … n−1 (int64 unless `dtype` says otherwise)."""
    int_arg("randperm", "n", n)
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    target = _dtype.int64.numpy if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(_rng(generator).permutation(n).astype(target), requires_grad, device)


def _like_device(input: Tensor, device: Any) -> Any:  # noqa: A002 - PyTorch's name
    return str(input.device) if device is None else device


def rand_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None,  # noqa: A002
              device: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples on [0, 1) of `input`'s shape, dtype and device."""
    target = input.dtype if dtype is None else dtype
    if not _dtype.from_numpy_dtype(_dtype.to_numpy_dtype(target)).is_floating_point:
        raise NotImplementedError(f"rand_like: uniform samples need a floating-point dtype, "
                                  f"got {target}")
    return rand(input.shape, generator=generator, dtype=target, requires_grad=requires_grad,
                device=_like_device(input, device))


def randn_like(input: Tensor, *, generator: Generator | None = None, dtype: Any = None,  # noqa: A002
               device: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples of `input`'s shape, dtype and device."""
    target = input.dtype if dtype is None else dtype
    if not _dtype.from_numpy_dtype(_dtype.to_numpy_dtype(target)).is_floating_point:
        raise NotImplementedError(f"randn_like: normal samples need a floating-point dtype, "
                                  f"got {target}")
    return randn(input.shape, generator=generator, dtype=target, requires_grad=requires_grad,
                 device=_like_device(input, device))


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *,  # noqa: A002
                 generator: Generator | None = None, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
    """Integers uniform on [low, high) of `input`'s shape and dtype; `randint_like(input,
    high)` means low = 0, as in PyTorch."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, generator=generator,
                   dtype=input.dtype if dtype is None else dtype,
                   device=_like_device(input, device), requires_grad=requires_grad)


def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Generator | None = None,
           dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal samples: `normal(mean, std)` with tensors (broadcast) or one tensor and one
    float, or `normal(mean, std, size)` with two floats (PyTorch's four overloads).

    >>> import chainrule as cr
    >>> cr.normal(0.0, 1.0, (2, 3)).shape
    chainrule.Size([2, 3])
    """
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        return normal_from_tensors(mean, std, generator)
    if size is None:
        raise TypeError("normal: with a float mean and std, give the size too: "
                        "normal(mean, std, size)")
    if float(std) < 0:
        raise RuntimeError(f"normal: expects std >= 0.0, but found std {std}")
    target = _float_dtype("normal", dtype)
    shape = creation_shape("normal", (size,))
    array = _rng(generator).normal(float(mean), float(std), shape).astype(target, copy=False)
    return _finish(array, requires_grad, device)
