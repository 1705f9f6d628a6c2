"""`viz.explain`: the backward pass as text, one line per edge, in the order it ran.

For scalars each line is the chain rule written out:

    mul  ∂f/∂q = z = -4  × upstream 1 = -4  → q

the gate, the local derivative (its formula and value), the upstream gradient, their product,
and where it goes. For tensors the line gives shapes and norms instead.
"""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .trace import Edge, Trace, _number, non_finite_origins, trace_backward

__all__ = ["explain", "format_trace", "local_formula"]


def local_formula(edge: Edge, trace: Trace) -> str | None:
    """The local derivative of a common gate as a formula in its inputs' names."""
    gate, index = edge.gate, edge.input_index
    names = [trace.name_of(value) for value in gate.inputs]
    label = gate.label
    if label == "add":
        return "1"
    if label == "sub":
        return "1" if index == 0 else "-1"
    if label == "mul":
        return names[1 - index]
    if label == "div":
        return f"1/{names[1]}" if index == 0 else f"-{names[0]}/{names[1]}²"
    if label == "neg":
        return "-1"
    if label == "exp":
        return f"exp({names[0]})"
    if label == "log":
        return f"1/{names[0]}"
    if label == "sqrt":
        return f"1/(2√{names[0]})"
    if label == "pow":
        return (f"{names[1]}·{names[0]}^({names[1]}-1)" if index == 0
                else f"{names[0]}^{names[1]}·ln {names[0]}")
    if label == "sigmoid":
        return f"σ({names[0]})(1-σ({names[0]}))"
    if label == "tanh":
        return f"1-tanh²({names[0]})"
    if label == "relu":
        return f"[{names[0]} > 0]"
    if label in ("max", "min") and len(names) == 2:
        other = names[1 - index]
        relation = ">" if label == "max" else "<"
        return f"[{names[index]} {relation} {other}]"
    return None


def _describe(edge: Edge, trace: Trace) -> str:
    label = edge.gate.label
    derivative = f"∂{edge.output_name}/∂{edge.input_name}"
    if edge.local is not None and edge.upstream.size == 1:
        formula = local_formula(edge, trace)
        local = _number(edge.local)
        shown = f"{formula} = {local}" if formula is not None and formula != local else local
        return (f"{label}  {derivative} = {shown}  × upstream {_number(edge.upstream)} = "
                f"{_number(edge.gradient)}  → {edge.input_name}")
    return (f"{label}  {derivative}: upstream {_number(edge.upstream)}  → gradient "
            f"{_number(edge.gradient)}  → {edge.input_name}")


def format_trace(trace: Trace) -> str:
    lines = [f"forward: {trace.name_of(trace.output)} = {_number(trace.output)}",
             f"backward ({len(trace.edges)} {'edge' if len(trace.edges) == 1 else 'edges'}, "
             "in the order they ran):"]
    lines.append(f"  ∂{trace.name_of(trace.output)}/∂{trace.name_of(trace.output)} = 1")
    lines.extend("  " + _describe(edge, trace) for edge in trace.edges)
    named_leaves = [leaf for leaf in trace.leaves if leaf.requires_grad]
    if named_leaves:
        summary = ", ".join(
            f"∂{trace.name_of(trace.output)}/∂{trace.name_of(leaf)} = "
            f"{_number(trace.totals.get(id(leaf), 0))}" for leaf in named_leaves)
        lines.append(f"gradients (summed where a value fans out): {summary}")
    origins = non_finite_origins(trace)
    if origins:
        lines.append("where inf and NaN come from:")
        lines.extend("  " + line for line in origins)
    return "\n".join(lines)


def explain(tensor: Tensor, names: dict[str, Tensor] | None = None, gradient: Any = None
            ) -> str:
    """The backward pass from `tensor` as text, one line per edge. It does not change any
    `.grad`; call it before `backward()` (or after `backward(retain_graph=True)`).

    >>> import chainrule as cr
    >>> x, y, z = (cr.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    >>> print(cr.viz.explain((x + y) * z, names={"x": x, "y": y, "z": z}))
    forward: f = -12
    backward (4 edges, in the order they ran):
      ∂f/∂f = 1
      mul  ∂f/∂q = z = -4  × upstream 1 = -4  → q
      mul  ∂f/∂z = q = 3  × upstream 1 = 3  → z
      add  ∂q/∂x = 1  × upstream -4 = -4  → x
      add  ∂q/∂y = 1  × upstream -4 = -4  → y
    gradients (summed where a value fans out): ∂f/∂x = -4, ∂f/∂y = -4, ∂f/∂z = 3
    """
    return format_trace(trace_backward(tensor, names, gradient))
