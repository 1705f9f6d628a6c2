"""Recording what a function does to arrays: `Traced`, an ndarray that writes every NumPy
operation applied to it into the active `Recording`.

A traced call runs the function for real, on real values, while every array it reads from
the outside (inputs, parameters, optimiser state, gradients) is a `Traced` view. NumPy hands
each ufunc (`np.add`, `x * y`, `x.sum()` …) to `__array_ufunc__` and each array function
(`np.matmul` is a ufunc; `np.concatenate`, `np.where`, … are functions) to
`__array_function__`, so the recording sees them all and the result is traced again. The
few ndarray methods that NumPy runs in C without asking (`reshape`, `astype`, `copy`,
indexing, …) are overridden here. Whatever else makes a new array from a traced one leaves a
`Traced` without a slot, and using it stops the trace (`TraceBreakError`): a result the recording
did not see can never be replayed as a stale constant.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Traced", "Recording", "TraceBreakError", "CheckFailedError", "Step", "active"]


class TraceBreakError(Exception):
    """The traced function did something a replay could not repeat faithfully."""


class CheckFailedError(Exception):
    """A value check of the traced call (`if target.max() >= classes: raise …`) comes out
    the other way in a replay: the call must run eagerly (and raise, as eager would)."""


class _Check:
    """A step that re-asks a yes/no question the traced call asked of its data."""

    __slots__ = ("expected",)

    def __init__(self, expected: bool) -> None:
        self.expected = expected

    def __call__(self, value: Any) -> None:
        if bool(value) is not self.expected:
            raise CheckFailedError


class _Equals:
    """A step that re-reads a number the traced call took from its data (`int(x.max())`)."""

    __slots__ = ("expected",)

    def __init__(self, expected: Any) -> None:
        self.expected = expected

    def __call__(self, value: Any) -> None:
        if value.item() != self.expected:
            raise CheckFailedError


class _ShapeIs:
    """A step that checks a value's data-dependent shape."""

    __slots__ = ("expected",)

    def __init__(self, expected: tuple[int, ...]) -> None:
        self.expected = expected

    def __call__(self, value: Any) -> None:
        if np.shape(value) != self.expected:
            raise CheckFailedError


@dataclass
class Step:
    """One recorded operation: `outputs = function(*args, **kwargs)`. In args and kwargs a
    `Slot` stands for a value of the program, anything else is a constant."""

    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    outputs: tuple[int, ...]        # slots the result fills (() for in-place steps)
    label: str = ""
    many: bool = False              # the function returns a sequence of arrays


@dataclass(frozen=True)
class Slot:
    """A value of the recorded program, by number."""

    index: int


