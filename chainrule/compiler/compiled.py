"""`CompiledFunction`: a function traced once per input signature and replayed after.

The life of one signature (input shapes, strides, dtypes, `requires_grad`, grad mode):
1. the first call runs eagerly: optimisers make their state, lazy things settle;
2. the second call runs for real while a `Recording` notes every array operation
   (`tracer.py`); it yields a `Program`, straight-line NumPy (`program.py`);
3. the third call checks the program: it replays it, puts every tensor back as it was, runs
   the function eagerly, and compares everything (results, parameters, gradients, state);
   any difference, however small, and the function stays eager for this signature, with one
   warning;
4. from then on, each call checks the guards (hyperparameters, train/eval modes, the
   tensors' shapes and dtypes) and replays: no Tensor or gate object is made, except the
   gradients' and the results' own tensors, which eager mode makes too.
A trace that meets something it cannot replay (`.item()`, `bool()` of a tensor, a random
draw, a change to an optimiser's step count, …) finishes eagerly and leaves the signature
eager, with one warning naming the reason: PyTorch's "graph break", without the partial
graphs.
"""

from __future__ import annotations

import warnings
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine import version
from ..engine.grad_mode import state as grad_state
from ..engine.sparse import SparseRows
from ..engine.variable import Variable
from ..tensor import Tensor
from . import state as state_module
from .glue import RESULT, build_call
from .guards import Guard, build_guard
from .opaque import eager_steps
from .optimize import optimize, with_buffers
from .patches import patched
from .program import Program, build, exclusive, written_constants
from .scalar import build_scalar
from .tracer import _ACTIVE, CheckFailedError, Recording, Traced

__all__ = ["CompiledFunction"]

#: Signatures kept per function, as torch._dynamo's recompile limit.
CACHE_LIMIT = 8
#: Every compiled function alive, for `cr.compiler.reset()`.
_LIVE: weakref.WeakSet[CompiledFunction] = weakref.WeakSet()


@dataclass
class _Binding:
    """Where a slot's value goes after a replay: a tensor's array or its gradient."""

    tensor: Any                      # a state tensor, or the position of an argument tensor
    attribute: str                   # "_array" or "_grad"
    slot: int | None                 # None: the gradient is cleared
    #: a row-sparse gradient: `slot` holds its rows; (values' slot, shape, coalesced)
    sparse: tuple[int | None, tuple[int, ...], bool] | None = None


@dataclass
class _Entry:
    calls: int = 0
    traces: int = 0
    failed_checks: int = 0      # replays in a row whose value checks sent them to eager
    checked: bool = False
    program: Program | None = None
    eager_reason: str | None = None
    found: state_module.Found | None = None
    guard: Guard | None = None
    call: Any = None                                             # glue.build_call's
    #: optimisers whose step runs eagerly inside the replay (opaque.py)
    eager_optimizers: list[Any] = field(default_factory=list)
    #: untraced arrays a replay writes copies of: eager must not change them either
    watched: list[Any] = field(default_factory=list)
    glue_source: str = ""
    tensors: list[Variable] = field(default_factory=list)      # the state, not the arguments
    arguments: int = 0                                           # tensors among the arguments
    source_of: dict[int, Any] = field(default_factory=dict)     # slot -> tensor or position
    bindings: list[_Binding] = field(default_factory=list)
    bumps: list[tuple[Any, int]] = field(default_factory=list)  # (tensor or position, times)
    result_shape: Any = None


