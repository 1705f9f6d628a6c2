"""`Tensor.register_hook`: the front of the engine's tensor hooks (`engine.tensor_hooks`),
a method only, as in PyTorch."""

from __future__ import annotations

from typing import Any

from ..engine import tensor_hooks
from ..engine.variable import Variable

__all__ = ["register_hook"]


def register_hook(input: Variable, hook: Any,  # noqa: A002
                  ) -> tensor_hooks.TensorHookHandle:
    """Registers `hook(grad)`, called with this tensor's gradient in each backward pass (and
    `autograd.grad`); it may return a replacement gradient, or None to keep it. Hooks run in
    registration order; the returned handle's `remove()` unregisters the hook. Raises
    RuntimeError on a tensor that doesn't require gradient."""
    return tensor_hooks.register_hook(input, hook)