@dataclass
class Recording:
    """The steps of one traced call, and where each slot's value comes from."""

    steps: list[Step] = field(default_factory=list)
    #: slot -> the outside array it was read from (an input or a piece of state)
    sources: dict[int, np.ndarray] = field(default_factory=dict)
    #: slot -> a constant array met during the trace (made by untraced code)
    constants: dict[int, np.ndarray] = field(default_factory=dict)
    slot_count: int = 0
    #: why the trace stopped (the call then finishes eagerly, unrecorded), or None
    broken: str | None = None
    #: the first step that wrote into an outside array (after it, a check cannot fail safely)
    first_outside_write: int | None = None
    by_identity: dict[int, int] = field(default_factory=dict)   # id(outside array) -> slot
    keep_alive: list[Any] = field(default_factory=list)
    #: slot -> (shape, dtype) of its value in the trace (for `scalar.py`'s specialisation)
    meta: dict[int, tuple[tuple[int, ...], np.dtype]] = field(default_factory=dict)
    #: slot -> the step that made it
    producer: dict[int, int] = field(default_factory=dict)
    #: slots some step wrote into (in place), so far
    written_slots: set[int] = field(default_factory=set)
    #: some check comes after a write into the state (a replay then backs the state up)
    late_checks: bool = False
    #: checks every replay asks first: (the steps they need, in order; the check)
    hoisted: list[tuple[list[int], Step]] = field(default_factory=list)
    #: source slots that some step wrote into
    written_sources: set[int] = field(default_factory=set)
    #: in-place changes (by id of tensor) that eager steps inside the program count again
    excluded_bumps: dict[int, int] = field(default_factory=dict)
    #: constant slot -> the array itself (the constant is its copy when first seen)
    constant_objects: dict[int, np.ndarray] = field(default_factory=dict)
    #: constant slots that views were made of (a replay always starts them from a copy)
    viewed_roots: set[int] = field(default_factory=set)
    #: slots whose value in the trace was C-contiguous (a preallocated buffer keeps that)
    contiguous: set[int] = field(default_factory=set)

    def stop(self, reason: str) -> None:
        if self.broken is None:
            self.broken = reason

    def note_write(self, target: Any) -> None:
        """A step is about to write into `target`: is it (a view of) an outside array? An
        untraced target gets its slot now, so that its constant is taken before the write."""
        if not isinstance(target, np.ndarray):
            return
        if type(target) is not Traced and self.broken is None:
            try:
                self.written_slots.add(self.slot_of(target).index)
            except TraceBreakError as reason:
                self.stop(str(reason))
        elif isinstance(target, Traced) and target._slot is not None:
            self.written_slots.add(target._slot)
        plain = np.ndarray.view(target, np.ndarray)  # asked of NumPy, not recorded
        for slot, source in self.sources.items():
            if np.may_share_memory(plain, source):
                self.written_sources.add(slot)
                if self.first_outside_write is None:
                    self.first_outside_write = len(self.steps)

    def hoist(self, check: Step) -> bool:
        """A check asked after the state changed whose value comes, through steps without
        side effects, from arrays nothing wrote into so far (the targets' range check of a
        loss after BatchNorm updated its running statistics): every replay asks it first,
        before any write, recomputing what it needs. False where that is not so."""
        cone: list[int] = []
        pending = [check.args[0].index]
        seen: set[int] = set()
        while pending:
            slot = pending.pop()
            if slot in seen:
                continue
            seen.add(slot)
            if slot in self.written_slots or slot in self.written_sources:
                return False
            if slot in self.sources or slot in self.constants:
                continue
            index = self.producer.get(slot)
            if index is None or len(cone) >= _HOIST_LIMIT:
                return False
            step = self.steps[index]
            if step.function is _strided_view:
                return False
            cone.append(index)
            pending += _slots_in((step.args, tuple(step.kwargs.values())))
        self.hoisted.append((sorted(cone), check))
        return True

    def check_shape(self, value: Any) -> None:
        """`value`'s shape came from the data (`x[mask]`, `np.nonzero`): every replay checks
        it, and one whose data give another shape runs eagerly. After the state changed a
        replay could not back out: the trace stops."""
        if not isinstance(value, Traced) or value._slot is None or self.broken is not None:
            return
        if self.first_outside_write is not None:
            self.stop("a shape that depends on the values, after the state changed")
            return
        self.steps.append(Step(_ShapeIs(value.shape), (Slot(value._slot),), {}, (),
                               f"shape is {value.shape}"))

    def new_slot(self) -> int:
        self.slot_count += 1
        return self.slot_count - 1

    def source(self, array: np.ndarray) -> Traced:
        """A traced view of an outside array (an input or state), read at every replay."""
        slot = self.by_identity.get(id(array))
        if slot is None:
            slot = self.new_slot()
            self.sources[slot] = array
            self.meta[slot] = (array.shape, array.dtype)
            self.by_identity[id(array)] = slot
            self.keep_alive.append(array)
        return _wrap(array, slot)

    def slot_of(self, value: Any) -> Any:
        """The recorded form of an operand: a Slot for arrays, the value for constants."""
        if isinstance(value, Traced):
            slot = value._slot
            if slot is None:
                raise TraceBreakError("an array was made from a traced one by an operation the "
                                 "recording could not see")
            return Slot(slot)
        if isinstance(value, np.ndarray):
            # An array made by untraced code during the trace (a mask, a table of zeros) or
            # an outside array that was not found among the state: kept as a constant.
            slot = self.by_identity.get(id(value))
            if slot is None:
                self._refuse_views_of_traced(value)
                slot = self._view_of_constant(value)
            return Slot(slot)
        if isinstance(value, (list, tuple)):
            return type(value)(self.slot_of(v) for v in value)
        return value

    def _constant(self, value: np.ndarray) -> int:
        slot = self.new_slot()
        self.meta[slot] = (value.shape, value.dtype)
        self.constants[slot] = value.copy()  # as first seen: steps may write into it
        self.constant_objects[slot] = value
        self.by_identity[id(value)] = slot
        self.keep_alive.append(value)
        return slot

    def _view_of_constant(self, value: np.ndarray) -> int:
        """A slot for an untraced array. A view (`padded[..., ::2]` of a buffer of zeros that
        a rule then writes through) becomes a step that makes the same view of its root's
        slot, so that replayed writes reach the root as they did in the trace."""
        root: Any = value
        while getattr(root, "base", None) is not None:
            root = root.base
        if root is value or not isinstance(root, np.ndarray) or not root.flags.c_contiguous:
            return self._constant(value)
        root_slot = self.by_identity.get(id(root))
        if root_slot is None:
            root_slot = self._constant(root)
        self.viewed_roots.add(root_slot)
        offset = (value.__array_interface__["data"][0] -
                  root.__array_interface__["data"][0])
        slot = self.new_slot()
        self.steps.append(Step(_strided_view, (Slot(root_slot), value.shape, value.dtype,
                                               offset, value.strides), {}, (slot,), "view"))
        self.by_identity[id(value)] = slot
        self.keep_alive.append(value)
        return slot

    def _refuse_views_of_traced(self, value: np.ndarray) -> None:
        """A plain view of a traced or outside array (`np.asarray(traced)`) would be replayed
        as a stale constant."""
        base = value.base
        while base is not None:  # through ndarrays and as_strided's interface holders
            if isinstance(base, Traced) or any(base is a for a in self.sources.values()):
                raise TraceBreakError("a plain view of a traced array was used")
            base = getattr(base, "base", None)

    def record(self, function: Callable[..., Any], args: tuple[Any, ...],
               kwargs: dict[str, Any], result: Any, label: str = "") -> Any:
        """Adds a step and returns `result` with its arrays traced (after a break: as it is)."""
        if self.broken is not None:
            return result
        try:
            recorded_args_kwargs = (tuple(self.slot_of(a) for a in args),
                                    {k: self.slot_of(v) for k, v in kwargs.items()})
        except TraceBreakError as reason:
            self.stop(str(reason))
            return result
        recorded_args, recorded_kwargs = recorded_args_kwargs
        if isinstance(result, tuple):
            wrapped = tuple(self._fresh(r) for r in result)
            outputs = tuple(_known(w._slot) for w in wrapped)
            self.producer.update((o, len(self.steps)) for o in outputs)
            self.steps.append(Step(function, recorded_args, recorded_kwargs, outputs, label,
                                   many=True))
            return wrapped
        if result is None:
            self.steps.append(Step(function, recorded_args, recorded_kwargs, (), label))
            return None
        wrapped_one = self._fresh(result)
        self.producer[_known(wrapped_one._slot)] = len(self.steps)
        self.steps.append(Step(function, recorded_args, recorded_kwargs,
                               (_known(wrapped_one._slot),), label))
        return wrapped_one

    def _fresh(self, value: Any) -> Traced:
        array = value if isinstance(value, np.ndarray) else np.asarray(value)
        if type(array) is Traced:
            array = np.ndarray.view(array, np.ndarray)
        slot = self.new_slot()
        self.meta[slot] = (array.shape, array.dtype)
        if array.flags.c_contiguous:
            self.contiguous.add(slot)
        return _wrap(array, slot)


