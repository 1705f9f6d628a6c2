"""A recorded backward pass: every edge of the graph with its upstream gradient, local
gradient and the product sent on, in the order the engine ran them.

`trace_backward(t)` runs the engine with a tracer and captures gradients without touching any
`.grad`, keeping the graph (retain_graph), so it can be called before or instead of
`t.backward()`, as often as wanted. `viz.explain` prints it; `viz.draw` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.backward import run_backward
from ..engine.gate import FREED, Gate
from ..tensor import Tensor

__all__ = ["Edge", "Trace", "trace_backward", "graph_of", "is_finite", "non_finite_origins"]

_INTERMEDIATE_NAMES = "qrstuvwabcdeghkmnpjl"


@dataclass
class Edge:
    """One product of the chain rule: upstream × local = the gradient sent to one input."""

    gate: Gate
    output_name: str
    input_index: int
    input_name: str
    upstream: np.ndarray
    local: np.ndarray | None
    gradient: np.ndarray


@dataclass
class Trace:
    """The graph behind a tensor and the gradients of one backward pass over it."""

    output: Tensor
    gates: list[Gate]                 # every gate, from the output back to the leaves
    leaves: list[Tensor]              # tensors no gate made, each once
    names: dict[int, str]             # id(gate or leaf) -> display name
    edges: list[Edge] = field(default_factory=list)
    totals: dict[int, np.ndarray] = field(default_factory=dict)  # id(...) -> summed gradient

    def name_of(self, value: Any) -> str:
        if isinstance(value, Tensor):
            key = id(value.grad_fn) if value.grad_fn is not None else id(value)
            return self.names.get(key, "?")
        return _number(value)


def graph_of(output: Tensor) -> tuple[list[Gate], list[Tensor]]:
    """The gates (output first, each once) and leaf tensors behind `output`, found with an
    explicit stack (no recursion: deep graphs are fine)."""
    gates: list[Gate] = []
    leaves: list[Tensor] = []
    seen: set[int] = set()
    stack: list[Any] = [output]
    while stack:
        value = stack.pop()
        if not isinstance(value, Tensor):
            continue
        node = value.grad_fn
        key = id(node) if node is not None else id(value)
        if key in seen:
            continue
        seen.add(key)
        if node is None:
            leaves.append(value)
            continue
        gates.append(node)
        stack.extend(reversed(node.inputs))
    return gates, leaves


def _default_names(output: Tensor, gates: list[Gate], leaves: list[Tensor],
                   names: Any) -> dict[int, str]:
    """Display names: the caller's (a dict of name → tensor, or a Module, whose parameters
    are named as in `named_parameters`), f for the output, q, r, s, … for intermediates."""
    table: dict[int, str] = {}
    if hasattr(names, "named_parameters"):  # a Module: its parameters' dotted names
        names = dict(names.named_parameters())  # type: ignore[union-attr]
    for name, tensor in (names or {}).items():
        key = id(tensor.grad_fn) if tensor.grad_fn is not None else id(tensor)
        table[key] = name
    if output.grad_fn is not None:
        table.setdefault(id(output.grad_fn), "f")
    else:
        table.setdefault(id(output), "f")
    taken = set(table.values())
    pool = iter([letter for letter in _INTERMEDIATE_NAMES if letter not in taken])
    # Name intermediates from the inputs forward, as the notes do (q = x + y, then f = qz).
    for gate in reversed(gates):
        if id(gate) not in table:
            table[id(gate)] = next(pool, f"n{len(table)}")
    for position, leaf in enumerate(leaves):
        table.setdefault(id(leaf), f"leaf{position}")
    return table


def trace_backward(output: Tensor, names: dict[str, Tensor] | None = None,
                   gradient: Any = None) -> Trace:
    """Runs one backward pass over `output`'s graph and records every edge."""
    if not isinstance(output, Tensor):
        raise TypeError(f"expected a Tensor, got {type(output).__name__}")
    gates, leaves = graph_of(output)
    trace = Trace(output, gates, leaves, _default_names(output, gates, leaves, names))
    if not output.requires_grad:
        return trace
    for gate in gates:
        if gate.saved_tensors is FREED:
            raise RuntimeError(
                "the graph's saved values were freed by an earlier backward(); call "
                "viz.explain/viz.draw before backward(), or run backward(retain_graph=True)")
    seed = np.ones(output.shape, dtype=output._array.dtype) if gradient is None else \
        np.asarray(getattr(gradient, "_array", gradient), dtype=output._array.dtype)

    def record(node: Gate, upstream: tuple[Any, ...], input_grads: tuple[Any, ...]) -> None:
        incoming = np.asarray(upstream[0]) if len(upstream) == 1 else None
        trace.totals[id(node)] = np.array(incoming if incoming is not None else upstream[0])
        locals_ = _local_gradients(node, upstream)
        for index, (value, sent) in enumerate(zip(node.inputs, input_grads)):
            if sent is None or not isinstance(value, Tensor):
                continue
            trace.edges.append(Edge(node, trace.names[id(node)], index, trace.name_of(value),
                                    np.array(upstream[0]), None if locals_ is None else
                                    locals_[index], np.array(sent)))
            key = id(value.grad_fn) if value.grad_fn is not None else id(value)
            if value.grad_fn is None:
                previous = trace.totals.get(key)
                trace.totals[key] = np.array(sent) if previous is None else previous + sent

    if output.grad_fn is None:
        trace.totals[id(output)] = seed
        return trace
    with np.errstate(all="ignore"):  # inf and NaN are shown in the trace, not warned about
        run_backward([output], [seed], retain_graph=True, create_graph=False,
                     capture=[output], tracer=record)
    return trace


