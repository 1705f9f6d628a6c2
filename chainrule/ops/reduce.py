"""Reductions: sum, mean, max/min, prod, logsumexp, and the softmax family along a dim.

A reduction's rule sends each output's gradient back to the inputs it was made from: every
input for a sum, the winner for a max, the exclusive product for a prod.
"""

from __future__ import annotations

import builtins
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import return_types
from .._typing import Array, Axes, Grad
from ..backends import array_module
from ..engine.gate import Gate
from ..engine.variable import Variable
from . import _dual
from ._broadcast import broadcast_to
from ._short_axis import max_keepdims
from .args import keepdim_arg, normalize_axes, normalize_dim
from .dispatch import as_floating
from .errors import DtypeError

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["sum", "mean", "prod", "max", "min", "argmax", "argmin", "var", "std",
           "logsumexp", "softmax", "log_softmax", "Sum", "Mean", "MaxAll", "MaxDim", "Prod",
           "LogSumExp", "Softmax", "LogSoftmax"]


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """`shape` with each reduced axis set to 1 (what keepdim=True gives)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else size for i, size in enumerate(shape))


def restore(grad: Any, shape: tuple[int, ...], axes: tuple[int, ...] | None) -> Any:
    """A reduced gradient brought back to the input's `shape` (a broadcast, no copy)."""
    kept = kept_shape(shape, axes)
    if grad.shape != kept:
        grad = grad.reshape(kept)
    return broadcast_to(grad, shape)


def _numpy_axis(axes: tuple[int, ...] | None) -> Any:
    return axes if axes is None or len(axes) != 1 else axes[0]


class Sum(Gate):
    """f(x) = Σ x over `dim`;  ∂f/∂xᵢ = 1: every input receives the upstream gradient."""

    __slots__ = ()
    label = "sum"

    @staticmethod
    def forward(ctx: Gate, x: Array, axes: Axes, keepdim: bool) -> Array:
        return x.sum(axis=_numpy_axis(axes), keepdims=keepdim)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        return restore(grad, ctx.inputs[0].shape, ctx.inputs[1]), None, None


class Mean(Gate):
    """f(x) = (1/n) Σ x over `dim`;  ∂f/∂xᵢ = 1/n."""

    __slots__ = ()
    label = "mean"

    @staticmethod
    def forward(ctx: Gate, x: Array, axes: Axes, keepdim: bool) -> Array:
        return x.mean(axis=_numpy_axis(axes), keepdims=keepdim)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        x, axes, _ = ctx.inputs
        count = x.numel() if axes is None else _count(x.shape, axes)
        return restore(grad / count, x.shape, axes), None, None


def _count(shape: tuple[int, ...], axes: tuple[int, ...]) -> int:
    count = 1
    for a in axes:
        count *= shape[a]
    return count


class MaxAll(Gate):
    """f(x) = max over all of x (or min, with `largest=False`);  ties share the gradient evenly,
    as PyTorch does; every other input gets 0."""

    __slots__ = ()
    saves_output = True
    label = "max"

    @staticmethod
    def forward(ctx: Gate, x: Array, largest: bool) -> Array:
        if x.size == 0:
            raise RuntimeError(f"{'max' if largest else 'min'}: the tensor is empty; a "
                               "reduction over no elements has no value")
        out = x.max() if largest else x.min()
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        x, out = ctx.saved_tensors
        winners = _dual.constant(x) == _dual.constant(out)
        share = winners / winners.sum()
        return grad * share.astype(_dual.constant(x).dtype), None


class MaxDim(Gate):
    """f(x) = max of x along one dim (or min): the gradient goes to the index returned."""

    __slots__ = ("indices",)
    indices: Array | None
    label = "max"

    @staticmethod
    def forward(ctx: MaxDim, x: Array, axis: int, keepdim: bool, largest: bool) -> Array:
        if x.shape[axis] == 0:
            raise IndexError(f"{'max' if largest else 'min'}: dim {axis} has size 0; there is "
                             "no element to pick")
        xp = array_module(x)
        indices = xp.argmax(x, axis=axis, keepdims=True) if largest else \
            xp.argmin(x, axis=axis, keepdims=True)
        ctx.indices = indices
        values = xp.take_along_axis(x, indices, axis=axis)
        return values if keepdim else values.squeeze(axis)

    @staticmethod
    def backward(ctx: MaxDim, grad: Array) -> tuple[Grad, None, None, None]:
        x, axis = ctx.inputs[0], ctx.inputs[1]
        xp = array_module(ctx.indices)
        positions = xp.arange(x.shape[axis]).reshape(
            tuple(-1 if i == axis else 1 for i in range(x.ndim)))
        chosen = positions == ctx.indices
        return _dual.where(chosen, restore(grad, x.shape, (axis,)), 0), None, None, None


