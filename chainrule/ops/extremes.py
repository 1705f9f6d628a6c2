"""The largest and smallest values over dims: amax, amin, aminmax.

Unlike `max(dim)`, which sends the gradient to the one index it returns, these share it
evenly among all the inputs that tie for the value, as PyTorch does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .. import return_types
from .._typing import Array, Axes, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from .args import keepdim_arg, normalize_axes
from .reduce import kept_shape, restore

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["amax", "amin", "aminmax", "TiedSelect", "lower_median"]


def lower_median(x: Array, skip_nan: bool = False) -> Array:
    """The lower of the two middle values of all of `x` (PyTorch's median); NaN if any is,
    or, with `skip_nan`, the median of the values that are not NaN (NaN if none is)."""
    xp = array_module(x)
    flat = xp.sort(x.reshape(-1))
    if x.dtype.kind == "f" and skip_nan:
        flat = flat[~xp.isnan(flat)]
    if not flat.size:
        return xp.asarray(xp.nan, dtype=x.dtype)
    return flat[(flat.size - 1) // 2] if not xp.isnan(flat[-1]) else flat[-1]


class TiedSelect(Gate):
    """f(x) = one of x's values picked over `axes` by `statistic` ("max", "min", or "median" /
    "nanmedian" over all of x);  ∂L/∂xᵢ = g / m where xᵢ equals the picked value and m inputs
    do, else 0: ties share the gradient evenly."""

    __slots__ = ()
    saves_output = True
    label = "tied_select"

    @staticmethod
    def forward(ctx: Gate, x: Array, axes: Axes, keepdim: bool, statistic: str) -> Array:
        if statistic in ("median", "nanmedian"):
            out = lower_median(x, statistic == "nanmedian")
            out = out.reshape(kept_shape(x.shape, None) if keepdim else ())
        else:
            reducer = x.max if statistic == "max" else x.min
            out = reducer(axis=axes, keepdims=keepdim)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None, None]:
        x, out = ctx.saved_tensors
        axes = ctx.inputs[1]
        raw = _dual.constant(x)
        chosen = raw == _dual.constant(out).reshape(kept_shape(raw.shape, axes))
        share = chosen / chosen.sum(axis=axes, keepdims=True)
        return restore(grad, raw.shape, axes) * share.astype(raw.dtype), None, None, None


def _reduced(op: str, input: Tensor, dim: Any, keepdim: bool, statistic: str) -> Tensor:  # noqa: A002
    axes = normalize_axes(op, dim, input.ndim)
    if axes == ():  # dim=() means every dim, as PyTorch
        axes = None
    if input.ndim == 0:
        axes = None
    if input._array.size == 0 and (axes is None or any(input.shape[a] == 0 for a in axes)):
        # PyTorch's types: RuntimeError without a dim, IndexError for a dim of size 0
        error = RuntimeError if axes is None else IndexError
        raise error(f"{op}: the reduced dims of a tensor of shape {input.shape} hold no "
                    "element, so there is no value to pick; reduce a dim of non-zero size")
    return TiedSelect.apply(input, axes, keepdim, statistic)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False, *,  # noqa: A002
         keepdims: bool | None = None) -> Tensor:
    """The largest value over `dim` (an int or a tuple; all dims by default); ties share
    the gradient evenly."""
    return _reduced("amax", input, dim, keepdim_arg("amax", keepdim, keepdims), "max")


def amin(input: Tensor, dim: Any = (), keepdim: bool = False, *,  # noqa: A002
         keepdims: bool | None = None) -> Tensor:
    """The smallest value over `dim` (an int or a tuple; all dims by default); ties share
    the gradient evenly."""
    return _reduced("amin", input, dim, keepdim_arg("amin", keepdim, keepdims), "min")


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False,  # noqa: A002
            keepdims: bool | None = None) -> Any:
    """The named pair (min, max) over `dim` (over all elements by default)."""
    keepdim = keepdim_arg("aminmax", keepdim, keepdims)
    if dim is not None and not isinstance(dim, int):
        raise TypeError(f"aminmax: dim must be an int or None, got {dim!r}")
    reduce_over = () if dim is None else dim
    return return_types.aminmax(_reduced("aminmax", input, reduce_over, keepdim, "min"),
                                _reduced("aminmax", input, reduce_over, keepdim, "max"))
