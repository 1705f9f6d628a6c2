"""Loss gates, fused where the notes give a closed-form gradient.

The cross-entropy of a softmax is the notes' Softmax-with-Loss node: its gradient with
respect to the scores is ŷ − y, computed directly instead of through a softmax gate, a log
gate and an index gate. The class-weighted, label-smoothed and probability-target forms of
PyTorch all reduce to one shape: a constant coefficient matrix A with loss_n = −Σ_c A_nc
log p_nc, whose gradient is p_n·Σ_c A_nc − A_n.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from . import _dual
from ._short_axis import max_keepdims

__all__ = ["CrossEntropy", "WeightedLogLikelihood", "MeanSquaredError", "BinaryCrossEntropy",
           "BinaryCrossEntropyWithLogits", "MultiMargin", "reduce_loss", "expand_reduced",
           "class_coefficients", "check_class_ids"]


def class_coefficients(target: Array, classes: int, dtype: Any, weight: Array | None,
                       ignore_index: int, label_smoothing: float) -> tuple[Array, Any]:
    """The coefficient matrix A (n, classes) and the per-sample mean divisor weights.

    For class-index targets: A_n = w_y (1 − ε) onehot(y_n) + (ε/C) w, zero for ignored
    samples; the divisor weight of sample n is w_{y_n} (0 if ignored), as PyTorch divides a
    weighted mean by Σ w_{y_n}. For probability targets: A_n = w ∘ ((1 − ε) t_n + ε/C), and
    every sample counts 1.
    """
    xp = array_module(target)
    if target.dtype.kind == "f":  # class probabilities
        coefficients = target * (1 - label_smoothing) + label_smoothing / classes
        coefficients = coefficients.astype(dtype, copy=False)
        if weight is not None:
            coefficients = coefficients * weight
        return coefficients, xp.ones(target.shape[0], dtype=dtype)
    kept = target != ignore_index
    safe = xp.where(kept, target, 0)
    rows = xp.arange(target.shape[0])
    picked = xp.ones(target.shape[0], dtype=dtype) if weight is None else weight[safe]
    picked = xp.where(kept, picked, 0).astype(dtype, copy=False)
    coefficients = xp.zeros((target.shape[0], classes), dtype=dtype)
    coefficients[rows, safe] = picked * (1 - label_smoothing)
    if label_smoothing:
        smooth = (xp.ones(classes, dtype=dtype) if weight is None else weight) * (
            label_smoothing / classes)
        coefficients += kept[:, None] * smooth
    return coefficients, picked


def reduce_loss(per_sample: Array, reduction: str, divisor: Any) -> Array:
    if reduction == "none":
        return per_sample
    if reduction == "sum":
        return per_sample.sum()
    return per_sample.sum() / divisor


def expand_reduced(grad: Array, reduction: str, divisor: Any) -> Array:
    """The upstream gradient of a reduced loss as one factor per sample, shape (n, 1)."""
    if reduction == "none":
        return grad.reshape((-1, 1))
    factor = grad / divisor if reduction == "mean" else grad
    return factor.reshape((1, 1))


def check_class_ids(op: str, target: Array, classes: int, ignore_index: int) -> None:
    """Class ids must lie in [0, classes) or equal ignore_index. A check of the values, so it
    runs in the gate's forward, with everything else that depends on the targets."""
    if target.dtype.kind not in "iu":
        return
    valid = target != ignore_index
    if valid.any() and (target[valid].min() < 0 or target[valid].max() >= classes):
        raise IndexError(f"{op}: target class ids must lie in [0, {classes}) (or equal "
                         f"ignore_index={ignore_index}); got values from "
                         f"{int(target[valid].min())} to {int(target[valid].max())}")


def _targets_to_coefficients(ctx: Any, op: str, scores: Any, target: Any, weight: Any,
                             ignore_index: int, label_smoothing: float) -> Any:
    """Builds A and the mean's divisor from the targets, inside the forward pass, so that a
    gate, not its caller, holds all the work that depends on the data; keeps both on it."""
    classes = scores.shape[1]
    check_class_ids(op, target, classes, ignore_index)
    coefficients, picked = class_coefficients(target, classes, scores.dtype, weight,
                                              ignore_index, label_smoothing)
    ctx.coefficients = coefficients
    ctx.divisor = picked.sum()
    return coefficients


