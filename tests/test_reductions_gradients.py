"""The reductions family's public functions through float64 central differences
(`cr.autograd.gradcheck`), over Hypothesis-drawn shapes, dims and inputs free of ties."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.autograd import gradcheck, gradgradcheck

from .strategies import nonscalar_shapes, seeds

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def distinct_leaf(shape: tuple[int, ...], seed: int, positive: bool = False) -> cr.Tensor:
    """Values at least 0.1 apart (no ties, and, jittered, no ties among their sums either) and
    at least 0.05 from zero, in random order."""
    count = int(np.prod(shape))
    rng = np.random.default_rng(seed)
    order = rng.permutation(count) + rng.uniform(0, 0.3, count)
    values = order * 0.3 + 0.5 if positive else order * 0.3 - count * 0.15 + 0.05
    values = np.where(np.abs(values) < 0.05, 0.1, values)
    return cr.tensor(values.reshape(shape), dtype=cr.float64, requires_grad=True)


@st.composite
def shape_and_dim(draw: st.DrawFn) -> tuple[tuple[int, ...], int]:
    shape = draw(nonscalar_shapes)
    return shape, draw(st.integers(min_value=-len(shape), max_value=len(shape) - 1))


@settings(max_examples=15, deadline=None)
@given(case=shape_and_dim(), seed=seeds)
def test_running_totals(case: tuple[tuple[int, ...], int], seed: int) -> None:
    shape, dim = case
    x = distinct_leaf(shape, seed)
    assert gradcheck(lambda t: t.cumsum(dim), x)
    assert gradcheck(lambda t: (t * 0.3).cumprod(dim), x)
    assert gradcheck(lambda t: t.cummax(dim).values, x)
    assert gradcheck(lambda t: cr.cummin(t, dim).values, x)
    assert gradcheck(lambda t: t.logcumsumexp(dim), x)


@settings(max_examples=15, deadline=None)
@given(case=shape_and_dim(), seed=seeds, descending=st.booleans(), keep=st.booleans())
def test_sorting_and_selection(case: tuple[tuple[int, ...], int], seed: int, descending: bool,
                               keep: bool) -> None:
    shape, dim = case
    x = distinct_leaf(shape, seed)
    size = shape[dim]
    assert gradcheck(lambda t: t.sort(dim, descending).values, x)
    assert gradcheck(lambda t: t.topk(max(size - 1, 1), dim, largest=descending).values, x)
    assert gradcheck(lambda t: t.kthvalue(size, dim, keep).values, x)
    assert gradcheck(lambda t: t.median(dim, keep).values, x)
    assert gradcheck(lambda t: t.median(), x)
    assert gradcheck(lambda t: t.amax(dim, keep) * t.amin(), x)
    assert gradcheck(lambda t: sum(t.aminmax(dim=dim)), x)


@settings(max_examples=15, deadline=None)
@given(case=shape_and_dim(), seed=seeds,
       p=st.sampled_from([1, 2, 3, 1.5, 0.5, math.inf, -math.inf, "fro"]))
def test_norms(case: tuple[tuple[int, ...], int], seed: int, p: Any) -> None:
    shape, dim = case
    x = distinct_leaf(shape, seed)
    assert gradcheck(lambda t: t.norm(p), x)
    assert gradcheck(lambda t: cr.norm(t, p, dim=dim, keepdim=True), x)
    if p != "fro":
        assert gradcheck(lambda t: cr.linalg.vector_norm(t, p, dim), x)


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
def test_matrix_norms(ord: Any) -> None:  # noqa: A002
    x = distinct_leaf((2, 3, 4), 5)
    assert gradcheck(lambda t: cr.linalg.matrix_norm(t, ord), x)
    assert gradcheck(lambda t: cr.linalg.matrix_norm(t, ord, dim=(0, 2), keepdim=True), x)


def test_var_std_and_their_means() -> None:
    x = distinct_leaf((3, 4), 6)
    assert gradcheck(lambda t: sum(cr.var_mean(t, 1, correction=2)), x)
    assert gradcheck(lambda t: sum(cr.std_mean(t, unbiased=False)), x)


def test_cumprod_with_zeros_against_central_differences() -> None:
    rows = np.array([[0.0, 1.5, 0.7, 1.2], [1.1, 0.0, 0.0, 0.9], [0.8, 1.3, 1.4, 0.0]])
    for dim in (0, 1):
        assert gradcheck(lambda t, d=dim: t.cumprod(d),
                         cr.tensor(rows, dtype=cr.float64, requires_grad=True))


def test_norm_gradient_is_zero_at_zero() -> None:
    for p in (2, 3, 0.5):
        x = cr.zeros(3, dtype=cr.float64, requires_grad=True)
        cr.norm(x, p).backward()
        assert np.array_equal(x.grad.numpy(), np.zeros(3))


def test_second_derivatives_of_public_functions() -> None:
    x = distinct_leaf((3, 4), 8, positive=True)
    for f in (lambda t: t.cumprod(1), lambda t: t.norm(3, dim=0), lambda t: t.sort(0).values,
              lambda t: t.median(), lambda t: t.cumsum(0).amax(1),
              lambda t: t.logcumsumexp(1)):
        assert gradgradcheck(f, (x,))
    (first,) = cr.autograd.grad(x.cumprod(1).sum(), [x], create_graph=True)
    assert first.requires_grad  # cumprod's first derivative depends on x


def _leaf(array: Any) -> cr.Tensor:
    return cr.tensor(array, dtype=cr.float64, requires_grad=True)


def test_inv_det_solve_gradients_and_second_derivatives() -> None:
    rng = np.random.default_rng(31)
    A = rng.uniform(-1, 1, (3, 3)) + 2 * np.eye(3)  # noqa: N806 - a matrix
    BATCH = rng.uniform(-1, 1, (2, 3, 3)) + 2 * np.eye(3)  # noqa: N806
    B = rng.uniform(-1, 1, (3, 2))  # noqa: N806 - a matrix
    for f, inputs in ((cr.linalg.inv, (_leaf(BATCH),)), (cr.linalg.det, (_leaf(A),)),
                      (cr.linalg.solve, (_leaf(A), _leaf(B))),
                      (cr.linalg.solve, (_leaf(BATCH), _leaf(B[:, 0])))):
        assert gradcheck(f, inputs)
        assert gradgradcheck(f, inputs)


def test_log_determinant_and_distance_gradients() -> None:
    rng = np.random.default_rng(32)
    matrices = _leaf(rng.uniform(-1, 1, (2, 3, 3)) + 2 * np.eye(3))
    assert gradcheck(lambda a: cr.slogdet(a).logabsdet, matrices)
    assert gradgradcheck(lambda a: cr.logdet(a), matrices)
    x, y = _leaf(rng.uniform(-1, 1, (3, 2))), _leaf(rng.uniform(-1, 1, (4, 2)))
    for p in (1.0, 2.0, 3.0):
        assert gradcheck(lambda a, b, q=p: cr.cdist(a, b, p=q), (x, y))
    assert gradcheck(lambda a, b: cr.dist(a, b[:3]), (x, y))


@settings(max_examples=15, deadline=None)
@given(case=shape_and_dim(), seed=seeds,
       interpolation=st.sampled_from(["linear", "lower", "higher", "midpoint", "nearest"]))
def test_quantiles(case: tuple[tuple[int, ...], int], seed: int, interpolation: str) -> None:
    shape, dim = case
    x = distinct_leaf(shape, seed)
    levels = cr.tensor([0.13, 0.61, 0.87], dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda t, q: cr.quantile(t, q, dim, interpolation=interpolation),
                     (x, levels))
    assert gradcheck(lambda t: t.nanquantile(0.37, interpolation=interpolation), x)


def test_mode_gradient() -> None:
    x = cr.tensor([[1.0, 2.0, 2.0, 1.0, 3.0], [5.0, 5.0, 4.0, 4.0, 4.0]], dtype=cr.float64,
                  requires_grad=True)
    cr.mode(x, 1).values.sum().backward()
    assert x.grad.tolist() == [[0, 0, 0, 1, 0], [0, 0, 0, 0, 1]]
