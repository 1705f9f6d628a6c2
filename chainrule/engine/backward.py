"""The backward pass: the chain rule over the graph of gates, without recursion.

It counts, for every gate reachable from the outputs, how many edges lead into it, then runs
gates whose count has fallen to zero (HIPS autograd's design). So a gate runs only after all
the gradients that fan in to its output have been summed, which is reverse topological
order, and each summed gradient is popped as soon as its gate has used it. Where gradients
wait, and whether one may be added into in place, is `Gradients`' business alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..backends import module_for
from . import tensor_hooks, version
from .anomaly import first_non_finite
from .gate import FREED, Gate
from .grad_mode import state
from .sparse import SparseRows
from .variable import Variable

__all__ = ["run_backward", "Gradients", "Tracer"]

# A function called after each gate's rule, with (gate, upstream gradients, input gradients):
# how `viz.explain` sees the products of the chain rule as they are formed.
Tracer = Callable[[Gate, tuple[Any, ...], tuple[Any, ...]], None]


def run_backward(outputs: Sequence[Variable], output_grads: Sequence[Any], *,
                 retain_graph: bool, create_graph: bool,
                 capture: Sequence[Variable] | None = None,
                 tracer: Tracer | None = None) -> list[Any] | None:
    """Back-propagates `output_grads` from `outputs` through the graph.

    Without `capture`, gradients are accumulated into the `.grad` of every leaf reached (the
    `Tensor.backward` behaviour). With `capture`, nothing is accumulated: the gradients of the
    tensors in `capture` are returned, in order, None where no path reached one (the
    `autograd.grad` behaviour). With `create_graph` the rules run on tensors with grad mode
    on, so the pass is itself recorded and can be differentiated again.
    """
    dependencies, roots = _count_dependencies(outputs)
    grads = Gradients(create_graph, capture)
    grads.use_tensor_hooks(tensor_hooks.gate_hooks_exist(), tensor_hooks.leaf_hooks_exist())
    for output, gradient in zip(outputs, output_grads):
        grads.receive(output, gradient, (gradient,), 0, gradient)  # the caller's: never owned
    checked = create_graph or tracer is not None or state.anomaly_enabled or bool(grads.keep)
    ready = [gate for gate in roots if dependencies[gate] == 0]
    receive, pop, waiting = grads.receive, grads.pop, grads.waiting
    # Nothing to keep and no hooks: a one-output gate's upstream is a dict pop.
    plain_pop = not grads.keep and not grads.gate_hooks
    previous_mode, state.grad_enabled = state.grad_enabled, create_graph
    try:
        while ready:
            gate = ready.pop()
            upstream = waiting.pop(gate, None) if plain_pop and gate.output_meta is None \
                else pop(gate)
            inputs = gate.inputs
            input_grads = None
            if upstream is not None:
                if checked or gate.tensor_api or gate.retained or type(upstream) is tuple:
                    input_grads = _run_rule_checked(gate, upstream, create_graph, tracer)
                else:  # the hot path: a built-in gate with one output, on arrays
                    input_grads = gate.backward(gate, upstream)
                    if type(input_grads) is not tuple:
                        input_grads = (input_grads,)
                if len(input_grads) != len(inputs):
                    raise RuntimeError(f"backward of gate '{gate.label}' returned "
                                       f"{len(input_grads)} gradients, expected {len(inputs)} "
                                       "(one per forward argument, None where there is none)")
                if not retain_graph and gate.saved_tensors:
                    gate.saved_tensors = FREED
            for index, needed in enumerate(gate.needs_input_grad):
                if not needed:
                    continue
                value = inputs[index]
                if input_grads is not None:
                    gradient = input_grads[index]
                    if gradient is not None:
                        receive(value, gradient, input_grads, index, upstream)
                parent = value.grad_fn
                if parent is not None:
                    remaining = dependencies[parent] - 1
                    dependencies[parent] = remaining
                    if remaining == 0:
                        ready.append(parent)
                elif value._post_accumulate_hooks is not None and grads.into_leaves:
                    _leaf_edge_done(value, dependencies)
    finally:
        state.grad_enabled = previous_mode
    return grads.finish()


def slot_of(tensor: Variable) -> Any:
    """Where a tensor's gradient waits: its gate (or (gate, output) for gates with several
    outputs), or the leaf itself."""
    gate = tensor.grad_fn
    if gate is None:
        return tensor
    return gate if gate.output_meta is None else (gate, tensor._output_nr)


def _count_dependencies(outputs: Sequence[Variable]) -> tuple[dict[Any, int], list[Gate]]:
    """For each gate reachable from the outputs (and each leaf with post-accumulate hooks),
    the number of edges that lead into it."""
    dependencies: dict[Any, int] = {}
    roots = []
    for output in outputs:
        gate = output.grad_fn
        if gate is not None and gate not in dependencies:
            dependencies[gate] = 0
            roots.append(gate)
    stack = roots.copy()
    now = version.CHANGES[0]  # 0: nothing was ever changed in place, so nothing is stale
    while stack:
        gate = stack.pop()
        saved = gate.saved_tensors
        if saved is FREED:
            raise RuntimeError(
                f"backward: trying to go through the graph a second time, but gate "
                f"'{gate.label}' freed its saved values after the first backward. Pass "
                f"retain_graph=True to the first backward() (or autograd.grad) to keep them.")
        if now and saved and gate.changes_at != now and not gate.tensor_api:  # changed since
            version.check_saved(gate)
        for value, needed in zip(gate.inputs, gate.needs_input_grad):
            if needed:
                parent = value.grad_fn
                if parent is not None:
                    if parent in dependencies:
                        dependencies[parent] += 1
                    else:
                        dependencies[parent] = 1
                        stack.append(parent)
                elif value._post_accumulate_hooks is not None:  # counted to know when done
                    dependencies[value] = dependencies.get(value, 0) + 1
    return dependencies, roots


class Gradients:
    """The gradients waiting during one backward pass, and the rules for summing them.

    A gradient may be added into in place only when this pass owns it: a fresh array that a
    rule made, not the upstream passed through, not a view, not also sent to another input,
    not the caller's seed, never under create_graph (the sum must be recorded) and never a
    `SparseRows`. Everything else is summed out of place, and the sum is then owned.
    """

    __slots__ = ("waiting", "owned", "create_graph", "keep", "kept", "capture", "into_leaves",
                 "sent_ids", "gate_hooks", "leaf_hooks")

    def __init__(self, create_graph: bool, capture: Sequence[Variable] | None) -> None:
        self.waiting: dict[Any, Any] = {}
        self.owned: set[Any] = set()
        self.create_graph = create_graph
        self.capture = capture
        # A plain backward adds into a leaf's existing `.grad` as each gradient arrives.
        self.into_leaves = capture is None and not create_graph
        self.sent_ids: tuple[tuple[Any, ...], set[int]] | None = None
        # Non-leaf tensors whose gradients `autograd.grad` asked for: kept when popped.
        self.keep = {slot_of(t) for t in capture if t.grad_fn is not None} if capture else ()
        self.kept: dict[Any, Any] = {}
        self.gate_hooks = self.leaf_hooks = False

    def use_tensor_hooks(self, gate_hooks: bool, leaf_hooks: bool) -> None:
        """Tensor hooks (`Tensor.register_hook`) exist: run them as gradients are popped
        (non-leaf tensors) or finished (leaves, which then wait for the whole sum)."""
        self.gate_hooks = gate_hooks
        self.leaf_hooks = leaf_hooks
        if leaf_hooks:
            self.into_leaves = False

    def receive(self, target: Variable, gradient: Any, gradients: tuple[Any, ...], index: int,
                upstream: Any) -> None:
        """Adds `gradient`, which a rule (given `upstream`) made for `target` as its input
        `index` among `gradients`."""
        gate = target.grad_fn  # slot_of(target), inlined: this runs once per edge
        if gate is None:
            if self.into_leaves:
                existing = target._grad
                if existing is not None and existing.__class__ is not SparseRows and \
                        existing.grad_fn is None and not isinstance(gradient, _NOT_PLAIN):
                    existing._array += gradient  # the user's buffer: add now, hold nothing
                    return
                if target._post_accumulate_hooks is not None:  # complete before its hooks
                    _accumulate_into_leaf(target, gradient, owned=False)
                    return
            key: Any = target
        else:
            key = gate if gate.output_meta is None else (gate, target._output_nr)
        waiting = self.waiting
        previous = waiting.get(key)
        if previous is None:
            waiting[key] = gradient
            if (not self.create_graph and gradient is not upstream
                    and getattr(gradient, "base", 0) is None
                    and (index == 0 or self._sent_once(gradient, gradients, index))):
                self.owned.add(key)
        elif key in self.owned and not isinstance(gradient, SparseRows):
            previous += gradient  # reassigned: `+=` on a NumPy scalar makes a new object
            waiting[key] = previous
        else:
            waiting[key] = previous + gradient
            if not self.create_graph and not isinstance(waiting[key], SparseRows):
                self.owned.add(key)

    def _sent_once(self, gradient: Any, gradients: tuple[Any, ...], index: int) -> bool:
        """Whether no earlier input of the same rule got this very array. For a gate with
        many inputs (stack, cat) the ids are collected once, keeping backward linear."""
        if index < 8:
            return all(gradient is not other for other in gradients[:index])
        if self.sent_ids is None or self.sent_ids[0] is not gradients:
            seen: set[int] = set()
            repeated: set[int] = set()
            for other in gradients:
                if other is not None:
                    (repeated if id(other) in seen else seen).add(id(other))
            self.sent_ids = (gradients, repeated)
        return id(gradient) not in self.sent_ids[1]

    def pop(self, gate: Gate) -> Any:
        """The summed upstream gradient of `gate` (a tuple for several outputs, zeros where
        none arrived), or None if no gradient reached it."""
        if gate.output_meta is None:
            upstream = self.waiting.pop(gate, None)
            if self.gate_hooks:
                upstream = tensor_hooks.run_gate_hooks(gate, 0, upstream, self.create_graph)
            if self.keep and gate in self.keep:
                self.kept[gate] = upstream
            return upstream
        slots = [self.waiting.pop((gate, nr), None) for nr in range(len(gate.output_meta))]
        if self.gate_hooks:
            slots = [tensor_hooks.run_gate_hooks(gate, nr, gradient, self.create_graph)
                     for nr, gradient in enumerate(slots)]
        for nr, gradient in enumerate(slots):
            if self.keep and (gate, nr) in self.keep:
                self.kept[(gate, nr)] = gradient
        if all(gradient is None for gradient in slots):
            return None
        return tuple(_zeros_for(meta, gate, self.create_graph) if gradient is None
                     else gradient for gradient, meta in zip(slots, gate.output_meta))

    def finish(self) -> list[Any] | None:
        """Leaves' gradients into `.grad`; or, when capturing, the captured gradients."""
        if self.capture is not None:
            found = {**self.waiting, **self.kept}
            if self.leaf_hooks:
                for tensor in self.capture:
                    if tensor.grad_fn is None and tensor in found:
                        found[tensor] = self._hooked_leaf(tensor, found[tensor])
            return [_in_dtype_of(tensor, found.get(slot_of(tensor)))
                    for tensor in self.capture]
        for leaf, gradient in self.waiting.items():
            if self.leaf_hooks and tensor_hooks.leaf_hooks(leaf):
                _accumulate_into_leaf(leaf, self._hooked_leaf(leaf, gradient), False)
            else:
                _accumulate_into_leaf(leaf, gradient, leaf in self.owned)
            if leaf._post_accumulate_hooks is not None:
                _run_post_accumulate_hooks(leaf)
        return None

    def _hooked_leaf(self, leaf: Variable, gradient: Any) -> Any:
        hooks = tensor_hooks.leaf_hooks(leaf)
        if not hooks:
            return gradient
        return tensor_hooks.apply_hooks(hooks, gradient, leaf._make, self.create_graph)


