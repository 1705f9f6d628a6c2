"""The rules where a derivative is a convention, not a limit: at kinks, at zero bases, at
probabilities of exactly 0 or 1, and with non-finite upstreams. The values are PyTorch's
(checked against it where torch is installed), exact, and need no central differences.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

# name: (function in chainrule, the same in torch, input values, expected gradient of sum)
KINKS: dict[str, tuple[Callable, Callable, list[float], list[float]]] = {
    # leaky ReLU at 0 takes the negative slope
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1),
                   lambda t, x: t.nn.functional.leaky_relu(x, 0.1),
                   [-1.0, 0.0, 2.0], [0.1, 0.1, 1.0]),
    # hardtanh passes nothing at its bounds
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 0.8),
                 lambda t, x: t.nn.functional.hardtanh(x, -0.5, 0.8),
                 [-0.5, 0.0, 0.8, 1.0], [0.0, 1.0, 0.0, 0.0]),
    # clamp passes everything at its bounds
    "clamp": (lambda x: x.clamp(-0.5, 0.8), lambda t, x: x.clamp(-0.5, 0.8),
              [-0.5, 0.0, 0.8, 1.0], [1.0, 1.0, 1.0, 0.0]),
    "clamp_min": (lambda x: x.clamp(min=0.25), lambda t, x: x.clamp(min=0.25),
                  [0.25, 0.0], [1.0, 0.0]),
    "clamp_max": (lambda x: x.clamp(max=0.25), lambda t, x: x.clamp(max=0.25),
                  [0.25, 1.0], [1.0, 0.0]),
    # softplus at βx = threshold is still the smooth branch: σ(βx)
    "softplus": (lambda x: F.softplus(x, beta=2.0, threshold=1.0),
                 lambda t, x: t.nn.functional.softplus(x, beta=2.0, threshold=1.0),
                 [0.5, 0.6], [1 / (1 + math.exp(-1.0)), 1.0]),
    # |x| at 0 has slope 0
    "abs": (lambda x: x.abs(), lambda t, x: x.abs(), [0.0, -2.0, 3.0], [0.0, -1.0, 1.0]),
}


@pytest.mark.parametrize("name", sorted(KINKS))
@pytest.mark.parametrize("dtype", [cr.float64, cr.float32])
def test_derivative_at_a_kink_is_pytorchs(name: str, dtype: object) -> None:
    fn, _, values, expected = KINKS[name]
    x = cr.tensor(values, dtype=dtype, requires_grad=True)
    fn(x).sum().backward()
    assert x.grad.dtype == dtype
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(KINKS))
def test_kink_values_are_pytorchs(name: str) -> None:
    torch = pytest.importorskip("torch")
    _, torch_fn, values, expected = KINKS[name]
    x = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    torch_fn(torch, x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


def test_relu_of_a_scalar_blocks_a_non_finite_upstream() -> None:
    """The product fast path would give 0·inf = nan; PyTorch gives 0 where relu blocks."""
    for dtype in (cr.float64, cr.float32):
        x = cr.tensor(-1.0, dtype=dtype, requires_grad=True)
        x.relu().backward(cr.tensor(math.inf, dtype=dtype))
        assert x.grad.item() == 0.0 and x.grad.dtype == dtype
        y = cr.tensor([-1.0, 0.0, 2.0], dtype=dtype, requires_grad=True)
        y.relu().backward(cr.tensor([math.nan, math.inf, math.inf], dtype=dtype))
        assert y.grad.tolist() == [0.0, 0.0, math.inf] and y.grad.dtype == dtype


def test_relu_of_a_large_array_blocks_a_non_finite_upstream_and_keeps_huge_finite_ones() -> None:
    """Above 4,096 elements the forward compares with an array of zeros and the backward's
    finiteness test is Σδ²: an inf upstream is blocked, and a finite upstream whose square
    overflows still passes exactly where relu is open."""
    torch = pytest.importorskip("torch")
    generator = np.random.default_rng(0)
    values = generator.standard_normal((80, 70))
    values.reshape(-1)[:4] = [-0.0, 0.0, math.nan, -math.inf]
    for upstream_value in (math.inf, math.nan, 1e200):
        upstream = generator.standard_normal((80, 70))
        upstream[values <= 0] = upstream_value
        upstream[5, 5] = 1e200
        x = cr.tensor(values, requires_grad=True)
        out = x.relu()
        out.backward(cr.tensor(upstream))
        reference = torch.tensor(values, requires_grad=True)
        torch.relu(reference).backward(torch.tensor(upstream))
        assert np.array_equal(out.detach().numpy(), torch.relu(torch.tensor(values)).numpy(),
                              equal_nan=True)
        assert np.array_equal(x.grad.numpy(), reference.grad.numpy(), equal_nan=True)


def test_maximum_with_zero_is_numpys_maximum_bit_for_bit() -> None:
    from chainrule.ops.elementwise import maximum_with_zero

    special = np.array([-0.0, 0.0, math.nan, -math.inf, math.inf, -1e-310, 1e-310])
    for dtype in (np.float64, np.float32, np.float16):
        x = np.resize(special, 5000).astype(dtype).reshape(50, 100)
        for array in (x, x.T, x[:, ::3], special.astype(dtype)):
            got, expected = maximum_with_zero(array), np.maximum(array, 0)
            assert got.dtype == expected.dtype
            assert np.array_equal(got, expected, equal_nan=True)
            assert np.array_equal(np.signbit(got), np.signbit(expected))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8])
def test_cross_entropy_gate_ignores_minus_100_in_any_integer_dtype(dtype: Any) -> None:
    """The id range check reads ids as unsigned: −100 in int8 must not pass as 156 < 200."""
    from chainrule.ops.loss import CrossEntropy

    logits = cr.tensor(np.random.default_rng(0).standard_normal((3, 200)))
    ids = [0, 2, 2] if dtype == np.uint8 else [0, -100, 2]
    loss = CrossEntropy.apply(logits, cr.tensor(np.array(ids, dtype)), None, -100, 0.0, "mean")
    expected = CrossEntropy.apply(logits, cr.tensor(np.array(ids, np.int64)), None, -100, 0.0,
                                  "mean")
    assert loss.item() == expected.item()


# ---------------------------------------------------------------- powers at special bases
def test_power_of_a_number_base() -> None:
    """d/dx aˣ = aˣ ln a; PyTorch's convention at a = 0 is 0, and nan for a < 0."""
    x = cr.tensor([0.5, 2.0, 3.0], dtype=cr.float64, requires_grad=True)
    for base in (0.5, 2.5):
        x.grad = None
        (base ** x).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), base ** x.detach().numpy() * math.log(base))
    zero_exponents = cr.tensor([0.0, 0.5, 2.0], dtype=cr.float64, requires_grad=True)
    (0.0 ** zero_exponents).sum().backward()  # 0⁰ = 1, and still a slope of 0
    assert zero_exponents.grad.tolist() == [0.0, 0.0, 0.0]
    z = cr.tensor([2.0, 3.0], dtype=cr.float64, requires_grad=True)
    with np.errstate(invalid="ignore"):
        ((-2.0) ** z).sum().backward()
    assert all(math.isnan(v) for v in z.grad.tolist())


