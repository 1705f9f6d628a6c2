"""`chainrule train --compile` and `chainrule ner train --compile`: the same metrics as eager
on tiny runs (the gradient step traced once per batch shape and replayed)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.apps.training import TrainConfig, train

_TIMES = ("seconds", "elapsed", "wall_seconds")


def _metrics(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k not in _TIMES} for e in history]


def _same(a: Any, b: Any) -> None:
    """Equal, floats to float tolerance, through lists and dicts (times left out)."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for key in a:
            if key not in _TIMES:
                _same(a[key], b[key])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float):
        assert np.isclose(a, b, rtol=1e-5, atol=1e-7)
    else:
        assert a == b


def test_train_compile_gives_eagers_metrics(tmp_path: Path) -> None:
    base = {"epochs": 3, "progress": False, "hidden": [16], "optimizer": "momentum"}
    eager = train(TrainConfig(out=str(tmp_path / "eager"), **base), report=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no graph break: the step replays
        compiled = train(TrainConfig(out=str(tmp_path / "compiled"), compile=True, **base),
                         report=False)
    _same(_metrics(eager.history), _metrics(compiled.history))
    assert eager.test_accuracy == compiled.test_accuracy


def test_train_compile_flag_on_the_command_line_with_adam(tmp_path: Path, capsys: Any
                                                          ) -> None:
    """The default optimiser, Adam, steps eagerly after the compiled gradient step: its
    step count stays right, so the metrics are eager's."""
    from chainrule.apps.cli import main

    for flag in ([], ["--compile"]):
        assert main(["train", "--epochs", "2", "--hidden", "8", "--no-progress",
                     "--out", str(tmp_path / f"run{len(flag)}"), *flag]) == 0
    eager, compiled = (json.loads((tmp_path / f"run{n}" / "metrics.json").read_text())
                       for n in (0, 1))
    _same(eager["epochs"], compiled["epochs"])
    _same(eager["final"], compiled["final"])


def test_ner_train_compile_gives_eagers_metrics(tmp_path: Path, capsys: Any) -> None:
    from chainrule.apps.cli import main
    from tests.test_ner import write_tiny_conll

    data = tmp_path / "conll"
    data.mkdir()
    write_tiny_conll(data)
    outputs = []
    for flag in ([], ["--compile"]):
        out = tmp_path / ("ner" + "".join(flag))
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message="cr.compile")  # replayed, no break
            assert main(["ner", "train", "--data-dir", str(data), "--out", str(out),
                         "--epochs", "2", "--pretrain-epochs", "0", "--no-progress",
                         "--hidden", "12", "--optimizer", "sgd", *flag]) == 0
        lines = [line for line in capsys.readouterr().out.splitlines() if "loss" in line]
        outputs.append([line.rsplit("(", 1)[0] for line in lines])  # without the seconds
    assert outputs[0] and outputs[0] == outputs[1]
