"""Rewrites of a recording that change no value, bit for bit, made before `program.py`
writes it out. In the order they run:

- common steps shared: a step that repeats an earlier one on the same unchanged operands
  (the L2 term's `g * w`, met once for each factor of `w * w`) reuses its value;
- copies dropped: the copy of a fresh value that nothing else reads (eager copies the
  gradient it hands to `.grad`) is that value;
- constants folded: steps over nothing but constants (the backward pass's seed `ones(())`,
  its reshapes and broadcasts) run once, when the program is built;
- dead steps dropped: values nothing reads any more;
- buffers: every value a ufunc makes (products, sums, reductions, `matmul`) that stays
  inside the program and was C-contiguous in the trace is written into a buffer allocated
  once (NumPy's `out=`), shared with values whose lives do not overlap. A replay then
  allocates only what it hands out: the gradients and the results (`with_buffers`, apart,
  since a program with buffers must not run in two threads at once).

The analysis is conservative. A value made by anything but a ufunc or a copy may be a view
of any of its operands (its `roots`); writing into a value writes into all its roots; a
rewrite that cannot be shown safe is not made. NumPy's ufuncs give the same values with
`out=` as without, also when `out` is one of the operands. A recording with hoisted checks
(whose steps run twice) is left as it is.
"""

from __future__ import annotations

import operator
import struct
from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from .program import _lowered
from .tracer import Recording, Slot, Step, _Check, _Equals, _ShapeIs, _slots_in, _strided_view

__all__ = ["optimize", "with_buffers"]

_CHECKS = (_Check, _Equals, _ShapeIs)
#: ndarray methods (recorded through tracer._method) without side effects
_PURE_METHODS = frozenset({"reshape", "transpose", "swapaxes", "astype", "copy", "sum", "max",
                           "min", "mean", "prod"})
#: ...of which these always return a new array
_FRESH_METHODS = frozenset({"copy", "sum", "max", "min", "mean", "prod"})
_PURE_FUNCTIONS = (np.broadcast_to, np.ones, np.zeros, np.full, np.ravel, np.squeeze,
                   np.expand_dims, np.reshape, np.transpose, np.swapaxes)
_FRESH_FUNCTIONS = (np.ones, np.zeros, np.full)
#: the root every outside array (source or constant) shares
_OUTSIDE = -1


def optimize(recording: Recording, returned: tuple[int, ...]
             ) -> tuple[Recording, tuple[int, ...]]:
    """The recording rewritten (a copy; `recording` is not changed) and the slots that now
    hold the values of `returned`."""
    if recording.hoisted or recording.broken is not None:
        return recording, returned
    steps = list(recording.steps)
    rename: dict[int, int] = {}
    steps = _share_common(steps, _Flow(recording, steps, returned), rename)
    returned = tuple(rename.get(r, r) for r in returned)
    steps = _drop_copies(steps, _Flow(recording, steps, returned), rename)
    returned = tuple(rename.get(r, r) for r in returned)
    steps = _fold_constants(steps, _Flow(recording, steps, returned))
    steps = _drop_dead(steps, returned)
    return replace(recording, steps=steps), returned


def with_buffers(recording: Recording, returned: tuple[int, ...]) -> Recording:
    """The recording with its temporaries written into buffers it holds (the last rewrite:
    a program built from it must not run in two threads at once, see `program.exclusive`)."""
    if recording.hoisted or recording.broken is not None:
        return recording
    steps = [_lowered(step, recording) for step in recording.steps]
    return replace(recording, steps=_give_buffers(steps, _Flow(recording, steps, returned)))


# ---------------------------------------------------------------------- what a step does
def _reducer(function: Any) -> bool:
    """`np.add.reduce` and the like: a ufunc's bound reduction."""
    return isinstance(getattr(function, "__self__", None), np.ufunc) and \
        getattr(function, "__name__", "") in ("reduce", "accumulate")