def _local_gradients(node: Gate, upstream: tuple[Any, ...]) -> list[Any] | None:
    """For a gate on scalars: each input's local derivative (the rule applied to 1)."""
    if len(upstream) != 1 or np.size(upstream[0]) != 1 or node.tensor_api:
        return None
    if any(isinstance(v, Tensor) and v.numel() != 1 for v in node.inputs):
        return None
    one = np.ones_like(np.asarray(upstream[0]))
    result = node.backward(node, one)
    result = result if isinstance(result, tuple) else (result,)
    return [None if r is None else np.asarray(r) for r in result]


def _number(value: Any) -> str:
    """A value as the notes print it: -4, 0.7311, 2.2, inf, nan (scalars); shape and norm
    otherwise (and how many entries are inf or NaN, if any)."""
    array = np.asarray(getattr(value, "_array", value))
    if array.size == 1:
        number = float(array.reshape(()))
        if not np.isfinite(number):
            return str(number)  # inf, -inf, nan
        if number == int(number) and abs(number) < 1e15:
            return str(int(number))
        return f"{number:.4g}"
    values = array.astype(np.float64)
    finite = np.isfinite(values)
    norm = float(np.sqrt((values[finite] ** 2).sum()))
    shown = f"{tuple(array.shape)} ‖·‖={norm:.4g}"
    if not finite.all():
        shown += f" ({int((~finite).sum())} not finite)"
    return shown


def is_finite(value: Any) -> bool:
    """Whether every entry of a tensor, array or number is finite (not inf or NaN)."""
    return bool(np.isfinite(np.asarray(getattr(value, "_array", value), dtype=np.float64)).all())


#: Why a gate makes inf or NaN out of finite inputs, for the trace's explanation.
_CAUSES = {
    "div": "division by zero", "log": "log is -inf at 0 and NaN below 0",
    "exp": "exp overflows above about 709.78", "sqrt": "sqrt is NaN below 0",
    "pow": "a power of 0 or of a negative number", "mul": "inf × 0 or an overflow",
}


def _forward_values(trace: Trace) -> dict[int, Tensor]:
    """id(gate) -> the tensor it made (every gate's output is some later gate's input, or
    the traced output)."""
    made: dict[int, Tensor] = {}
    for gate in trace.gates:
        for value in gate.inputs:
            if isinstance(value, Tensor) and value.grad_fn is not None:
                made[id(value.grad_fn)] = value
    if trace.output.grad_fn is not None:
        made[id(trace.output.grad_fn)] = trace.output
    return made


def non_finite_origins(trace: Trace) -> list[str]:
    """Where inf or NaN first appear: each gate whose output is not finite though its
    inputs are, and each edge whose gradient is not finite though its upstream gradient and
    the value it came from are. One sentence each, in the order the passes met them."""
    made = _forward_values(trace)
    lines = []
    for gate in reversed(trace.gates):  # forward order
        value = made.get(id(gate))
        if value is None or is_finite(value) or not all(is_finite(v) for v in gate.inputs):
            continue
        inputs = ", ".join(f"{trace.name_of(v)} = {_number(v)}" if isinstance(v, Tensor)
                           else _number(v) for v in gate.inputs)
        cause = _CAUSES.get(gate.label)
        lines.append(f"forward: {trace.names[id(gate)]} = {_number(value)} is made by "
                     f"{gate.label} from {inputs}" + (f" ({cause})" if cause else ""))
    for edge in trace.edges:
        if is_finite(edge.gradient) or not is_finite(edge.upstream):
            continue
        local = "" if edge.local is None else f" (its local gradient is {_number(edge.local)})"
        lines.append(f"backward: ∂{trace.name_of(trace.output)}/∂{edge.input_name} gets "
                     f"{_number(edge.gradient)} from {edge.gate.label} ({edge.output_name})"
                     f"{local}")
    return lines
