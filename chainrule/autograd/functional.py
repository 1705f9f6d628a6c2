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


def _tensors(value: Any, what: str, op: str) -> tuple[Any, ...]:
    """`value` as a tuple of tensors; PyTorch's TypeError, naming the culprit, otherwise."""
    is_tuple = isinstance(value, (tuple, list))
    items = tuple(value) if is_tuple else (value,)
    for index, item in enumerate(items):
        if not isinstance(item, Tensor):
            culprit = f"the value at index {index}" if is_tuple else f"the given {what}"
            raise TypeError(f"The {what} given to {op} must be either a Tensor or a tuple of "
                            f"Tensors but {culprit} has type {type(item)}.")
    return items


def _outputs(raw: Any, op: str) -> tuple[Tensor, ...]:
    return _tensors(raw, "outputs of the user-provided function", op)


def _vectors(v: Any, like: tuple[Tensor, ...], like_is_tuple: bool, op: str,
             of: str) -> tuple[Any, ...]:
    """The vectors `v` checked against the tensors they pair with (`of`: "input" or
    "output"), as PyTorch checks them; None stands for 1 where `like` is one element."""
    if v is None:
        if like_is_tuple or like[0].numel() != 1:
            raise RuntimeError(f"The vector v can only be None if the {of} to the "
                               "user-provided function is a single Tensor with a single "
                               "element." if of == "input" else
                               "The vector v can only be None if the user-provided function "
                               "returns a single Tensor with a single element.")
        return (None,)
    vectors = _tensors(v, "v", op)
    if len(vectors) != len(like):
        raise RuntimeError(f"{op}: v is a tuple of invalid length: should be {len(like)} but "
                           f"got {len(vectors)}." if like_is_tuple else
                           f"{op}: The given v should contain a single Tensor.")
    for index, (vector, tensor) in enumerate(zip(vectors, like)):
        if vector.shape != tensor.shape:
            entry = f"Entry {index} in " if like_is_tuple else ""
            raise RuntimeError(f"{op}: {entry}v has invalid size: should be "
                               f"{tuple(tensor.shape)} but got {tuple(vector.shape)} (the "
                               f"{of}'s shape).")
    return vectors


