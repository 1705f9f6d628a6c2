"""`cr.compile`: every workload compiled equals eager; guards re-trace; what a replay cannot
repeat runs eagerly with one warning; results never stale."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from benchmarks import compiled_workloads, workloads

F = cr.nn.functional


def _close(a: Any, b: Any) -> bool:
    return bool(np.allclose(a, b, rtol=1e-5, atol=1e-7))


def _quiet_replays(step: Callable[[], float], steps: int) -> list[float]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a graph break here would be a regression
        return [step() for _ in range(steps)]


# ---------------------------------------------------------------------- the workloads
@pytest.mark.parametrize("workload", ["W1", "W2", "W3", "W5", "W7"])
def test_workload_compiled_equals_eager(workload: str) -> None:
    eager, eager_params = workloads.make(workload, "chainrule")
    compiled, compiled_params = compiled_workloads.make(workload)
    steps = 4 if workload == "W7" else 5
    expected = [eager() for _ in range(steps)]
    got = _quiet_replays(compiled, steps)
    assert _close(expected, got)
    for a, b in zip(eager_params(), compiled_params()):
        assert _close(a, b)


def test_w6_chain_compiled_equals_eager_on_a_short_chain() -> None:
    eager, eager_grad = workloads.chain("chainrule", length=200)
    compiled, compiled_grad = compiled_workloads.chain(length=200)
    assert _close([eager() for _ in range(4)], _quiet_replays(compiled, 4))
    assert _close(eager_grad(), compiled_grad())  # the gradient accumulated over 4 calls


def test_a_buffer_made_by_np_zeros_and_filled_replays() -> None:
    """The dense embedding rule fills a buffer of zeros (`out[rows] = …`): during a trace
    np.zeros makes a traced array, so the filling is recorded and replayed."""
    table = cr.nn.Parameter(cr.randn(10, 3))
    ids = cr.tensor([[1, 2], [2, 9]])

    @cr.compile
    def step() -> Any:
        table.grad = None
        loss = F.embedding(ids, table).square().sum()
        loss.backward()
        return loss

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(4):
            step()
    expected = np.zeros((10, 3), np.float32)
    np.add.at(expected, ids.numpy().ravel(), 2 * table.detach().numpy()[ids.numpy().ravel()])
    assert _close(table.grad.numpy(), expected)
    assert step.replays == 1 and not caught


# ---------------------------------------------------------------------- a small model
def _model(seed: int = 0, norm: bool = False) -> Any:
    cr.manual_seed(seed)
    layers = [cr.nn.Linear(6, 8), cr.nn.ReLU()]
    if norm:
        layers.append(cr.nn.BatchNorm1d(8))
    return cr.nn.Sequential(*layers, cr.nn.Linear(8, 3))


def _data(rows: int = 5, seed: int = 1) -> tuple[Any, Any]:
    rng = np.random.default_rng(seed)
    return (cr.tensor(rng.standard_normal((rows, 6)), dtype=cr.float32),
            cr.tensor(rng.integers(0, 3, rows)))


def _trainer(compiled: bool, optimizer: str = "momentum", norm: bool = False
             ) -> tuple[Any, Any, Any]:
    model = _model(norm=norm)
    if optimizer == "adam":
        opt: Any = cr.optim.Adam(model.parameters(), lr=0.01)
    else:
        opt = cr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)

    def step(x: Any, y: Any) -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return model, opt, (cr.compile(step) if compiled else step)


def _same_state(a: Any, b: Any) -> None:
    for p, q in zip(a.parameters(), b.parameters()):
        assert _close(p.detach().numpy(), q.detach().numpy())
        assert (p.grad is None) == (q.grad is None)
        if p.grad is not None:
            assert _close(p.grad.numpy(), q.grad.numpy())


def test_results_grads_and_momentum_are_eagers_and_the_same_objects() -> None:
    (m1, o1, eager), (m2, o2, step) = _trainer(False), _trainer(True)
    x, y = _data()
    parameters = list(m2.parameters())
    for _ in range(5):
        assert _close(eager(x, y).item(), step(x, y).item())
    assert step.replays >= 2
    assert all(p is q for p, q in zip(parameters, m2.parameters()))
    _same_state(m1, m2)
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert _close(o1.state[p]["momentum_buffer"].numpy(),
                      o2.state[q]["momentum_buffer"].numpy())
    assert "def replay" in step.program.source


def test_a_replay_makes_no_gate() -> None:
    from chainrule.engine import gate

    _, _, step = _trainer(True)
    x, y = _data()
    for _ in range(3):
        step(x, y)
    made: list[Any] = []
    original = gate._new

    def counting(cls: Any) -> Any:
        made.append(cls)
        return original(cls)

    gate._new = counting
    try:
        replays = step.replays
        step(x, y)
        assert step.replays == replays + 1 and not made
        step.function(x, y)  # the same step eagerly makes its gates: the counter sees them
        assert made
    finally:
        gate._new = original


def test_shape_change_traces_again_and_stays_correct() -> None:
    (m1, _, eager), (m2, _, step) = _trainer(False), _trainer(True)
    for rows in (5, 5, 5, 7, 7, 7, 7, 5):
        x, y = _data(rows, seed=rows)
        assert _close(eager(x, y).item(), step(x, y).item())
    _same_state(m1, m2)
    assert len(step._entries) == 2


def test_eval_mode_is_a_guard() -> None:
    (m1, _, eager), (m2, _, step) = _trainer(False, norm=True), _trainer(True, norm=True)
    x, y = _data()
    for round_ in range(8):
        if round_ == 4:
            m1.eval()
            m2.eval()
        assert _close(eager(x, y).item(), step(x, y).item())
    _same_state(m1, m2)
    for a, b in zip(m1.buffers(), m2.buffers()):
        assert _close(a.numpy(), b.numpy())


def test_a_scheduler_changing_lr_is_seen() -> None:
    (m1, o1, eager), (m2, o2, step) = _trainer(False), _trainer(True)
    s1 = cr.optim.lr_scheduler.StepLR(o1, step_size=2, gamma=0.5)
    s2 = cr.optim.lr_scheduler.StepLR(o2, step_size=2, gamma=0.5)
    x, y = _data()
    for _ in range(7):
        assert _close(eager(x, y).item(), step(x, y).item())
        s1.step()
        s2.step()
    _same_state(m1, m2)


def test_requires_grad_flip_is_a_guard() -> None:
    (m1, _, eager), (m2, _, step) = _trainer(False), _trainer(True)
    x, y = _data()
    for round_ in range(8):
        if round_ == 4:
            m1[0].weight.requires_grad_(False)
            m2[0].weight.requires_grad_(False)
        assert _close(eager(x, y).item(), step(x, y).item())
    _same_state(m1, m2)


def test_gradients_accumulate_over_calls_without_zero_grad() -> None:
    def build(compiled: bool) -> tuple[Any, Any]:
        model = _model()

        def step(x: Any, y: Any) -> Any:
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            return loss

        return model, (cr.compile(step) if compiled else step)

    (m1, eager), (m2, step) = build(False), build(True)
    x, y = _data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(5):
            assert _close(eager(x, y).item(), step(x, y).item())
    assert len(caught) <= 1  # replayed, or eager with one warning: never a stale gradient
    _same_state(m1, m2)


def test_adam_step_counts_and_a_scheduler_are_read_at_every_replay() -> None:
    """Adam keeps its step count t as a Python number: its step() runs eagerly inside the
    replay (opaque.py), so t, the bias corrections and the scheduled lr are current."""
    (m1, o1, eager), (m2, o2, step) = _trainer(False, "adam"), _trainer(True, "adam")
    s1 = cr.optim.lr_scheduler.ExponentialLR(o1, gamma=0.7)
    s2 = cr.optim.lr_scheduler.ExponentialLR(o2, gamma=0.7)
    x, y = _data()
    versions = []
    for _ in range(12):  # more lr changes than the cache limit: no re-trace needed
        assert _close(eager(x, y).item(), _quiet_replays(lambda: step(x, y).item(), 1)[0])
        s1.step()
        s2.step()
        versions.append((m1[0].weight._version[0], m2[0].weight._version[0]))
    assert step.replays >= 8
    assert all(a == b for a, b in versions), versions  # in-place changes counted once
    _same_state(m1, m2)
    for p, q in zip(m1.parameters(), m2.parameters()):
        assert o1.state[p]["step"] == o2.state[q]["step"] == 12
        assert _close(o1.state[p]["exp_avg_sq"].numpy(), o2.state[q]["exp_avg_sq"].numpy())


# ---------------------------------------------------------------------- graph breaks
def _one_warning(caught: list[Any], words: str) -> None:
    messages = [str(w.message) for w in caught if "cr.compile" in str(w.message)]
    assert len(messages) == 1, messages
    assert words in messages[0]


def test_item_after_the_update_is_one_graph_break_warning() -> None:
    (m1, _, eager), (m2, _, compiled) = _trainer(False), _trainer(True)
    step = cr.compile(lambda x, y: compiled.function(x, y).item())
    x, y = _data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(5):
            assert _close(eager(x, y).item(), step(x, y))
    _one_warning(caught, ".item()")
    _same_state(m1, m2)


def test_value_dependent_control_flow_is_checked_at_every_replay() -> None:
    weight = cr.tensor([1.0, -2.0], requires_grad=True)

    @cr.compile
    def step(x: Any) -> Any:
        weight.grad = None
        y = (weight * x).sum()
        if y > 0:  # the branch the trace took is re-checked by every replay
            y = y * 3
        y.backward()
        return y

    for values, expected in (([1.0, 0.0], 3.0), ([1.0, 0.0], 3.0), ([1.0, 0.0], 3.0),
                             ([1.0, 0.0], 3.0), ([0.0, 1.0], -2.0), ([2.0, 0.0], 6.0)):
        got = step(cr.tensor(values))
        assert got.item() == expected
        assert weight.grad.tolist() == ([v * (3 if expected > 0 else 1) for v in values])


def test_data_dependent_shapes_replay_with_new_shapes() -> None:
    weight = cr.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)

    def step(mask_source: Any) -> Any:
        weight.grad = None
        loss = (weight[mask_source > 0] ** 2).sum()
        loss.backward()
        return loss

    compiled = cr.compile(step)
    for values in ([1, 0, 1, 0], [1, 0, 1, 0], [1, 0, 1, 0], [0, 1, 1, 1], [1, 1, 1, 1]):
        got = compiled(cr.tensor(values))
        grad = weight.grad.numpy().copy()
        expected = step(cr.tensor(values))
        assert got.item() == expected.item()
        assert np.array_equal(grad, weight.grad.numpy())


def test_checks_that_fail_call_after_call_stop_replaying_with_one_warning() -> None:
    """A question the trace asked of its data (here: which branch) that gets the other
    answer on every call: each replay's check fails and the call runs eagerly; after
    CACHE_LIMIT in a row the signature stays eager (no more failed attempts), with one
    warning, and the results are eager's throughout."""
    weight = cr.tensor([1.0, -2.0], requires_grad=True)

    def step(x: Any) -> Any:
        weight.grad = None
        y = (weight * x).sum()
        if y > 0:
            y = y * 3
        y.backward()
        return y

    compiled = cr.compile(step)
    # the branch the trace (second call) took is the other one on every later call
    calls = [[1.0, 0.0], [1.0, 0.0]] + [[0.0, 1.0], [1.0, 0.0]] * 10
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for index, values in enumerate(calls):
            if index > 2:
                values = [0.0, 1.0]  # y < 0 from here on: the traced branch never holds
            got = compiled(cr.tensor(values))
            grad = weight.grad.numpy().copy()
            expected = step(cr.tensor(values))
            assert got.item() == expected.item()
            assert np.array_equal(grad, weight.grad.numpy())
    _one_warning(caught, "in a row")


