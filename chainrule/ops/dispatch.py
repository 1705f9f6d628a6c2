"""How a call becomes a gate: operands checked and promoted, then `Gate.apply`; and the
pointwise operations that need more than that (alpha, bounds, comparisons, masks).

Every Tensor method, operator and `cr.*` function of the op table (`ops.table`) ends here or
in a family module's front function. Fronts take and return tensors but never import the
Tensor class: a result that is no gate's output is made with the input's `_make`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from ..backends import array_module
from ..engine.gate import Gate
from ..engine.variable import Variable
from .args import keepdim_arg, normalize_axes
from .elementwise import Add, Clamp, Neg, Sub, Where

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["unary", "binary", "compare", "constant", "operand", "add", "sub", "clamp",
           "where", "sign", "square", "isclose", "allclose", "equal", "is_tensor", "numel",
           "any", "all", "isnan",
           "isfinite"]

_NUMBER = (float, int)


def unary(gate: type[Gate], x: Any, floating: bool) -> Any:
    """`gate` on one tensor; with `floating`, integer tensors become float32 first (exp, log,
    … as PyTorch promotes them)."""
    if floating and x._array.dtype.kind not in "fc":
        x = as_floating(x)
    elif gate is Neg and x._array.dtype.kind == "b":
        raise TypeError("neg: negating a bool tensor is not supported; to invert a mask use ~ "
                        "or logical_not()")
    return gate.apply(x)


def as_floating(x: Tensor) -> Tensor:
    """An integer or bool tensor as the default float type; a float tensor as it is."""
    target = _dtype.floating(x._array.dtype)
    return x if target is None else x._make(x._array.astype(target), None)


def operand(label: str, value: Any) -> Any:
    """A binary operation's other side: a tensor or a Python number as it is, anything else
    array-like as an array (a constant), else a clear error."""
    if isinstance(value, (Variable, bool, int, float)):
        return value
    if isinstance(value, (np.ndarray, np.generic, list, tuple)):
        array = np.asarray(value)
        if array.dtype == object:
            raise TypeError(f"{label}: unsupported operand of type {type(value).__name__}; "
                            "expected a Tensor, an array or a number")
        return array.astype(_dtype.python_data_dtype(array)) if isinstance(
            value, (list, tuple)) else array
    raise TypeError(f"{label}: unsupported operand of type {type(value).__name__}; "
                    "expected a Tensor, an array or a number")


def binary(gate: type[Gate], a: Any, b: Any, true_division: bool = False) -> Any:
    """`gate` on two operands with PyTorch's type promotion (`_dtype.binary_float_type`)."""
    a_array = a._array if isinstance(a, Variable) else None
    b_array = b._array if isinstance(b, Variable) else None
    # Fast path: float tensors, or a float tensor and a Python number.
    if not ((a_array is not None and a_array.dtype.kind == "f"
             and (b_array is not None and b_array.dtype.kind == "f" or b.__class__ in _NUMBER))
            or (b_array is not None and b_array.dtype.kind == "f" and a.__class__ in _NUMBER)):
        a, b = operand(gate.label, a), operand(gate.label, b)
        if gate is Sub and (_is_bool_array(a) or _is_bool_array(b)):
            raise TypeError("sub: subtraction with a bool tensor is not supported; use ^ or "
                            "logical_xor() instead (or ~ to invert a mask)")
        target = _dtype.binary_float_type(_dtype_or_number(a), _dtype_or_number(b),
                                          true_division)
        if target is not None:
            a, b = _cast_if_not_float(a, target), _cast_if_not_float(b, target)
    try:
        return gate.apply(a, b)
    except ValueError as error:
        if "broadcast" not in str(error):
            raise
        raise ValueError(f"{gate.label}: shapes {_shape_of(a)} and {_shape_of(b)} cannot be "
                         "broadcast together (sizes must match or be 1, aligned from the "
                         "right)") from None


def _is_bool_array(value: Any) -> bool:
    return getattr(constant(value), "dtype", None) == np.bool_


def _dtype_or_number(value: Any) -> Any:
    if isinstance(value, Variable):
        return value._array.dtype
    return value.dtype if isinstance(value, np.ndarray) else value


def _cast_if_not_float(value: Any, target: np.dtype) -> Any:
    if isinstance(value, Variable) and value._array.dtype.kind != "f":
        return value._make(value._array.astype(target), None)
    if isinstance(value, np.ndarray) and value.dtype.kind != "f":
        return value.astype(target)
    return value


def _shape_of(value: Any) -> tuple[int, ...]:
    return tuple(np.shape(constant(value)))


def constant(value: Any) -> Any:
    """The array under a tensor; anything else as it is."""
    return value._array if isinstance(value, Variable) else value


def compare(function: Any, x: Any, other: Any) -> Any:
    """A comparison (no gradient): a bool tensor, or NotImplemented for foreign types."""
    if isinstance(other, Variable):
        other = other._array
    elif not isinstance(other, (bool, int, float, np.ndarray, np.generic)):
        return NotImplemented
    try:
        return x._make(function(x._array, other), None)
    except ValueError:
        raise ValueError(f"comparison: shapes {x.shape} and {tuple(np.shape(other))} cannot "
                         "be broadcast together") from None


