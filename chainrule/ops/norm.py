"""Batch normalisation as one fused gate, and channel dropout (dropout1d, dropout2d).

Composed from small gates, batch norm in training mode records about ten nodes and keeps
their temporaries; the fused gate keeps x̂ and 1/σ and applies the closed-form rule of
Ioffe & Szegedy (2015) in one pass. In evaluation mode the normalisation uses fixed running
statistics, so it is an affine map per channel, composed from ordinary gates.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np

from .._typing import Array, Grad
from ..engine.gate import Gate
from ..engine.grad_mode import no_grad
from . import _dual
from .args import number_arg

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["BatchNorm", "batch_norm", "dropout1d", "dropout2d"]


def _channel_shape(ndim: int, channels: int) -> tuple[int, ...]:
    return (1, channels) + (1,) * (ndim - 2)


class BatchNorm(Gate):
    """y = γ·x̂ + β with x̂ = (x − μ)/σ, μ and σ² = mean((x − μ)²) over every axis but the
    channels (axis 1), σ = √(σ² + ε); with M values per channel,
    ∂L/∂x = γ/σ · (δ − mean(δ) − x̂·mean(δ·x̂)),  ∂L/∂γ = Σ δ·x̂,  ∂L/∂β = Σ δ.

    Called as `BatchNorm.apply(x, weight, bias, eps)`; weight and bias may be None."""

    __slots__ = ("normalised", "inv_std")
    normalised: Array  # x̂
    inv_std: Array     # 1/σ, shaped to broadcast against x
    label = "batch_norm"

    @staticmethod
    def forward(ctx: BatchNorm, x: Array, weight: Array | None, bias: Array | None,
                eps: float) -> Array:
        axes = (0,) + tuple(range(2, x.ndim))
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        variance = np.mean(centered * centered, axis=axes, keepdims=True)
        ctx.inv_std = 1 / np.sqrt(variance + eps)
        ctx.normalised = centered * ctx.inv_std
        ctx.save_for_backward(x, weight)
        shape = _channel_shape(x.ndim, x.shape[1])
        out = ctx.normalised if weight is None else ctx.normalised * weight.reshape(shape)
        return out if bias is None else out + bias.reshape(shape)

    @staticmethod
    def backward(ctx: BatchNorm, grad: Array) -> tuple[Grad, Grad, Grad, None]:
        x, weight = ctx.saved_tensors
        eps = ctx.inputs[3]
        axes = (0,) + tuple(range(2, x.ndim))
        shape = _channel_shape(x.ndim, x.shape[1])
        count = x.size // x.shape[1] if not _dual.is_tensor(x) else x.numel() // x.shape[1]
        if _dual.is_tensor(x):  # recorded: rebuild x̂ and 1/σ from x, so both are differentiated
            centered = x - _dual.sum_keepdims(x, axes) / count
            inv_std = (_dual.sum_keepdims(centered * centered, axes) / count + eps) ** -0.5
            normalised = centered * inv_std
        else:
            normalised, inv_std = ctx.normalised, ctx.inv_std
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_x = grad_w = grad_b = None
        if need_x:
            scale = inv_std if weight is None else inv_std * weight.reshape(shape)
            mean_grad = _dual.sum_keepdims(grad, axes) / count
            mean_product = _dual.sum_keepdims(grad * normalised, axes) / count
            grad_x = scale * (grad - mean_grad - normalised * mean_product)
        if need_w:
            grad_w = _dual.sum_keepdims(grad * normalised, axes).reshape(weight.shape)
        if need_b:
            grad_b = _dual.sum_keepdims(grad, axes).reshape((x.shape[1],))
        return grad_x, grad_w, grad_b, None


def _check_stat(name: str, value: Tensor | None, channels: int) -> None:
    if value is not None and value.numel() != channels:
        raise RuntimeError(f"batch_norm: {name} should contain {channels} elements not "
                           f"{value.numel()}")


def batch_norm(input: Tensor, running_mean: Tensor | None, running_var: Tensor | None,  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalises each channel (axis 1) of (N, C, …) by the batch's mean and variance when
    `training` (then updating running_mean/running_var in place with `momentum`, the
    variance unbiased, as PyTorch does), else by the running statistics
    (PyTorch's `F.batch_norm`).

    >>> import chainrule as cr
    >>> batch_norm(cr.tensor([[1.0], [3.0]]), None, None, training=True)
    tensor([[-1.0000],
            [ 1.0000]])
    """
    if input.ndim < 2:
        raise ValueError(f"batch_norm: expected an input with at least 2 dimensions "
                         f"(N, C, ...), got size {list(input.shape)}")
    channels = input.shape[1]
    for name, value in (("running_mean", running_mean), ("running_var", running_var),
                        ("weight", weight), ("bias", bias)):
        _check_stat(name, value, channels)
    eps = number_arg("batch_norm", "eps", eps)
    if training:
        count = input.numel() // channels
        if count <= 1:
            raise ValueError(f"batch_norm: expected more than 1 value per channel when "
                             f"training, got input size {list(input.shape)}")
        if running_mean is not None or running_var is not None:
            _update_running_stats(input, running_mean, running_var, momentum, count)
        return BatchNorm.apply(input, weight, bias, eps)  # type: ignore[no-any-return]
    if running_mean is None or running_var is None:
        raise RuntimeError("batch_norm: running_mean and running_var must be defined in "
                           "evaluation mode (training=False)")
    shape = _channel_shape(input.ndim, channels)
    scale = (running_var + eps).rsqrt()
    if weight is not None:
        scale = scale * weight
    out = (input - running_mean.reshape(shape)) * scale.reshape(shape)
    return out if bias is None else out + bias.reshape(shape)


