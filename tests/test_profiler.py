"""The profiler (`autograd.profiler.profile`, `profiler.profile`, `record_function`):
what it records, its table against PyTorch 2.13's layout, its schedule against PyTorch's,
and that nothing of it stays installed once no profile is active."""

from __future__ import annotations

import json
import re
import warnings

import pytest

import chainrule as cr
from chainrule.autograd import profiler as autograd_profiler
from chainrule.engine.gate import Gate, ViewGate
from chainrule.ops.elementwise import Mul
from chainrule.profiler import ProfilerAction, ProfilerActivity, profile, record_function, schedule


def _keys(prof) -> dict[str, int]:  # noqa: ANN001
    return {event.key: event.count for event in prof.key_averages()}


def _originals() -> tuple[object, ...]:
    return (Gate.__dict__["apply"], ViewGate.__dict__["apply"], Mul.__dict__["backward"],
            Gate.__dict__["backward"])


def test_records_forward_ops_backward_nodes_and_ranges():
    x = cr.ones(3, 4, requires_grad=True)
    with cr.autograd.profiler.profile() as prof:
        with cr.autograd.profiler.record_function("block"):
            for _ in range(3):
                y = (x * 2) * x
        y.sum().backward()
    assert _keys(prof) == {"block": 1, "aten::mul": 6, "aten::sum": 1, "SumBackward0": 1,
                           "MulBackward0": 2}
    by_key = {event.key: event for event in prof.key_averages()}
    block = by_key["block"]
    inner = by_key["aten::mul"].cpu_time_total
    assert block.cpu_time_total >= inner > 0
    assert block.self_cpu_time_total == pytest.approx(block.cpu_time_total - inner, abs=1e-6)
    assert by_key["aten::mul"].cpu_time == pytest.approx(inner / 6)
    events = prof.events()
    muls = [event for event in events if event.name == "aten::mul"]
    assert all(event.cpu_parent is not None and event.cpu_parent.name == "block"
               for event in muls)


def test_nothing_stays_installed_and_inactive_ranges_do_nothing():
    before = _originals()
    x = cr.ones(2, requires_grad=True)
    with record_function("outside"):  # no profile: nothing to record into
        (x * 2).sum().backward()
    with pytest.raises(ValueError), cr.autograd.profiler.profile():
        assert _originals() != before  # the recording wrappers are in place inside
        raise ValueError("leaves through an exception")
    assert _originals() == before
    with cr.autograd.profiler.profile(enabled=False) as prof:
        assert _originals() == before
        x * 2
    assert _originals() == before and prof.function_events is None


def test_user_functions_views_and_nested_profiles():
    class Cube(cr.autograd.Function):
        @staticmethod
        def forward(ctx, x):  # noqa: ANN001, ANN205
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        def backward(ctx, grad):  # noqa: ANN001, ANN205
            (x,) = ctx.saved_tensors
            return grad * 3 * x * x

    x = cr.ones(2, 3, requires_grad=True)
    with cr.autograd.profiler.profile() as outer:
        with profile() as inner:
            Cube.apply(x.view(6)).sum().backward()
        x.exp()
    for prof in (outer, inner):
        keys = _keys(prof)
        assert keys["CubeBackward"] == 1 and keys["aten::view"] == 1
        assert keys["ViewBackward0"] == 1 and keys["aten::mul"] >= 4
    assert "aten::exp" in _keys(outer) and "aten::exp" not in _keys(inner)


def test_record_function_as_a_decorator_and_shapes():
    @record_function("decorated")
    def double(t):  # noqa: ANN001, ANN202
        return t + t

    with cr.autograd.profiler.profile(record_shapes=True) as prof:
        double(cr.ones(2, 5))
    assert _keys(prof) == {"decorated": 1, "aten::add": 1}
    grouped = {event.key: event.input_shapes
               for event in prof.key_averages(group_by_input_shape=True)}
    assert grouped["aten::add"][:2] == [[2, 5], [2, 5]]
    assert all(event.input_shapes == "" for event in prof.key_averages())
    assert "Input Shapes" in prof.key_averages(group_by_input_shape=True).table()
    assert "Input Shapes" not in prof.key_averages().table()


