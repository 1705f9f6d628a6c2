"""`inference_mode`: PyTorch's faster cousin of `no_grad`, here the same thing with its name.

Inside `with cr.inference_mode():` (or a function decorated with it) nothing is recorded,
exactly as under `no_grad`; `is_inference_mode_enabled()` says whether one is active.
Unlike PyTorch, tensors made inside are ordinary tensors: they may be used in recorded
computations afterwards (PyTorch refuses that for "inference tensors").
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from .engine.grad_mode import state

__all__ = ["inference_mode", "is_inference_mode_enabled"]


class _InferenceState(threading.local):
    def __init__(self) -> None:
        self.depth = 0  # how many enabled inference_mode blocks are open on this thread


_inference = _InferenceState()


class inference_mode:  # noqa: N801 - PyTorch's name
    """A context manager and decorator that turns recording off (`mode=False`: on)."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # used bare, as `@inference_mode`
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self._previous: list[tuple[bool, int]] = []

    def __enter__(self) -> None:
        self._previous.append((state.grad_enabled, _inference.depth))
        if self.mode:
            state.grad_enabled = False
            _inference.depth += 1
        else:
            _inference.depth = 0

    def __exit__(self, *exc_info: object) -> None:
        state.grad_enabled, _inference.depth = self._previous.pop()

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with inference_mode(self.mode):
                return function(*args, **kwargs)

        return wrapper


def is_inference_mode_enabled() -> bool:
    """True inside an enabled `inference_mode` block."""
    return _inference.depth > 0
