"""Convolution layers: Conv1d and Conv2d, with PyTorch's arguments, parameter layout
(weight (out_channels, in_channels/groups, *kernel_size), bias (out_channels,)) and
initialisation, so that state dicts interchange with PyTorch's.

A padding_mode other than 'zeros' pads by indexing: each padded row and column is picked
from the input (mirrored, repeated or wrapped), so the indexing gate's rule sends every
padded place's gradient back to the place it copies."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import creation
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter

__all__ = ["Conv1d", "Conv2d"]


#: PyTorch's padding modes as NumPy's `pad` names them.
_NUMPY_PAD_MODES: dict[str, Any] = {"reflect": "reflect", "replicate": "edge",
                                    "circular": "wrap"}


def tuple_arg(op: str, name: str, value: Any, dims: int) -> tuple[int, ...]:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * dims
    if len(values) != dims or any(isinstance(v, bool) or not isinstance(v, int)
                                  for v in values):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {dims} ints, got "
                        f"{value!r}")
    return values


class _ConvNd(Module):
    """The shared body of Conv1d and Conv2d (`dims` spatial axes)."""

    dims = 2

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        op = type(self).__name__
        for name, value in (("in_channels", in_channels), ("out_channels", out_channels),
                            ("groups", groups)):
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"{op}: {name} must be a positive int, got {value!r}")
        if in_channels % groups:
            raise ValueError(f"{op}: in_channels ({in_channels}) must be divisible by groups "
                             f"({groups})")
        if out_channels % groups:
            raise ValueError(f"{op}: out_channels ({out_channels}) must be divisible by "
                             f"groups ({groups})")
        if padding_mode != "zeros" and padding_mode not in _NUMPY_PAD_MODES:
            raise ValueError(f"{op}: padding_mode must be one of 'zeros', 'reflect', "
                             f"'replicate' or 'circular', got {padding_mode!r}")
        self.in_channels, self.out_channels, self.groups = in_channels, out_channels, groups
        self.kernel_size = tuple_arg(op, "kernel_size", kernel_size, self.dims)
        self.stride = tuple_arg(op, "stride", stride, self.dims)
        self.dilation = tuple_arg(op, "dilation", dilation, self.dims)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{op}: invalid padding string {padding!r}, should be one of "
                                 "'valid', 'same'")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{op}: padding='same' is not supported for strided "
                                 "convolutions")
            self.padding: str | tuple[int, ...] = padding
        else:
            self.padding = tuple_arg(op, "padding", padding, self.dims)
        self.padding_mode = padding_mode
        self.output_padding: tuple[int, ...] = (0,) * self.dims  # transposed convs set it
        options = {"dtype": dtype, "device": device}
        self.weight = Parameter(creation.empty(*self.weight_shape(), **options))
        if bias:
            self.bias = Parameter(creation.empty(out_channels, **options))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def weight_shape(self) -> tuple[int, ...]:
        """(out_channels, in_channels/groups, *kernel_size)."""
        return (self.out_channels, self.in_channels // self.groups) + self.kernel_size

    def reset_parameters(self) -> None:
        """PyTorch's: W Kaiming-uniform with a = √5 (uniform in ±1/√fan_in), b uniform in
        ±1/√fan_in, fan_in = the weight's second size · kernel area."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * self.dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        if self.padding_mode != "zeros":
            text += f", padding_mode={self.padding_mode}"
        return text

    def _padded(self, input: Tensor) -> tuple[Tensor, Any]:  # noqa: A002
        """The input and the padding to convolve it with: padded here by `padding_mode`
        (then no padding in the convolution), or as given for 'zeros'."""
        if self.padding_mode == "zeros" or self.padding == "valid":
            return input, self.padding
        pads: list[tuple[int, int]]
        if isinstance(self.padding, tuple):
            pads = [(p, p) for p in self.padding]
        else:  # 'same': the odd one of an even kernel's padding goes after the input
            totals = [d * (k - 1) for d, k in zip(self.dilation, self.kernel_size)]
            pads = [(total // 2, total - total // 2) for total in totals]
        index: list[Any] = [Ellipsis]
        for axis, (before, after) in enumerate(pads):
            size = input.shape[input.ndim - self.dims + axis]
            limit = size - 1 if self.padding_mode == "reflect" else size
            if max(before, after) > limit:
                raise RuntimeError(f"{type(self).__name__}: padding ({before}, {after}) is "
                                   f"too large for padding_mode='{self.padding_mode}' on an "
                                   f"axis of size {size}: at most {limit}")
            positions = np.pad(np.arange(size), (before, after),
                               mode=_NUMPY_PAD_MODES[self.padding_mode])
            shape = [1] * self.dims
            shape[axis] = -1
            index.append(positions.reshape(shape))
        return input[tuple(index)], 0


class Conv2d(_ConvNd):
    """2-D convolution (cross-correlation) over (N, C, H, W) or (C, H, W) inputs.

    >>> import chainrule as cr
    >>> Conv2d(1, 6, 5, padding=2)(cr.zeros(2, 1, 28, 28)).shape
    chainrule.Size([2, 6, 28, 28])
    """

    dims = 2

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        padded, padding = self._padded(input)
        return F.conv2d(padded, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)


class Conv1d(_ConvNd):
    """1-D convolution (cross-correlation) over (N, C, L) or (C, L) inputs."""

    dims = 1

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        padded, padding = self._padded(input)
        return F.conv1d(padded, self.weight, self.bias, self.stride, padding, self.dilation,
                        self.groups)
