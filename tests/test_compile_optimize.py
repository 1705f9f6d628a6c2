"""The rewrites `cr.compile` makes before writing a replay (`compiler/optimize.py`): buffers
for temporaries, shared common steps, folded constants, dropped copies. Each keeps every
value bit for bit, so these tests compare with `np.array_equal`, over many replays (a
buffer handed to the wrong value shows only once it is reused)."""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.ops._short_axis import folds, max_keepdims

F = cr.nn.functional


def _replays(compiled: Any, calls: list[Callable[[], Any]]) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a graph break would leave nothing to test
        return [call() for call in calls]


def _spiral_step(seed: int, reg: float = 1e-3) -> tuple[Callable[[], Any], list[Any]]:
    generator = np.random.default_rng(seed)
    x = cr.tensor(generator.standard_normal((60, 2)))
    y = cr.tensor(generator.integers(0, 3, 60))
    model = cr.nn.Sequential(cr.nn.Linear(2, 16), cr.nn.ReLU(), cr.nn.Linear(16, 3))
    model.double()
    for p in model.parameters():
        p.data = cr.tensor(generator.standard_normal(tuple(p.shape)) * 0.3)
    optimiser = cr.optim.SGD(model.parameters(), lr=0.5, momentum=0.9)
    weights = [model[0].weight, model[2].weight]

    def step() -> Any:
        loss = F.cross_entropy(model(x), y)
        loss = loss + 0.5 * reg * sum((w * w).sum() for w in weights)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return loss

    return step, list(model.parameters())


def test_a_training_step_replays_bit_for_bit_over_many_calls() -> None:
    eager, eager_params = _spiral_step(0)
    step, params = _spiral_step(0)
    compiled = cr.compile(step)
    expected = [eager().item() for _ in range(12)]
    got = _replays(compiled, [lambda: compiled().item()] * 12)
    assert compiled.replays >= 9
    assert expected == got
    for a, b in zip(eager_params, params):
        assert np.array_equal(a.detach().numpy(), b.detach().numpy())
        assert np.array_equal(a.grad.numpy(), b.grad.numpy())


def test_temporaries_go_into_buffers_that_values_share() -> None:
    step, _ = _spiral_step(1)
    compiled = cr.compile(step)
    _replays(compiled, [compiled] * 4)
    source = compiled.program.source
    buffers = re.findall(r"out=(k\d+)\)", source)
    assert len(buffers) >= 10, source
    assert len(set(buffers)) < len(buffers), "no buffer was reused by a later value"


def test_the_backward_seed_is_folded_and_the_gradient_copies_dropped() -> None:
    step, _ = _spiral_step(2)
    compiled = cr.compile(step)
    _replays(compiled, [compiled] * 4)
    source = compiled.program.source
    assert "# ones" not in source and "# broadcast_to" not in source, source
    assert "# copy" not in source, source


def test_the_l2_terms_gradient_is_computed_once_per_weight() -> None:
    """d(w·w)/dw is g·w + g·w in the trace: the second product is the first one."""
    w = cr.nn.Parameter(cr.randn(4, 5, dtype=cr.float64))

    @cr.compile
    def step() -> Any:
        w.grad = None
        loss = 0.5 * (w * w).sum()
        loss.backward()
        return loss

    _replays(step, [step] * 4)
    products = [line for line in step.program.source.splitlines()
                if "multiply" in line and "v0" in line.split("=", 1)[1]]
    assert len(products) == 2, step.program.source  # w·w forward, g·w backward


def test_gradients_handed_out_are_never_buffers() -> None:
    """`.grad` and the returned loss are new arrays at every call: one kept from an earlier
    call keeps its values."""
    step, params = _spiral_step(3)
    compiled = cr.compile(step)
    kept: list[tuple[Any, np.ndarray]] = []
    losses: list[tuple[Any, float]] = []
    for _ in range(8):
        loss = compiled()
        losses.append((loss, loss.item()))
        kept += [(p.grad, p.grad.numpy().copy()) for p in params]
    for tensor, values in kept:
        assert np.array_equal(tensor.numpy(), values)
    for loss, value in losses:
        assert loss.item() == value
    arrays = [t.numpy() for t, _ in kept]
    assert not any(np.shares_memory(a, b) for i, a in enumerate(arrays)
                   for b in arrays[i + 1:])


