"""Function transforms in the manner of `torch.func`: each takes a function and returns one.

`grad(f)` is the function x ↦ ∇f(x); transforms compose (`grad(grad(f))`, `jacfwd(jacrev(f))`)
because every gradient they take is recorded (create_graph) whenever its input is itself
part of a graph.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .autograd import functional as _functional
from .autograd.grad import grad as _autograd_grad
from .engine.grad_mode import enable_grad
from .tensor import Tensor

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]


def _argnums_tuple(argnums: int | tuple[int, ...], count: int) -> tuple[int, ...]:
    numbers = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for number in numbers:
        if not -count <= number < count:
            raise ValueError(f"argnums {number} is out of range for a function called with "
                             f"{count} positional arguments")
    return tuple(n % count for n in numbers)


def _as_leaves(args: tuple[Any, ...], numbers: tuple[int, ...]) -> tuple[list[Any], bool]:
    """Arguments with the differentiated ones made to require grad; whether any already did
    (then the caller is itself being differentiated, and results must keep their graph)."""
    values = list(args)
    nested = False
    for n in numbers:
        value = values[n]
        if not isinstance(value, Tensor):
            raise TypeError(f"argument {n} is a {type(value).__name__}; only Tensor arguments "
                            "can be differentiated")
        if value.requires_grad:
            nested = True
        else:
            values[n] = value.detach().requires_grad_(True)
    return values, nested


def grad_and_value(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
                   has_aux: bool = False) -> Callable[..., Any]:
    """Like `grad`, but the new function returns (gradient, value)."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        numbers = _argnums_tuple(argnums, len(args))
        values, nested = _as_leaves(args, numbers)
        with enable_grad():
            result = func(*values, **kwargs)
        output, aux = (result if has_aux else (result, None))
        if not isinstance(output, Tensor) or output.numel() != 1:
            raise RuntimeError("grad: the function must return a tensor of one element, got "
                               f"{getattr(output, 'shape', type(output).__name__)}")
        targets = [values[n] for n in numbers]
        raw = _autograd_grad(output, targets, create_graph=True, allow_unused=True)
        grads = tuple(g if g is not None else t * 0 for g, t in zip(raw, targets))
        if not nested:
            grads = tuple(g.detach() for g in grads)
            output = output.detach()
        gradient = grads[0] if isinstance(argnums, int) else grads
        return ((gradient, (output, aux)) if has_aux else (gradient, output))

    return wrapper


def grad(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0,
         has_aux: bool = False) -> Callable[..., Any]:
    """The function that returns ∇func with respect to argument(s) `argnums`.

    >>> import chainrule as cr
    >>> d2 = cr.func.grad(cr.func.grad(lambda x: x ** 3))
    >>> d2(cr.tensor(2.0)).item()
    12.0
    """
    with_value = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        gradient, value = with_value(*args, **kwargs)
        return (gradient, value[1]) if has_aux else gradient

    return wrapper


def vjp(func: Callable[..., Any], *primals: Tensor) -> tuple[Any, Callable[..., Any]]:
    """(func(*primals), vjp_fn), where vjp_fn(cotangent) gives one vᵀJ per primal."""
    values, nested = _as_leaves(primals, tuple(range(len(primals))))
    with enable_grad():
        output = func(*values)

    def vjp_fn(*cotangents: Any) -> tuple[Tensor, ...]:
        outputs = output if isinstance(output, (tuple, list)) else (output,)
        raw = _autograd_grad(outputs, values, cotangents, retain_graph=True,
                             create_graph=True, allow_unused=True)
        grads = tuple(g if g is not None else v * 0 for g, v in zip(raw, values))
        return grads if nested else tuple(g.detach() for g in grads)

    shown = output if nested else (tuple(o.detach() for o in output)
                                   if isinstance(output, (tuple, list)) else output.detach())
    return shown, vjp_fn


def jvp(func: Callable[..., Any], primals: tuple[Tensor, ...], tangents: tuple[Tensor, ...]
        ) -> tuple[Any, Any]:
    """(func(*primals), J·tangents)."""
    nested = any(p.requires_grad for p in primals)
    output, product = _functional.jvp(func, tuple(primals), tuple(tangents), create_graph=nested)
    return output, product


def jacrev(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The function that returns the Jacobian of func, one reverse pass per output element."""

    def wrapper(*args: Any) -> Any:
        numbers = _argnums_tuple(argnums, len(args))
        nested = any(isinstance(args[n], Tensor) and args[n].requires_grad for n in numbers)

        def of_chosen(*chosen: Tensor) -> Any:
            full = list(args)
            for n, value in zip(numbers, chosen):
                full[n] = value
            return func(*full)

        chosen = tuple(args[n] for n in numbers)
        result = _functional.jacobian(of_chosen, chosen, create_graph=nested)
        return result[0] if isinstance(argnums, int) else result

    return wrapper


def jacfwd(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The function that returns the Jacobian of func, one Jacobian-vector product per input
    element (forward-mode columns, computed here as VJPs of VJPs)."""
    from .creation import stack

    def wrapper(*args: Any) -> Any:
        numbers = _argnums_tuple(argnums, len(args))
        nested = any(isinstance(args[n], Tensor) and args[n].requires_grad for n in numbers)
        columns_per_arg = []
        for n in numbers:
            primal = args[n]

            def of_one(value: Tensor, n: int = n) -> Any:
                full = list(args)
                full[n] = value
                return func(*full)

            columns = []
            flat_size = primal.numel()
            output = None
            for j in range(flat_size):
                tangent = Tensor._make(_unit(primal, j), None)
                output, column = _functional.jvp(of_one, primal, tangent, create_graph=nested)
                columns.append(column)
            if output is None:
                output = of_one(primal)
            jac = stack(columns, dim=-1).reshape(output.shape + primal.shape) if columns \
                else Tensor._make(_unit(primal, None).reshape(output.shape + primal.shape),
                                  None)
            columns_per_arg.append(jac)
        return columns_per_arg[0] if isinstance(argnums, int) else tuple(columns_per_arg)

    return wrapper


def _unit(like: Tensor, index: int | None) -> Any:
    from .backends import array_module

    array = array_module(like._array).zeros(like.shape, like._array.dtype)
    if index is not None:
        array.reshape(-1)[index] = 1
    return array


def hessian(func: Callable[..., Any], argnums: int | tuple[int, ...] = 0) -> Callable[..., Any]:
    """The function that returns the Hessian of a scalar func: jacfwd(jacrev(func))."""
    return jacfwd(jacrev(func, argnums), argnums)
