"""Helpers that take arrays or tensors and return the same kind.

Built-in backward rules are written with operators and these helpers only, so one rule
serves both passes: on arrays for a plain backward, and on tensors (recorded, so
differentiable again) under `create_graph=True`.
"""

from __future__ import annotations

from typing import Any

from ..backends import array_module
from ..engine.variable import Variable

__all__ = ["exp", "log", "tanh", "where", "swap_last_axes", "permute", "sum_keepdims", "cast",
           "is_tensor", "constant"]


def is_tensor(value: Any) -> bool:
    # A plain bool (no type narrowing): the callers use the Tensor methods of `value`.
    return isinstance(value, Variable)


def constant(value: Any) -> Any:
    """The array under a tensor (for masks and other values that carry no gradient)."""
    return value._array if isinstance(value, Variable) else value


def exp(value: Any) -> Any:
    return value.exp() if is_tensor(value) else array_module(value).exp(value)


def log(value: Any) -> Any:
    return value.log() if is_tensor(value) else array_module(value).log(value)


def tanh(value: Any) -> Any:
    return value.tanh() if is_tensor(value) else array_module(value).tanh(value)


def where(condition: Any, if_true: Any, if_false: Any) -> Any:
    """Elementwise choice; `condition` is a constant mask."""
    condition = constant(condition)
    if is_tensor(if_true):
        return if_true.where(condition, if_false)
    if is_tensor(if_false):
        return if_false.where(~condition, if_true)
    return array_module(condition).where(condition, if_true, if_false)


def swap_last_axes(value: Any) -> Any:
    return value.transpose(-1, -2) if is_tensor(value) else value.swapaxes(-1, -2)


def permute(value: Any, axes: tuple[int, ...]) -> Any:
    return value.permute(*axes) if is_tensor(value) else value.transpose(axes)


def sum_keepdims(value: Any, axis: Any) -> Any:
    if is_tensor(value):
        return value.sum(dim=axis, keepdim=True)
    return value.sum(axis=axis, keepdims=True)


def cast(value: Any, numpy_dtype: Any) -> Any:
    if is_tensor(value):
        return value.to(numpy_dtype)
    return value.astype(numpy_dtype, copy=False)
