"""`autograd.functional`: Jacobians, Hessians and vector products of a function at a point.

All of them are built from vector-Jacobian products (reverse mode), the only primitive the
engine has: a Jacobian is one VJP per output element; a Jacobian-vector product is the VJP
of a VJP (the VJP u ↦ uᵀJ is linear in u, so differentiating uᵀJv with respect to u gives Jv);
a Hessian-vector product is the gradient of ∇f·v.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..engine.grad_mode import enable_grad
from ..tensor import Tensor
from .grad import grad as autograd_grad

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _fresh_leaves(inputs: Sequence[Tensor], keep_graph: bool) -> tuple[Tensor, ...]:
    """Inputs as leaves to differentiate against (kept as they are when building a graph
    through them, so that results stay differentiable with respect to the caller's leaves)."""
    leaves = []
    for position, tensor in enumerate(inputs):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"input {position} is a {type(tensor).__name__}, expected a Tensor")
        if not tensor.is_floating_point():
            raise TypeError(f"input {position} is {tensor.dtype}; differentiation needs "
                            "floating-point inputs")
        if keep_graph and tensor.requires_grad:
            leaves.append(tensor)
        else:
            leaves.append(tensor.detach().requires_grad_(True))
    return tuple(leaves)


def _zeros_for_none(grads: Sequence[Tensor | None], like: Sequence[Tensor]) -> tuple[Tensor, ...]:
    return tuple(g if g is not None else _zeros_like(t) for g, t in zip(grads, like))


def _zeros_like(tensor: Tensor) -> Tensor:
    from ..backends import array_module

    return Tensor._make(array_module(tensor._array).zeros(tensor.shape, tensor._array.dtype),
                        None)


def _finish(values: tuple[Any, ...], create_graph: bool, single: bool) -> Any:
    if not create_graph:
        values = tuple(v.detach() if isinstance(v, Tensor) else v for v in values)
    return values[0] if single else values


def _differentiable(outputs: tuple[Tensor, ...]) -> tuple[list[Tensor], list[int]]:
    kept = [(i, o) for i, o in enumerate(outputs) if o.requires_grad]
    return [o for _, o in kept], [i for i, _ in kept]


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), vᵀ·J): the vector-Jacobian product at `inputs`."""
    single_in = not isinstance(inputs, (tuple, list))
    leaves = _fresh_leaves(_tuple(inputs), create_graph)
    with enable_grad():
        raw = func(*leaves)
    single_out = not isinstance(raw, (tuple, list))
    outputs = _tuple(raw)
    cotangents = _tuple(v) if v is not None else (None,) * len(outputs)
    used, positions = _differentiable(outputs)
    if used:
        grads = autograd_grad(used, leaves, [cotangents[p] for p in positions],
                              create_graph=create_graph, allow_unused=True)
    else:
        grads = (None,) * len(leaves)
    if strict and any(g is None for g in grads):
        raise RuntimeError("vjp: an output does not depend on an input (strict=True)")
    return (_finish(outputs, create_graph, single_out),
            _finish(_zeros_for_none(grads, leaves), create_graph, single_in))


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J·v): the Jacobian-vector product, as the VJP of a VJP."""
    leaves = _fresh_leaves(_tuple(inputs), True)
    tangents = _tuple(v) if v is not None else tuple(_ones_like(t) for t in leaves)
    if len(tangents) != len(leaves):
        raise ValueError(f"jvp: {len(leaves)} inputs but {len(tangents)} tangents")
    for position, (tangent, leaf) in enumerate(zip(tangents, leaves)):
        if tangent.shape != leaf.shape:
            raise ValueError(f"jvp: tangent {position} has shape {tangent.shape}, but input "
                             f"{position} has shape {leaf.shape}")
    with enable_grad():
        raw = func(*leaves)
        single_out = not isinstance(raw, (tuple, list))
        outputs = _tuple(raw)
        dummies = tuple(_zeros_like(o).requires_grad_(True) for o in outputs)
        used, positions = _differentiable(outputs)
        if not used:
            results = tuple(_zeros_like(o) for o in outputs)
        else:
            vjps = autograd_grad(used, leaves, [dummies[p] for p in positions],
                                 create_graph=True, allow_unused=True)
            pairs = [(g, t) for g, t in zip(vjps, tangents) if g is not None and g.requires_grad]
            if not pairs:
                results = tuple(_zeros_like(o) for o in outputs)
            else:
                results = _zeros_for_none(
                    autograd_grad([g for g, _ in pairs], dummies, [t for _, t in pairs],
                                  create_graph=create_graph, allow_unused=True), outputs)
    return (_finish(outputs, create_graph, single_out),
            _finish(results, create_graph, single_out))