_NOT_PLAIN = (Variable, SparseRows)


def _leaf_edge_done(leaf: Variable, dependencies: dict[Any, int]) -> None:
    """One more edge into a hooked leaf is done; after the last, its hooks run."""
    remaining = dependencies[leaf] - 1
    dependencies[leaf] = remaining
    if remaining == 0:
        _run_post_accumulate_hooks(leaf)


def _run_post_accumulate_hooks(leaf: Variable) -> None:
    for hook in list((leaf._post_accumulate_hooks or {}).values()):
        hook(leaf)


def _in_dtype_of(tensor: Any, gradient: Any) -> Any:
    """`gradient` in `tensor`'s dtype. An operation that promoted its inputs (float32 times
    float64) sends a float64 gradient back; PyTorch casts it to the input's dtype, and so
    does this, for what the user sees: `.grad` and `autograd.grad`'s results."""
    if gradient is None or isinstance(gradient, SparseRows):
        return gradient
    dtype = tensor._array.dtype
    if isinstance(gradient, Variable):  # create_graph: a Tensor, cast inside the graph
        if gradient._array.dtype == dtype:
            return gradient
        return gradient.to(tensor.dtype)  # type: ignore[attr-defined]
    return gradient if gradient.dtype == dtype else gradient.astype(dtype)


