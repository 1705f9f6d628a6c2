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


def _legacy_type(name: str, dtype: _dtype.DType, holds: str) -> _LegacyType:
    """One legacy constructor class, e.g. `FloatTensor` for float32."""
    doc = f"`{name}(*sizes)` or `{name}(data)`: {holds} tensor."
    return _LegacyType(name, (), {"dtype": dtype, "__doc__": doc, "__module__": __name__})


FloatTensor = _legacy_type("FloatTensor", _dtype.float32, "a float32")
DoubleTensor = _legacy_type("DoubleTensor", _dtype.float64, "a float64")
HalfTensor = _legacy_type("HalfTensor", _dtype.float16, "a float16")
LongTensor = _legacy_type("LongTensor", _dtype.int64, "an int64")
IntTensor = _legacy_type("IntTensor", _dtype.int32, "an int32")
ShortTensor = _legacy_type("ShortTensor", _dtype.int16, "an int16")
CharTensor = _legacy_type("CharTensor", _dtype.int8, "an int8")
ByteTensor = _legacy_type("ByteTensor", _dtype.uint8, "a uint8")
BoolTensor = _legacy_type("BoolTensor", _dtype.bool_, "a bool")


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
