"""The shape a factory function is asked for (`zeros(2, 3)`, `x.new_zeros((2, 3))`), and
the error for a negative size: RuntimeError as in PyTorch, and ValueError as chainrule's
other argument checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .args import size_args

if TYPE_CHECKING:
    pass

__all__ = ["NegativeSizeError", "creation_shape"]


class NegativeSizeError(RuntimeError, ValueError):
    """A negative size given to a factory function: PyTorch raises RuntimeError there;
    chainrule's argument checks raise ValueError. This error is both, so code written for
    either catches it."""


def creation_shape(op: str, sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """The shape asked of a factory function (`f(2, 3)`, `f((2, 3))`), none negative."""
    try:
        return size_args(op, sizes)
    except ValueError as error:
        raise NegativeSizeError(str(error)) from None