def _accumulate_into_leaf(leaf: Any, gradient: Any, owned: bool) -> None:
    """`leaf.grad += gradient`, in place into an existing plain gradient."""
    existing = leaf._grad
    cast = _in_dtype_of(leaf, gradient)
    if cast is not gradient:
        gradient, owned = cast, True
    if isinstance(gradient, Variable):  # create_graph: keep the graph of the gradient
        leaf._grad = gradient if existing is None else existing + gradient
    elif isinstance(gradient, SparseRows):
        leaf._grad = gradient if existing is None else _sum_with_sparse(leaf, existing, gradient)
    elif existing is None:
        leaf._grad = leaf._make(gradient if owned else gradient.copy(), None)
    elif isinstance(existing, SparseRows):
        leaf._grad = leaf._make(existing + gradient, None)
    elif existing.grad_fn is not None:  # a gradient with a graph, from create_graph
        leaf._grad = existing.detach() + leaf._make(gradient, None)
    else:
        existing._array += gradient


def _sum_with_sparse(leaf: Any, existing: Any, gradient: SparseRows) -> Any:
    if isinstance(existing, SparseRows):
        return existing + gradient
    if existing.grad_fn is not None:
        return existing.detach() + leaf._make(gradient.to_dense(), None)
    gradient.add_to(existing._array)
    return existing


