"""Bits and truth values: bitwise operations on integer and bool tensors (`&`, `|`, `^`, `~`,
`<<`, `>>`), the logical operations on any dtype, and where the nonzero elements are.

None of them has a gradient. As in PyTorch, `&`, `|`, `^` and `~` are bitwise (on bool
tensors that is the logical operation), `logical_and` and its kin compare truth values
(x ≠ 0) of any dtype and give bool tensors, and an integer tensor with a Python int keeps the
tensor's dtype, while two tensors promote (int32 & int64 is int64). Floats are refused, as
PyTorch refuses them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.variable import Variable
from .inplace import apply_ufunc, write_back

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift", "bitwise_and_", "bitwise_or_", "bitwise_xor_",
           "bitwise_not_", "bitwise_left_shift_", "bitwise_right_shift_", "rlshift", "rrshift",
           "logical_and", "logical_or", "logical_xor", "logical_not", "nonzero", "argwhere"]

_INTEGER_KINDS = "biu"


def _bits(op: str, value: Any) -> Any:
    """The array (or Python int/bool) under an operand of a bitwise operation."""
    if isinstance(value, Variable):
        value = value._array
    elif isinstance(value, (list, tuple)):
        value = np.asarray(value)
    if isinstance(value, (bool, int, np.integer, np.bool_)):
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind in _INTEGER_KINDS:
        return value
    kind = value.dtype if isinstance(value, np.ndarray) else type(value).__name__
    raise NotImplementedError(f"{op}: not implemented for {kind} operands; expected integer "
                              "or bool tensors (or Python ints)")


def _bitwise(op: str, ufunc: Any, input: Tensor, other: Any) -> Tensor:  # noqa: A002
    a, b = _bits(op, input), _bits(op, other)
    try:
        return input._make(np.asarray(ufunc(a, b)), None)
    except ValueError:
        raise ValueError(f"{op}: shapes {input.shape} and {tuple(np.shape(b))} cannot be "
                         "broadcast together") from None


def bitwise_and(input: Tensor, other: Any) -> Tensor:  # noqa: A002 - PyTorch's names
    """input & other, bit by bit (integer and bool tensors)."""
    return _bitwise("bitwise_and", np.bitwise_and, input, other)


def bitwise_or(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """input | other, bit by bit (integer and bool tensors)."""
    return _bitwise("bitwise_or", np.bitwise_or, input, other)


def bitwise_xor(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """input ^ other, bit by bit (integer and bool tensors)."""
    return _bitwise("bitwise_xor", np.bitwise_xor, input, other)


def bitwise_left_shift(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """input << other (integer tensors)."""
    return _bitwise("bitwise_left_shift", np.left_shift, input, other)


def bitwise_right_shift(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """input >> other, arithmetic (the sign kept) on signed integers."""
    return _bitwise("bitwise_right_shift", np.right_shift, input, other)


def rlshift(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """other << input, for `number << tensor`."""
    return input._make(np.asarray(np.left_shift(_bits("__rlshift__", other),
                                                 _bits("__rlshift__", input))), None)


def rrshift(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """other >> input, for `number >> tensor`."""
    return input._make(np.asarray(np.right_shift(_bits("__rrshift__", other),
                                                  _bits("__rrshift__", input))), None)


def bitwise_not(input: Tensor) -> Tensor:  # noqa: A002
    """~input: every bit flipped (on a bool tensor, not)."""
    if input._array.dtype.kind not in _INTEGER_KINDS:
        raise TypeError(f"~ (bitwise_not) is only implemented on integer and bool tensors, "
                        f"not {input.dtype}; for a float mask use logical_not()")
    return input._make(np.invert(input._array), None)


def _in_place(op: str, ufunc: Any, input: Tensor, other: Any) -> Tensor:  # noqa: A002
    _bits(op, input)  # refuses a float tensor
    return apply_ufunc(input, op, ufunc, _bits(op, other))  # type: ignore[no-any-return]


def bitwise_and_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """In place: input &= other."""
    return _in_place("bitwise_and_", np.bitwise_and, input, other)


def bitwise_or_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """In place: input |= other."""
    return _in_place("bitwise_or_", np.bitwise_or, input, other)


def bitwise_xor_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """In place: input ^= other."""
    return _in_place("bitwise_xor_", np.bitwise_xor, input, other)


def bitwise_left_shift_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """In place: input <<= other."""
    return _in_place("bitwise_left_shift_", np.left_shift, input, other)


def bitwise_right_shift_(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """In place: input >>= other."""
    return _in_place("bitwise_right_shift_", np.right_shift, input, other)


def bitwise_not_(input: Tensor) -> Tensor:  # noqa: A002
    """In place: input = ~input."""
    return write_back(input, "bitwise_not_", bitwise_not(input))  # type: ignore[no-any-return]


# ---------------------------------------------------------------------- truth values
def _truth(value: Any) -> Any:
    array = value._array if isinstance(value, Variable) else np.asarray(value)
    return array if array.dtype == np.bool_ else array != 0


def _logical(op: str, ufunc: Any, input: Tensor, other: Any) -> Tensor:  # noqa: A002
    a, b = _truth(input), _truth(other)
    try:
        return input._make(np.asarray(ufunc(a, b)), None)
    except ValueError:
        raise ValueError(f"{op}: shapes {input.shape} and {tuple(np.shape(b))} cannot be "
                         "broadcast together") from None


def logical_and(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Where both input and other are nonzero (a bool tensor, for any dtypes)."""
    return _logical("logical_and", np.logical_and, input, other)


def logical_or(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Where input or other is nonzero (a bool tensor, for any dtypes)."""
    return _logical("logical_or", np.logical_or, input, other)


def logical_xor(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    """Where exactly one of input and other is nonzero (a bool tensor)."""
    return _logical("logical_xor", np.logical_xor, input, other)


def logical_not(input: Tensor) -> Tensor:  # noqa: A002
    """Where input is zero (a bool tensor, for any dtype)."""
    return input._make(np.logical_not(_truth(input)), None)


# ---------------------------------------------------------------------- where things are
def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or with `as_tuple`
    one int64 tensor of indices per dimension (what `where(condition)` returns)."""
    found = np.nonzero(np.atleast_1d(input._array))
    if as_tuple:
        if input._array.ndim == 0:
            return (input._make(found[0].astype(np.int64), None),)
        return tuple(input._make(axis.astype(np.int64), None) for axis in found)
    indices = np.stack(found, axis=1) if input._array.ndim else np.zeros(
        (len(found[0]), 0), np.int64)
    return input._make(indices.astype(np.int64), None)


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    """The indices of the nonzero elements, one row per element (nonzero())."""
    return nonzero(input)  # type: ignore[no-any-return]