def _plain_class_ids(target: Any, classes: int, weight: Any, ignore_index: int,
                     label_smoothing: float) -> bool:
    """True for the common case, where A is one-hot: class ids all in range, none ignored,
    no class weights, no smoothing. Then the loss picks one log-probability per row and the
    gradient is ŷ with 1 taken off at the target, with no (n, C) coefficient matrix."""
    if target.dtype.kind not in "iu" or weight is not None or label_smoothing or \
            target.ndim != 1 or target.shape[0] == 0:
        return False
    # One reduction for both ends: as 64-bit unsigned numbers, negative ids are ≥ 2⁶³
    as_unsigned = target.astype(np.uint64, copy=False)
    if as_unsigned.max() >= classes:
        return False  # ignored entries or bad ids: the general path masks or reports them
    return not (0 <= ignore_index < classes and bool((target == ignore_index).any()))


def _coefficients_of(ctx: Any) -> Any:
    """A, built on demand for gates that took the one-hot shortcut (create_graph only)."""
    if ctx.coefficients is None:
        logits, target = ctx.inputs[0], _dual.constant(ctx.inputs[1])
        ctx.coefficients = class_coefficients(target, logits.shape[1],
                                              _dual.constant(logits).dtype, None, -100, 0.0)[0]
    return ctx.coefficients


class CrossEntropy(Gate):
    """L = −Σ_c A_nc log softmax(x)_nc;  ∂L/∂x_n = softmax(x)_n·Σ_c A_nc − A_n.

    With one-hot A (plain class targets) this is the notes' ŷ − y. Called as
    `CrossEntropy.apply(logits, target, weight, ignore_index, label_smoothing, reduction)`
    on (n, C) logits with (n,) class ids or (n, C) class probabilities.
    """

    __slots__ = ("probabilities", "coefficients", "divisor", "rows")
    probabilities: Array
    coefficients: Array | None  # None for plain class ids (the fast path)
    divisor: Any
    rows: Any
    label = "cross_entropy"

    @staticmethod
    def forward(ctx: CrossEntropy, logits: Array, target: Array, weight: Array | None,
                ignore_index: int, label_smoothing: float, reduction: str) -> Array:
        xp = array_module(logits)
        shifted = logits - max_keepdims(logits, 1)
        exponentials = xp.exp(shifted)
        totals = exponentials.sum(axis=1, keepdims=True)
        ctx.probabilities = exponentials / totals
        if _plain_class_ids(target, logits.shape[1], weight, ignore_index, label_smoothing):
            ctx.coefficients = None
            ctx.divisor = logits.dtype.type(target.shape[0])
            ctx.rows = xp.arange(target.shape[0])
            per_sample = xp.log(totals[:, 0]) - shifted[ctx.rows, target]
            return reduce_loss(per_sample, reduction, ctx.divisor)
        coefficients = _targets_to_coefficients(ctx, "cross_entropy", logits, target, weight,
                                                ignore_index, label_smoothing)
        log_probabilities = shifted - xp.log(totals)
        per_sample = -(coefficients * log_probabilities).sum(axis=1)
        return reduce_loss(per_sample, reduction, ctx.divisor)

    @staticmethod
    def backward(ctx: CrossEntropy, grad: Array) -> tuple[Grad, None, None, None, None, None]:
        logits = ctx.inputs[0]
        reduction = ctx.inputs[5]
        factor = expand_reduced(grad, reduction, ctx.divisor)
        if not _dual.is_tensor(grad) and ctx.coefficients is None:  # one-hot: ŷ − y
            target = _dual.constant(ctx.inputs[1])
            scores_grad = ctx.probabilities * factor
            scores_grad[ctx.rows, target] -= factor[:, 0]  # (n,) or (1,), broadcast
            return scores_grad, None, None, None, None, None
        coefficients = _coefficients_of(ctx)
        mass = coefficients.sum(axis=1, keepdims=True)
        if _dual.is_tensor(grad):  # recorded: the softmax must be a gate of the logits
            probabilities = logits.softmax(1)
        else:
            probabilities = ctx.probabilities
        return (probabilities * mass - coefficients) * factor, None, None, None, None, None


class WeightedLogLikelihood(Gate):
    """L = −Σ_c A_nc · x_nc on log-probabilities x (PyTorch's NLLLoss);  ∂L/∂x = −A.
    Called as `WeightedLogLikelihood.apply(log_probabilities, target, weight, ignore_index,
    reduction)`."""

    __slots__ = ("coefficients", "divisor")
    coefficients: Array
    divisor: Any
    label = "nll_loss"

    @staticmethod
    def forward(ctx: WeightedLogLikelihood, log_probabilities: Array, target: Array,
                weight: Array | None, ignore_index: int, reduction: str) -> Array:
        coefficients = _targets_to_coefficients(ctx, "nll_loss", log_probabilities, target,
                                                weight, ignore_index, 0.0)
        per_sample = -(coefficients * log_probabilities).sum(axis=1)
        return reduce_loss(per_sample, reduction, ctx.divisor)

    @staticmethod
    def backward(ctx: WeightedLogLikelihood, grad: Array) -> tuple[Grad, None, None, None, None]:
        factor = expand_reduced(grad, ctx.inputs[4], ctx.divisor)
        return factor * -ctx.coefficients, None, None, None, None


