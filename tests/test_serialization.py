"""cr.save / cr.load: round trips, atomic writes, clear errors, bit-for-bit resumption."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.serialization import CheckpointError


def test_round_trip_of_nested_state(tmp_path: Path) -> None:
    state = {"model": {"w": cr.randn(3, 2), "steps": cr.tensor([1, 2])},
             "epoch": 4, "lr": 0.5, "name": "spiral", "done": False, "none": None,
             "betas": (0.9, 0.999), "history": [1.0, 2.0], 7: "int key",
             "scalar": cr.tensor(2.5, dtype=cr.float64)}
    path = tmp_path / "state.safetensors"
    cr.save(state, path)
    loaded = cr.load(path)
    assert loaded["epoch"] == 4 and loaded["lr"] == 0.5 and loaded["name"] == "spiral"
    assert loaded["betas"] == (0.9, 0.999) and loaded["history"] == [1.0, 2.0]
    assert loaded[7] == "int key" and loaded["none"] is None and loaded["done"] is False
    assert cr.equal(loaded["model"]["w"], state["model"]["w"])
    assert loaded["model"]["steps"].dtype == cr.int64
    assert loaded["scalar"].dtype == cr.float64 and loaded["scalar"].shape == ()


def test_optimizer_state_dict_round_trip(tmp_path: Path) -> None:
    w = cr.randn(4, requires_grad=True)
    optimiser = cr.optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    optimiser.step()
    cr.save(optimiser.state_dict(), tmp_path / "opt.safetensors")
    loaded = cr.load(tmp_path / "opt.safetensors")
    assert loaded["param_groups"][0]["betas"] == (0.9, 0.999)
    assert loaded["state"][0]["step"] == 1
    assert cr.equal(loaded["state"][0]["exp_avg"], optimiser.state[w]["exp_avg"])


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "ckpt.safetensors"
    cr.save({"w": cr.ones(3)}, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        cr.save({"w": cr.zeros(1000)}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.safetensors"]  # no leftovers


def test_unsupported_values_are_refused(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"cannot store a set at obj\['a'\]"):
        cr.save({"a": {1, 2}}, tmp_path / "x.safetensors")


def test_corrupt_and_foreign_files_raise_clear_errors(tmp_path: Path) -> None:
    missing = tmp_path / "missing.safetensors"
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        cr.load(missing)
    pickle_like = tmp_path / "model.pt"
    pickle_like.write_bytes(b"\x80\x04\x95" + os.urandom(200))
    with pytest.raises(CheckpointError, match="not a readable safetensors checkpoint"):
        cr.load(pickle_like)
    path = tmp_path / "ok.safetensors"
    cr.save({"w": cr.ones(100)}, path)
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(path.read_bytes()[:-50])
    with pytest.raises(CheckpointError):
        cr.load(truncated)


def test_a_plain_safetensors_file_loads_as_a_dict(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    save_file({"embedding": np.ones((2, 3), np.float32)}, str(tmp_path / "plain.safetensors"))
    loaded = cr.load(tmp_path / "plain.safetensors")
    assert list(loaded) == ["embedding"] and loaded["embedding"].shape == (2, 3)


def test_training_resumes_bit_for_bit_from_a_checkpoint(tmp_path: Path) -> None:
    x, y = cr.datasets.spiral(points_per_class=30)

    def make() -> tuple[cr.nn.Module, cr.optim.Optimizer]:
        model = cr.nn.Sequential(cr.nn.Linear(2, 16), cr.nn.ReLU(), cr.nn.Linear(16, 3))
        return model, cr.optim.SGD(model.parameters(), lr=0.3, momentum=0.9, weight_decay=1e-3)

    def train(model, optimiser, epochs):  # noqa: ANN001, ANN202
        loader = cr.utils.data.DataLoader(cr.utils.data.TensorDataset(x, y), batch_size=16,
                                          shuffle=True)
        for _ in range(epochs):
            for features, labels in loader:
                optimiser.zero_grad()
                cr.nn.functional.cross_entropy(model(features), labels).backward()
                optimiser.step()

    cr.manual_seed(0)
    model, optimiser = make()
    train(model, optimiser, 6)
    uninterrupted = [p.detach().numpy().copy() for p in model.parameters()]

    cr.manual_seed(0)
    model, optimiser = make()
    train(model, optimiser, 3)
    cr.save({"model": model.state_dict(), "optimizer": optimiser.state_dict(),
             "rng": cr.get_rng_state()}, tmp_path / "ckpt.safetensors")
    del model, optimiser

    checkpoint = cr.load(tmp_path / "ckpt.safetensors")
    model, optimiser = make()
    model.load_state_dict(checkpoint["model"])
    optimiser.load_state_dict(checkpoint["optimizer"])
    cr.set_rng_state(checkpoint["rng"])
    train(model, optimiser, 3)
    for before, after in zip(uninterrupted, model.parameters()):
        assert np.array_equal(before, after.detach().numpy())


# ---------------------------------------------------------------------- issue 11: damaged files
def _with_structure(tmp_path: Path, record: str) -> Path:
    """A valid safetensors file whose chainrule structure record is `record`."""
    from safetensors.numpy import save_file

    path = tmp_path / "crafted.safetensors"
    save_file({"w": np.ones(2, np.float32)}, str(path), metadata={"chainrule.structure": record})
    return path


@pytest.mark.parametrize(("record", "says"), [
    ('{"version": 1, "root": {"__dict__": 5}}', "unexpected entry"),
    ('{"version": 1, "root": {"__dict__": [[1]]}}', "dict entry"),
    ('{"version": 1, "root": {"__dict__": [[["k"], 1]]}}', "dict entry"),
    ('{"version": 1, "root": {"__dict__": [[null, 1]]}}', "dict entry"),
    ('{"version": 1, "root": {"__tuple__": 7}}', "unexpected entry"),
    ('{"version": 1, "root": {"__tensor__": ["w"]}}', "names a tensor"),
    ('{"version": 1, "root": {"__tensor__": "w", "__tuple__": []}}', "unexpected entry"),
    ('{"version": 2, "root": 1}', "format version 2"),
    ('{"root": 1}', "format version None"),
    ('[1, 2]', "expected an object"),
    ('{"version": 1, "root": ' + "[" * 5000 + "]" * 5000 + "}", "damaged structure"),
    ('{"version": 1, "root": ' + "[" * 300 + "]" * 300 + "}", "nested more than"),
])
def test_a_malformed_structure_record_raises_checkpoint_error(tmp_path: Path, record: str,
                                                               says: str) -> None:
    with pytest.raises(CheckpointError, match=says) as caught:
        cr.load(_with_structure(tmp_path, record))
    assert "crafted.safetensors" in str(caught.value)  # the file is named


def test_save_refuses_nesting_that_load_would_refuse(tmp_path: Path) -> None:
    deep: list = []
    for _ in range(300):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than 200 levels"):
        cr.save({"deep": deep}, tmp_path / "deep.safetensors")
    shallow: list = []
    for _ in range(150):
        shallow = [shallow]
    cr.save({"deep": shallow}, tmp_path / "ok.safetensors")
    assert cr.load(tmp_path / "ok.safetensors")["deep"] == shallow


def test_paths_of_the_wrong_type_are_named(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="load: expected a file path"):
        cr.load(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="save: expected a file path"):
        cr.save({}, 3)  # type: ignore[arg-type]
    with pytest.raises(CheckpointError, match="is a folder"):
        cr.load(tmp_path)


# ---------------------------------------------------------------------- temporary files, modes
_KILLED_SAVE = """
import os, signal, sys
import chainrule as cr
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # killed mid-save
cr.save({"w": cr.ones(100_000)}, sys.argv[1])
"""


@pytest.mark.skipif(os.name != "posix", reason="uses SIGKILL")
def test_a_save_killed_mid_write_leaves_a_temporary_that_the_next_save_removes(
        tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "model.safetensors"
    cr.save({"w": cr.zeros(2)}, path)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    killed = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(path)], env=env,
                            capture_output=True)
    assert killed.returncode == -9, killed.stderr
    stale = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(stale) == 1 and stale[0].stat().st_size > 0
    assert cr.load(path)["w"].shape == (2,)  # the old checkpoint is whole
    cr.save({"w": cr.ones(3)}, path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.safetensors"]


def test_a_temporary_of_a_running_save_or_another_file_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "model.safetensors"
    running = tmp_path / f".model.safetensors.{os.getpid()}.abcd1234.tmp"  # a live writer
    other = tmp_path / ".other.safetensors.1.abcd1234.tmp"  # another checkpoint's
    old_style = tmp_path / ".model.safetensors.k2j3h4.tmp"  # tempfile.mkstemp's naming
    for file in (running, other, old_style):
        file.write_bytes(b"partial")
    cr.save({"w": cr.ones(1)}, path)
    assert running.exists() and other.exists() and not old_style.exists()


def test_resume_removes_a_stale_temporary(tmp_path: Path) -> None:
    from chainrule.apps.training.config import TrainConfig
    from chainrule.apps.training.trainer import CHECKPOINT_NAME, _saved_run

    config = TrainConfig(out=str(tmp_path), progress=False)
    path = tmp_path / CHECKPOINT_NAME
    cr.save({"config": config.to_dict(), "epoch": 1}, path)
    stale = tmp_path / f".{CHECKPOINT_NAME}.k2j3h4.tmp"  # a killed save's
    stale.write_bytes(b"x" * 4096)
    state, _ = _saved_run(path, config)
    assert state["epoch"] == 1 and not stale.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_checkpoints_get_the_users_umask(tmp_path: Path, umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        cr.save({"w": cr.ones(2)}, tmp_path / "a.safetensors")
        with open(tmp_path / "b.txt", "w"):  # what open() gives, for comparison
            pass
    finally:
        os.umask(previous)
    assert (tmp_path / "a.safetensors").stat().st_mode & 0o777 == mode
    assert (tmp_path / "b.txt").stat().st_mode & 0o777 == mode
