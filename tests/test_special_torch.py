"""cr.special against torch.special: values, gradients (first and second order), dtypes and
shapes of every function chainrule provides, on the same inputs; and central differences
for the gates of its own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

RNG = np.random.default_rng(12)
WIDE = np.concatenate([RNG.uniform(-4, 4, 10), [-1.5, 0.0, 0.25, 3.0]])
UNIT = np.concatenate([RNG.uniform(-0.98, 0.98, 10), [0.0, 0.5, -0.999, 0.9999]])
PROBABILITY = RNG.uniform(0.02, 0.98, 12)
POSITIVE = np.concatenate([RNG.uniform(0.05, 4, 10), [1.0, 0.5]])
TAILS = np.array([-60.0, -30.0, -21.0, -19.0, -8.0, -1.0, 0.0, 2.0, 9.0, 30.0])
MATRIX = RNG.normal(size=(3, 4))
GAMMA = np.concatenate([RNG.uniform(0.05, 30, 10), [-2.5, -0.5, -1.3, 1.0, 2.0, 100.0]])

# name -> (call with the module's special namespace, input values)
UNARY: dict[str, tuple[Callable[[Any, Any], Any], np.ndarray]] = {
    "expit": (lambda s, x: s.expit(x), WIDE),
    "logit": (lambda s, x: s.logit(x), PROBABILITY),
    "logit-eps": (lambda s, x: s.logit(x, eps=0.1), PROBABILITY),
    "erf": (lambda s, x: s.erf(x), WIDE),
    "erfc": (lambda s, x: s.erfc(x), WIDE),
    "erfinv": (lambda s, x: s.erfinv(x), UNIT),
    "exp2": (lambda s, x: s.exp2(x), WIDE),
    "expm1": (lambda s, x: s.expm1(x), WIDE),
    "log1p": (lambda s, x: s.log1p(x), POSITIVE),
    "sinc": (lambda s, x: s.sinc(x), WIDE),
    "entr": (lambda s, x: s.entr(x), POSITIVE),
    "ndtr": (lambda s, x: s.ndtr(x), WIDE),
    "log_ndtr": (lambda s, x: s.log_ndtr(x), TAILS),
    "round": (lambda s, x: s.round(x), WIDE),
    "round-decimals": (lambda s, x: s.round(x, decimals=1), WIDE),
    "logsumexp": (lambda s, x: s.logsumexp(x, 1), MATRIX),
    "logsumexp-keepdim": (lambda s, x: s.logsumexp(x, dim=0, keepdim=True), MATRIX),
    "softmax": (lambda s, x: s.softmax(x, 1), MATRIX),
    "softmax-dtype": (lambda s, x: s.softmax(x, 0, dtype=(
        cr.float32 if s is cr.special else torch.float32)), MATRIX),
    "log_softmax": (lambda s, x: s.log_softmax(x, -1), MATRIX),
    "gammaln": (lambda s, x: s.gammaln(x), GAMMA),
    "digamma": (lambda s, x: s.digamma(x), GAMMA),
    "psi": (lambda s, x: s.psi(x), GAMMA),
    "polygamma-1": (lambda s, x: s.polygamma(1, x), GAMMA),
    "polygamma-2": (lambda s, x: s.polygamma(2, x), GAMMA),
    "multigammaln": (lambda s, x: s.multigammaln(x, 3), POSITIVE + 1.5),
}


# Functions whose value or gradient is the trigamma function, which torch computes only to
# about 1e-9 (chainrule's is exact to rounding: see test_trigamma_is_exact).
TRIGAMMA_INSIDE = {"digamma", "psi", "polygamma-1", "multigammaln", "gammaln"}


def test_trigamma_and_digamma_are_exact_at_known_points() -> None:
    x = cr.tensor([0.5, 1.0, 2.0], dtype=cr.float64)
    trigamma = cr.special.polygamma(1, x).numpy()
    np.testing.assert_allclose(trigamma, [np.pi ** 2 / 2, np.pi ** 2 / 6, np.pi ** 2 / 6 - 1],
                               rtol=1e-15)
    euler = 0.5772156649015329
    np.testing.assert_allclose(cr.special.digamma(x).numpy(),
                               [-euler - 2 * np.log(2), -euler, 1 - euler], rtol=1e-15)


def run(module: Any, name: str, values: np.ndarray, dtype: str) -> tuple[Any, Any]:
    call, _ = UNARY[name]
    x = module.tensor(values.astype(dtype), requires_grad=True)
    y = call(module.special, x)
    weights = module.tensor(np.linspace(0.5, 1.5, y.numel()).reshape(tuple(y.shape)),
                            dtype=y.dtype)
    (grad,) = module.autograd.grad((y * weights).sum(), [x], allow_unused=True)
    return y, grad


@pytest.mark.parametrize("name", list(UNARY))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_values_gradients_and_dtypes_match_torch(name: str, dtype: str) -> None:
    values = UNARY[name][1]
    ours, our_grad = run(cr, name, values, dtype)
    theirs, their_grad = run(torch, name, values, dtype)
    assert str(ours.dtype).rpartition(".")[2] == str(theirs.dtype).rpartition(".")[2]
    assert tuple(ours.shape) == tuple(theirs.shape)
    tolerance = {"rtol": 1e-10, "atol": 1e-12} if str(ours.dtype).endswith("float64") \
        else {"rtol": 2e-5, "atol": 1e-6}
    if name in TRIGAMMA_INSIDE and dtype == "float64":
        tolerance = {"rtol": 2e-9, "atol": 1e-12}  # torch's trigamma is off by ~1e-9
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), **tolerance)
    if their_grad is None or name.startswith("round"):
        return  # round's gradient is 0: chainrule gives zeros where torch gives zeros too
    np.testing.assert_allclose(our_grad.numpy(), their_grad.numpy(), **tolerance)


@pytest.mark.parametrize("name", ["erfinv", "sinc", "entr", "log_ndtr", "ndtr", "expit",
                                  "gammaln", "digamma", "polygamma-1"])
def test_second_derivatives_match_torch(name: str) -> None:
    values = UNARY[name][1]
    if name == "sinc":  # torch's second derivative of sinc at 0 is NaN (0/0); see below
        values = values[values != 0]

    def second(module: Any) -> np.ndarray:
        x = module.tensor(values, dtype=module.float64, requires_grad=True)
        (first,) = module.autograd.grad(UNARY[name][0](module.special, x).sum(), [x],
                                        create_graph=True)
        (again,) = module.autograd.grad(first.sum(), [x])
        return again.numpy()

    np.testing.assert_allclose(second(cr), second(torch), rtol=2e-8, atol=1e-10)


def test_sinc_second_derivative_at_zero_is_finite() -> None:
    """sinc''(0) = −π²/3 (torch gives NaN there)."""
    x = cr.tensor([0.0], dtype=cr.float64, requires_grad=True)
    (first,) = cr.autograd.grad(cr.special.sinc(x).sum(), [x], create_graph=True)
    (second,) = cr.autograd.grad(first.sum(), [x])
    assert first.item() == 0.0 and second.item() == pytest.approx(-np.pi ** 2 / 3, rel=1e-12)


@pytest.mark.parametrize("name", ["erfinv", "sinc", "entr", "ndtr", "log_ndtr", "expit", "erf",
                                  "gammaln", "digamma", "polygamma-1"])
def test_integer_inputs_are_promoted_like_torch(name: str) -> None:
    ours = UNARY[name][0](cr.special, cr.tensor([0, 1]))
    theirs = UNARY[name][0](torch.special, torch.tensor([0, 1]))
    assert str(ours.dtype).rpartition(".")[2] == str(theirs.dtype).rpartition(".")[2]
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_edges_match_torch() -> None:
    """±1 and beyond for erfinv, negatives and 0 for entr, 0 for sinc, NaN everywhere."""
    cases = {"erfinv": [-1.0, 1.0, 1.5, -2.0, np.nan], "entr": [-1.0, 0.0, np.nan],
             "sinc": [0.0, np.nan], "log_ndtr": [-np.inf, np.inf, np.nan],
             "ndtr": [-np.inf, np.inf], "gammaln": [0.0, -1.0, -2.0, np.inf, -np.inf, np.nan],
             "digamma": [0.0, -1.0, -3.0, np.inf, -np.inf, np.nan]}
    for name, points in cases.items():
        ours = getattr(cr.special, name)(cr.tensor(points, dtype=cr.float64))
        theirs = getattr(torch.special, name)(torch.tensor(points, dtype=torch.float64))
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=name)


def test_gradcheck_of_the_own_gates() -> None:
    for name, values in [("erfinv", UNIT[:10]), ("sinc", WIDE), ("entr", POSITIVE),
                         ("log_ndtr", TAILS[2:9]), ("gammaln", GAMMA[:12]),
                         ("digamma", GAMMA[:12])]:
        x = cr.tensor(values, dtype=cr.float64, requires_grad=True)
        assert cr.autograd.gradcheck(getattr(cr.special, name), (x,)), name
        assert cr.autograd.gradgradcheck(getattr(cr.special, name), (x,)), name


def test_xlogy_matches_torch_with_broadcasting() -> None:
    """(At x = 0 the values agree, 0; torch's gradient with respect to x there is ln y, the
    op table's Xlogy gives 0: not compared here.)"""
    x_values, y_values = np.array([[0.7, 1.5, 2.0]]), np.array([[0.5], [3.0]])
    zeros = np.zeros((1, 3))
    np.testing.assert_array_equal(cr.special.xlogy(cr.tensor(zeros), cr.tensor(y_values)).numpy(),
                                  torch.special.xlogy(torch.tensor(zeros),
                                                      torch.tensor(y_values)).numpy())

    def program(module: Any) -> tuple[Any, ...]:
        x = module.tensor(x_values, requires_grad=True)
        y = module.tensor(y_values, requires_grad=True)
        out = module.special.xlogy(x, y)
        out.sum().backward()
        return out.detach().numpy(), x.grad.numpy(), y.grad.numpy()

    for ours, theirs in zip(program(cr), program(torch)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_xlog1py_matches_torch() -> None:
    x_values = np.array([[0.0], [1.5], [2.0]])
    y_values = np.array([[-1.0, -0.5, 0.0, 2.0]])

    def program(module: Any) -> tuple[Any, ...]:
        x = module.tensor(x_values, requires_grad=True)
        y = module.tensor(y_values, requires_grad=True)
        out = module.special.xlog1py(x, y)
        out.sum().backward()
        return out.detach().numpy(), x.grad.numpy(), y.grad.numpy()

    for ours, theirs in zip(program(cr), program(torch), strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    ints = cr.special.xlog1py(cr.tensor([1, 0]), cr.tensor([2, 3]))
    assert ints.dtype == cr.float32


def test_every_function_is_also_in_torch_special() -> None:
    missing = [name for name in cr.special.__all__ if not hasattr(torch.special, name)]
    assert missing == []


@pytest.mark.parametrize("program", [
    lambda m: m.special.softmax(m.ones(2)),
    lambda m: m.special.logsumexp(m.ones(2)),
    lambda m: m.special.polygamma(-1, m.ones(2)),
    lambda m: m.special.multigammaln(m.ones(2) * 3, 0),
])
def test_errors_have_torch_types(program: Callable[[Any], Any]) -> None:
    with pytest.raises(Exception) as ours:
        program(cr)
    with pytest.raises(Exception) as theirs:
        program(torch)
    assert type(ours.value) is type(theirs.value), (ours.value, theirs.value)