def test_a_view_read_later_keeps_its_storage_from_being_reused() -> None:
    """`t.T` read after `u` is made: `u` must not take `t`'s buffer."""

    @cr.compile
    def f(x: Any, y: Any) -> Any:
        t = x * y
        v = t.T
        u = x + y
        w = x - y
        return v * 2 + u - w

    generator = np.random.default_rng(4)
    inputs = [(cr.tensor(generator.standard_normal((5, 5))),
               cr.tensor(generator.standard_normal((5, 5)))) for _ in range(8)]
    got = _replays(f, [lambda a=a, b=b: f(a, b) for a, b in inputs])
    assert f.replays >= 5
    for (a, b), result in zip(inputs, got):
        expected = (a * b).T * 2 + (a + b) - (a - b)
        assert np.array_equal(result.numpy(), expected.numpy())


def test_a_returned_view_of_a_temporary_is_a_new_array_each_call() -> None:
    @cr.compile
    def f(x: Any) -> Any:
        return ((x * 3) + 1).T

    inputs = [cr.full((4, 6), float(i), dtype=cr.float64) for i in range(8)]
    results = _replays(f, [lambda a=a: f(a) for a in inputs])
    assert f.replays >= 5
    for i, result in enumerate(results):  # each still holds its own call's values
        assert np.array_equal(result.numpy(), np.full((6, 4), 3.0 * i + 1))


def test_a_repeated_product_is_not_shared_when_either_is_written_into() -> None:
    @cr.compile
    def f(x: Any, y: Any) -> Any:
        a = x * y
        b = x * y
        b.add_(1.0)             # b changes, a must not
        c = x * y
        x.mul_(2.0)             # x changes: the product after it is another value
        d = x * y
        return a + b * 10 + c * 100 + d * 1000

    for i in range(8):
        x = cr.full((3, 3), float(i + 1), dtype=cr.float64)
        y = cr.full((3, 3), 2.0, dtype=cr.float64)
        result = _replays(f, [lambda x=x, y=y: f(x, y)])[0]
        p = 2.0 * (i + 1)
        assert np.array_equal(result.numpy(), np.full((3, 3), p + (p + 1) * 10 + p * 100 +
                                                      2 * p * 1000))
    assert f.replays >= 5


def test_arguments_that_share_memory_in_a_later_call_are_read_after_each_write() -> None:
    """Traced with two separate tensors, then called with `y` a view of `x`: the product
    of `y` after `x` changed is another value (the guards do not see the sharing)."""

    def g(x: Any, y: Any) -> Any:
        a = y * 3.0
        x.mul_(2.0)
        b = y * 3.0
        return a + b * 10.0

    f = cr.compile(g)
    for i in range(8):
        base = np.arange(12.0).reshape(3, 4) + i
        x, x_eager = cr.tensor(base), cr.tensor(base)
        y, y_eager = ((x[0], x_eager[0]) if i >= 4 else
                      (cr.tensor(base[0].copy()), cr.tensor(base[0].copy())))
        got = _replays(f, [lambda x=x, y=y: f(x, y)])[0]
        assert np.array_equal(got.numpy(), g(x_eager, y_eager).numpy())
    assert f.replays >= 4


def test_an_input_in_another_memory_layout_is_traced_again() -> None:
    """Buffers are laid out as the trace's values were; eager's follow the input's layout
    (and a sum's order follows it): an F-ordered input is another signature."""

    @cr.compile
    def f(x: Any) -> Any:
        return (x * 3.0).sum(0)

    generator = np.random.default_rng(0)
    for i in range(12):
        values = generator.standard_normal((500, 40))
        x = cr.from_numpy(np.asfortranarray(values) if i >= 6 else values)
        got = _replays(f, [lambda x=x: f(x)])[0]
        assert np.array_equal(got.numpy(), (x * 3.0).sum(0).numpy())
    assert f.replays >= 6  # both layouts replay


def test_state_in_another_memory_layout_is_traced_again() -> None:
    generator = np.random.default_rng(1)
    x = cr.from_numpy(generator.standard_normal((500, 40)))

    @cr.compile
    def f() -> Any:
        return (x * 3.0).sum(0)

    for i in range(12):
        if i == 6:
            x.data = cr.from_numpy(np.asfortranarray(generator.standard_normal((500, 40))))
        got = _replays(f, [f])[0]
        assert np.array_equal(got.numpy(), (x * 3.0).sum(0).numpy())
    assert f.replays >= 6


def test_a_shape_that_follows_the_data_gets_no_buffer() -> None:
    """bincount's length is its largest id + 1: a replay with a larger id must not write
    into a buffer of the traced length."""

    @cr.compile
    def f(ids: Any, w: Any) -> Any:
        return (cr.bincount(ids, weights=w) * 2.0).sum(), cr.bincount(ids, weights=w) + 1

    for i in range(8):
        ids = cr.tensor(np.array([0, 1, 2, 3 + (i >= 4)]))
        w = cr.tensor(np.arange(4.0) + i)
        total, counts = _replays(f, [lambda ids=ids, w=w: f(ids, w)])[0]
        expected = cr.bincount(ids, weights=w)
        assert total.item() == (expected * 2.0).sum().item()
        assert np.array_equal(counts.numpy(), (expected + 1).numpy())
    assert f.replays >= 5


