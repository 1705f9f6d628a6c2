"""PyTorch's names for graph nodes: what `grad_fn.name()` and `repr(grad_fn)` show.

A gate keeps its short `label` (`mul`, `sum`), which `viz.draw` and `viz.explain` print;
`node_name(gate)` gives the name PyTorch's autograd gives the same node (`MulBackward0`,
`SumBackward0`), so that `repr(y)` reads `grad_fn=<MulBackward0>` as in a PyTorch session.
Where PyTorch's name depends on the arguments (`x.sum()` is `SumBackward0`, `x.sum(0)`
`SumBackward1`; a 2-d `@` is `MmBackward0`, a 1-d one `DotBackward0`), the gate's recorded
inputs decide. Labels with no entry become CamelCase plus `Backward0` (`leaky_relu` →
`LeakyReluBackward0`), which is PyTorch's own rule for most operations.
"""

from __future__ import annotations

from typing import Any

from .variable import Variable

__all__ = ["node_name", "AccumulateGrad", "next_functions"]

#: Labels whose PyTorch node has a name other than CamelCase(label) + "Backward0".
_FIXED = {
    "to": "ToCopyBackward0", "reshape": "ViewBackward0", "view": "ViewBackward0",
    "flatten": "ViewBackward0", "cross_entropy": "NllLossBackward0",
    "nll_loss": "NllLossBackward0", "mse_loss": "MseLossBackward0",
    "dropout": "MulBackward0", "clamp": "ClampBackward1", "logsumexp": "LogsumexpBackward0",
    "sum_to": "SumToSizeBackward0", "index_add": "IndexAddBackward0",
}


def _camel(label: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in label.split("_"))


def _tensors(gate: Any) -> list[Any]:  # the inputs that are tensors (no constants)
    return [value for value in getattr(gate, "inputs", ()) if isinstance(value, Variable)]


def _by_arguments(gate: Any, label: str) -> str | None:
    """The name of a node whose PyTorch name depends on how the operation was called."""
    inputs: tuple[Any, ...] = getattr(gate, "inputs", ())
    if label in ("sum", "mean"):
        return f"{_camel(label)}Backward{0 if len(inputs) > 1 and inputs[1] is None else 1}"
    if label in ("max", "min") and len(inputs) == 2 and not isinstance(inputs[1], bool):
        return "MaximumBackward0" if label == "max" else "MinimumBackward0"  # elementwise
    if label in ("max", "min"):
        largest = inputs[-1] if inputs else True
        which = "Max" if largest is not False else "Min"
        return f"{which}Backward{1 if len(inputs) == 2 else 0}"  # max() vs max(dim)
    if label == "matmul":
        ranks = tuple(t._array.ndim for t in _tensors(gate))
        return {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0"}.get(
            ranks, "UnsafeViewBackward0" if ranks and min(ranks) > 1 else "MatmulBackward0")
    if label == "pow":
        exponent = inputs[1] if len(inputs) > 1 else None
        tensor_exponent = isinstance(exponent, Variable) and exponent._array.ndim > 0
        return "PowBackward1" if tensor_exponent else "PowBackward0"
    if label == "linear":
        has_bias = len(inputs) > 2 and inputs[2] is not None
        return "AddmmBackward0" if has_bias else "MmBackward0"
    if label == "index" and len(inputs) > 1:
        index = inputs[1] if isinstance(inputs[1], tuple) else (inputs[1],)
        if all(isinstance(i, int) for i in index):
            return "SelectBackward0"
        if all(isinstance(i, (int, slice)) or i is None or i is Ellipsis for i in index):
            return "SliceBackward0"
        return "IndexBackward0"
    return None


def node_name(gate: Any) -> str:
    """PyTorch's name for the node `gate` (see the module docstring)."""
    if getattr(type(gate), "tensor_api", False):  # a user Function: PyTorch adds "Backward"
        return f"{type(gate).__name__}Backward"
    label = gate.label
    return _FIXED.get(label) or _by_arguments(gate, label) or f"{_camel(label)}Backward0"


class AccumulateGrad:
    """The node PyTorch shows where a gradient reaches a leaf: `variable` is the leaf."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable

    def name(self) -> str:
        return "AccumulateGrad"

    next_functions: tuple[Any, ...] = ()

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def next_functions(gate: Any) -> tuple[tuple[Any, int], ...]:
    """(node, output number) for each tensor input of `gate`, as PyTorch's `next_functions`:
    its gate, an AccumulateGrad for a leaf that requires grad, None for a constant."""
    found: list[tuple[Any, int]] = []
    for value in _tensors(gate):
        if value.grad_fn is not None:
            found.append((value.grad_fn, value._output_nr))
        elif value._requires_grad:
            found.append((AccumulateGrad(value), 0))
        else:
            found.append((None, 0))
    return tuple(found)
