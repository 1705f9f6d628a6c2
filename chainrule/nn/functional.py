"""`nn.functional`: every layer, activation and loss as a function (PyTorch's `F`).

These check their arguments and pick a gate; the arithmetic and the gradient rules live in
`chainrule.ops`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..ops import activation as _act
from ..ops import layer as _layer
from ..ops import loss as _loss
from ..ops.args import number_arg
from ..ops.elementwise import Relu, Sigmoid, Tanh
from ..ops.reduce import implicit_softmax_dim
from ..tensor import Tensor

__all__ = ["linear", "embedding", "dropout", "one_hot", "relu", "leaky_relu", "sigmoid", "tanh",
           "softplus", "hardtanh", "gelu", "softmax", "log_softmax", "cross_entropy",
           "nll_loss", "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "multi_margin_loss", "margin_ranking_loss", "flatten"]

_REDUCTIONS = ("mean", "sum", "none")
_CLASS_ID_TYPES = (np.dtype(np.int64), np.dtype(np.uint8))  # PyTorch's Long and Byte


def _check_reduction(op: str, reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _as_tensor(op: str, name: str, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        return value
    raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")


def _floating_input(op: str, input: Any) -> Tensor:  # noqa: A002
    """A loss's input: a floating-point tensor (PyTorch has no integer loss kernels)."""
    _as_tensor(op, "input", input)
    if input._array.dtype.kind != "f":
        raise TypeError(f"{op}: input must be a floating-point tensor, got {input.dtype}")
    return input


