"""`cr.linalg.inv`, `det` and `solve` against PyTorch (values, gradients, errors); their
central-difference checks are in test_reductions_gradients.py, which runs without PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

from .test_reductions_torch import compare, same_error

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

RNG = np.random.default_rng(31)
A = RNG.uniform(-1, 1, (3, 3)) + 2 * np.eye(3)
BATCH = RNG.uniform(-1, 1, (2, 3, 3)) + 2 * np.eye(3)
B = RNG.uniform(-1, 1, (3, 2))


@pytest.mark.parametrize("matrix", [A, BATCH], ids=["single", "batch"])
def test_inv_and_det(matrix: np.ndarray) -> None:
    compare(lambda m, a: m.linalg.inv(a), matrix, rtol=1e-9)
    compare(lambda m, a: m.linalg.det(a), matrix, rtol=1e-9)


@pytest.mark.parametrize("shapes", [((3, 3), (3, 2)), ((3, 3), (3,)), ((2, 3, 3), (3, 1)),
                                    ((2, 3, 3), (2, 3)), ((3, 3), (4, 3, 2))])
def test_solve(shapes: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a = RNG.uniform(-1, 1, shapes[0]) + 2 * np.eye(3)
    b = RNG.uniform(-1, 1, shapes[1])
    compare(lambda m, x, y: m.linalg.solve(x, y), a, b, rtol=1e-9)


def test_float32_keeps_its_dtype() -> None:
    compare(lambda m, a: m.linalg.inv(a), A.astype(np.float32), rtol=1e-5, atol=1e-6,
            grad=False)
    compare(lambda m, a: m.linalg.det(a), A.astype(np.float32), rtol=1e-5, grad=False)


def test_errors() -> None:
    same_error(lambda m, a: m.linalg.inv(a), np.ones((2, 3)))
    same_error(lambda m, a: m.linalg.det(a), np.ones(3))
    same_error(lambda m, a: m.linalg.inv(a), np.eye(2, dtype=np.int64))
    same_error(lambda m, a, b: m.linalg.solve(a, b), A, np.ones((4, 2)))
    for module in (torch, cr):  # PyTorch raises LinAlgError, a RuntimeError
        with pytest.raises(RuntimeError, match="singular"):
            module.linalg.inv(module.tensor(np.ones((2, 2))))
        with pytest.raises(RuntimeError, match="singular"):
            module.linalg.solve(module.tensor(np.ones((2, 2))), module.tensor(np.ones(2)))


def test_log_determinants() -> None:
    flipped = BATCH.copy()
    flipped[0, 0] *= -1  # a negative determinant: logdet is NaN there, as in PyTorch
    for matrix in (A, BATCH, flipped):
        compare(lambda m, a: m.logdet(a), matrix, rtol=1e-9)
        compare(lambda m, a: m.slogdet(a).logabsdet, matrix, rtol=1e-9)
        compare(lambda m, a: a.slogdet().sign, matrix, grad=False)
        compare(lambda m, a: m.linalg.slogdet(a), matrix, grad=False, rtol=1e-9)
    compare(lambda m, a: m.logdet(a), np.zeros((2, 2)), grad=False)
    compare(lambda m, a: m.slogdet(a), np.zeros((2, 2)), grad=False)
    # PyTorch records the sign (its gradient is 0); chainrule returns it unrecorded
    assert not cr.slogdet(cr.tensor(A, requires_grad=True)).sign.requires_grad


def test_distances() -> None:
    x = np.array([[0.0, 1.0], [2.0, 2.0]])
    y = np.array([[0.0, 1.0], [1.0, 1.0], [3.0, 0.0]])  # row 0 of each: distance 0
    for p in (2.0, 1.0, 3.0, 0.0):
        compare(lambda m, a, b, q=p: m.cdist(a, b, p=q), x, y)
    # p = inf: PyTorch's cdist gives each tied coordinate the whole gradient (its
    # vector_norm splits it), so only the values are compared where |differences| tie
    compare(lambda m, a, b: m.cdist(a, b, p=float("inf")), x, y, grad=False)
    compare(lambda m, a, b: m.cdist(a, b, p=float("inf")), x, y + [0.0, 0.25])
    batch_x, batch_y = RNG.uniform(-1, 1, (2, 3, 4)), RNG.uniform(-1, 1, (2, 5, 4))
    compare(lambda m, a, b: m.cdist(a, b), batch_x, batch_y)
    compare(lambda m, a, b: m.dist(a, b), x, x[0] + 0.5)
    compare(lambda m, a, b: a.dist(b, 3), x, y[:2])
    same_error(lambda m, a, b: m.cdist(a, b), x, np.ones((2, 3)))
    same_error(lambda m, a, b: m.cdist(a, b), x[0], y)


def test_searchsorted_and_bucketize() -> None:
    rows = np.array([[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]])
    values = np.array([[3, 6, 9], [3, 6, 11]])
    for options in ({}, {"right": True}, {"side": "right"}, {"out_int32": True}):
        compare(lambda m, s, v, o=options: m.searchsorted(s, v, **o), rows, values, grad=False)
        compare(lambda m, s, v, o=options: m.searchsorted(s[0], v, **o), rows, values,
                grad=False)
    compare(lambda m, s, v: m.searchsorted(s, v), np.array([1.0, 2.0]), np.array(1.5),
            grad=False)
    unsorted = np.array([5, 1, 3])
    compare(lambda m, s, v: m.searchsorted(s, v, sorter=m.argsort(s)), unsorted,
            np.array([2, 4]), grad=False)
    for right in (False, True):
        compare(lambda m, x, b, r=right: m.bucketize(x, b, right=r), values,
                np.array([3, 6, 9]), grad=False)
        compare(lambda m, x, b, r=right: m.bucketize(x, b, right=r, out_int32=True),
                values * 0.5, np.array([1.0, 3.0]), grad=False)
    same_error(lambda m, s, v: m.searchsorted(s, v), rows, np.array([1]))
    same_error(lambda m, s, v: m.searchsorted(s, v, side="left", right=True), rows, values)
    same_error(lambda m, x, b: m.bucketize(x, b), values, rows)
