"""Running totals along a dim: cumsum and cumprod, with their in-place forms.

A running sum's output k holds inputs 0..k, so input i feeds outputs i..n−1 and its gradient
is the sum of their upstreams: the running sum taken from the other end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import return_types
from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual, inplace
from .args import normalize_dim
from .sorting import Pick

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["cumsum", "cumprod", "cumsum_", "cumprod_", "cummax", "cummin", "logcumsumexp",
           "CumSum", "CumProd", "LogCumSumExp"]


def _running_sum(x: Array, axis: int, reverse: bool) -> Array:
    xp = array_module(x)
    if not reverse:
        return xp.cumsum(x, axis=axis)
    flipped = xp.flip(x, axis=axis)
    return xp.flip(xp.cumsum(flipped, axis=axis), axis=axis)


class CumSum(Gate):
    """yₖ = Σ_{i≤k} xᵢ along `axis` (from the far end when `reverse`);
    ∂L/∂xᵢ = Σ_{k≥i} gₖ: the running sum of the upstream in the other direction."""

    __slots__ = ()
    label = "cumsum"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int, reverse: bool) -> Array:
        return _running_sum(x, axis, reverse)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        axis, reverse = ctx.inputs[1], ctx.inputs[2]
        if _dual.is_tensor(grad):
            return CumSum.apply(grad, axis, not reverse), None, None
        return _running_sum(grad, axis, not reverse), None, None


class CumProd(Gate):
    """yₖ = Π_{i≤k} xᵢ along `axis`;  ∂L/∂xᵢ = Σ_{k≥i} gₖ Π_{j≤k, j≠i} xⱼ.

    Without zeros that is (reverse running sum of g·y) / xᵢ. With zeros, only the first zero
    z of a slice has a gradient beyond the inputs before it:
    ∂L/∂x_z = y_{z−1} Σ_{k≥z} gₖ Π_{z<j≤k} xⱼ, and every input after z gets 0.
    """

    __slots__ = ()
    saves_output = True
    label = "cumprod"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int) -> Array:
        out = array_module(x).cumprod(x, axis=axis)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        x, out = ctx.saved_tensors
        axis = ctx.inputs[1]
        raw = _dual.constant(x)
        if _dual.is_tensor(grad):
            if bool((raw == 0).any()):
                raise NotImplementedError(
                    "cumprod: the second derivative at an input that holds zeros is not "
                    "implemented; the first derivative is")
            return CumSum.apply(grad * out, axis, True) / x, None
        return _cumprod_grad(raw, _dual.constant(out), grad, axis), None


def _cumprod_grad(x: Array, out: Array, grad: Array, axis: int) -> Array:
    """The rule of CumProd on arrays, exact where x holds zeros (see CumProd)."""
    xp = array_module(x)
    moved_shape = xp.moveaxis(x, axis, -1).shape
    x_rows, out_rows, g_rows = (xp.moveaxis(a, axis, -1).reshape(-1, x.shape[axis])
                                for a in (x, out, grad))
    zero = x_rows == 0
    result = _running_sum(g_rows * out_rows, -1, True) / xp.where(zero, 1, x_rows)
    result = xp.where(xp.cumsum(zero, axis=-1) > 0, 0, result)  # the first zero and after
    for row in xp.flatnonzero(zero.any(axis=-1)):  # only the slices that hold a zero
        z = int(xp.argmax(zero[row]))
        before = out_rows[row, z - 1] if z else 1
        later = xp.cumprod(x_rows[row, z + 1:])
        upstream = g_rows[row, z:]
        result[row, z] = before * (upstream[0] + (upstream[1:] * later).sum())
    return xp.moveaxis(result.reshape(moved_shape), -1, axis)


def _log_running_sum(x: Array, axis: int, reverse: bool) -> Array:
    xp = array_module(x)
    if not reverse:
        return xp.logaddexp.accumulate(x, axis=axis)
    flipped = xp.logaddexp.accumulate(xp.flip(x, axis=axis), axis=axis)
    return xp.flip(flipped, axis=axis)


def _log_of_part(grad: Array, positive: bool) -> Array:
    """log g where g > 0 (or log −g where g < 0), −inf elsewhere; no warning at 0."""
    xp = array_module(grad)
    chosen = grad > 0 if positive else grad < 0
    return xp.where(chosen, xp.log(xp.where(chosen, abs(grad), 1)), -xp.inf)


class LogCumSumExp(Gate):
    """yₖ = log Σ_{i≤k} e^xᵢ along `axis` (a running logaddexp: no overflow);
    ∂L/∂xᵢ = Σ_{k≥i} gₖ e^(xᵢ − yₖ).

    On arrays the sum is formed in log space, split by the sign of g (as PyTorch does):
    e^(xᵢ + R⁺ᵢ) − e^(xᵢ + R⁻ᵢ), R± the reverse running logaddexp of log(±g) − y, exact for
    any range of x. Recorded (create_graph), it is e^(x − c) · revcumsum(g e^(c − y)) with
    c the slice's largest x, exact while x spans less than about 700 along `axis`.
    """

    __slots__ = ()
    saves_output = True
    label = "logcumsumexp"

    @staticmethod
    def forward(ctx: Gate, x: Array, axis: int) -> Array:
        out = _log_running_sum(x, axis, False)
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        x, out = ctx.saved_tensors
        axis = ctx.inputs[1]
        raw = _dual.constant(x)
        xp = array_module(raw)
        if _dual.is_tensor(grad):
            shift = raw.max(axis=axis, keepdims=True)
            shift = xp.where(xp.isfinite(shift), shift, 0)
            weighted = CumSum.apply(grad * _dual.exp(shift - out), axis, True)
            return _dual.exp(x - shift) * weighted, None
        y = _dual.constant(out)
        result = xp.zeros_like(raw)
        for positive, sign in ((True, 1.0), (False, -1.0)):
            reach = _log_running_sum(_log_of_part(grad, positive) - y, axis, True)
            with np.errstate(invalid="ignore"):  # −inf + −inf: no contribution, taken as 0
                total = raw + reach
            result += sign * xp.exp(xp.where(xp.isnan(total), -xp.inf, total))
        return result, None


def _accumulated(x: Tensor, dtype: Any) -> Tensor:
    """The input in the type the running total is kept in: `dtype` when given; integers and
    bools as int64, as PyTorch."""
    if dtype is not None:
        return x.to(dtype)
    if x._array.dtype.kind in "biu" and x._array.dtype != np.int64:
        return x.to(np.int64)
    return x


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """The running sum along `dim`: yₖ = x₀ + … + xₖ (integers and bools sum as int64)."""
    axis = normalize_dim("cumsum", dim, input.ndim)
    source = _accumulated(input, dtype)
    if source.ndim == 0:
        return CumSum.apply(source.reshape(1), 0, False).reshape(())
    return CumSum.apply(source, axis, False)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """The running product along `dim`: yₖ = x₀ · … · xₖ (integers and bools as int64)."""
    axis = normalize_dim("cumprod", dim, input.ndim)
    source = _accumulated(input, dtype)
    if source.ndim == 0:
        return CumProd.apply(source.reshape(1), 0).reshape(())
    return CumProd.apply(source, axis)


def cumsum_(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """In place: the running sum along `dim`, kept in the tensor's own dtype."""
    result = cumsum(input.detach(), dim, dtype=dtype)
    return inplace.write_back(input, "cumsum_", result._cast(input._array.dtype))


