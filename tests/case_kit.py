"""The pieces every gate case is built from: `Case`, the `case()` registrar, the list `CASES`
and value makers kept away from kinks and ties.

`tests/gate_cases.py` holds the cases of the core gates; the cases of later families live in
`tests/cases_<family>.py` modules, which `gate_cases` imports, so that each family adds its
cases in a file of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

import chainrule as cr
from chainrule.engine.gate import Gate


@dataclass(frozen=True)
class Case:
    """`call(*tensors)` applies `gate` to the tensors `make()` returns (fresh each time).

    eps, rtol and atol are for the first-order check; `second` says whether the gate's rule
    may also be run recorded (create_graph) and checked by gradgradcheck (row-sparse
    gradients are not recorded; gradgradcheck needs float64 outputs)."""

    gate: type[Gate]
    label: str
    call: Callable[..., Any]
    make: Callable[[], tuple[cr.Tensor, ...]]
    eps: float = 1e-6
    rtol: float = 1e-6
    atol: float = 1e-7
    second: bool = True
    #: Rows of input 0 whose gradient is 0 by convention, not by derivative (padding_idx).
    zero_rows: tuple[int, ...] = ()
    #: The gate is flat (rounding): its gradient is exactly 0 everywhere.
    flat: bool = False

    @property
    def name(self) -> str:
        return f"{self.gate.__name__}-{self.label}"


def values(shape: tuple[int, ...], seed: int, low: float = -2.0, high: float = 2.0,
           avoid: tuple[float, ...] = (), gap: float = 0.1) -> np.ndarray:
    """Uniform float64 values, each at least `gap` from every point in `avoid`."""
    raw = np.random.default_rng(seed).uniform(low, high, size=shape)
    for point in avoid:
        near = np.abs(raw - point) < gap
        raw = np.where(near, point + np.copysign(gap, raw - point) * 1.5, raw)
    return raw


def distinct(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Values whose pairwise gaps are at least 0.1: no ties for max/min, in random order."""
    count = int(np.prod(shape))
    order = np.random.default_rng(seed).permutation(count)
    return (order * 0.3 - count * 0.15).reshape(shape) + 0.05


def leaves(*arrays: Any) -> Callable[[], tuple[cr.Tensor, ...]]:
    """A factory of fresh float64 leaves that require grad."""
    return lambda: tuple(cr.tensor(np.array(a, dtype=np.float64), requires_grad=True)
                         for a in arrays)


def constant(array: Any) -> cr.Tensor:
    return cr.tensor(np.asarray(array))


CASES: list[Case] = []


def case(gate: type[Gate], label: str, call: Callable[..., Any], *arrays: Any,
         **options: Any) -> None:
    CASES.append(Case(gate, label, call, leaves(*arrays), **options))
