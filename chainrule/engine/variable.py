"""What the engine needs of a tensor (minitorch's `Variable`).

`Tensor` subclasses `Variable`; the engine and the gate rules see only these fields, so they
never import the Tensor class. The fields are slots: reading them is as fast as it gets.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Variable"]


class Variable:
    """A value in the graph: an array, the gate that made it, and its gradient.

    Attributes:
        _array: the NumPy (or CuPy) array.
        grad_fn: the gate that produced it, None for leaves.
        _requires_grad: whether gradients flow to it.
        _grad: the accumulated gradient of a leaf (a tensor or `SparseRows`), or None.
        _output_nr: which output of `grad_fn` this is (0 for gates with one output).
        _post_accumulate_hooks: None, or {handle id: hook} called with a leaf once a
            backward pass has added all its gradients to `.grad` (how data-parallel
            training starts averaging a gradient while the rest of backward still runs).
        _version: None (version 0, unshared) or the one-element list counting in-place
            changes, shared by every alias of the storage (see `engine.version`).
    """

    __slots__ = ("_array", "_requires_grad", "grad_fn", "_grad", "_output_nr",
                 "_post_accumulate_hooks", "_version", "__weakref__")

    _array: Any
    grad_fn: Any
    _requires_grad: bool
    _grad: Any
    _output_nr: int
    _post_accumulate_hooks: dict[Any, Any] | None
    _version: list[int] | None

    @classmethod
    def _make(cls, array: Any, grad_fn: Any) -> Any:
        """A new tensor over `array`, made by `grad_fn` (None for a leaf): how gates and the
        engine create results without importing the Tensor class."""
        raise NotImplementedError

    @property
    def shape(self) -> tuple[int, ...]:
        return self._array.shape  # type: ignore[no-any-return]
