"""TensorBoard as PyTorch users log (issue 16): `chainrule.utils.tensorboard.SummaryWriter`
with PyTorch's API, read back from its event files; `chainrule train --tensorboard DIR`
logs every epoch."""

from __future__ import annotations

import struct
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import chainrule as cr
from chainrule.utils.tensorboard import SummaryWriter

REPOSITORY = Path(cr.__file__).parent.parent


def read_events(folder: Path) -> list:  # noqa: ANN401 - protobuf Events
    """Every event in the event files of the folder itself (TFRecord: a length, its CRC,
    the record, its CRC), parsed with the protobufs tensorboardX ships."""
    from tensorboardX.proto.event_pb2 import Event

    events = []
    for path in sorted(folder.glob("events.out.tfevents.*")):
        data = path.read_bytes()
        position = 0
        while position < len(data):
            (length,) = struct.unpack("<Q", data[position:position + 8])
            record = data[position + 12:position + 12 + length]
            events.append(Event.FromString(record))
            position += 12 + length + 4
    return events


def scalars(folder: Path) -> dict[str, dict[int, float]]:
    found: dict[str, dict[int, float]] = defaultdict(dict)
    for event in read_events(folder):
        for value in event.summary.value:
            if value.HasField("simple_value"):
                found[value.tag][event.step] = value.simple_value
    return found


def test_summary_writer_writes_what_pytorch_users_log(tmp_path: Path) -> None:
    with SummaryWriter(log_dir=str(tmp_path)) as writer:
        assert writer.get_logdir() == str(tmp_path)
        writer.add_scalar("loss", cr.tensor(0.5), 1)
        writer.add_scalar("loss", 0.25, global_step=2)
        writer.add_scalars("accuracy", {"train": 0.9, "val": cr.tensor(0.8)}, 2)
        writer.add_histogram("weights", cr.arange(100).float(), 2)
        writer.add_text("note", "hello", 0)
        writer.flush()
    events = read_events(tmp_path)
    values = [v for e in events for v in e.summary.value]
    assert scalars(tmp_path)["loss"] == {1: 0.5, 2: 0.25}
    histogram = next(v.histo for v in values if v.tag == "weights")
    assert histogram.num == 100 and histogram.min == 0 and histogram.max == 99
    assert any(v.tag.startswith("note") for v in values)
    accuracy = {path.name: scalars(path) for path in (tmp_path / "accuracy").iterdir()}
    assert abs(accuracy["train"]["accuracy"][2] - 0.9) < 1e-6
    assert abs(accuracy["val"]["accuracy"][2] - 0.8) < 1e-6


def test_train_logs_every_epoch(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "chainrule", "train", "--dataset", "quadrants",
                           "--epochs", "3", "--hidden", "8", "--out", "run", "--tensorboard",
                           "board", "--no-progress"], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path,
                          env={"PYTHONPATH": str(REPOSITORY), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    logged = scalars(tmp_path / "board")
    assert sorted(logged["lr"]) == [1, 2, 3]
    assert sorted(logged["grad_norm/layer_1"]) == [1, 2, 3]
    assert sorted(scalars(tmp_path / "board" / "loss" / "val")["loss"]) == [1, 2, 3]
    tags = {v.tag for e in read_events(tmp_path / "board") for v in e.summary.value}
    assert "layers.0.weight" in tags