def _ones_like(tensor: Tensor) -> Tensor:
    from ..backends import array_module

    return Tensor._make(array_module(tensor._array).ones(tensor.shape, tensor._array.dtype),
                        None)


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False) -> Any:
    """∂func/∂inputs at `inputs`: a tensor of shape output.shape + input.shape (tuples of
    them for several inputs or outputs), one backward pass per output element."""
    single_in = not isinstance(inputs, (tuple, list))
    leaves = _fresh_leaves(_tuple(inputs), create_graph)
    with enable_grad():
        raw = func(*leaves)
    single_out = not isinstance(raw, (tuple, list))
    outputs = _tuple(raw)
    table = []
    for output in outputs:
        table.append(_jacobian_rows(output, leaves, create_graph, strict))
    if single_out and single_in:
        return table[0][0]
    if single_out:
        return table[0]
    if single_in:
        return tuple(row[0] for row in table)
    return tuple(table)


def _jacobian_rows(output: Tensor, leaves: tuple[Tensor, ...], create_graph: bool,
                   strict: bool) -> tuple[Tensor, ...]:
    from ..creation import stack

    if not output.requires_grad:
        if strict:
            raise RuntimeError("jacobian: the output does not depend on the inputs "
                               "(strict=True)")
        return tuple(_zeros_like_shape(output.shape + leaf.shape, leaf) for leaf in leaves)
    rows: list[list[Tensor]] = [[] for _ in leaves]
    flat = output.reshape(-1)
    for index in range(flat.shape[0]):
        grads = autograd_grad(flat[index], leaves, retain_graph=True,
                              create_graph=create_graph, allow_unused=True)
        if strict and any(g is None for g in grads):
            raise RuntimeError("jacobian: an output element does not depend on an input "
                               "(strict=True)")
        for position, g in enumerate(_zeros_for_none(grads, leaves)):
            rows[position].append(g)
    result = []
    for position, leaf in enumerate(leaves):
        if rows[position]:
            joined = stack(rows[position]).reshape(output.shape + leaf.shape)
        else:
            joined = _zeros_like_shape(output.shape + leaf.shape, leaf)
        result.append(joined if create_graph else joined.detach())
    return tuple(result)


def _zeros_like_shape(shape: tuple[int, ...], like: Tensor) -> Tensor:
    from ..backends import array_module

    return Tensor._make(array_module(like._array).zeros(shape, like._array.dtype), None)


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False) -> Any:
    """The matrix of second derivatives of a scalar `func` at `inputs`."""
    single_in = not isinstance(inputs, (tuple, list))

    def gradient(*values: Tensor) -> Any:
        output = func(*values)
        if not isinstance(output, Tensor) or output.numel() != 1:
            raise RuntimeError("hessian: func must return a tensor of one element")
        grads = autograd_grad(output, values, create_graph=True, allow_unused=True)
        grads = _zeros_for_none(grads, values)
        return grads[0] if single_in else grads

    return jacobian(gradient, inputs, create_graph=create_graph, strict=strict)


def hvp(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), H·v): the gradient of ∇f·v, without forming H."""
    single_in = not isinstance(inputs, (tuple, list))
    leaves = _fresh_leaves(_tuple(inputs), create_graph)
    vectors = _tuple(v)
    with enable_grad():
        output = func(*leaves)
        if not isinstance(output, Tensor) or output.numel() != 1:
            raise RuntimeError("hvp: func must return a tensor of one element")
        grads = _zeros_for_none(autograd_grad(output, leaves, create_graph=True,
                                              allow_unused=True), leaves)
        dot = None
        for g, vector in zip(grads, vectors):
            term = (g * vector).sum()
            dot = term if dot is None else dot + term
        if dot is None or not dot.requires_grad:
            products = tuple(_zeros_like(leaf) for leaf in leaves)
        else:
            products = _zeros_for_none(autograd_grad(dot, leaves, create_graph=create_graph,
                                                     allow_unused=True), leaves)
    return (_finish((output,), create_graph, True),
            _finish(products, create_graph, single_in))


def vhp(func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), vᵀ·H); the Hessian is symmetric, so this equals H·v."""
    return hvp(func, inputs, v, create_graph=create_graph, strict=strict)
