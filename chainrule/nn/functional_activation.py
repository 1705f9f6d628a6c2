"""More of `nn.functional`: activations, normalisation, padding and similarity, composed
from recorded tensor ops, so every gradient (and second derivative) is the chain rule over
gates already checked against central differences.

Where a branch of a `where` could overflow (e^x for large x), its argument is clamped first:
a `where` passes a zero gradient to the unchosen branch, but 0·∞ would still be NaN.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .. import creation
from ..ops.activation import Hardtanh, Softplus
from ..ops.args import number_arg
from ..tensor import Tensor

__all__ = ["elu", "selu", "celu", "silu", "mish", "logsigmoid", "softsign", "softmin",
           "tanhshrink", "relu6", "hardsigmoid", "hardswish", "hardshrink", "softshrink",
           "threshold", "glu", "prelu", "layer_norm", "group_norm", "normalize",
           "cosine_similarity", "pairwise_distance", "pad"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _tensor(op: str, value: Any, name: str = "input") -> Tensor:
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")
    return value


def _floating(op: str, value: Any) -> Tensor:
    """Exponential-based activations have floating-point kernels only, as in PyTorch."""
    _tensor(op, value)
    if not value.is_floating_point():
        raise RuntimeError(f"{op}: expected a floating-point input, got {value.dtype}")
    return value


# ---------------------------------------------------------------------- activations
def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x for x > 0, else α(eˣ − 1);  ∂/∂x = 1, else α eˣ."""
    number_arg("elu", "alpha", alpha)
    x = _floating("elu", input)
    return x.where(x > 0, x.clamp(max=0).expm1() * alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """scale·elu(x, α) with Klambauer et al.'s α ≈ 1.6733 and scale ≈ 1.0507."""
    return elu(_floating("selu", input), _SELU_ALPHA) * _SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:  # noqa: A002
    """x for x > 0, else α(e^(x/α) − 1)."""
    number_arg("celu", "alpha", alpha)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: celu: alpha must not be 0")
    x = _floating("celu", input)
    return x.where(x > 0, (x.clamp(max=0) / alpha).expm1() * alpha)


def silu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x·σ(x) (swish)."""
    x = _floating("silu", input)
    return x * x.sigmoid()


def mish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x·tanh(softplus(x))."""
    x = _floating("mish", input)
    return x * Softplus.apply(x, 1.0, 20.0).tanh()


def logsigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """log σ(x) = −softplus(−x), finite for any x."""
    x = _floating("logsigmoid", input)
    return -Softplus.apply(-x, 1.0, math.inf)


def softsign(input: Tensor) -> Tensor:  # noqa: A002
    """x/(1 + |x|)."""
    x = _tensor("softsign", input)
    return x / (x.abs() + 1)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """softmax(−x) along `dim`."""
    x = _tensor("softmin", input)
    if dim is None:
        raise TypeError("softmin: pass dim= (the axis whose entries sum to 1)")
    return (-(x if dtype is None else x.to(dtype))).softmax(dim)


def tanhshrink(input: Tensor) -> Tensor:  # noqa: A002
    """x − tanh x."""
    x = _tensor("tanhshrink", input)
    return x - x.tanh()


def relu6(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """min(max(0, x), 6), with hardtanh's gradient (0 at the kinks)."""
    return Hardtanh.apply(_tensor("relu6", input), 0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """relu6(x + 3)/6;  ∂/∂x = 1/6 on (−3, 3), else 0."""
    x = _floating("hardsigmoid", input)
    return Hardtanh.apply(x + 3, 0.0, 6.0) / 6


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """x·relu6(x + 3)/6;  ∂/∂x = (2x + 3)/6 on (−3, 3), 0 below, 1 above."""
    x = _floating("hardswish", input)
    return x * Hardtanh.apply(x + 3, 0.0, 6.0) / 6


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """x where |x| > λ, else 0."""
    x = _tensor("hardshrink", input)
    number_arg("hardshrink", "lambd", lambd)
    return x.where(x.abs() > lambd, x * 0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:  # noqa: A002
    """x − λ above λ, x + λ below −λ, else 0 (= x − clamp(x, −λ, λ))."""
    x = _tensor("softshrink", input)
    number_arg("softshrink", "lambd", lambd)
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return x - x.clamp(-lambd, lambd)


def threshold(input: Tensor, threshold: float, value: float,  # noqa: A002
              inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    x = _tensor("threshold", input)
    number_arg("threshold", "threshold", threshold)
    number_arg("threshold", "value", value)
    return x.where(x > threshold, x * 0 + value)


def glu(input: Tensor, dim: int = -1) -> Tensor:  # noqa: A002
    """a·σ(b), where a and b are the two halves of `input` along `dim`."""
    x = _tensor("glu", input)
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = dim % x.ndim if -x.ndim <= dim < x.ndim else None
    if axis is None:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-x.ndim}, {x.ndim - 1}], but got {dim})")
    size = x.shape[axis]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size "
                           f"{size}")
    lead = (slice(None),) * axis
    first = x[lead + (slice(0, size // 2),)]
    second = x[lead + (slice(size // 2, size),)]
    return first * second.sigmoid()


def prelu(input: Tensor, weight: Tensor) -> Tensor:  # noqa: A002
    """max(0, x) + a·min(0, x), with one slope per channel (dim 1) or one for all."""
    x = _tensor("prelu", input)
    _tensor("prelu", weight, "weight")
    count = weight.numel()
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    slope = weight.reshape(()) if count == 1 else weight
    if count != 1:
        channels = x.shape[1] if x.ndim >= 2 else (x.shape[0] if x.ndim == 1 else 1)
        if count != channels:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                               f"parameter numbers = {count} and channel size = {channels}.")
        if x.ndim >= 2:
            slope = weight.reshape((count,) + (1,) * (x.ndim - 2))
    return x.clamp(min=0) + slope * x.clamp(max=0)


# ---------------------------------------------------------------------- normalisation
def _shape_tuple(shape: int | Sequence[int]) -> tuple[int, ...]:
    return (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)


def layer_norm(input: Tensor, normalized_shape: int | Sequence[int],  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """(x − mean)/√(var + eps)·weight + bias over the last len(normalized_shape) dims
    (biased variance, as PyTorch)."""
    x = _floating("layer_norm", input)
    shape = _shape_tuple(normalized_shape)
    if not shape or x.shape[x.ndim - len(shape):] != shape or len(shape) > x.ndim:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size "
                           f"{list(x.shape)}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and _tensor("layer_norm", value, name).shape != shape:
            raise RuntimeError(f"layer_norm: {name} of shape {value.shape} must have shape "
                               f"{shape} (the normalized_shape)")
    dims = tuple(range(x.ndim - len(shape), x.ndim))
    centred = x - x.mean(dim=dims, keepdim=True)
    variance = (centred * centred).mean(dim=dims, keepdim=True)
    out = centred * (variance + eps).rsqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def group_norm(input: Tensor, num_groups: int, weight: Tensor | None = None,  # noqa: A002
               bias: Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalises each of `num_groups` channel groups per sample over the group's channels
    and positions, then scales and shifts per channel; input (N, C, *)."""
    x = _floating("group_norm", input)
    if x.ndim < 2:
        raise RuntimeError(f"group_norm: expected at least 2 dimensions (N, C, *), got input "
                           f"of size {list(x.shape)}")
    channels = x.shape[1]
    if num_groups <= 0 or channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by "
                           f"num_groups, but got input of shape {list(x.shape)} and "
                           f"num_groups={num_groups}")
    for name, value in (("weight", weight), ("bias", bias)):
        if value is not None and _tensor("group_norm", value, name).shape != (channels,):
            raise RuntimeError(f"group_norm: {name} of shape {value.shape} must have shape "
                               f"({channels},), one per channel")
    grouped = x.reshape(x.shape[0], num_groups, -1)
    centred = grouped - grouped.mean(dim=2, keepdim=True)
    variance = (centred * centred).mean(dim=2, keepdim=True)
    out = (centred * (variance + eps).rsqrt()).reshape(*x.shape)
    per_channel = (channels,) + (1,) * (x.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(*per_channel)
    if bias is not None:
        out = out + bias.reshape(*per_channel)
    return out


# ---------------------------------------------------------------------- similarity
def _p_norm(x: Tensor, p: float, dim: int, keepdim: bool) -> Tensor:
    if p == 2:
        return (x * x).sum(dim, keepdim=keepdim).sqrt()
    if p == 1:
        return x.abs().sum(dim, keepdim=keepdim)
    if math.isinf(p):
        extreme = x.abs().max(dim, keepdim=keepdim) if p > 0 else \
            x.abs().min(dim, keepdim=keepdim)
        return extreme[0]
    return (x.abs() ** p).sum(dim, keepdim=keepdim) ** (1.0 / p)


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12,  # noqa: A002
              out: Tensor | None = None) -> Tensor:
    """x / max(‖x‖_p, eps) along `dim`."""
    x = _floating("normalize", input)
    return x / _p_norm(x, p, dim, True).clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Σ x1·x2 / (max(‖x1‖, eps)·max(‖x2‖, eps)) along `dim` (broadcasting x1 and x2)."""
    a, b = _tensor("cosine_similarity", x1, "x1"), _tensor("cosine_similarity", x2, "x2")
    a_norm = _p_norm(a, 2, dim, True).clamp(min=eps)
    b_norm = _p_norm(b, 2, dim, True).clamp(min=eps)
    return ((a / a_norm) * (b / b_norm)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """‖x1 − x2 + eps‖_p along the last dim."""
    a, b = _tensor("pairwise_distance", x1, "x1"), _tensor("pairwise_distance", x2, "x2")
    difference = a - b + eps
    return _p_norm(difference, p, max(difference.ndim - 1, 0), keepdim)


# ---------------------------------------------------------------------- padding
def pad(input: Tensor, pad: Sequence[int], mode: str = "constant",  # noqa: A002
        value: float | None = None) -> Tensor:
    """Pads (or, with negative amounts, crops) the last len(pad)/2 dims: `pad` lists
    (left, right) for the last dim, then the one before, … Only mode='constant'."""
    x = _tensor("pad", input)
    amounts = [int(v) for v in pad]
    if len(amounts) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(amounts) // 2 > x.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(amounts)} and input "
                           f"of dimension {x.ndim}")
    if mode != "constant":
        raise NotImplementedError(f"pad: mode {mode!r} is not supported; only 'constant'")
    fill = 0.0 if value is None else value
    out = x
    for pair in range(len(amounts) // 2):
        axis = x.ndim - 1 - pair
        before, after = amounts[2 * pair], amounts[2 * pair + 1]
        size = out.shape[axis]
        if size + before + after < 0 or (size + min(before, 0) + min(after, 0)) < 0:
            raise RuntimeError(f"pad: the padding {(before, after)} would give dimension "
                               f"{axis} of size {size} a negative size")
        lead = (slice(None),) * axis
        start, stop = max(-before, 0), size - max(-after, 0)
        if start or stop != size:
            out = out[lead + (slice(start, stop),)]
        pieces = []
        for amount in (max(before, 0), max(after, 0)):
            shape = out.shape[:axis] + (amount,) + out.shape[axis + 1:]
            pieces.append(creation.full(shape, fill, dtype=out.dtype, device=out.device))
        if before > 0 or after > 0:
            out = creation.cat([pieces[0], out, pieces[1]], axis)
    return out
