"""nn.init against PyTorch: deterministic initialisers value for value (eye_, dirac_,
calculate_gain, orthogonal_'s construction from a given normal matrix), random ones by the
properties that define them (orthogonality, bounds, moments), with tolerances that a wrong
construction cannot meet, and torch's error types."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")


@pytest.mark.parametrize(("nonlinearity", "param"), [
    ("linear", None), ("conv1d", None), ("conv_transpose2d", None), ("sigmoid", None),
    ("tanh", None), ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2),
    ("leaky_relu", 1), ("selu", None)])
def test_calculate_gain(nonlinearity: str, param: Any) -> None:
    assert cr.nn.init.calculate_gain(nonlinearity, param) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity, param), rel=1e-15)


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.init.calculate_gain("softmax"),
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", "x"),
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", True),
    lambda lib: lib.nn.init.eye_(lib.zeros(2, 2, 2)),
    lambda lib: lib.nn.init.orthogonal_(lib.zeros(3)),
    lambda lib: lib.nn.init.dirac_(lib.zeros(2, 2)),
    lambda lib: lib.nn.init.dirac_(lib.zeros(3, 2, 3), groups=2),
])
def test_errors_as_torch(call: Any) -> None:
    for lib in (torch, cr):
        with pytest.raises(ValueError):
            call(lib)


@pytest.mark.parametrize("shape", [(3, 3), (2, 5), (5, 2)])
def test_eye(shape: tuple[int, int]) -> None:
    got = cr.nn.init.eye_(cr.empty(*shape)).numpy()
    want = torch.nn.init.eye_(torch.empty(*shape)).numpy()
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize(("shape", "groups"), [((4, 3, 3), 1), ((6, 2, 3, 3), 2),
                                               ((2, 4, 3, 2), 1), ((4, 2, 3, 3, 3), 2)])
def test_dirac(shape: tuple[int, ...], groups: int) -> None:
    got = cr.nn.init.dirac_(cr.ones(*shape), groups).numpy()
    want = torch.nn.init.dirac_(torch.ones(*shape), groups).numpy()
    np.testing.assert_array_equal(got, want)


def test_dirac_convolution_is_identity() -> None:
    weight = cr.nn.init.dirac_(cr.empty(3, 3, 3, 3))
    x = cr.tensor(np.random.default_rng(0).normal(size=(1, 3, 5, 5)).astype(np.float32))
    out = cr.nn.functional.conv2d(x, weight, padding=1)
    np.testing.assert_allclose(out.numpy(), x.numpy(), rtol=1e-6)


@pytest.mark.parametrize("shape", [(4, 4), (3, 7), (7, 3)])
def test_orthogonal_construction_matches_torch(shape: tuple[int, int]) -> None:
    """The same normal matrix gives torch's matrix: QR of it (of its transpose when wide)
    with the columns' signs fixed by R's diagonal."""
    from chainrule.nn.init import orthogonal_from

    gaussian = np.random.default_rng(3).normal(size=shape)
    rows, columns = shape
    flat = torch.tensor(gaussian)
    if rows < columns:
        flat = flat.t()
    q, r = torch.linalg.qr(flat)
    q = q * torch.diag(r, 0).sign()
    if rows < columns:
        q = q.t()
    np.testing.assert_allclose(orthogonal_from(gaussian), q.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("shape", "gain"), [((5, 5), 1.0), ((3, 8), 2.0), ((8, 3), 0.5),
                                             ((4, 2, 3, 3), 1.0), ((6, 2, 2), 1.5)])
def test_orthogonal_properties(shape: tuple[int, ...], gain: float) -> None:
    cr.manual_seed(0)
    weight = cr.nn.init.orthogonal_(cr.empty(*shape, dtype=cr.float64), gain=gain).numpy()
    flat = weight.reshape(shape[0], -1)
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(small), atol=1e-12)
    # the same check on torch's, so the test is of the property torch guarantees
    reference = torch.nn.init.orthogonal_(torch.empty(*shape, dtype=torch.float64), gain=gain)
    flat_t = reference.reshape(shape[0], -1).numpy()
    gram_t = flat_t @ flat_t.T if flat.shape[0] <= flat.shape[1] else flat_t.T @ flat_t
    np.testing.assert_allclose(gram_t, gain ** 2 * np.eye(small), atol=1e-12)


def test_orthogonal_is_haar_distributed() -> None:
    """Without the sign fix Q[0, 0] is never positive (LAPACK's Householder QR makes R's
    first diagonal entry of the opposite sign); with it, its mean is 0."""
    cr.manual_seed(1)
    corners = np.array([cr.nn.init.orthogonal_(cr.empty(2, 2, dtype=cr.float64)).numpy()[0, 0]
                        for _ in range(2000)])
    assert abs(corners.mean()) < 0.05  # an unfixed QR gives about -0.64


def _truncated_moments(mean: float, std: float, a: float, b: float) -> tuple[float, float]:
    alpha, beta = (a - mean) / std, (b - mean) / std

    def pdf(x: float) -> float:
        return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)

    def cdf(x: float) -> float:
        return 0.5 * (1 + math.erf(x / math.sqrt(2)))

    mass = cdf(beta) - cdf(alpha)
    shift = (pdf(alpha) - pdf(beta)) / mass
    variance = 1 + (alpha * pdf(alpha) - beta * pdf(beta)) / mass - shift ** 2
    return mean + std * shift, std * std * variance


@pytest.mark.parametrize(("mean", "std", "a", "b"), [(0.0, 1.0, -2.0, 2.0),
                                                     (1.0, 2.0, 0.0, 3.0),
                                                     (0.0, 0.02, -0.04, 0.04)])
def test_trunc_normal_bounds_and_moments(mean: float, std: float, a: float, b: float) -> None:
    cr.manual_seed(2)
    values = cr.nn.init.trunc_normal_(cr.empty(200_000, dtype=cr.float64), mean, std, a,
                                      b).numpy()
    reference = torch.nn.init.trunc_normal_(torch.empty(200_000, dtype=torch.float64), mean,
                                            std, a, b).numpy()
    want_mean, want_var = _truncated_moments(mean, std, a, b)
    for sample in (values, reference):
        assert sample.min() >= a and sample.max() <= b
        # standard errors are about std/450: a clipped normal misses the variance by >15%
        assert abs(sample.mean() - want_mean) < 0.01 * std
        assert abs(sample.var() / want_var - 1) < 0.02


def test_initialisers_bump_the_version_and_keep_dtype() -> None:
    weight = cr.nn.Parameter(cr.empty(3, 4, dtype=cr.float64))
    saved = weight * 2  # saves nothing; check the counter through a gate that saves
    product = (weight * weight).sum()
    cr.nn.init.orthogonal_(weight)
    assert weight.dtype == cr.float64 and saved.dtype == cr.float64
    with pytest.raises(RuntimeError):
        product.backward()
