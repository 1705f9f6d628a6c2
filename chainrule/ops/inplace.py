"""In-place changes of a tensor's array: the checks every `_` method and `x[i] = v` share.

An in-place change of a tensor that a recorded graph may still need would make its
gradients wrong, so it is refused while grad mode is on (optimisers work under `no_grad`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _dtype
from ..engine import version
from ..engine.grad_mode import state
from ..engine.variable import Variable
from .errors import ShapeError

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["check", "apply_ufunc", "write_back"]


def check(tensor: Any, op: str, other: Any = None) -> None:
    """Refuses an in-place change that would invalidate a recorded graph."""
    if state.grad_enabled and (tensor._requires_grad or (isinstance(other, Variable)
                                                         and other._requires_grad)):
        raise RuntimeError(
            f"{op}: in-place change of a tensor that is part of a recorded graph; "
            "gradients through it would be wrong. Write it out of place (x = x + y) or "
            "do it inside `with cr.no_grad():` (as optimisers do)")


def apply_ufunc(tensor: Any, op: str, ufunc: Any, other: Any) -> Any:
    """`tensor (op)= other` with a NumPy ufunc writing into the tensor's own array."""
    check(tensor, op, other)
    value = other._array if isinstance(other, Variable) else other
    _dtype.check_in_place(op, tensor._array.dtype, value)
    try:
        ufunc(tensor._array, value, out=tensor._array)
    except TypeError:  # NumPy's casting refusal (an int tensor /= 2): PyTorch's RuntimeError
        produced = np.asarray(ufunc(tensor._array.reshape(-1)[:1], np.asarray(value)
                                    .reshape(-1)[:1])).dtype
        if produced.kind == "f" and np.asarray(value).dtype.kind != "f":
            produced = _dtype.default_float.numpy  # ints divide to the default float
        _dtype.check_cast(op, produced, tensor._array.dtype)
        raise
    except ValueError as error:
        raise ShapeError(f"{op}: shape {tuple(np.shape(value))} cannot be broadcast to "
                         f"this tensor's shape {tensor.shape} ({error})") from None
    version.bump(tensor)
    return tensor


def write_back(tensor: Any, op: str, result: Any) -> Any:
    """Stores an out-of-place `result` into `tensor` (how `x.exp_()` is made from `exp`)."""
    check(tensor, op)
    _dtype.check_in_place(op, tensor._array.dtype, result._array)
    tensor._array[...] = result._array
    version.bump(tensor)
    return tensor


def add_(input: Tensor, other: Any, alpha: Any = 1) -> Tensor:  # noqa: A002
    """In place: input += alpha·other."""
    value = other._array if isinstance(other, Variable) else other
    return apply_ufunc(input, "add_", np.add, value if alpha == 1 else value * alpha)


def sub_(input: Tensor, other: Any, alpha: Any = 1) -> Tensor:  # noqa: A002
    """In place: input −= alpha·other."""
    value = other._array if isinstance(other, Variable) else other
    return apply_ufunc(input, "sub_", np.subtract, value if alpha == 1 else value * alpha)
