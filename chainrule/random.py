"""Random numbers: one seeded generator behind every random draw of the library.

`manual_seed(s)` makes `rand`, `randn`, `randint`, the initialisers, dropout and data
shuffling reproducible; pass `generator=` to any of them to use an independent stream.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import _dtype
from .ops.args import int_arg, size_args
from .tensor import Tensor

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed", "rand",
           "randn", "randint", "randperm", "rand_like", "randn_like", "get_rng_state",
           "set_rng_state"]


class Generator:
    """A stream of random numbers (NumPy's PCG64 underneath)."""

    def __init__(self, seed: int | None = None) -> None:
        self._seed = _fresh_seed() if seed is None else seed
        self.numpy = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        if not isinstance(seed, (int, np.integer)):
            raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
        self._seed = int(seed)
        self.numpy = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> dict[str, Any]:
        return dict(self.numpy.bit_generator.state)

    def set_state(self, new_state: dict[str, Any]) -> None:
        self.numpy.bit_generator.state = new_state


def _fresh_seed() -> int:
    entropy = np.random.SeedSequence().entropy
    return int(entropy) % (2 ** 63)  # type: ignore[arg-type]


default_generator = Generator(0)


def manual_seed(seed: int) -> Generator:
    """Seeds the default generator: every later random draw is reproducible."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seeds the default generator from the operating system's entropy; returns the seed."""
    new_seed = _fresh_seed()
    default_generator.manual_seed(new_seed)
    return new_seed


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> dict[str, Any]:
    return default_generator.get_state()


def set_rng_state(new_state: dict[str, Any]) -> None:
    default_generator.set_state(new_state)


def _rng(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator).numpy


def _float_dtype(op: str, dtype: Any) -> np.dtype:
    target = _dtype.default_float.numpy if dtype is None else _dtype.to_numpy_dtype(dtype)
    if target.kind != "f":
        raise TypeError(f"{op}: dtype must be floating point, got {target}")
    return target


def _finish(array: np.ndarray, requires_grad: bool, device: Any) -> Tensor:
    tensor = Tensor._make(array, None)
    if device is not None:
        tensor = tensor.to(device)
    return tensor.requires_grad_(True) if requires_grad else tensor


def rand(*size: Any, generator: Generator | None = None, dtype: Any = None,
         requires_grad: bool = False, device: Any = None) -> Tensor:
    """Uniform samples on [0, 1)."""
    target = _float_dtype("rand", dtype)
    shape = size_args("rand", size)
    draw_type = target if target in (np.float32, np.float64) else np.float64
    array = _rng(generator).random(shape, dtype=draw_type).astype(target, copy=False)
    return _finish(array, requires_grad, device)


def randn(*size: Any, generator: Generator | None = None, dtype: Any = None,
          requires_grad: bool = False, device: Any = None) -> Tensor:
    """Standard normal samples."""
    target = _float_dtype("randn", dtype)
    shape = size_args("randn", size)
    draw_type = target if target in (np.float32, np.float64) else np.float64
    array = _rng(generator).standard_normal(shape, dtype=draw_type).astype(target, copy=False)
    return _finish(array, requires_grad, device)


def randint(low: int, high: int | None = None, size: Any = None, *,
            generator: Generator | None = None, dtype: Any = None, device: Any = None) -> Tensor:
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
        raise ValueError(f"randint: high ({high}) must be greater than low ({low})")
    target = _dtype.int64.numpy if dtype is None else _dtype.to_numpy_dtype(dtype)
    shape = size_args("randint", (size,))
    array = _rng(generator).integers(low, high, shape).astype(target, copy=False)
    return _finish(array, False, device)


def randperm(n: int, *, generator: Generator | None = None, dtype: Any = None,
             device: Any = None) -> Tensor:
    """A random permutation of 0 … n−1."""
    int_arg("randperm", "n", n, minimum=0)
    target = _dtype.int64.numpy if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _finish(_rng(generator).permutation(n).astype(target), False, device)


def rand_like(tensor: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return rand(tensor.shape, dtype=dtype or tensor.dtype, requires_grad=requires_grad)


def randn_like(tensor: Tensor, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    return randn(tensor.shape, dtype=dtype or tensor.dtype, requires_grad=requires_grad)