def test_user_in_place_code_replays() -> None:
    def build(compiled: bool) -> tuple[Any, Any]:
        model = _model()

        def step(x: Any, y: Any) -> Any:
            model.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            with cr.no_grad():
                for p in model.parameters():
                    p.sub_(0.1 * p.grad)
                    p.mul_(0.99)
            return loss

        return model, (cr.compile(step) if compiled else step)

    (m1, eager), (m2, step) = build(False), build(True)
    x, y = _data()
    for _ in range(5):
        assert _close(eager(x, y).item(), step(x, y).item())
    assert step.replays >= 1
    _same_state(m1, m2)


def test_in_place_change_of_a_saved_tensor_still_raises() -> None:
    weight = cr.tensor([1.0, 2.0], requires_grad=True)

    @cr.compile
    def step() -> Any:
        y = weight.exp()
        y.add_(1)
        return y.sum().backward()

    for _ in range(3):
        with pytest.raises(RuntimeError):
            step()


def test_dropout_equals_eager_with_the_same_seed() -> None:
    def build(compiled: bool) -> tuple[Any, Any]:
        cr.manual_seed(0)
        model = cr.nn.Sequential(cr.nn.Linear(6, 8), cr.nn.Dropout(0.5), cr.nn.Linear(8, 3))
        opt = cr.optim.SGD(model.parameters(), lr=0.1)

        def step(x: Any, y: Any) -> Any:
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss

        return model, (cr.compile(step) if compiled else step)

    (m1, eager), (m2, step) = build(False), build(True)
    x, y = _data()
    cr.manual_seed(5)
    expected = [eager(x, y).item() for _ in range(6)]
    cr.manual_seed(7)  # a reseed between calls: replays draw from the new generator
    expected += [eager(x, y).item() for _ in range(2)]
    after_eager = cr.rand(3).tolist()
    cr.manual_seed(5)
    got = _quiet_replays(lambda: step(x, y).item(), 6)
    cr.manual_seed(7)
    got += _quiet_replays(lambda: step(x, y).item(), 2)
    assert step.replays >= 3
    assert _close(expected, got)
    assert len({round(v, 6) for v in got}) > 1  # fresh draws at every call
    assert cr.rand(3).tolist() == after_eager  # the generator is where eager leaves it
    _same_state(m1, m2)


