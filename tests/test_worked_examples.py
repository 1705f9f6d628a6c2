"""The lecture notes' worked examples, exactly (seeds 001, 002, 003)."""

import math

import pytest

import chainrule as cr


def scalars(*values: float) -> list[cr.Tensor]:
    return [cr.tensor(v, dtype=cr.float64, requires_grad=True) for v in values]


def test_add_then_multiply_circuit() -> None:
    # CS231n: f(x, y, z) = (x + y) z at x = -2, y = 5, z = -4.
    x, y, z = scalars(-2, 5, -4)
    q = x + y
    f = q * z
    f.backward()
    assert f.item() == -12
    assert (x.grad.item(), y.grad.item(), z.grad.item()) == (-4, -4, 3)


def test_sigmoid_circuit_gate_by_gate() -> None:
    # CS231n / Goodfellow: f = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2))).
    w0, x0, w1, x1, w2 = scalars(2, -1, -3, -2, -3)
    dot = w0 * x0 + w1 * x1 + w2
    f = 1 / (1 + cr.exp(-dot))
    f.backward()
    assert f.item() == pytest.approx(0.7311, abs=1e-4)
    expected = {"w0": -0.1966, "x0": 0.3932, "w1": -0.3932, "x1": -0.5898, "w2": 0.1966}
    got = dict(zip(expected, (w0, x0, w1, x1, w2)))
    for name, value in expected.items():
        assert got[name].grad.item() == pytest.approx(value, abs=1e-4), name
    # The notes' shortcut: the sigmoid gate's local gradient is (1 - f) f = 0.2 at dot = 1.
    assert dot.item() == 1
    assert (1 - f.item()) * f.item() == pytest.approx(0.1966, abs=1e-4)


def test_sigmoid_circuit_with_one_sigmoid_gate_agrees() -> None:
    w0, x0, w1, x1, w2 = scalars(2, -1, -3, -2, -3)
    f = (w0 * x0 + w1 * x1 + w2).sigmoid()
    f.backward()
    assert [t.grad.item() for t in (w0, x0, w1, x1, w2)] == pytest.approx(
        [-0.19661193, 0.39322387, -0.39322387, -0.5898358, 0.19661193], abs=1e-7)


def test_car_price_chain_rule() -> None:
    # Zhihu: two cars at 200 (in 1,000s), 10% tax: total = price * 2 * 1.1 = 440,
    # and d total / d price = 1 * 1.1 * 2 = 2.2.
    (price,) = scalars(200)
    count = cr.tensor(2.0, dtype=cr.float64, requires_grad=True)
    tax = cr.tensor(1.1, dtype=cr.float64, requires_grad=True)
    before_tax = price * count
    total = before_tax * tax
    total.backward()
    assert total.item() == pytest.approx(440)
    assert price.grad.item() == pytest.approx(2.2)
    assert count.grad.item() == pytest.approx(220)  # d total / d count = price * tax
    assert tax.grad.item() == pytest.approx(400)


def test_max_gate_routes_the_whole_gradient_to_the_larger_input() -> None:
    x, y = scalars(4, 2)
    upstream = cr.tensor(3.0, dtype=cr.float64)
    cr.maximum(x, y).backward(upstream)
    assert x.grad.item() == 3 and y.grad.item() == 0
    a, b = scalars(-1, 7)
    cr.maximum(a, b).backward()
    assert (a.grad.item(), b.grad.item()) == (0, 1)


def test_max_reduction_routes_gradient_to_the_argmax() -> None:
    v = cr.tensor([1.0, 5.0, 3.0], requires_grad=True)
    v.max().backward()
    assert v.grad.tolist() == [0, 1, 0]


def test_gradients_add_at_fan_out() -> None:
    # A value used twice receives the sum of both paths: f = x*y + x -> df/dx = y + 1.
    x, y = scalars(3, 4)
    f = x * y + x
    f.backward()
    assert x.grad.item() == 5 and y.grad.item() == 3
    # Through a shared intermediate: q = x + y; f = q * q -> df/dx = 2q.
    x, y = scalars(1, 2)
    q = x + y
    (q * q).backward()
    assert x.grad.item() == 6 and y.grad.item() == 6


def test_multiplication_gate_swaps_its_inputs() -> None:
    # The notes: the multiply gate is a "gradient switcher".
    x, y = scalars(3, -4)
    (x * y).backward(cr.tensor(2.0, dtype=cr.float64))
    assert x.grad.item() == -8 and y.grad.item() == 6


def test_two_layer_net_error_signals_match_the_notes_formula() -> None:
    # CS224n notes 3: delta(k) = f'(z(k)) * W(k)^T delta(k+1), grad W = delta a^T.
    cr.manual_seed(0)
    x = cr.randn(4, dtype=cr.float64)
    w1 = cr.randn(3, 4, dtype=cr.float64, requires_grad=True)
    w2 = cr.randn(1, 3, dtype=cr.float64, requires_grad=True)
    z1 = w1 @ x
    a1 = z1.sigmoid()
    s = (w2 @ a1).sum()
    s.backward()
    delta2 = 1.0
    sig = a1.detach().numpy()
    delta1 = sig * (1 - sig) * (w2.detach().numpy()[0] * delta2)
    assert w2.grad.numpy()[0] == pytest.approx(sig)
    assert w1.grad.numpy() == pytest.approx(delta1[:, None] * x.numpy()[None, :])


def test_sigmoid_is_stable_at_extremes() -> None:
    x = cr.tensor([-1000.0, -40.0, 0.0, 40.0, 1000.0], dtype=cr.float64, requires_grad=True)
    y = x.sigmoid()
    assert y.tolist()[0] == 0 and y.tolist()[-1] == 1
    assert y.tolist()[1] == pytest.approx(1 / (1 + math.exp(40)), rel=1e-12)
    y.sum().backward()
    assert all(math.isfinite(v) for v in x.grad.tolist())
