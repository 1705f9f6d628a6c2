"""Defaults that work (issue 16): Adam at PyTorch's defaults, enough epochs without
--epochs, and any folder of MNIST-format IDX files trained under its own name."""

from __future__ import annotations

import gzip
import inspect
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

import chainrule as cr
from chainrule.apps.training.config import TrainConfig, dataset_name, default_epochs

REPOSITORY = Path(cr.__file__).parent.parent


def write_idx(path: Path, array: np.ndarray) -> None:
    """An IDX file of unsigned bytes (what MNIST's files hold), gzip-compressed."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(size).to_bytes(4, "big") for size in array.shape)
    path.write_bytes(gzip.compress(header + array.astype(np.uint8).tobytes()))


def write_idx_folder(folder: Path, train: int = 240, test: int = 60, classes: int = 3) -> None:
    """A tiny MNIST-format data set: each class lights up its own band of an 8x8 image."""
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for split, count in (("train", train), ("t10k", test)):
        labels = rng.integers(0, classes, count)
        images = rng.integers(0, 60, (count, 8, 8))
        for image, label in zip(images, labels):
            image[2 * label:2 * label + 2] += 180
        write_idx(folder / f"{split}-images-idx3-ubyte.gz", images)
        write_idx(folder / f"{split}-labels-idx1-ubyte.gz", labels)


def test_adam_starts_at_pytorchs_learning_rate() -> None:
    pytorch_default = 1e-3
    library_default = inspect.signature(cr.optim.Adam).parameters["lr"].default
    assert TrainConfig(optimizer="adam").learning_rate == library_default == pytorch_default


def test_default_epochs_give_about_4000_steps() -> None:
    assert default_epochs(300, 32) == 400        # the spiral: 10 steps an epoch
    assert default_epochs(55_000, 32) == 10      # MNIST: 1,719 steps an epoch
    assert default_epochs(3_000, 32) == 43


def test_an_idx_folder_trains_under_its_own_name(tmp_path: Path) -> None:
    folder = tmp_path / "bands"
    write_idx_folder(folder)
    assert dataset_name(TrainConfig(dataset="mnist", data_dir=str(folder))) == "bands"
    for options in (["--dataset", str(folder)], ["--dataset", "mnist", "--data-dir",
                                                  str(folder)]):
        out = tmp_path / "run"
        done = subprocess.run([sys.executable, "-m", "chainrule", "train", *options,
                               "--epochs", "2", "--out", str(out), "--no-progress"],
                              capture_output=True, text=True, timeout=120, cwd=tmp_path,
                              env={"PYTHONPATH": str(REPOSITORY), "PATH": "/usr/bin:/bin"})
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith("bands: 220 training, 20 validation and 60 test samples, "
                                      "3 classes; MLP 64-256-3 relu")
        metrics = json.loads((out / "metrics.json").read_text())
        assert metrics["dataset_name"] == "bands" and "mnist" not in done.stdout
