"""Making tensors: from data, filled with a value, ranges, and the functions that join them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import _dtype
from .backends import Device, default_device, module_for
from .ops.args import int_arg, normalize_dim, number_arg
from .ops.factory import creation_shape
from .ops.shape import Concatenate, Stack
from .tensor import Tensor, to_array

__all__ = ["tensor", "as_tensor", "from_numpy", "zeros", "ones", "empty", "full", "zeros_like",
           "ones_like", "empty_like", "full_like", "arange", "linspace", "eye", "cat",
           "concat", "stack", "asarray", "scalar_tensor", "logspace"]


def _place(array: Any, device: Any, requires_grad: bool) -> Tensor:
    result = Tensor._make(array, None)
    if device is None:
        device = default_device()  # CPU unless set_default_device chose another
    if device is not result.device and Device(device) != result.device:
        result = result.to(device)
    return result.requires_grad_(True) if requires_grad else result


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
           ) -> Tensor:
    """A new tensor holding a copy of `data`.

    Python floats become float32 and ints int64; NumPy arrays keep their dtype.

    >>> import chainrule as cr
    >>> cr.tensor([1.0, 2.0]).dtype, cr.tensor([1, 2]).dtype
    (chainrule.float32, chainrule.int64)
    """
    return _place(to_array(data, dtype, copy=True), device, requires_grad)


def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """Like `tensor`, but shares the memory of an array (or tensor) when no conversion is
    needed."""
    if isinstance(data, Tensor) and dtype is None and device is None:
        return data
    return _place(to_array(data, dtype, copy=False, op="as_tensor"), device, False)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing `array`'s memory and dtype."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._make(to_array(array, copy=False, op="from_numpy"), None)


_EMPTY = object()  # the fill of `empty`: none


def _filled(op: str, sizes: tuple[Any, ...], fill: Any, dtype: Any, device: Any,
            requires_grad: bool) -> Tensor:
    shape = creation_shape(op, sizes)
    if fill is not _EMPTY and not isinstance(fill, (bool, int, float, np.number, np.bool_)):
        if not (isinstance(fill, Tensor) and fill.ndim == 0):
            raise TypeError(f"{op}: fill_value must be a number, got {type(fill).__name__} "
                            f"{fill!r}")
        fill = fill.item()
    if dtype is None:
        target = (_dtype.int64.numpy if isinstance(fill, int) and not isinstance(fill, bool)
                  else np.dtype(np.bool_) if isinstance(fill, bool)
                  else _dtype.default_float.numpy) if op == "full" else _dtype.default_float.numpy
    else:
        target = _dtype.to_numpy_dtype(dtype)
    xp = module_for(Device(device or default_device()))
    if fill is _EMPTY:
        array = xp.empty(shape, dtype=target)
    else:
        array = xp.full(shape, fill, dtype=target)
    return _place(array, None, requires_grad)


def zeros(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
          ) -> Tensor:
    return _filled("zeros", size, 0, dtype, device, requires_grad)


def ones(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
         ) -> Tensor:
    return _filled("ones", size, 1, dtype, device, requires_grad)


def empty(*size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
          ) -> Tensor:
    return _filled("empty", size, _EMPTY, dtype, device, requires_grad)


def full(size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    return _filled("full", (size,), fill_value, dtype, device, requires_grad)


def _like(op: str, like: Tensor, fill: Any, dtype: Any, requires_grad: bool, device: Any
          ) -> Tensor:
    return _filled(op, (like.shape,), fill, dtype or like.dtype,
                   str(like.device) if device is None else device, requires_grad)


# `memory_format` is accepted for PyTorch's signature: every chainrule tensor is contiguous.
def zeros_like(input: Tensor, dtype: Any = None, requires_grad: bool = False, *,  # noqa: A002
               device: Any = None, memory_format: Any = None) -> Tensor:
    """Zeros of `input`'s shape, dtype and device."""
    return _like("zeros_like", input, 0, dtype, requires_grad, device)


def ones_like(input: Tensor, dtype: Any = None, requires_grad: bool = False, *,  # noqa: A002
              device: Any = None, memory_format: Any = None) -> Tensor:
    """Ones of `input`'s shape, dtype and device."""
    return _like("ones_like", input, 1, dtype, requires_grad, device)


def empty_like(input: Tensor, dtype: Any = None, requires_grad: bool = False, *,  # noqa: A002
               device: Any = None, memory_format: Any = None) -> Tensor:
    """An uninitialised tensor of `input`'s shape, dtype and device."""
    return _like("empty_like", input, _EMPTY, dtype, requires_grad, device)


