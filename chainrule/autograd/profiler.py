"""`torch.autograd.profiler`: the time each operation takes, in a `with profile():` block.

    with cr.autograd.profiler.profile() as prof:
        z = (x / y) * w
    print(prof.key_averages().table(sort_by="self_cpu_time_total"))

Every operation is a gate's `apply` (`engine.gate`), so the profiler times those calls, with
Python's `sys.setprofile`, only while a block is open: outside one it costs nothing. An
event's total time includes the gates it calls (a composite op's parts); its self time does
not. `record_function(name)` adds a labelled range of the caller's own. Only CPU time is
measured (chainrule runs on NumPy); `use_cuda=` and the other recording options are
accepted and change nothing.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import Any

from ..engine.gate import Function, Gate

__all__ = ["profile", "record_function", "EventList", "FunctionEvent", "FunctionEventAvg"]

#: The code objects whose calls are operations: Gate.apply (ViewGate's calls it) and
#: Function.apply (custom gates).
_APPLY_CODES = {Gate.__dict__["apply"].__func__.__code__,
                Function.__dict__["apply"].__func__.__code__}
_COLUMNS = ("Name", "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg",
            "# of Calls")
_SORT_KEYS = {"self_cpu_time_total": "self_cpu_time_total", "cpu_time_total":
              "cpu_time_total", "cpu_time": "cpu_time", "count": "count",
              "self_cpu_time": "self_cpu_time_total"}


@dataclass
class FunctionEvent:
    """One timed call: its name, total and self time in microseconds."""

    name: str
    cpu_time_total: float = 0.0
    self_cpu_time_total: float = 0.0


@dataclass
class FunctionEventAvg:
    """The calls of one name together (`key_averages()`)."""

    key: str
    count: int = 0
    cpu_time_total: float = 0.0
    self_cpu_time_total: float = 0.0

    @property
    def cpu_time(self) -> float:
        """The average total time of one call, in microseconds."""
        return self.cpu_time_total / self.count if self.count else 0.0


class EventList(list):  # type: ignore[type-arg]
    """Events, or their averages, with PyTorch's `table()` and `key_averages()`."""

    @property
    def self_cpu_time_total(self) -> float:
        return sum(event.self_cpu_time_total for event in self)

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        """One `FunctionEventAvg` per name, in order of first call."""
        averages: dict[str, FunctionEventAvg] = {}
        for event in self:
            name = getattr(event, "name", None) or event.key
            average = averages.setdefault(name, FunctionEventAvg(name))
            average.count += getattr(event, "count", 1)
            average.cpu_time_total += event.cpu_time_total
            average.self_cpu_time_total += event.self_cpu_time_total
        return EventList(averages.values())

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_name_column_width: int = 55, **options: Any) -> str:
        """PyTorch's table: name, self and total CPU time (with shares), average, calls."""
        rows = list(self.key_averages())
        if sort_by is not None:
            if sort_by not in _SORT_KEYS:
                raise ValueError(f"table: cannot sort by {sort_by!r}; expected one of "
                                 f"{sorted(_SORT_KEYS)}")
            rows.sort(key=lambda row: getattr(row, _SORT_KEYS[sort_by]), reverse=True)
        rows = rows[:row_limit] if row_limit >= 0 else rows
        total = self.self_cpu_time_total or 1.0
        cells = [[row.key[:max_name_column_width],
                  f"{100 * row.self_cpu_time_total / total:.2f}%",
                  _microseconds(row.self_cpu_time_total),
                  f"{100 * row.cpu_time_total / total:.2f}%",
                  _microseconds(row.cpu_time_total), _microseconds(row.cpu_time),
                  str(row.count)] for row in rows]
        widths = [max([len(_COLUMNS[0]), *(len(cell[0]) for cell in cells)]) + 2,
                  *([12] * (len(_COLUMNS) - 1))]
        rule = "  ".join("-" * width for width in widths)
        lines = [rule, "  ".join(text.rjust(width) for text, width in zip(_COLUMNS, widths)),
                 rule]
        lines += ["  ".join(text.rjust(width) for text, width in zip(cell, widths))
                  for cell in cells]
        lines += [rule, f"Self CPU time total: {_microseconds(self.self_cpu_time_total)}", ""]
        return "\n".join(lines)


