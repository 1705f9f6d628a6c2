"""Transposed convolution layers: ConvTranspose1d and ConvTranspose2d, with PyTorch's
arguments, weight layout (in_channels, out_channels/groups, *kernel_size) and init."""

from __future__ import annotations

from typing import Any

from ..ops.conv_transpose import conv_transpose1d, conv_transpose2d
from ..tensor import Tensor
from .conv import _ConvNd, tuple_arg

__all__ = ["ConvTranspose1d", "ConvTranspose2d"]


class _ConvTransposeNd(_ConvNd):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, output_padding: Any = 0, groups: int = 1, bias: bool = True,
                 dilation: Any = 1, padding_mode: str = "zeros", device: Any = None,
                 dtype: Any = None) -> None:
        op = type(self).__name__
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {op}, got '
                             f"{padding_mode!r}")
        if isinstance(padding, str):
            raise ValueError(f"{op}: padding must be an int or a tuple of ints, got "
                             f"{padding!r}")
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, device, dtype)
        self.output_padding = tuple_arg(op, "output_padding", output_padding, self.dims)

    def weight_shape(self) -> tuple[int, ...]:
        """(in_channels, out_channels/groups, *kernel_size), as PyTorch lays it out."""
        return (self.in_channels, self.out_channels // self.groups) + self.kernel_size

    def _output_padding(self, input: Tensor, output_size: Any) -> Any:  # noqa: A002
        """The output padding that gives `output_size` (PyTorch's forward argument): each
        size may exceed the smallest, (in − 1)·s − 2p + d·(k − 1) + 1, by less than the
        stride (PyTorch's rule here, stricter than the functional form's)."""
        if output_size is None:
            return self.output_padding
        wanted = tuple(int(size) for size in output_size)[-self.dims:]
        padding = self.padding if isinstance(self.padding, tuple) else (0,) * self.dims
        smallest = tuple((size - 1) * s - 2 * p + d * (k - 1) + 1 for size, s, p, d, k in
                         zip(input.shape[-self.dims:], self.stride, padding, self.dilation,
                             self.kernel_size))
        limits = self.stride
        extra = tuple(w - s for w, s in zip(wanted, smallest))
        if len(wanted) != self.dims or any(not 0 <= e < limit for e, limit in
                                           zip(extra, limits)):
            raise ValueError(f"{type(self).__name__}: requested an output size of "
                             f"{tuple(output_size)}, but valid sizes run from {smallest} "
                             f"to less than {tuple(a + b for a, b in zip(smallest, limits))}")
        return extra


class ConvTranspose2d(_ConvTransposeNd):
    """2-D transposed convolution (the adjoint of Conv2d, "deconvolution").

    >>> import chainrule as cr
    >>> ConvTranspose2d(16, 6, 5, stride=2, output_padding=1)(cr.zeros(1, 16, 5, 5)).shape
    chainrule.Size([1, 6, 14, 14])
    """

    dims = 2

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return conv_transpose2d(input, self.weight, self.bias, self.stride, self.padding,
                                self._output_padding(input, output_size), self.groups,
                                self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution (the adjoint of Conv1d)."""

    dims = 1

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:  # noqa: A002
        return conv_transpose1d(input, self.weight, self.bias, self.stride, self.padding,
                                self._output_padding(input, output_size), self.groups,
                                self.dilation)
