"""nn.Embedding.from_pretrained and the lookup options max_norm, norm_type and
scale_grad_by_freq against PyTorch in float64: outputs, the renormalised table, the table's
gradient, sharing of storage, freezing, and the repr."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

TABLE = np.random.default_rng(5).normal(size=(6, 3)) * 1.5
IDS = np.array([[0, 2, 2, 5], [1, 2, 0, 3]])


def _lookup(lib: Any, freeze: bool, options: dict[str, Any]) -> list[Any]:
    table = lib.tensor(TABLE.copy())
    layer = lib.nn.Embedding.from_pretrained(table, freeze=freeze, **options)
    out = layer(lib.tensor(IDS))
    weights = lib.tensor(np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)))
    if out.requires_grad:
        (out * weights).sum().backward()
    grad = layer.weight.grad
    return [out.detach().numpy(), layer.weight.detach().numpy(), table.numpy(),
            None if grad is None else grad.numpy(), layer.weight.requires_grad, repr(layer)]


OPTIONS = [{}, {"padding_idx": 2}, {"padding_idx": -1}, {"max_norm": 1.0},
           {"max_norm": 0.8, "norm_type": 1.0}, {"max_norm": 2.0, "norm_type": float("inf")},
           {"scale_grad_by_freq": True}, {"scale_grad_by_freq": True, "padding_idx": 0},
           {"max_norm": 1.2, "scale_grad_by_freq": True}]


@pytest.mark.parametrize("freeze", [True, False])
@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_from_pretrained_matches_torch(options: dict[str, Any], freeze: bool) -> None:
    want = _lookup(torch, freeze, options)
    got = _lookup(cr, freeze, options)
    for index in range(3):  # output, the (renormalised) table, the shared original
        np.testing.assert_allclose(got[index], want[index], rtol=1e-12)
    assert (got[3] is None) == (want[3] is None) == freeze
    if not freeze:
        np.testing.assert_allclose(got[3], want[3], rtol=1e-12)
    assert got[4] == want[4] == (not freeze)
    assert got[5] == want[5]


def test_functional_embedding_options() -> None:
    results = []
    for lib in (torch, cr):
        weight = lib.tensor(TABLE.copy(), requires_grad=True)
        out = lib.nn.functional.embedding(lib.tensor(IDS), weight, scale_grad_by_freq=True)
        (out * out).sum().backward()
        results.append(weight.grad.numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12)


def test_module_repr_with_every_option() -> None:
    options = {"padding_idx": 1, "max_norm": 1.0, "norm_type": 1.0, "scale_grad_by_freq": True,
               "sparse": True}
    assert repr(cr.nn.Embedding(3, 2, **options)) == repr(torch.nn.Embedding(3, 2, **options))


def test_max_norm_moves_the_version_so_saved_rows_are_stale() -> None:
    weight = cr.tensor(TABLE.copy(), requires_grad=True)
    saved = (weight * weight).sum()  # saves the weight for its gradient
    with cr.no_grad():
        table = weight.detach()
    cr.nn.functional.embedding(cr.tensor(IDS), table, max_norm=0.5)
    with pytest.raises(RuntimeError):
        saved.backward()


def test_from_pretrained_needs_a_matrix() -> None:
    with pytest.raises(ValueError, match="2-dimensional"):
        cr.nn.Embedding.from_pretrained(cr.zeros(3))
