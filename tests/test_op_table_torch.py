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


TWO_INPUTS = ["atan2", "hypot", "fmod", "remainder", "xlogy", "maximum", "minimum", "mul",
              "div", "pow"]


@pytest.mark.parametrize("name", TWO_INPUTS)
def test_two_input_rows_match_pytorch_with_broadcasting(name: str) -> None:
    rng = np.random.default_rng(3)
    a = rng.uniform(0.3, 2.5, size=(3, 4)) * rng.choice([-1, 1], size=(3, 4))
    b = rng.uniform(0.4, 2.0, size=(4,)) * rng.choice([-1, 1], size=(4,))
    if name in ("xlogy", "pow"):
        a, b = np.abs(a), np.abs(b)
    upstream = rng.normal(size=(3, 4))
    mine = [cr.tensor(v, requires_grad=True) for v in (a, b)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    out, expected = getattr(cr, name)(*mine), getattr(torch, name)(*theirs)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    out.backward(cr.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for m, t in zip(mine, theirs):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


SPECIAL = np.array([0.3, 1.7, -2.5, 2.5, 0.0, -0.0, np.nan, np.inf, -np.inf, 1e300])


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "fix", "frac", "sign", "sgn",
                                  "erf", "erfc", "isinf", "isnan", "isfinite", "nan_to_num"])
def test_edge_values_match_pytorch(name: str) -> None:
    with np.errstate(invalid="ignore", over="ignore"):
        mine = getattr(cr, name)(cr.tensor(SPECIAL)).numpy()
    expected = getattr(torch, name)(torch.tensor(SPECIAL)).numpy()
    if expected.dtype == bool:
        np.testing.assert_array_equal(mine, expected)
    else:  # NaN where PyTorch has NaN; otherwise to the last few bits
        np.testing.assert_allclose(mine, expected, rtol=1e-13, atol=0)


def test_fronts_of_the_second_batch_match_pytorch() -> None:
    x = np.array([0.1, 0.5, 0.95])
    y = np.array([2.0, -1.0, 0.5])
    pairs = [
        (lambda m: m.clamp_min(m.tensor(x), 0.4), None),
        (lambda m: m.clamp_max(m.tensor(x), 0.4), None),
        (lambda m: m.lerp(m.tensor(x), m.tensor(y), 0.3), None),
        (lambda m: m.addcmul(m.tensor(x), m.tensor(y), m.tensor(x), value=0.5), None),
        (lambda m: m.addcdiv(m.tensor(x), m.tensor(y), m.tensor(x), value=2.0), None),
        (lambda m: m.logit(m.tensor(x)), None),
        (lambda m: m.logit(m.tensor(x), eps=0.2), None),
        (lambda m: m.round(m.tensor(y * 1.234), decimals=2), None),
        (lambda m: m.tensor(y) % 0.7, None),
    ]
    for make, _ in pairs:
        np.testing.assert_allclose(make(cr).numpy(), make(torch).numpy(), rtol=1e-12)


def test_erfinv_matches_pytorch_up_to_the_ends() -> None:
    """Across [−1, 1], at ±1 (±inf), outside (NaN) and within 1e−15 of the ends, where a
    Newton step on erf (rather than log erfc) would lose every digit."""
    ends = 1 - np.logspace(-15, -1, 200)
    x = np.concatenate([np.linspace(-1, 1, 2001), ends, -ends, [1.5, -2.0, np.nan, 1e-300]])
    with np.errstate(invalid="ignore", divide="ignore"):
        mine = cr.erfinv(cr.tensor(x)).numpy()
    np.testing.assert_allclose(mine, torch.erfinv(torch.tensor(x)).numpy(), rtol=1e-9, atol=0)
    single = np.linspace(-0.999, 0.999, 101, dtype=np.float32)
    mine32 = cr.tensor(single).erfinv()
    assert mine32.dtype == cr.float32
    np.testing.assert_allclose(mine32.numpy(), torch.tensor(single).erfinv().numpy(), rtol=1e-6)