def test_numpy_global_random_draws_run_eagerly_with_one_warning() -> None:
    weight = cr.tensor([1.0, 2.0], requires_grad=True)

    @cr.compile
    def step() -> Any:
        noise = cr.from_numpy(np.random.rand(2).astype(np.float32))
        return (weight * noise).sum()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        values = {step().item() for _ in range(4)}
    assert len(values) == 4
    _one_warning(caught, "np.random")


def test_a_module_compiled_for_inference_replays() -> None:
    model = _model()
    compiled = cr.compile(model)
    x, _ = _data()
    with cr.no_grad():
        results = [compiled(x) for _ in range(4)]
        expected = model(x)
    assert compiled.replays >= 1
    assert all(_close(r.numpy(), expected.numpy()) for r in results)


def test_a_module_forward_with_a_graph_runs_eagerly_with_one_warning() -> None:
    model = _model()
    compiled = cr.compile(model)
    x, y = _data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            model.zero_grad()
            F.cross_entropy(compiled(x), y).backward()
            assert model[0].weight.grad is not None
    _one_warning(caught, "backward")


def test_the_cache_limit_warns_once_and_stays_correct() -> None:
    from chainrule.compiler.compiled import CACHE_LIMIT

    step = cr.compile(lambda x: (x * 2).sum())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for size in range(1, CACHE_LIMIT + 4):
            assert step(cr.ones(size)).item() == 2 * size
    _one_warning(caught, "cache limit")


