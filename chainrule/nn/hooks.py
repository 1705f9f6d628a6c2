"""Module hooks: forward pre-hooks, forward hooks and full backward hooks, as PyTorch runs
them around `Module.__call__`.

A full backward hook sees the gradients with respect to the module's tensor inputs and
outputs. As PyTorch does, the inputs and the outputs each pass through one identity gate
(`HookIdentity`); the output gate's rule notes the output gradients, and the input gate's
rule, which runs once every gradient of the inputs is known, calls the hooks, which may
replace the input gradients.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..engine.gate import Function
from ..tensor import RemovableHandle, Tensor

if TYPE_CHECKING:
    from .module import Module

__all__ = ["HookIdentity", "add_hook", "call_with_hooks"]


def add_hook(hooks: dict[Any, Any], hook: Callable[..., Any], prepend: bool = False
             ) -> RemovableHandle:
    """Registers `hook` in `hooks` (first, with `prepend`); the handle's `remove()` undoes it."""
    if not callable(hook):
        raise TypeError(f"hook must be callable, got {type(hook).__name__}")
    handle = RemovableHandle(hooks, hook)
    if prepend:
        hooks_in_order = list(hooks.items())
        hooks.clear()
        hooks[handle] = hook
        hooks.update(hooks_in_order[:-1])
    return handle


class HookIdentity(Function):
    """y_i = x_i for each tensor; the rule hands the upstream gradients to `on_backward`,
    which returns the gradients to pass on (the same or replacements)."""

    @staticmethod
    def forward(ctx: Any, on_backward: Callable[..., Any], *tensors: Tensor) -> Any:
        ctx.on_backward = on_backward
        return tuple(tensor.detach() for tensor in tensors)

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        return (None, *ctx.on_backward(grads))


class _BackwardHookState:
    """Ties one call's input and output gates to the module's backward hooks."""

    def __init__(self, module: Module, hooks: list[Callable[..., Any]]) -> None:
        self.module = module
        self.hooks = hooks
        self.grad_outputs: tuple[Any, ...] = ()
        self.input_count = 0
        self.input_slots: list[int] = []  # positions of the inputs that went through the gate
        self.inputs: tuple[Any, ...] = ()

    def wrap_inputs(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        self.input_count = len(args)
        self.inputs = args
        self.input_slots = [index for index, value in enumerate(args)
                            if isinstance(value, Tensor) and value.requires_grad]
        if not self.input_slots:
            return args
        wrapped = HookIdentity.apply(self.on_inputs, *(args[i] for i in self.input_slots))
        new_args = list(args)
        for index, value in zip(self.input_slots, wrapped):
            new_args[index] = value
        return tuple(new_args)

    def wrap_outputs(self, result: Any) -> Any:
        single = isinstance(result, Tensor)
        outputs = (result,) if single else result
        if not isinstance(outputs, tuple):
            return result
        slots = [index for index, value in enumerate(outputs)
                 if isinstance(value, Tensor) and value.requires_grad]
        if not slots:
            return result
        self.output_slots = slots
        self.output_count = len(outputs)
        wrapped = HookIdentity.apply(self.on_outputs, *(outputs[i] for i in slots))
        new_outputs = list(outputs)
        for index, value in zip(slots, wrapped):
            new_outputs[index] = value
        return new_outputs[0] if single else tuple(new_outputs)

    def on_outputs(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        full: list[Any] = [None] * self.output_count
        for index, grad in zip(self.output_slots, grads):
            full[index] = grad
        self.grad_outputs = tuple(full)
        if not self.input_slots:  # no input wants a gradient: the hooks run now, as PyTorch
            self._run((None,) * self.input_count)
        return grads

    def on_inputs(self, grads: tuple[Any, ...]) -> tuple[Any, ...]:
        # Tensor inputs that need no gradient get zeros, as PyTorch's hook sees them.
        full: list[Any] = [value.detach() * 0 if isinstance(value, Tensor) else None
                           for value in self.inputs]
        for index, grad in zip(self.input_slots, grads):
            full[index] = grad
        replaced = self._run(tuple(full))
        return tuple(replaced[index] for index in self.input_slots)

    def _run(self, grad_inputs: tuple[Any, ...]) -> tuple[Any, ...]:
        for hook in self.hooks:
            result = hook(self.module, grad_inputs, self.grad_outputs)
            if result is None:
                continue
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(result) != len(grad_inputs):
                raise RuntimeError(f"backward hook returned {len(result)} gradients, but "
                                   f"the module has {len(grad_inputs)} inputs")
            grad_inputs = result
        return grad_inputs


def call_with_hooks(module: Module, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """`module(*args, **kwargs)` with its hooks, in PyTorch's order: forward pre-hooks (which
    may replace the arguments), the backward hooks' input gate, forward, forward hooks (which
    may replace the result), the backward hooks' output gate."""
    with_kwargs = module._hooks_with_kwargs
    for handle, hook in list(module._forward_pre_hooks.items()):
        if handle in with_kwargs:
            replaced = hook(module, args, kwargs)
            if replaced is not None:
                if not (isinstance(replaced, tuple) and len(replaced) == 2):
                    raise RuntimeError("forward pre-hook must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {replaced}.")
                args, kwargs = replaced
        else:
            replaced = hook(module, args)
            if replaced is not None:
                args = replaced if isinstance(replaced, tuple) else (replaced,)
    state = None
    if module._backward_hooks:
        state = _BackwardHookState(module, list(module._backward_hooks.values()))
        args = state.wrap_inputs(args)
    result = module.forward(*args, **kwargs)
    for handle, hook in list(module._forward_hooks.items()):
        if handle in with_kwargs:
            replaced = hook(module, args, kwargs, result)
        else:
            replaced = hook(module, args, result)
        if replaced is not None:
            result = replaced
    if state is not None:
        result = state.wrap_outputs(result)
    return result


def new_hook_tables() -> dict[str, Any]:
    """The hook tables every module starts with (empty)."""
    return {"_forward_pre_hooks": OrderedDict(), "_forward_hooks": OrderedDict(),
            "_backward_hooks": OrderedDict(), "_hooks_with_kwargs": set()}
