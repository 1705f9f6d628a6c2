"""Helpers that take arrays or tensors and return the same kind.

Built-in backward rules are written with operators and these helpers only, so one rule
serves both passes: on arrays for a plain backward, and on tensors (recorded, so
differentiable again) under `create_graph=True`. The rules are typed for arrays
(`_typing.Array`); here, and only here, a value may turn out to be a tensor.
"""

from __future__ import annotations

from typing import Any

from .._typing import Array
from ..backends import array_module
from ..engine.variable import Variable

__all__ = ["call", "exp", "log", "tanh", "where", "swap_last_axes", "permute", "sum_keepdims",
           "cast", "is_tensor", "constant"]


def is_tensor(value: object) -> bool:
    # A plain bool (no type narrowing): the callers use the Tensor methods of `value`.
    return isinstance(value, Variable)


def constant(value: Any) -> Any:
    """The array under a tensor (for masks and other values that carry no gradient)."""
    return value._array if isinstance(value, Variable) else value


def call(name: str, value: Array) -> Array:
    """The elementwise function `name` (a Tensor method and a NumPy function of that name:
    sin, cos, sqrt, …) on an array or a tensor."""
    tensor: Any = value
    if is_tensor(value):
        return getattr(tensor, name)()  # type: ignore[no-any-return]
    return getattr(array_module(value), name)(value)  # type: ignore[no-any-return]


def exp(value: Array) -> Array:
    tensor: Any = value
    return tensor.exp() if is_tensor(value) else array_module(value).exp(value)


def log(value: Array) -> Array:
    tensor: Any = value
    return tensor.log() if is_tensor(value) else array_module(value).log(value)


def tanh(value: Array) -> Array:
    tensor: Any = value
    return tensor.tanh() if is_tensor(value) else array_module(value).tanh(value)


def where(condition: Array, if_true: Array | float, if_false: Array | float) -> Array:
    """Elementwise choice; `condition` is a constant mask."""
    condition = constant(condition)
    first: Any = if_true
    second: Any = if_false
    if is_tensor(first):
        return first.where(condition, second)
    if is_tensor(second):
        return second.where(~condition, first)
    return array_module(condition).where(condition, first, second)


def swap_last_axes(value: Array) -> Array:
    tensor: Any = value
    return tensor.transpose(-1, -2) if is_tensor(value) else value.swapaxes(-1, -2)


def permute(value: Array, axes: tuple[int, ...]) -> Array:
    tensor: Any = value
    return tensor.permute(*axes) if is_tensor(value) else value.transpose(axes)


def sum_keepdims(value: Array, axis: Any) -> Array:
    tensor: Any = value
    if is_tensor(value):
        return tensor.sum(dim=axis, keepdim=True)
    return value.sum(axis=axis, keepdims=True)


def cast(value: Array, numpy_dtype: Any) -> Array:
    tensor: Any = value
    if is_tensor(value):
        return tensor.to(numpy_dtype)
    return value.astype(numpy_dtype, copy=False)
