"""Arguments as PyTorch takes them: sizes, dims, shapes with -1, and indices.

Each helper checks one kind of argument and raises an error that names the operation, what
was given and what was expected.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..engine.variable import Variable

__all__ = ["shape_args", "size_args", "int_arg", "number_arg", "normalize_dim", "normalize_axes",
           "resolve_shape", "normalize_index", "keepdim_arg"]


def shape_args(op: str, sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """Accepts f(2, 3), f((2, 3)) and f([2, 3]), as PyTorch does."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    for size in sizes:
        if not isinstance(size, (int, np.integer)):
            raise TypeError(f"{op}: sizes must be ints, got {sizes!r}")
    return tuple(int(size) for size in sizes)


def size_args(op: str, sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """The shape of a tensor to create: `shape_args`, each size non-negative."""
    shape = shape_args(op, sizes)
    if any(size < 0 for size in shape):
        raise ValueError(f"{op}: sizes must be non-negative, got {shape}")
    return shape


def int_arg(op: str, name: str, value: Any, minimum: int | None = None) -> int:
    """An int argument (not a bool, not a float), at least `minimum` when given."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__} {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{op}: {name} must be at least {minimum}, got {value}")
    return int(value)


def number_arg(op: str, name: str, value: Any) -> float:
    """A real number argument (int or float, not a bool or a string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{op}: {name} must be a number, got {type(value).__name__} "
                        f"{value!r}")
    return float(value)


def normalize_dim(op: str, dim: Any, ndim: int) -> int:
    """`dim` as a non-negative axis of a tensor with `ndim` dimensions."""
    if not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {dim!r}")
    bound = builtins.max(ndim, 1)
    if not -bound <= dim < bound:
        raise IndexError(f"{op}: dim {dim} is out of range for a tensor of {ndim} "
                         f"dimension{'s' if ndim != 1 else ''} (expected {-bound}..{bound - 1})")
    return int(dim) % bound


def normalize_axes(op: str, axis: Any, ndim: int) -> tuple[int, ...] | None:
    """None, or a sorted tuple of non-negative axes; a clear error for an axis out of range."""
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        axes: tuple[Any, ...] = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {axis!r}")
    normalized = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: dim must be an int or a tuple of ints, got {axis!r}")
        normalized.append(normalize_dim(op, a, ndim))
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: dim {axis!r} names the same axis twice")
    return tuple(sorted(normalized))


def resolve_shape(op: str, current: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """Fills a -1 in a target shape, with a clear error when the sizes cannot agree."""
    known = 1
    unknown = [i for i, size in enumerate(shape) if size == -1]
    for size in shape:
        if size != -1:
            known *= size
    total = int(np.prod(current, dtype=np.int64))
    if len(unknown) > 1:
        raise ValueError(f"{op}: only one dimension can be -1, got {shape}")
    if unknown:
        if known == 0 or total % known:
            raise ValueError(f"{op}: cannot reshape a tensor of shape {current} "
                             f"({total} elements) into {shape}")
        shape = shape[:unknown[0]] + (total // known,) + shape[unknown[0] + 1:]
    elif known != total:
        raise ValueError(f"{op}: cannot reshape a tensor of shape {current} ({total} "
                         f"elements) into {shape} ({known} elements)")
    return shape


def normalize_index(index: Any) -> tuple[Any, ...]:
    """Any index as a tuple of ints, slices, None, Ellipsis and arrays."""
    parts = index if isinstance(index, tuple) else (index,)
    normalized = []
    for part in parts:
        if isinstance(part, Variable):
            if part._array.dtype.kind not in "biu":
                raise IndexError(f"tensors used as indices must be integer or bool, got "
                                 f"{part._array.dtype}")
            part = part._array
        elif isinstance(part, list):
            part = np.asarray(part)
            if part.dtype.kind not in "biu" and part.size:
                raise IndexError(f"lists used as indices must hold ints or bools, got "
                                 f"{part.dtype}")
            if not part.size:
                part = part.astype(np.int64)
        elif isinstance(part, np.integer):
            part = int(part)
        elif isinstance(part, float):
            raise IndexError("only integers, slices, None, Ellipsis and integer or bool "
                             "arrays are valid indices, not floats")
        normalized.append(part)
    return tuple(normalized)


def keepdim_arg(op: str, keepdim: Any, keepdims: Any = None) -> bool:
    """`keepdim`, or NumPy's spelling `keepdims=` (PyTorch accepts both); not both at once."""
    if keepdims is not None:
        if keepdim:
            raise TypeError(f"{op}: got both keepdim= and keepdims=; pass only one")
        keepdim = keepdims
    if not isinstance(keepdim, (bool, np.bool_)):
        raise TypeError(f"{op}: keepdim must be a bool, got {type(keepdim).__name__} "
                        f"{keepdim!r}")
    return bool(keepdim)
