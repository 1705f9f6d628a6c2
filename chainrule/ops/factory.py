"""Tensors made from an existing one: `x.new_tensor`, `x.new_zeros`, `x.new_ones`,
`x.new_full`, `x.new_empty` (PyTorch's methods: the new tensor takes `x`'s dtype and
device unless `dtype=` / `device=` say otherwise; it never requires grad unless asked)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from ..backends import array_module
from ..engine.variable import Variable
from .args import size_args

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["NegativeSizeError", "creation_shape", "new_tensor", "new_zeros", "new_ones",
           "new_full", "new_empty"]


class NegativeSizeError(RuntimeError, ValueError):
    """A negative size given to a factory function: PyTorch raises RuntimeError there;
    chainrule's argument checks raise ValueError. This error is both, so code written for
    either catches it."""


def creation_shape(op: str, sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """The shape asked of a factory function (`f(2, 3)`, `f((2, 3))`), none negative."""
    try:
        return size_args(op, sizes)
    except ValueError as error:
        raise NegativeSizeError(str(error)) from None


def _made(input: Any, array: Any, device: Any, requires_grad: bool) -> Tensor:  # noqa: A002
    made = input._make(array, None)
    if device is not None and str(device) != str(input.device):
        made = made.to(device)
    return made.requires_grad_(True) if requires_grad else made  # type: ignore[no-any-return]


def _target(input: Any, dtype: Any) -> np.dtype:  # noqa: A002
    return input._array.dtype if dtype is None else _dtype.to_numpy_dtype(dtype)


def _filled(op: str, input: Any, size: tuple[Any, ...], fill: Any, dtype: Any,  # noqa: A002
            device: Any, requires_grad: bool) -> Tensor:
    xp = array_module(input._array)
    array = xp.full(creation_shape(op, size), fill, dtype=_target(input, dtype))
    return _made(input, array, device, requires_grad)


def new_tensor(input: Tensor, data: Any, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of `data`, of this tensor's dtype and device."""
    target = _target(input, dtype)
    if isinstance(data, Variable):
        array = data._array.astype(target)
    else:
        if _dtype.first_non_number(data) is not None:
            raise _dtype.unsupported_data("new_tensor", data)
        array = array_module(input._array).asarray(np.asarray(data).astype(target))
    return _made(input, array, device, requires_grad)


def new_zeros(input: Tensor, *size: Any, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """Zeros of the given size, of this tensor's dtype and device."""
    return _filled("new_zeros", input, size, 0, dtype, device, requires_grad)


def new_ones(input: Tensor, *size: Any, dtype: Any = None, device: Any = None,  # noqa: A002
             requires_grad: bool = False) -> Tensor:
    """Ones of the given size, of this tensor's dtype and device."""
    return _filled("new_ones", input, size, 1, dtype, device, requires_grad)


def new_empty(input: Tensor, *size: Any, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False) -> Tensor:
    """A tensor of the given size, of this tensor's dtype and device (zero-filled here;
    PyTorch leaves it uninitialised)."""
    return _filled("new_empty", input, size, 0, dtype, device, requires_grad)


def new_full(input: Tensor, size: Any, fill_value: Any, *, dtype: Any = None,  # noqa: A002
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """`fill_value` everywhere in the given size, of this tensor's dtype and device."""
    if isinstance(fill_value, Variable):
        fill_value = fill_value._array.item()
    return _filled("new_full", input, (size,), fill_value, dtype, device, requires_grad)