class Prod(Gate):
    """f(x) = Π x over `dim`;  ∂f/∂xᵢ = Π_{j≠i} xⱼ, the product of all the others."""

    __slots__ = ()
    saves_output = True
    label = "prod"

    @staticmethod
    def forward(ctx: Gate, x: Array, axes: Axes, keepdim: bool) -> Array:
        out = x.prod(axis=_numpy_axis(axes), keepdims=keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        x, out = ctx.saved_tensors
        axes = ctx.inputs[1]
        shape = ctx.inputs[0].shape
        raw = _dual.constant(x)
        if _dual.is_tensor(grad):
            if bool((raw == 0).any()):
                raise NotImplementedError(
                    "prod: the second derivative at an input that holds zeros is not "
                    "implemented; the first derivative is")
            return restore(grad * out, shape, axes) / x, None, None
        return restore(grad, shape, axes) * _exclusive_product(raw, axes), None, None


def _exclusive_product(x: Array, axes: Axes) -> Array:
    """For each element, the product of the others in its reduction group; exact with zeros.

    The reduced axes are moved to the end and flattened, then the product of everything to
    the left times everything to the right of each position is formed with two cumprods.
    """
    xp = array_module(x)
    reduced = tuple(range(x.ndim)) if axes is None else axes
    kept = tuple(i for i in range(x.ndim) if i not in reduced)
    moved = x.transpose(kept + reduced)
    flat = moved.reshape(tuple(x.shape[i] for i in kept) + (-1,))
    ones = xp.ones(flat.shape[:-1] + (1,), dtype=x.dtype)
    left = xp.concatenate([ones, xp.cumprod(flat[..., :-1], axis=-1)], axis=-1)
    right = xp.concatenate([xp.cumprod(flat[..., :0:-1], axis=-1)[..., ::-1], ones], axis=-1)
    others = (left * right).reshape(moved.shape)
    inverse = [0] * x.ndim
    for position, axis in enumerate(kept + reduced):
        inverse[axis] = position
    return others.transpose(inverse)


class LogSumExp(Gate):
    """f(x) = log Σ eˣ over `dim`, computed as m + log Σ e^(x−m) with m = max x (no overflow);
    ∂f/∂x = e^(x − f) = softmax(x)."""

    __slots__ = ()
    saves_output = True
    label = "logsumexp"

    @staticmethod
    def forward(ctx: Gate, x: Array, axes: Axes, keepdim: bool) -> Array:
        xp = array_module(x)
        axis = _numpy_axis(axes)
        if x.size:
            shift = max_keepdims(x, axis) if isinstance(axis, int) else \
                x.max(axis=axis, keepdims=True)
            shift = xp.where(xp.isfinite(shift), shift, 0)
        else:  # the log of an empty sum: −inf, as PyTorch gives
            shift = xp.zeros(kept_shape(x.shape, axes), dtype=x.dtype)
        with xp.errstate(divide="ignore"):
            out = xp.log(xp.exp(x - shift).sum(axis=axis, keepdims=True)) + shift
        if not keepdim:
            out = out.squeeze(axis=tuple(range(x.ndim)) if axes is None else axes)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        x, out = ctx.saved_tensors
        axes = ctx.inputs[1]
        shape = ctx.inputs[0].shape
        return restore(grad, shape, axes) * _dual.exp(x - restore(out, shape, axes)), None, None


class Softmax(Gate):
    """yᵢ = e^xᵢ / Σⱼ e^xⱼ along `dim`;  ∂L/∂x = y ∘ (g − Σ g∘y): the Jacobian
    diag(y) − y yᵀ applied to g without being built."""

    __slots__ = ()
    saves_output = True
    label = "softmax"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int) -> Array:
        xp = array_module(x)
        e = xp.exp(x - max_keepdims(x, axis))
        out = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        (out,) = ctx.saved_tensors
        axis = ctx.inputs[1]
        return out * (grad - _dual.sum_keepdims(grad * out, axis)), None


class LogSoftmax(Gate):
    """yᵢ = xᵢ − log Σⱼ e^xⱼ along `dim`;  ∂L/∂x = g − softmax(x) Σ g."""

    __slots__ = ()
    saves_output = True
    label = "log_softmax"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int) -> Array:
        xp = array_module(x)
        shifted = x - max_keepdims(x, axis)
        out = shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        (out,) = ctx.saved_tensors
        axis = ctx.inputs[1]
        return grad - _dual.exp(out) * _dual.sum_keepdims(grad, axis), None


