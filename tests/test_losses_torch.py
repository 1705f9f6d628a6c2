"""The new losses against PyTorch in float64: values and input gradients for each
reduction, module and functional forms."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

RNG = np.random.default_rng(0)
INPUT, TARGET = RNG.normal(size=(3, 4)) * 2, RNG.normal(size=(3, 4))
LOSSES = [("L1Loss", {}), ("SmoothL1Loss", {"beta": 0.7}), ("SmoothL1Loss", {"beta": 0.0}),
          ("HuberLoss", {"delta": 0.6})]


def _run(lib: Any, name: str, options: dict[str, Any], reduction: str) -> Any:
    x = lib.tensor(INPUT, requires_grad=True)
    out = getattr(lib.nn, name)(reduction=reduction, **options)(x, lib.tensor(TARGET))
    (out * lib.tensor(np.linspace(-1, 2, out.numel()).reshape(out.shape))).sum().backward()
    return out.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("name", "options"), LOSSES)
def test_loss_matches_torch(name: str, options: dict[str, Any], reduction: str) -> None:
    for mine, theirs in zip(_run(cr, name, options, reduction),
                            _run(torch, name, options, reduction)):
        assert mine.shape == theirs.shape
        np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-14)


def test_bad_reduction_and_beta_raise_like_torch() -> None:
    for lib in (torch, cr):
        with pytest.raises(ValueError):
            lib.nn.functional.l1_loss(lib.zeros(2), lib.zeros(2), reduction="avg")
        with pytest.raises(RuntimeError):
            lib.nn.functional.smooth_l1_loss(lib.zeros(2), lib.zeros(2), beta=-1.0)
