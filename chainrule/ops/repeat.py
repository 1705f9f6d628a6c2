"""Repeating and reordering: repeat/tile, repeat_interleave, flip (fliplr, flipud), roll.

All of them copy (as in PyTorch: none returns a view). repeat_interleave is an
index_select with each index repeated, so its gradient sums the copies through that gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from ..engine.variable import Variable
from . import _dual
from .args import int_arg, normalize_dim, shape_args
from .scatter import IndexSelect

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["Repeat", "Flip", "Roll", "repeat", "tile", "repeat_interleave", "flip", "fliplr",
           "flipud", "roll", "rot90"]


class Repeat(Gate):
    """f(x) = x tiled `reps` times along each dim (np.tile);  ∂L/∂x = the sum of the
    upstream's tiles: reshaped to (r₀, s₀, r₁, s₁, …) and summed over the r axes."""

    __slots__ = ()
    label = "repeat"

    @staticmethod
    def forward(ctx: Gate, x: Array, reps: tuple[int, ...]) -> Array:
        return array_module(x).tile(x, reps)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        x, reps = ctx.inputs
        padded = (1,) * (len(reps) - x.ndim) + tuple(x.shape)
        interleaved = tuple(size for pair in zip(reps, padded) for size in pair)
        tiles = grad.reshape(interleaved)
        summed = _dual.sum_keepdims(tiles, tuple(range(0, len(interleaved), 2)))
        return summed.reshape(tuple(x.shape)), None


class Flip(Gate):
    """f(x) = x reversed along `dims`;  ∂L/∂x = the upstream reversed along the same dims."""

    __slots__ = ()
    label = "flip"

    @staticmethod
    def forward(ctx: Gate, x: Array, axes: tuple[int, ...]) -> Array:
        return array_module(x).flip(x, axes).copy()  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        axes = ctx.inputs[1]
        if _dual.is_tensor(grad):
            return Flip.apply(grad, axes), None
        return array_module(grad).flip(grad, axes), None


class Roll(Gate):
    """f(x) = x shifted cyclically by `shifts` along `dims` (flattened when dims is None);
    ∂L/∂x = the upstream shifted back by −shifts."""

    __slots__ = ()
    label = "roll"

    @staticmethod
    def forward(ctx: Gate, x: Array, shifts: Any, axes: Any) -> Array:
        return array_module(x).roll(x, shifts, axis=axes)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        _, shifts, axes = ctx.inputs
        back = tuple(-s for s in shifts) if isinstance(shifts, tuple) else -shifts
        if _dual.is_tensor(grad):
            return Roll.apply(grad, back, axes), None, None
        return array_module(grad).roll(grad, back, axis=axes), None, None


# ---------------------------------------------------------------------- fronts
def repeat(input: Tensor, *sizes: Any) -> Tensor:  # noqa: A002
    """The tensor tiled `sizes[i]` times along dim i; extra leading sizes add dims."""
    reps = shape_args("repeat", sizes)
    if len(reps) < input.ndim:
        raise RuntimeError(f"repeat: {len(reps)} repeat sizes {reps} for a tensor of "
                           f"{input.ndim} dimensions; expected at least {input.ndim}")
    if any(r < 0 for r in reps):
        raise RuntimeError(f"repeat: repeat sizes must be non-negative, got {reps}")
    return Repeat.apply(input, reps)


def tile(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    """`repeat`, where fewer sizes than dims are padded with 1s in front."""
    reps = shape_args("tile", (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims))
    return repeat(input, (1,) * (input.ndim - len(reps)) + reps)


def _repeats_array(repeats: Any) -> np.ndarray:
    if isinstance(repeats, Variable):
        array = repeats._array
        if array.dtype.kind not in "iu":
            raise NotImplementedError(f"repeat_interleave: repeats must be an integer tensor, "
                                      f"got {array.dtype}")
        if array.ndim > 1:
            raise RuntimeError(f"repeat_interleave: repeats must be 0-d or 1-d, got shape "
                               f"{tuple(array.shape)}")
        return np.asarray(array, dtype=np.int64)
    return np.asarray(int_arg("repeat_interleave", "repeats", repeats), dtype=np.int64)


def repeat_interleave(input: Tensor, repeats: Any = None, dim: int | None = None, *,  # noqa: A002
                      output_size: int | None = None) -> Tensor:
    """Each element (each slice along `dim`) repeated `repeats` times in place: [1, 2] → [1,
    1, 2, 2]. With a tensor of repeats, element i is repeated repeats[i] times; with no
    repeats, `input` holds the counts and the result is arange repeated by them."""
    if repeats is None:
        counts = _repeats_array(input).reshape(-1)
        if (counts < 0).any():
            raise RuntimeError("repeat_interleave: repeats must be non-negative")
        return input._make(np.repeat(np.arange(counts.size), counts), None)
    counts = _repeats_array(repeats)
    if (counts < 0).any():
        raise RuntimeError(f"repeat_interleave: repeats must be non-negative, got {counts}")
    source = input.reshape(-1) if dim is None else input
    axis = 0 if dim is None else normalize_dim("repeat_interleave", dim, input.ndim)
    length = source.shape[axis] if source.ndim else 1
    if counts.ndim and counts.size not in (1, length):
        raise RuntimeError(f"repeat_interleave: repeats must have the same size as input along "
                           f"dim {axis}, but got {counts.size} repeats and size {length}")
    if source.ndim == 0:
        source = source.reshape(1)
    flat = counts.reshape(-1)
    index = np.repeat(np.arange(length), flat if flat.size > 1 else int(flat[0]))
    if output_size is not None and output_size != index.size:
        raise RuntimeError(f"repeat_interleave: output_size {output_size} but the repeats add "
                           f"up to {index.size}")
    return IndexSelect.apply(source, axis, index)


def _flip_axes(op: str, input: Tensor, dims: Any) -> tuple[int, ...]:  # noqa: A002
    axes = [normalize_dim(op, d, input.ndim) for d in shape_args(op, dims)]
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"{op}: dim {axes[0]} appears multiple times in the list of dims "
                           f"{list(shape_args(op, dims))}")
    return tuple(axes)


