"""Pooling: max and average over sliding windows.

The windows are a strided view of the padded input (`_window`). Max pooling keeps the place
of each window's maximum and sends the gradient there (an `IndexAdd` under create_graph, so
second derivatives follow); average pooling and its adjoint are two gates, each the other's
backward. Everything is 2-D (N, C, H, W); the 1-D forms run with H = 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._typing import Array, Grad, Shape
from ..engine.gate import Gate
from . import _dual
from ._window import Geometry, add_windows, crop, pad, pair, windows
from .indexing import IndexAdd

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["MaxPool", "AvgPool", "AvgPoolGrad", "max_pool1d", "max_pool2d", "avg_pool1d",
           "avg_pool2d", "pool_geometry", "batched", "unbatched"]


# ---------------------------------------------------------------------- max
class MaxPool(Gate):
    """y = max over each window of x (padding is −∞; the first maximum wins, a NaN beats
    everything, as in PyTorch);  ∂L/∂x receives each δ at the place of its window's maximum
    (summed where overlapping windows share a maximum).

    Both passes loop over the kH·kW kernel offsets, each a strided slice as large as the
    output: cheaper than copying the windows out to take an argmax, and the backward then
    needs no index arrays."""

    __slots__ = ("best",)
    best: Array  # each window's chosen kernel offset, i·kW + j
    label = "max_pool"

    @staticmethod
    def forward(ctx: MaxPool, x: Array, window: Geometry) -> Array:
        out_shape = window.output_shape(*x.shape[2:])
        floating = x.dtype.kind == "f"
        padded = pad(x, window.padding, -np.inf if floating else np.iinfo(x.dtype).min)
        view = windows(padded, window, out_shape)
        kh, kw = window.kernel
        out = view[..., 0, 0].copy(order="K")  # keeps a channels-last layout for the next conv
        # In out's memory layout: mixing layouts made every masked copy below a strided one
        # (pool1 of LeNet: 1.4 ms against 0.3).
        best = np.zeros_like(out, dtype=np.uint8 if kh * kw <= 256 else np.int32)
        # Masked copies (np.copyto with where=) cost 4 ns an element, arithmetic 0.5: the
        # running maximum is np.maximum (which lets a NaN through, as PyTorch's pooling does)
        # and, offsets only growing, the chosen one is max(best, offset·better).
        for offset in range(1, kh * kw):
            candidate = view[..., offset // kw, offset % kw]
            better = candidate > out
            if floating:
                np.maximum(out, candidate, out=out)
            else:
                np.copyto(out, candidate, where=better)
            np.maximum(best, better * best.dtype.type(offset), out=best)
        if floating and np.isnan(out).any():  # rare: a NaN is each of its windows' maximum
            best = _first_nan_or_max(view, out, best)
        ctx.best = best
        return out

    @staticmethod
    def backward(ctx: MaxPool, grad: Array) -> tuple[Grad, None]:
        x, window = ctx.inputs
        if _dual.is_tensor(grad):  # recorded, so that the rule is differentiable again
            return IndexAdd.apply(grad, tuple(x.shape), _places(ctx.best, window)), None
        (top, bottom), (left, right) = window.padding
        if top == bottom == left == right == 0:  # in x's layout (channels-last after a conv)
            padded = np.zeros_like(x._array, dtype=grad.dtype)
        else:
            padded = np.zeros(tuple(x.shape[:2]) + (x.shape[2] + top + bottom,
                                                    x.shape[3] + left + right), dtype=grad.dtype)
        kh, kw = window.kernel
        oh, ow = grad.shape[2:]
        (th, tw), (dh, dw) = window.stride, window.dilation
        overlap = _windows_overlap(window)
        finite = bool(np.isfinite(grad.sum()))
        for offset in range(kh * kw):
            i, j = divmod(offset, kw)
            target = padded[..., i * dh:i * dh + th * (oh - 1) + 1:th,
                            j * dw:j * dw + tw * (ow - 1) + 1:tw]
            chosen = ctx.best == offset
            if overlap:
                target += np.where(chosen, grad, 0)
            elif finite:  # each place belongs to one window: δ·[chosen], no sum
                np.multiply(grad, chosen, out=target)
            else:  # 0·inf would be NaN where PyTorch gives 0: the (slower) masked copy
                np.copyto(target, grad, where=chosen)
        return crop(padded, window.padding), None


def _first_nan_or_max(view: Array, out: Array, best: Array) -> Array:
    """The offsets chosen again when NaNs are about (a NaN never compares greater, so the
    fast pass missed it): a window's first maximum, or its last NaN, as PyTorch's kernel
    (`val > maxval || isnan(val)`) ends up choosing."""
    kh, kw = view.shape[-2:]
    chosen = np.zeros_like(best)
    found = np.zeros(best.shape, dtype=bool)
    for offset in range(kh * kw):
        candidate = view[..., offset // kw, offset % kw]
        hit = ~found & (candidate == out)  # never true in a window whose maximum is NaN
        np.copyto(chosen, offset, where=hit)
        found |= hit
    for offset in range(kh * kw):
        np.copyto(chosen, offset, where=np.isnan(view[..., offset // kw, offset % kw]))
    return chosen


def _places(best: Array, window: Geometry) -> tuple[Array, Array, Array, Array]:
    """Index arrays (n, c, row, column) into x of each window's chosen offset `best`."""
    n, c, oh, ow = best.shape
    kw = window.kernel[1]
    (th, tw), (dh, dw) = window.stride, window.dilation
    rows = np.arange(oh)[:, None] * th + (best // kw) * dh - window.padding[0][0]
    columns = np.arange(ow) * tw + (best % kw) * dw - window.padding[1][0]
    return (np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], rows,
            columns)