def _per_element_factor(grad: Array, reduction: str, count: int) -> Array:
    if reduction == "none":
        return grad
    return grad / count if reduction == "mean" else grad


def _reduce_elements(values: Array, reduction: str) -> Array:
    if reduction == "none":
        return values
    return values.sum() if reduction == "sum" else values.mean()


class MeanSquaredError(Gate):
    """L = (x − y)²;  ∂L/∂x = 2(x − y), ∂L/∂y = −2(x − y) (divided by N for the mean)."""

    __slots__ = ()
    label = "mse_loss"

    @staticmethod
    def forward(ctx: Gate, prediction: Array, target: Array, reduction: str) -> Array:
        difference = prediction - target
        ctx.save_for_backward(prediction, target)
        return _reduce_elements(difference * difference, reduction)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad, None]:
        prediction, target = ctx.saved_tensors
        reduction = ctx.inputs[2]
        scaled = (prediction - target) * (2 * _per_element_factor(grad, reduction,
                                                                   ctx.inputs[0].numel()))
        need_p, need_t, _ = ctx.needs_input_grad
        return scaled if need_p else None, -scaled if need_t else None, None


_LOG_FLOOR = -100.0  # PyTorch clamps BCE's logarithms here, so p = 0 or 1 stays finite


class BinaryCrossEntropy(Gate):
    """L = −w[t log p + (1 − t) log(1 − p)] (logs floored at −100, as PyTorch);
    ∂L/∂p = w(p − t)/(p(1 − p)),  ∂L/∂t = w(log(1 − p) − log p)."""

    __slots__ = ()
    label = "binary_cross_entropy"

    @staticmethod
    def forward(ctx: Gate, p: Array, t: Array, weight: Array | None, reduction: str) -> Array:
        xp = array_module(p)
        # Value checks, so in the forward; written so that NaN fails them too, as in PyTorch.
        if not bool(((p >= 0) & (p <= 1)).all()):
            raise ValueError("binary_cross_entropy: all elements of the input must be "
                             "probabilities in [0, 1] (not NaN); for scores (logits) use "
                             "binary_cross_entropy_with_logits")
        if not bool(((t >= 0) & (t <= 1)).all()):
            raise ValueError("binary_cross_entropy: all elements of the target must lie in "
                             "[0, 1] (not NaN)")
        with xp.errstate(divide="ignore"):
            log_p = xp.maximum(xp.log(p), _LOG_FLOOR)
            log_not_p = xp.maximum(xp.log(1 - p), _LOG_FLOOR)
        values = -(t * log_p + (1 - t) * log_not_p)
        if weight is not None:
            values = values * weight
        ctx.save_for_backward(p, t)
        return _reduce_elements(values, reduction)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad, None, None]:
        p, t = ctx.saved_tensors
        _, _, weight, reduction = ctx.inputs
        factor = _per_element_factor(grad, reduction, ctx.inputs[0].numel())
        if weight is not None:
            factor = factor * weight
        need_p, need_t, _, _ = ctx.needs_input_grad
        grad_p = grad_t = None
        if need_p:
            # PyTorch keeps the denominator away from 0 with eps = 1e-12.
            denominator = _dual.where(_dual.constant(p * (1 - p)) < 1e-12, 1e-12, p * (1 - p))
            grad_p = factor * (p - t) / denominator
        if need_t:
            if _dual.is_tensor(p):  # recorded, so that ∂L/∂t can be differentiated in p
                log_ratio = (1 - p).log().clamp(min=_LOG_FLOOR) - p.log().clamp(min=_LOG_FLOOR)
            else:
                xp = array_module(p)
                with xp.errstate(divide="ignore"):
                    log_ratio = xp.maximum(xp.log(1 - p), _LOG_FLOOR) - xp.maximum(
                        xp.log(p), _LOG_FLOOR)
            grad_t = factor * log_ratio
        return grad_p, grad_t, None, None


