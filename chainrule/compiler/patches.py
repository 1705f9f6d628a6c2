"""What NumPy does not hand to a traced array, made visible to the trace while it runs.

- `as_strided` makes its view through an interface object, never asking the array: the
  modules that use it get `traced_as_strided` instead (`AS_STRIDED_USERS`).
- `np.zeros`, `np.ones`, `np.full`, `np.empty` take no array to dispatch on: a buffer a
  rule makes with them and fills from traced values (`out = np.zeros(…); out[rows] = v`)
  would be filled in C, unseen. During a trace they make traced arrays, so every write into
  the buffer is a recorded step and a replay makes a fresh buffer.
- Random draws (`generator.numpy.random(shape)`, dropout's mask) come from a NumPy
  Generator held by a chainrule Generator: during a trace the default generator's `.numpy`
  is a `_RecordedDraws`, which draws for real and records a step that, at each replay,
  draws again from the generator's `.numpy` of that moment. A compiled run therefore draws
  the same numbers as an eager run from the same seed.
`patched()` does all three for the length of a trace. Not thread-safe: another thread using
NumPy meanwhile would make traced arrays too (recorded nowhere).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from .tracer import _ACTIVE, Traced, _call, active

__all__ = ["AS_STRIDED_USERS", "patched", "traced_as_strided"]

_as_strided = np.lib.stride_tricks.as_strided
#: Modules that import `as_strided`, which NumPy does not hand to `__array_function__`: a
#: trace swaps their name for `traced_as_strided` (`patched`).
AS_STRIDED_USERS = ("chainrule.ops.conv", "chainrule.ops._window")


def traced_as_strided(x: Any, shape: Any = None, strides: Any = None, subok: bool = False,
                      writeable: bool = True) -> Any:
    """`as_strided`, recorded when `x` is traced (the replay makes the same view of its own
    array, whose layout the same steps make the same)."""
    if isinstance(x, Traced):
        return _call(_as_strided, "as_strided", x, shape, strides, writeable=writeable)
    return _as_strided(x, shape, strides, subok=subok, writeable=writeable)


#: NumPy's creation functions, which take no array to dispatch on (see the docstring).
_CREATORS: dict[str, Callable[..., Any]] = {"zeros": np.zeros, "ones": np.ones,
                                            "full": np.full, "empty": np.empty}


def _traced_creator(name: str, create: Callable[..., Any]) -> Callable[..., Any]:
    def traced(*args: Any, **kwargs: Any) -> Any:
        result = create(*args, **kwargs)
        if not _ACTIVE:
            return result
        return active().record(create, args, kwargs, result, name)
    traced.__name__ = name
    return traced


_TRACED_CREATORS = {name: _traced_creator(name, create) for name, create in _CREATORS.items()}


#: The draws of a NumPy Generator that give arrays, recorded and replayed.
_DRAWS = frozenset({"random", "standard_normal", "normal", "uniform", "integers",
                    "permutation", "binomial", "exponential", "choice"})


def _draw(generator: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """A replay's draw: from the generator's NumPy Generator now (a manual_seed between
    calls replaces it)."""
    return getattr(generator.numpy, name)(*args, **kwargs)


class _RecordedDraws:
    """Stands for a chainrule Generator's `.numpy` during a trace (see the docstring)."""

    def __init__(self, generator: Any) -> None:
        self._generator = generator
        self._numpy = generator.numpy

    def __getattr__(self, name: str) -> Any:
        real = getattr(self._numpy, name)
        if name not in _DRAWS:
            active().stop(f"the random generator's {name}, which a replay cannot repeat")
            return real

        def draw(*args: Any, **kwargs: Any) -> Any:
            result = real(*args, **kwargs)
            if not isinstance(result, np.ndarray):
                active().stop(f"a random draw ({name}) that gives a Python number")
                return result
            return active().record(_draw, (self._generator, name, *args), kwargs, result,
                                   f"random.{name}")
        return draw


class patched:  # noqa: N801 - used as a `with` statement, like contextlib's helpers
    """`as_strided`, NumPy's creation functions and the default generator's draws made
    visible to the trace (see the module docstring), for the length of a `with`."""

    def __enter__(self) -> None:
        from ..random import default_generator

        self.modules = [importlib.import_module(name) for name in AS_STRIDED_USERS]
        for module in self.modules:
            module.as_strided = traced_as_strided  # type: ignore[attr-defined]
        for name, traced in _TRACED_CREATORS.items():
            setattr(np, name, traced)
        self.generator = default_generator
        self.numpy = default_generator.numpy
        self.draws = _RecordedDraws(default_generator)
        default_generator.numpy = self.draws  # type: ignore[assignment]

    def __exit__(self, *exc: Any) -> None:
        for module in self.modules:
            module.as_strided = _as_strided  # type: ignore[attr-defined]
        for name, create in _CREATORS.items():
            setattr(np, name, create)
        if self.generator.numpy is self.draws:
            self.generator.numpy = self.numpy
        elif _ACTIVE:  # reseeded inside the function
            active().stop("it reseeds the random generator")
