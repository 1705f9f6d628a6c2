"""The computational graph and the backward pass over it.

Every recorded operation is a `Node` (a gate): it remembers its input tensors, which of them
need a gradient, and what its local gradient rule saved in the forward pass. A tensor made by
a gate points at it through `grad_fn`; a leaf tensor that requires grad has no `grad_fn` and
collects gradients in `.grad`.

`run_backward` applies the chain rule over that graph without recursion (HIPS autograd's
design): it counts, for every gate reachable from the outputs, how many edges lead into it,
then runs gates whose count has fallen to zero. So a gate runs only after all the gradients
that fan in to its output have been summed, which is reverse topological order, and each
summed gradient is popped from the dict as soon as its gate has used it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import MappingProxyType
from typing import Any

# tensor.py imports this module only after defining Tensor, so this import is safe.
from ..tensor import Tensor
from .grad_mode import state

__all__ = ["Node", "run_backward", "FREED"]


class _Freed:
    """Marks a gate whose saved values were released by a backward pass."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<freed>"


FREED: Any = _Freed()
_NOTHING: Any = MappingProxyType({})


class Node:
    """A gate in the graph: a forward computation and its local backward rule.

    Attributes:
        inputs: the forward arguments (tensors and constants), kept so that backward knows
            where each gradient goes, so a second-order backward can rebuild saved values as
            tensors, and so `viz` can show every value.
        needs_input_grad: one bool per forward argument: does a gradient have to flow there?
        saved_tensors: what the forward pass saved for the local rule (arrays for built-in
            gates, tensors for user `Function`s); `FREED` after a backward without
            `retain_graph`.
        output_meta: None for a gate with one output; otherwise one (shape, dtype, device)
            per output, so that the engine can fill missing output gradients with zeros.
        retained: output index -> weak references of tensors that called `retain_grad()`.
    """

    __slots__ = ("inputs", "needs_input_grad", "saved_tensors", "output_meta", "retained",
                 "__weakref__")

    #: The operation's name, shown by `repr`, `viz.draw` and `viz.explain`.
    label = "node"
    #: True when `backward` takes and returns tensors (user-defined `Function`s); False for
    #: built-in gates, whose rules work on arrays and also on tensors for create_graph.
    tensor_api = False

    def __init__(self) -> None:
        self.inputs: tuple[Any, ...] = ()
        self.needs_input_grad: tuple[bool, ...] = ()
        self.saved_tensors: Any = ()
        self.output_meta: tuple[Any, ...] | None = None
        self.retained: dict[int, Any] | None = None

    def save_for_backward(self, *values: Any) -> None:
        """Keeps `values` for the backward rule (read back as `ctx.saved_tensors`)."""
        self.saved_tensors = values

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        """The local rule: upstream gradient(s) in, one gradient (or None) per input out."""
        raise NotImplementedError(f"gate {type(ctx).__name__} has no backward rule")

    def next_nodes(self) -> list[tuple[Node | Tensor, int]]:
        """The gates and leaves this gate sends gradients to, as (target, input index)."""
        found = []
        for index, (value, needed) in enumerate(zip(self.inputs, self.needs_input_grad)):
            if needed:
                found.append((value.grad_fn if value.grad_fn is not None else value, index))
        return found

    def __repr__(self) -> str:
        return f"<{self.label}>"


# A function called after each gate's rule, with (gate, upstream gradients, input gradients):
# how `viz.explain` sees the products of the chain rule as they are formed.
Tracer = Callable[[Node, tuple[Any, ...], tuple[Any, ...]], None]