# ---------------------------------------------------------------------- pointwise fronts
def add(input: Tensor, other: Any, alpha: Any = 1) -> Tensor:  # noqa: A002 - PyTorch's names
    """input + alpha·other."""
    return binary(Add, input, other if alpha == 1 else other * alpha)


def sub(input: Tensor, other: Any, alpha: Any = 1) -> Tensor:  # noqa: A002
    """input − alpha·other."""
    return binary(Sub, input, other if alpha == 1 else other * alpha)


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """min(max(input, min), max); either bound may be None, not both."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    for name, bound in (("min", min), ("max", max)):
        if bound is not None and not isinstance(bound, (Variable, bool, int, float, np.number)):
            raise TypeError(f"clamp: {name} must be a number or a tensor, got "
                            f"{type(bound).__name__} {bound!r}")
    return Clamp.apply(input, min, max)


def square(input: Tensor) -> Tensor:  # noqa: A002
    """input · input."""
    return input * input


def sign(input: Tensor) -> Tensor:  # noqa: A002
    """−1, 0 or 1 by the sign of each element (no gradient: it is flat almost everywhere)."""
    array = input._array
    signs = array_module(array).sign(array)
    if signs.dtype.kind == "f":  # PyTorch's sign of NaN is 0
        signs[signs != signs] = 0
    return input._make(signs, None)


def where(condition: Any, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """`input` where `condition` is true, else `other`; the gradient is routed the same way.
    With the condition alone, the indices where it is true (`nonzero(as_tuple=True)`)."""
    if input is None and other is None and isinstance(condition, Variable):
        from .bitwise import nonzero  # bitwise imports inplace, which needs no dispatch

        return nonzero(condition, as_tuple=True)  # type: ignore[arg-type]
    if input is None or other is None:
        raise TypeError("where: expected where(condition) or where(condition, input, other), "
                        "got only one of input and other")
    condition_array = constant(condition)
    if not isinstance(condition_array, np.ndarray) and not hasattr(condition_array, "dtype"):
        condition_array = np.asarray(condition_array)
    if condition_array.dtype.kind != "b":
        raise TypeError(f"where: condition must be a bool tensor, got {condition_array.dtype}")
    # Promote the two branches as an arithmetic operation would, then choose between them.
    target = _dtype.where_dtype(_dtype_or_number(input), _dtype_or_number(other))
    a = _cast_to(input, target)
    b = _cast_to(other, target)
    if not isinstance(condition, Variable) and not isinstance(a, Variable) and not isinstance(
            b, Variable):
        raise TypeError("where: expected at least one tensor")
    try:
        return Where.apply(condition, a, b)
    except ValueError:
        shapes = [tuple(np.shape(constant(v))) for v in (condition, a, b)]
        raise ValueError(f"where: shapes {shapes[0]}, {shapes[1]} and {shapes[2]} cannot be "
                         "broadcast together") from None


def where_method(input: Tensor, condition: Any, other: Any) -> Tensor:  # noqa: A002
    """`self` where `condition` is true, else `other` (`where(condition, self, other)`)."""
    return where(condition, input, other)


def _cast_to(value: Any, target: np.dtype) -> Any:
    if is_tensor(value) and value._array.dtype != target:
        return value.to(target)
    return value


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """|input − other| ≤ atol + rtol·|other|, elementwise (a bool tensor)."""
    return input._make(np.isclose(constant(input), constant(other), rtol=rtol, atol=atol,
                                  equal_nan=equal_nan), None)


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """|input − other| ≤ atol + rtol·|other| everywhere (PyTorch's definition)."""
    return bool(np.allclose(constant(input), constant(other), rtol=rtol, atol=atol,
                            equal_nan=equal_nan))


def equal(input: Tensor, other: Any) -> bool:  # noqa: A002
    """True when both have the same shape and elements."""
    return bool(input.shape == other.shape and np.array_equal(constant(input),
                                                              constant(other)))


def is_tensor(obj: Any) -> bool:
    """Whether `obj` is a tensor."""
    return isinstance(obj, Variable)


def numel(input: Tensor) -> int:  # noqa: A002
    """The number of elements."""
    return int(input._array.size)


def any(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001,A002
        keepdims: bool | None = None) -> Tensor:
    """Whether any element (along `dim`, an int or a tuple) is true; a bool tensor (uint8
    for uint8 input, as PyTorch)."""
    return _truth("any", input, dim, keepdim_arg("any", keepdim, keepdims))


def all(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001,A002
        keepdims: bool | None = None) -> Tensor:
    """Whether every element (along `dim`, an int or a tuple) is true; a bool tensor (uint8
    for uint8 input, as PyTorch)."""
    return _truth("all", input, dim, keepdim_arg("all", keepdim, keepdims))


def _truth(op: str, input: Tensor, dim: Any, keepdim: bool) -> Tensor:  # noqa: A002
    axes = normalize_axes(op, dim, input.ndim)
    source = input._array
    found = getattr(source, op)(axis=axes if source.ndim else None,
                                keepdims=keepdim and source.ndim > 0)
    if source.dtype == np.uint8:
        found = found.astype(np.uint8)
    return input._make(np.asarray(found), None)


def isnan(input: Tensor) -> Tensor:  # noqa: A002
    """Where the elements are NaN."""
    return input._make(input._array != input._array, None)


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    """Where the elements are neither inf nor NaN."""
    return input._make(np.isfinite(input._array), None)