def cumprod_(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """In place: the running product along `dim`, kept in the tensor's own dtype."""
    result = cumprod(input.detach(), dim, dtype=dtype)
    return inplace.write_back(input, "cumprod_", result._cast(input._array.dtype))


def _running_extreme_indices(x: Array, axis: int, largest: bool) -> Array:
    """For each position, the index of the running max (min) so far: the latest of tied
    values, and the first NaN once one is seen (NaN propagates), as PyTorch."""
    xp = array_module(x)
    if not x.shape[axis]:
        return xp.zeros(x.shape, dtype=xp.int64)
    accumulate = xp.maximum.accumulate if largest else xp.minimum.accumulate
    running = accumulate(x, axis=axis)
    previous = xp.concatenate([xp.take(running, [0], axis=axis),
                               xp.take(running, xp.arange(x.shape[axis] - 1), axis=axis)],
                              axis=axis)
    better = x >= previous if largest else x <= previous
    if x.dtype.kind == "f":
        better = better | (xp.isnan(x) & ~xp.isnan(previous))
    positions = xp.arange(x.shape[axis]).reshape([-1 if i == axis else 1
                                                  for i in range(x.ndim)])
    return xp.maximum.accumulate(xp.where(better, positions, 0), axis=axis)


def _cumulative_extreme(op: str, input: Tensor, dim: int, largest: bool) -> Any:  # noqa: A002
    axis = normalize_dim(op, dim, input.ndim)
    x = input.reshape(1) if input.ndim == 0 else input
    indices = _running_extreme_indices(x._array, axis, largest)
    values = Pick.apply(x, indices, axis)
    index_tensor = input._make(indices.astype(np.int64, copy=False), None)
    if input.ndim == 0:
        values, index_tensor = values.reshape(()), index_tensor.reshape(())
    pair = return_types.cummax if largest else return_types.cummin
    return pair(values, index_tensor)


def cummax(input: Tensor, dim: int) -> Any:  # noqa: A002
    """The named pair (values, indices) of the running maximum along `dim`; the gradient
    goes to the index each value came from."""
    return _cumulative_extreme("cummax", input, dim, largest=True)


def cummin(input: Tensor, dim: int) -> Any:  # noqa: A002
    """The named pair (values, indices) of the running minimum along `dim`; the gradient
    goes to the index each value came from."""
    return _cumulative_extreme("cummin", input, dim, largest=False)


def logcumsumexp(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """The running log Σ exp along `dim`: yₖ = log(e^x₀ + … + e^xₖ), with no overflow."""
    axis = normalize_dim("logcumsumexp", dim, input.ndim)
    if input._array.dtype.kind != "f":
        raise NotImplementedError(f"logcumsumexp: expected a floating-point tensor, got "
                                  f"{input.dtype}")
    if input.ndim == 0:
        return LogCumSumExp.apply(input.reshape(1), 0).reshape(())
    return LogCumSumExp.apply(input, axis)
