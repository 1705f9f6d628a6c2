"""Long runs (issue 16): a progress bar within seconds, a checkpoint, metrics.json and the
pictures after every epoch, and resuming after Ctrl-C from the last finished epoch, for
both `chainrule train` and `chainrule ner train`."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

import chainrule as cr
from chainrule.apps.cli import main
from chainrule.apps.ner.tagger import NerConfig, load_tagger, train_ner
from chainrule.apps.training import TrainConfig, train
from chainrule.apps.training.loop import Interrupted, Redraw

from .test_defaults import write_idx_folder
from .test_ner import write_tiny_conll

REPOSITORY = Path(cr.__file__).parent.parent
PICTURES = ("curves.png", "gradient_health.png", "decision_regions.png")


def test_train_leaves_checkpoint_metrics_and_pictures_after_each_epoch(tmp_path: Path) -> None:
    config = TrainConfig(dataset="quadrants", epochs=5, hidden=[16], out=str(tmp_path / "r"),
                         progress=False)
    with pytest.raises(Interrupted) as stop:
        train(config, interrupt_after=2)
    assert stop.value.epoch == 2
    assert cr.load(tmp_path / "r" / "checkpoint.safetensors")["epoch"] == 2
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert [record["epoch"] for record in metrics["epochs"]] == [1, 2]
    for name in PICTURES:  # drawn after the first epoch, not only at the end
        assert (tmp_path / "r" / name).read_bytes()[:4] == b"\x89PNG", name


def test_redraw_draws_each_epoch_that_takes_longer_than_drawing() -> None:
    drawn: list[float] = []
    redraw = Redraw(lambda: (time.sleep(0.02), drawn.append(time.perf_counter())))
    assert redraw(force=True) and len(drawn) == 1
    assert not redraw()          # 0 s after a 0.02 s drawing: not yet
    time.sleep(0.25)             # an epoch longer than 9 drawings
    assert redraw() and len(drawn) == 2
    assert redraw(force=True)


def ner_config(data: Path, out: Path, epochs: int = 4) -> NerConfig:
    return NerConfig(data_dir=str(data), out=str(out), epochs=epochs, patience=10, hidden=12,
                     word_dim=8, progress=False)


def test_ner_resumes_after_ctrl_c_where_an_uninterrupted_run_ends(tmp_path: Path) -> None:
    data = tmp_path / "conll"
    data.mkdir()
    write_tiny_conll(data)
    quiet = {"log": lambda *_: None}
    whole = train_ner(ner_config(data, tmp_path / "whole"), **quiet)
    with pytest.raises(Interrupted) as stop:
        train_ner(ner_config(data, tmp_path / "split"), interrupt_after=2, **quiet)
    split = tmp_path / "split"
    assert stop.value.epoch == 2 and stop.value.out == split
    saved = json.loads((split / "metrics.json").read_text())
    assert [record["epoch"] for record in saved["history"]] == [1, 2]
    assert (split / "curves.png").read_bytes()[:4] == b"\x89PNG"
    tagger = load_tagger(split)  # the best tagger so far is usable mid-run
    assert [token for token, _ in tagger.tag_text("Paris is amazing .")][0] == "Paris"
    resumed = train_ner(ner_config(data, split), resume=True, **quiet)

    def timeless(history: list[dict]) -> list[dict]:
        return [{k: v for k, v in record.items() if k != "seconds"} for record in history]

    assert timeless(resumed["history"]) == timeless(whole["history"])
    assert resumed["test"] == whole["test"] and resumed["best_epoch"] == whole["best_epoch"]


def test_ner_command_says_how_to_resume_after_ctrl_c(tmp_path: Path, capsys,
                                                     monkeypatch) -> None:  # noqa: ANN001
    def interrupted(*_: object, **__: object) -> None:
        raise Interrupted(3, tmp_path / "ner" / "ner-resume.safetensors")

    monkeypatch.setattr("chainrule.apps.ner.tagger.train_ner", interrupted)
    assert main(["ner", "train", "--data-dir", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert "after epoch 3" in err and f"chainrule ner train --resume --out {tmp_path / 'ner'}" \
        in err


def first_output_on_a_terminal(args: list[str], cwd: Path, wanted: str,
                               limit: float = 30.0) -> tuple[str, float]:
    """Runs the command with a terminal for stderr (so progress bars show, as for a user)
    until `wanted` appears in it; returns what it printed and after how many seconds."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))  # 100 columns
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "chainrule", *args], cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=follower,
                               env={**os.environ, "PYTHONPATH": str(REPOSITORY)})
    os.close(follower)
    seen = ""
    try:
        while wanted not in seen and time.perf_counter() - began < limit:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(leader, 4096).decode(errors="replace")
                except OSError:  # the command ended
                    break
        return seen, time.perf_counter() - began
    finally:
        process.kill()
        process.wait()
        os.close(leader)


def test_progress_bars_show_within_seconds(tmp_path: Path) -> None:
    images = tmp_path / "bands"
    write_idx_folder(images, train=3000, test=60)
    seen, seconds = first_output_on_a_terminal(
        ["train", "--dataset", str(images), "--batch-size", "1", "--epochs", "1", "--out",
         str(tmp_path / "run")], tmp_path, "batch/s")
    assert "epoch 1/1" in seen and "batch/s" in seen and seconds < 20
    conll = tmp_path / "conll"
    conll.mkdir()
    write_tiny_conll(conll)
    seen, seconds = first_output_on_a_terminal(
        ["ner", "train", "--data-dir", str(conll), "--batch-size", "1", "--epochs", "1",
         "--out", str(tmp_path / "ner")], tmp_path, "batch/s")
    assert "epoch 1/1" in seen and "batch/s" in seen and seconds < 20
