"""Transposed convolution ("deconvolution"): the adjoint of a convolution, so it reuses the
convolution's gates instead of adding its own.

conv_transpose(x, w) is what a convolution with weight w sends back to its input as a
gradient when x is the gradient of its output: `ConvInputGrad(x, w)`, whose rules (a
convolution for x, `ConvWeightGrad` for w) are already checked, to second order. PyTorch's
weight layout (in_channels, out_channels/groups, kH, kW) is exactly that convolution's
(out_channels, in_channels/groups, kH, kW) read the other way round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._window import Geometry, pair
from .conv import ConvGeometry, ConvInputGrad

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["conv_transpose1d", "conv_transpose2d", "transposed_output_shape"]


def transposed_output_shape(op: str, input_shape: tuple[int, ...],
                            weight_shape: tuple[int, ...], stride: Any, padding: Any,
                            output_padding: Any, groups: Any, dilation: Any, dims: int
                            ) -> tuple[tuple[int, ...], ConvGeometry]:
    """The output's shape (N, out_channels, H, W) and the geometry of the convolution it is
    the adjoint of, checked as PyTorch checks them (a 1-D op's shapes come with H = 1)."""
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise RuntimeError(f"{op}: non-positive groups is not supported, got {groups!r}")
    strides = pair(op, "stride", stride, 1, dims)
    pads = pair(op, "padding", padding, 0, dims)
    extra = pair(op, "output_padding", output_padding, 0, dims)
    dilations = pair(op, "dilation", dilation, 1, dims)
    if any(e >= s and e >= d for e, s, d in zip(extra, strides, dilations)):
        raise RuntimeError(f"{op}: output padding must be smaller than either stride or "
                           f"dilation, but got output_padding={output_padding!r}, "
                           f"stride={stride!r}, dilation={dilation!r}")
    in_channels = weight_shape[0]
    if in_channels % groups:
        raise RuntimeError(f"{op}: given groups={groups}, expected weight to be divisible by "
                           f"{groups} at dimension 0, but got weight of size "
                           f"{list(weight_shape)} instead")
    if input_shape[1] != in_channels:
        raise RuntimeError(f"{op}: given transposed=1, weight of size {list(weight_shape)}, "
                           f"expected input{list(input_shape)} to have {in_channels} "
                           f"channels, but got {input_shape[1]} channels instead")
    kernel = (1, weight_shape[-1]) if dims == 1 else (weight_shape[-2], weight_shape[-1])
    sizes = (1, input_shape[-1]) if dims == 1 else input_shape[-2:]
    out = tuple((size - 1) * s - 2 * p + d * (k - 1) + e + 1 for size, s, p, d, k, e in
                zip(sizes, strides, pads, dilations, kernel, extra))
    if min(out) < 1:
        raise RuntimeError(f"{op}: given input size {tuple(input_shape[2:])}, the calculated "
                           f"output size {out[2 - dims:]} is too small")
    window = Geometry(kernel, strides, ((pads[0], pads[0]), (pads[1], pads[1])), dilations)
    shape = (input_shape[0], weight_shape[1] * groups) + out
    return shape, ConvGeometry(window, groups)


def _conv_transpose(op: str, input: Tensor, weight: Tensor, bias: Tensor | None,  # noqa: A002
                    stride: Any, padding: Any, output_padding: Any, groups: Any,
                    dilation: Any, dims: int) -> Tensor:
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{op}: expected {dims + 1}D (unbatched) or {dims + 2}D (batched) "
                           f"input, but got input of size: {list(input.shape)}")
    if weight.ndim != dims + 2:
        raise RuntimeError(f"{op}: expected a {dims + 2}-D weight (in_channels, "
                           f"out_channels/groups, kernel...), got size {list(weight.shape)}")
    if len({value.dtype for value in (input, weight, bias) if value is not None}) > 1:
        raise RuntimeError(f"{op}: input ({input.dtype}), weight ({weight.dtype}) and bias "
                           "must have the same dtype")
    batched = input.ndim == dims + 2
    x = input if batched else input.unsqueeze(0)
    w = weight
    if dims == 1:
        x, w = x.unsqueeze(2), weight.unsqueeze(2)
    shape, conv = transposed_output_shape(op, tuple(x.shape), tuple(w.shape), stride, padding,
                                          output_padding, groups, dilation, dims)
    if bias is not None and tuple(bias.shape) != (shape[1],):
        raise RuntimeError(f"{op}: expected a bias of shape ({shape[1]},), got "
                           f"{tuple(bias.shape)}")
    out = ConvInputGrad.apply(x, w, shape, conv)
    if bias is not None:
        out = out + bias.reshape(-1, 1, 1)
    if dims == 1:
        out = out.squeeze(2)
    return out if batched else out.squeeze(0)  # type: ignore[no-any-return]


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """2-D transposed convolution of (N, in_channels, H, W) or unbatched input with weight
    (in_channels, out_channels/groups, kH, kW) (PyTorch's `F.conv_transpose2d`).

    >>> import chainrule as cr
    >>> conv_transpose2d(cr.ones(1, 1, 2, 2), cr.ones(1, 1, 2, 2))[0, 0]
    tensor([[1., 2., 1.],
            [2., 4., 2.],
            [1., 2., 1.]])
    """
    return _conv_transpose("conv_transpose2d", input, weight, bias, stride, padding,
                           output_padding, groups, dilation, 2)


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Tensor | None = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-D transposed convolution of (N, in_channels, L) or (in_channels, L) with weight
    (in_channels, out_channels/groups, k) (PyTorch's `F.conv_transpose1d`)."""
    return _conv_transpose("conv_transpose1d", input, weight, bias, stride, padding,
                           output_padding, groups, dilation, 1)
