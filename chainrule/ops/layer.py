"""Fused layer gates: the affine map, embedding lookup and dropout.

Each is one gate where a chain of smaller gates would do the same sums: fewer nodes, fewer
temporaries, and the closed-form rules of the notes (the affine layer's ∇W = δ xᵀ).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._typing import Array, Grad, Shape
from ..backends import array_module
from ..engine.gate import Gate
from ..engine.sparse import SparseRows
from . import _dual
from .errors import DtypeError, ShapeError

__all__ = ["Linear", "Embedding", "Dropout", "scatter_rows", "renorm_rows"]


class Linear(Gate):
    """y = x·Wᵀ + b for x of shape (…, in), W of shape (out, in);
    ∂L/∂x = δ·W,  ∂L/∂W = δᵀ·x (summed over all leading dims),  ∂L/∂b = Σ δ."""

    __slots__ = ()
    label = "linear"

    @staticmethod
    def forward(ctx: Gate, x: Array, weight: Array, bias: Array | None) -> Array:
        if x.shape[-1:] != weight.shape[-1:]:
            raise ShapeError(f"linear: input of shape {tuple(x.shape)} has {x.shape[-1:]} "
                             f"features, but the weight of shape {tuple(weight.shape)} expects "
                             f"{weight.shape[-1]}")
        if x.dtype != weight.dtype:
            raise DtypeError(f"linear: input is {x.dtype} but the weight is {weight.dtype}; "
                            "convert one (e.g. model.double() or x.float())")
        ctx.save_for_backward(x, weight)
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad, Grad]:
        x, weight = ctx.saved_tensors
        need_x, need_w, need_b = ctx.needs_input_grad
        grad_x = grad @ weight if need_x else None
        grad_w = grad_b = None
        if need_w or need_b:
            rows = grad.reshape((-1, grad.shape[-1])) if grad.ndim != 2 else grad
            if need_w:
                inputs = x.reshape((-1, x.shape[-1])) if x.ndim != 2 else x
                grad_w = _dual.swap_last_axes(rows) @ inputs
            if need_b:
                grad_b = rows.sum(0)
        return grad_x, grad_w, grad_b


def scatter_rows(row_ids: Array, rows: Array, table_rows: int, out: Array | None = None
                 ) -> tuple[Array, Array]:
    """A (table_rows, …) array with `rows[i]` added into row `row_ids[i]`, repeats summed,
    and the sorted distinct ids it wrote. `out`, if given, must be all zeros.

    Sorting the ids and summing each run with `add.reduceat` is about 3× faster than
    `add.at` for an embedding's backward, where a batch repeats frequent words many times.
    """
    xp = array_module(rows)
    flat_ids = row_ids.reshape(-1)
    flat_rows = rows.reshape((flat_ids.shape[0],) + tuple(rows.shape[row_ids.ndim:]))
    if out is None:
        out = xp.zeros((table_rows,) + tuple(flat_rows.shape[1:]), dtype=rows.dtype)
    if flat_ids.shape[0] == 0:
        return out, flat_ids
    order = xp.argsort(flat_ids, kind="stable")
    sorted_ids = flat_ids[order]
    starts = xp.flatnonzero(xp.concatenate([xp.ones(1, dtype=bool),
                                            sorted_ids[1:] != sorted_ids[:-1]]))
    touched = sorted_ids[starts]
    out[touched] = xp.add.reduceat(flat_rows[order], starts, axis=0)
    return out, touched


class Embedding(Gate):
    """y = W[ids] (a row lookup);  ∂L/∂W adds each upstream row into the row it came from,
    summing repeated ids (the word vectors of the notes, trained by backpropagation).

    With `sparse`, the rule returns the gradient as `SparseRows` (the touched rows only, as
    PyTorch's sparse gradients), so SGD and Adagrad update only those rows: the same result
    as the dense update (every other row's gradient is 0), at a cost that follows the batch,
    not the table. Without it (PyTorch's default, a dense gradient) a leaf table gets the
    same rows marked `reads_dense`: `.grad` shows them as the dense tensor, and optimisers
    update only the touched rows where that is exactly the dense update. A table made by
    other gates gets a dense array, as its gates expect."""

    __slots__ = ()
    label = "embedding"

    @staticmethod
    def forward(ctx: Gate, ids: Array, weight: Array, padding_idx: int | None,
                sparse: bool, scale_grad_by_freq: bool) -> Array:
        ctx.save_for_backward(ids)  # read in backward: a change to the ids must be seen
        # take(…, axis=0) gathers rows about twice as fast as weight[ids].
        return array_module(weight).take(weight, ids, axis=0)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[None, Grad | SparseRows, None, None, None]:
        ids, weight, padding_idx, sparse, scale_grad_by_freq = ctx.inputs
        raw_ids = _dual.constant(ids)
        if scale_grad_by_freq:  # each lookup's row divided by how often its id occurs
            inverse = _inverse_frequencies(raw_ids, _dual.constant(grad).dtype)
            # A heuristic, not a derivative: PyTorch differentiates this rule as the plain
            # lookup (no 1/count), so under create_graph the scaling is an unrecorded term.
            grad = grad + (grad * (inverse - 1)).detach() if _dual.is_tensor(grad) else \
                grad * inverse
        if _dual.is_tensor(grad):
            from .indexing import IndexAdd

            grad_w = IndexAdd.apply(grad, weight.shape, (raw_ids,))
            if padding_idx is not None:
                keep = array_module(raw_ids).ones((weight.shape[0], 1), dtype=bool)
                keep[padding_idx] = False
                grad_w = _dual.where(keep, grad_w, 0)
            return None, grad_w, None, None, None
        if sparse or weight.grad_fn is None:
            rows = _sparse_rows(raw_ids, grad, weight.shape, padding_idx)
            rows.reads_dense = not sparse
            return None, rows, None, None, None
        grad_w, _ = scatter_rows(raw_ids, grad, weight.shape[0])
        if padding_idx is not None:
            grad_w[padding_idx] = 0
        return None, grad_w, None, None, None


def _inverse_frequencies(ids: Array, dtype: Any) -> Array:
    """1 / (the number of times each id occurs in `ids`), shaped (*ids.shape, 1)."""
    xp = array_module(ids)
    _, inverse, counts = xp.unique(ids.reshape(-1), return_inverse=True, return_counts=True)
    return (1.0 / counts[inverse.reshape(-1)]).astype(dtype).reshape(tuple(ids.shape) + (1,))


def renorm_rows(weight: Array, ids: Array, max_norm: float, norm_type: float) -> None:
    """PyTorch's `embedding_renorm_`: each row of `weight` named in `ids` whose `norm_type`
    norm exceeds `max_norm` is scaled in place by max_norm / (norm + 1e-7). Not recorded: it
    changes the table before the lookup, as `Embedding(max_norm=…)` does in PyTorch."""
    xp = array_module(weight)
    rows = xp.unique(ids.reshape(-1))
    picked = xp.take(weight, rows, axis=0)
    magnitudes = xp.abs(picked)
    if norm_type == float("inf"):
        norms = magnitudes.max(axis=1)
    elif norm_type == 1:
        norms = magnitudes.sum(axis=1)
    elif norm_type == 2:
        norms = xp.sqrt((magnitudes * magnitudes).sum(axis=1))
    else:
        norms = (magnitudes ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    over = norms > max_norm
    if over.any():
        scale = (max_norm / (norms[over] + 1e-7)).astype(weight.dtype)
        weight[rows[over]] = picked[over] * scale[:, None]


def _sparse_rows(ids: Array, grad: Array, shape: Shape, padding_idx: int | None) -> SparseRows:
    """The table's gradient as the looked-up rows and their upstream rows, repeats not yet
    summed (PyTorch's sparse gradient is uncoalesced too): its shape follows the batch's,
    not the number of distinct ids, so a compiled backward replays for any batch. Whoever
    reads it (an optimiser's step, `to_dense`) coalesces it first."""
    flat_ids = ids.reshape(-1)
    rows = grad.reshape((flat_ids.shape[0],) + tuple(shape[1:]))
    if padding_idx is not None:
        keep = flat_ids != padding_idx
        flat_ids, rows = flat_ids[keep], rows[keep]
    else:  # its own arrays: the ids and the upstream may change after backward
        flat_ids, rows = flat_ids.copy(), rows.copy()
    return SparseRows(flat_ids, rows, shape)


class Dropout(Gate):
    """y = x·m/(1−p) with m ~ Bernoulli(1−p) drawn once;  ∂L/∂x = δ·m/(1−p).

    Called as `Dropout.apply(x, p, generator)` with a `chainrule.Generator`. The mask is
    drawn in the forward pass: the gate holds everything that varies from call to call."""

    __slots__ = ("scaled_mask",)
    scaled_mask: Array  # m/(1−p), drawn in the forward pass
    label = "dropout"

    @staticmethod
    def forward(ctx: Dropout, x: Array, p: float, generator: Any) -> Array:
        dtype = x.dtype
        if p == 1:
            keep = np.zeros(x.shape, dtype=dtype)
        else:
            draws = generator.numpy.random(x.shape, dtype=np.float32)
            keep = (draws >= p).astype(dtype) * dtype.type(1 / (1 - p))
        if not isinstance(x, np.ndarray):
            keep = array_module(x).asarray(keep)
        ctx.scaled_mask = keep
        return x * keep

    @staticmethod
    def backward(ctx: Dropout, grad: Array) -> tuple[Grad, None, None]:
        return grad * ctx.scaled_mask, None, None
