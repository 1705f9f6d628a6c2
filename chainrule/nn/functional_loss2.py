"""The distribution, embedding and margin losses of `nn.functional`: kl_div,
poisson_nll_loss, gaussian_nll_loss, cosine_embedding_loss, triplet_margin_loss,
hinge_embedding_loss, soft_margin_loss and multilabel_soft_margin_loss.

Each is composed from recorded tensor ops with PyTorch's formula (its ATen kernel or Python
function), so the gradients, first and second, are the chain rule over checked gates and
agree with PyTorch's where the formulas agree. Shapes that differ broadcast as PyTorch's do.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from ..engine.grad_mode import is_grad_enabled
from ..tensor import Tensor
from .functional_activation import pairwise_distance
from .functional_loss import _pair, _reduce

__all__ = ["kl_div", "poisson_nll_loss", "gaussian_nll_loss", "cosine_embedding_loss",
           "triplet_margin_loss", "hinge_embedding_loss", "soft_margin_loss",
           "multilabel_soft_margin_loss"]


def legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's deprecated `size_average` / `reduce` pair, which overrides `reduction`."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn("size_average and reduce args will be deprecated, please use "
                  f"reduction='{_legacy(size_average, reduce)}' instead.", UserWarning,
                  stacklevel=3)
    return _legacy(size_average, reduce)


def _legacy(size_average: bool | None, reduce: bool | None) -> str:
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _check(reduction: str, allowed: tuple[str, ...] = ("none", "mean", "sum"),
           message: str = "is not a valid value for reduction") -> None:
    if reduction not in allowed:
        raise ValueError(f"{reduction} {message}")


def _same_shape(*tensors: Tensor) -> None:
    """PyTorch's RuntimeError when shapes do not broadcast, before any op runs."""
    first = tensors[0].shape
    for other in tensors[1:]:
        for back in range(1, min(len(first), len(other.shape)) + 1):
            a, b = first[-back], other.shape[-back]
            if a != b and a != 1 and b != 1:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b "
                                   f"({b}) at non-singleton dimension "
                                   f"{max(len(first), len(other.shape)) - back}")


def _tensors(op: str, **values: Any) -> None:
    for name, value in values.items():
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not "
                            f"{type(value).__name__}")


