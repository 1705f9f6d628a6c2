"""Gradient clipping (PyTorch's `nn.utils.clip_grad`): scale every gradient by one factor so
that their joint norm is at most `max_norm`, or clamp each entry to ±`clip_value`.

Gradients are changed in place, as in PyTorch, and each change counts in the gradient's
version. Parameters without a gradient are skipped. A row-sparse gradient
(`Embedding(sparse=True)`) counts with its summed rows and is scaled or clamped there.
"""

from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from ...backends import array_module
from ...engine import version
from ...engine.sparse import SparseRows
from ...tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

#: Added to the total norm before dividing, so an all-zero gradient does not divide by zero.
_NORM_EPS = 1e-6


def _as_list(parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        return [parameters]
    is_generator = isinstance(parameters, types.GeneratorType)
    listed = list(parameters)
    if is_generator and not listed:
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                      stacklevel=3)
    return listed


def _values(gradient: Any) -> Any:
    """The array holding a gradient's entries (a sparse one's summed rows)."""
    if isinstance(gradient, SparseRows):
        merged = gradient.coalesce()
        gradient.rows, gradient.values, gradient.coalesced = merged.rows, merged.values, True
        return gradient.values
    return gradient._array


def _vector_norm(values: Any, norm_type: float) -> Any:
    """‖x‖_p of the flattened array, as torch.linalg.vector_norm: max |x| for p = ∞, min |x|
    for p = −∞, the count of non-zeros for p = 0, else (Σ|x|ᵖ)^(1/p)."""
    xp = array_module(values)
    magnitudes = xp.abs(values).reshape(-1)
    if norm_type == math.inf:
        return magnitudes.max() if magnitudes.size else magnitudes.dtype.type(0)
    if norm_type == -math.inf:
        return magnitudes.min() if magnitudes.size else magnitudes.dtype.type(math.inf)
    if norm_type == 0:
        return magnitudes.dtype.type((magnitudes != 0).sum())
    if norm_type == 1:
        return magnitudes.sum()
    if norm_type == 2:
        return xp.sqrt((magnitudes * magnitudes).sum())
    return (magnitudes ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors: Any, norm_type: float | str = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """The norm of the norms of `tensors` (one vector made of them all), as a 0-d tensor;
    0.0 when there are none.

    >>> import chainrule as cr
    >>> cr.nn.utils.get_total_norm([cr.tensor([3.0]), cr.tensor([4.0])]).item()
    5.0
    """
    items = [tensors] if isinstance(tensors, (Tensor, SparseRows)) else list(tensors)
    norm_type = float(norm_type)
    if not items:
        from ...creation import tensor

        return tensor(0.0)
    norms = [_vector_norm(_values(item), norm_type) for item in items]
    xp = array_module(norms[0])
    stacked = xp.stack([xp.asarray(norm) for norm in norms])
    total = xp.asarray(_vector_norm(stacked, norm_type))
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(f"The total norm of order {norm_type} for gradients from "
                           "`parameters` is non-finite, so it cannot be clipped. To disable "
                           "this error and scale the gradients by the non-finite norm anyway, "
                           "set `error_if_nonfinite=False`")
    return Tensor._make(total, None)


def clip_grads_with_norm_(parameters: Any, max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """Scales every gradient by min(1, max_norm / (total_norm + 1e-6)), in place."""
    listed = _as_list(parameters)
    grads = [param.grad for param in listed if param.grad is not None]
    if not grads:
        return
    norm = total_norm._array if isinstance(total_norm, Tensor) else total_norm
    xp = array_module(norm)
    coefficient = xp.minimum(float(max_norm) / (norm + _NORM_EPS), 1.0)
    for grad in grads:
        values = _values(grad)
        with np.errstate(invalid="ignore"):  # a non-finite norm gives NaNs, as in PyTorch
            values *= coefficient.astype(values.dtype)
        if isinstance(grad, Tensor):
            version.bump(grad)


def clip_grad_norm_(parameters: Iterable[Tensor] | Tensor, max_norm: float,
                    norm_type: float | str = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scales the gradients of `parameters` in place so that their joint `norm_type` norm
    is at most `max_norm`; returns that norm before clipping, as a 0-d tensor.

    g ← g · min(1, max_norm / (‖(g₁, …, gₙ)‖_p + 1e-6))

    >>> import chainrule as cr
    >>> w = cr.tensor([3.0, 4.0], requires_grad=True)
    >>> (w * w).sum().backward()               # w.grad = [6, 8], norm 10
    >>> cr.nn.utils.clip_grad_norm_([w], max_norm=1.0).item()
    10.0
    >>> [round(g, 4) for g in w.grad.tolist()]
    [0.6, 0.8]
    """
    listed = _as_list(parameters)
    grads = [param.grad for param in listed if param.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(listed, max_norm, total, foreach)
    return total


def clip_grad_value_(parameters: Iterable[Tensor] | Tensor, clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamps every gradient entry of `parameters` to [−clip_value, clip_value], in place.

    >>> import chainrule as cr
    >>> w = cr.tensor([3.0, -4.0], requires_grad=True)
    >>> (w * w).sum().backward()
    >>> cr.nn.utils.clip_grad_value_([w], 1.0); w.grad.tolist()
    [1.0, -1.0]
    """
    clip_value = float(clip_value)
    for param in _as_list(parameters):
        grad = param.grad
        if grad is None:
            continue
        values = _values(grad)
        xp = array_module(values)
        xp.clip(values, -clip_value, clip_value, out=values)
        if isinstance(grad, Tensor):
            version.bump(grad)
