"""Tensor hooks: `Tensor.register_hook(hook)`, PyTorch's gradient hooks on tensors.

A hook is called with the gradient of its tensor, summed over everything that flows into it
in one backward pass, and may return a replacement (used downstream, and accumulated into
`.grad` for a leaf) or None. Several hooks run in the order they were registered, each on
the previous one's result; a retained gradient (`retain_grad()`) is stored after them, as in
PyTorch. `autograd.grad` runs them too, on the tensors it captures.

The hooks live here, not on the tensor: a non-leaf tensor's under its gate (a weak key, so
they go with the graph), a leaf's under its id (removed when the leaf is collected). The
backward pass asks `gate_hooks_exist()` / `leaf_hooks_exist()` once, so a pass without any
hook pays nothing per gate.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from .sparse import SparseRows
from .variable import Variable

__all__ = ["register_hook", "TensorHookHandle", "gate_hooks_exist", "leaf_hooks_exist",
           "run_gate_hooks", "leaf_hooks", "apply_hooks"]

Hook = Callable[[Any], Any]
Hooks = dict[Any, Hook]

# gate -> {output number -> {handle: hook}}
_GATE_HOOKS: weakref.WeakKeyDictionary[Any, dict[int, Hooks]] = weakref.WeakKeyDictionary()
# id(leaf) -> {handle: hook}; the entry is dropped by a finalizer when the leaf goes
_LEAF_HOOKS: dict[int, Hooks] = {}


class TensorHookHandle:
    """What `register_hook` returns: `remove()` takes the hook away again (PyTorch's
    `RemovableHandle`). The handle itself is the hook's key."""

    def __init__(self, hooks: Hooks, hook: Hook) -> None:
        self._hooks = hooks
        hooks[self] = hook

    def remove(self) -> None:
        self._hooks.pop(self, None)

    def __enter__(self) -> TensorHookHandle:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove()


def register_hook(tensor: Variable, hook: Hook) -> TensorHookHandle:
    """Registers `hook(grad) -> Tensor or None` on `tensor` (see the module docstring)."""
    if not tensor._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if not callable(hook):
        raise TypeError(f"register_hook(): hook must be callable, not {type(hook).__name__}")
    gate = tensor.grad_fn
    if gate is None:
        hooks = _LEAF_HOOKS.get(id(tensor))
        if hooks is None:
            hooks = _LEAF_HOOKS[id(tensor)] = {}
            weakref.finalize(tensor, _LEAF_HOOKS.pop, id(tensor), None)
    else:
        per_output = _GATE_HOOKS.get(gate)
        if per_output is None:
            per_output = _GATE_HOOKS[gate] = {}
        hooks = per_output.setdefault(tensor._output_nr, {})
    return TensorHookHandle(hooks, hook)


def gate_hooks_exist() -> bool:
    return any(any(hooks.values()) for hooks in _GATE_HOOKS.values())


def leaf_hooks_exist() -> bool:
    return any(_LEAF_HOOKS.values())


def run_gate_hooks(gate: Any, output_nr: int, gradient: Any, create_graph: bool) -> Any:
    """The gradient of output `output_nr` of `gate` after that tensor's hooks (if any)."""
    per_output = _GATE_HOOKS.get(gate)
    hooks = per_output.get(output_nr) if per_output else None
    if not hooks or gradient is None:
        return gradient
    make = next(value._make for value in gate.inputs if isinstance(value, Variable))
    return apply_hooks(hooks, gradient, make, create_graph)


def leaf_hooks(leaf: Variable) -> Hooks | None:
    return _LEAF_HOOKS.get(id(leaf))


def apply_hooks(hooks: Hooks, gradient: Any, make: Callable[[Any, Any], Any],
                create_graph: bool) -> Any:
    """Runs `hooks` in order on `gradient` (an array, or a tensor under create_graph) and
    returns the result in the same form, checking each replacement's shape and dtype."""
    if isinstance(gradient, SparseRows):
        gradient = gradient.to_dense()
    for hook in list(hooks.values()):
        as_tensor = gradient if isinstance(gradient, Variable) else make(gradient, None)
        result = hook(as_tensor)
        if result is None:
            continue
        if not isinstance(result, Variable):
            raise TypeError(f"hook '{_name(hook)}' returned a {type(result).__name__}; "
                            "expected a Tensor or None")
        if result.shape != as_tensor.shape:
            raise RuntimeError(f"hook '{_name(hook)}' has changed the size of value (was "
                               f"{tuple(as_tensor.shape)}, got {tuple(result.shape)})")
        if result._array.dtype != as_tensor._array.dtype:
            raise RuntimeError(f"hook '{_name(hook)}' has changed the type of value (was "
                               f"{as_tensor._array.dtype}, got {result._array.dtype})")
        gradient = result if create_graph else result._array
    return gradient


def _name(hook: Hook) -> str:
    return getattr(hook, "__name__", type(hook).__name__)
