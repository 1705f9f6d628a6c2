"""New tensors made from an existing one: `x.new_zeros(2, 3)`, `new_ones`, `new_full`,
`new_empty`, `new_tensor` (PyTorch's: the dtype and device default to x's), and
`ndimension`.

No gradient: the results are new leaves (requires_grad=False unless asked for).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from ..backends import array_module
from ..engine.variable import Variable
from .factory import creation_shape

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["new_zeros", "new_ones", "new_full", "new_empty", "new_tensor", "ndimension"]


def _finish(input: Tensor, array: Any, device: Any, requires_grad: bool) -> Tensor:  # noqa: A002
    result = input._make(array, None)
    if device is not None:
        result = result.to(device)
    return result.requires_grad_(True) if requires_grad else result


def _target(input: Tensor, dtype: Any) -> np.dtype:  # noqa: A002
    return input._array.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)


def _new_filled(op: str, input: Tensor, size: tuple[Any, ...], fill: Any, dtype: Any,  # noqa: A002
                device: Any, requires_grad: bool) -> Tensor:
    shape = creation_shape(op, size)
    xp = array_module(input._array)
    target = _target(input, dtype)
    array = xp.empty(shape, dtype=target) if fill is None else xp.full(shape, fill, target)
    return _finish(input, array, device, requires_grad)


def new_zeros(input: Tensor, *size: Any, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """Zeros of `size`, with this tensor's dtype and device unless given."""
    return _new_filled("new_zeros", input, size, 0, dtype, device, requires_grad)


def new_ones(input: Tensor, *size: Any, dtype: Any = None, device: Any = None,  # noqa: A002
             requires_grad: bool = False) -> Tensor:
    """Ones of `size`, with this tensor's dtype and device unless given."""
    return _new_filled("new_ones", input, size, 1, dtype, device, requires_grad)


def new_empty(input: Tensor, *size: Any, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """An uninitialised tensor of `size`, with this tensor's dtype and device unless given."""
    return _new_filled("new_empty", input, size, None, dtype, device, requires_grad)


def new_full(input: Tensor, size: Any, fill_value: Any, *, dtype: Any = None,  # noqa: A002
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """`fill_value` repeated to `size`, with this tensor's dtype (not the value's) and device
    unless given."""
    if isinstance(fill_value, Variable):
        fill_value = fill_value._array.item()
    if not isinstance(fill_value, (bool, int, float, np.number, np.bool_)):
        raise TypeError(f"new_full: fill_value must be a number, got "
                        f"{type(fill_value).__name__}")
    return _new_filled("new_full", input, (size,), fill_value, dtype, device, requires_grad)


def new_tensor(input: Tensor, data: Any, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """A copy of `data` with this tensor's dtype (not the data's) and device unless given."""
    raw = data._array if isinstance(data, Variable) else data
    if not isinstance(data, Variable) and _dtype.first_non_number(data) is not None:
        raise _dtype.unsupported_data("new_tensor", data)
    try:
        array = np.array(raw, dtype=_target(input, dtype))
    except (TypeError, ValueError) as error:
        raise TypeError(f"new_tensor: cannot make a tensor from {type(data).__name__}: "
                        f"{error}") from None
    xp = array_module(input._array)
    return _finish(input, xp.asarray(array), device, requires_grad)


def ndimension(input: Tensor) -> int:  # noqa: A002
    """The number of dimensions (`dim()`)."""
    return int(input.ndim)