def _run_rule_checked(gate: Gate, upstream: Any, create_graph: bool,
                      tracer: Tracer | None) -> tuple[Any, ...]:
    """One gate's rule with everything the hot path skips: several outputs, user Functions,
    create_graph, retained gradients, anomaly checks and the tracer."""
    upstream = upstream if type(upstream) is tuple else (upstream,)
    if gate.retained:
        _store_retained(gate, upstream)
    if create_graph or gate.tensor_api:
        input_grads = _run_rule_on_tensors(gate, upstream, create_graph)
    else:
        result = gate.backward(gate, *upstream)
        input_grads = result if isinstance(result, tuple) else (result,)
    if state.anomaly_enabled:
        _check_finite_backward(gate, input_grads)
    if tracer is not None:
        tracer(gate, upstream, input_grads)
    return input_grads


def _maker(gate: Gate) -> Any:
    """The `_make` of the tensors around `gate`: how the engine builds tensors."""
    for value in gate.inputs:
        if isinstance(value, Variable):
            return value._make
    raise TypeError(f"gate '{gate.label}' has no tensor input")


def _run_rule_on_tensors(gate: Gate, upstream: tuple[Any, ...],
                         create_graph: bool) -> tuple[Any, ...]:
    """The rule on tensors: for user Functions, and for built-in gates under create_graph.

    A built-in gate saved arrays; here each one becomes a tensor in the graph: the input tensor
    it came from, else the gate's own output (the only other thing a built-in gate saves).
    """
    make = _maker(gate)
    grads_in = tuple(g if isinstance(g, Variable) else make(g, None) for g in upstream)
    saved_arrays = gate.saved_tensors
    if not gate.tensor_api and saved_arrays:
        gate.saved_tensors = tuple(_saved_as_tensor(gate, value, make) for value in saved_arrays)
    try:
        result = gate.backward(gate, *grads_in)
    finally:
        if not gate.tensor_api:
            gate.saved_tensors = saved_arrays
    result = result if isinstance(result, tuple) else (result,)
    if create_graph:
        return result
    # Without create_graph the engine works on arrays; user rules hand back tensors.
    return tuple(_unwrap_user_grad(gate, index, g) for index, g in enumerate(result))


def _unwrap_user_grad(gate: Gate, index: int, gradient: Any) -> Any:
    if gradient is None or index >= len(gate.inputs) or not gate.needs_input_grad[index]:
        return None
    array = gradient._array if isinstance(gradient, Variable) else gradient
    expected = gate.inputs[index]
    if getattr(array, "shape", None) != expected.shape:
        raise RuntimeError(
            f"backward of '{gate.label}' returned a gradient of shape "
            f"{tuple(getattr(array, 'shape', ()))} for input {index}, whose shape is "
            f"{expected.shape}")
    return array


def _saved_as_tensor(gate: Gate, value: Any, make: Callable[..., Any]) -> Any:
    for candidate in gate.inputs:
        if candidate is value:  # a constant the gate was given as an array
            return value
        if getattr(candidate, "_array", None) is value:
            return candidate
    if gate.output_meta is None and hasattr(value, "shape"):
        return make(value, gate)
    return value


def _zeros_for(meta: tuple[Any, ...], gate: Gate, create_graph: bool) -> Any:
    """Zeros for an output of a several-output gate that received no gradient."""
    shape, dtype, device = meta
    zeros = module_for(device).zeros(shape, dtype)
    return _maker(gate)(zeros, None) if create_graph else zeros


def _store_retained(gate: Gate, upstream: tuple[Any, ...]) -> None:
    for nr, reference in gate.retained.items():  # type: ignore[union-attr]
        tensor = reference()
        if tensor is None:
            continue
        gradient = upstream[nr]
        if not isinstance(gradient, Variable):
            gradient = tensor._make(gradient.copy(), None)
        tensor._grad = gradient if tensor._grad is None else tensor._grad + gradient


def _check_finite_backward(gate: Gate, input_grads: tuple[Any, ...]) -> None:
    for index, gradient in enumerate(input_grads):
        if gradient is None:
            continue
        problem = first_non_finite(gradient)
        if problem is not None:
            raise RuntimeError(
                f"detect_anomaly: gate '{gate.label}' produced {problem} in its backward pass "
                f"(the gradient for its input {index}).")