def _microseconds(value: float) -> str:
    if value >= 1e6:
        return f"{value / 1e6:.3f}s"
    if value >= 1e3:
        return f"{value / 1e3:.3f}ms"
    return f"{value:.3f}us"


@dataclass
class _Open:
    name: str
    started: int
    children: float = 0.0
    frame: Any = None


@dataclass
class _Recorder:
    events: EventList = field(default_factory=EventList)
    stack: list[_Open] = field(default_factory=list)

    def open(self, name: str, frame: Any = None) -> None:
        self.stack.append(_Open(name, time.perf_counter_ns(), frame=frame))

    def close(self) -> None:
        entry = self.stack.pop()
        elapsed = (time.perf_counter_ns() - entry.started) / 1e3
        self.events.append(FunctionEvent(entry.name, elapsed, elapsed - entry.children))
        if self.stack:
            self.stack[-1].children += elapsed


#: The profilers now recording (the innermost last).
_ACTIVE: list[_Recorder] = []


def _hook(frame: FrameType, event: str, arg: Any) -> None:
    if frame.f_code not in _APPLY_CODES or not _ACTIVE:
        return
    recorder = _ACTIVE[-1]
    if event == "call":
        gate = frame.f_locals.get("cls")
        recorder.open(str(getattr(gate, "label", None) or getattr(gate, "__name__", "gate")),
                      frame)
    elif event == "return" and recorder.stack and recorder.stack[-1].frame is frame:
        recorder.close()


class profile:  # noqa: N801 - PyTorch's name
    """Times every operation run inside the `with` block (see the module docstring)."""

    def __init__(self, enabled: bool = True, *, use_cuda: bool = False,
                 use_device: Any = None, record_shapes: bool = False,
                 with_flops: bool = False, profile_memory: bool = False,
                 with_stack: bool = False, with_modules: bool = False,
                 use_kineto: bool = False, use_cpu: bool = True, **options: Any) -> None:
        self.enabled = enabled
        self.use_cuda = use_cuda
        self._recorder = _Recorder()
        self._previous: Any = None

    def __enter__(self) -> profile:
        if self.enabled:
            self._previous = sys.getprofile()
            _ACTIVE.append(self._recorder)
            sys.setprofile(_hook)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.enabled:
            sys.setprofile(self._previous)
            _ACTIVE.remove(self._recorder)
            while self._recorder.stack:  # calls an exception left open
                self._recorder.close()

    @property
    def function_events(self) -> EventList:
        return self._recorder.events

    def key_averages(self, group_by_input_shape: bool = False,
                     group_by_stack_n: int = 0) -> EventList:
        return self._recorder.events.key_averages()

    def table(self, sort_by: str | None = None, row_limit: int = 100, **options: Any) -> str:
        return self._recorder.events.table(sort_by=sort_by, row_limit=row_limit, **options)

    @property
    def self_cpu_time_total(self) -> float:
        return self._recorder.events.self_cpu_time_total

    def __str__(self) -> str:
        return self.table()


class record_function:  # noqa: N801 - PyTorch's name
    """A labelled range in the open profilers' events (`with record_function("step"):`)."""

    def __init__(self, name: str, args: str | None = None) -> None:
        self.name = name

    def __enter__(self) -> record_function:
        if _ACTIVE:
            _ACTIVE[-1].open(self.name)
        return self

    def __exit__(self, *exc: Any) -> None:
        if _ACTIVE and _ACTIVE[-1].stack and _ACTIVE[-1].stack[-1].name == self.name:
            _ACTIVE[-1].close()
