"""Questions about dtypes, PyTorch's way: `finfo`, `iinfo`, `promote_types`, `result_type`
and `can_cast`.

PyTorch's promotion differs from NumPy's where an integer meets a float (int64 with float16
is float16, not float64) and where Python numbers and 0-d tensors meet tensors with
dimensions (they only decide the dtype when they are of a higher category: bool < integer
< float). `result_type` follows PyTorch's three-tier rule.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from . import _dtype
from ._dtype import DType
from .engine.variable import Variable

__all__ = ["finfo", "iinfo", "promote_types", "result_type", "can_cast"]


def _dtype_of(dtype: Any) -> DType:
    return _dtype.from_numpy_dtype(_dtype.to_numpy_dtype(dtype))


class finfo:  # noqa: N801 - PyTorch's name
    """The limits of a floating-point dtype (default: the default dtype).

    >>> import chainrule as cr
    >>> cr.finfo(cr.float16).eps
    0.0009765625
    """

    def __init__(self, type: Any = None) -> None:  # noqa: A002 - PyTorch's name
        dtype = _dtype.get_default_dtype() if type is None else _dtype_of(type)
        if not dtype.is_floating_point:
            raise TypeError(f"finfo: requires a floating point input type, got {dtype}; use "
                            "iinfo for integer types")
        info = np.finfo(dtype.numpy)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = 10.0 ** -int(info.precision)  # PyTorch's: exactly 10**-digits
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
                f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, "
                f"tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:  # noqa: N801 - PyTorch's name
    """The limits of an integer dtype.

    >>> import chainrule as cr
    >>> cr.iinfo(cr.int8)
    iinfo(min=-128, max=127, dtype=int8)
    """

    def __init__(self, type: Any) -> None:  # noqa: A002 - PyTorch's name
        dtype = _dtype_of(type)
        if dtype.numpy.kind not in "iu":
            raise TypeError(f"iinfo: requires an integer input type, got {dtype}; use finfo "
                            "for floating point types")
        info = np.iinfo(dtype.numpy)
        self.bits, self.max, self.min = int(info.bits), int(info.max), int(info.min)
        self.dtype = dtype.name

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"  # as PyTorch


def _promote(first: np.dtype, second: np.dtype) -> np.dtype:
    if (first.kind == "f") != (second.kind == "f"):  # a float meets an integer or a bool
        return first if first.kind == "f" else second
    return np.promote_types(first, second)


def promote_types(type1: Any, type2: Any) -> DType:
    """The smallest dtype both can be cast to without leaving their category (PyTorch's
    table: int64 with float16 is float16)."""
    return _dtype.from_numpy_dtype(_promote(_dtype.to_numpy_dtype(type1),
                                            _dtype.to_numpy_dtype(type2)))


def _category(dtype: np.dtype | None) -> int:
    return -1 if dtype is None else {"b": 0, "i": 1, "u": 1, "f": 2}[dtype.kind]


def _combine(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
    """PyTorch's `combine_categories`: the lower tier counts only from a higher category."""
    if higher is None:
        return lower
    if lower is None or _category(higher) >= _category(lower):
        return higher
    if lower.kind == "f" and higher.kind != "f":
        return lower
    return _promote(higher, lower)


def result_type(tensor1: Any, tensor2: Any) -> DType:
    """The dtype an arithmetic operation on the two operands (tensors or numbers) gives."""
    tiers: list[np.dtype | None] = [None, None, None]  # dims, 0-d tensors, Python numbers
    for operand in (tensor1, tensor2):
        if isinstance(operand, Variable):
            tier, dtype = (0 if operand._array.ndim else 1), operand._array.dtype
        elif isinstance(operand, (builtins.bool, builtins.int, builtins.float)):
            tier = 2
            dtype = (np.dtype(np.bool_) if isinstance(operand, builtins.bool)
                     else np.dtype(np.int64) if isinstance(operand, builtins.int)
                     else _dtype.get_default_dtype().numpy)
        else:
            raise TypeError(f"result_type: expected tensors or numbers, got "
                            f"{type(operand).__name__}")
        current = tiers[tier]
        tiers[tier] = dtype if current is None else _promote(current, dtype)
    found = _combine(tiers[0], _combine(tiers[1], tiers[2]))
    assert found is not None
    return _dtype.from_numpy_dtype(found)


def can_cast(from_: Any, to: Any) -> bool:
    """Whether PyTorch's casting rules allow `from_` to `to` (no float to integer, nothing
    but bool to bool)."""
    source, target = _dtype.to_numpy_dtype(from_), _dtype.to_numpy_dtype(to)
    if source.kind == "f" and target.kind in "iub":
        return False
    return not (source.kind in "iu" and target.kind == "b")
