"""cr.save / cr.load with paths and binary file objects: every kind of value a checkpoint
holds comes back as the same kind; anything else is refused at save time, named with its
place; and torch.save/torch.load round trips of the same objects agree."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.serialization import CheckpointError


def everything() -> dict[Any, Any]:
    return {
        "tensor": cr.randn(2, 3), "int64": cr.tensor([1, 2]), "bool": cr.tensor([True, False]),
        "half": cr.ones(2, dtype=cr.float16), "scalar": cr.tensor(2.5, dtype=cr.float64),
        "empty": cr.zeros(0, 4), "array": np.arange(6, dtype=np.int32).reshape(2, 3),
        "array_c128": np.array([1 + 2j, -3j]), "array_c64": np.array([1j], np.complex64),
        "numbers": [1, -2.5, 1 + 2j, math.inf, True, None, "text", np.float32(0.5)],
        "nested": {"tuple": (1, (2, [3, {"deep": cr.ones(1)}])), 7: "int key", -1: [],
                   "": "empty key"},
        "non_contiguous": cr.arange(6.0).reshape(2, 3).T,
    }


def assert_same(saved: Any, loaded: Any, where: str = "obj") -> None:
    """The loaded value is the saved one, kind for kind (numpy scalars come back as Python
    numbers, non-contiguous tensors as contiguous copies)."""
    if isinstance(saved, cr.Tensor):
        assert isinstance(loaded, cr.Tensor), where
        assert loaded.dtype == saved.dtype and loaded.shape == saved.shape, where
        assert np.array_equal(loaded.numpy(), saved.detach().numpy()), where
        assert loaded.requires_grad == saved.requires_grad, where
    elif isinstance(saved, np.ndarray):
        assert isinstance(loaded, np.ndarray) and loaded.dtype == saved.dtype, where
        assert np.array_equal(loaded, saved), where
    elif isinstance(saved, dict):
        assert type(loaded) is dict and list(loaded) == list(saved), where
        for key in saved:
            assert_same(saved[key], loaded[key], f"{where}[{key!r}]")
    elif isinstance(saved, (list, tuple)):
        assert type(loaded) is type(saved) and len(loaded) == len(saved), where
        for index, (a, b) in enumerate(zip(saved, loaded)):
            assert_same(a, b, f"{where}[{index}]")
    elif isinstance(saved, np.generic):
        assert loaded == saved.item() and type(loaded) is type(saved.item()), where
    else:
        assert loaded == saved and type(loaded) is type(saved), where


@pytest.mark.parametrize("target", ["path", "str", "bytesio", "open-file"])
def test_round_trip_of_every_kind_of_value(tmp_path: Path, target: str) -> None:
    state = everything()
    file = tmp_path / "everything.safetensors"
    if target == "bytesio":
        buffer = io.BytesIO()
        cr.save(state, buffer)
        buffer.seek(0)
        loaded = cr.load(buffer)
    elif target == "open-file":
        with open(file, "wb") as stream:
            cr.save(state, stream)
        with open(file, "rb") as stream:
            loaded = cr.load(stream)
    else:
        cr.save(state, file if target == "path" else str(file))
        loaded = cr.load(file if target == "path" else str(file), weights_only=True)
    assert_same(state, loaded)


def test_parameters_come_back_as_parameters() -> None:
    frozen = cr.nn.Parameter(cr.ones(2), requires_grad=False)
    loaded = cr.load(io.BytesIO(_bytes_of([cr.nn.Linear(2, 3).weight, frozen])))
    assert [type(p).__name__ for p in loaded] == ["Parameter", "Parameter"]
    assert loaded[0].requires_grad and loaded[0].shape == (3, 2)
    assert not loaded[1].requires_grad and cr.equal(loaded[1], cr.ones(2))


def test_two_checkpoints_in_one_stream_and_requires_grad() -> None:
    buffer = io.BytesIO()
    leaf = cr.ones(2, requires_grad=True)
    cr.save([leaf], buffer)
    cr.save({"b": 2}, buffer)  # written one after the other; read back in turn
    buffer.seek(0)
    first = io.BytesIO(buffer.read(len(buffer.getvalue()) - len(_bytes_of({"b": 2}))))
    (loaded,) = cr.load(first)
    assert loaded.requires_grad and loaded.is_leaf
    assert cr.load(buffer) == {"b": 2}


def _bytes_of(obj: Any) -> bytes:
    buffer = io.BytesIO()
    cr.save(obj, buffer)
    return buffer.getvalue()


def test_module_and_optimizer_state_dicts_round_trip_through_a_buffer() -> None:
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.ReLU(), cr.nn.Linear(4, 2))
    optimiser = cr.optim.Adam(model.parameters(), lr=0.01)
    model(cr.randn(5, 3)).sum().backward()
    optimiser.step()
    buffer = io.BytesIO()
    cr.save({"model": model.state_dict(), "optim": optimiser.state_dict()}, buffer)
    buffer.seek(0)
    loaded = cr.load(buffer)
    assert_same(optimiser.state_dict(), loaded["optim"])
    fresh = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.ReLU(), cr.nn.Linear(4, 2))
    fresh.load_state_dict(loaded["model"])
    for name, value in model.state_dict().items():
        assert cr.equal(fresh.state_dict()[name], value), name
    again = cr.optim.Adam(fresh.parameters(), lr=0.5)
    again.load_state_dict(loaded["optim"])
    assert again.param_groups[0]["lr"] == 0.01


@pytest.mark.parametrize("obj, kind, where", [
    ({"config": {"tags": {"a"}}}, "set", "obj['config']['tags']"),
    ([1, (2, object())], "object", "obj[1][1]"),
    ({"f": lambda: 0}, "function", "obj['f']"),
    ({3: {"x": b"bytes"}}, "bytes", "obj[3]['x']"),
    (cr.nn.Linear(2, 2), "Linear", "obj"),
    ({"s": np.array(["a"])}, "NumPy array of dtype <U1", "obj['s']"),
    ({(1, 2): 0}, "tuple (1, 2)", "obj"),
    ({"a": {True: 0}}, "bool True", "obj['a']"),
])
def test_other_objects_are_refused_with_their_type_and_place(obj: Any, kind: str,
                                                             where: str) -> None:
    buffer = io.BytesIO()
    with pytest.raises(TypeError) as caught:
        cr.save(obj, buffer)
    message = str(caught.value)
    assert message.startswith("save:") and kind in message and where in message, message
    assert buffer.getvalue() == b""  # nothing written


def test_bad_streams_and_bytes_are_named() -> None:
    with pytest.raises(CheckpointError, match="not a readable safetensors checkpoint"):
        cr.load(io.BytesIO(b"\x80\x04\x95 a pickle"))
    with pytest.raises(TypeError, match="binary mode"):
        cr.load(io.StringIO("text"))
    with pytest.raises(TypeError, match="binary file object"):
        cr.save({}, 3.5)  # type: ignore[arg-type]


def test_map_location_forms() -> None:
    buffer = io.BytesIO(_bytes_of({"w": cr.ones(2), "n": 1}))
    moved = cr.load(buffer, map_location="cpu")
    assert str(moved["w"].device) == "cpu" and moved["n"] == 1
    seen = []
    buffer.seek(0)
    cr.load(buffer, map_location=lambda tensor, location: seen.append(location))
    assert seen == ["cpu"]
    buffer.seek(0)
    assert cr.equal(cr.load(buffer, map_location={"cpu": "cpu"})["w"], cr.ones(2))


def test_the_same_objects_round_trip_as_in_torch() -> None:
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests "
                                "need it (pip install torch==2.13.0); chainrule does not "
                                "depend on it")

    def program(m: Any) -> Any:
        buffer = io.BytesIO()
        m.save({"w": m.arange(4.0).reshape(2, 2), "b": (1, [2.5, "x"]), 3: None,
                "i": m.tensor([1, 2])}, buffer)
        buffer.seek(0)
        loaded = m.load(buffer, weights_only=True)
        return {str(k): (str(v.dtype).rpartition(".")[2], v.tolist())
                if isinstance(v, (cr.Tensor, torch.Tensor)) else v for k, v in loaded.items()}

    assert program(cr) == program(torch)