class BinaryCrossEntropyWithLogits(Gate):
    """L = −w[pw·t log σ(x) + (1 − t) log(1 − σ(x))], with log σ(x) = −softplus(−x) so that
    x = ±100 stays finite;  ∂L/∂x = w[(1 − t)σ(x) − pw·t(1 − σ(x))]."""

    __slots__ = ()
    label = "binary_cross_entropy_with_logits"

    @staticmethod
    def forward(ctx: Gate, x: Array, t: Array, weight: Array | None, pos_weight: Array | None,
                reduction: str) -> Array:
        xp = array_module(x)
        softplus_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-abs(x)))  # −log σ(x)
        softplus_pos = softplus_neg + x                               # −log(1 − σ(x))
        pw = 1 if pos_weight is None else pos_weight
        values = pw * t * softplus_neg + (1 - t) * softplus_pos
        if weight is not None:
            values = values * weight
        ctx.save_for_backward(x, t)
        return _reduce_elements(values, reduction)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad, None, None, None]:
        x, t = ctx.saved_tensors
        _, _, weight, pos_weight, reduction = ctx.inputs
        factor = _per_element_factor(grad, reduction, ctx.inputs[0].numel())
        if weight is not None:
            factor = factor * weight
        pw = 1 if pos_weight is None else _dual.constant(pos_weight)
        sigma = x.sigmoid() if _dual.is_tensor(x) else _stable_sigmoid(x)
        need_x, need_t = ctx.needs_input_grad[:2]
        grad_x = factor * ((1 - t) * sigma - pw * t * (1 - sigma)) if need_x else None
        grad_t = None
        if need_t:  # ∂L/∂t = pw·softplus(−x) − softplus(x), with softplus(x) = softplus(−x) + x
            if _dual.is_tensor(x):
                from .activation import Softplus

                softplus_neg = Softplus.apply(-x, 1.0, float("inf"))
            else:
                xp = array_module(x)
                softplus_neg = xp.maximum(-x, 0) + xp.log1p(xp.exp(-abs(x)))
            grad_t = factor * (pw * softplus_neg - (softplus_neg + x))
        return grad_x, grad_t, None, None, None


def _stable_sigmoid(x: Array) -> Array:
    from .elementwise import stable_sigmoid

    return stable_sigmoid(x)


class MultiMargin(Gate):
    """The multiclass SVM hinge of CS231n: L_n = Σ_{i≠y} w_y·max(0, m − x_y + x_i)^p / C;
    where a margin is violated, ∂L/∂x_i = w_y·p·z^(p−1)/C and ∂L/∂x_y gets minus their sum."""

    __slots__ = ("active",)
    active: Array
    label = "multi_margin_loss"

    @staticmethod
    def forward(ctx: MultiMargin, scores: Array, target: Array, power: int, margin: float,
                weight: Array | None, reduction: str) -> Array:
        xp = array_module(scores)
        rows = xp.arange(scores.shape[0])
        correct = scores[rows, target][:, None]
        z = margin - correct + scores
        z[rows, target] = 0
        active = z > 0
        ctx.active = active
        hinge = xp.where(active, z, 0)
        values = hinge if power == 1 else hinge * hinge
        per_sample = values.sum(axis=1) / scores.shape[1]
        if weight is not None:
            per_sample = per_sample * weight[target]
        ctx.save_for_backward(scores)
        return _reduce_elements(per_sample, reduction)

    @staticmethod
    def backward(ctx: MultiMargin, grad: Array) -> tuple[Grad, None, None, None, None, None]:
        (scores,) = ctx.saved_tensors
        _, target, power, margin, weight, reduction = ctx.inputs
        raw_target = _dual.constant(target)
        xp = array_module(raw_target)
        classes = scores.shape[1]
        rows = xp.arange(scores.shape[0])
        if power == 1:
            slopes = ctx.active.astype(_dual.constant(scores).dtype)
        else:
            correct = scores[rows, raw_target].reshape((-1, 1))
            slopes = 2 * (margin - correct + scores) * ctx.active
        onehot = xp.zeros(ctx.active.shape, dtype=bool)
        onehot[rows, raw_target] = True
        slopes = _dual.where(onehot, 0, slopes)
        correct_slope = -_dual.sum_keepdims(slopes, 1)
        local = _dual.where(onehot, correct_slope, slopes) / classes
        factor = grad.reshape((-1, 1)) if reduction == "none" else (
            grad / scores.shape[0] if reduction == "mean" else grad)
        if weight is not None:
            factor = factor * _dual.constant(weight)[raw_target].reshape((-1, 1))
        return local * factor, None, None, None, None, None