def run_backward(
    outputs: Sequence[Tensor],
    output_grads: Sequence[Any],
    *,
    retain_graph: bool,
    create_graph: bool,
    capture: Sequence[Tensor] | None = None,
    tracer: Tracer | None = None,
) -> list[Any] | None:
    """Back-propagates `output_grads` from `outputs` through the graph.

    Without `capture`, gradients are accumulated into the `.grad` of every leaf reached (the
    `Tensor.backward` behaviour). With `capture`, nothing is accumulated: the gradients of the
    tensors in `capture` are returned, in order, None where no path reached one (the
    `autograd.grad` behaviour).

    With `create_graph` the rules run on tensors with grad mode on, so the backward pass is
    itself recorded and can be differentiated again; otherwise they run on plain arrays.
    """
    # -- 1. Count, for each gate reachable from the outputs, the edges that lead into it.
    dependencies: dict[Node, int] = {}
    roots: list[Node] = []
    stack: list[Node] = []
    for output in outputs:
        node = output.grad_fn
        if node is not None and node not in dependencies:
            dependencies[node] = 0
            roots.append(node)
            stack.append(node)
    while stack:
        node = stack.pop()
        if node.saved_tensors is FREED:
            raise RuntimeError(
                f"backward: trying to go through the graph a second time, but gate "
                f"'{node.label}' freed its saved values after the first backward. Pass "
                f"retain_graph=True to the first backward() (or autograd.grad) to keep them.")
        for value, needed in zip(node.inputs, node.needs_input_grad):
            if needed:
                parent = value.grad_fn
                if parent is not None:
                    if parent in dependencies:
                        dependencies[parent] += 1
                    else:
                        dependencies[parent] = 1
                        stack.append(parent)

    # -- 2. Where gradients are kept while the pass runs.
    # Gradients waiting at a gate's output (a list for gates with several outputs), and the
    # gates whose waiting gradient is a fresh array we may add into in place.
    pending: dict[Node, Any] = {}
    owned: set[Node] = set()
    # Gradients for leaves (or for every captured tensor) when capturing; a plain backward
    # shares one empty, read-only table for all of them.
    captured: Any = _NOTHING
    capture_slots: Any = _NOTHING
    capture_leaves: Any = _NOTHING
    leaf_fresh: Any = _NOTHING
    if capture is not None:
        captured, capture_slots, capture_leaves, leaf_fresh = {}, {}, {}, set()
        for position, tensor in enumerate(capture):
            if tensor.grad_fn is None:
                capture_leaves[id(tensor)] = position
            else:
                capture_slots[(tensor.grad_fn, tensor._output_nr)] = position

    def deliver_to_leaf(leaf: Tensor, gradient: Any, fresh: bool) -> None:
        if capture is not None:
            position = capture_leaves.get(id(leaf))
            if position is None:
                return
            previous = captured.get(position)
            if previous is None:
                captured[position] = gradient
                if fresh:
                    leaf_fresh.add(position)
            elif create_graph or position not in leaf_fresh:
                captured[position] = previous + gradient
                leaf_fresh.add(position)
            else:  # reassigned: `+=` on a NumPy scalar makes a new object
                previous += gradient
                captured[position] = previous
            return
        if isinstance(gradient, Tensor):  # create_graph: keep the graph of the gradient
            leaf._grad = gradient if leaf._grad is None else leaf._grad + gradient
        elif leaf._grad is None:
            leaf._grad = Tensor._make(gradient if fresh else gradient.copy(), None)
        elif leaf._grad.grad_fn is not None:
            leaf._grad = leaf._grad.detach() + Tensor._make(gradient, None)
        else:
            leaf._grad._array += gradient

    def deliver(target: Node, nr: int, gradient: Any, fresh: bool) -> None:
        meta = target.output_meta
        if meta is not None:  # a gate with several outputs: one slot per output
            slots = pending.get(target)
            if slots is None:
                slots = pending[target] = [None] * len(meta)
            slots[nr] = gradient if slots[nr] is None else slots[nr] + gradient
            return
        previous = pending.get(target)
        if previous is None:
            pending[target] = gradient
            if fresh:
                owned.add(target)
        elif create_graph or target not in owned:
            pending[target] = previous + gradient
            owned.add(target)
        else:  # reassigned: `+=` on a NumPy scalar makes a new object
            previous += gradient
            pending[target] = previous

    # From here on grad mode is on exactly when the pass itself is to be recorded.
    previous_mode = state.grad_enabled
    state.grad_enabled = create_graph
    try:
        # -- 3. Seed the outputs' gradients: gates get them in `pending`, leaves directly.
        for output, gradient in zip(outputs, output_grads):
            root = output.grad_fn
            if root is None:
                deliver_to_leaf(output, gradient, False)
            elif root.output_meta is None and root not in pending:
                pending[root] = gradient  # the caller's array: never added into in place
            else:
                deliver(root, output._output_nr, gradient, False)

        # -- 4. Run the gates in reverse topological order.
        ready = [node for node in roots if dependencies[node] == 0]
        anomaly = state.anomaly_enabled
        # Anything that needs a look at every gate's gradients leaves the hot path.
        special = anomaly or tracer is not None or bool(capture_slots)
        while ready:
            node = ready.pop()
            upstream_value = pending.pop(node, None)
            needs = node.needs_input_grad
            inputs = node.inputs
            upstream: tuple[Any, ...] | None = None
            input_grads: tuple[Any, ...] | None = None
            if upstream_value is not None:
                single = node.output_meta is None
                if single and not create_graph and not node.tensor_api and not special \
                        and not node.retained:
                    # The hot path: a built-in gate with one output, on arrays.
                    upstream = (upstream_value,)
                    result = node.backward(node, upstream_value)
                    input_grads = result if type(result) is tuple else (result,)
                else:
                    upstream = (upstream_value,) if single else \
                        _fill_missing(upstream_value, node.output_meta,  # type: ignore[arg-type]
                                      create_graph)
                    if capture_slots:
                        for nr, gradient in enumerate(upstream):
                            slot = capture_slots.get((node, nr))
                            if slot is not None:
                                captured[slot] = gradient
                    if node.retained:
                        _store_retained(node, upstream)
                    input_grads = _call_rule(node, upstream, create_graph, Tensor)
                    if anomaly:
                        _check_finite_backward(node, input_grads)
                    if tracer is not None:
                        tracer(node, upstream, input_grads)
                if len(input_grads) != len(inputs):
                    raise RuntimeError(
                        f"backward of gate '{node.label}' returned {len(input_grads)} "
                        f"gradients, expected {len(inputs)} (one per forward argument, None "
                        f"where there is none)")
                if not retain_graph and node.saved_tensors:
                    node.saved_tensors = FREED

            for index, needed in enumerate(needs):
                if not needed:
                    continue
                value = inputs[index]
                parent = value.grad_fn
                gradient = None if input_grads is None else input_grads[index]
                if gradient is not None:
                    # A rule's output is ours to add into in place only if it is a fresh
                    # array: not the upstream passed through, not a view, not sent twice.
                    fresh = (not create_graph and gradient is not upstream_value
                             and getattr(gradient, "base", 0) is None
                             and (index == 0 or _sent_once(gradient, input_grads, index)))
                    if parent is None:
                        if capture is None and not create_graph and value._grad is not None \
                                and value._grad.grad_fn is None:
                            value._grad._array += gradient  # accumulate into the leaf
                        else:
                            deliver_to_leaf(value, gradient, fresh)
                    elif parent.output_meta is None and not create_graph:
                        previous = pending.get(parent)
                        if previous is None:
                            pending[parent] = gradient
                            if fresh:
                                owned.add(parent)
                        elif parent in owned:
                            previous += gradient  # reassigned: a NumPy scalar is immutable
                            pending[parent] = previous
                        else:
                            pending[parent] = previous + gradient
                            owned.add(parent)
                    else:
                        deliver(parent, value._output_nr, gradient, fresh)
                if parent is not None:
                    remaining = dependencies[parent] - 1
                    dependencies[parent] = remaining
                    if remaining == 0:
                        ready.append(parent)
    finally:
        state.grad_enabled = previous_mode

    if capture is None:
        return None
    return [captured.get(position) for position in range(len(capture))]


