"""What a profile recorded, as `torch.autograd.profiler_util`: `FunctionEvent` (one timed
range: an op's forward, a backward node, a `record_function` block), `FunctionEventAvg` (the
events of one name summed, `key_averages()`), `EventList` (a list of either, with PyTorch's
`table()` layout) and the Chrome trace export. Times are in microseconds, as PyTorch's."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

__all__ = ["FunctionEvent", "FunctionEventAvg", "EventList", "format_time",
           "format_time_share"]


def format_time(time_us: float) -> str:
    """PyTorch's `_format_time`: seconds, milliseconds or microseconds, three decimals."""
    if time_us >= 1e6:
        return f"{time_us / 1e6:.3f}s"
    if time_us >= 1e3:
        return f"{time_us / 1e3:.3f}ms"
    return f"{time_us:.3f}us"


def format_time_share(time_us: float, total_time_us: float) -> str:
    if total_time_us == 0:
        return "NaN"
    return f"{time_us * 100.0 / total_time_us:.2f}%"


class _Timed:
    """The derived fields and their printed forms, shared by events and averages."""

    count: int
    cpu_time_total: float
    self_cpu_time_total: float

    @property
    def cpu_time(self) -> float:
        """The average CPU time per call (µs)."""
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def cpu_time_str(self) -> str:
        return format_time(self.cpu_time)

    @property
    def cpu_time_total_str(self) -> str:
        return format_time(self.cpu_time_total)

    @property
    def self_cpu_time_total_str(self) -> str:
        return format_time(self.self_cpu_time_total)

    # PyTorch's device fields: always zero here (chainrule computes on the CPU).
    device_time_total = self_device_time_total = cuda_time_total = self_cuda_time_total = 0.0
    cpu_memory_usage = self_cpu_memory_usage = 0
    device_memory_usage = self_device_memory_usage = 0
    use_device = None
    overload_name = ""
    flops = 0


class FunctionEvent(_Timed):
    """One recorded range: `name`, start and end (µs since the profile began), the thread,
    the input shapes (with record_shapes) and the enclosing range (`cpu_parent`)."""

    def __init__(self, id: int, name: str, thread: int, start_us: float,  # noqa: A002
                 input_shapes: list[list[int]] | None = None,
                 cpu_parent: FunctionEvent | None = None) -> None:
        self.id, self.name, self.thread = id, name, thread
        self.start_us, self.end_us = start_us, start_us
        self.input_shapes = input_shapes or []
        self.cpu_parent = cpu_parent
        self.cpu_children: list[FunctionEvent] = []
        self.count = 1
        self.is_user_annotation = False

    @property
    def key(self) -> str:
        return self.name

    @property
    def cpu_time_total(self) -> float:  # type: ignore[override]
        return self.end_us - self.start_us

    @property
    def self_cpu_time_total(self) -> float:  # type: ignore[override]
        return self.cpu_time_total - sum(child.cpu_time_total for child in self.cpu_children)

    def __repr__(self) -> str:
        return (f"<FunctionEvent id={self.id} name={self.name} "
                f"cpu_time={self.cpu_time_total_str} self_cpu_time="
                f"{self.self_cpu_time_total_str} input_shapes={self.input_shapes}>")


class FunctionEventAvg(_Timed):
    """The events of one key (name, and input shapes when grouped by them) added up."""

    def __init__(self) -> None:
        self.key = ""
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0
        self.input_shapes: list[list[int]] | None = None
        self.cpu_parent = None
        self.is_user_annotation = False

    def add(self, other: Any) -> FunctionEventAvg:
        if not self.count:
            self.key, self.input_shapes = other.key, other.input_shapes
            self.is_user_annotation = other.is_user_annotation
        self.count += other.count
        self.cpu_time_total += other.cpu_time_total
        self.self_cpu_time_total += other.self_cpu_time_total
        return self

    def __iadd__(self, other: Any) -> FunctionEventAvg:
        return self.add(other)

    def __repr__(self) -> str:
        return (f"<FunctionEventAvg key={self.key} self_cpu_time="
                f"{self.self_cpu_time_total_str} cpu_time={self.cpu_time_str} "
                f"input_shapes={self.input_shapes}>")


