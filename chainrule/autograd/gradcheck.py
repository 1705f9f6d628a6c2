"""Gradient checking: analytic gradients against central differences, in float64.

For every input element x_j the numerical column of the Jacobian is
(f(x + ε e_j) − f(x − ε e_j)) / 2ε; the analytic rows come from one backward pass per output
element. The two must agree within `atol + rtol·|numerical|` everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor
from .grad import grad as autograd_grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError", "numerical_jacobian",
           "analytical_jacobian"]


class GradcheckError(RuntimeError):
    """Analytic and numerical gradients disagree; the message names where and by how much."""


def _outputs_of(fn: Callable[..., Any], inputs: Sequence[Any]) -> tuple[Tensor, ...]:
    result = fn(*inputs)
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def numerical_jacobian(fn: Callable[..., Any], inputs: Sequence[Any], eps: float = 1e-6
                       ) -> list[list[np.ndarray]]:
    """J[i][k]: (output k size × input i size) by central differences."""
    # Evaluated with grad mode as the caller has it: `fn` may itself take gradients
    # (gradgradcheck); the leaves' arrays are perturbed directly, outside any graph.
    base = _outputs_of(fn, inputs)
    jacobians: list[list[np.ndarray]] = []
    for tensor in inputs:
        if not (isinstance(tensor, Tensor) and tensor.requires_grad):
            jacobians.append([])
            continue
        array = tensor._array
        columns = [np.zeros((out.numel(), array.size)) for out in base]
        flat = array.reshape(-1)
        for j in range(array.size):
            original = flat[j].item()
            # Outputs are copied at once: a view (expand, reshape) shares the input's memory.
            flat[j] = original + eps
            plus = [o._array.astype(np.float64) for o in _outputs_of(fn, inputs)]
            flat[j] = original - eps
            minus = [o._array.astype(np.float64) for o in _outputs_of(fn, inputs)]
            flat[j] = original
            for k, (p, m) in enumerate(zip(plus, minus)):
                columns[k][:, j] = ((p - m) / (2 * eps)).reshape(-1)
        jacobians.append(columns)
    return jacobians


def analytical_jacobian(fn: Callable[..., Any], inputs: Sequence[Any]
                        ) -> list[list[np.ndarray]]:
    """The same Jacobians from backward passes, one per output element."""
    outputs = _outputs_of(fn, inputs)
    wanted = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    jacobians = [[np.zeros((out.numel(), t.numel())) for out in outputs] if
                 isinstance(t, Tensor) and t.requires_grad else [] for t in inputs]
    for k, out in enumerate(outputs):
        if not out.requires_grad:
            continue
        for row in range(out.numel()):
            seed = np.zeros(out.shape, dtype=out._array.dtype)
            seed.reshape(-1)[row] = 1
            grads = autograd_grad(out, wanted, grad_outputs=Tensor._make(seed, None),
                                  retain_graph=True, allow_unused=True)
            position = 0
            for i, tensor in enumerate(inputs):
                if isinstance(tensor, Tensor) and tensor.requires_grad:
                    g = grads[position]
                    position += 1
                    if g is not None:
                        jacobians[i][k][row] = g._array.reshape(-1)
    return jacobians


def gradcheck(fn: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """True if `fn`'s analytic gradients match central differences at `inputs`.

    Inputs that require grad must be float64 (float32 differences are too coarse to check
    anything). On a mismatch it raises `GradcheckError` naming the input, the element, the
    output and both values (or returns False with `raise_exception=False`).

    >>> import chainrule as cr
    >>> x = cr.randn(3, dtype=cr.float64, requires_grad=True)
    >>> cr.autograd.gradcheck(lambda t: (t.sigmoid() * t).sum(), (x,))
    True
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    for position, tensor in enumerate(inputs):
        if isinstance(tensor, Tensor) and tensor.requires_grad and \
                tensor._array.dtype != np.float64:
            raise ValueError(f"gradcheck: input {position} is {tensor.dtype}; gradcheck needs "
                             "float64 inputs (use .double())")
    if not any(isinstance(t, Tensor) and t.requires_grad for t in inputs):
        raise ValueError("gradcheck: no input requires grad, so there is nothing to check")
    numerical = numerical_jacobian(fn, inputs, eps)
    analytical = analytical_jacobian(fn, inputs)
    for i, (num_list, ana_list) in enumerate(zip(numerical, analytical)):
        for k, (num, ana) in enumerate(zip(num_list, ana_list)):
            error = np.abs(num - ana) - (atol + rtol * np.abs(num))
            if error.size and error.max() > 0:
                row, column = np.unravel_index(int(np.argmax(error)), error.shape)
                element = np.unravel_index(column, inputs[i].shape) if inputs[i].ndim else ()
                message = (f"gradcheck: Jacobian mismatch for output {k} (element {row}) with "
                           f"respect to input {i}, element {tuple(int(e) for e in element)}: "
                           f"numerical {num[row, column]:.10g}, analytical "
                           f"{ana[row, column]:.10g} (atol={atol}, rtol={rtol})")
                if raise_exception:
                    raise GradcheckError(message)
                return False
    return True


def gradgradcheck(func: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, seed: int = 0) -> bool:
    """True if the gradients of `func`'s backward pass match central differences, as
    PyTorch's `gradgradcheck`: the function checked is

        (inputs, v) ↦ ∂(Σ func(inputs)·v)/∂inputs = vᵀJ,

    with `create_graph=True`, against every input that requires grad *and* against the
    upstream gradients v. The derivative in v is J itself, computed through the recorded
    backward rules, so a rule's own backward (the adjoint of a linear gate, whose second
    derivative in the inputs is 0) is checked too, not only the curvature.

    `grad_outputs` are the v (one per output of `func`); by default they are drawn at random
    (standard normal, float64, `seed`) and require grad. Given ones are used as they are, and
    are differentiated in only where they require grad.

    >>> import chainrule as cr
    >>> x = cr.randn(3, dtype=cr.float64, requires_grad=True)
    >>> cr.autograd.gradgradcheck(lambda t: (t.sigmoid() * t).sum(), (x,))
    True
    """
    inputs = tuple(inputs) if isinstance(inputs, (tuple, list)) else (inputs,)
    outputs = [o for o in _outputs_of(func, inputs) if o.requires_grad]
    if grad_outputs is None:
        probe = np.random.default_rng(seed)
        upstream = tuple(Tensor._make(probe.standard_normal(o.shape), None).requires_grad_()
                         for o in outputs)
    else:
        upstream = tuple(grad_outputs) if isinstance(grad_outputs, (tuple, list)) \
            else (grad_outputs,)
        if len(upstream) != len(outputs):
            raise ValueError(f"gradgradcheck: {len(upstream)} grad_outputs for "
                             f"{len(outputs)} differentiable outputs")
    count = len(inputs)

    def backward_of(*values: Any) -> tuple[Tensor, ...]:
        outs = [o for o in _outputs_of(func, values[:count]) if o.requires_grad]
        wanted = [v for v in values[:count] if isinstance(v, Tensor) and v.requires_grad]
        grads = autograd_grad(outs, wanted, grad_outputs=list(values[count:]),
                              create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(backward_of, inputs + upstream, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