# ---------------------------------------------------------------------- fronts


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A001,A002
        dtype: Any = None, keepdims: bool | None = None) -> Tensor:
    """Σ over `dim` (all elements by default); integers and bools sum as int64."""
    keepdim = keepdim_arg("sum", keepdim, keepdims)
    source = input if dtype is None else input.to(dtype)
    axes = normalize_axes("sum", dim, input.ndim)
    if source._array.dtype.kind in "biu" and dtype is None:
        return input._make(source._array.sum(axis=axes, keepdims=keepdim, dtype=np.int64),
                           None)
    return Sum.apply(source, axes, keepdim)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
         dtype: Any = None, keepdims: bool | None = None) -> Tensor:
    """The average over `dim`; floating-point tensors only, as in PyTorch."""
    keepdim = keepdim_arg("mean", keepdim, keepdims)
    source = input if dtype is None else input.to(dtype)
    if source._array.dtype.kind != "f":
        raise DtypeError(f"mean: expected a floating-point tensor, got {source.dtype}; "
                        "convert first (e.g. x.float()) or pass dtype=")
    return Mean.apply(source, normalize_axes("mean", dim, input.ndim), keepdim)


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
         keepdims: bool | None = None) -> Tensor:
    """Π over `dim`."""
    keepdim = keepdim_arg("prod", keepdim, keepdims)
    return Prod.apply(input, normalize_axes("prod", dim, input.ndim), keepdim)


def max(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A001,A002
        keepdims: bool | None = None) -> Any:
    """The largest element; with `dim`, the named pair (values, indices) along it; with a
    tensor, the elementwise maximum."""
    return _extreme(input, "max", dim, keepdim_arg("max", keepdim, keepdims), largest=True)


def min(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A001,A002
        keepdims: bool | None = None) -> Any:
    """The smallest element; with `dim`, the named pair (values, indices) along it; with a
    tensor, the elementwise minimum."""
    return _extreme(input, "min", dim, keepdim_arg("min", keepdim, keepdims), largest=False)


def _extreme(x: Any, op: str, dim: Any, keepdim: bool, largest: bool) -> Any:
    if isinstance(dim, Variable):
        return x.maximum(dim) if largest else x.minimum(dim)
    if dim is None:
        return MaxAll.apply(x, largest)
    axis = normalize_dim(op, dim, x.ndim)
    if x.ndim == 0:  # a 0-d tensor's one element, at index 0, as PyTorch gives
        return _extreme(x.reshape(1), op, 0, False, largest)
    values = MaxDim.apply(x, axis, keepdim, largest)
    chosen = values.grad_fn.indices if values.grad_fn is not None else None
    if chosen is None:
        xp_arg = np.argmax if largest else np.argmin
        chosen = xp_arg(x._array, axis=axis, keepdims=True)
    indices = chosen if keepdim else chosen.squeeze(axis)
    pair = return_types.max if largest else return_types.min
    return pair(values, x._make(indices.astype(np.int64, copy=False), None))


def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
           keepdims: bool | None = None) -> Tensor:
    """The index of the largest element (of the flattened tensor without `dim`)."""
    return _arg_extreme(input, dim, keepdim_arg("argmax", keepdim, keepdims), largest=True)


def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False, *,  # noqa: A002
           keepdims: bool | None = None) -> Tensor:
    """The index of the smallest element (of the flattened tensor without `dim`)."""
    return _arg_extreme(input, dim, keepdim_arg("argmin", keepdim, keepdims), largest=False)


def _arg_extreme(x: Tensor, dim: int | None, keepdim: bool, largest: bool) -> Tensor:
    source = x._array
    find = source.argmax if largest else source.argmin
    op = "argmax" if largest else "argmin"
    if source.dtype.kind == "b":  # PyTorch refuses bool input here (max and amax take it)
        raise RuntimeError(f"{op}: bool input is not supported; convert first (e.g. x.int())")
    if dim is None:
        if not source.size:
            raise IndexError(f"{op}: the tensor is empty, so it has no largest or smallest "
                             "element; pass dim= to reduce a dim of non-zero size")
        found = np.asarray(find()).reshape((1,) * x.ndim if keepdim else ())
    else:
        axis = normalize_dim(op, dim, x.ndim)
        if x.ndim and not x.shape[axis]:
            raise IndexError(f"{op}: dim {dim} has size 0; there is no element to pick")
        found = find(axis=axis if x.ndim else None, keepdims=keepdim and x.ndim > 0)
    return x._make(found.astype(np.int64, copy=False), None)


