"""The new activations, normalisation, padding and similarity functions against PyTorch in
float64: values and input gradients, same code run with `torch` and with `chainrule`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

VALUES = np.random.default_rng(0).normal(size=(2, 4, 3)) * 3
OTHER = VALUES[::-1].copy()
_PLAIN = ["elu", "selu", "celu", "silu", "mish", "logsigmoid", "softsign", "tanhshrink",
          "relu6", "hardsigmoid", "hardswish", "hardshrink", "softshrink"]
CALLS: dict[str, Callable[[Any, Any], Any]] = {
    name: lambda lib, x, name=name: getattr(lib.nn.functional, name)(x) for name in _PLAIN}
CALLS.update({
    "softmin": lambda lib, x: lib.nn.functional.softmin(x, 1),
    "threshold": lambda lib, x: lib.nn.functional.threshold(x, 0.3, -2.0),
    "glu": lambda lib, x: lib.nn.functional.glu(x, 1),
    "layer_norm": lambda lib, x: lib.nn.functional.layer_norm(x, (4, 3)) * lib.tensor(VALUES),
    "group_norm": lambda lib, x: lib.nn.functional.group_norm(x, 2) * lib.tensor(VALUES),
    "normalize": lambda lib, x: lib.nn.functional.normalize(x, dim=1) * lib.tensor(VALUES),
    "cosine_similarity": lambda lib, x: lib.nn.functional.cosine_similarity(
        x, lib.tensor(OTHER), dim=1),
    "pairwise_distance": lambda lib, x: lib.nn.functional.pairwise_distance(
        x, lib.tensor(OTHER)),
    "pad": lambda lib, x: lib.nn.functional.pad(x, (1, 2, -1, 1), value=0.5) * 2,
    "prelu": lambda lib, x: lib.nn.functional.prelu(
        x, lib.tensor([0.1, 0.2, 0.3, 0.4], dtype=lib.float64)),
})


def _run(lib: Any, call: Callable[[Any, Any], Any]) -> tuple[np.ndarray, np.ndarray]:
    x = lib.tensor(VALUES, requires_grad=True)
    out = call(lib, x)
    (out * lib.tensor(np.linspace(-1, 1, out.numel()).reshape(out.shape))).sum().backward()
    return out.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize("name", sorted(CALLS))
def test_matches_torch_float64(name: str) -> None:
    reference, ours = _run(torch, CALLS[name]), _run(cr, CALLS[name])
    # hardsigmoid: PyTorch's float64 backward uses a rounded 1/6 (differs by ~5e-9)
    rtol = 1e-7 if name == "hardsigmoid" else 1e-10
    for mine, theirs in zip(ours, reference):
        assert mine.shape == theirs.shape
        np.testing.assert_allclose(mine, theirs, rtol=rtol, atol=1e-12)


def test_layer_state_dicts_and_reprs_match_torch() -> None:
    for make in (lambda nn: nn.LayerNorm((4, 3)), lambda nn: nn.GroupNorm(2, 4),
                 lambda nn: nn.PReLU(4), lambda nn: nn.Unflatten(1, (2, 3)),
                 lambda nn: nn.ELU(inplace=True), lambda nn: nn.Softmin(1),
                 lambda nn: nn.Threshold(0.1, 2.0), lambda nn: nn.Hardshrink()):
        theirs, mine = make(torch.nn), make(cr.nn)
        assert repr(mine) == repr(theirs)
        assert list(mine.state_dict()) == list(theirs.state_dict())
