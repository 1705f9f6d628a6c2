"""`Size`: the shape of a tensor, a tuple of ints as PyTorch's `torch.Size` is."""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

__all__ = ["Size", "legacy_sizes"]


class Size(tuple):  # type: ignore[type-arg]
    """A tensor's shape: a tuple of ints with `numel()`; it prints as `torch.Size` does,
    spelt with chainrule's name (`chainrule.Size([2, 3])`, as dtypes print
    `chainrule.float32`). It equals the plain tuple of the same sizes.

    >>> import chainrule as cr
    >>> cr.zeros(2, 3).shape
    chainrule.Size([2, 3])
    >>> cr.zeros(2, 3).shape == (2, 3), cr.zeros(2, 3).shape.numel()
    (True, 6)
    """

    __slots__ = ()

    def __new__(cls, sizes: Any = ()) -> Size:
        values = tuple(sizes)
        for size in values:
            if isinstance(size, bool) or not hasattr(size, "__index__"):
                raise TypeError(f"Size: expected a sequence of ints, but got "
                                f"{type(size).__name__} {size!r}")
        return super().__new__(cls, (size.__index__() for size in values))

    @classmethod
    def of(cls, shape: tuple[int, ...]) -> Size:
        """The Size of an array's shape (already ints: no checks, the fast path)."""
        return tuple.__new__(cls, shape)

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        return math.prod(self)

    def __repr__(self) -> str:
        return f"chainrule.Size([{', '.join(str(size) for size in self)}])"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        # f-strings (the library's error messages among them) show the plain tuple, "(2, 3)";
        # repr and str show "chainrule.Size([2, 3])".
        return format(tuple.__repr__(self), spec)

    def __getitem__(self, index: Any) -> Any:
        found = tuple.__getitem__(self, index)
        return Size(found) if isinstance(index, slice) else found

    def __add__(self, other: Any) -> Size:
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other: Any) -> Size:
        return Size(tuple(other) + tuple(self))

    def __mul__(self, count: Any) -> Size:
        return Size(tuple.__mul__(self, count))

    __rmul__ = __mul__

    def __reduce__(self) -> Any:
        return (Size, (tuple(self),))


def _is_size(value: Any) -> bool:
    return isinstance(value, (builtins.int, np.integer)) and not isinstance(value, bool)


def legacy_sizes(op: str, args: tuple[Any, ...], dtype: np.dtype) -> np.ndarray | None:
    """For PyTorch's legacy constructors (`Tensor(2, 3)`, `FloatTensor(size)`): a zero-filled
    array when `args` are sizes (ints, or one `Size`), an empty one for no arguments, None
    when `args` is one piece of data. PyTorch leaves the memory of the sizes form
    uninitialised; any value is allowed there, and zeros make runs repeatable."""
    if not args:
        return np.zeros((0,), dtype=dtype)
    if len(args) == 1 and isinstance(args[0], Size) or all(_is_size(a) for a in args):
        shape = tuple(args[0]) if isinstance(args[0], Size) else tuple(int(a) for a in args)
        if any(size < 0 for size in shape):
            raise RuntimeError(f"{op}: trying to create a tensor with negative dimension: "
                               f"{list(shape)}")
        return np.zeros(shape, dtype=dtype)
    if len(args) > 1:
        raise TypeError(f"{op}: expected sizes (ints) or one data argument, got "
                        f"({', '.join(type(a).__name__ for a in args)})")
    return None