# ---------------------------------------------------------------------- distributions
def kl_div(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
           reduce: bool | None = None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL(target ‖ input) per element for log-probabilities `input`: t·(log t − x), written
    xlogy(t, t) − t·x so that t = 0 adds 0 (or e^t·(t − x) when `log_target`).
    'batchmean' divides the sum by the batch size (the true KL divergence); 'mean' divides
    by the number of elements, with PyTorch's warning."""
    _pair("kl_div", input, target)
    _same_shape(input, target)
    legacy = size_average is not None or reduce is not None
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check(reduction, ("none", "mean", "sum", "batchmean"))
    if reduction == "mean" and not legacy:
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and "
                      "the support size.'batchmean' divides only by the batch size, and "
                      "aligns with the KL div math definition.'mean' will be changed to behave "
                      "the same as 'batchmean' in the next major release.", UserWarning,
                      stacklevel=2)
    if log_target:
        values = target.exp() * (target - input)
    else:
        values = target.xlogy(target) - target * input
    if reduction != "batchmean":
        return _reduce(values, reduction)
    total = values.sum()
    return total / input.shape[0] if input.ndim else total


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True,  # noqa: A002
                     full: bool = False, size_average: bool | None = None, eps: float = 1e-8,
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """e^x − t·x for a log-rate x (`log_input`), else x − t·log(x + eps); `full` adds
    Stirling's t·log t − t + ½·log(2πt) where t > 1."""
    _pair("poisson_nll_loss", input, target)
    _same_shape(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check(reduction)
    if log_input:
        values = input.exp() - target * input
    else:
        values = input - target * (input + eps).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        values = values + stirling.masked_fill(target <= 1, 0)
    return _reduce(values, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var: Tensor | float,  # noqa: A002
                      full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """½·(log v + (x − t)²/v) (+ ½·log 2π when `full`), v = max(var, eps) with the clamp
    left out of the gradient (PyTorch clamps under no_grad). `var` has the input's shape,
    or lacks its last dimension, or has size 1 in exactly one dimension where the input
    differs; or it is one non-negative float."""
    _pair("gaussian_nll_loss", input, target)
    if isinstance(var, Tensor):
        variance = var
        if bool((variance < 0).any()):
            raise ValueError("var has negative entry/entries")
    elif isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        variance = input.detach() * 0 + var
    else:
        raise TypeError(f"gaussian_nll_loss(): argument 'var' must be Tensor or float, not "
                        f"{type(var).__name__}")
    if variance.shape != input.shape:
        if input.shape[:-1] == variance.shape:
            variance = variance.unsqueeze(-1)
        elif not (input.ndim == variance.ndim and sum(
                v for x, v in zip(input.shape, variance.shape) if x != v) == 1):
            raise ValueError(f"var is of incorrect size: input has shape {input.shape}, var "
                             f"{variance.shape}; expected the input's shape, it without its "
                             "last dimension, or size 1 where they differ")
    _check(reduction, message="is not valid")
    # max(var, eps) whose gradient is 1 everywhere, as torch's clamp_ under no_grad
    clamped = variance + (variance.detach().clamp(min=eps) - variance.detach())
    values = 0.5 * (clamped.log() + (input - target) ** 2 / clamped)
    if full:
        values = values + 0.5 * math.log(2 * math.pi)
    return _reduce(values, reduction)


# ---------------------------------------------------------------------- embeddings, margins
def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0,
                          size_average: bool | None = None, reduce: bool | None = None,
                          reduction: str = "mean") -> Tensor:
    """1 − cos(x1, x2) where the target is 1, max(0, cos − margin) where it is −1, 0 for
    other targets; cos over the last dimension of 1-D (target 0-D) or 2-D (target 1-D)
    inputs, with ATen's 1e-12 added to each squared norm."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check(reduction)
    _tensors("cosine_embedding_loss", input1=input1, input2=input2, target=target)
    sizes = f"{list(input1.shape)} and {list(input2.shape)}"
    if target.ndim == 1 and not (input1.ndim == 2 and input2.ndim == 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with "
                           f"sizes {sizes}.")
    if target.ndim == 0 and not (input1.ndim == 1 and input2.ndim == 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with "
                           f"sizes {sizes}.")
    if target.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    _same_shape(input1, input2)
    dim = input1.ndim - 1
    products = (input1 * input2).sum(dim)
    norms = (((input1 * input1).sum(dim) + 1e-12) * ((input2 * input2).sum(dim) + 1e-12)).sqrt()
    cos = products / norms
    _same_shape(cos, target)
    zeros = cos.detach() * 0
    values = (1 - cos).where(target == 1, zeros) + \
        (cos - margin).clamp(min=0).where(target == -1, zeros)
    return _reduce(values, reduction)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor,
                        margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average: bool | None = None,
                        reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) − d(a, n)) with d the p-norm distance of `pairwise_distance`
    (eps added to the difference); `swap` uses min(d(a, n), d(p, n)) as the negative's."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _tensors("triplet_margin_loss", anchor=anchor, positive=positive, negative=negative)
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {anchor.ndim}D, "
                           f"positive {positive.ndim}D, and negative {negative.ndim}D inputs")
    to_positive = pairwise_distance(anchor, positive, p, eps)
    to_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        to_negative = to_negative.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((margin + to_positive - to_negative).clamp(min=0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0,  # noqa: A002
                         size_average: bool | None = None, reduce: bool | None = None,
                         reduction: str = "mean") -> Tensor:
    """x where the target is not −1, plus max(0, margin − x) where it is not 1 (ATen's
    formula: a target of 1 gives x, −1 gives the hinge)."""
    _pair("hinge_embedding_loss", input, target)
    _same_shape(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check(reduction)
    zeros = input.detach() * 0
    values = (margin - input).clamp(min=0).where(target != 1, zeros) + \
        input.where(target != -1, zeros)
    return _reduce(values, reduction)


def _log1p_exp(z: Tensor) -> Tensor:
    """log(1 + e^z) without overflow: max(z, 0) + log1p(e^−|z|)."""
    return z.clamp(min=0) + (-z.abs()).exp().log1p()


def soft_margin_loss(input: Tensor, target: Tensor, size_average: bool | None = None,  # noqa: A002
                     reduce: bool | None = None, reduction: str = "mean") -> Tensor:
    """log(1 + e^(−y·x)), the logistic loss for targets ±1."""
    _pair("soft_margin_loss", input, target)
    _same_shape(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check(reduction)
    if target.requires_grad and is_grad_enabled():  # as torch: no rule for the target
        raise RuntimeError("The function 'soft_margin_loss' is not differentiable with respect "
                           "to argument 'target'. This input cannot have requires_grad True.")
    return _reduce(_log1p_exp(-target * input), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Tensor,  # noqa: A002
                                weight: Tensor | None = None,
                                size_average: bool | None = None, reduce: bool | None = None,
                                reduction: str = "mean") -> Tensor:
    """−[t·log σ(x) + (1 − t)·log σ(−x)], times `weight`, averaged over the classes (the
    last dimension), then reduced over the samples."""
    _pair("multilabel_soft_margin_loss", input, target)
    _same_shape(input, target)
    reduction = legacy_reduction(size_average, reduce, reduction)
    values = target * _log1p_exp(-input) + (1 - target) * _log1p_exp(input)
    if weight is not None:
        values = values * weight
    classes = input.shape[-1] if input.ndim else 1
    return _reduce(values.sum(dim=input.ndim - 1) / classes if input.ndim else values,
                    reduction, "is not valid")
