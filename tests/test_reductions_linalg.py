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
