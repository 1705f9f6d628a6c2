"""LeNet-5: the model, its state dict against PyTorch's, and `chainrule train --model lenet`
on a small MNIST-format folder (a few hundred synthetic images, so it runs in seconds)."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.apps.cli import main
from chainrule.apps.models import LeNet5
from chainrule.apps.training import TrainConfig


def test_lenet_has_lenet5s_layers_and_61706_parameters() -> None:
    net = LeNet5()
    assert sum(p.numel() for p in net.parameters()) == 61706
    shapes = {name: tuple(p.shape) for name, p in net.named_parameters()}
    assert shapes["conv1.weight"] == (6, 1, 5, 5) and shapes["conv2.weight"] == (16, 6, 5, 5)
    assert shapes["fc1.weight"] == (120, 400) and shapes["fc3.weight"] == (10, 84)
    for shape in [(3, 784), (3, 28, 28), (3, 1, 28, 28)]:
        assert net(cr.zeros(*shape)).shape == (3, 10)
    with pytest.raises(ValueError, match="28×28"):
        net(cr.zeros(3, 100))


def test_lenet_matches_the_same_net_in_pytorch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests "
                                "need it (pip install torch==2.13.0); chainrule does not "
                                "depend on it")
    tnn = torch.nn
    theirs = tnn.Sequential()
    theirs.add_module("conv1", tnn.Conv2d(1, 6, 5, padding=2))
    theirs.add_module("conv2", tnn.Conv2d(6, 16, 5))
    theirs.add_module("fc1", tnn.Linear(400, 120))
    theirs.add_module("fc2", tnn.Linear(120, 84))
    theirs.add_module("fc3", tnn.Linear(84, 10))
    ours = LeNet5()
    ours.load_state_dict({k: cr.tensor(v.numpy()) for k, v in theirs.state_dict().items()})

    def torch_forward(x: object) -> object:
        functional = torch.nn.functional
        h = functional.max_pool2d(functional.relu(theirs.conv1(x)), 2)
        h = functional.max_pool2d(functional.relu(theirs.conv2(h)), 2).flatten(1)
        h = functional.relu(theirs.fc2(functional.relu(theirs.fc1(h))))
        return theirs.fc3(h)

    x = np.random.default_rng(0).standard_normal((4, 1, 28, 28)).astype(np.float32)
    labels = np.array([1, 3, 5, 7])
    mine = ours(cr.tensor(x))
    reference = torch_forward(torch.tensor(x))
    np.testing.assert_allclose(mine.detach().numpy(), reference.detach().numpy(), atol=1e-5)
    cr.nn.functional.cross_entropy(mine, cr.tensor(labels)).backward()
    torch.nn.functional.cross_entropy(reference, torch.tensor(labels)).backward()
    for name, parameter in ours.named_parameters():
        expected = dict(theirs.named_parameters())[name].grad.numpy()
        np.testing.assert_allclose(parameter.grad.numpy(), expected, atol=1e-5)


def _write_idx(path: Path, array: np.ndarray) -> None:
    header = struct.pack(">BBBB", 0, 0, 8, array.ndim) + b"".join(
        struct.pack(">I", size) for size in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def _tiny_mnist(folder: Path, train: int = 400, test: int = 100) -> Path:
    """Two classes a conv net tells apart at once: a bright bar across or down the image."""
    folder.mkdir()
    rng = np.random.default_rng(0)
    for stem, count in (("train", train), ("t10k", test)):
        labels = rng.integers(0, 2, count)
        images = rng.integers(0, 60, (count, 28, 28))
        where = rng.integers(6, 22, count)
        for i, (label, at) in enumerate(zip(labels, where)):
            if label:
                images[i, at - 2:at + 2, 4:24] = 250
            else:
                images[i, 4:24, at - 2:at + 2] = 250
        _write_idx(folder / f"{stem}-images-idx3-ubyte", images)
        _write_idx(folder / f"{stem}-labels-idx1-ubyte", labels)
    return folder


def test_train_lenet_from_the_command_line(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = _tiny_mnist(tmp_path / "bars")
    out = tmp_path / "run"
    code = main(["train", "--dataset", str(data), "--model", "lenet", "--epochs", "2",
                 "--out", str(out), "--no-progress", "--batch-size", "16"])
    printed = capsys.readouterr().out
    assert code == 0
    assert "LeNet-5" in printed and "cosine schedule" in printed  # lenet's default schedule
    accuracy = float(printed.split("test accuracy ")[1].split()[0])
    assert accuracy >= 0.9
    assert main(["evaluate", str(out)]) == 0  # the saved LeNet loads back


def test_mlp_stays_the_default_and_lenet_refuses_other_sizes(tmp_path: Path) -> None:
    assert TrainConfig().model == "mlp"
    with pytest.raises(ValueError, match="unknown model"):
        TrainConfig(model="resnet").validate()
    code = main(["train", "--dataset", "spiral", "--model", "lenet", "--epochs", "1",
                 "--out", str(tmp_path / "run"), "--no-progress"])
    assert code != 0


def test_a_resumed_lenet_run_ends_as_the_uninterrupted_one(tmp_path: Path) -> None:
    """Checkpoints hold the conv layers, the cosine schedule and the dropout draws."""
    from chainrule.apps.training.trainer import Interrupted, train

    data = _tiny_mnist(tmp_path / "bars", train=96, test=32)
    base = {"dataset": str(data), "model": "lenet", "epochs": 3, "progress": False,
            "schedule": "cosine", "dropout": 0.2, "batch_size": 16}
    whole = train(TrainConfig(out=str(tmp_path / "whole"), **base), report=False)
    with pytest.raises(Interrupted):
        train(TrainConfig(out=str(tmp_path / "split"), **base), interrupt_after=1,
              report=False)
    resumed = train(TrainConfig(out=str(tmp_path / "split"), **base), resume=True,
                    report=False)
    timing = ("seconds", "elapsed")
    assert [{k: v for k, v in e.items() if k not in timing} for e in resumed.history] == \
        [{k: v for k, v in e.items() if k not in timing} for e in whole.history]
    assert resumed.test_accuracy == whole.test_accuracy