def _method_name(function: Any) -> str | None:
    """The ndarray method a step calls (through tracer._method, or unbound after
    program._lowered), or None."""
    if getattr(function, "__objclass__", None) is np.ndarray:  # lowered
        return str(function.__name__)
    return getattr(function, "method_name", None)


def _pure(step: Step) -> bool:
    """No side effect, and no error that depends on the data (a fancy index may raise)."""
    if not step.outputs or step.many or step.kwargs.get("out") is not None:
        return False
    function = step.function
    if isinstance(function, np.ufunc) or _reducer(function):
        return True
    if _method_name(function) in _PURE_METHODS:
        return True
    if function is operator.getitem:
        return not _slots_in(step.args[1:])
    return any(function is f for f in _PURE_FUNCTIONS)


def _allocates(step: Step) -> bool:
    """The step's value is always a new array, a view of nothing."""
    function = step.function
    if step.kwargs.get("out") is not None:
        return False
    if isinstance(function, np.ufunc) or _reducer(function):
        return True
    return _method_name(function) in _FRESH_METHODS or \
        any(function is f for f in _FRESH_FUNCTIONS)


def _keeps_shape(step: Step) -> bool:
    """The step's value has a shape fixed by its operands' shapes and its constants."""
    function = step.function
    if isinstance(function, np.ufunc) or _reducer(function) or function is _strided_view:
        return True
    if _method_name(function) in _PURE_METHODS or function is operator.getitem:
        return True  # an index by a mask is followed by a shape check (tracer.py)
    return any(function is f for f in _PURE_FUNCTIONS)


def _reads(step: Step) -> list[int]:
    return _slots_in((step.args, tuple(step.kwargs.values())))


def _written(step: Step) -> list[int]:
    """Slots the step may write into: its `out=`; the first operand of an in-place step;
    every operand of a step that is not NumPy's (an optimiser's eager step updates the
    parameters and their state while it returns values)."""
    if isinstance(step.function, _CHECKS):
        return []
    out = step.kwargs.get("out")
    if out is not None:
        targets = out if isinstance(out, tuple) else (out,)
    elif not step.outputs:
        targets = step.args[:1]
    elif _numpys(step.function):
        return []
    else:
        return _reads(step)
    return [t.index for t in targets if isinstance(t, Slot)]


def _numpys(function: Any) -> bool:
    """A NumPy function, ufunc or ufunc method, an ndarray method, or the tracer's view
    and index steps: none writes into its operands unless given `out=`."""
    if isinstance(function, np.ufunc) or isinstance(getattr(function, "__self__", None),
                                                     np.ufunc):
        return True
    if _method_name(function) is not None or function is operator.getitem or \
            function is _strided_view:
        return True
    return str(getattr(function, "__module__", "") or "").split(".")[0] == "numpy"


class _Flow:
    """Which storage each value may share (`roots`), which storage is ever written into,
    the last step that reads each storage, and the storage the program hands out."""

    def __init__(self, recording: Recording, steps: list[Step],
                 returned: tuple[int, ...]) -> None:
        # The outside arrays may share memory in another call (a tensor and a view of it
        # as two arguments), which the guards do not see: they share one root, _OUTSIDE.
        outside = (*recording.sources, *recording.constants)
        self.roots: dict[int, frozenset[int]] = {s: frozenset((s, _OUTSIDE)) for s in outside}
        self.fresh: set[int] = set()
        self.written: set[int] = set()
        self.last_read: dict[int, int] = {}
        #: values whose shape the guards fix (not one that follows the data, as bincount's)
        self.fixed_shape: set[int] = set(outside)
        for index, step in enumerate(steps):
            reads = _reads(step)
            read = frozenset().union(*(self.of(s) for s in reads))
            for root in read:
                self.last_read[root] = index
            for slot in _written(step):
                self.written |= self.of(slot)
            if isinstance(step.function, _ShapeIs):  # checked at every replay
                self.fixed_shape.update(reads)
            keeps_shape = _keeps_shape(step) and self.fixed_shape.issuperset(reads)
            for slot in step.outputs:
                if _allocates(step):
                    self.roots[slot] = frozenset((slot,))
                    self.fresh.add(slot)
                else:  # perhaps a view of any operand
                    self.roots[slot] = read | {slot}
                if keeps_shape:
                    self.fixed_shape.add(slot)
        self.escaping = frozenset().union(*(self.of(s) for s in returned))
        self.meta = recording.meta
        self.contiguous = recording.contiguous

    def shape(self, slot: int) -> tuple[int, ...]:
        return self.meta.get(slot, ((), None))[0]

    def of(self, slot: int) -> frozenset[int]:
        return self.roots.get(slot, frozenset((slot,)))


