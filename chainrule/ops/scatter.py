"""Gathering and scattering along a dim: gather/scatter, index_select/index_add/index_copy,
and the fills (masked_fill, index_fill, scatter of a value).

Each gathering gate has a scattering adjoint and the other way round: the gradient of
`gather` is a `scatter_add` into zeros, the gradient of `scatter_add`'s source is a `gather`.
An index may repeat, so the scatters accumulate with `add.at` (plain assignment would keep
only the last pick and lose gradient). The indices are constants: no gradient flows to them.
"""

from __future__ import annotations

from typing import Any

from .._typing import Array, Grad, Shape
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from ._broadcast import unbroadcast

__all__ = ["Gather", "ScatterAdd", "Scatter", "IndexSelect", "IndexAddDim", "IndexCopy",
           "FillWhere", "IndexFill", "ScatterFill", "along", "grid"]


def along(axis: int, index: Any) -> tuple[Any, ...]:
    """The index tuple that picks `index` on axis `axis` and everything on the axes before."""
    return (slice(None),) * axis + (index,)


def grid(axis: int, index: Array) -> tuple[Any, ...]:
    """The fancy index of gather/scatter: position p of `index` names the element whose
    coordinates are p's, except on `axis`, where it is index[p]."""
    xp = array_module(index)
    ndim = index.ndim
    parts: list[Any] = []
    for dim, size in enumerate(index.shape):
        if dim == axis:
            parts.append(index)
        else:
            parts.append(xp.arange(size).reshape([-1 if k == dim else 1 for k in range(ndim)]))
    return tuple(parts)


def _zeros(like: Array, shape: Shape) -> Array:
    array = _dual.constant(like)
    return array_module(array).zeros(shape, dtype=array.dtype)  # type: ignore[no-any-return]


def _gather(values: Array, axis: int, index: Array) -> Array:
    """values gathered along `axis` (on arrays, or recorded on tensors)."""
    if _dual.is_tensor(values):
        return Gather.apply(values, axis, index)  # type: ignore[no-any-return]
    return values[grid(axis, index)]


def _scatter_add_into_zeros(values: Array, shape: Shape, axis: int, index: Array) -> Array:
    """zeros(shape) with `values` added at gather's positions (gather's adjoint)."""
    if _dual.is_tensor(values):
        return ScatterAdd.apply(_zeros(values, shape), axis, index,  # type: ignore[no-any-return]
                                values)
    out = _zeros(values, shape)
    array_module(out).add.at(out, grid(axis, index), values)
    return out


def _index_select(values: Array, axis: int, index: Array) -> Array:
    if _dual.is_tensor(values):
        return IndexSelect.apply(values, axis, index)  # type: ignore[no-any-return]
    return array_module(values).take(values, index, axis=axis)  # type: ignore[no-any-return]


def _index_add_into_zeros(values: Array, shape: Shape, axis: int, index: Array) -> Array:
    if _dual.is_tensor(values):
        return IndexAddDim.apply(_zeros(values, shape), axis, index,  # type: ignore[no-any-return]
                                 values, 1)
    out = _zeros(values, shape)
    array_module(out).add.at(out, along(axis, index), values)
    return out


class Gather(Gate):
    """f(x) = out with out[p] = x[p with its `dim` coordinate replaced by index[p]];
    ∂L/∂x = zeros with the upstream added back at the gathered places (repeats summed)."""

    __slots__ = ()
    label = "gather"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int, index: Array) -> Array:
        return x[grid(axis, index)]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        x, axis, index = ctx.inputs
        return _scatter_add_into_zeros(grad, x.shape, axis, index), None, None


class ScatterAdd(Gate):
    """f(x, src) = x with src[p] added at gather's position p;  ∂L/∂x = upstream,
    ∂L/∂src = upstream gathered at the same positions."""

    __slots__ = ()
    label = "scatter_add"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int, index: Array, src: Array) -> Array:
        out = x.copy()
        array_module(out).add.at(out, grid(axis, index), src)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None, Grad]:
        need_x, _, _, need_src = ctx.needs_input_grad
        _, axis, index, _ = ctx.inputs
        return (grad if need_x else None, None, None,
                _gather(grad, axis, index) if need_src else None)


