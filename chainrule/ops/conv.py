"""Convolution (PyTorch's cross-correlation) lowered to one matrix product (im2col).

The windows of the padded input are gathered by a strided view and copied once into the
im2col matrix (one row per output position, C·kH·kW columns), which is multiplied with the
weight reshaped to (out_channels, C·kH·kW) on BLAS, as CS231n's fast layers do. For groups
the matrix splits into `groups` column blocks and the product is batched over them.

Three gates, each the adjoint of the other two in one argument, so the rules run recorded
under create_graph with second derivatives for free:
- `Convolution` y = x ⋆ w (+ b),
- `ConvInputGrad` (the transposed convolution) g ↦ ∂⟨g, x ⋆ w⟩/∂x,
- `ConvWeightGrad` g ↦ ∂⟨g, x ⋆ w⟩/∂w.
Everything is 2-D (N, C, H, W); the 1-D forms run with H = 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .._typing import Array, Grad, Shape
from ..engine.gate import Gate
from . import _dual
from ._window import Geometry, pad, pair

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["ConvGeometry", "Convolution", "ConvInputGrad", "ConvWeightGrad", "conv1d",
           "conv2d", "conv_geometry"]


class ConvGeometry(NamedTuple):
    """The sliding window and the channel groups of one convolution."""

    window: Geometry
    groups: int


# ---------------------------------------------------------------------- the three lowerings
# The im2col columns of a group run over (kH, kW, C/groups), channels fastest: the copy that
# makes them reads, and the input's gradient adds, runs of channels that lie together once
# activations are channels-last in memory (every output of this gate is, as a view).
def _im2col(x: Array, conv: ConvGeometry) -> Array:
    """The (N·OH·OW, groups, kH·kW·C/groups) matrix of the padded input's windows."""
    padded = pad(x, conv.window.padding)
    (kh, kw), (th, tw), (dh, dw) = conv.window.kernel, conv.window.stride, \
        conv.window.dilation
    n, c = padded.shape[:2]
    oh, ow = conv.window.output_shape(*x.shape[2:])
    sn, sc, sh, sw = padded.strides
    per_group = c // conv.groups
    if c == 1:  # one channel (a grey image, a mono signal): the columns come out one
        return _single_channel_columns(padded[:, 0], conv, oh, ow)  # kernel offset at a time
    view = as_strided(padded, (n, oh, ow, conv.groups, kh, kw, per_group),
                      (sn, sh * th, sw * tw, sc * per_group, sh * dh, sw * dw, sc),
                      writeable=False)
    return view.reshape(n * oh * ow, conv.groups, -1)  # the one copy


def _single_channel_columns(image: Array, conv: ConvGeometry, oh: int, ow: int) -> Array:
    """im2col of an (N, H, W) input as the transpose of a (kH·kW, N·OH·OW) array, each row
    one kernel offset's strided slice of the image, copied in runs of OW numbers. The copy
    with the offsets innermost moves runs of kW numbers only (LeNet's conv1: 0.9 ms against
    0.3); BLAS reads the transposed columns as they are."""
    (kh, kw), (th, tw), (dh, dw) = conv.window.kernel, conv.window.stride, \
        conv.window.dilation
    n = image.shape[0]
    columns = np.empty((kh, kw, n, oh, ow), dtype=image.dtype)
    for i in range(kh):
        for j in range(kw):
            columns[i, j] = image[:, i * dh:i * dh + th * (oh - 1) + 1:th,
                                  j * dw:j * dw + tw * (ow - 1) + 1:tw]
    return columns.reshape(kh * kw, n * oh * ow).T[:, None, :]  # (N·OH·OW, 1, kH·kW)