def _mapped(value: Any, change: Callable[[Slot], Any]) -> Any:
    """`value` with `change(slot)` for every Slot in it (in tuples, lists and slices)."""
    if isinstance(value, Slot):
        return change(value)
    if isinstance(value, (tuple, list)):
        return type(value)(_mapped(v, change) for v in value)
    if isinstance(value, slice):
        return slice(_mapped(value.start, change), _mapped(value.stop, change),
                     _mapped(value.step, change))
    return value


def _renamed(value: Any, rename: dict[int, int]) -> Any:
    return _mapped(value, lambda slot: Slot(rename.get(slot.index, slot.index)))


def _with_operands(step: Step, change: Any) -> Step:
    return replace(step, args=change(step.args),
                   kwargs={k: change(v) for k, v in step.kwargs.items()})


# ---------------------------------------------------------------------- the rewrites
def _share_common(steps: list[Step], flow: _Flow, rename: dict[int, int]) -> list[Step]:
    """Drops a step that repeats an earlier one on operands nothing wrote into between the
    two, when neither value is ever written into and not both are handed out (two
    gradients must stay two arrays)."""
    kept: list[Step] = []
    seen: dict[Any, int] = {}
    epochs: defaultdict[int, int] = defaultdict(int)   # root -> writes into it so far
    for step in steps:
        step = _with_operands(step, lambda v: _renamed(v, rename))
        key = _key(step, flow, epochs) if len(step.outputs) == 1 and (
            _pure(step) or step.function is operator.getitem and not step.many) else None
        if key is not None and key in seen:
            earlier, slot = seen[key], step.outputs[0]
            both = flow.of(earlier) | flow.of(slot)
            if not both & flow.written and not (flow.of(earlier) & flow.escaping and
                                                flow.of(slot) & flow.escaping):
                rename[slot] = earlier
                continue
        for slot in _written(step):
            for root in flow.of(slot):
                epochs[root] += 1
        if key is not None:
            seen.setdefault(key, step.outputs[0])
        kept.append(step)
    return kept


def _key(step: Step, flow: _Flow, epochs: dict[int, int]) -> Any:
    """What makes two steps give the same value: the function, and the operands with the
    number of writes each operand's storage has had."""

    def part(value: Any) -> Any:
        if isinstance(value, Slot):
            return ("slot", value.index,
                    tuple(sorted((r, epochs.get(r, 0)) for r in flow.of(value.index))))
        if isinstance(value, (tuple, list)):
            return (type(value).__name__, tuple(part(v) for v in value))
        if isinstance(value, slice):
            return ("slice", part(value.start), part(value.stop), part(value.step))
        if isinstance(value, float):  # by its bits: 0.0 and -0.0, NaNs of either sign differ
            return ("float", struct.pack("<d", value))
        if isinstance(value, np.generic):
            return ("scalar", value.dtype.str, value.tobytes())
        if isinstance(value, np.dtype):
            return ("dtype", value.str)
        if value is None or value is Ellipsis or type(value) in (bool, int, str):
            return (type(value).__name__, value)
        return ("object", id(value))

    function = step.function
    return (_method_name(function) or id(function), part(step.args),
            tuple(sorted((k, part(v)) for k, v in step.kwargs.items())))