def _written(shape: Shape, place: tuple[Any, ...], like: Array) -> Array:
    """A bool mask of `shape`, true at the places `place` writes."""
    mask = array_module(_dual.constant(like)).zeros(shape, dtype=bool)
    mask[place] = True
    return mask  # type: ignore[no-any-return]


class Scatter(Gate):
    """f(x, src) = x with src[p] written at gather's position p;  ∂L/∂x = upstream, zero at
    the overwritten places; ∂L/∂src = upstream gathered at those places."""

    __slots__ = ()
    label = "scatter"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int, index: Array, src: Array) -> Array:
        out = x.copy()
        out[grid(axis, index)] = src
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None, Grad]:
        need_x, _, _, need_src = ctx.needs_input_grad
        x, axis, index, _ = ctx.inputs
        grad_x = None
        if need_x:
            grad_x = _dual.where(_written(x.shape, grid(axis, index), grad), 0.0, grad)
        return grad_x, None, None, _gather(grad, axis, index) if need_src else None


class IndexSelect(Gate):
    """f(x) = the slices index[0], index[1], … of x along `dim`;  ∂L/∂x = zeros with each
    upstream slice added back at its index (repeats summed)."""

    __slots__ = ()
    label = "index_select"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int, index: Array) -> Array:
        return array_module(x).take(x, index, axis=axis)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        x, axis, index = ctx.inputs
        return _index_add_into_zeros(grad, x.shape, axis, index), None, None


class IndexAddDim(Gate):
    """f(x, source) = x with alpha·source[i] added to slice index[i] along `dim`;
    ∂L/∂x = upstream, ∂L/∂source = alpha · the upstream's slices at index."""

    __slots__ = ()
    label = "index_add"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int, index: Array, source: Array,
                alpha: Any) -> Array:
        out = x.copy()
        array_module(out).add.at(out, along(axis, index), source if alpha == 1 else
                                 source * alpha)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None, Grad, None]:
        need_x, _, _, need_source, _ = ctx.needs_input_grad
        _, axis, index, _, alpha = ctx.inputs
        grad_source = None
        if need_source:
            grad_source = _index_select(grad, axis, index)
            grad_source = grad_source if alpha == 1 else grad_source * alpha
        return grad if need_x else None, None, None, grad_source, None


class IndexCopy(Gate):
    """f(x, source) = x with slice index[i] along `dim` replaced by source[i];
    ∂L/∂x = upstream, zero at the replaced slices; ∂L/∂source = the upstream's slices."""

    __slots__ = ()
    label = "index_copy"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int, index: Array, source: Array) -> Array:
        out = x.copy()
        out[along(axis, index)] = source
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None, Grad]:
        need_x, _, _, need_source = ctx.needs_input_grad
        x, axis, index, _ = ctx.inputs
        grad_x = None
        if need_x:
            grad_x = _dual.where(_written(x.shape, along(axis, index), grad), 0.0, grad)
        return grad_x, None, None, _index_select(grad, axis, index) if need_source else None


class FillWhere(Gate):
    """f(x, value) = value where mask, else x (mask broadcast with x);  ∂L/∂x = upstream where
    not mask (summed back to x's shape), ∂L/∂value = Σ upstream where mask."""

    __slots__ = ()
    label = "masked_fill"

    @staticmethod
    def forward(ctx: Gate, x: Array, mask: Array, value: Any) -> Array:
        xp = array_module(x)
        fill = xp.asarray(value).astype(x.dtype)
        return xp.where(mask, fill, x)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, Grad]:
        need_x, _, need_value = ctx.needs_input_grad
        x, mask, _ = ctx.inputs
        grad_x = grad_value = None
        if need_x:
            grad_x = unbroadcast(_dual.where(mask, 0.0, grad), tuple(x.shape))
        if need_value:
            total: Any = _dual.where(mask, grad, 0.0).sum()
            total = total if _dual.is_tensor(total) else array_module(grad).asarray(total)
            grad_value = _dual.cast(total, ctx.inputs[2]._array.dtype)  # the value's dtype
        return grad_x, None, grad_value


class IndexFill(FillWhere):
    """index_fill: FillWhere with the mask of the slices index[i] along `dim`."""

    __slots__ = ()
    label = "index_fill"


class ScatterFill(FillWhere):
    """scatter of a value: FillWhere with the mask of gather's positions."""

    __slots__ = ()
    label = "scatter"

