"""`autograd.grad`: gradients of outputs with respect to chosen inputs, returned, not stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine.backward import run_backward
from ..engine.sparse import SparseRows
from ..tensor import Tensor, seed_gradient

__all__ = ["grad"]


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """The gradients of `outputs` with respect to `inputs` (one per input, in order).

    Nothing is accumulated into `.grad`. An input that no output depends on raises unless
    `allow_unused=True`, which gives None for it. With `create_graph=True` the result is
    itself differentiable, which is how second derivatives are taken.

    >>> import chainrule as cr
    >>> x = cr.tensor(3.0, requires_grad=True)
    >>> (dy,) = cr.autograd.grad(x ** 3, x, create_graph=True)
    >>> (d2y,) = cr.autograd.grad(dy, x)
    >>> dy.item(), d2y.item()
    (27.0, 18.0)
    """
    output_list = _as_tuple(outputs)
    input_list = _as_tuple(inputs)
    seeds = _as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(output_list)
    if len(seeds) != len(output_list):
        raise ValueError(f"grad: {len(output_list)} outputs but {len(seeds)} grad_outputs")
    for position, tensor in enumerate(input_list):
        if not isinstance(tensor, Tensor) or not tensor.requires_grad:
            raise RuntimeError(f"grad: input {position} does not require grad, so no gradient "
                               "can be taken with respect to it")
    used_outputs, used_seeds = [], []
    for position, (output, seed) in enumerate(zip(output_list, seeds)):
        if not isinstance(output, Tensor):
            raise TypeError(f"grad: output {position} is a {type(output).__name__}, expected a "
                            "Tensor")
        if not output.requires_grad:
            raise RuntimeError(f"grad: output {position} does not require grad: it does not "
                               "depend on any input that requires grad")
        used_outputs.append(output)
        used_seeds.append(seed_gradient("grad", output, seed, create_graph))
    results = run_backward(used_outputs, used_seeds,
                           retain_graph=create_graph if retain_graph is None else retain_graph,
                           create_graph=create_graph, capture=input_list)
    assert results is not None
    final: list[Any] = []  # Tensor or None (SparseRows for sparse=True, as .grad)
    for position, value in enumerate(results):
        if value is None:
            if not allow_unused:
                raise RuntimeError(f"grad: input {position} was not used to compute the "
                                   "outputs; pass allow_unused=True to get None for it")
            final.append(None)
        elif isinstance(value, Tensor):
            final.append(value)
        elif isinstance(value, SparseRows):  # an embedding's rows: dense unless sparse=True
            final.append(Tensor._make(value.to_dense(), None) if value.reads_dense else value)
        else:
            final.append(Tensor._make(value if value.base is None else value.copy(), None))
    return tuple(final)
