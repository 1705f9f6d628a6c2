"""Grad mode: whether operations are recorded into the graph.

This thread-local object is chainrule's one piece of global state. It holds the grad-mode
flag behind `no_grad()` and the anomaly-detection flag behind `detect_anomaly()`, so that
one thread evaluating a model under `no_grad()` does not stop another from training.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "state"]

F = TypeVar("F", bound=Callable[..., Any])


class _AutogradState(threading.local):
    """Per-thread flags; a new thread starts with recording on and anomaly detection off."""

    def __init__(self) -> None:
        self.grad_enabled = True
        self.anomaly_enabled = False


state = _AutogradState()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are recorded."""
    return state.grad_enabled


class _GradModeContext:
    """A context manager and decorator that sets grad mode and restores it on exit."""

    mode: bool = True

    def __init__(self) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(state.grad_enabled)
        state.grad_enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        state.grad_enabled = self._previous.pop()

    def __call__(self, function: F) -> F:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.__class__():
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Within this context, no operation is recorded and results never require grad.

    >>> import chainrule as cr
    >>> x = cr.ones(2, requires_grad=True)
    >>> with cr.no_grad():
    ...     y = x * 2
    >>> y.requires_grad
    False
    """

    mode = False


class enable_grad(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Turns recording back on inside a `no_grad()` block."""

    mode = True


class set_grad_enabled(_GradModeContext):  # noqa: N801 - PyTorch's name
    """Sets grad mode to `mode` at once; as a context manager it restores the old mode on exit."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = bool(mode)
        self._previous.append(state.grad_enabled)
        state.grad_enabled = self.mode

    def __enter__(self) -> None:
        pass

    def __call__(self, function: F) -> F:
        mode = self.mode
        state.grad_enabled = self._previous.pop()

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]
