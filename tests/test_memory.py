"""Memory claims, checked through weak references rather than trace labels.

- Backward frees each gradient as soon as its gate has used it (HIPS autograd's pop): a
  gradient array the pass held must be dead before a gate further down the graph runs.
- A graph is freed by reference counting once its output is dropped (no cycles).
"""

from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy as np
import pytest

import chainrule as cr


@pytest.fixture(autouse=True)
def _no_cycle_collector() -> Any:
    """Only reference counting frees anything here: what is freed is freed at once."""
    gc.collect()
    gc.disable()
    yield
    gc.enable()


class Record(cr.autograd.Function):
    """Identity forward; its backward keeps weak references to the upstream array it was
    given and to the array it returns (which becomes the next gate's upstream)."""

    seen: list[weakref.ref] = []

    @staticmethod
    def forward(ctx: Any, x: cr.Tensor) -> cr.Tensor:
        return x.clone()

    @staticmethod
    def backward(ctx: Any, grad: cr.Tensor) -> cr.Tensor:
        out = grad * 1.0
        Record.seen += [weakref.ref(grad._array), weakref.ref(out._array)]
        return out


class RecordPair(cr.autograd.Function):
    """Two outputs (so its upstream is gathered by `Gradients.pop`), weakly recorded."""

    seen: list[weakref.ref] = []

    @staticmethod
    def forward(ctx: Any, x: cr.Tensor) -> tuple[cr.Tensor, cr.Tensor]:
        return x.clone(), x.clone()

    @staticmethod
    def backward(ctx: Any, first: cr.Tensor, second: cr.Tensor) -> cr.Tensor:
        RecordPair.seen += [weakref.ref(first._array), weakref.ref(second._array)]
        return first + second


class Inspect(cr.autograd.Function):
    """Identity; its backward, which runs after the recorded gates, notes which of their
    gradients are still alive."""

    alive: list[bool] = []

    @staticmethod
    def forward(ctx: Any, x: cr.Tensor) -> cr.Tensor:
        return x.clone()

    @staticmethod
    def backward(ctx: Any, grad: cr.Tensor) -> cr.Tensor:
        Inspect.alive = [ref() is not None for ref in Record.seen + RecordPair.seen]
        return grad


def _reset() -> None:
    Record.seen, RecordPair.seen, Inspect.alive = [], [], []


def test_a_gradient_is_freed_once_its_gate_has_used_it() -> None:
    _reset()
    x = cr.randn(64, 64, requires_grad=True)
    # backward runs sum, Record, mul, tanh, Inspect: Record's upstream and the gradient it
    # returned (mul's upstream) must both be gone by the time Inspect runs.
    Record.apply(Inspect.apply(x).tanh() * 2.0).sum().backward()
    assert len(Record.seen) == 2 and Inspect.alive == [False, False]
    assert x.grad is not None


def test_the_gradients_of_a_gate_with_several_outputs_are_freed_too() -> None:
    _reset()
    x = cr.randn(32, 32, requires_grad=True)
    first, second = RecordPair.apply(Inspect.apply(x).exp())
    ((first * 2.0).sum() + second.tanh().sum()).backward()
    assert len(RecordPair.seen) == 2 and Inspect.alive == [False, False]


def test_autograd_grad_frees_gradients_it_was_not_asked_for() -> None:
    _reset()
    x = cr.randn(16, 16, requires_grad=True)
    middle = Inspect.apply(x) * 3.0
    loss = Record.apply(middle.exp() * 1.5).sum()
    # middle's gradient is kept for the caller (so gradients wait in `Gradients.pop`'s path);
    # the others are not
    (gx, gm) = cr.autograd.grad(loss, [x, middle])
    assert Inspect.alive == [False, False]
    assert np.allclose(gx.numpy(), 3.0 * gm.numpy())
    assert np.allclose(gm.numpy(), 1.5 * middle.detach().exp().numpy())


def test_a_graph_is_freed_when_its_output_is_dropped() -> None:
    x = cr.randn(8, 8, requires_grad=True)
    y = x
    for _ in range(50):
        y = (y * 1.5).tanh()
    gates = [weakref.ref(y.grad_fn), weakref.ref(y.grad_fn.inputs[0].grad_fn)]
    del y
    assert all(ref() is None for ref in gates)