def test_two_threads_replaying_at_once_do_not_share_buffers() -> None:
    @cr.compile
    def f(x: Any) -> Any:
        return ((x * 2.0 + 1.0) * 3.0 - 1.0).sum(0)

    generator = np.random.default_rng(0)
    inputs = [cr.tensor(generator.standard_normal((300, 300))) for _ in range(2)]
    _replays(f, [lambda: f(inputs[0])] * 4)
    expected = [((x * 2.0 + 1.0) * 3.0 - 1.0).sum(0).numpy() for x in inputs]
    wrong = [0, 0]

    def worker(k: int) -> None:
        for _ in range(150):
            wrong[k] += not np.array_equal(f(inputs[k]).numpy(), expected[k])

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == [0, 0]
    assert f.replays >= 300


def test_constants_that_differ_only_in_their_bits_are_not_one_step() -> None:
    """x·NaN and x·(−NaN) differ in the sign bit; 0.0 and −0.0 too."""
    nan = float("nan")

    @cr.compile
    def f(x: Any) -> Any:
        return x * nan + x * -nan, x * -nan, x * 0.0 + x * -0.0, x * -0.0

    for i in range(6):
        x = cr.tensor(-(np.arange(3.0) + i))
        results = _replays(f, [lambda x=x: f(x)])[0]
        for got, expected in zip(results, (x * nan + x * -nan, x * -nan,
                                           x * 0.0 + x * -0.0, x * -0.0)):
            assert np.array_equal(np.signbit(got.numpy()), np.signbit(expected.numpy()))
    assert f.replays >= 3


def test_an_optimisers_eager_step_is_seen_writing_the_parameters() -> None:
    """Adam's step runs eagerly inside the replay and updates `w` in place: `w·2` after it
    is not `w·2` before it."""
    w = cr.nn.Parameter(cr.tensor(np.linspace(-1, 1, 12).reshape(3, 4)))
    optimiser = cr.optim.Adam([w], lr=0.1)

    @cr.compile
    def step() -> Any:
        snapshot = w.detach()   # shares w's array
        before = (snapshot * 2.0).sum()
        optimiser.zero_grad()
        (w * w).sum().backward()
        optimiser.step()
        return before, (snapshot * 2.0).sum()

    for _ in range(6):
        before, after = _replays(step, [step])[0]
        assert after.item() == (w.detach() * 2.0).sum().item() != before.item()
    assert step.replays >= 3


# ---------------------------------------------------------------------- max_keepdims
@pytest.mark.parametrize("shape", [(300, 3), (2, 50, 4), (1000, 2), (0, 3), (5, 1), (7,),
                                   (3, 100), (4000, 9)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_max_keepdims_equals_numpys_max(shape: tuple[int, ...], dtype: Any) -> None:
    generator = np.random.default_rng(6)
    x = generator.standard_normal(shape).astype(dtype)
    if x.size > 6:
        flat = x.reshape(-1)
        flat[[1, 3, 5]] = [np.nan, np.inf, -np.inf]
        flat[6] = -0.0
    for axis in range(-1, x.ndim):
        expected = x.max(axis=axis, keepdims=True) if x.shape[axis] else None
        if expected is None:
            continue
        got = max_keepdims(x, axis)
        assert got.shape == expected.shape and got.dtype == expected.dtype
        assert np.array_equal(got, expected, equal_nan=True)


def test_max_keepdims_folds_a_short_last_axis_of_many_rows_only() -> None:
    assert folds(300, 3) and folds(128, 3) and folds(2000, 9) and folds(20000, 33)
    assert not folds(3, 300) and not folds(32, 9) and not folds(300, 1) and not folds(0, 3)


def test_a_traced_softmax_folds_its_rows_maximum() -> None:
    """Inside `cr.compile` the fold shows as column views and elementwise maxima."""
    x = cr.randn(300, 3, dtype=cr.float64)

    @cr.compile
    def f(x: Any) -> Any:
        return F.softmax(x, 1)

    _replays(f, [lambda: f(x)] * 4)
    source = f.program.source
    assert "maximum.__call__" in source and "# max\n" not in source, source
    assert np.array_equal(f(x).numpy(), F.softmax(x, 1).numpy())