def test_sorting_and_row_limit():
    x = cr.ones(50, 50)
    with cr.autograd.profiler.profile() as prof:
        for _ in range(4):
            x * 2
        x @ x
        x.exp()
    averages = prof.key_averages()
    for sort_by in ("self_cpu_time_total", "cpu_time_total", "count"):
        table = averages.table(sort_by=sort_by)
        rows = [line.split()[0] for line in table.splitlines()[3:-2]]
        expected = sorted(averages, key=lambda e: getattr(e, sort_by), reverse=True)
        assert rows == [event.key for event in expected]
    assert len(averages.table(sort_by="count", row_limit=1).splitlines()) == 6
    assert averages.table(sort_by="count").splitlines()[3].split()[0] == "aten::mul"


def test_table_layout_matches_torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests "
                                "need it (pip install torch==2.13.0); chainrule does not "
                                "depend on it")
    tables = []
    for lib in (cr, torch):
        x = lib.ones(3, 3, requires_grad=True)
        y = lib.ones(3, 3, requires_grad=True)
        with lib.autograd.profiler.profile(use_cuda=False) as prof:
            for _ in range(10):
                y = (y / x) * x
        tables.append(prof.key_averages().table(sort_by="self_cpu_time_total"))
    ours, theirs = (table.splitlines() for table in tables)
    # the same columns, widths and separators, once the name column has the same width
    our_width, their_width = len(ours[0].split("  ")[0]), len(theirs[0].split("  ")[0])
    assert [line[our_width:] for line in ours[:3]] == [line[their_width:] for line in theirs[:3]]
    assert ours[1].split() == theirs[1].split()
    assert re.fullmatch(r"Self CPU time total: \d+\.\d{3}(us|ms|s)", ours[-1])
    assert re.fullmatch(r"Self CPU time total: \d+\.\d{3}(us|ms|s)", theirs[-1])
    row = re.compile(r" *aten::(mul|div)  +\d+\.\d\d%  +\d+\.\d{3}(us|ms)  +\d+\.\d\d%  +"
                     r"\d+\.\d{3}(us|ms)  +\d+\.\d{3}(us|ms)  +10  ")
    assert all(row.fullmatch(line) for line in ours[3:-2])
    assert sum(1 for line in theirs if row.fullmatch(line)) == 2
    assert tables[0].endswith("\n") and tables[1].endswith("\n")


def test_chrome_trace(tmp_path):
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        with record_function("outer"):
            cr.ones(4) * 3
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())
    names = [event["name"] for event in trace["traceEvents"]]
    assert names == ["outer", "aten::mul"]
    assert all(event["ph"] == "X" and event["dur"] >= 0 for event in trace["traceEvents"])


def test_schedule_matches_torch_and_steps_record_only_active_steps():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests "
                                "need it (pip install torch==2.13.0); chainrule does not "
                                "depend on it")
    options = {"wait": 1, "warmup": 1, "active": 2, "repeat": 2, "skip_first": 1}
    ours, theirs = schedule(**options), torch.profiler.schedule(**options)
    assert [ours(step).name for step in range(14)] == [theirs(step).name for step in range(14)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        schedule(wait=0, warmup=0, active=1)
    assert "won't be using warmup" in str(caught[0].message)
    with pytest.raises(AssertionError):
        schedule(wait=0, warmup=1, active=0)
    saved = []
    x = cr.ones(2)
    with profile(schedule=schedule(wait=1, warmup=1, active=2),
                 on_trace_ready=lambda p: saved.append(_keys(p))) as prof:
        for step in range(5):
            for _ in range(step + 1):
                x * 2
            prof.step()
    assert saved == [{"aten::mul": 3 + 4}]
    assert _keys(prof) == {"aten::mul": 7}
    assert ProfilerAction.RECORD_AND_SAVE.name == "RECORD_AND_SAVE"


def test_results_before_the_end_are_an_error():
    prof = autograd_profiler.profile()
    with pytest.raises(RuntimeError, match="didn't finish"):
        prof.key_averages()
    with prof:
        cr.ones(2) + 1
    assert prof.self_cpu_time_total > 0 and prof.total_average().count == 1
    assert "aten::add" in prof.table() and "aten::add" in str(prof)


def test_tensorboard_trace_handler_writes_chrome_traces(tmp_path):
    from chainrule.profiler import tensorboard_trace_handler

    with profile(on_trace_ready=tensorboard_trace_handler(str(tmp_path), "worker")):
        cr.ones(2) - 1
    (written,) = tmp_path.iterdir()
    assert written.name.startswith("worker.") and written.name.endswith(".pt.trace.json")
    assert [e["name"] for e in json.loads(written.read_text())["traceEvents"]] == ["aten::sub"]