def var(input: Tensor, dim: Any = None, unbiased: Any = None,  # noqa: A002
        keepdim: bool = False, *, correction: Any = None,
        keepdims: bool | None = None) -> Tensor:
    """Σ(x − mean)² / (N − correction); `unbiased=False` means correction 0.

    PyTorch's three overloads: `var(dim, *, correction, keepdim)`, `var(dim, unbiased,
    keepdim)` (so `x.var(0, True)` is unbiased, not keepdim) and `var(unbiased)` (`x.var(True)`).
    Narrower floats are summed in float64 and the result cast back, as PyTorch accumulates
    them in a wider type: float32 std([1e20, −1e20]) is 1.4142e20, not inf.
    """
    dim, correction, keepdim = variance_args("var", dim, unbiased, keepdim, correction,
                                             keepdims)
    return _variance("var", input, dim, keepdim, correction, root=False)


def std(input: Tensor, dim: Any = None, unbiased: Any = None,  # noqa: A002
        keepdim: bool = False, *, correction: Any = None,
        keepdims: bool | None = None) -> Tensor:
    """The square root of `var` (taken in float64 for narrower floats, then cast back)."""
    dim, correction, keepdim = variance_args("std", dim, unbiased, keepdim, correction,
                                             keepdims)
    return _variance("std", input, dim, keepdim, correction, root=True)


def variance_args(op: str, dim: Any, unbiased: Any, keepdim: Any, correction: Any,
                  keepdims: Any) -> tuple[Any, Any, bool]:
    """(dim, correction, keepdim) from any of PyTorch's var/std overloads; the TypeError
    PyTorch raises for a combination none of them accepts."""
    keepdim = keepdim_arg(op, keepdim, keepdims)
    if isinstance(dim, (bool, np.bool_)):  # var(unbiased): a bool first is never a dim
        if unbiased is not None or keepdim or correction is not None:
            raise TypeError(f"{op}: a bool first argument is `unbiased` (the overload "
                            f"{op}(unbiased)), which takes no dim, keepdim or correction")
        dim, unbiased = None, bool(dim)
    if unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise TypeError(f"{op}: unbiased must be a bool, got {type(unbiased).__name__} "
                            f"{unbiased!r}; for another divisor pass correction=")
        if correction is not None:
            raise TypeError(f"{op}: pass unbiased= or correction=, not both")
        correction = 1 if unbiased else 0
    if isinstance(correction, (bool, np.bool_)):
        correction = int(correction)
    if correction is not None and not isinstance(correction, (int, float, np.number)):
        raise TypeError(f"{op}: correction must be a number, got {type(correction).__name__}")
    return dim, 1 if correction is None else correction, keepdim


def _variance(op: str, input: Tensor, dim: Any, keepdim: bool, correction: Any,  # noqa: A002
              root: bool) -> Tensor:
    dtype = input._array.dtype
    if dtype.kind != "f":  # a RuntimeError, as PyTorch raises
        raise RuntimeError(f"{op}: expected a floating-point tensor, got {input.dtype}; "
                           "convert first (e.g. x.float())")
    axes = normalize_axes(op, dim, input.ndim)
    count = input._array.size if axes is None else int(np.prod([input.shape[a] for a in axes]))
    if count - correction <= 0:  # PyTorch's warning, word for word
        warnings.warn(f"{op}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      UserWarning, stacklevel=3)
    wide = input.double()
    centred = wide - wide.mean(dim=axes, keepdim=True)
    result = (centred * centred).sum(dim=axes, keepdim=keepdim) / builtins.max(
        count - correction, 0)
    if root:
        result = result.sqrt()
    return result._cast(dtype)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False, *,  # noqa: A002
              keepdims: bool | None = None) -> Tensor:
    """log Σ exp(x) over `dim`, computed without overflow."""
    keepdim = keepdim_arg("logsumexp", keepdim, keepdims)
    return LogSumExp.apply(as_floating(input), normalize_axes("logsumexp", dim, input.ndim),
                           keepdim)


def implicit_softmax_dim(op: str, ndim: int, stacklevel: int = 3) -> int:
    """PyTorch's legacy dim for `F.softmax(x)` without dim (`_get_softmax_dim`): 0 for 0-, 1-
    and 3-D inputs, else 1; with PyTorch's deprecation warning, word for word."""
    warnings.warn(f"Implicit dimension choice for {op} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=stacklevel + 1)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:  # noqa: A002
    """exp(x) / Σ exp(x) along `dim` (computed in `dtype` when given, as PyTorch's)."""
    source = as_floating(input if dtype is None else input.to(dtype))
    return Softmax.apply(source, normalize_dim("softmax", dim, input.ndim))


def log_softmax(input: Tensor, dim: int, dtype: Any = None) -> Tensor:  # noqa: A002
    """x − logsumexp(x) along `dim` (computed in `dtype` when given)."""
    source = as_floating(input if dtype is None else input.to(dtype))
    return LogSoftmax.apply(source, normalize_dim("log_softmax", dim, input.ndim))
