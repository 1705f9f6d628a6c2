"""`nn.Parameter`: a tensor that a Module registers as something to train."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad and is registered when assigned to a Module.

    It shares the array of the tensor it wraps.

    >>> import chainrule as cr
    >>> p = cr.nn.Parameter(cr.zeros(2))
    >>> p.requires_grad, p.is_leaf
    (True, True)
    """

    # _grad_rows: the rows that sparse embedding lookups sent gradients to since the
    # gradient was last cleared (None: the gradient is dense); optimisers that can, update
    # only those rows. _row_buffer: (array, rows written) of the last sparse gradient, so
    # that the next one can reuse the array once nothing else holds it (see ops/layer.py).
    __slots__ = ("_grad_rows", "_row_buffer")

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        self._grad_rows: Any = None
        self._row_buffer: Any = None
        if data is None:
            from ..creation import empty

            data = empty(0)
        array = data._array if isinstance(data, Tensor) else Tensor(data)._array
        self._array = array
        self.grad_fn = None
        self._grad = None
        self._output_nr = 0
        self._requires_grad = False
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def _set_grad(self, value: Tensor | None) -> None:
        Tensor.grad.fset(self, value)  # type: ignore[attr-defined]
        self._grad_rows = None

    grad = property(Tensor.grad.fget, _set_grad)  # type: ignore[assignment,attr-defined]

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        copied = Parameter(Tensor._make(self._array.copy(), None), self._requires_grad)
        copied._grad_rows = self._grad_rows
        copied._row_buffer = None
        if self._grad is not None:
            copied._grad = Tensor._make(self._grad._array.copy(), None)
        memo[id(self)] = copied
        return copied