_ACTIVE: list[Recording] = []
#: The most steps a hoisted check may recompute.
_HOIST_LIMIT = 32


def _slots_in(value: Any) -> list[int]:
    if isinstance(value, Slot):
        return [value.index]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _slots_in(v)]
    return []


def _known(slot: int | None) -> int:
    assert slot is not None, "a fresh value always has a slot"
    return slot


def active() -> Recording:
    if not _ACTIVE:
        # A traced array kept past its trace: record into a recording nobody reads.
        return Recording(broken="used outside its trace")
    return _ACTIVE[-1]


def _wrap(array: np.ndarray, slot: int) -> Traced:
    traced = np.ndarray.view(array, Traced)
    traced._slot = slot
    return traced


def _plain(value: Any) -> Any:
    if isinstance(value, Traced):
        if value._slot is None and _ACTIVE:
            _ACTIVE[-1].stop("an array was made from a traced one by an operation the "
                             "recording could not see")
        return np.ndarray.view(value, np.ndarray)
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    return value


def _call(function: Callable[..., Any], label: str, *args: Any, **kwargs: Any) -> Any:
    """Runs `function` on the plain arrays and records it."""
    result = function(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()})
    return active().record(function, args, kwargs, result, label)


class Traced(np.ndarray):
    """An ndarray whose operations are recorded (see the module docstring)."""

    _slot: int | None

    def __array_finalize__(self, obj: Any) -> None:
        # Made by NumPy without asking us (a view, a copy in C): no slot until recorded.
        self._slot = None

    # ------------------------------------------------------------------ the two protocols
    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if out is not None:
            function = ufunc if method == "__call__" else getattr(ufunc, method)
            return _in_place(function, f"{ufunc.__name__}.{method}", inputs, kwargs, out)
        if method == "at":  # np.add.at(a, indices, b): in place on a
            recording = active()
            recording.note_write(inputs[0])
            function = getattr(ufunc, method)
            function(*_plain(inputs))
            recording.record(function, inputs, {}, None, f"{ufunc.__name__}.at")
            return None
        function = ufunc if method == "__call__" else getattr(ufunc, method)
        return _call(function, f"{ufunc.__name__}.{method}", *inputs, **kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        if "out" in kwargs and kwargs["out"] is not None:
            return _in_place(func, func.__name__, args, kwargs, kwargs["out"])
        if func in _WRITES_FIRST:  # np.copyto(dst, src), np.put, …: in place on the first
            active().note_write(args[0])
        result = func(*_plain(args), **{k: _plain(v) for k, v in kwargs.items()})
        if result is None and func in _WRITES_FIRST:
            return active().record(func, args, kwargs, None, func.__name__)
        if isinstance(result, list):
            result = tuple(result)
            return list(active().record(func, args, kwargs, result, func.__name__))
        if func in _METADATA:  # a dtype, a shape: the same at every replay of this signature
            return result
        if func in _DATA_SHAPED:
            recorded = active().record(func, args, kwargs, result, func.__name__)
            for part in recorded if isinstance(recorded, tuple) else (recorded,):
                active().check_shape(part)
            return recorded
        if not isinstance(result, (np.ndarray, np.generic, tuple)):
            active().stop(f"np.{func.__name__} of a traced array gave a Python value")
            return result
        return active().record(func, args, kwargs, result, func.__name__)

    # ------------------------------------------------------------------ methods NumPy runs in C
    def reshape(self, *shape: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return _call(_method("reshape"), "reshape", self, *shape, **kwargs)

    def transpose(self, *axes: Any) -> Any:  # type: ignore[override]
        return _call(_method("transpose"), "transpose", self, *axes)

    @property
    def T(self) -> Any:  # type: ignore[override]  # noqa: N802 - NumPy's name
        return _call(_method("transpose"), "T", self)

    def swapaxes(self, a: int, b: int) -> Any:  # type: ignore[override]
        return _call(_method("swapaxes"), "swapaxes", self, a, b)

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return _call(_method("astype"), "astype", self, dtype, *args, **kwargs)

    def copy(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return _call(_method("copy"), "copy", self, *args, **kwargs)

    def ravel(self, *args: Any) -> Any:  # type: ignore[override]
        return _call(np.ravel, "ravel", self, *args)

    def squeeze(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return _call(np.squeeze, "squeeze", self, *args, **kwargs)

    def argmax(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return _call(np.argmax, "argmax", self, *args, **kwargs)

    def argmin(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return _call(np.argmin, "argmin", self, *args, **kwargs)

    def dot(self, other: Any, *args: Any) -> Any:  # type: ignore[override]
        return _call(np.dot, "dot", self, other, *args)

    def __getitem__(self, index: Any) -> Any:
        result = _call(_getitem, "getitem", self, _index(index))
        parts = index if isinstance(index, tuple) else (index,)
        if any(isinstance(p, Traced) and p.dtype == bool for p in parts):
            active().check_shape(result)  # x[mask]: as many rows as the mask's trues
        return result

    def __setitem__(self, index: Any, value: Any) -> None:
        recording = active()
        recording.note_write(self)
        _setitem(_plain(self), _plain(_index(index)), _plain(value))
        recording.record(_setitem, (self, _index(index), value), {}, None, "setitem")

    def fill(self, value: Any) -> None:
        self.__setitem__(Ellipsis, value)

    # ------------------------------------------------------------------ values leave the trace
    def _leaves(self, what: str) -> None:
        active().stop(f"{what} of a traced array: the function's result would depend on a "
                      "value the trace would fix")

    def _guarded(self, what: str, value: Any) -> Any:
        """A Python number read from the data before the state changed (a bounds check's
        `int(ids.max())`): replays compare the number again and run eagerly when it differs;
        after the state changed no replay could back out, so the trace stops."""
        recording = active()
        check = Step(_Equals(value), (Slot(_known(self._slot)),), {}, (),
                     f"value is {value!r}") if self._slot is not None else None
        if recording.first_outside_write is None:
            recording.record(_Equals(value), (self,), {}, None, f"value is {value!r}")
        elif check is None or not recording.hoist(check):
            self._leaves(what)
        return value

    def item(self, *args: Any) -> Any:
        return self._guarded(".item()", np.ndarray.item(_plain(self), *args))

    def tolist(self) -> Any:  # type: ignore[override]
        self._leaves(".tolist()")
        return np.ndarray.tolist(_plain(self))

    def __bool__(self) -> bool:
        value = bool(_plain(self))
        recording = active()
        check = Step(_Check(value), (Slot(_known(self._slot)),), {}, (), f"check is {value}") \
            if self._slot is not None else None
        if recording.first_outside_write is None:
            # a check (`if x.max() >= n: raise`): replays ask it again
            recording.record(_Check(value), (self,), {}, None, f"check is {value}")
        elif check is None:
            self._leaves("bool() after the state changed")
        elif not recording.hoist(check):
            # asked where it was asked; a replay that answers otherwise puts the state back
            # (glue.py) and runs eagerly
            recording.record(_Check(value), (self,), {}, None, f"check is {value}")
            recording.late_checks = True
        return value

    def __float__(self) -> float:
        return self._guarded("float()", float(_plain(self)))

    def __int__(self) -> int:
        return self._guarded("int()", int(_plain(self)))

    def __index__(self) -> int:
        return self._guarded("an index from", _plain(self).__index__())

    def __iter__(self) -> Any:
        return iter([self[i] for i in range(len(self))])

    def __reduce__(self) -> Any:
        self._leaves("pickling")
        return _plain(self).__reduce__()



#: NumPy functions whose result depends on dtypes and shapes only, which guards fix.
_METADATA = frozenset({np.result_type, np.ndim, np.shape, np.size, np.iscomplexobj,
                       np.isrealobj, np.min_scalar_type, np.can_cast})

#: NumPy functions whose result's shape depends on the values (checked at every replay)
_DATA_SHAPED = frozenset({np.nonzero, np.flatnonzero, np.argwhere, np.unique, np.compress,
                          np.extract})

#: NumPy functions that write into their first argument and return None.
_WRITES_FIRST = frozenset({np.copyto, np.put, np.place, np.putmask, np.put_along_axis,
                           np.fill_diagonal})

# ndarray methods that NumPy runs in C, some returning plain arrays (nonzero) or working in
# place (sort): each is recorded as the unbound method applied to the plain array.
_C_METHODS = ("sort", "put", "partition", "resize", "nonzero", "searchsorted", "compress",
              "choose", "trace", "diagonal", "repeat", "take", "cumsum", "cumprod", "round",
              "clip", "std", "var", "ptp", "argsort", "argpartition", "flatten", "max", "min",
              "sum", "mean", "prod", "any", "all", "conj", "conjugate")


def _recorded_method(name: str) -> Callable[..., Any]:
    def method(self: Traced, *args: Any, **kwargs: Any) -> Any:
        result = _call(_method(name), name, self, *args, **kwargs)
        if name in ("nonzero", "compress"):
            for part in result if isinstance(result, tuple) else (result,):
                active().check_shape(part)
        return result
    method.__name__ = name
    return method


for _name in _C_METHODS:
    setattr(Traced, _name, _recorded_method(_name))


def _method(name: str) -> Callable[..., Any]:
    method = getattr(np.ndarray, name)

    def call(array: Any, *args: Any, **kwargs: Any) -> Any:
        # A replay's 0-d values may come back from NumPy as scalars: give them their array.
        if not isinstance(array, np.ndarray):
            array = np.asarray(array)
        return method(array, *args, **kwargs)
    call.method_name = name  # type: ignore[attr-defined]  # program.py lowers it
    return call


def _strided_view(root: np.ndarray, shape: Any, dtype: Any, offset: int, strides: Any
                  ) -> np.ndarray:
    return np.ndarray(shape, dtype, buffer=root, offset=offset, strides=strides)


_getitem = operator.getitem
_setitem = operator.setitem


def _index(index: Any) -> Any:
    """An index with its arrays kept (traced ones are operands of the step)."""
    return index


def _in_place(function: Callable[..., Any], label: str, inputs: Any, kwargs: dict[str, Any],
              out: Any) -> Any:
    """A step that writes into `out` (a traced array or an outside one)."""
    recording = active()
    for target in out if isinstance(out, tuple) else (out,):
        recording.note_write(target)
    result = function(*_plain(tuple(inputs)), **{k: _plain(v) for k, v in kwargs.items()})
    recording.record(function, tuple(inputs), kwargs, None, label)
    del result
    outs = out if isinstance(out, tuple) else (out,)
    return outs[0] if len(outs) == 1 else outs