def _windows_overlap(window: Geometry) -> bool:
    return any(stride < dilation * (kernel - 1) + 1 for kernel, stride, dilation in
               zip(window.kernel, window.stride, window.dilation))


# ---------------------------------------------------------------------- average
def _window_sums(x: Array, window: Geometry, divisor: Array) -> Array:
    out_shape = window.output_shape(*x.shape[2:])
    sums = windows(pad(x, window.padding), window, out_shape).sum((-2, -1))
    return sums / divisor.astype(sums.dtype, copy=False)


def _spread(grad: Array, window: Geometry, divisor: Array, x_shape: Shape) -> Array:
    (top, bottom), (left, right) = window.padding
    height, width = x_shape[2:]
    padded = np.zeros(tuple(x_shape[:2]) + (height + top + bottom, width + left + right),
                      dtype=grad.dtype)
    share = grad / divisor.astype(grad.dtype, copy=False)
    kh, kw = window.kernel
    add_windows(padded, np.broadcast_to(share[..., None, None], share.shape + (kh, kw)), window)
    return crop(padded, window.padding)


class AvgPool(Gate):
    """y = Σ_window x / divisor (the window's size, or its part inside the input);
    ∂L/∂x = AvgPoolGrad(δ): each δ/divisor added to every place of its window."""

    __slots__ = ()
    label = "avg_pool"

    @staticmethod
    def forward(ctx: Gate, x: Array, window: Geometry, divisor: Array) -> Array:
        return _window_sums(x, window, divisor)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None]:
        x, window, divisor = ctx.inputs
        if _dual.is_tensor(grad):
            return AvgPoolGrad.apply(grad, window, divisor, tuple(x.shape)), None, None
        return _spread(grad, window, divisor, x.shape), None, None


class AvgPoolGrad(Gate):
    """f(g) = each g/divisor spread over its window (AvgPool's adjoint);
    ∂L/∂g = AvgPool(u) for upstream u."""

    __slots__ = ()
    label = "avg_pool_grad"

    @staticmethod
    def forward(ctx: Gate, grad: Array, window: Geometry, divisor: Array, x_shape: Shape
                ) -> Array:
        return _spread(grad, window, divisor, x_shape)

    @staticmethod
    def backward(ctx: Gate, upstream: Array) -> tuple[Grad, None, None, None]:
        _, window, divisor, _ = ctx.inputs
        if _dual.is_tensor(upstream):
            return AvgPool.apply(upstream, window, divisor), None, None, None
        return _window_sums(upstream, window, divisor), None, None, None


def _divisor(size: Shape, window: Geometry, count_include_pad: bool,
             divisor_override: int | None) -> Array:
    """Each output's divisor (OH, OW), as PyTorch counts: the window clipped to the padded
    input, then, without count_include_pad, to the input itself."""
    if divisor_override is not None:
        return np.array(float(divisor_override))
    counts = []
    for axis in (0, 1):
        length = size[axis]
        before = window.padding[axis][0]
        out = window.output_shape(*size)[axis]
        start = np.arange(out) * window.stride[axis] - before
        end = np.minimum(start + window.kernel[axis], length + before)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, length)
        counts.append((end - start).astype(np.float64))
    return np.outer(counts[0], counts[1])