class EventList(list):  # type: ignore[type-arg]
    """A list of events or averages, with PyTorch's `table`, `key_averages`,
    `total_average`, `self_cpu_time_total` and `export_chrome_trace`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args)

    @property
    def self_cpu_time_total(self) -> float:
        return sum(event.self_cpu_time_total for event in self)

    def key_averages(self, group_by_input_shape: bool = False, group_by_stack_n: int = 0,
                     group_by_overload_name: bool = False) -> EventList:
        """One `FunctionEventAvg` per name (and input shapes, if asked), in the order each
        first ran."""
        averages: dict[Any, FunctionEventAvg] = {}
        for event in self:
            key = (event.key, str(event.input_shapes)) if group_by_input_shape else event.key
            averages.setdefault(key, FunctionEventAvg()).add(event)
        if not group_by_input_shape:  # as PyTorch: shapes are shown only when grouped
            for average in averages.values():
                average.input_shapes = ""  # type: ignore[assignment]
        return EventList(averages.values())

    def total_average(self) -> FunctionEventAvg:
        total = FunctionEventAvg()
        for event in self:
            total.add(event)
        total.key = "Total"
        return total

    def table(self, sort_by: str | None = None, row_limit: int = 100,
              max_src_column_width: int = 75, max_name_column_width: int = 55,
              max_shapes_column_width: int = 80, header: str | None = None,
              top_level_events_only: bool = False, time_unit: str | None = None) -> str:
        """PyTorch's table: Name, Self CPU %, Self CPU, CPU total %, CPU total, CPU time
        avg, # of Calls (and Input Shapes when recorded), sorted by `sort_by` (any event
        attribute: self_cpu_time_total, cpu_time_total, count, …), at most `row_limit`
        rows, then the line "Self CPU time total: …"."""
        return build_table(self, sort_by, row_limit, max_name_column_width,
                           max_shapes_column_width, header, top_level_events_only, time_unit)

    def export_chrome_trace(self, path: str) -> None:
        """Writes the events as Chrome trace JSON (chrome://tracing, Perfetto)."""
        events = [{"ph": "X", "cat": "cpu_op", "name": event.name, "pid": 0,
                   "tid": event.thread, "ts": event.start_us, "dur": event.cpu_time_total,
                   "args": {"Input Dims": event.input_shapes} if event.input_shapes else {}}
                  for event in self]
        with open(path, "w") as stream:
            json.dump({"traceEvents": events, "displayTimeUnit": "ms"}, stream)


def _scaled(time_us: float, unit: str | None) -> str:
    if unit == "s":
        return f"{time_us / 1e6:.3f}s"
    if unit == "ms":
        return f"{time_us / 1e3:.3f}ms"
    if unit == "us":
        return f"{time_us:.3f}us"
    return format_time(time_us)


def build_table(events: Iterable[Any], sort_by: str | None, row_limit: int,
                max_name_column_width: int, max_shapes_column_width: int, header: str | None,
                top_level_events_only: bool, time_unit: str | None) -> str:
    """The table in PyTorch's `_build_table` layout (CPU columns only)."""
    events = list(events)
    if not events:
        return ""
    if sort_by is not None:
        events = sorted(events, key=lambda event: getattr(event, sort_by), reverse=True)
    shapes = any(event.input_shapes for event in events)
    name_width = min(max(len(event.key) for event in events) + 4, max_name_column_width)
    columns = [("Name", name_width)] + [(title, 12) for title in (
        "Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls")]
    if shapes:
        shapes_width = min(max(len(str(event.input_shapes)) for event in events) + 4,
                           max_shapes_column_width)
        columns.append(("Input Shapes", shapes_width))
    row_format = "".join("{: >" + str(width) + "}  " for _, width in columns)
    separator = "".join("-" * width + "  " for _, width in columns)
    total = sum(event.self_cpu_time_total for event in events)
    lines = []
    if header is not None:
        lines += ["=" * (len(separator) - 2), header]
    if top_level_events_only:
        lines += ["=" * (len(separator) - 2),
                  "This report only display top-level ops statistics"]
    lines += [separator, row_format.format(*(title for title, _ in columns)), separator]
    shown = 0
    for event in events:
        if shown == row_limit:
            break
        if top_level_events_only and event.cpu_parent is not None:
            continue
        shown += 1
        name = event.key
        if len(name) >= max_name_column_width - 3:
            name = name[:max_name_column_width - 3] + "..."
        values = [name, format_time_share(event.self_cpu_time_total, total),
                  _scaled(event.self_cpu_time_total, time_unit),
                  format_time_share(event.cpu_time_total, total),
                  _scaled(event.cpu_time_total, time_unit), _scaled(event.cpu_time, time_unit),
                  event.count]
        if shapes:
            values.append(str(event.input_shapes)[:shapes_width])
        lines.append(row_format.format(*values))
    lines += [separator, f"Self CPU time total: {_scaled(total, time_unit)}"]
    return "".join(line + "\n" for line in lines)
