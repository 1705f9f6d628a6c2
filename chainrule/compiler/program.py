"""A recording turned into straight-line Python: one line per NumPy call, no Tensor or gate
objects, no dispatch.

`Program.source` is readable (`print(compiled.program.source)`): `v7 = f3(v2, v5)` is step 3,
a NumPy function applied to slots 2 and 5; `s0` … are the arrays read from outside at each
call (inputs, parameters, state), `c4` … constants met during the trace (a fresh copy at
each call where a step writes into one).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .tracer import Recording, Slot, Step

__all__ = ["Program", "build", "exclusive"]


@dataclass
class Program:
    source: str
    run: Callable[..., tuple[Any, ...]]   # run(sources) -> the values of `returned`
    source_slots: tuple[int, ...]
    returned: tuple[int, ...]
    #: computed otherwise than eager computes it (Python floats): equal to float tolerance
    approximate: bool = False


def written_constants(recording: Recording) -> list[int]:
    """The constant slots a replay writes into (it starts them from a copy)."""
    written = _written_slots(recording)
    return [s for s in recording.constants if s in written or s in recording.viewed_roots]


def _written_slots(recording: Recording) -> set[int]:
    """Slots that some step changes in place (its `out=` or its first operand)."""
    written: set[int] = set()
    for step in recording.steps:
        if step.outputs:
            continue
        out = step.kwargs.get("out")
        targets = out if isinstance(out, tuple) else (out,) if out is not None else (
            step.args[:1])
        written.update(t.index for t in targets if isinstance(t, Slot))
    return written


def build(recording: Recording, returned: tuple[int, ...]) -> Program:
    """The replay function of `recording`, returning the values of the slots `returned`."""
    names: dict[str, Any] = {"np": np}
    lines: list[str] = []
    source_slots = tuple(sorted(recording.sources))
    written = _written_slots(recording)

    named_arrays: dict[int, str] = {}   # one name per array: a shared buffer reads as one

    def constant(value: Any) -> str:
        if value is None or value is Ellipsis or type(value) in (bool, int, str):
            return repr(value)
        if isinstance(value, np.ndarray) and id(value) in named_arrays:
            return named_arrays[id(value)]
        name = f"k{len(names)}"
        names[name] = value
        if isinstance(value, np.ndarray):
            named_arrays[id(value)] = name
        return name

    def operand(value: Any) -> str:
        if isinstance(value, Slot):
            return f"v{value.index}"
        if isinstance(value, tuple):
            inner = ", ".join(operand(v) for v in value)
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        if isinstance(value, list):
            return "[" + ", ".join(operand(v) for v in value) + "]"
        if isinstance(value, slice):
            return f"slice({operand(value.start)}, {operand(value.stop)}, {operand(value.step)})"
        return constant(value)

    lines.append(f"    ({', '.join(f'v{s}' for s in source_slots)}{',' if source_slots else ''}) "
                 "= sources")
    for slot, array in sorted(recording.constants.items()):
        if slot in written or slot in recording.viewed_roots:  # its contents as first seen
            names[f"c{slot}"] = array
            lines.append(f"    v{slot} = c{slot}.copy()")
        else:  # read as it is now: an outside array changed between calls is read new
            names[f"c{slot}"] = recording.constant_objects.get(slot, array)
            lines.append(f"    v{slot} = c{slot}")
    def line(name: str, step: Any) -> str:
        step = _lowered(step, recording)
        names[name] = step.function
        call = ", ".join([operand(a) for a in step.args] +
                         [f"{k}={operand(v)}" for k, v in step.kwargs.items()])
        targets = ", ".join(f"v{o}" for o in step.outputs)
        comment = f"  # {step.label}" if step.label else ""
        if not step.outputs:
            return f"    {name}({call}){comment}"
        if len(step.outputs) == 1 and not _returns_tuple(step):
            return f"    {targets} = {name}({call}){comment}"
        return f"    {targets}, = {name}({call}){comment}"

    for number, (cone, check) in enumerate(recording.hoisted):  # before any write
        lines += [line(f"f{index}", recording.steps[index]) for index in cone]
        lines.append(line(f"h{number}", check) + " (asked first)")
    for index, step in enumerate(recording.steps):
        lines.append(line(f"f{index}", step))
    lines.append(f"    return ({', '.join(f'v{r}' for r in returned)}"
                 f"{',' if returned else ''})")
    source = "def replay(sources):\n" + "\n".join(lines) + "\n"
    namespace: dict[str, Any] = dict(names)
    exec(compile(source, "<chainrule.compile>", "exec"), namespace)  # noqa: S102
    return Program(source, namespace["replay"], source_slots, returned)


def exclusive(buffered: Program, spare: Program) -> Program:
    """`buffered`, whose temporaries live in buffers it holds, run by one thread at a time:
    a call made while another thread is inside it (NumPy lets go of the GIL) runs `spare`,
    the same program allocating its temporaries, instead of waiting."""
    lock = threading.Lock()
    run_buffered, run_spare = buffered.run, spare.run

    def run(sources: Any) -> tuple[Any, ...]:
        if not lock.acquire(blocking=False):
            return run_spare(sources)
        try:
            return run_buffered(sources)
        finally:
            lock.release()
    return replace(buffered, run=run)


#: ndarray reductions whose NumPy method goes through Python (`_methods._sum`): the ufunc's
#: own reduce does the same in C
_REDUCES = {"sum": np.add.reduce, "max": np.maximum.reduce, "min": np.minimum.reduce}


def _lowered(step: Step, recording: Recording) -> Step:
    """The step with a cheaper function where the trace shows one applies: an ndarray
    method of an array with dimensions (never a NumPy scalar at replay) called unbound, and
    `x.sum(axis, keepdims=)` (the axis given by name or in place) as `np.add.reduce`."""
    name = getattr(step.function, "method_name", None)
    first = step.args[0] if step.args else None
    if name is None or not isinstance(first, Slot):
        return step
    shape = recording.meta.get(first.index, ((),))[0]
    if shape == ():
        return step
    if name in _REDUCES and len(step.args) <= 2 and set(step.kwargs) <= {"axis", "keepdims"} \
            and not (len(step.args) == 2 and "axis" in step.kwargs):
        axis = step.args[1] if len(step.args) == 2 else step.kwargs.get("axis")
        kwargs = {"axis": axis, "keepdims": step.kwargs.get("keepdims", False)}
        return replace(step, function=_REDUCES[name], args=step.args[:1], kwargs=kwargs)
    return replace(step, function=getattr(np.ndarray, name))


def _returns_tuple(step: Any) -> bool:
    return bool(step.many)