def _sent_once(gradient: Any, input_grads: Any, index: int) -> bool:
    """Whether `gradient` is not also the gradient of an earlier input of the same rule."""
    for earlier in input_grads[:index]:
        if gradient is earlier:
            return False
    return True


def _call_rule(node: Node, upstream: tuple[Any, ...], create_graph: bool,
               tensor_type: type) -> tuple[Any, ...]:
    """Runs one gate's backward rule and returns a tuple with one entry per forward argument."""
    if not create_graph and not node.tensor_api:
        result = node.backward(node, *upstream)
    else:
        result = _call_rule_on_tensors(node, upstream, create_graph, tensor_type)
    return result if isinstance(result, tuple) else (result,)


def _call_rule_on_tensors(node: Node, upstream: tuple[Any, ...], create_graph: bool,
                          tensor_type: Any) -> Any:
    """The rule on tensors: for user Functions, and for built-in gates under create_graph.

    A built-in gate saved arrays; here each one becomes a tensor in the graph: the input tensor
    it came from, else the gate's own output (the only other thing a built-in gate saves).
    """
    make = tensor_type._make
    grads_in = tuple(g if isinstance(g, tensor_type) else make(g, None) for g in upstream)
    saved_arrays = node.saved_tensors
    if not node.tensor_api and saved_arrays:
        node.saved_tensors = tuple(_saved_as_tensor(node, value, make) for value in saved_arrays)
    try:
        result = node.backward(node, *grads_in)
    finally:
        if not node.tensor_api:
            node.saved_tensors = saved_arrays
    result = result if isinstance(result, tuple) else (result,)
    if create_graph:
        return result
    # Without create_graph the engine works on arrays; user rules hand back tensors.
    return tuple(_unwrap_user_grad(node, index, g, tensor_type) for index, g in enumerate(result))