def test_power_with_zeros_in_the_base() -> None:
    """∂(aᵇ)/∂b = aᵇ ln a, taken as 0 where a = 0 and b ≥ 0 (PyTorch); no warning."""
    # a is a constant here: at a = 0, b = 0, ∂/∂a is nan with a warning where PyTorch gives 0
    a = cr.tensor([0.0, 0.0, 0.0, 2.0, 0.5], dtype=cr.float64)
    b = cr.tensor([2.0, 0.0, 0.5, 1.5, 3.0], dtype=cr.float64, requires_grad=True)
    (a ** b).sum().backward()
    expected_b = [0.0, 0.0, 0.0, 2.0 ** 1.5 * math.log(2.0), 0.5 ** 3 * math.log(0.5)]
    np.testing.assert_allclose(b.grad.numpy(), expected_b)


# ---------------------------------------------------------------- binary cross-entropy at 0, 1
def test_binary_cross_entropy_at_certain_probabilities() -> None:
    """PyTorch: ∂L/∂p = (p − t)/max(p(1 − p), 1e-12), ∂L/∂t = clamp(log(1−p)) − clamp(log p)
    with the logs floored at −100; finite, without a warning."""
    p = cr.tensor([0.0, 1.0, 0.5], dtype=cr.float64, requires_grad=True)
    t = cr.tensor([0.25, 0.5, 1.0], dtype=cr.float64, requires_grad=True)
    F.binary_cross_entropy(p, t, reduction="sum").backward()
    np.testing.assert_allclose(p.grad.numpy(), [-0.25e12, 0.5e12, -2.0])
    np.testing.assert_allclose(t.grad.numpy(), [100.0, -100.0, 0.0])


# ---------------------------------------------------------------- what is not implemented
def test_prod_second_derivative_at_zeros_says_it_is_not_implemented() -> None:
    x = cr.tensor([2.0, 0.0, 3.0], dtype=cr.float64, requires_grad=True)
    (first,) = cr.autograd.grad(x.prod(), x, create_graph=False)
    assert first.tolist() == [0.0, 6.0, 0.0]
    with pytest.raises(NotImplementedError) as raised:
        cr.autograd.grad(x.prod(), x, create_graph=True)
    assert str(raised.value) == ("prod: the second derivative at an input that holds zeros is "
                                 "not implemented; the first derivative is")


def test_a_cast_sends_the_gradient_back_in_the_input_dtype() -> None:
    x = cr.tensor([1.0, 2.0], dtype=cr.float32, requires_grad=True)
    (x.double() * 3).sum().backward()
    assert x.grad.dtype == cr.float32 and x.grad.tolist() == [3.0, 3.0]