# ---------------------------------------------------------------------- the signature
def test_torch_compile_signature() -> None:
    def double(x: Any) -> Any:
        return x * 2

    assert cr.compile(double, disable=True) is double
    decorated = cr.compile(mode="reduce-overhead", dynamic=False)(double)
    assert decorated(cr.ones(2)).tolist() == [2.0, 2.0]
    assert cr.compile(fullgraph=False)(double).function is double
    with pytest.raises(TypeError):
        cr.compile(3)


def _checked_after_a_write(compiled: bool) -> tuple[Any, Any, Any]:
    weight = cr.tensor([1.0, 2.0], requires_grad=True)
    total = cr.zeros(2)

    def step(x: Any) -> Any:
        weight.grad = None
        with cr.no_grad():
            total.add_(x)  # the state changes first
        y = (weight * x).sum()
        if (total * weight).sum() > 0:  # then a branch on the changed state
            y = y * 3
        y.backward()
        return y

    return weight, total, (cr.compile(step) if compiled else step)


def test_a_check_after_a_write_puts_the_state_back_when_it_fails() -> None:
    (w1, t1, eager), (w2, t2, step) = _checked_after_a_write(False), \
        _checked_after_a_write(True)
    for values in ([1.0, 1.0], [1.0, 1.0], [1.0, 1.0], [1.0, 0.0], [-9.0, -9.0],
                   [12.0, 12.0], [1.0, 2.0]):
        x = cr.tensor(values)
        assert eager(x).item() == step(x).item()
        assert t1.tolist() == t2.tolist()
        assert w1.grad.tolist() == w2.grad.tolist()
    assert step.replays >= 2


def test_a_range_check_after_batchnorm_is_asked_first() -> None:
    model = _model(norm=True)
    _, _, step = _trainer(True, norm=True)
    x, y = _data()
    for _ in range(4):
        step(x, y)
    assert "(asked first)" in step.program.source
    with pytest.raises(IndexError):  # a class id out of range: eager raises, state kept
        step(x, cr.tensor([0, 1, 2, 3, 1]))
    del model


