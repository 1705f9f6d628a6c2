"""PyTorch's legacy constructors: `Tensor(2, 3)`, `Tensor(data)`, `FloatTensor`, `LongTensor`, …

Each takes either sizes (ints, or one `Size`) or data (a sequence, an array, a tensor), as
`torch.FloatTensor` does: `FloatTensor(2, 3)` is a 2×3 tensor, `FloatTensor([2, 3])` holds
2 and 3. The new memory of the sizes form is zero-filled where PyTorch leaves it
uninitialised (any value is allowed there; zeros make runs repeatable). `isinstance(t,
cr.FloatTensor)` is true for a float32 tensor, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

from . import _dtype
from ._size import legacy_sizes
from .tensor import Tensor, to_array

__all__ = ["legacy_array", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor",
           "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "Variable"]


def legacy_array(op: str, args: tuple[Any, ...], dtype: Any) -> Any:
    """The array of `op(*args)`: zeros of the given sizes, or the data converted to `dtype`."""
    target = _dtype.to_numpy_dtype(dtype)
    made = legacy_sizes(op, args, target)
    return to_array(args[0], target, copy=True, op=op) if made is None else made


class _LegacyType(type):
    """The metaclass of the legacy constructors: calling one makes a Tensor of its dtype,
    and `isinstance(t, FloatTensor)` asks whether `t` is a float32 tensor."""

    dtype: _dtype.DType

    def __call__(cls, *args: Any, device: Any = None) -> Any:
        made = Tensor._make(legacy_array(cls.__name__, args, cls.dtype), None)
        return made if device is None else made.to(device)

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and instance.dtype == cls.dtype


class FloatTensor(metaclass=_LegacyType):
    """`FloatTensor(*sizes)` or `FloatTensor(data)`: a float32 tensor."""

    dtype = _dtype.float32


class DoubleTensor(metaclass=_LegacyType):
    """`DoubleTensor(*sizes)` or `DoubleTensor(data)`: a float64 tensor."""

    dtype = _dtype.float64


class HalfTensor(metaclass=_LegacyType):
    """`HalfTensor(*sizes)` or `HalfTensor(data)`: a float16 tensor."""

    dtype = _dtype.float16


class LongTensor(metaclass=_LegacyType):
    """`LongTensor(*sizes)` or `LongTensor(data)`: an int64 tensor."""

    dtype = _dtype.int64


class IntTensor(metaclass=_LegacyType):
    """`IntTensor(*sizes)` or `IntTensor(data)`: an int32 tensor."""

    dtype = _dtype.int32


class ShortTensor(metaclass=_LegacyType):
    """`ShortTensor(*sizes)` or `ShortTensor(data)`: an int16 tensor."""

    dtype = _dtype.int16


class CharTensor(metaclass=_LegacyType):
    """`CharTensor(*sizes)` or `CharTensor(data)`: an int8 tensor."""

    dtype = _dtype.int8


class ByteTensor(metaclass=_LegacyType):
    """`ByteTensor(*sizes)` or `ByteTensor(data)`: a uint8 tensor."""

    dtype = _dtype.uint8


class BoolTensor(metaclass=_LegacyType):
    """`BoolTensor(*sizes)` or `BoolTensor(data)`: a bool tensor."""

    dtype = _dtype.bool_


class _VariableType(type):
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor)


class Variable(metaclass=_VariableType):
    """PyTorch's old `autograd.Variable(tensor, requires_grad=False)`: since PyTorch 0.4 a
    Variable is a Tensor, so this returns a tensor over the same data (a new leaf that
    requires grad when asked, else the tensor itself).

    >>> import chainrule as cr
    >>> cr.autograd.Variable(cr.ones(2), requires_grad=True)
    tensor([1., 1.], requires_grad=True)
    """

    def __new__(cls, data: Any, requires_grad: bool = False, volatile: bool = False) -> Any:
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if not requires_grad:
            return data
        return data.detach().requires_grad_(True)
