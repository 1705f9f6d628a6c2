"""The `chainrule` command: exit codes, files, one-sentence errors, resume after Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.apps.cli import main
from chainrule.apps.training import TrainConfig, train
from chainrule.apps.training.trainer import Interrupted


def run_cli(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_train_writes_checkpoint_metrics_and_report(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "run"
    code, stdout, _ = run_cli("train", "--epochs", "3", "--out", str(out), "--no-progress",
                              capsys=capsys)
    assert code == 0
    assert stdout.count("epoch ") >= 3 and "done: test accuracy" in stdout
    for name in ("checkpoint.safetensors", "metrics.json", "curves.png",
                 "gradient_health.png", "decision_regions.png"):
        assert (out / name).is_file(), name
    for name in ("curves.png", "gradient_health.png", "decision_regions.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
    metrics = json.loads((out / "metrics.json").read_text())
    assert [e["epoch"] for e in metrics["epochs"]] == [1, 2, 3]
    assert len(metrics["epochs"][0]["grad_norm"]) == 2
    assert metrics["epochs"][0]["dead_fraction"] is not None
    assert 0 <= metrics["final"]["test_accuracy"] <= 1


def test_default_run_reaches_98_percent_training_accuracy(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    code, stdout, _ = run_cli("train", "--out", str(tmp_path / "default"), "--no-progress",
                              capsys=capsys)
    assert code == 0
    metrics = json.loads((tmp_path / "default" / "metrics.json").read_text())
    assert metrics["final"]["train_accuracy"] >= 0.98


@pytest.mark.parametrize("options", [
    ["--activation", "tanh", "--loss", "hinge", "--optimizer", "momentum", "--init", "xavier"],
    ["--activation", "sigmoid", "--loss", "mse", "--optimizer", "adagrad", "--init", "kaiming"],
    ["--activation", "softplus", "--optimizer", "sgd", "--dataset", "quadrants"],
    ["--activation", "hardtanh", "--hidden", "16", "16", "--schedule", "cosine"],
])
def test_training_options(tmp_path: Path, capsys, options: list[str]) -> None:  # noqa: ANN001
    """Each option reaches the run it names: the saved model and optimizer state, the
    learning rates, and (for --loss and --init) a result that differs without it."""
    from safetensors.numpy import load_file

    from chainrule.apps.training.trainer import load_model

    def run(name: str, args: list[str]) -> dict:
        code, _, err = run_cli("train", "--epochs", "2", "--out", str(tmp_path / name),
                               "--no-progress", *args, capsys=capsys)
        assert code == 0, err
        return json.loads((tmp_path / name / "metrics.json").read_text())

    metrics = run("o", options)
    given: dict[str, str] = {}
    for word in options:  # flag → its (last) value
        given.update({word: ""} if word.startswith("--") else {list(given)[-1]: word})
    model, config, _ = load_model(tmp_path / "o")
    assert type(model.activations[0]).__name__.lower() == given["--activation"]
    widths = [layer.out_features for layer in model.layers[:-1]]
    assert widths == ([16, 16] if "--hidden" in given else TrainConfig().hidden)
    assert model.layers[-1].out_features == (4 if given.get("--dataset") == "quadrants" else 3)
    state = " ".join(load_file(tmp_path / "o" / "checkpoint.safetensors"))
    optimizer = given.get("--optimizer", "adam")
    assert ("momentum_buffer" in state) == (optimizer == "momentum")
    assert ("optimizer.state" in state) == (optimizer != "sgd")
    rates = [epoch["lr"] for epoch in metrics["epochs"]]
    assert (rates[-1] < rates[0]) == (given.get("--schedule") == "cosine")
    if given["--activation"] in ("sigmoid", "tanh", "hardtanh"):
        assert metrics["epochs"][0]["saturated_fraction"] is not None
    for flag in ("--loss", "--init"):
        if flag in given:
            position = options.index(flag)
            without = run(flag.strip("-"), options[:position] + options[position + 2:])
            assert without["epochs"][0]["train_loss"] != metrics["epochs"][0]["train_loss"], \
                f"{flag} {given[flag]} changed nothing"


def test_csv_and_npz_data(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    x, y = cr.datasets.quadrants(200)
    table = np.c_[x.numpy(), y.numpy()]
    np.savetxt(tmp_path / "points.csv", table, delimiter=",", header="a,b,label")
    np.savez(tmp_path / "points.npz", x=x.numpy(), y=y.numpy())
    for name in ("points.csv", "points.npz"):
        code, _, err = run_cli("train", "--dataset", str(tmp_path / name), "--epochs", "2",
                               "--out", str(tmp_path / name.replace(".", "_")),
                               "--no-progress", capsys=capsys)
        assert code == 0, err


def exit_code_of(args: list[str]) -> int:
    """main's status, or argparse's (which exits) for its own usage mistakes."""
    try:
        return main(args)
    except SystemExit as stop:
        return int(stop.code or 0)


@pytest.mark.parametrize("args, code, message", [
    (["train", "--dataset", "cifar"], 2, "unknown data set 'cifar'"),
    (["train", "--dataset", "mnist"], 2, "needs --data-dir"),
    (["train", "--dataset", "mnist", "--data-dir", "/no/such/folder"], 1, "does not exist"),
    (["train", "--hidden", "0"], 2, "expected a positive number"),
    (["train", "--activation", "swish"], 2, "invalid choice: 'swish'"),
    (["train", "--optimizer", "lbfgs"], 2, "invalid choice: 'lbfgs'"),
    (["train", "--lr", "-1"], 2, "learning rate must be positive"),
    (["train", "--epochs", "many"], 2, "expected a whole number"),
    (["train", "--resume", "--out", "/no/such/run"], 1, "no checkpoint"),
    (["evaluate", "/no/such/checkpoint"], 1, "no checkpoint"),
    (["evaluate", "/no/such/checkpoint", "--split", "valid"], 2, "invalid choice: 'valid'"),
    (["ner", "evaluate", "x", "--data-dir", "x", "--split", "valid"], 2,
     "invalid choice: 'valid'"),
    (["ner", "train", "--data-dir", "x", "--decode", "beam"], 2, "invalid choice: 'beam'"),
    (["explain", "x + y", "x=1"], 2, "'y', which has no value"),
    (["explain", "--example", "nope"], 2, "unknown example 'nope'"),
    (["frobnicate"], 2, "invalid choice"),
])
def test_bad_arguments_end_in_one_sentence(args: list[str], code: int, message: str,
                                           tmp_path: Path, capsys) -> None:  # noqa: ANN001
    """One rule: 2 for a mistake in the command line, 1 for a run that failed."""
    if args[:1] == ["train"] and "--out" not in args:
        args = [*args, "--out", str(tmp_path / "bad"), "--no-progress"]
    assert exit_code_of(args) == code
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_evaluate_and_predict_load_the_saved_model(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    out = tmp_path / "run"
    assert main(["train", "--epochs", "30", "--out", str(out), "--no-progress"]) == 0
    capsys.readouterr()
    code, stdout, _ = run_cli("evaluate", str(out / "checkpoint.safetensors"), capsys=capsys)
    assert code == 0 and stdout.startswith("test: 300 samples")
    metrics = json.loads((out / "metrics.json").read_text())
    assert f"accuracy {metrics['final']['test_accuracy']:.4f}" in stdout
    code, stdout, _ = run_cli("predict", str(out), "--point", "0.1,0.2", "--point",
                              "-0.5,0.3", capsys=capsys)
    assert code == 0 and len(stdout.splitlines()) == 2 and "class" in stdout
    code, _, err = run_cli("predict", str(out), "--point", "1,2,3", capsys=capsys)
    assert code == 2 and "takes 2 features" in err


def test_explain_command_prints_the_trace_and_writes_the_picture(tmp_path: Path,
                                                                 capsys) -> None:  # noqa: ANN001
    picture = tmp_path / "graph.svg"
    code, stdout, _ = run_cli("explain", "(x+y)*z", "x=-2", "y=5", "z=-4", "--out",
                              str(picture), capsys=capsys)
    assert code == 0 and "mul  ∂f/∂q = z = -4  × upstream 1 = -4  → q" in stdout
    assert picture.read_text().lstrip().startswith("<?xml")
    code, stdout, _ = run_cli("explain", "--example", "sigmoid-circuit", "--out",
                              str(tmp_path / "s.png"), capsys=capsys)
    assert code == 0 and "∂f/∂w0 = -0.1966" in stdout


def test_resume_after_an_interruption_gives_the_uninterrupted_result(tmp_path: Path) -> None:
    base = {"epochs": 6, "progress": False, "hidden": [16], "optimizer": "momentum",
            "dropout": 0.1}
    whole = train(TrainConfig(out=str(tmp_path / "whole"), **base), report=False)
    with pytest.raises(Interrupted):
        train(TrainConfig(out=str(tmp_path / "split"), **base), interrupt_after=2,
              report=False)
    resumed = train(TrainConfig(out=str(tmp_path / "split"), **base), resume=True,
                    report=False)
    timing = ("seconds", "elapsed")
    strip = [{k: v for k, v in e.items() if k not in timing} for e in whole.history]
    again = [{k: v for k, v in e.items() if k not in timing} for e in resumed.history]
    assert strip == again
    assert resumed.test_accuracy == whole.test_accuracy


def test_ctrl_c_saves_and_exits_cleanly_then_resume_finishes(tmp_path: Path) -> None:
    out = tmp_path / "run"
    # small batches make each epoch last long enough for the signal to land mid-run
    command = [sys.executable, "-m", "chainrule", "train", "--epochs", "30", "--batch-size",
               "4", "--hidden", "64", "--out", str(out), "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.time() + 60
    metrics = out / "metrics.json"
    while time.time() < deadline and not metrics.exists():
        time.sleep(0.1)
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "chainrule train --resume" in stderr
    saved = cr.load(out / "checkpoint.safetensors")
    assert 1 <= saved["epoch"] < 30
    resumed = subprocess.run([sys.executable, "-m", "chainrule", "train", "--resume", "--out",
                              str(out), "--no-progress"], capture_output=True, text=True,
                             timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming {out} after epoch {saved['epoch']} of 30" in resumed.stdout
    epochs = [e["epoch"] for e in json.loads(metrics.read_text())["epochs"]]
    assert epochs == list(range(1, 31))
