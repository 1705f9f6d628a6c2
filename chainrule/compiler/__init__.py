"""`cr.compile` (torch.compile) and `cr.compiler` (torch.compiler): a training step traced
once and replayed as straight-line NumPy.

    step = cr.compile(step)          # or @cr.compile above `def step(...)`

`compiled.py` says what happens on each call; `tracer.py` how a call is recorded and
`patches.py` what NumPy would not show it; `program.py` what a replay runs, `scalar.py` the
same on Python floats for 0-d graphs; `guards.py` what a replay checks first and `glue.py`
how its values go back onto the tensors; `state.py` finds the tensors a function reaches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .compiled import CompiledFunction

__all__ = ["compile", "CompiledFunction", "reset", "is_compiling", "disable"]


def compile(model: Callable[..., Any] | None = None, *, fullgraph: bool = False,  # noqa: A001
            dynamic: bool | None = None, backend: Any = "chainrule", mode: str | None = None,
            options: dict[str, Any] | None = None, disable: bool = False) -> Any:
    """PyTorch's `torch.compile` signature: a function (or a Module, called as it is) that
    runs traced and replayed; used bare as a decorator or with keywords. `dynamic`,
    `backend`, `mode` and `options` are accepted and change nothing; `disable=True` returns
    `model` itself."""
    if model is None:
        return lambda function: compile(function, fullgraph=fullgraph, dynamic=dynamic,
                                        backend=backend, mode=mode, options=options,
                                        disable=disable)
    if disable:
        return model
    if not callable(model):
        raise TypeError(f"compile: expected a function or a Module, got "
                        f"{type(model).__name__}")
    return CompiledFunction(model, fullgraph=fullgraph)


def reset() -> None:
    """Forgets every compiled function's traces (torch.compiler.reset)."""
    from .compiled import _LIVE

    for compiled in list(_LIVE):
        compiled.reset()


def is_compiling() -> bool:
    """True while a compiled function is being traced (torch.compiler.is_compiling)."""
    from .tracer import _ACTIVE

    return bool(_ACTIVE)


def disable(fn: Callable[..., Any] | None = None, recursive: bool = True) -> Any:
    """torch.compiler.disable: `fn` itself (chainrule compiles only what `compile` wraps)."""
    if fn is None:
        return lambda function: function
    return fn
