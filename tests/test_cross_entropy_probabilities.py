"""Cross-entropy with class-probability targets that are constants, against PyTorch.

Such targets go through the fused gate's probability branch (`class_coefficients`), which no
other test reached: the gradient tests use targets that require grad, and those take the
recorded path instead.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.ops.loss import CrossEntropy

torch = pytest.importorskip("torch", reason="PyTorch is the oracle here")

LAYOUTS = {"batch": (6, 4), "unbatched": (4,), "extra-dims": (2, 4, 3, 2)}


def _probabilities(shape: tuple[int, ...], seed: int) -> np.ndarray:
    classes_axis = 0 if len(shape) == 1 else 1
    raw = np.random.default_rng(seed).dirichlet(np.ones(shape[classes_axis]),
                                                int(np.prod(shape)) // shape[classes_axis])
    if len(shape) <= 2:
        return raw.reshape(shape)
    moved = (shape[0],) + shape[2:] + (shape[1],)
    return np.moveaxis(raw.reshape(moved), -1, 1)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("smoothing", [0.0, 0.15])
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_probability_targets_match_pytorch(layout: str, smoothing: float, weighted: bool,
                                           reduction: str) -> None:
    shape = LAYOUTS[layout]
    rng = np.random.default_rng(1)
    scores = rng.normal(size=shape)
    target = _probabilities(shape, 2)
    weight = np.array([1.0, 2.0, 0.5, 1.5]) if weighted else None

    x = cr.tensor(scores, dtype=cr.float64, requires_grad=True)
    out = F.cross_entropy(x, cr.tensor(target), weight=None if weight is None else
                          cr.tensor(weight), reduction=reduction, label_smoothing=smoothing)
    if layout == "batch":
        assert isinstance(out.grad_fn, CrossEntropy)  # the fused gate, not recorded gates
    tx = torch.tensor(scores, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(
        tx, torch.tensor(target), weight=None if weight is None else torch.tensor(weight),
        reduction=reduction, label_smoothing=smoothing)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12,
                               atol=1e-12)

    upstream = rng.normal(size=tuple(expected.shape))
    out.backward(cr.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_float32_probabilities_with_float64_scores() -> None:
    scores = np.random.default_rng(3).normal(size=(5, 3))
    target = _probabilities((5, 3), 4).astype(np.float32)
    x = cr.tensor(scores, dtype=cr.float64, requires_grad=True)
    out = F.cross_entropy(x, cr.tensor(target), label_smoothing=0.1)
    assert out.dtype == cr.float64
    tx = torch.tensor(scores, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(tx, torch.tensor(target).double(),
                                                 label_smoothing=0.1)
    out.backward()
    expected.backward()
    assert out.item() == pytest.approx(expected.item(), rel=1e-7)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