def _fresh_leaves(inputs: Sequence[Tensor], keep_graph: bool, op: str = "functional"
                  ) -> tuple[Tensor, ...]:
    """Inputs as leaves to differentiate against (kept as they are when building a graph
    through them, so that results stay differentiable with respect to the caller's leaves)."""
    leaves = []
    for position, tensor in enumerate(_tensors(tuple(inputs), "inputs", op)):
        if not tensor.is_floating_point():
            raise RuntimeError(f"{op}: input {position} is {tensor.dtype}; only Tensors of "
                               "floating point dtype can require gradients")
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
    """(func(inputs), vᵀ·J): the vector-Jacobian product at `inputs`. `v` may be None only
    where func returns one tensor of one element."""
    single_in = not isinstance(inputs, (tuple, list))
    leaves = _fresh_leaves(_tensors(inputs, "inputs", "vjp"), create_graph, "vjp")
    with enable_grad():
        raw = func(*leaves)
    single_out = not isinstance(raw, (tuple, list))
    outputs = _outputs(raw, "vjp")
    cotangents = _vectors(v, outputs, not single_out, "vjp", "output")
    used, positions = _differentiable(outputs)
    if used:
        grads = autograd_grad(used, leaves, [cotangents[p] for p in positions],
                              create_graph=create_graph, allow_unused=True)
    else:
        grads = (None,) * len(leaves)
    if strict and any(g is None for g in grads):
        raise RuntimeError("vjp: the output of the user-provided function is independent of "
                           "an input (strict=True)")
    return (_finish(outputs, create_graph, single_out),
            _finish(_zeros_for_none(grads, leaves), create_graph, single_in))


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), J·v): the Jacobian-vector product, as the VJP of a VJP (the VJP
    u ↦ uᵀJ is linear in u, so the gradient of uᵀJv with respect to u is Jv). `v` may be
    None only where the input is one tensor of one element."""
    single_in = not isinstance(inputs, (tuple, list))
    leaves = _fresh_leaves(_tensors(inputs, "inputs", "jvp"), True, "jvp")
    tangents = _vectors(v, leaves, not single_in, "jvp", "input")
    if tangents == (None,):
        tangents = (_ones_like(leaves[0]),)
    with enable_grad():
        raw = func(*leaves)
        single_out = not isinstance(raw, (tuple, list))
        outputs = _outputs(raw, "jvp")
        dummies = tuple(_zeros_like(o).requires_grad_(True) for o in outputs)
        used, positions = _differentiable(outputs)
        results: tuple[Tensor, ...] = tuple(_zeros_like(o) for o in outputs)
        if used:
            vjps = autograd_grad(used, leaves, [dummies[p] for p in positions],
                                 create_graph=True, allow_unused=True)
            if strict and any(g is None for g in vjps):
                raise RuntimeError("jvp: the output of the user-provided function is "
                                   "independent of an input (strict=True)")
            pairs = [(g, t) for g, t in zip(vjps, tangents) if g is not None and g.requires_grad]
            if pairs:
                results = _zeros_for_none(
                    autograd_grad([g for g, _ in pairs], dummies, [t for _, t in pairs],
                                  create_graph=create_graph, allow_unused=True), outputs)
        elif strict:
            raise RuntimeError("jvp: the output of the user-provided function is independent "
                               "of the inputs (strict=True)")
    return (_finish(outputs, create_graph, single_out),
            _finish(results, create_graph, single_out))


def _ones_like(tensor: Tensor) -> Tensor:
    from ..backends import array_module

    return Tensor._make(array_module(tensor._array).ones(tensor.shape, tensor._array.dtype),
                        None)


def _check_strategy(op: str, strategy: str, strict: bool, vectorize: bool) -> None:
    """PyTorch's rules for `strategy`/`vectorize`/`strict`. Both strategies give the same
    numbers here: every Jacobian is built from reverse-mode products."""
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or '  # as torch
                             f'"reverse-mode", got {strategy!r}.')
    if strict and vectorize:
        raise RuntimeError(f"{op}: `strict=True` and `vectorized=True` are not supported "
                           "together. Please either set `strict=False` or `vectorize=False`.")
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError(f"{op}: computing the Jacobian with forward-mode is only "
                                  "implemented for `vectorize=True`.")


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
             strict: bool = False, vectorize: bool = False,
             strategy: str = "reverse-mode") -> Any:
    """∂func/∂inputs at `inputs`: a tensor of shape output.shape + input.shape (tuples of
    them for several inputs or outputs), one backward pass per output element. `vectorize`
    and `strategy` are checked as PyTorch checks them and give the same result."""
    _check_strategy("jacobian", strategy, strict, vectorize)
    single_in = not isinstance(inputs, (tuple, list))
    leaves = _fresh_leaves(_tensors(inputs, "inputs", "jacobian"), create_graph, "jacobian")
    with enable_grad():
        raw = func(*leaves)
    single_out = not isinstance(raw, (tuple, list))
    outputs = _outputs(raw, "jacobian")
    table = [_jacobian_rows(output, leaves, create_graph, strict) for output in outputs]
    if single_out and single_in:
        return table[0][0]
    if single_in:
        return tuple(row[0] for row in table)
    if strategy == "forward-mode":  # PyTorch's forward mode answers a tuple of inputs in lists
        return list(table[0]) if single_out else [list(row) for row in table]
    return table[0] if single_out else tuple(table)


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


def _scalar_output(output: Any, op: str) -> Tensor:
    (tensor,) = _outputs(output, op) if not isinstance(output, (tuple, list)) else (None,)
    if tensor is None or tensor.numel() != 1:
        raise RuntimeError(f"The function given to {op} should return a single Tensor "
                           "with a single element (a scalar), got "
                           f"{getattr(tensor, 'shape', type(output).__name__)}")
    return tensor


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False,
            strict: bool = False, vectorize: bool = False,
            outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The matrix of second derivatives of a scalar `func` at `inputs` (for several inputs,
    a tuple of tuples: block [i][j] is ∂²f/∂inputᵢ∂inputⱼ)."""
    _check_strategy("hessian", outer_jacobian_strategy, strict, vectorize)
    single_in = not isinstance(inputs, (tuple, list))

    def gradient(*values: Tensor) -> Any:
        output = _scalar_output(func(*values), "hessian")
        grads = autograd_grad(output, values, create_graph=True, allow_unused=True)
        if strict and any(g is None for g in grads):
            raise RuntimeError("hessian: the output is independent of an input "
                               "(strict=True)")
        grads = _zeros_for_none(grads, values)
        return grads[0] if single_in else grads

    return jacobian(gradient, inputs, create_graph=create_graph, strict=strict)


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), H·v): the gradient of ∇f·v, without forming H. `v` may be None only
    where the input is one tensor of one element."""
    single_in = not isinstance(inputs, (tuple, list))
    leaves = _fresh_leaves(_tensors(inputs, "inputs", "hvp"), create_graph, "hvp")
    vectors = _vectors(v, leaves, not single_in, "hvp", "input")
    if vectors == (None,):
        vectors = (_ones_like(leaves[0]),)
    with enable_grad():
        output = _scalar_output(func(*leaves), "hvp")
        raw_grads = autograd_grad(output, leaves, create_graph=True, allow_unused=True)
        if strict and any(g is None for g in raw_grads):
            raise RuntimeError("hvp: the output is independent of an input (strict=True)")
        grads = _zeros_for_none(raw_grads, leaves)
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


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """(func(inputs), vᵀ·H); the Hessian is symmetric, so this equals H·v."""
    return hvp(func, inputs, v, create_graph=create_graph, strict=strict)
