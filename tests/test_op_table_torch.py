"""Every one-input row of the op table against PyTorch: the method, the cr.* function, the
in-place form and the gradient, on the row's own input range, in float64."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops.table import OPS, UNARY

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

ROWS = [op for op in OPS if op.kind == UNARY and op.name != "clone"]


def _input(op) -> np.ndarray:  # noqa: ANN001
    rng = np.random.default_rng(len(op.name))
    low, high = op.gradcheck.get("low", -2.0), op.gradcheck.get("high", 2.0)
    values = rng.uniform(low, high, size=(3, 4))
    away = op.gradcheck.get("away_from_zero", 0.0)
    return np.where(np.abs(values) < away, np.copysign(away, values) + values, values)


@pytest.mark.parametrize("op", ROWS, ids=[op.name for op in ROWS])
def test_unary_row_matches_pytorch(op) -> None:  # noqa: ANN001
    values = _input(op)
    upstream = np.random.default_rng(7).normal(size=values.shape)
    mine = cr.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    out, expected = getattr(mine, op.name)(), getattr(theirs, op.name)()
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12,
                               atol=1e-12)
    out.backward(cr.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(mine.grad.numpy(), theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
    if op.function:
        np.testing.assert_allclose(getattr(cr, op.name)(cr.tensor(values)).numpy(),
                                   expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    if op.inplace:
        changed = cr.tensor(values)
        getattr(changed, op.name + "_")()
        np.testing.assert_allclose(changed.numpy(), expected.detach().numpy(), rtol=1e-12,
                                   atol=1e-12)
    for alias in op.aliases:
        np.testing.assert_allclose(getattr(mine.detach(), alias)().numpy(),
                                   expected.detach().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("op", [op for op in ROWS if op.floating],
                         ids=[op.name for op in ROWS if op.floating])
def test_unary_row_promotes_integers_as_pytorch(op) -> None:  # noqa: ANN001
    ints = np.array([1, 2, 3]) if op.name not in ("asin", "acos", "atanh") else np.array([0])
    if op.name == "acosh":
        ints = np.array([2, 3])
    mine = getattr(cr.tensor(ints), op.name)()
    theirs = getattr(torch.tensor(ints), op.name)()
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6)
