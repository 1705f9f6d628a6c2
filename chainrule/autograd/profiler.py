"""The profiler, as `torch.autograd.profiler`: `profile` (a context manager that times every
op's forward, every backward node and every `record_function` block) and `record_function`.

    >>> import chainrule as cr
    >>> x = cr.ones(2, 2, requires_grad=True)
    >>> with cr.autograd.profiler.profile() as prof:
    ...     with cr.autograd.profiler.record_function("step"):
    ...         (x * 2).sum().backward()
    >>> sorted(event.key for event in prof.key_averages())
    ['MulBackward0', 'SumBackward0', 'aten::mul', 'aten::sum', 'step']

It costs nothing while no profile is active: nothing is checked on the hot path. Entering
the first profile swaps in recording versions of `Gate.apply` (a forward is named as
PyTorch names the op, `aten::<label>`, e.g. `aten::mul`) and of every gate class's
`backward` (named as the node, `MulBackward0`, as `grad_fn.name()` gives); leaving the last
one puts the originals back. Gates defined while a profile runs are recorded by their
inherited rule only. Differences from PyTorch: no `autograd::engine::evaluate_function:`
wrapper rows, no `aten::` sub-ops of a gate (one gate is one row), no device or memory
columns (memory, flops, stack and module options are accepted and ignored).
"""

from __future__ import annotations

import contextlib
import functools
import threading
import time
from collections.abc import Callable
from typing import Any

from ..engine.gate import Gate
from ..engine.variable import Variable
from .profiler_util import EventList, FunctionEvent, FunctionEventAvg

__all__ = ["profile", "record_function", "EventList", "FunctionEvent", "FunctionEventAvg"]

#: The profiles now recording, innermost last (each records every range).
_ACTIVE: list[profile] = []
#: (class, original `backward` as stored in its __dict__) for every gate class wrapped.
_SWAPPED: list[tuple[type, Any]] = []
_ORIGINAL_APPLY = Gate.__dict__["apply"]


class _Range:
    """One open range in every active profile; `close()` ends it."""

    __slots__ = ("recorders", "events")

    def __init__(self, name: str, args: tuple[Any, ...] | None) -> None:
        self.recorders = tuple(_ACTIVE)  # those open now, even if one ends inside the range
        self.events = [recorder.open(name, args) for recorder in self.recorders]

    def close(self) -> None:
        for recorder, event in zip(self.recorders, self.events):
            recorder.close(event)


def _recording_apply(cls: type[Gate], *args: Any) -> Any:
    opened = _Range("aten::" + cls.label, args)
    try:
        return _ORIGINAL_APPLY.__func__(cls, *args)
    finally:
        opened.close()


