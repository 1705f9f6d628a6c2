"""Data types: PyTorch's names over NumPy's dtypes.

A `DType` is a thin, hashable name for a NumPy dtype, so that `t.dtype == cr.float32` reads as
it does in PyTorch while the arrays underneath stay plain NumPy (or CuPy) arrays.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np


class DType:
    """A tensor element type, e.g. `chainrule.float32`."""

    __slots__ = ("name", "numpy", "is_floating_point", "itemsize")

    def __init__(self, name: str, numpy_dtype: Any) -> None:
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy.kind == "f"
        self.itemsize = self.numpy.itemsize

    def __repr__(self) -> str:
        return f"chainrule.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
int8 = DType("int8", np.int8)
uint8 = DType("uint8", np.uint8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
bool_ = DType("bool", np.bool_)

# PyTorch's aliases.
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

_ALL = (float16, float32, float64, int8, uint8, int16, int32, int64, bool_)
_BY_NUMPY = {d.numpy: d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL}
#: PyTorch's legacy type names (`x.type()` answers with them).
_BY_LEGACY = {"HalfTensor": float16, "FloatTensor": float32, "DoubleTensor": float64,
              "CharTensor": int8, "ByteTensor": uint8, "ShortTensor": int16,
              "IntTensor": int32, "LongTensor": int64, "BoolTensor": bool_}
_LEGACY_NAMES = {d: name for name, d in _BY_LEGACY.items()}


def legacy_type_name(dtype: DType) -> str:
    """PyTorch's `x.type()` answer for a dtype, spelt with chainrule's name:
    `chainrule.FloatTensor` for float32."""
    return f"chainrule.{_LEGACY_NAMES[dtype]}"

#: The dtype of Python floats and of float data given without a dtype (PyTorch's default).
default_float = float32


def from_numpy_dtype(numpy_dtype: Any, op: str = "") -> DType:
    """The DType for a NumPy dtype; raises TypeError for kinds chainrule does not hold (the
    message starts with `op`, the function given the array, when there is one)."""
    found = _BY_NUMPY.get(np.dtype(numpy_dtype))
    if found is None:
        supported = ", ".join(d.name for d in _ALL)
        raise TypeError(f"{op + ': ' if op else ''}unsupported array dtype "
                        f"{np.dtype(numpy_dtype)}; "
                        f"expected one of: {supported}")
    return found


def to_numpy_dtype(dtype: Any) -> np.dtype:
    """Accepts a DType, a NumPy dtype, a Python type or a name, and returns the NumPy dtype.

    Python's `float` means float32 and `int` means int64, as in PyTorch.
    """
    if isinstance(dtype, DType):
        return dtype.numpy
    if isinstance(getattr(dtype, "dtype", None), DType):  # a legacy type: FloatTensor, ...
        return dtype.dtype.numpy  # type: ignore[no-any-return]
    if isinstance(dtype, str) and "." in dtype:  # "torch.float32", "torch.FloatTensor"
        module, _, name = dtype.rpartition(".")
        if module in ("torch", "chainrule") and (name in _BY_NAME or name in _BY_LEGACY):
            return (_BY_NAME.get(name) or _BY_LEGACY[name]).numpy
    if dtype is builtins.float:
        return float32.numpy
    if dtype is builtins.int:
        return int64.numpy
    if dtype is builtins.bool:
        return bool_.numpy
    if isinstance(dtype, str) and dtype in _BY_NAME:
        return _BY_NAME[dtype].numpy
    try:
        return from_numpy_dtype(dtype).numpy
    except TypeError as error:
        raise TypeError(f"unknown dtype {dtype!r}; expected a chainrule dtype such as "
                        "chainrule.float32") from error


# ---------------------------------------------------------------------- promotion
# PyTorch's type promotion, in one place. Python numbers are "weak": float32 * 2.5 stays
# float32; an integer or bool tensor meeting a float becomes that float type; true division
# of integers gives the default float type.

_INT64 = np.dtype(np.int64)


def python_data_dtype(array: np.ndarray, data: Any = None, op: str = "tensor"
                      ) -> np.dtype:
    """PyTorch's dtype for data given as Python numbers (`data`, made into `array`):
    float32, int64 or bool; else an error from `op` naming what is not a number."""
    kind = array.dtype.kind
    if kind == "f":
        return default_float.numpy
    if kind in "iu":
        return _INT64
    if kind == "b":
        return array.dtype
    if kind in "OUS":
        raise unsupported_data(op, data)
    raise TypeError(f"{op}: cannot make a tensor from data of dtype {array.dtype}; expected "
                    "numbers (bool, int, float), nested lists of them, or an array")


def unsupported_data(op: str, data: Any) -> TypeError:
    """The error for data that is not numbers, naming the first element that is not one by
    its position: for `[1, None]`, the None at index 1."""
    found = first_non_number(data)
    path, value = found if found is not None else ((), data)
    where = "" if not path else " at index " + (
        str(path[0]) if len(path) == 1 else "".join(f"[{i}]" for i in path))
    return TypeError(f"{op}: cannot make a tensor from {'a list holding ' if path else ''}"
                     f"{_describe(value)}{where}; expected numbers (bool, int, float), "
                     "nested lists of them, or an array")


def _describe(value: Any) -> str:
    return "None" if value is None else f"a {type(value).__name__}"


def first_non_number(data: Any) -> tuple[tuple[builtins.int, ...], Any] | None:
    """(position, element) of the first element of nested lists that is no number."""
    pending: list[tuple[tuple[builtins.int, ...], Any]] = [((), data)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, (list, tuple)):
            pending.extend(reversed([(path + (i,), item) for i, item in enumerate(value)]))
        elif not isinstance(value, (builtins.bool, builtins.int, builtins.float, np.number,
                                    np.bool_)) and not hasattr(value, "__array__"):
            return path, value
    return None


def floating(array_dtype: np.dtype) -> np.dtype | None:
    """The float type an integer input is promoted to by exp, log, …; None if already float."""
    return None if array_dtype.kind in "fc" else default_float.numpy


def binary_float_type(a: Any, b: Any, true_division: bool) -> np.dtype | None:
    """The float type that the integer or bool side(s) of a binary operation are cast to, or
    None when nothing is cast. `a` and `b` are array dtypes (for tensors) or Python numbers."""
    dtypes = [x for x in (a, b) if isinstance(x, np.dtype)]
    if all(d.kind == "f" for d in dtypes):
        return None
    floats = [d for d in dtypes if d.kind == "f"]
    if floats:
        return floats[0]
    if any(isinstance(x, builtins.float) for x in (a, b)) or true_division:
        return default_float.numpy
    return None


def where_dtype(a: Any, b: Any) -> np.dtype:
    """The dtype `where(c, a, b)` gives: the two branches promoted as for arithmetic."""
    dtypes = [x for x in (a, b) if isinstance(x, np.dtype)]
    if not dtypes:
        return default_float.numpy
    floats = [d for d in dtypes if d.kind == "f"]
    if floats:
        return np.result_type(*floats)
    if any(isinstance(x, builtins.float) for x in (a, b)):
        return default_float.numpy
    return np.result_type(*dtypes)


def check_in_place(op: str, target: np.dtype, value: Any) -> None:
    """An in-place result must fit the tensor's own dtype without losing precision."""
    if isinstance(value, (np.ndarray, np.generic)):
        result = np.result_type(target, value)
        if result != target:
            raise TypeError(f"{op}: the result would be {result}, but this tensor is "
                            f"{from_numpy_dtype(target)}; an in-place operation cannot hold "
                            "it without losing precision")
    if isinstance(value, builtins.float) and target.kind != "f":
        raise TypeError(f"{op}: a float cannot be stored in place in a "
                        f"{from_numpy_dtype(target)} tensor")


# ---------------------------------------------------------------------- the default
def get_default_dtype() -> DType:
    """The dtype of Python floats and of factory functions given no dtype (float32 unless
    `set_default_dtype` changed it)."""
    return default_float


def set_default_dtype(dtype: Any) -> None:
    """Makes `dtype` (float32 or float64, or float16) the default float type, as PyTorch's
    `set_default_dtype`: it applies to `tensor([1.5])`, `zeros(2)`, `rand(2)`, `arange(0.5)`,
    and to integers divided or promoted to float."""
    global default_float
    chosen = from_numpy_dtype(to_numpy_dtype(dtype))
    if not chosen.is_floating_point:
        raise TypeError(f"set_default_dtype: only floating-point types are supported as the "
                        f"default type, got {chosen}")
    default_float = chosen