def full_like(input: Tensor, fill_value: Any, dtype: Any = None,  # noqa: A002
              requires_grad: bool = False, *, device: Any = None,
              memory_format: Any = None) -> Tensor:
    """`fill_value` everywhere, in `input`'s shape, dtype and device."""
    return _like("full_like", input, fill_value, dtype, requires_grad, device)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:
    """PyTorch's `asarray`: shares memory with an array or tensor when it can (unless
    `copy=True`), copies otherwise; Python data gets PyTorch's dtypes."""
    if isinstance(obj, Tensor) and dtype is None and not copy:
        made = obj if device is None else obj.to(device)
    else:
        made = _place(to_array(obj, dtype, copy=bool(copy), op="asarray"), device, False)
    return made.requires_grad_(True) if requires_grad else made


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:
    """A 0-d tensor holding the number `s`, of the default float dtype unless `dtype`."""
    number_arg("scalar_tensor", "s", s)
    target = _dtype.default_float.numpy if dtype is None else _dtype.to_numpy_dtype(dtype)
    return _place(np.asarray(s, dtype=target), device, requires_grad)


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """`steps` values from base**start to base**end, evenly spaced in the exponent."""
    int_arg("logspace", "steps", steps, minimum=0)
    number_arg("logspace", "start", start)
    number_arg("logspace", "end", end)
    target = _dtype.default_float.numpy if dtype is None else _dtype.to_numpy_dtype(dtype)
    values = np.logspace(start, end, steps, base=base).astype(target)
    return _place(values, device, requires_grad)


def arange(start: Any, end: Any = None, step: Any = 1, *, dtype: Any = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """Values from `start` up to (not including) `end`; int64 unless a bound is a float."""
    if end is None:
        start, end = 0, start
    for name, value in (("start", start), ("end", end), ("step", step)):
        if not math.isfinite(number_arg("arange", name, value)):
            raise ValueError(f"arange: {name} must be finite, got {value}")
    if step == 0:
        raise ValueError("arange: step must not be zero")
    if (end - start) * step < 0:
        raise ValueError(f"arange: the step {step} points away from end: start {start}, "
                         f"end {end}; the signs of step and end - start must agree")
    if dtype is None:
        floats = any(isinstance(v, float) for v in (start, end, step))
        target = _dtype.default_float.numpy if floats else _dtype.int64.numpy
    else:
        target = _dtype.to_numpy_dtype(dtype)
    xp = module_for(Device(device or default_device()))
    return _place(xp.arange(start, end, step).astype(target), None, requires_grad)


def linspace(start: float, end: float, steps: int, *, dtype: Any = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    """`steps` evenly spaced values from `start` to `end`, both included."""
    int_arg("linspace", "steps", steps, minimum=0)
    number_arg("linspace", "start", start)
    number_arg("linspace", "end", end)
    target = _dtype.default_float.numpy if dtype is None else _dtype.to_numpy_dtype(dtype)
    xp = module_for(Device(device or default_device()))
    return _place(xp.linspace(start, end, steps).astype(target), None, requires_grad)


def eye(n: int, m: int | None = None, *, dtype: Any = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    int_arg("eye", "n", n, minimum=0)
    if m is not None:
        int_arg("eye", "m", m, minimum=0)
    target = _dtype.default_float.numpy if dtype is None else _dtype.to_numpy_dtype(dtype)
    xp = module_for(Device(device or default_device()))
    return _place(xp.eye(n, m, dtype=target), None, requires_grad)


def _joinable(op: str, tensors: Sequence[Tensor]) -> tuple[Tensor, ...]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors")
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    for position, value in enumerate(tensors):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}: expected a sequence of tensors, but element {position} is "
                            f"a {type(value).__name__}")
    values = tuple(tensors)
    dtypes = {t._array.dtype for t in values}
    if len(dtypes) > 1:  # PyTorch's promotion: a float side wins over integers and bools
        floats = [d for d in dtypes if d.kind == "f"]
        result = np.result_type(*(floats or dtypes))
        values = tuple(t._cast(result) for t in values)
    return values


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """The tensors joined along an existing dim; all other sizes must agree."""


    values = _joinable("cat", tensors)
    axis = normalize_dim("cat", dim, values[0].ndim)
    reference = values[0].shape
    for position, value in enumerate(values):
        if value.ndim != len(reference) or any(
                a != b for i, (a, b) in enumerate(zip(value.shape, reference)) if i != axis):
            raise ValueError(f"cat: tensor {position} has shape {value.shape}, which does not "
                             f"match {reference} outside dim {axis}")
    return Concatenate.apply(axis, *values)


concat = cat


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """The tensors stacked along a new dim; all shapes must be equal."""


    values = _joinable("stack", tensors)
    axis = normalize_dim("stack", dim, values[0].ndim + 1)
    for position, value in enumerate(values):
        if value.shape != values[0].shape:
            raise ValueError(f"stack: tensor {position} has shape {value.shape}, but tensor 0 "
                             f"has shape {values[0].shape}; all must be equal")
    return Stack.apply(axis, *values)
