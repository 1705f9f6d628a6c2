"""The reductions family against PyTorch: each test runs the same code with `torch` and with
`chainrule` as the module and compares values, dtypes, shapes, the names of the returned
pairs and the gradients of a random upstream, in float64 (and the error types of bad
input)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

RNG = np.random.default_rng(12)
X = RNG.permutation(12).reshape(3, 4) * 0.5 - 2.7          # distinct, no zeros
TIES = np.array([[1.0, 3.0, 3.0, 0.5], [2.0, 2.0, -1.0, 2.0], [0.0, -4.0, 5.0, -4.0]])
ZEROS = np.array([[1.5, 0.0, 2.0, 0.5], [0.0, 0.7, 0.0, 3.0], [1.1, 0.9, 1.3, 0.0]])
EVEN = np.array([[4.0, 1.0, 3.0, 2.0], [0.5, -1.0, 7.0, 2.5]])


def _leaves(module: Any, arrays: tuple[Any, ...], grad: bool) -> list[Any]:
    return [module.tensor(a, requires_grad=grad and np.asarray(a).dtype.kind == "f")
            for a in arrays]


def _outputs(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _position(pair: Any, field: str) -> int:
    """Where `field` sits in a torch named pair."""
    return next(i for i, item in enumerate(pair) if item is getattr(pair, field))


def _dtype_name(tensor: Any) -> str:
    return str(tensor.dtype).rsplit(".", 1)[-1].replace("bool_", "bool")


def compare(fn: Callable[..., Any], *arrays: Any, grad: bool = True, rtol: float = 1e-10,
            atol: float = 1e-12) -> None:
    """fn(module, *tensors) with torch and with chainrule: the same outputs (values, dtypes,
    shapes, field names) and the same gradients for a random upstream."""
    theirs_in, mine_in = _leaves(torch, arrays, grad), _leaves(cr, arrays, grad)
    theirs, mine = fn(torch, *theirs_in), fn(cr, *mine_in)
    if type(theirs).__module__ == "torch.return_types":  # a named pair: the same names
        assert type(mine).__name__ == type(theirs).__name__
        for field in ("values", "indices", "min", "max", "hist", "bin_edges"):
            if hasattr(theirs, field):
                assert getattr(mine, field) is mine[_position(theirs, field)], field
    expected, found = _outputs(theirs), _outputs(mine)
    assert len(found) == len(expected)
    upstream_total_theirs, upstream_total_mine = 0, 0
    for index, (want, got) in enumerate(zip(expected, found)):
        assert tuple(got.shape) == tuple(want.shape), f"output {index}: shape"
        assert _dtype_name(got) == _dtype_name(want), f"output {index}: dtype"
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=rtol,
                                   atol=atol, err_msg=f"output {index}")
        if grad and want.requires_grad:
            assert got.requires_grad, f"output {index} has no gradient"
            upstream = RNG.uniform(0.5, 1.5, tuple(want.shape)) * RNG.choice([-1, 1],
                                                                               tuple(want.shape))
            upstream_total_theirs = upstream_total_theirs + (want * torch.tensor(upstream)).sum()
            upstream_total_mine = upstream_total_mine + (got * cr.tensor(upstream)).sum()
    if not isinstance(upstream_total_theirs, int):
        upstream_total_theirs.backward()
        upstream_total_mine.backward()
        for want_in, got_in in zip(theirs_in, mine_in):
            if want_in.requires_grad:
                # PyTorch leaves an all-zero gradient undefined (None) where the
                # output's derivative is 0 everywhere (vector_norm of order 0)
                wanted = np.zeros(tuple(want_in.shape)) if want_in.grad is None else \
                    want_in.grad.numpy()
                got_grad = np.zeros(tuple(got_in.shape)) if got_in.grad is None else \
                    got_in.grad.numpy()  # an input the outputs do not depend on (q)
                np.testing.assert_allclose(got_grad, wanted, rtol=rtol, atol=atol,
                                           err_msg="gradient")


def same_error(fn: Callable[..., Any], *arrays: Any) -> None:
    """fn raises the same exception type with torch and with chainrule."""
    with pytest.raises(Exception) as expected:
        fn(torch, *[torch.tensor(a) for a in arrays])
    with pytest.raises(expected.type):
        fn(cr, *[cr.tensor(a) for a in arrays])


# ---------------------------------------------------------------- cumsum, cumprod
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum_and_cumprod(dim: int) -> None:
    compare(lambda m, x: m.cumsum(x, dim), X)
    compare(lambda m, x: x.cumsum(dim=dim), X)
    compare(lambda m, x: m.cumprod(x, dim), X)
    compare(lambda m, x: x.cumprod(dim), ZEROS)


def test_cumprod_gradient_with_zeros_in_every_place() -> None:
    for row in ([0.0, 2.0, 3.0], [2.0, 0.0, 3.0], [2.0, 3.0, 0.0], [0.0, 0.0, 3.0],
                [0.0, 2.0, 0.0], [0.0, 0.0, 0.0]):
        compare(lambda m, x: m.cumprod(x, 0), np.array(row))


def test_cumulative_dtypes() -> None:
    compare(lambda m, x: m.cumsum(x, 0), np.array([1, 2, 3], dtype=np.int32), grad=False)
    compare(lambda m, x: m.cumprod(x, 0), np.array([True, True, False]), grad=False)
    compare(lambda m, x: m.cumsum(x, 0, dtype=m.float64), np.array([1, 2], dtype=np.uint8),
            grad=False)
    compare(lambda m, x: m.cumsum(x, 0), np.array(2.5))


def test_cumsum_in_place() -> None:
    compare(lambda m, x: x.clone().cumsum_(1), np.arange(6).reshape(2, 3), grad=False)
    compare(lambda m, x: x.clone().cumprod_(0), X, grad=False)
    mine = cr.tensor([1, 2, 3], dtype=cr.int32)
    assert mine.cumsum_(0) is mine and mine.dtype == cr.int32


def test_cumsum_in_place_invalidates_a_saved_tensor() -> None:
    for module in (torch, cr):
        weight = module.tensor([1.0, 2.0], requires_grad=True)
        saved = module.tensor([3.0, 4.0])
        product = weight * saved        # saves `saved` for the gradient of `weight`
        saved.cumsum_(0)
        with pytest.raises(RuntimeError):
            product.sum().backward()


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin(name: str) -> None:
    compare(lambda m, x: getattr(m, name)(x, 1), X)
    compare(lambda m, x: getattr(x, name)(0), TIES)          # ties: the latest index
    compare(lambda m, x: getattr(m, name)(x, 0), np.array([1.0, np.nan, 2.0, -1.0]),
            grad=False)
    compare(lambda m, x: getattr(m, name)(x, 0), np.array([2, 1, 1, 3]), grad=False)
    compare(lambda m, x: getattr(m, name)(x, 0), np.array(1.5))


def test_logcumsumexp() -> None:
    for dim in (0, 1, -1):
        compare(lambda m, x, d=dim: m.logcumsumexp(x, d), X)
    wide = np.array([[1.0, 2.0, -1000.0, 800.0], [3.0, -np.inf, 0.0, -2.0]])  # no overflow
    compare(lambda m, x: x.logcumsumexp(1), wide)
    compare(lambda m, x: m.logcumsumexp(x, 0), X.astype(np.float32), grad=False, rtol=1e-6)
    compare(lambda m, x: m.logcumsumexp(x, 0), np.array(2.0))
    same_error(lambda m, x: m.logcumsumexp(x, 0), np.arange(3))


def test_cumulative_errors() -> None:
    same_error(lambda m, x: m.cumsum(x, 2), X)
    same_error(lambda m, x: m.cumprod(x, -3), X)
    same_error(lambda m, x: m.cummax(x, 2), X)


# ---------------------------------------------------------------- amax, amin, aminmax, max
@pytest.mark.parametrize("dim", [(), 0, 1, (0, 1), -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_amax_amin_share_ties(dim: Any, keepdim: bool) -> None:
    compare(lambda m, x: m.amax(x, dim, keepdim), TIES)
    compare(lambda m, x: x.amin(dim=dim, keepdim=keepdim), TIES)


def test_aminmax() -> None:
    compare(lambda m, x: m.aminmax(x), TIES)
    compare(lambda m, x: x.aminmax(dim=1, keepdim=True), X)
    compare(lambda m, x: m.aminmax(x, dim=0), np.arange(6).reshape(2, 3), grad=False)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_with_dim_return_named_pairs(name: str) -> None:
    compare(lambda m, x: getattr(m, name)(x, 1), X)
    compare(lambda m, x: getattr(x, name)(dim=0, keepdim=True), X)
    compare(lambda m, x: getattr(m, name)(x), TIES)
    mine = getattr(cr.tensor(X), name)(1)
    assert mine._fields == ("values", "indices") and mine.indices.dtype == cr.int64


def test_extreme_errors() -> None:
    same_error(lambda m, x: m.amax(x), np.zeros((0, 3)))
    same_error(lambda m, x: m.amin(x, 2), X)


# ---------------------------------------------------------------- sorting and selection
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_and_argsort(dim: int, descending: bool) -> None:
    compare(lambda m, x: m.sort(x, dim, descending), X)
    compare(lambda m, x: x.sort(dim=dim, descending=descending, stable=True),
            np.array([[2, 1, 2, 1], [0, 0, 3, 0]]), grad=False)
    compare(lambda m, x: m.argsort(x, dim=dim, descending=descending, stable=True),
            np.array([[2, 1, 2, 1], [0, 0, 3, 0]]), grad=False)
    compare(lambda m, x: x.argsort(dim=dim, descending=descending), X)


def test_sort_nan_and_bool_and_0d() -> None:
    with_nan = np.array([1.0, np.nan, -2.0, 3.0])
    for descending in (False, True):
        compare(lambda m, x, d=descending: m.sort(x, descending=d), with_nan, grad=False)
    compare(lambda m, x: m.sort(x), np.array([True, False, True]), grad=False)
    compare(lambda m, x: m.sort(x), np.array(1.5))
    compare(lambda m, x: m.msort(x), X)


@pytest.mark.parametrize("k", [0, 1, 3])
@pytest.mark.parametrize("largest", [True, False])
def test_topk(k: int, largest: bool) -> None:
    compare(lambda m, x: m.topk(x, k, largest=largest), X)
    compare(lambda m, x: x.topk(k, 0, largest), X)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_kthvalue(k: int) -> None:
    compare(lambda m, x: m.kthvalue(x, k, 0), X)
    compare(lambda m, x: x.kthvalue(k, dim=1, keepdim=True), X)


def test_median() -> None:
    compare(lambda m, x: m.median(x), X)
    compare(lambda m, x: m.median(x), TIES)                # ties share the gradient
    compare(lambda m, x: m.median(x), EVEN)                # the lower of the two middles
    compare(lambda m, x: x.median(1), EVEN)
    compare(lambda m, x: x.median(dim=0, keepdim=True), X)
    compare(lambda m, x: m.median(x, -1), np.arange(8).reshape(2, 4), grad=False)
    with_nan = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, 0.0, 1.0, 5.0]])
    compare(lambda m, x: m.median(x, 1), with_nan, grad=False)
    compare(lambda m, x: m.median(x), with_nan, grad=False)
    compare(lambda m, x: m.median(x, 0), np.array(2.0))


def test_selection_errors() -> None:
    same_error(lambda m, x: m.topk(x, 5), X)
    same_error(lambda m, x: m.topk(x, -1), X)
    same_error(lambda m, x: m.kthvalue(x, 0), X)
    same_error(lambda m, x: m.kthvalue(x, 5, 1), X)
    same_error(lambda m, x: m.sort(x, 2), X)
    same_error(lambda m, x: m.median(x, 1), np.zeros((2, 0)))


# ---------------------------------------------------------------- norms
@pytest.mark.parametrize("p", ["fro", 1, 2, 3, 0.5, math.inf, -math.inf, 0])
def test_norm(p: Any) -> None:
    compare(lambda m, x: m.norm(x, p), X)
    compare(lambda m, x: x.norm(p, dim=1, keepdim=True), X)
    compare(lambda m, x: x.norm(p, dim=(0, 1)), X)


def test_norm_at_zero_and_dtype() -> None:
    compare(lambda m, x: m.norm(x), np.zeros(3))
    compare(lambda m, x: m.linalg.vector_norm(x, 3), np.zeros((2, 2)))
    compare(lambda m, x: m.norm(x, dtype=m.float64), X.astype(np.float32), grad=False)
    compare(lambda m, x: m.linalg.vector_norm(x, dtype=m.float64), X.astype(np.float32),
            grad=False)


@pytest.mark.parametrize("ord", [2, 1, 3, math.inf, -math.inf, 0])
@pytest.mark.parametrize("dim", [None, 0, (0, 1)])
def test_vector_norm(ord: Any, dim: Any) -> None:  # noqa: A002
    compare(lambda m, x: m.linalg.vector_norm(x, ord, dim), X)
    compare(lambda m, x: m.linalg.vector_norm(x, ord=ord, dim=dim, keepdim=True), X)


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf])
def test_matrix_norm(ord: Any) -> None:  # noqa: A002
    compare(lambda m, x: m.linalg.matrix_norm(x, ord), X, rtol=1e-9)
    compare(lambda m, x: m.linalg.matrix_norm(x, ord, dim=(0, 1), keepdim=True), X, rtol=1e-9)
    batch = RNG.permutation(24).reshape(2, 3, 4) * 0.25 - 2.9
    compare(lambda m, x: m.linalg.matrix_norm(x, ord, dim=(2, 0)), batch, rtol=1e-9)


def test_linalg_norm_and_svdvals() -> None:
    compare(lambda m, x: m.linalg.norm(x), X)
    compare(lambda m, x: m.linalg.norm(x, 1), X)                  # 2-d: a matrix norm
    compare(lambda m, x: m.linalg.norm(x[0], 3), X)               # 1-d: a vector norm
    compare(lambda m, x: m.linalg.norm(x, math.inf, dim=1), X)
    compare(lambda m, x: m.linalg.norm(x, "nuc", dim=(0, 1)), X, rtol=1e-9)
    compare(lambda m, x: m.linalg.svdvals(x), X, rtol=1e-9)


def test_norm_errors() -> None:
    same_error(lambda m, x: m.linalg.vector_norm(x), np.arange(3))
    same_error(lambda m, x: m.linalg.matrix_norm(x), X[0])
    same_error(lambda m, x: m.linalg.matrix_norm(x, "bad"), X)
    same_error(lambda m, x: m.linalg.norm(x, 2), np.ones((2, 2, 2)))


# ---------------------------------------------------------------- logic and counting
@pytest.mark.parametrize("name", ["any", "all"])
def test_any_all(name: str) -> None:
    data = np.array([[0, 1, 2], [3, 0, 0]])
    for array in (data, data.astype(np.uint8), data.astype(bool), data * 0.5, np.array(2.0)):
        compare(lambda m, x: getattr(m, name)(x), array, grad=False)
        compare(lambda m, x: getattr(x, name)(dim=-1, keepdim=True), array, grad=False)
    compare(lambda m, x: getattr(m, name)(x, (0, 1)), data, grad=False)
    compare(lambda m, x: getattr(x, name)(0), data, grad=False)


def test_count_nonzero() -> None:
    data = np.array([[0, 1, 2], [3, 0, 0]])
    compare(lambda m, x: m.count_nonzero(x), data, grad=False)
    compare(lambda m, x: x.count_nonzero(dim=0), data * 1.5, grad=False)
    compare(lambda m, x: m.count_nonzero(x, (0, 1)), data.astype(bool), grad=False)


@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("correction", [0, 1, 2])
def test_var_std_correction(name: str, correction: int) -> None:
    compare(lambda m, x: getattr(m, name)(x, 1, correction=correction), X)
    compare(lambda m, x: getattr(x, name)(dim=0, keepdim=True, correction=correction), X)
    compare(lambda m, x: m.var_mean(x, 1, correction=correction), X)
    compare(lambda m, x: m.std_mean(x, correction=correction), X)


def test_var_std_unbiased() -> None:
    compare(lambda m, x: m.var(x, unbiased=False), X)
    compare(lambda m, x: x.std(1, unbiased=True), X)
    compare(lambda m, x: m.std_mean(x, dim=(0, 1), keepdim=True, unbiased=False), X)


def test_unique() -> None:
    data = np.array([[3, 1, 3], [2, 1, 0]])
    compare(lambda m, x: m.unique(x), data, grad=False)
    compare(lambda m, x: x.unique(return_inverse=True, return_counts=True), data, grad=False)
    compare(lambda m, x: m.unique(x, return_counts=True), data * 0.5, grad=False)
    rows = np.array([[1, 2], [1, 2], [0, 3]])
    compare(lambda m, x: m.unique(x, dim=0, return_inverse=True, return_counts=True), rows,
            grad=False)


def test_bincount() -> None:
    data = np.array([1, 1, 3, 0, 3, 3])
    compare(lambda m, x: m.bincount(x), data, grad=False)
    compare(lambda m, x: x.bincount(minlength=7), data, grad=False)
    for weights in (np.linspace(0, 1, 6), np.linspace(0, 1, 6).astype(np.float32), data):
        compare(lambda m, x, w: m.bincount(x, w), data, weights, grad=False)
    compare(lambda m, x: m.bincount(x), np.array([], dtype=np.int64), grad=False)
    same_error(lambda m, x: m.bincount(x), np.array([1, -1]))
    same_error(lambda m, x: m.bincount(x), np.array([[1]]))
    same_error(lambda m, x: m.bincount(x), np.array([1.0]))


def test_histc() -> None:
    data = np.array([1.0, 2.0, 1.0, 5.0, -1.0, 2.5])
    compare(lambda m, x: m.histc(x), data, grad=False)
    compare(lambda m, x: x.histc(bins=4, min=0, max=3), data, grad=False)
    compare(lambda m, x: m.histc(x, 3), data.astype(np.float32), grad=False)
    compare(lambda m, x: m.histc(x, 3), np.array([2.0, 2.0]), grad=False)
    same_error(lambda m, x: m.histc(x, min=3, max=1), data)
    same_error(lambda m, x: m.histc(x, bins=0), data)
    same_error(lambda m, x: m.histc(x), np.array([1, 2]))


def test_histogram() -> None:
    data = np.array([1.0, 2.0, 1.0, 5.0, -1.0, 2.5])
    compare(lambda m, x: m.histogram(x, 3), data, grad=False)
    compare(lambda m, x: x.histogram(4, range=(0.0, 3.0)), data, grad=False)
    compare(lambda m, x, e: m.histogram(x, e), data, np.array([0.0, 2.0, 6.0]), grad=False)
    compare(lambda m, x, w: m.histogram(x, 3, weight=w, density=True), data,
            np.linspace(1, 2, 6), grad=False)
    same_error(lambda m, x: m.histogram(x, 3), np.array([1, 2]))


# ---------------------------------------------------------------- keepdims= everywhere
KEEPDIMS = ["sum", "mean", "prod", "max", "min", "argmax", "argmin", "var", "std",
            "logsumexp", "any", "all", "amax", "amin", "median", "var_mean", "std_mean"]


@pytest.mark.parametrize("name", KEEPDIMS)
def test_keepdims_is_accepted_for_keepdim(name: str) -> None:
    compare(lambda m, x: getattr(m, name)(x, 1, keepdims=True), X)
    if hasattr(torch.Tensor, name):
        compare(lambda m, x: getattr(x, name)(0, keepdims=True), X)
    compare(lambda m, x: m.kthvalue(x, 2, 1, keepdims=True), X)
    with pytest.raises(TypeError):
        getattr(cr, name)(cr.tensor(X), 1, keepdim=1)


# ---------------------------------------------------------------- the checks can fail
def test_compare_catches_a_wrong_value_gradient_dtype_or_name() -> None:
    with pytest.raises(AssertionError):
        compare(lambda m, x: m.cumsum(x, 0 if m is torch else 1), X)
    with pytest.raises(AssertionError):  # same values, different gradients
        compare(lambda m, x: m.amax(x, 1) if m is torch else m.max(x, 1).values, TIES)
    with pytest.raises(AssertionError):
        compare(lambda m, x: m.cumsum(x, 0, dtype=m.float32 if m is cr else None), X)
    with pytest.raises(AssertionError):
        compare(lambda m, x: m.max(x, 1) if m is torch else m.min(x, 1), X * 0 + 1)
    with pytest.raises(pytest.fail.Exception):
        same_error(lambda m, x: m.cumsum(x, 2 if m is torch else 0), X)


# ---------------------------------------------------------------- NaN-skipping reductions
WITH_NAN = np.array([[1.0, np.nan, 3.0, 2.0], [np.nan, 0.5, -1.0, 4.0], [2.5, 1.5, 0.0, 7.0]])


@pytest.mark.parametrize("name", ["nansum", "nanmean"])
def test_nansum_nanmean(name: str) -> None:
    compare(lambda m, x: getattr(m, name)(x), WITH_NAN)
    compare(lambda m, x: getattr(x, name)(1, keepdim=True), WITH_NAN)
    compare(lambda m, x: getattr(m, name)(x, (0, 1), keepdims=True), WITH_NAN)
    # all NaN: the same values; PyTorch's nanmean gradient there is NaN (inf · 0), ours 0
    compare(lambda m, x: getattr(m, name)(x, 0), np.full((2, 3), np.nan), grad=name == "nansum")
    compare(lambda m, x: getattr(m, name)(x, dtype=m.float64), WITH_NAN.astype(np.float32),
            grad=False)


def test_nansum_of_integers_and_nanmean_error() -> None:
    compare(lambda m, x: m.nansum(x), np.arange(4, dtype=np.int32), grad=False)
    same_error(lambda m, x: m.nanmean(x), np.arange(4))


def test_nanmedian() -> None:
    compare(lambda m, x: m.nanmedian(x), WITH_NAN)
    compare(lambda m, x: x.nanmedian(), np.array([1.0, np.nan, 3.0, 2.0, 2.0]))  # ties share
    compare(lambda m, x: m.nanmedian(x, 1), WITH_NAN)
    compare(lambda m, x: x.nanmedian(0, keepdim=True), WITH_NAN)
    compare(lambda m, x: m.nanmedian(x, 0), np.arange(6).reshape(3, 2), grad=False)
    compare(lambda m, x: m.nanmedian(x), np.full(3, np.nan), grad=False)


def test_det_and_inverse_methods() -> None:
    matrix = np.array([[2.0, 0.5, 0.1], [0.3, 1.5, -0.2], [0.0, 0.4, 1.8]])
    compare(lambda m, a: a.det(), matrix, rtol=1e-9)
    compare(lambda m, a: m.det(a), matrix, rtol=1e-9)
    compare(lambda m, a: a.inverse(), matrix, rtol=1e-9)
    compare(lambda m, a: m.inverse(a), matrix, rtol=1e-9)


# ---------------------------------------------------------------- empty tensors
EMPTY = np.zeros((0, 3))
EMPTY_RESULTS = {
    "cumsum": lambda m, x: m.cumsum(x, 0), "cumprod": lambda m, x: m.cumprod(x, 1),
    "cummax": lambda m, x: m.cummax(x, 0).values, "sort": lambda m, x: m.sort(x, 0).values,
    "argsort": lambda m, x: m.argsort(x, dim=1), "topk": lambda m, x: m.topk(x, 0, 0).values,
    "kthvalue": lambda m, x: m.kthvalue(x, 1, 1).values,
    "count_nonzero": lambda m, x: m.count_nonzero(x), "norm": lambda m, x: m.norm(x),
    "amax": lambda m, x: m.amax(x, 1), "median": lambda m, x: m.median(x),
    "nanmedian": lambda m, x: m.nanmedian(x), "nansum": lambda m, x: m.nansum(x),
    "nanmean": lambda m, x: m.nanmean(x), "unique": lambda m, x: m.unique(x),
    "histc": lambda m, x: m.histc(x, 4), "matrix_norm": lambda m, x: m.linalg.matrix_norm(x, 1),
    "det": lambda m, x: m.linalg.det(x.reshape(0, 0)),
}


@pytest.mark.parametrize("name", sorted(EMPTY_RESULTS))
def test_empty_tensors(name: str) -> None:
    compare(EMPTY_RESULTS[name], EMPTY, grad=False)


def test_empty_reductions_that_have_no_value() -> None:
    same_error(lambda m, x: m.linalg.vector_norm(x, math.inf), EMPTY)
    same_error(lambda m, x: m.amax(x, 0), EMPTY)
    same_error(lambda m, x: m.amin(x), EMPTY)


# ---------------------------------------------------------------- quantiles
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantiles(name: str, interpolation: str) -> None:
    levels = np.array([0.0, 0.1, 0.3, 0.5, 0.75, 1.0])
    for data in (X, WITH_NAN, np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])):
        compare(lambda m, x, q: getattr(m, name)(x, q, interpolation=interpolation), data,
                levels, grad=data is not WITH_NAN)
        compare(lambda m, x: getattr(x, name)(0.4, dim=-1, interpolation=interpolation), data,
                grad=data is not WITH_NAN)
    compare(lambda m, x, q: getattr(m, name)(x, q, 1, keepdim=True, interpolation=interpolation),
            X, levels)
    compare(lambda m, x: getattr(m, name)(x, 0.5, keepdim=True), X)
    compare(lambda m, x: getattr(m, name)(x, 0.25, 0, keepdims=True), X.astype(np.float32),
            grad=False, rtol=1e-6)
    compare(lambda m, x: getattr(m, name)(x, 0.5, 0), np.array(2.0))
    compare(lambda m, x: getattr(m, name)(x, 0.5, 1), np.array([[np.nan, np.nan], [1.0, 2.0]]),
            grad=False)


def test_quantile_errors() -> None:
    same_error(lambda m, x: m.quantile(x, 1.5), X)
    same_error(lambda m, x: m.quantile(x, 0.5), np.arange(4))
    same_error(lambda m, x: m.quantile(x, 0.5, interpolation="bad"), X)
    same_error(lambda m, x, q: m.quantile(x, q), X, np.array([[0.5]]))
    same_error(lambda m, x, q: m.quantile(x, q), X, np.array([0.5], dtype=np.float32))
    same_error(lambda m, x: m.nanquantile(x, 0.5), np.zeros(0))


def test_mode() -> None:
    repeats = np.array([[1.0, 2.0, 2.0, 1.0, 3.0], [5.0, 5.0, 4.0, 4.0, 4.0]])
    compare(lambda m, x: m.mode(x, 1), repeats)                 # smallest of ties, last index
    compare(lambda m, x: x.mode(0, keepdim=True), repeats)
    compare(lambda m, x: m.mode(x), np.array([3, 1, 2]), grad=False)
    compare(lambda m, x: m.mode(x, 0), np.array([[1, 1], [2, 2]]), grad=False)
    compare(lambda m, x: m.mode(x), np.array(2.0))
    compare(lambda m, x: m.mode(x), np.array([1.0, np.nan, np.nan]), grad=False)
    same_error(lambda m, x: m.mode(x, 2), repeats)
