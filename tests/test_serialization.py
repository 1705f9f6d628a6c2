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
    with pytest.raises(TypeError, match=r"cannot store a set at 'a'"):
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