# ---------------------------------------------------------------------- geometry
def pool_geometry(op: str, size: Shape, kernel_size: Any, stride: Any, padding: Any,
                  dilation: Any, ceil_mode: bool, dims: int) -> Geometry:
    """A pool's window as PyTorch checks it; `ceil_mode` adds padding after the input so
    that a last, partial window exists (it must start inside the input or its padding)."""
    kernel = pair(op, "kernel_size", kernel_size, 1, dims)
    steps = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) \
        else pair(op, "stride", stride, 1, dims)
    pads = pair(op, "padding", padding, 0, dims)
    dilations = pair(op, "dilation", dilation, 1, dims)
    if any(p > k // 2 for p, k in zip(pads, kernel)):
        raise RuntimeError(f"{op}: pad should be at most half of kernel size, but got "
                           f"pad={padding!r} and kernel_size={kernel_size!r}")
    padding_pairs = []
    for axis in (0, 1):
        span = size[axis] + 2 * pads[axis] - dilations[axis] * (kernel[axis] - 1) - 1
        out = (-(-span // steps[axis]) if ceil_mode else span // steps[axis]) + 1
        if ceil_mode and (out - 1) * steps[axis] >= size[axis] + pads[axis]:
            out -= 1  # the last window would start in the padding after the input
        if out < 1:
            raise RuntimeError(f"{op}: given input size {tuple(size[2 - dims:])}, the "
                               f"calculated output size is {out}: output size is too small")
        after = max(pads[axis], (out - 1) * steps[axis] + dilations[axis] *
                    (kernel[axis] - 1) + 1 - size[axis] - pads[axis])
        padding_pairs.append((pads[axis], after))
    return Geometry(kernel, steps, (padding_pairs[0], padding_pairs[1]), dilations)


def batched(op: str, input: Tensor, dims: int) -> tuple[Tensor, bool]:  # noqa: A002
    """The input as (N, C, H, W), and whether it had a batch axis."""
    from ..tensor import Tensor

    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (dims + 1, dims + 2) or input.numel() == 0:
        raise RuntimeError(f"{op}: expected a non-empty {dims + 1}D or {dims + 2}D (batch "
                           f"mode) tensor, got size {list(input.shape)}")
    x = input if input.ndim == dims + 2 else input.unsqueeze(0)
    return (x.unsqueeze(2) if dims == 1 else x), input.ndim == dims + 2


def unbatched(out: Tensor, batched: bool, dims: int) -> Tensor:
    out = out.squeeze(2) if dims == 1 else out
    return out if batched else out.squeeze(0)


# ---------------------------------------------------------------------- fronts
def _max_pool(op: str, input: Tensor, kernel_size: Any, stride: Any, padding: Any,  # noqa: A002
              dilation: Any, ceil_mode: bool, return_indices: bool, dims: int) -> Any:
    x, was_batched = batched(op, input, dims)
    window = pool_geometry(op, tuple(x.shape[2:]), kernel_size, stride, padding, dilation,
                           ceil_mode, dims)
    gate_out = MaxPool.apply(x, window)
    out = unbatched(gate_out, was_batched, dims)
    if not return_indices:
        return out
    best = gate_out.grad_fn.best if gate_out.grad_fn is not None else \
        _best_without_graph(x, window)
    places = _places(best, window)
    width = x.shape[3]
    flat = np.broadcast_to(places[2] * width + places[3], tuple(gate_out.shape))
    return out, unbatched(x._make(np.ascontiguousarray(flat, dtype=np.int64), None),
                           was_batched, dims)


def _best_without_graph(x: Tensor, window: Geometry) -> Array:
    ctx = MaxPool.__new__(MaxPool)
    MaxPool.forward(ctx, x._array, window)
    return ctx.best


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False
               ) -> Any:
    """The maximum of each kH×kW window of (N, C, H, W) or (C, H, W); with
    `return_indices`, also each maximum's flat index into H·W (PyTorch's `F.max_pool2d`).

    >>> import chainrule as cr
    >>> max_pool2d(cr.arange(16.0).reshape(1, 1, 4, 4), 2)[0, 0]
    tensor([[ 5.,  7.],
            [13., 15.]])
    """
    return _max_pool("max_pool2d", input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, 2)


def max_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False
               ) -> Any:
    """The maximum of each window of (N, C, L) or (C, L) (PyTorch's `F.max_pool1d`)."""
    return _max_pool("max_pool1d", input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices, 1)


def _avg_pool(op: str, input: Tensor, kernel_size: Any, stride: Any, padding: Any,  # noqa: A002
              ceil_mode: bool, count_include_pad: bool, divisor_override: int | None,
              dims: int) -> Tensor:
    x, was_batched = batched(op, input, dims)
    if divisor_override is not None and (isinstance(divisor_override, bool) or
                                         not isinstance(divisor_override, int) or
                                         divisor_override == 0):
        raise RuntimeError(f"{op}: divisor must be a non-zero int, got {divisor_override!r}")
    window = pool_geometry(op, tuple(x.shape[2:]), kernel_size, stride, padding, 1,
                           ceil_mode, dims)
    divisor = _divisor(tuple(x.shape[2:]), window, count_include_pad, divisor_override)
    return unbatched(AvgPool.apply(x, window, divisor.astype(x._array.dtype)), was_batched,
                     dims)


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Tensor:
    """The mean of each kH×kW window of (N, C, H, W) or (C, H, W) (PyTorch's
    `F.avg_pool2d`)."""
    return _avg_pool("avg_pool2d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override, 2)


def avg_pool1d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True) -> Tensor:
    """The mean of each window of (N, C, L) or (C, L) (PyTorch's `F.avg_pool1d`)."""
    return _avg_pool("avg_pool1d", input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None, 1)