def flip(input: Tensor, *dims: Any, **keywords: Any) -> Tensor:  # noqa: A002
    """The tensor reversed along `dims` (a copy, as in PyTorch): `x.flip(0, 1)`,
    `cr.flip(x, (0, 1))` or `cr.flip(x, dims=[1])`.

    >>> import chainrule as cr
    >>> cr.tensor([[1, 2, 3]]).flip(1)
    tensor([[3, 2, 1]])
    """
    if keywords:
        if set(keywords) != {"dims"} or dims:
            raise TypeError(f"flip() got unexpected arguments {sorted(keywords)}; expected "
                            "dims, given once")
        dims = (keywords["dims"],)
    return Flip.apply(input, _flip_axes("flip", input, dims))


def fliplr(input: Tensor) -> Tensor:  # noqa: A002
    """Reversed left to right (dim 1); needs at least 2 dims."""
    if input.ndim < 2:
        raise RuntimeError(f"fliplr: input must be >= 2-d, got {input.ndim} dimensions")
    return Flip.apply(input, (1,))


def flipud(input: Tensor) -> Tensor:  # noqa: A002
    """Reversed up to down (dim 0); needs at least 1 dim."""
    if input.ndim < 1:
        raise RuntimeError("flipud: input must be >= 1-d, got a 0-d tensor")
    return Flip.apply(input, (0,))


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """Elements shifted cyclically by `shifts` along `dims` (the flattened tensor when dims is
    None, its shape kept)."""
    shift_list = shape_args("roll", tuple(shifts) if isinstance(shifts, (tuple, list))
                            else (shifts,))
    if dims is None:
        if len(shift_list) != 1:
            raise RuntimeError(f"roll: without dims, shifts must be one int, got {shift_list}")
        return Roll.apply(input, shift_list[0], None)
    dim_list = shape_args("roll", tuple(dims) if isinstance(dims, (tuple, list)) else (dims,))
    if len(dim_list) != len(shift_list):
        raise RuntimeError(f"roll: shifts and dims must align, got {len(shift_list)} shifts "
                           f"and {len(dim_list)} dims")
    axes = tuple(normalize_dim("roll", d, input.ndim) for d in dim_list)
    return Roll.apply(input, shift_list, axes)


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:  # noqa: A002
    """Rotated k times by 90° in the plane of `dims`, from the first dim towards the second
    (NumPy's rot90): flips and a transpose, so the gradient is theirs."""
    plane = shape_args("rot90", tuple(dims))
    if len(plane) != 2:
        raise RuntimeError(f"rot90: expected 2 rotation dims, got {len(plane)}: {plane}")
    if input.ndim < 2:
        raise RuntimeError(f"rot90: expected a tensor of at least 2 dims, got shape "
                           f"{input.shape}")
    first, second = (normalize_dim("rot90", d, input.ndim) for d in plane)
    if first == second:
        raise RuntimeError(f"rot90: expected rotation dims to be different, got {first} and "
                           f"{second}")
    turns = int_arg("rot90", "k", k) % 4
    if turns == 0:
        return input.clone()
    if turns == 2:
        return Flip.apply(input, (first, second))
    order = list(range(input.ndim))
    order[first], order[second] = order[second], order[first]
    if turns == 1:
        return Flip.apply(input, (second,)).permute(*order)
    return Flip.apply(input.permute(*order), (second,))
