"""The engine: the graph of gates and the backward pass over it, below the Tensor.

Two concepts make an operation in the graph. A **gate** (`Gate`) is one recorded operation:
a forward computation on arrays and its local gradient rule, side by side, exactly as the
notes draw a gate in a circuit; the gate object itself is the graph's node, holding the
inputs it was applied to and what its rule saved. A **Function** (`Function`) is the same
thing with PyTorch's user-facing contract, forward and backward on tensors, for gates you
write yourself; it is a kind of Gate. Everything the engine needs of a tensor is the small
`Variable` protocol (its array, `grad_fn`, `requires_grad`, `.grad`), so this package never
imports the Tensor class: `Tensor` builds on the engine, never the other way round.

Modules: `variable` (the protocol), `gate` (Gate, Function), `backward` (the pass and the
one helper that sums gradients), `sparse` (row-sparse gradients of embedding lookups),
`grad_mode` (the thread-local recording flag), `anomaly` (NaN/inf detection).
"""

from .gate import Function, Gate
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .sparse import SparseRows
from .variable import Variable

__all__ = ["Gate", "Function", "Variable", "SparseRows", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled"]