def _promoted(op: str, input: Tensor, target: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    """Input and float target in their common float type, as PyTorch promotes them: a
    float64 target makes a float64 loss, while the gradient reaching a float32 input is
    float32 again (the cast is a gate). Integer or bool targets are refused."""
    _as_tensor(op, "target", target)
    if target._array.dtype.kind != "f":
        raise TypeError(f"{op}: target must be a floating-point tensor like the input "
                        f"({input.dtype}), got {target.dtype}; convert it with "
                        "target.to(input.dtype)")
    common = np.result_type(input._array.dtype, target._array.dtype)
    return input._cast(common), target._cast(common)


def _check_broadcasts_to(op: str, name: str, value: Tensor | None, shape: tuple[int, ...]
                         ) -> None:
    """`value` (a per-element weight) must broadcast to the input's `shape`."""
    if value is None:
        return
    _as_tensor(op, name, value)
    try:
        fits = np.broadcast_shapes(value.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{op}: {name} of shape {value.shape} does not broadcast to the "
                         f"input's shape {shape}")


# ---------------------------------------------------------------------- layers
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = x·Wᵀ + b, one fused gate (weight of shape (out_features, in_features))."""
    _as_tensor("linear", "input", input)
    _as_tensor("linear", "weight", weight)
    if weight.ndim == 1 and bias is None:  # one output feature, dropped, as in PyTorch
        return input.matmul(weight)
    if weight.ndim != 2:
        raise ValueError(f"linear: weight must be 2-D (out_features, in_features), got shape "
                         f"{weight.shape}")
    if bias is not None and bias.shape != weight.shape[:1]:
        raise ValueError(f"linear: bias has shape {bias.shape}, expected ({weight.shape[0]},)")
    if input.ndim == 0:
        raise ValueError("linear: input must have at least 1 dimension (its features)")
    return _layer.Linear.apply(input, weight, bias)


def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of `weight` picked by the integer ids in `input`."""
    ids = _as_tensor("embedding", "input", input)
    if ids._array.dtype.kind not in "iu":
        raise TypeError(f"embedding: ids must be an integer tensor, got {ids.dtype}")
    rows = weight.shape[0]
    # Tested as truths, not as numbers: cr.compile then re-asks "all ids in range?" on each
    # replay, where int(min) would tie the replay to one batch's smallest id.
    if ids.numel() and (bool(ids._array.min() < 0) or bool(ids._array.max() >= rows)):
        raise IndexError(f"embedding: ids must lie in [0, {rows}), got values from "
                         f"{int(ids._array.min())} to {int(ids._array.max())}")
    if scale_grad_by_freq and sparse:
        raise RuntimeError("embedding: scale_grad_by_freq is not supported with sparse "
                           "gradients (sparse=True), as in PyTorch")
    if max_norm is not None:  # rows renormalised in place first, unrecorded, as PyTorch
        from ..engine import version

        _layer.renorm_rows(weight._array, ids._array, float(max_norm), float(norm_type))
        version.bump(weight)
    if padding_idx is not None:
        padding_idx = padding_idx % rows
    return _layer.Embedding.apply(ids, weight, padding_idx, sparse, bool(scale_grad_by_freq))


def dropout(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
            generator: Any = None) -> Tensor:
    """Zeroes each element with probability p and scales the rest by 1/(1−p) (training only)."""
    _as_tensor("dropout", "input", input)
    number_arg("dropout", "p", p)
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: probability must be in [0, 1], got {p}")
    if not training or p == 0:
        return input
    from ..random import default_generator

    return _layer.Dropout.apply(input, p, generator or default_generator)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Class ids as one-hot rows (int64), as PyTorch."""
    ids = tensor._array
    if ids.dtype.kind not in "iu":
        raise TypeError(f"one_hot: expects an integer tensor, got {tensor.dtype}")
    if num_classes < 0 and not ids.size:
        raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; "
                         "pass num_classes=")
    classes = int(ids.max()) + 1 if num_classes < 0 else num_classes
    if ids.size and (ids.min() < 0 or ids.max() >= classes):
        raise ValueError(f"one_hot: class values must lie in [0, {classes})")
    from ..backends import array_module

    xp = array_module(ids)
    return Tensor._make((ids[..., None] == xp.arange(classes)).astype(np.int64), None)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    return input.flatten(start_dim, end_dim)


# ---------------------------------------------------------------------- activations
def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    return Relu.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01,  # noqa: A002
               inplace: bool = False) -> Tensor:
    number_arg("leaky_relu", "negative_slope", negative_slope)
    return _act.LeakyRelu.apply(input, negative_slope)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return Sigmoid.apply(input)


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return Tanh.apply(input)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:  # noqa: A002
    if beta <= 0:
        raise ValueError(f"softplus: beta must be positive, got {beta}")
    return _act.Softplus.apply(input, beta, threshold)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0,  # noqa: A002
             inplace: bool = False) -> Tensor:
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val ({min_val}) must not exceed max_val ({max_val})")
    return _act.Hardtanh.apply(input, min_val, max_val)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:  # noqa: A002
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return _act.Gelu.apply(input, approximate)


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """e^x / Σ e^x along `dim`; without dim, PyTorch's legacy choice (and its warning)."""
    if dim is None:
        dim = implicit_softmax_dim("softmax", input.ndim, _stacklevel)
    return (input if dtype is None else input.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """x − log Σ e^x along `dim`; without dim, PyTorch's legacy choice (and its warning)."""
    if dim is None:
        dim = implicit_softmax_dim("log_softmax", input.ndim, _stacklevel)
    return (input if dtype is None else input.to(dtype)).log_softmax(dim)


# ---------------------------------------------------------------------- losses
def _classes_last(op: str, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor, bool]:  # noqa: A002
    """(N, C) scores and (N,) or (N, C) targets from PyTorch's accepted layouts: (C,)
    unbatched, (N, C), or (N, C, d1, …) with targets (N, d1, …)."""
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dimension, got a 0-d tensor")
    float_target = target._array.dtype.kind == "f"
    if input.ndim == 1:
        expected = input.shape if float_target else ()
        if target.shape != expected:
            raise ValueError(f"{op}: for unbatched input of shape {input.shape} the target "
                             f"must have shape {expected}, got {target.shape}")
        return input.unsqueeze(0), target.unsqueeze(0), True
    batch, classes = input.shape[0], input.shape[1]
    extra = input.shape[2:]
    expected = input.shape if float_target else (batch,) + extra
    if target.shape != expected:
        raise ValueError(f"{op}: input of shape {input.shape} needs a target of shape "
                         f"{expected} ({'class probabilities' if float_target else 'class ids'}"
                         f"), got {target.shape}")
    if not extra:
        return input, target, False
    order = (0,) + tuple(range(2, input.ndim)) + (1,)
    flat_input = input.permute(*order).reshape(-1, classes)
    flat_target = target.permute(*order).reshape(-1, classes) if float_target else \
        target.reshape(-1)
    return flat_input, flat_target, False


def _check_targets(op: str, scores: Tensor, target: Tensor, weight: Tensor | None,
                   label_smoothing: float) -> None:
    """What can be checked without reading the targets' values (the gate checks those)."""
    classes = scores.shape[1]
    if target._array.dtype not in _CLASS_ID_TYPES and target._array.dtype.kind != "f":
        raise TypeError(f"{op}: target must hold class ids (int64, or uint8) or class "
                        f"probabilities (float), got {target.dtype}")
    if weight is not None:
        _as_tensor(op, "weight", weight)
        if weight.shape != (classes,):
            raise ValueError(f"{op}: weight must have shape ({classes},), one per class, got "
                             f"{weight.shape}")
        if weight._array.dtype != scores._array.dtype:
            raise TypeError(f"{op}: weight has dtype {weight.dtype}, but the input has dtype "
                            f"{scores.dtype}; they must match")
    if not 0 <= label_smoothing <= 1:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")


def _restore_shape(per_sample: Tensor, reduction: str, input: Tensor, target: Tensor,  # noqa: A002
                   unbatched: bool) -> Tensor:
    if reduction != "none":
        return per_sample
    if unbatched:
        return per_sample.reshape(())
    if input.ndim > 2:
        shape = (input.shape[0],) + input.shape[2:]
        return per_sample.reshape(shape)
    return per_sample


def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """Softmax followed by cross-entropy, as one gate whose gradient is ŷ − y.

    `target` holds class ids (with `ignore_index` skipped) or class probabilities.
    """
    _check_reduction("cross_entropy", reduction)
    _floating_input("cross_entropy", input)
    _as_tensor("cross_entropy", "target", target)
    scores = input
    if target._array.dtype.kind == "f":  # class probabilities: a common float type
        scores, target = _promoted("cross_entropy", input, target)
    scores, flat_target, unbatched = _classes_last("cross_entropy", scores, target)
    _check_targets("cross_entropy", scores, flat_target, weight, label_smoothing)
    if flat_target.requires_grad:  # soft targets that are themselves being learned
        out = _soft_target_cross_entropy(scores, flat_target, weight, reduction,
                                         label_smoothing, scores.shape[0])
    else:
        out = _loss.CrossEntropy.apply(scores, flat_target, weight, ignore_index,
                                       label_smoothing, reduction)
    return _restore_shape(out, reduction, input, target, unbatched)


def _soft_target_cross_entropy(scores: Tensor, target: Tensor, weight: Tensor | None,
                               reduction: str, label_smoothing: float, divisor: Any) -> Tensor:
    """−Σ_c w_c((1 − ε)t_c + ε/C) log softmax(x)_c from recorded gates, so that the target
    receives a gradient too (the fused gate treats targets as constants)."""
    classes = scores.shape[1]
    coefficients = target * (1 - label_smoothing) + label_smoothing / classes
    if weight is not None:
        coefficients = coefficients * weight
    per_sample = -(coefficients * scores.log_softmax(1)).sum(1)
    if reduction == "none":
        return per_sample
    return per_sample.sum() if reduction == "sum" else per_sample.sum() / float(divisor)


def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """The negative log-likelihood of class ids under log-probabilities `input`."""
    _check_reduction("nll_loss", reduction)
    _floating_input("nll_loss", input)
    _as_tensor("nll_loss", "target", target)
    if target._array.dtype not in _CLASS_ID_TYPES:
        raise TypeError(f"nll_loss: target must hold class ids (int64, or uint8), got "
                        f"{target.dtype}")
    scores, flat_target, unbatched = _classes_last("nll_loss", input, target)
    _check_targets("nll_loss", scores, flat_target, weight, 0.0)
    out = _loss.WeightedLogLikelihood.apply(scores, flat_target, weight, ignore_index,
                                            reduction)
    return _restore_shape(out, reduction, input, target, unbatched)


def _broadcast_pair(op: str, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:  # noqa: A002
    """Input and target of one shape. Where the shapes differ but broadcast, PyTorch warns
    and broadcasts, and so does this; where they cannot, a clear error, before any warning."""
    if target.shape == input.shape:
        return input, target
    try:
        shape = np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ValueError(f"{op}: input of shape {input.shape} and target of shape "
                         f"{target.shape} cannot be broadcast together; they should have "
                         "the same shape") from None
    warnings.warn(f"{op}: using a target size ({target.shape}) that is different to the input "
                  f"size ({input.shape}); they are broadcast to {shape}, which is likely not "
                  "what you meant. Please ensure they have the same size.", UserWarning,
                  stacklevel=4)
    return input.expand(*shape), target.expand(*shape)


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean") -> Tensor:  # noqa: A002
    """(input − target)², averaged (or summed) over every element.

    Integer targets take the input's float type and a float64 target makes the loss
    float64, as in PyTorch; shapes that differ are broadcast with PyTorch's warning."""
    _check_reduction("mse_loss", reduction)
    _as_tensor("mse_loss", "input", input)
    _as_tensor("mse_loss", "target", target)
    floats = [t._array.dtype for t in (input, target) if t._array.dtype.kind == "f"]
    if not floats:
        raise TypeError(f"mse_loss: expects floating-point tensors, got {input.dtype} and "
                        f"{target.dtype}")
    common = np.result_type(*floats)
    prediction, target = _broadcast_pair("mse_loss", input._cast(common), target._cast(common))
    return _loss.MeanSquaredError.apply(prediction, target, reduction)


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                         reduction: str = "mean") -> Tensor:
    """−[t log p + (1 − t) log(1 − p)] for probabilities p (logs floored at −100)."""
    op = "binary_cross_entropy"
    _check_reduction(op, reduction)
    _floating_input(op, input)
    _as_tensor(op, "target", target)
    if target.shape != input.shape:
        raise ValueError(f"{op}: target shape {target.shape} must equal input shape "
                         f"{input.shape}")
    if target._array.dtype != input._array.dtype:
        raise TypeError(f"{op}: target has dtype {target.dtype}, but the input has dtype "
                        f"{input.dtype}; they must match (target.to(input.dtype))")
    _check_broadcasts_to(op, "weight", weight, input.shape)
    return _loss.BinaryCrossEntropy.apply(input, target, None if weight is None else
                                          weight._array, reduction)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """The sigmoid and binary cross-entropy in one stable gate; gradient σ(x) − t."""
    op = "binary_cross_entropy_with_logits"
    _check_reduction(op, reduction)
    _floating_input(op, input)
    _as_tensor(op, "target", target)
    if target.shape != input.shape:
        raise ValueError(f"{op}: target shape {target.shape} must equal input shape "
                         f"{input.shape}")
    _check_broadcasts_to(op, "weight", weight, input.shape)
    _check_broadcasts_to(op, "pos_weight", pos_weight, input.shape)
    logits, target = _promoted(op, input, target)
    return _loss.BinaryCrossEntropyWithLogits.apply(
        logits, target, None if weight is None else weight._array,
        None if pos_weight is None else pos_weight._array, reduction)


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,  # noqa: A002
                      weight: Tensor | None = None, reduction: str = "mean") -> Tensor:
    """The multiclass SVM hinge: Σ_{i≠y} max(0, margin − x_y + x_i)^p / C per sample."""
    _check_reduction("multi_margin_loss", reduction)
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: p must be 1 or 2, got {p}")
    _floating_input("multi_margin_loss", input)
    _as_tensor("multi_margin_loss", "target", target)
    unbatched = input.ndim == 1
    scores = input.unsqueeze(0) if unbatched else input
    ids = target.reshape(1) if unbatched else target
    if scores.ndim != 2 or ids.shape != scores.shape[:1]:
        raise ValueError(f"multi_margin_loss: expects scores (N, C) and class ids (N,), got "
                         f"{input.shape} and {target.shape}")
    if ids._array.dtype.kind not in "iu":
        raise TypeError(f"multi_margin_loss: target must hold class ids, got {target.dtype}")
    classes = scores.shape[1]
    if ids.numel() and (int(ids._array.min()) < 0 or int(ids._array.max()) >= classes):
        raise IndexError(f"multi_margin_loss: class ids must lie in [0, {classes})")
    if weight is not None and _as_tensor("multi_margin_loss", "weight", weight).shape != (
            classes,):
        raise ValueError(f"multi_margin_loss: weight must have shape ({classes},), one per "
                         f"class, got {weight.shape}")
    out = _loss.MultiMargin.apply(scores, ids, p, margin,
                                  None if weight is None else weight._array, reduction)
    return out.reshape(()) if unbatched and reduction == "none" else out


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0,
                        reduction: str = "mean") -> Tensor:
    """max(0, −y·(x1 − x2) + margin): the notes' window objective max(0, 1 − s + s_c) is
    `margin_ranking_loss(s, s_c, ones, margin=1)`."""
    op = "margin_ranking_loss"
    _check_reduction(op, reduction)
    tensors = [_as_tensor(op, name, value) for name, value in
               (("input1", input1), ("input2", input2), ("target", target))]
    if len({t.ndim for t in tensors}) != 1:
        raise ValueError(f"{op}: all input tensors should have the same number of dimensions, "
                         f"got shapes {input1.shape}, {input2.shape} and {target.shape}")
    try:
        np.broadcast_shapes(*(t.shape for t in tensors))
    except ValueError:
        raise ValueError(f"{op}: shapes {input1.shape}, {input2.shape} and {target.shape} "
                         "cannot be broadcast together") from None
    values = (-target * (input1 - input2) + margin).clamp(min=0)
    if reduction == "none":
        return values
    return values.sum() if reduction == "sum" else values.mean()