def _kernels(weight: Array, groups: int) -> Array:
    """The weight (O, C/groups, kH, kW) as (groups, O/groups, kH·kW·C/groups)."""
    o, per_group, kh, kw = weight.shape
    return weight.reshape(groups, o // groups, per_group, kh, kw).transpose(0, 1, 3, 4, 2) \
        .reshape(groups, o // groups, -1)


def _rows(grad: Array, groups: int) -> Array:
    """The upstream (N, O, OH, OW) as (N·OH·OW, groups, O/groups)."""
    n, o, oh, ow = grad.shape
    return grad.transpose(0, 2, 3, 1).reshape(n * oh * ow, groups, o // groups)


def _grouped_matmul(left: Array, right: Array) -> Array:
    """left (M, G, K) times right (G, K, P) per group: (M, G, P)."""
    if left.shape[1] == 1:
        return (left[:, 0] @ right[0])[:, None]
    return np.matmul(left.transpose(1, 0, 2), right).transpose(1, 0, 2)


def conv_forward(x: Array, weight: Array, conv: ConvGeometry) -> tuple[Array, Array]:
    """x ⋆ w without bias (an (N, O, OH, OW) view of a channels-last array), and the im2col
    matrix (kept for the weight's gradient)."""
    n, o = x.shape[0], weight.shape[0]
    oh, ow = conv.window.output_shape(*x.shape[2:])
    cols = _im2col(x, conv)
    out = _grouped_matmul(cols, _kernels(weight, conv.groups).transpose(0, 2, 1))
    return out.reshape(n, oh, ow, o).transpose(0, 3, 1, 2), cols


def conv_input_grad(grad: Array, weight: Array, x_shape: Shape, conv: ConvGeometry) -> Array:
    """∂⟨g, x ⋆ w⟩/∂x: each output's gradient times the kernel, added back into its window,
    one strided slice per kernel offset (channels-last, so each slice adds channel runs)."""
    n, c, height, width = x_shape
    (kh, kw), (th, tw), (dh, dw) = conv.window.kernel, conv.window.stride, \
        conv.window.dilation
    o, oh, ow = grad.shape[1:]
    groups = conv.groups
    rows = _rows(grad, groups)  # (M, G, O/G)
    # One product per kernel offset, (kH·kW, M, C) with offsets outermost: each offset's
    # block is contiguous, so the adds below read whole runs (offsets innermost made every
    # add gather runs of C floats: LeNet's conv2, 2.0 ms against 0.7).
    per_offset = weight.reshape(groups, o // groups, c // groups, kh, kw) \
        .transpose(3, 4, 0, 1, 2).reshape(kh * kw, groups, o // groups, c // groups)
    if groups == 1:
        cols = np.matmul(rows[:, 0], per_offset[:, 0])
    else:
        cols = np.matmul(rows.transpose(1, 0, 2), per_offset).transpose(0, 2, 1, 3)
    cols = cols.reshape(kh, kw, n, oh, ow, c)
    (top, bottom), (left, right) = conv.window.padding
    padded = np.zeros((n, height + top + bottom, width + left + right, c),
                      dtype=np.result_type(grad, weight))
    for i in range(kh):
        window_rows = slice(i * dh, i * dh + th * (oh - 1) + 1, th)
        for j in range(kw):
            padded[:, window_rows, j * dw:j * dw + tw * (ow - 1) + 1:tw] += cols[i, j]
    inside = padded[:, top:top + height, left:left + width]
    return inside.transpose(0, 3, 1, 2)


def conv_weight_grad(grad: Array, cols: Array, weight_shape: Shape, conv: ConvGeometry
                     ) -> Array:
    """∂⟨g, x ⋆ w⟩/∂w: the upstream rows times the im2col matrix, per group."""
    o, per_group, kh, kw = weight_shape
    groups = conv.groups
    rows = _rows(grad, groups)  # (M, G, O/G)
    if groups == 1:
        per_kernel = rows[:, 0].T @ cols[:, 0]
    else:
        per_kernel = np.matmul(rows.transpose(1, 2, 0), cols.transpose(1, 0, 2))
    return per_kernel.reshape(o, kh, kw, per_group).transpose(0, 3, 1, 2).copy()


# ---------------------------------------------------------------------- arrays or tensors
def _convolve(x: Array, weight: Array, conv: ConvGeometry) -> Array:
    if _dual.is_tensor(x) or _dual.is_tensor(weight):
        return Convolution.apply(x, weight, None, conv)  # type: ignore[no-any-return]
    return conv_forward(x, weight, conv)[0]


def _input_grad(grad: Array, weight: Array, x_shape: Shape, conv: ConvGeometry) -> Array:
    if _dual.is_tensor(grad) or _dual.is_tensor(weight):
        return ConvInputGrad.apply(grad, weight, x_shape, conv)  # type: ignore[no-any-return]
    return conv_input_grad(grad, weight, x_shape, conv)


def _weight_grad(grad: Array, x: Array, weight_shape: Shape, conv: ConvGeometry) -> Array:
    if _dual.is_tensor(grad) or _dual.is_tensor(x):
        return ConvWeightGrad.apply(  # type: ignore[no-any-return]
            grad, x, weight_shape, conv)
    return conv_weight_grad(grad, _im2col(x, conv), weight_shape, conv)


def _channel_sums(grad: Array) -> Array:
    """Σ over (N, H, W) per channel: the bias's gradient. Summed over the leading axes of a
    channels-last array, each step of NumPy's reduction adds rows of only C numbers, which
    is slow (LeNet's conv1: 0.59 ms); folding k rows into one line of k·C numbers first
    makes it add long rows (0.03 ms), and the k partial sums are added last."""
    if _dual.is_tensor(grad):
        return grad.sum((0, 2, 3))
    c = grad.shape[1]
    lines = grad.transpose(0, 2, 3, 1)
    if not lines.flags.c_contiguous:
        return grad.sum((0, 2, 3))
    rows = lines.reshape(-1, c)
    fold = next(k for k in (64, 16, 4, 1) if rows.shape[0] % k == 0)
    return rows.reshape(-1, fold * c).sum(0).reshape(fold, c).sum(0)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------- gates
class Convolution(Gate):
    """y[n, o] = Σ_{c,i,j} w[o, c, i, j] · x_pad[n, c, s·h + d·i, s·w + d·j] + b[o]
    (per group), computed as im2col(x) · wᵀ;
    ∂L/∂x = col2im(δ · w) (the transposed convolution),  ∂L/∂w = δᵀ · im2col(x),
    ∂L/∂b = Σ_{n,h,w} δ."""

    __slots__ = ("cols",)
    cols: Array  # im2col(x), reused by the weight's gradient
    label = "conv"

    @staticmethod
    def forward(ctx: Convolution, x: Array, weight: Array, bias: Array | None,
                conv: ConvGeometry) -> Array:
        ctx.save_for_backward(x, weight)
        out, ctx.cols = conv_forward(x, weight, conv)
        if bias is not None:
            out += bias[:, None, None]
        return out

    @staticmethod
    def backward(ctx: Convolution, grad: Array) -> tuple[Grad, Grad, Grad, None]:
        x, weight = ctx.saved_tensors
        conv = ctx.inputs[3]
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_x = _input_grad(grad, weight, x.shape, conv) if need_x else None
        grad_w = None
        if need_w:
            if _dual.is_tensor(grad) or _dual.is_tensor(x):
                grad_w = _weight_grad(grad, x, weight.shape, conv)
            else:
                grad_w = conv_weight_grad(grad, ctx.cols, weight.shape, conv)
        grad_b = _channel_sums(grad) if need_b else None
        return grad_x, grad_w, grad_b, None


class ConvInputGrad(Gate):
    """f(g, w) = col2im(g · w), the gradient of a convolution in its input (a transposed
    convolution); ∂L/∂g = u ⋆ w,  ∂L/∂w = ConvWeightGrad(g, u) for upstream u."""

    __slots__ = ()
    label = "conv_input_grad"

    @staticmethod
    def forward(ctx: Gate, grad: Array, weight: Array, x_shape: Shape,
                conv: ConvGeometry) -> Array:
        ctx.save_for_backward(grad, weight)
        return conv_input_grad(grad, weight, x_shape, conv)

    @staticmethod
    def backward(ctx: Gate, upstream: Array) -> tuple[Grad, Grad, None, None]:
        grad, weight = ctx.saved_tensors
        conv = ctx.inputs[3]
        need_g, need_w = ctx.needs_input_grad[:2]
        d_grad = _convolve(upstream, weight, conv) if need_g else None
        d_weight = _weight_grad(grad, upstream, weight.shape, conv) if need_w else None
        return d_grad, d_weight, None, None


class ConvWeightGrad(Gate):
    """f(g, x) = gᵀ · im2col(x), the gradient of a convolution in its weight;
    ∂L/∂g = x ⋆ v,  ∂L/∂x = ConvInputGrad(g, v) for upstream v."""

    __slots__ = ()
    label = "conv_weight_grad"

    @staticmethod
    def forward(ctx: Gate, grad: Array, x: Array, weight_shape: Shape,
                conv: ConvGeometry) -> Array:
        ctx.save_for_backward(grad, x)
        return conv_weight_grad(grad, _im2col(x, conv), weight_shape, conv)

    @staticmethod
    def backward(ctx: Gate, upstream: Array) -> tuple[Grad, Grad, None, None]:
        grad, x = ctx.saved_tensors
        conv = ctx.inputs[3]
        need_g, need_x = ctx.needs_input_grad[:2]
        d_grad = _convolve(x, upstream, conv) if need_g else None
        d_x = _input_grad(grad, upstream, x.shape, conv) if need_x else None
        return d_grad, d_x, None, None


# ---------------------------------------------------------------------- fronts
def conv_geometry(op: str, input_shape: Shape, weight_shape: Shape, stride: Any,
                  padding: Any, dilation: Any, groups: Any, dims: int) -> ConvGeometry:
    """Checks a convolution's arguments as PyTorch does; its geometry in 2-D."""
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise RuntimeError(f"{op}: non-positive groups is not supported, got {groups!r}")
    strides = pair(op, "stride", stride, 1, dims)
    dilations = pair(op, "dilation", dilation, 1, dims)
    kernel = (1, weight_shape[-1]) if dims == 1 else (weight_shape[-2], weight_shape[-1])
    if isinstance(padding, str):
        if padding not in ("same", "valid"):
            raise RuntimeError(f"{op}: invalid padding string {padding!r}; expected 'same', "
                               "'valid', an int or a tuple of ints")
        if padding == "valid":
            pads = ((0, 0), (0, 0))
        else:
            if strides != (1, 1):
                raise RuntimeError(f"{op}: padding='same' is not supported for strided "
                                   f"convolutions (stride={stride!r})")
            # PyTorch puts the odd one of an even kernel's padding after the input.
            totals = [d * (k - 1) for d, k in zip(dilations, kernel)]
            pads = ((totals[0] // 2, totals[0] - totals[0] // 2),
                    (totals[1] // 2, totals[1] - totals[1] // 2))
    else:
        ph, pw = pair(op, "padding", padding, 0, dims)
        pads = ((ph, ph), (pw, pw))
    _check_channels(op, input_shape, weight_shape, int(groups))
    window = Geometry(kernel, strides, pads, dilations)
    height, width = input_shape[-2:] if dims == 2 else (1, input_shape[-1])
    out = window.output_shape(height, width)
    if out[0] < 1 or out[1] < 1:
        sizes = (height + sum(pads[0]), width + sum(pads[1]))
        effective = tuple(d * (k - 1) + 1 for d, k in zip(dilations, kernel))
        shown = (lambda p: f"({p[1]})") if dims == 1 else (lambda p: f"({p[0]} x {p[1]})")
        raise RuntimeError(f"{op}: calculated padded input size per channel: {shown(sizes)}. "
                           f"Kernel size: {shown(effective)}. Kernel size can't be greater "
                           "than actual input size")
    return ConvGeometry(window, int(groups))


def _check_channels(op: str, input_shape: Shape, weight_shape: Shape, groups: int) -> None:
    out_channels, group_channels = weight_shape[:2]
    if out_channels % groups:
        raise RuntimeError(f"{op}: out_channels ({out_channels}) must be divisible by "
                           f"groups ({groups})")
    if input_shape[1] != group_channels * groups:
        raise RuntimeError(
            f"{op}: given groups={groups}, weight of size {list(weight_shape)}, expected "
            f"input{list(input_shape)} to have {group_channels * groups} channels, but got "
            f"{input_shape[1]} channels instead")


def _convolution(op: str, input: Tensor, weight: Tensor, bias: Tensor | None, stride: Any,  # noqa: A002
                 padding: Any, dilation: Any, groups: Any, dims: int) -> Tensor:
    from ..tensor import Tensor

    for name, value in (("input", input), ("weight", weight), ("bias", bias)):
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{op}: expected {dims + 1}D (unbatched) or {dims + 2}D (batched) "
                           f"input, but got input of size: {list(input.shape)}")
    if weight.ndim != dims + 2:
        raise RuntimeError(f"{op}: expected a {dims + 2}-D weight (out_channels, "
                           f"in_channels/groups, kernel...), got size {list(weight.shape)}")
    dtypes = {value.dtype for value in (input, weight, bias) if value is not None}
    if len(dtypes) > 1:
        raise RuntimeError(f"{op}: input ({input.dtype}), weight ({weight.dtype})"
                           + (f" and bias ({bias.dtype})" if bias is not None else "")
                           + " must have the same dtype")
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        raise RuntimeError(f"{op}: expected a bias of shape ({weight.shape[0]},), got "
                           f"{tuple(bias.shape)}")
    batched = input.ndim == dims + 2
    x = input if batched else input.unsqueeze(0)
    conv = conv_geometry(op, tuple(x.shape), tuple(weight.shape), stride, padding, dilation,
                         groups, dims)
    if dims == 1:
        out = Convolution.apply(x.unsqueeze(2), weight.unsqueeze(2), bias, conv).squeeze(2)
    else:
        out = Convolution.apply(x, weight, bias, conv)
    return out if batched else out.squeeze(0)


def conv2d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D cross-correlation of input (N, C, H, W) or (C, H, W) with weight
    (out_channels, C/groups, kH, kW), plus bias (PyTorch's `F.conv2d`).

    >>> import chainrule as cr
    >>> conv2d(cr.ones(1, 1, 3, 3), cr.ones(1, 1, 2, 2), padding=1)[0, 0, 1]
    tensor([2., 4., 4., 2.])
    """
    return _convolution("conv2d", input, weight, bias, stride, padding, dilation, groups, 2)


def conv1d(input: Tensor, weight: Tensor, bias: Tensor | None = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D cross-correlation of input (N, C, L) or (C, L) with weight
    (out_channels, C/groups, k), plus bias (PyTorch's `F.conv1d`)."""
    return _convolution("conv1d", input, weight, bias, stride, padding, dilation, groups, 1)
