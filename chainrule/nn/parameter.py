"""`nn.Parameter`: a tensor that a Module registers as something to train."""

from __future__ import annotations

from typing import Any

from ..engine.sparse import SparseRows
from ..ops.errors import DtypeError
from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad and is registered when assigned to a Module.

    It shares the array of the tensor it wraps.

    >>> import chainrule as cr
    >>> p = cr.nn.Parameter(cr.zeros(2))
    >>> p.requires_grad, p.is_leaf
    (True, True)
    """

    __slots__ = ()

    def __init__(self, data: Any = None, requires_grad: bool = True) -> None:
        if data is None:
            from ..creation import empty

            data = empty(0)
        array = data._array if isinstance(data, Tensor) else Tensor(data)._array
        if requires_grad and array.dtype.kind != "f":
            raise DtypeError(f"Parameter: only floating-point tensors can require gradients, "
                             f"got {Tensor._make(array, None).dtype}; convert first, e.g. "
                             "x.float()")
        self._array = array
        self.grad_fn = None
        self._grad = None
        self._output_nr = 0
        self._post_accumulate_hooks = None
        self._version = None
        self._requires_grad = False
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        copied = Parameter(Tensor._make(self._array.copy(), None), self._requires_grad)
        if isinstance(self._grad, SparseRows):
            copied._grad = self._grad.copy()
        elif self._grad is not None:
            copied._grad = Tensor._make(self._grad._array.copy(), None)
        memo[id(self)] = copied
        return copied
