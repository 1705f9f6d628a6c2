"""Jacobians, Hessians and vector products: autograd.functional and cr.func."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import functional

from .strategies import leaf


def cubic(x: cr.Tensor) -> cr.Tensor:
    return (x ** 3).sum()


def test_jacobian_of_an_elementwise_function_is_diagonal() -> None:
    x = leaf((4,), 0)
    jac = functional.jacobian(lambda t: t.tanh(), x)
    expected = np.diag(1 - np.tanh(x.detach().numpy()) ** 2)
    assert jac.shape == (4, 4) and np.allclose(jac.numpy(), expected)


def test_jacobian_of_a_matrix_product_has_output_then_input_shape() -> None:
    w = leaf((2, 3), 1)
    x = leaf((3,), 2)
    jac_w, jac_x = functional.jacobian(lambda a, b: a @ b, (w, x))
    assert jac_w.shape == (2, 2, 3) and jac_x.shape == (2, 3)
    assert np.allclose(jac_x.numpy(), w.detach().numpy())
    for i in range(2):
        assert np.allclose(jac_w.numpy()[i, i], x.detach().numpy())


def test_hessian_of_a_cubic() -> None:
    x = leaf((3,), 3)
    hess = functional.hessian(cubic, x)
    assert np.allclose(hess.numpy(), np.diag(6 * x.detach().numpy()))


def test_vjp_and_jvp_agree_with_the_jacobian() -> None:
    x = leaf((3,), 4)
    v_out = cr.tensor([1.0, -2.0], dtype=cr.float64)
    v_in = cr.tensor([0.5, 1.0, -1.0], dtype=cr.float64)
    w = leaf((2, 3), 5).detach()

    def f(t: cr.Tensor) -> cr.Tensor:
        return (w @ t).sigmoid()

    jac = functional.jacobian(f, x).numpy()
    out, vjp = functional.vjp(f, x, v_out)
    assert np.allclose(vjp.numpy(), v_out.numpy() @ jac)
    out2, jvp = functional.jvp(f, x, v_in)
    assert np.allclose(jvp.numpy(), jac @ v_in.numpy())
    assert np.allclose(out.numpy(), out2.numpy())


def test_hvp_of_a_small_mlp_loss_matches_the_full_hessian() -> None:
    cr.manual_seed(0)
    data = cr.randn(6, 3, dtype=cr.float64)
    labels = cr.tensor([0, 1, 1, 0, 1, 0])
    w1 = leaf((3, 4), 6)
    w2 = leaf((4, 2), 7)

    def loss(a: cr.Tensor, b: cr.Tensor) -> cr.Tensor:
        hidden = (data @ a).tanh()
        return -(hidden @ b).log_softmax(1)[cr.arange(6), labels].mean()

    v = (leaf((3, 4), 8).detach(), leaf((4, 2), 9).detach())
    _, (hv1, hv2) = functional.hvp(loss, (w1, w2), v)
    hessian = functional.hessian(loss, (w1, w2))
    flat_v = np.concatenate([v[0].numpy().ravel(), v[1].numpy().ravel()])
    blocks = [[hessian[i][j].numpy().reshape(w.numel(), u.numel())
               for j, u in enumerate((w1, w2))] for i, w in enumerate((w1, w2))]
    full = np.block(blocks)
    expected = full @ flat_v
    assert np.allclose(np.concatenate([hv1.numpy().ravel(), hv2.numpy().ravel()]), expected)
    assert np.allclose(full, full.T)  # a Hessian is symmetric


def test_func_grad_composes() -> None:
    x = cr.tensor(2.0, dtype=cr.float64)
    first = cr.func.grad(lambda t: t ** 3)
    second = cr.func.grad(first)
    third = cr.func.grad(second)
    assert first(x).item() == pytest.approx(12)
    assert second(x).item() == pytest.approx(12)
    assert third(x).item() == pytest.approx(6)
    assert not first(x).requires_grad


def test_func_grad_argnums_and_has_aux() -> None:
    a, b = cr.tensor(3.0), cr.tensor(4.0)
    grads = cr.func.grad(lambda p, q: p * q * q, argnums=(0, 1))(a, b)
    assert [g.item() for g in grads] == [16, 24]
    g, aux = cr.func.grad(lambda p: (p * p, "note"), has_aux=True)(a)
    assert g.item() == 6 and aux == "note"


def test_func_vjp_jvp_jacrev_jacfwd_hessian() -> None:
    x = leaf((3,), 10).detach()
    w = leaf((2, 3), 11).detach()

    def f(t: cr.Tensor) -> cr.Tensor:
        return (w @ t).tanh()

    jr = cr.func.jacrev(f)(x)
    jf = cr.func.jacfwd(f)(x)
    assert jr.shape == (2, 3) and np.allclose(jr.numpy(), jf.numpy())
    out, vjp_fn = cr.func.vjp(f, x)
    (vjp,) = vjp_fn(cr.ones(2, dtype=cr.float64))
    assert np.allclose(vjp.numpy(), jr.numpy().sum(0))
    _, jvp = cr.func.jvp(f, (x,), (cr.ones(3, dtype=cr.float64),))
    assert np.allclose(jvp.numpy(), jr.numpy().sum(1))
    h = cr.func.hessian(cubic)(x)
    assert np.allclose(h.numpy(), np.diag(6 * x.numpy()))