# ---------------------------------------------------------------------- convolutional networks
# The code lives in chainrule.ops.conv, .conv_transpose, .pool, .adaptive_pool and .norm.
from ..ops.adaptive_pool import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_max_pool1d,
    adaptive_max_pool2d,
)
from ..ops.conv import conv1d, conv2d  # noqa: E402
from ..ops.conv_transpose import conv_transpose1d, conv_transpose2d  # noqa: E402
from ..ops.norm import batch_norm, dropout1d, dropout2d  # noqa: E402
from ..ops.pool import (  # noqa: E402
    avg_pool1d,
    avg_pool2d,
    max_pool1d,
    max_pool2d,
)

__all__ += ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "max_pool1d",
            "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
            "adaptive_max_pool1d", "adaptive_max_pool2d", "batch_norm", "dropout1d", "dropout2d"]

# ---------------------------------------------------------------------- more layers (issue #13)
from .functional_activation import (  # noqa: E402
    celu,
    cosine_similarity,
    elu,
    glu,
    group_norm,
    hardshrink,
    hardsigmoid,
    hardswish,
    layer_norm,
    logsigmoid,
    mish,
    normalize,
    pad,
    pairwise_distance,
    prelu,
    relu6,
    selu,
    silu,
    softmin,
    softshrink,
    softsign,
    tanhshrink,
    threshold,
)

__all__ += ["elu", "selu", "celu", "silu", "mish", "logsigmoid", "softsign", "softmin",
            "tanhshrink", "relu6", "hardsigmoid", "hardswish", "hardshrink", "softshrink",
            "threshold", "glu", "prelu", "layer_norm", "group_norm", "normalize",
            "cosine_similarity", "pairwise_distance", "pad"]
from .functional_loss import huber_loss, l1_loss, smooth_l1_loss  # noqa: E402

__all__ += ["l1_loss", "smooth_l1_loss", "huber_loss"]

# ---------------------------------------------------------------------- more losses (issue #13)
from .functional_loss2 import (  # noqa: E402
    cosine_embedding_loss,
    gaussian_nll_loss,
    hinge_embedding_loss,
    kl_div,
    multilabel_soft_margin_loss,
    poisson_nll_loss,
    soft_margin_loss,
    triplet_margin_loss,
)

__all__ += ["kl_div", "poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss",
            "triplet_margin_loss", "hinge_embedding_loss", "soft_margin_loss",
            "multilabel_soft_margin_loss"]
# ---------------------------------------------------------------------- issue #12 (extras)
from ..ops.norm import dropout3d  # noqa: E402

__all__ += ["dropout3d"]
