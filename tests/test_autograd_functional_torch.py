"""cr.autograd.functional against torch.autograd.functional: jacobian, hessian, vjp, jvp,
hvp and vhp on the same functions and points give the same values, structures (tensor or
tuple, nesting), shapes, dtypes and graph-ness (create_graph), and the same error types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

pytestmark = pytest.mark.filterwarnings(  # torch's forward mode warns about its own jit
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning")

RNG = np.random.default_rng(5)
A = RNG.normal(size=(3,))
B = RNG.normal(size=(2, 3))
C = RNG.normal(size=(3,))


def plain(value: Any) -> Any:
    if isinstance(value, (cr.Tensor, torch.Tensor)):
        return ("tensor", str(value.dtype).rpartition(".")[2], tuple(value.shape),
                value.requires_grad, np.round(value.detach().numpy(), 10).tolist())
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, [plain(v) for v in value])
    return value


def leaves(m: Any, *arrays: np.ndarray) -> tuple[Any, ...]:
    return tuple(m.tensor(a) for a in arrays)


# Functions written once, for either library (`m` is the module).
def cube_sum(m: Any) -> Callable[..., Any]:
    return lambda x: (x ** 3).sum()


def elementwise(m: Any) -> Callable[..., Any]:
    return lambda x: x.exp() * x


def matrix_vector(m: Any) -> Callable[..., Any]:
    return lambda w, x: (w @ x).tanh()


def two_outputs(m: Any) -> Callable[..., Any]:
    return lambda x, y: (x * y, (x - y).sum() ** 2)


def scalar_of_two(m: Any) -> Callable[..., Any]:
    return lambda x, y: (x * y.exp()).sum() + (x ** 2).sum()


def ignores_second(m: Any) -> Callable[..., Any]:
    return lambda x, y: (x ** 2).sum()


SCENARIOS: dict[str, Callable[[Any, Any], Any]] = {
    "jacobian-one": lambda m, fn: fn.jacobian(elementwise(m), leaves(m, A)[0]),
    "jacobian-two-in": lambda m, fn: fn.jacobian(matrix_vector(m), leaves(m, B, C)),
    "jacobian-two-out": lambda m, fn: fn.jacobian(two_outputs(m), leaves(m, A, C)),
    "jacobian-scalar": lambda m, fn: fn.jacobian(cube_sum(m), leaves(m, A)[0]),
    "jacobian-create-graph": lambda m, fn: fn.jacobian(elementwise(m), leaves(m, A)[0],
                                                     create_graph=True),
    "jacobian-vectorize": lambda m, fn: fn.jacobian(elementwise(m), leaves(m, A)[0],
                                                  vectorize=True),
    "jacobian-unused": lambda m, fn: fn.jacobian(ignores_second(m), leaves(m, A, C)),
    "jacobian-strategy": lambda m, fn: fn.jacobian(elementwise(m), leaves(m, A)[0],
                                                 strategy="reverse-mode"),
    "jacobian-forward-mode": lambda m, fn: fn.jacobian(two_outputs(m), leaves(m, A, C),
                                                     vectorize=True, strategy="forward-mode"),
    "hessian-one": lambda m, fn: fn.hessian(cube_sum(m), leaves(m, A)[0]),
    "hessian-two": lambda m, fn: fn.hessian(scalar_of_two(m), leaves(m, A, C)),
    "hessian-unused": lambda m, fn: fn.hessian(ignores_second(m), leaves(m, A, C)),
    "hessian-create-graph": lambda m, fn: fn.hessian(cube_sum(m), leaves(m, A)[0],
                                                   create_graph=True),
    "vjp-scalar-no-v": lambda m, fn: fn.vjp(cube_sum(m), leaves(m, A)[0]),
    "vjp-one": lambda m, fn: fn.vjp(elementwise(m), leaves(m, A)[0], leaves(m, C)[0]),
    "vjp-two-in": lambda m, fn: fn.vjp(matrix_vector(m), leaves(m, B, C), leaves(m, A[:2])[0]),
    "vjp-two-out": lambda m, fn: fn.vjp(two_outputs(m), leaves(m, A, C),
                                      leaves(m, C, np.array(2.0))),
    "vjp-unused": lambda m, fn: fn.vjp(ignores_second(m), leaves(m, A, C)),
    "vjp-create-graph": lambda m, fn: fn.vjp(elementwise(m), leaves(m, A)[0], leaves(m, C)[0],
                                           create_graph=True),
    "jvp-one": lambda m, fn: fn.jvp(elementwise(m), leaves(m, A)[0], leaves(m, C)[0]),
    "jvp-two-in": lambda m, fn: fn.jvp(matrix_vector(m), leaves(m, B, C), leaves(m, B * 2, A)),
    "jvp-two-out": lambda m, fn: fn.jvp(two_outputs(m), leaves(m, A, C), leaves(m, C, A)),
    "jvp-scalar-input": lambda m, fn: fn.jvp(lambda x: x * 3, leaves(m, np.array(2.0))[0]),
    "jvp-unused": lambda m, fn: fn.jvp(ignores_second(m), leaves(m, A, C), leaves(m, C, A)),
    "jvp-create-graph": lambda m, fn: fn.jvp(elementwise(m), leaves(m, A)[0], leaves(m, C)[0],
                                           create_graph=True),
    "hvp-one": lambda m, fn: fn.hvp(cube_sum(m), leaves(m, A)[0], leaves(m, C)[0]),
    "hvp-two": lambda m, fn: fn.hvp(scalar_of_two(m), leaves(m, A, C), leaves(m, C, A)),
    "hvp-unused": lambda m, fn: fn.hvp(ignores_second(m), leaves(m, A, C), leaves(m, C, A)),
    "vhp-one": lambda m, fn: fn.vhp(cube_sum(m), leaves(m, A)[0], leaves(m, C)[0]),
    "vhp-two": lambda m, fn: fn.vhp(scalar_of_two(m), leaves(m, A, C), leaves(m, C, A)),
    "hvp-create-graph": lambda m, fn: fn.hvp(cube_sum(m), leaves(m, A)[0], leaves(m, C)[0],
                                           create_graph=True),
    "hvp-scalar-no-v": lambda m, fn: fn.hvp(lambda x: x ** 4, leaves(m, np.array(1.5))[0]),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_same_results_as_torch(name: str) -> None:
    ours = SCENARIOS[name](cr, cr.autograd.functional)
    theirs = SCENARIOS[name](torch, torch.autograd.functional)
    assert plain(ours) == plain(theirs)


def test_results_with_create_graph_differentiate_further_as_in_torch() -> None:
    def program(m: Any) -> Any:
        x = m.tensor(A, requires_grad=True)
        jac = m.autograd.functional.jacobian(elementwise(m), x, create_graph=True)
        (grad,) = m.autograd.grad(jac.sum(), [x])
        return grad

    assert plain(program(cr)) == plain(program(torch))


def test_hessian_agrees_with_central_differences() -> None:
    x = cr.tensor(A)
    hess = cr.autograd.functional.hessian(lambda v: (v.sin() * v.sum()).sum() + v[0] * v[2], x)
    step = 1e-5
    numeric = np.empty((3, 3))
    for j in range(3):
        shift = np.zeros(3)
        shift[j] = step
        plus = cr.autograd.functional.jacobian(lambda v: (v.sin() * v.sum()).sum() + v[0] * v[2],
                                               cr.tensor(A + shift))
        minus = cr.autograd.functional.jacobian(lambda v: (v.sin() * v.sum()).sum() + v[0] * v[2],
                                                cr.tensor(A - shift))
        numeric[:, j] = (plus.numpy() - minus.numpy()) / (2 * step)
    np.testing.assert_allclose(hess.numpy(), numeric, rtol=1e-6, atol=1e-8)


ERRORS: dict[str, Callable[[Any, Any], Any]] = {
    "vjp-needs-v": lambda m, fn: fn.vjp(elementwise(m), leaves(m, A)[0]),
    "vjp-v-shape": lambda m, fn: fn.vjp(elementwise(m), leaves(m, A)[0], leaves(m, B)[0]),
    "jvp-needs-v": lambda m, fn: fn.jvp(elementwise(m), leaves(m, A)[0]),
    "jvp-v-shape": lambda m, fn: fn.jvp(elementwise(m), leaves(m, A)[0], leaves(m, B)[0]),
    "jvp-v-count": lambda m, fn: fn.jvp(matrix_vector(m), leaves(m, B, C), leaves(m, B)),
    "hvp-needs-v": lambda m, fn: fn.hvp(cube_sum(m), leaves(m, A)[0]),
    "hvp-not-scalar": lambda m, fn: fn.hvp(elementwise(m), leaves(m, A)[0], leaves(m, A)[0]),
    "hessian-not-scalar": lambda m, fn: fn.hessian(elementwise(m), leaves(m, A)[0]),
    "vjp-strict-unused": lambda m, fn: fn.vjp(ignores_second(m), leaves(m, A, C), strict=True),
    "jacobian-strict-unused": lambda m, fn: fn.jacobian(ignores_second(m), leaves(m, A, C),
                                                      strict=True),
    "jacobian-strict-vectorize": lambda m, fn: fn.jacobian(elementwise(m), leaves(m, A)[0],
                                                         strict=True, vectorize=True),
    "jacobian-bad-strategy": lambda m, fn: fn.jacobian(elementwise(m), leaves(m, A)[0],
                                                     strategy="sideways"),
    "output-not-a-tensor": lambda m, fn: fn.jacobian(lambda x: 3, leaves(m, A)[0]),
    "input-not-a-tensor": lambda m, fn: fn.vjp(lambda x: x, 3.0),
    "input-an-int-tensor": lambda m, fn: fn.jacobian(lambda x: x * 2, m.tensor([1, 2])),
    "jvp-strict-unused": lambda m, fn: fn.jvp(ignores_second(m), leaves(m, A, C),
                                            leaves(m, C, A), strict=True),
    "hvp-strict-unused": lambda m, fn: fn.hvp(ignores_second(m), leaves(m, A, C),
                                            leaves(m, C, A), strict=True),
    "hessian-forward-no-vectorize": lambda m, fn: fn.hessian(
        cube_sum(m), leaves(m, A)[0], outer_jacobian_strategy="forward-mode"),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_have_torch_types(name: str) -> None:
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch, torch.autograd.functional)
    with pytest.raises(Exception) as ours:
        ERRORS[name](cr, cr.autograd.functional)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