def _unwrap_user_grad(node: Node, index: int, gradient: Any, tensor_type: Any) -> Any:
    if gradient is None or index >= len(node.inputs) or not node.needs_input_grad[index]:
        return None
    array = gradient._array if isinstance(gradient, tensor_type) else gradient
    expected = node.inputs[index]
    if getattr(array, "shape", None) != expected.shape:
        raise RuntimeError(
            f"backward of '{node.label}' returned a gradient of shape "
            f"{tuple(getattr(array, 'shape', ()))} for input {index}, whose shape is "
            f"{expected.shape}")
    return array


def _saved_as_tensor(node: Node, value: Any, make: Callable[..., Any]) -> Any:
    for candidate in node.inputs:
        if getattr(candidate, "_array", None) is value:
            return candidate
    if node.output_meta is None and hasattr(value, "shape"):
        return make(value, node)
    return value


def _fill_missing(slots: list[Any], meta: tuple[Any, ...], create_graph: bool) -> tuple[Any, ...]:
    """Zeros for outputs of a several-output gate that received no gradient."""
    from ..backends import module_for

    filled = []
    for gradient, (shape, dtype, device) in zip(slots, meta):
        if gradient is None:
            gradient = module_for(device).zeros(shape, dtype)
            if create_graph:
                gradient = Tensor._make(gradient, None)
        filled.append(gradient)
    return tuple(filled)


def _store_retained(node: Node, upstream: tuple[Any, ...]) -> None:
    for nr, reference in node.retained.items():  # type: ignore[union-attr]
        tensor = reference()
        if tensor is None:
            continue
        gradient = upstream[nr]
        if not isinstance(gradient, Tensor):
            gradient = Tensor._make(gradient.copy(), None)
        tensor._grad = gradient if tensor._grad is None else tensor._grad + gradient


def _check_finite_backward(node: Node, input_grads: tuple[Any, ...]) -> None:
    from .anomaly import first_non_finite

    for index, gradient in enumerate(input_grads):
        if gradient is None:
            continue
        problem = first_non_finite(gradient)
        if problem is not None:
            raise RuntimeError(
                f"detect_anomaly: gate '{node.label}' produced {problem} in its backward pass "
                f"(the gradient for its input {index}).")