def _recording_backward(rule: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(rule)
    def backward(ctx: Any, *grads: Any) -> Any:
        opened = _Range(ctx.name(), None)
        try:
            return rule(ctx, *grads)
        finally:
            opened.close()

    return backward


def _gate_classes() -> list[type]:
    """Gate and every subclass now defined (an explicit stack: no recursion)."""
    found: list[type] = []
    pending: list[type] = [Gate]
    while pending:
        cls = pending.pop()
        if cls not in found:
            found.append(cls)
            pending.extend(cls.__subclasses__())
    return found


def _install() -> None:
    Gate.apply = classmethod(_recording_apply)  # type: ignore[assignment,method-assign]
    for cls in _gate_classes():
        rule = cls.__dict__.get("backward")
        if isinstance(rule, staticmethod):
            _SWAPPED.append((cls, rule))
            cls.backward = staticmethod(_recording_backward(rule.__func__))  # type: ignore[attr-defined]


def _uninstall() -> None:
    Gate.apply = _ORIGINAL_APPLY  # type: ignore[method-assign]
    while _SWAPPED:
        cls, rule = _SWAPPED.pop()
        cls.backward = rule  # type: ignore[attr-defined]


def _shapes(args: tuple[Any, ...]) -> list[list[int]]:
    return [list(value.shape) if isinstance(value, Variable) else [] for value in args]


class profile:  # noqa: N801 - PyTorch's name
    """Records, while active, every op's forward, every backward node and every
    `record_function` range with its CPU time (total, and self: less the ranges inside).

    Use it as a context manager; afterwards `key_averages()` gives one row per name (with
    `.table(sort_by="self_cpu_time_total", row_limit=10)`), `events()` or
    `function_events` every range, and `export_chrome_trace(path)` writes Chrome's JSON.
    `enabled=False` records nothing; the CUDA, memory, flops, stack and module options are
    accepted for PyTorch's signature and ignored (chainrule runs on the CPU)."""

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False,
                 use_device: str | None = None, record_shapes: bool = False,
                 with_flops: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_modules: bool = False, use_kineto: bool = False,
                 use_cpu: bool = True, experimental_config: Any = None,
                 acc_events: bool = False, custom_trace_id_callback: Any = None,
                 post_processing_timeout_s: float | None = None,
                 activity_filters: Any = None) -> None:
        self.enabled = enabled
        self.record_shapes = record_shapes
        self.use_device = use_device
        self.entered = False
        self.function_events: EventList | None = None
        self._events: list[FunctionEvent] = []
        self._open: list[FunctionEvent] = []
        self._origin = 0

    # ------------------------------------------------------------------ recording
    def open(self, name: str, args: tuple[Any, ...] | None) -> FunctionEvent:
        """Starts a range (called by the recording wrappers)."""
        parent = self._open[-1] if self._open else None
        shapes = _shapes(args) if self.record_shapes and args is not None else None
        event = FunctionEvent(len(self._events), name, threading.get_ident(), 0.0, shapes,
                              parent)
        self._events.append(event)
        self._open.append(event)
        event.start_us = event.end_us = (time.perf_counter_ns() - self._origin) / 1000
        return event

    def close(self, event: FunctionEvent) -> None:
        event.end_us = (time.perf_counter_ns() - self._origin) / 1000
        if self._open and self._open[-1] is event:
            self._open.pop()
        if event.cpu_parent is not None:
            event.cpu_parent.cpu_children.append(event)

    def __enter__(self) -> profile:
        if not self.enabled:
            return self
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self.entered = True
        self._origin = time.perf_counter_ns()
        if not _ACTIVE:
            _install()
        _ACTIVE.append(self)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if not self.enabled or self not in _ACTIVE:
            return
        _ACTIVE.remove(self)
        if not _ACTIVE:
            _uninstall()
        self.function_events = EventList(self._events)

    # ------------------------------------------------------------------ results
    def _finished(self) -> EventList:
        if self.function_events is None:
            raise RuntimeError("Profiler didn't finish running")
        return self.function_events

    def events(self) -> EventList:
        return self._finished()

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """One `FunctionEventAvg` per name (and input shapes, if asked)."""
        return self._finished().key_averages(group_by_input_shape)

    def total_average(self) -> FunctionEventAvg:
        return self._finished().total_average()

    @property
    def self_cpu_time_total(self) -> float:
        return self._finished().self_cpu_time_total

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_src_column_width: int = 75, max_name_column_width: int = 55,
              max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False) -> str:
        """The table of every recorded range (not averaged), as PyTorch's `prof.table()`."""
        return self._finished().table(sort_by, row_limit, max_src_column_width,
                                      max_name_column_width, max_shapes_column_width, header,
                                      top_level_events_only)

    def export_chrome_trace(self, path: str) -> None:
        self._finished().export_chrome_trace(path)

    def __str__(self) -> str:
        return self.table() if self.function_events is not None else repr(self)


class record_function(contextlib.ContextDecorator):  # noqa: N801 - PyTorch's name
    """A named range in the profile (a context manager or a decorator); nothing is done
    when no profile is active."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name, self.args = name, args
        self._range: _Range | None = None

    def __enter__(self) -> record_function:
        if _ACTIVE:
            self._range = _Range(self.name, None)
            for event in self._range.events:
                event.is_user_annotation = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if self._range is not None:
            self._range.close()
            self._range = None