def _drop_copies(steps: list[Step], flow: _Flow, rename: dict[int, int]) -> list[Step]:
    """`b = a.copy()` where `a` is a fresh C-contiguous array that nothing reads after the
    copy and that is not handed out: `b` is `a` itself."""
    kept: list[Step] = []
    for index, step in enumerate(steps):
        step = _with_operands(step, lambda v: _renamed(v, rename))
        if _method_name(step.function) == "copy" and not step.kwargs and \
                len(step.args) == 1 and isinstance(step.args[0], Slot):
            copied = step.args[0].index
            if copied in flow.fresh and copied in flow.contiguous and \
                    flow.shape(copied) != () and copied not in flow.escaping and \
                    flow.last_read.get(copied) == index:
                rename[step.outputs[0]] = copied
                continue
        kept.append(step)
    return kept


def _fold_constants(steps: list[Step], flow: _Flow) -> list[Step]:
    """Runs, once, the side-effect-free steps whose operands are all known at build time,
    and puts their values into the steps that read them."""
    known: dict[int, Any] = {}

    def substitute(value: Any) -> Any:
        return _mapped(value, lambda slot: known.get(slot.index, slot))

    kept: list[Step] = []
    for step in steps:
        reads = _reads(step)
        if _pure(step) and all(r in known for r in reads) and not any(
                flow.of(o) & (flow.written | flow.escaping) for o in step.outputs):
            folded = _with_operands(step, substitute)
            known[step.outputs[0]] = folded.function(*folded.args, **folded.kwargs)
            continue
        kept.append(_with_operands(step, substitute) if any(r in known for r in reads)
                    else step)
    return kept


def _drop_dead(steps: list[Step], returned: tuple[int, ...]) -> list[Step]:
    live = set(returned)
    kept: list[Step] = []
    for step in reversed(steps):
        if _pure(step) and not live.intersection(step.outputs):
            continue
        live.update(_reads(step))
        kept.append(step)
    kept.reverse()
    return kept


def _give_buffers(steps: list[Step], flow: _Flow) -> list[Step]:
    """Linear-scan allocation: a value a ufunc makes gets a buffer of its shape and dtype,
    free since the last read of the value that held it before. An elementwise ufunc may
    write over an operand it reads for the last time (NumPy handles the overlap)."""
    free: defaultdict[Any, list[np.ndarray]] = defaultdict(list)
    held: list[tuple[int, Any, np.ndarray]] = []     # (last read, (shape, dtype), buffer)
    kept: list[Step] = []
    for index, step in enumerate(steps):
        elementwise = isinstance(step.function, np.ufunc) and step.function is not np.matmul
        still_held = []
        for last, kind, buffer in held:
            if last < index or elementwise and last == index:
                free[kind].append(buffer)
            else:
                still_held.append((last, kind, buffer))
        held = still_held
        if not _takes_buffer(step, flow):
            kept.append(step)
            continue
        slot = step.outputs[0]
        shape, dtype = flow.meta[slot]
        kind = (shape, dtype.str)
        buffer = free[kind].pop() if free[kind] else np.empty(shape, dtype)
        held.append((flow.last_read.get(slot, index), kind, buffer))
        kept.append(replace(step, kwargs={**step.kwargs, "out": buffer}))
    return kept


def _takes_buffer(step: Step, flow: _Flow) -> bool:
    function = step.function
    if len(step.outputs) != 1 or step.many or step.kwargs.get("out") is not None:
        return False
    if not (isinstance(function, np.ufunc) and function.nout == 1 and
            "where" not in step.kwargs or _reducer(function) and function.__name__ == "reduce"):
        return False
    slot = step.outputs[0]
    return slot in flow.fresh and slot in flow.contiguous and slot not in flow.escaping \
        and slot in flow.fixed_shape and flow.shape(slot) != () and \
        flow.meta[slot][1] != np.dtype(object)
