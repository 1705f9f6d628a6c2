"""The options of an embedding lookup around the lookup itself: `max_norm` (rows renormalised
in place before they are read, as PyTorch's `embedding_renorm_`) and `scale_grad_by_freq`
(each id's gradient divided by how often it occurs in the batch)."""

from __future__ import annotations

import numpy as np

from ..backends import array_module
from ..engine import version
from ..tensor import Tensor

__all__ = ["renorm_rows_", "scale_grad_by_frequency"]


def renorm_rows_(weight: Tensor, ids: Tensor, max_norm: float, norm_type: float) -> None:
    """Rows of `weight` that `ids` picks and whose `norm_type`-norm exceeds `max_norm` are
    scaled in place to norm max_norm (PyTorch divides by norm + 1e-7). Not recorded, as in
    PyTorch (it runs under no_grad); the weight's version moves, so a graph that saved the
    old rows refuses to go backward."""
    xp = array_module(weight._array)
    rows = xp.unique(ids._array.reshape(-1))
    if rows.size == 0:
        return
    picked = weight._array[rows]
    norms = xp.asarray(np.linalg.norm(np.asarray(picked, dtype=np.float64), ord=norm_type,
                                      axis=1))
    over = norms > max_norm
    if not bool(over.any()):
        return
    scale = (max_norm / (norms[over] + 1e-7)).astype(picked.dtype)
    weight._array[rows[over]] = picked[over] * scale[:, None]
    version.bump(weight)


def scale_grad_by_frequency(output: Tensor, ids: Tensor) -> Tensor:
    """The lookup's output, whose gradient is divided, for each position, by the number of
    times its id occurs in `ids`: PyTorch's `scale_grad_by_freq`. The value is untouched
    (the scaling is a tensor hook on the output)."""
    if not output.requires_grad:
        return output
    xp = array_module(ids._array)
    flat = ids._array.reshape(-1)
    _, inverse, counts = xp.unique(flat, return_inverse=True, return_counts=True)
    divisor = counts[inverse].reshape(ids.shape + (1,))

    def divide(gradient: Tensor) -> Tensor:
        return gradient / Tensor._make(divisor.astype(gradient._array.dtype), None)

    output.register_hook(divide)
    return output