class CompiledFunction:
    """What `cr.compile(fn)` returns; call it as you would call `fn`."""

    def __init__(self, function: Callable[..., Any], fullgraph: bool = False) -> None:
        self.function = function
        self.fullgraph = fullgraph
        self._entries: OrderedDict[Any, _Entry] = OrderedDict()
        self._warned: set[str] = set()
        #: calls answered by a replay (no Tensor or gate object made), for tests and tuning
        self.replays = 0
        _LIVE.add(self)

    @property
    def _orig_mod(self) -> Any:
        """What was compiled (PyTorch's OptimizedModule names it so)."""
        return self.function

    def __getattr__(self, name: str) -> Any:
        # A compiled Module still answers as the Module (`.parameters()`, `.eval()`, …).
        if name == "function":
            raise AttributeError(name)
        return getattr(self.function, name)

    def reset(self) -> None:
        """Forgets every trace: the next calls start again from call 1."""
        self._entries.clear()
        self._warned.clear()

    @property
    def program(self) -> Program | None:
        """The most recently used replay program (its `.source` is readable), or None."""
        for entry in reversed(self._entries.values()):
            if entry.program is not None:
                return entry.program
        return None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        key = _signature(args, kwargs)
        entry = self._entries.get(key)
        if entry is None:
            if len(self._entries) >= CACHE_LIMIT:
                self._eager_warning(f"more than {CACHE_LIMIT} input signatures (the cache "
                                    "limit); new ones run eagerly")
                return self.function(*args, **kwargs)
            entry = self._entries[key] = _Entry()
        self._entries.move_to_end(key)
        entry.calls += 1
        if entry.eager_reason is not None or entry.calls == 1:
            return self.function(*args, **kwargs)
        if entry.program is not None and entry.guard is not None and \
                not entry.guard.holds():
            entry.program = None   # a hyperparameter, a mode or a tensor changed: trace again
            entry.traces += 1
            if entry.traces > CACHE_LIMIT:
                entry.eager_reason = f"its guards failed more than {CACHE_LIMIT} times"
                self._eager_warning(entry.eager_reason)
                return self.function(*args, **kwargs)
        if entry.program is None:
            return self._trace(entry, args, kwargs)
        if not entry.checked:
            entry.checked = True
            return self._check(entry, args, kwargs)
        try:
            result = _replay(entry, args, kwargs)
            self.replays += 1
            entry.failed_checks = 0
            return result
        except CheckFailedError:  # before any outside array changed: run it as eager would
            self._count_failed_check(entry)
            return self.function(*args, **kwargs)

    def _count_failed_check(self, entry: _Entry) -> None:
        """One more replay in a row sent to eager by a value check; past CACHE_LIMIT of them
        (a shape or value that follows the data, like an embedding gradient's touched rows)
        the signature stays eager, so calls stop paying for replays that fail."""
        entry.failed_checks += 1
        if entry.failed_checks > CACHE_LIMIT:
            entry.eager_reason = (f"its value checks failed in {entry.failed_checks} replays "
                                  "in a row (a data-dependent shape or value that changes "
                                  "from call to call)")
            self._eager_warning(entry.eager_reason)

    # ------------------------------------------------------------------ trace
    def _trace(self, entry: _Entry, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        found = state_module.discover(self.function, args, kwargs)
        arguments = _unique(_tensors_in((args, kwargs)))
        state = [t for t in _unique(found.tensors) if all(t is not a for a in arguments)]
        tensors = arguments + state
        recording = Recording()
        before = {id(t): (t._array, t._grad, version.current(t)) for t in tensors}
        eager = eager_steps(found.optimizers, Tensor._make)
        traced_found = state_module.Found(found.tensors, found.modules, [
            o for o in found.optimizers if all(o is not e for e in eager.optimizers)])
        python_before = state_module.python_state(traced_found)
        generators_before = _generator_states()
        source_of: dict[int, Any] = {}
        hidden = _hide_sparse(tensors)
        for position, t in enumerate(tensors):
            t._array = recording.source(t._array)
            source_of.setdefault(t._array._slot, position if position < len(arguments) else t)
        _ACTIVE.append(recording)
        result = None
        try:
            with patched(), eager:
                result = self.function(*args, **kwargs)
        finally:  # also when the function raised: every tensor gets its plain array back
            _ACTIVE.pop()
            everything = _unique([*tensors, *_grads(tensors), *_tensors_in(result)])
            finals = {id(t): t._array for t in everything}
            for t in everything:
                if isinstance(t._array, Traced):
                    t._array = _original(t, recording)
            finals.update(_untrace_sparse(tensors))
            for grad, rows, values in hidden:
                grad.rows, grad.values = rows, values
        recording.excluded_bumps = eager.bumps
        reason = recording.broken or _changed(
            python_before, state_module.python_state(traced_found), generators_before,
            _generator_states())
        if reason is None:
            entry.arguments = len(arguments)
            reason = _plan(entry, recording, tensors, before, finals, result, source_of)
        if reason is not None:
            entry.eager_reason = reason
            self._eager_warning(reason)
            return result
        entry.found = found
        entry.checked = False
        entry.guard = build_guard(found, entry.tensors, self.function, live=eager.optimizers)
        entry.eager_optimizers = eager.optimizers
        return result

    def _check(self, entry: _Entry, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """The first replay, compared with an eager run from the same state."""
        from ..random import default_generator

        tensors = _unique(_tensors_in((args, kwargs))) + entry.tensors
        snapshot = _snapshot(tensors)
        generator_state = default_generator.get_state()
        counts = [(state, {k: v for k, v in state.items() if not isinstance(v, Variable)})
                  for optimizer in entry.eager_optimizers for state in optimizer.state.values()]
        versions = [None if t._version is None else list(t._version) for t in tensors]
        try:
            replayed = _replay(entry, args, kwargs, bump=False)
        except CheckFailedError:  # a value check failed before any array changed: this call
            entry.checked = False  # runs as eager would, and the next one is checked instead
            self._count_failed_check(entry)
            return self.function(*args, **kwargs)
        after_replay = _snapshot(tensors)
        _restore(tensors, snapshot)
        for state, numbers in counts:  # Adam's step counts, as before the replay
            state.update(numbers)
        for t, counter in zip(tensors, versions):  # eager steps in the replay counted too
            if t._version is not None:
                t._version[:] = counter or [0]
        default_generator.set_state(generator_state)  # the eager run draws the same numbers
        untouched = [array.copy() for array in entry.watched]
        result = self.function(*args, **kwargs)
        if any(not np.array_equal(a, b, equal_nan=True) for a, b in zip(untouched,
                                                                        entry.watched)):
            entry.program = None
            entry.eager_reason = ("it writes into an array it did not find among the state "
                                  "(a tensor reached some way the compiler does not follow)")
            self._eager_warning(entry.eager_reason)
            return result
        approximate = entry.program is not None and entry.program.approximate
        difference = _compare(after_replay, _snapshot(tensors), approximate) or \
            _compare_results(replayed, result, approximate)
        if difference is not None:
            entry.program = None
            entry.eager_reason = f"its replay differed from the eager run ({difference})"
            self._eager_warning(entry.eager_reason)
        return result

    def _eager_warning(self, reason: str) -> None:
        if reason in self._warned:
            return
        self._warned.add(reason)
        name = getattr(self.function, "__qualname__", type(self.function).__name__)
        if self.fullgraph:  # torch.compile(fullgraph=True) raises at a graph break
            raise RuntimeError(f"cr.compile(fullgraph=True): {name} cannot be replayed: "
                               f"{reason}")
        warnings.warn(f"cr.compile: {name} runs eagerly: {reason}", stacklevel=3)


# ---------------------------------------------------------------------- planning a replay
def _plan(entry: _Entry, recording: Recording, tensors: list[Variable],
          before: dict[int, Any], finals: dict[int, Any], result: Any,
          source_of: dict[int, Any]) -> str | None:
    """Where every traced value goes after a replay; or why there is no replay."""
    bindings: list[_Binding] = []
    for position, t in enumerate(tensors):
        where = position if position < entry.arguments else t
        final = finals[id(t)]
        if not isinstance(final, Traced) or final._slot is None:
            return "a tensor's array was replaced by one the recording did not see"
        if recording.sources.get(final._slot) is not before[id(t)][0]:
            bindings.append(_Binding(where, "_array", final._slot))
        grad = t._grad
        if grad is before[id(t)][1]:
            continue
        if grad is None:
            bindings.append(_Binding(where, "_grad", None))
            continue
        grad_final = finals.get(id(grad))
        if isinstance(grad, SparseRows) and isinstance(grad_final, tuple):
            bindings.append(_Binding(where, "_grad", grad_final[0]._slot, (
                grad_final[1]._slot, grad.shape, grad.coalesced)))
            continue
        if not isinstance(grad_final, Traced) or grad_final._slot is None:
            return "a gradient was made by an operation the recording did not see"
        bindings.append(_Binding(where, "_grad", grad_final._slot))
    out_slots = []
    for t in _tensors_in(result):
        final = finals.get(id(t))
        if not isinstance(final, Traced) or final._slot is None:
            return "it returns a tensor the recording did not see being made"
        if t.grad_fn is not None and not _graph_used(t, bindings, tensors, recording):
            return ("it returns a tensor whose graph a later backward() would need (compile "
                    "the whole training step, with backward() and step() inside)")
        out_slots.append(final._slot)
    changes = [(position if position < entry.arguments else t, version.current(t) -
                before[id(t)][2] - recording.excluded_bumps.get(id(t), 0))
               for position, t in enumerate(tensors)]
    entry.bumps = [(where, times) for where, times in changes if times > 0]
    entry.tensors = tensors[entry.arguments:]
    entry.source_of = source_of
    entry.bindings = bindings
    try:
        entry.result_shape = _shape_of(result)
    except TypeError as why:
        return str(why)
    maybe = tuple(s for b in bindings if b.slot is not None
                  for s in ((b.slot,) if b.sparse is None else (b.slot, b.sparse[0])))
    returned = tuple(s for s in maybe + tuple(out_slots) if s is not None)
    if len(returned) != len(maybe) + len(out_slots):
        return "a row-sparse gradient was made by an operation the recording did not see"
    changed = _changed_unseen(recording)
    if changed is not None:
        return changed
    entry.watched = [recording.constant_objects[s] for s in written_constants(recording)
                     if s in recording.constant_objects]
    rewritten, slots = optimize(recording, returned)
    program = exclusive(build(with_buffers(rewritten, slots), slots), build(rewritten, slots))
    entry.program = build_scalar(recording, returned, program) or program
    entry.glue_source, entry.call = build_call(
        entry.program, source_of, [(b.tensor, b.attribute, b.slot, b.sparse)
                                   for b in bindings],
        entry.bumps, entry.result_shape, Tensor._make,
        tuple(sorted(recording.written_sources)) if recording.late_checks else ())
    return None


def _changed_unseen(recording: Recording) -> str | None:
    """An untraced array the function only read, changed by code the recording did not
    see (a replay would read it as it is then, not as the steps needed it)."""
    written = set(written_constants(recording))
    for slot, first_seen in recording.constants.items():
        now = recording.constant_objects.get(slot)
        if slot not in written and now is not None and not np.array_equal(
                now, first_seen, equal_nan=True):
            return "an array it read was changed by an operation the recording did not see"
    return None


def _graph_used(tensor: Variable, bindings: list[_Binding], tensors: list[Variable],
                recording: Recording) -> bool:
    """Did a backward pass run through the graph of `tensor` during the trace (a gradient
    was set or changed)? Its result (the loss of a training step) then comes back without a
    graph, as eager's could not be used for a second backward either."""
    from ..engine.gate import FREED

    gradients = {id(t._grad) for t in tensors if t._grad is not None}
    written = {id(recording.sources[slot]) for slot in recording.written_sources}
    if any(id(t._grad._array) in written for t in tensors if isinstance(t._grad, Variable)):
        return True  # accumulated in place
    return tensor.grad_fn.saved_tensors is FREED or any(
        b.attribute == "_grad" and b.slot is not None or
        b.attribute == "_array" and id(b.tensor) in gradients for b in bindings)


def _replay(entry: _Entry, args: tuple[Any, ...], kwargs: dict[str, Any],
            bump: bool = True) -> Any:
    arguments = _unique(_tensors_in((args, kwargs))) if entry.arguments else ()
    return entry.call(arguments, bump)


# ---------------------------------------------------------------------- helpers
def _signature(args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    if not args and not kwargs:  # a training step over its closure
        return grad_state.grad_enabled

    def one(value: Any) -> Any:
        if isinstance(value, Variable):  # strides: a replay's buffers follow the layout
            return ("tensor", value._array.shape, value._array.strides,
                    value._array.dtype.str, value._requires_grad)
        if isinstance(value, (list, tuple)):
            return tuple(one(v) for v in value)
        if isinstance(value, dict):
            return tuple(sorted((k, one(v)) for k, v in value.items()))
        if isinstance(value, (int, float, str, bool, type(None))):
            return value
        return ("object", id(value))
    return one(args), one(kwargs), grad_state.grad_enabled


def _tensors_in(value: Any) -> list[Variable]:
    found: list[Variable] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Variable):
            found.append(item)
        elif isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
    return found


def _unique(tensors: list[Variable]) -> list[Variable]:
    seen: dict[int, Variable] = {}
    for t in tensors:
        seen.setdefault(id(t), t)
    return list(seen.values())


def _hide_sparse(tensors: list[Variable]) -> list[tuple[SparseRows, Any, Any]]:
    """Row-sparse gradients held from before the call: their arrays become traced arrays
    without a slot, so that using them stops the trace (a replay would read them stale);
    dropping them (zero_grad) is fine. Returns what to put back."""
    hidden = []
    for t in tensors:
        grad = t._grad
        if isinstance(grad, SparseRows):
            hidden.append((grad, grad.rows, grad.values))
            grad.rows = np.ndarray.view(grad.rows, Traced)
            grad.values = np.ndarray.view(grad.values, Traced)
    return hidden


def _untrace_sparse(tensors: list[Variable]) -> dict[int, tuple[Any, Any]]:
    """The traced rows and values of the row-sparse gradients the call made, which get
    their plain arrays back."""
    finals = {}
    for t in tensors:
        grad = t._grad
        if isinstance(grad, SparseRows) and isinstance(grad.rows, Traced):
            finals[id(grad)] = (grad.rows, grad.values)
            grad.rows = np.ndarray.view(grad.rows, np.ndarray)
            grad.values = np.ndarray.view(grad.values, np.ndarray)
    return finals


def _grads(tensors: list[Variable]) -> list[Variable]:
    return [t._grad for t in tensors if isinstance(t._grad, Variable)]


def _original(tensor: Variable, recording: Recording) -> Any:
    """The plain array behind a traced one: the outside array itself where it was one."""
    traced = tensor._array
    slot = traced._slot
    if slot is not None and slot in recording.sources:
        return recording.sources[slot]
    return np.ndarray.view(traced, np.ndarray)


def _changed(python_before: Any, python_after: Any, generators_before: Any,
             generators_after: Any) -> str | None:
    if python_before != python_after:
        return ("the optimiser's state changed in a way a replay cannot repeat (a step "
                "count kept as a Python number)")
    if generators_before != generators_after:
        return "it draws from NumPy's global generator (np.random.*), which a replay cannot"
    return None


def _generator_states() -> Any:
    """NumPy's legacy global generator (`np.random.rand`), which no replay could repeat.
    chainrule's own generator is drawn through `patches._RecordedDraws` while tracing."""
    state: Any = np.random.get_state()
    return hash((state[1].tobytes(), *state[2:]))


def _snapshot(tensors: list[Variable]) -> list[tuple[Any, Any, Any, Any]]:
    return [(t._array, t._array.copy(), t._grad, _gradient_values(t._grad)) for t in tensors]


def _gradient_values(grad: Any) -> Any:
    if grad is None:
        return None
    if isinstance(grad, SparseRows):  # not changed in place: compared densely
        return grad.to_dense()
    return grad._array.copy()


def _restore(tensors: list[Variable], snapshot: list[tuple[Any, Any, Any, Any]]) -> None:
    for t, (array, values, grad, grad_values) in zip(tensors, snapshot):
        t._array = array
        array[...] = values
        t._grad = grad
        if grad is not None and not isinstance(grad, SparseRows):
            grad._array[...] = grad_values


def _same(a: Any, b: Any, approximate: bool) -> bool:
    """Bit for bit; or, for a program computed otherwise (Python floats), to a few
    roundings of the dtype."""
    if not approximate:
        return bool(np.array_equal(a, b, equal_nan=True))
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    tolerance = 64 * float(np.finfo(a.dtype).eps) if a.dtype.kind == "f" else 0.0
    return bool(np.allclose(a, b, rtol=tolerance, atol=tolerance, equal_nan=True))


def _compare(replayed: list[Any], eager: list[Any], approximate: bool) -> str | None:
    for index, ((_, a, _, ga), (_, b, _, gb)) in enumerate(zip(replayed,
                                                                                 eager)):
        if not _same(a, b, approximate):
            return f"tensor {index}'s values"
        if (ga is None) != (gb is None) or ga is not None and not _same(ga, gb, approximate):
            return f"tensor {index}'s gradient"
    return None


def _compare_results(replayed: Any, eager: Any, approximate: bool) -> str | None:
    mine, theirs = _tensors_in(replayed), _tensors_in(eager)
    if len(mine) != len(theirs):
        return "the number of returned tensors"
    for a, b in zip(mine, theirs):
        if not _same(a._array, b._array, approximate):
            return "a returned tensor"
    return None


def _shape_of(result: Any) -> Any:
    """The result with its tensors replaced by a marker, to be rebuilt after a replay."""
    if isinstance(result, Variable):
        return RESULT
    if type(result) in (list, tuple):
        return type(result)(_shape_of(r) for r in result)
    if type(result) is dict:
        return {k: _shape_of(v) for k, v in result.items()}
    if isinstance(result, (list, tuple, dict)) and _tensors_in(result):
        raise TypeError(f"it returns tensors inside a {type(result).__name__}, which a replay "
                        "cannot rebuild (return a tuple, a list or a dict)")
    return result