def test_fullgraph_raises_at_a_graph_break_and_a_compiled_module_answers_as_one() -> None:
    weight = cr.tensor([1.0, 2.0], requires_grad=True)
    strict = cr.compile(lambda: (weight * 2).sum().backward() or weight.grad.sum().item(),
                        fullgraph=True)
    strict()
    with pytest.raises(RuntimeError, match="fullgraph"):
        strict()
    model = _model()
    compiled = cr.compile(model)
    assert compiled._orig_mod is model
    assert [p.shape for p in compiled.parameters()] == [p.shape for p in model.parameters()]
    x, _ = _data()
    with cr.no_grad():
        for _ in range(3):
            compiled(x)
    cr.compiler.reset()
    assert not compiled._entries
    assert not cr.compiler.is_compiling()


def test_state_the_compiler_cannot_find_is_never_replayed_stale() -> None:
    hidden = cr.tensor([1.0, 2.0])
    deep: Any = [hidden]
    for _ in range(8):  # deeper than discovery walks
        deep = [deep]

    @cr.compile
    def step(x: Any) -> Any:
        box = deep
        while isinstance(box, list):
            box = box[0]
        loss = (box * x).sum()
        box.sub_(0.5 * x)  # written from a traced value: the replay could only write a copy
        return loss

    x = cr.tensor([1.0, 1.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        losses = [step(x).item() for _ in range(5)]
    assert losses == [3.0, 2.0, 1.0, 0.0, -1.0]
    assert hidden.tolist() == [-1.5, -0.5]
    _one_warning(caught, "did not find")


def test_a_circuit_of_0d_floats_replays_on_python_floats() -> None:
    def build(compiled: bool) -> tuple[list[Any], Any]:
        values = [cr.tensor(v, dtype=cr.float64, requires_grad=True)
                  for v in (2.0, -1.0, -3.0, -2.0, -3.0)]
        w0, x0, w1, x1, w2 = values

        def step() -> Any:
            f = 1 / (1 + cr.exp(-(w0 * x0 + w1 * x1 + w2)))
            f.backward()
            return f

        return values, (cr.compile(step) if compiled else step)

    (eager_values, eager), (values, step) = build(False), build(True)
    for _ in range(5):
        assert _close(eager().item(), step().item())
    assert step.program.approximate and "_exp(" in step.program.source
    assert step.replays >= 2
    for a, b in zip(eager_values, values):  # gradients accumulated over five calls
        assert np.isclose(a.grad.item(), b.grad.item(), rtol=1e-12)
    assert _close(values[0].grad.item(), 5 * -0.19661193324148185)


def _embedding_run(sparse: bool, compiled: bool) -> tuple[list[float], np.ndarray, int]:
    cr.manual_seed(0)
    table = cr.nn.Embedding(100, 4, sparse=sparse)
    head = cr.nn.Linear(12, 3)
    optimiser = cr.optim.SGD(list(table.parameters()) + list(head.parameters()), lr=0.5)

    def step(ids: Any, tags: Any) -> Any:
        optimiser.zero_grad()
        loss = F.cross_entropy(head(table(ids).flatten(1)), tags)
        loss.backward()
        return loss

    run = cr.compile(step) if compiled else step
    generator = np.random.default_rng(1)
    losses = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(10):
            ids = cr.tensor(generator.integers(0, 100, (16, 3)))   # distinct ids vary
            tags = cr.tensor(generator.integers(0, 3, 16))
            losses.append(float(run(ids, tags).item()))
            optimiser.step()
    return losses, table.weight.detach().numpy().copy(), getattr(run, "replays", 0)


@pytest.mark.parametrize("sparse", [False, True])
def test_a_backward_through_an_embedding_replays_whatever_rows_a_batch_touches(
        sparse: bool) -> None:
    """The table's gradient is the looked-up rows, uncoalesced (as PyTorch's): its shape
    follows the batch's shape, not how many distinct ids it holds, so batches with other
    ids replay (the `ner train --compile` step: zero_grad, loss, backward)."""
    eager_losses, eager_table, _ = _embedding_run(sparse, compiled=False)
    losses, table, replays = _embedding_run(sparse, compiled=True)
    assert replays >= 7
    assert losses == eager_losses
    assert np.array_equal(table, eager_table)