def _update_running_stats(input: Tensor, running_mean: Tensor | None,  # noqa: A002
                          running_var: Tensor | None, momentum: float, count: int) -> None:
    """running ← (1 − momentum)·running + momentum·batch statistic (variance unbiased)."""
    momentum = number_arg("batch_norm", "momentum", momentum)
    x = input._array
    axes = (0,) + tuple(range(2, x.ndim))
    with no_grad():
        if running_mean is not None:
            batch_mean = x.mean(axis=axes)
            running_mean.copy_((1 - momentum) * running_mean._array + momentum * batch_mean)
        if running_var is not None:
            batch_var = x.var(axis=axes) * (count / (count - 1))
            running_var.copy_((1 - momentum) * running_var._array + momentum * batch_var)


# ---------------------------------------------------------------------- channel dropout
def _channel_dropout(op: str, input: Tensor, p: float, training: bool, inplace: bool,  # noqa: A002
                     dims: int) -> Tensor:
    from ..random import default_generator
    from ..tensor import Tensor

    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    p = number_arg(op, "p", p)
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(f"{op}: expected {dims + 1}D or {dims + 2}D input, got size "
                           f"{list(input.shape)}")
    if not training or p == 0:
        return input
    batched = input.ndim == dims + 2
    if dims == 2 and not batched:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim (as PyTorch does); use "
                      "dropout1d for that", UserWarning, stacklevel=3)
        batched, dims = True, 1
    mask_shape = tuple(input.shape[:2] if batched else input.shape[:1]) + (1,) * dims
    dtype = input._array.dtype
    if p == 1:
        keep = np.zeros(mask_shape, dtype=dtype)
    else:
        draws = default_generator.numpy.random(mask_shape, dtype=np.float32)
        keep = (draws >= p).astype(dtype) * dtype.type(1 / (1 - p))
    mask = input._make(keep, None)
    return input.mul_(mask) if inplace else input * mask


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zeroes whole channels of (N, C, H, W) or (C, H, W) with probability p and scales the
    rest by 1/(1−p) (PyTorch's `F.dropout2d`)."""
    return _channel_dropout("dropout2d", input, p, training, inplace, 2)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """Zeroes whole channels of (N, C, L) or (C, L) with probability p (`F.dropout1d`)."""
    return _channel_dropout("dropout1d", input, p, training, inplace, 1)

