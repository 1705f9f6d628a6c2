"""Hypothesis strategies: shapes, broadcast-compatible pairs, and float64 leaves."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

import chainrule as cr

small_sizes = st.integers(min_value=1, max_value=4)
shapes = st.lists(small_sizes, min_size=0, max_size=3).map(tuple)
nonscalar_shapes = st.lists(small_sizes, min_size=1, max_size=3).map(tuple)


@st.composite
def broadcast_pairs(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two shapes that broadcast: the second is the first with some sizes set to 1 and some
    leading dimensions dropped (either way round)."""
    full = draw(shapes)
    other = list(full)
    for i in range(len(other)):
        if draw(st.booleans()):
            other[i] = 1
    drop = draw(st.integers(min_value=0, max_value=len(other)))
    other_shape = tuple(other[drop:])
    return (full, other_shape) if draw(st.booleans()) else (other_shape, full)


def leaf(shape: tuple[int, ...], seed: int, low: float = -2.0, high: float = 2.0,
         away_from_zero: float = 0.0) -> cr.Tensor:
    """A float64 leaf with values in [low, high], optionally at least `away_from_zero` from 0."""
    rng = np.random.default_rng(seed)
    values = rng.uniform(low, high, size=shape)
    if away_from_zero:
        values = np.where(np.abs(values) < away_from_zero,
                          np.copysign(away_from_zero, values) + values, values)
    return cr.tensor(values, dtype=cr.float64, requires_grad=True)


seeds = st.integers(min_value=0, max_value=2**16)
