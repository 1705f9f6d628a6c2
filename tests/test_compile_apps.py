"""`chainrule train --compile` and `chainrule ner train --compile`: the same metrics as eager
on tiny runs (the gradient step traced once per batch shape and replayed)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.apps.training import TrainConfig, train


def _metrics(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in e.items() if k not in ("seconds", "elapsed")} for e in history]


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b):
        assert x.keys() == y.keys()
        for key in x:
            if isinstance(x[key], float):
                assert np.isclose(x[key], y[key], rtol=1e-5, atol=1e-7), key
            else:
                assert x[key] == y[key], key


def test_train_compile_gives_eagers_metrics(tmp_path: Path) -> None:
    base = {"epochs": 3, "progress": False, "hidden": [16], "optimizer": "momentum"}
    eager = train(TrainConfig(out=str(tmp_path / "eager"), **base), report=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no graph break: the step replays
        compiled = train(TrainConfig(out=str(tmp_path / "compiled"), compile=True, **base),
                         report=False)
    _same(_metrics(eager.history), _metrics(compiled.history))
    assert eager.test_accuracy == compiled.test_accuracy


def test_train_compile_flag_on_the_command_line(tmp_path: Path, capsys: Any) -> None:
    from chainrule.apps.cli import main

    assert main(["train", "--epochs", "1", "--hidden", "8", "--no-progress", "--compile",
                 "--out", str(tmp_path / "run")]) == 0
    assert (tmp_path / "run").is_dir()


def test_ner_train_compile_gives_eagers_metrics(tmp_path: Path, capsys: Any) -> None:
    from chainrule.apps.cli import main
    from tests.test_ner import write_tiny_conll

    data = tmp_path / "conll"
    data.mkdir()
    write_tiny_conll(data)
    outputs = []
    for flag in ([], ["--compile"]):
        out = tmp_path / ("ner" + "".join(flag))
        assert main(["ner", "train", "--data-dir", str(data), "--out", str(out), "--epochs",
                     "2", "--pretrain-epochs", "0", "--no-progress", "--hidden", "12",
                     "--optimizer", "sgd", *flag]) == 0
        lines = [line for line in capsys.readouterr().out.splitlines() if "loss" in line]
        outputs.append([line.rsplit("(", 1)[0] for line in lines])  # without the seconds
    assert outputs[0] and outputs[0] == outputs[1]
