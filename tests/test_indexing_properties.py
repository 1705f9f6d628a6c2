"""Hypothesis-drawn shapes, dims and indices for the indexing family: gather, index_select,
masked_fill with a broadcast mask against PyTorch (values and gradients; skipped without
it), split and roll by round trips and central differences.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.autograd import gradcheck

from .strategies import broadcast_pairs, leaf, nonscalar_shapes, seeds

try:
    import torch
except ImportError:  # the oracle tests skip; the round trips still run
    torch = None

FAST = settings(max_examples=25, deadline=None)


def _both(values: np.ndarray, program: Any) -> None:
    """Runs `program(lib, x)` in both libraries; compares values and x's gradient."""
    if torch is None:
        pytest.skip("PyTorch is not installed: the oracle tests need it (pip install "
                    "torch==2.13.0); chainrule does not depend on it")
    upstream = None
    results = []
    for lib in (torch, cr):
        x = lib.tensor(values, requires_grad=True)
        out = program(lib, x)
        if upstream is None:
            upstream = np.random.default_rng(0).uniform(0.5, 1.5, tuple(out.shape))
        (out * lib.tensor(upstream)).sum().backward()
        results.append((out.detach().numpy(), x.grad.numpy()))
    (theirs, their_grad), (mine, my_grad) = results
    np.testing.assert_allclose(mine, theirs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(my_grad, their_grad, rtol=1e-12, atol=1e-12)


@FAST
@given(shape=nonscalar_shapes, seed=seeds, data=st.data())
def test_gather_and_index_select_with_drawn_indices(shape: tuple[int, ...], seed: int,
                                                    data: st.DataObject) -> None:
    rng = np.random.default_rng(seed)
    values = rng.uniform(-2, 2, shape)
    dim = data.draw(st.integers(0, len(shape) - 1))
    index_shape = tuple(data.draw(st.integers(1, size)) if d != dim else data.draw(
        st.integers(1, 5)) for d, size in enumerate(shape))
    index = rng.integers(0, shape[dim], index_shape)
    _both(values, lambda lib, x: x.gather(dim, lib.tensor(index)))
    picks = rng.integers(0, shape[dim], data.draw(st.integers(1, 6)))
    _both(values, lambda lib, x: x.index_select(dim, lib.tensor(picks)))


@FAST
@given(shapes=broadcast_pairs(), seed=seeds)
def test_masked_fill_with_a_broadcast_mask(shapes: tuple[tuple[int, ...], tuple[int, ...]],
                                           seed: int) -> None:
    input_shape, mask_shape = shapes
    rng = np.random.default_rng(seed)
    mask = rng.uniform(size=mask_shape) > 0.5
    _both(rng.uniform(-2, 2, input_shape), lambda lib, x: x.masked_fill(lib.tensor(mask), 0.5))


@FAST
@given(shape=nonscalar_shapes, seed=seeds, data=st.data())
def test_split_pieces_rejoin_and_roll_round_trips(shape: tuple[int, ...], seed: int,
                                                  data: st.DataObject) -> None:
    dim = data.draw(st.integers(0, len(shape) - 1))
    size = data.draw(st.integers(1, 4))
    x = leaf(shape, seed)
    pieces = x.split(size, dim)
    assert cr.equal(cr.cat(pieces, dim), x)
    assert all(p.shape[dim] <= size for p in pieces)
    shift = data.draw(st.integers(-5, 5))
    assert cr.equal(x.roll(shift, dim).roll(-shift, dim), x)
    assert gradcheck(lambda t: cr.cat([p * (i + 1) for i, p in enumerate(t.split(size, dim))],
                                      dim).roll(shift, dim), (x,))
