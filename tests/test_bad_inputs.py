"""The bad-input suite: a table of calls users get wrong, each run against chainrule and
(where installed) PyTorch, classified as a clear error, the same as PyTorch, or a listed
leniency (see `tests/bad_inputs_report.py` for the rules; `python -m tests.bad_inputs_report`
prints the counts).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.serialization import CheckpointError
from tests.bad_inputs_report import (
    CLEAR_ERROR,
    LENIENCY,
    SAME_AS_TORCH,
    STRICTER,
    Case,
    evaluate,
    torch_or_none,
)

torch = torch_or_none()  # the chainrule side always runs; PyTorch's only where installed

#: Calls chainrule answers where PyTorch raises, on purpose: name -> why.
LENIENCIES: dict[str, str] = {
    "tensor-dtype-string": "dtype='float32' names a dtype unambiguously (NumPy users write "
                           "it), so chainrule accepts the name where PyTorch wants the object",
    "softmax-int": "integer input is promoted to float32 first, as exp and log are in both "
                   "libraries; the result is the softmax of the values, never a wrong one",
    "log_softmax-int": "as softmax-int",
}

#: Calls chainrule refuses, with a clear error, where PyTorch returns: name -> why.
STRICTER_THAN_TORCH: dict[str, str] = {
    "index-None-list": "x[[0, None]] is NumPy's deprecated list-as-tuple index; PyTorch "
                       "still reads it as x[0, None], which surprises more than it helps",
    "index-ellipsis-twice": "two Ellipses are ambiguous; NumPy refuses them too",
    "softmax-no-dim": "PyTorch's implicit dim is deprecated (it warns and guesses)",
    "softplus-zero-beta": "beta = 0 divides by zero; PyTorch returns inf or NaN",
    "sgd-nan-lr": "lr = NaN turns every parameter into NaN at the first step",
    "steplr-string-step": "PyTorch fails only later, at the first scheduler.step()",
    "random-split-negative": "a negative length makes PyTorch return overlapping subsets",
}

nan, inf = math.nan, math.inf


def F(m: Any) -> Any:  # noqa: N802 - the conventional name of nn.functional
    return m.nn.functional


def t(m: Any, data: Any, **kwargs: Any) -> Any:
    return m.tensor(data, **kwargs)


def leaf(m: Any, data: Any) -> Any:
    return m.tensor(data, requires_grad=True)


def f64(m: Any, data: Any) -> Any:
    return m.tensor(data, dtype=m.float64)


def i64(m: Any, data: Any) -> Any:
    return m.tensor(data, dtype=m.int64)


# ---------------------------------------------------------------------- crafted checkpoints
_CRAFTED: dict[str, str] = {}
#: One folder for every crafted file, removed when the test process ends (weakref.finalize).
_CRAFTED_FOLDER = tempfile.TemporaryDirectory(prefix="bad-checkpoints-")


def _structure_file(name: str, structure: Any = None, raw: str | None = None,
                    arrays: dict[str, np.ndarray] | None = None) -> str:
    """A valid safetensors file whose chainrule structure record is `structure` (as JSON)
    or the text `raw`."""
    from safetensors.numpy import save_file

    if name not in _CRAFTED:
        path = os.path.join(_CRAFTED_FOLDER.name, f"{name}.safetensors")
        record = raw if raw is not None else json.dumps(structure)
        save_file(arrays if arrays is not None else {"w": np.ones(2, np.float32)}, path,
                  metadata={"chainrule.structure": record})
        _CRAFTED[name] = path
    return _CRAFTED[name]


def _bytes_file(name: str, payload: bytes) -> str:
    if name not in _CRAFTED:
        path = os.path.join(_CRAFTED_FOLDER.name, f"{name}.safetensors")
        Path(path).write_bytes(payload)
        _CRAFTED[name] = path
    return _CRAFTED[name]


def _deep(depth: int) -> str:
    return '{"version": 1, "root": ' + "[" * depth + "]" * depth + "}"


def _deep_dicts(depth: int) -> str:
    return '{"version": 1, "root": ' + '{"__dict__": [["a", ' * depth + "1" + \
        "]]}" * depth + "}"


def _nested_lists(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def _header_only(header: dict[str, Any]) -> bytes:
    text = json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text


def _checkpoint(name: str, structure: Any = None, raw: str | None = None,
                arrays: dict[str, np.ndarray] | None = None) -> Case:
    return Case(f"load-{name}", "checkpoint files",
                lambda m: m.load(_structure_file(name, structure, raw, arrays)), op="load",
                torch=False, error=CheckpointError)


def _raw_file(name: str, payload: bytes) -> Case:
    return Case(f"load-{name}", "checkpoint files", lambda m: m.load(_bytes_file(name, payload)),
                op="load", torch=False, error=CheckpointError)


def _save(name: str, obj: Any, op: str = "save") -> Case:
    def call(m: Any) -> Any:
        return m.save(obj(m), os.path.join(_CRAFTED_FOLDER.name, f"save-{name}.safetensors"))
    return Case(f"save-{name}", "checkpoint files", call, op=op, torch=False)


CHECKPOINT_CASES = [
    _checkpoint("root-missing", {"version": 1}),
    _checkpoint("not-json", raw="{not json"),
    _checkpoint("record-is-a-list", [1, 2]),
    _checkpoint("record-is-a-number", 3),
    _checkpoint("newer-version", {"version": 99, "root": 1}),
    _checkpoint("version-missing", {"root": 1}),
    _checkpoint("dict-not-a-list", {"version": 1, "root": {"__dict__": 5}}),
    _checkpoint("dict-entry-not-a-pair", {"version": 1, "root": {"__dict__": [[1]]}}),
    _checkpoint("dict-entry-a-string", {"version": 1, "root": {"__dict__": ["ab"]}}),
    _checkpoint("dict-key-a-list", {"version": 1, "root": {"__dict__": [[["k"], 1]]}}),
    _checkpoint("dict-key-null", {"version": 1, "root": {"__dict__": [[None, 1]]}}),
    _checkpoint("dict-key-a-float", {"version": 1, "root": {"__dict__": [[1.5, 1]]}}),
    _checkpoint("tuple-not-a-list", {"version": 1, "root": {"__tuple__": 7}}),
    _checkpoint("tensor-name-a-list", {"version": 1, "root": {"__tensor__": ["w"]}}),
    _checkpoint("tensor-name-a-number", {"version": 1, "root": {"__tensor__": 3}}),
    _checkpoint("tensor-missing", {"version": 1, "root": {"__tensor__": "nope"}}),
    _checkpoint("unknown-marker", {"version": 1, "root": {"__pickle__": "x"}}),
    _checkpoint("two-markers", {"version": 1, "root": {"__tensor__": "w", "__tuple__": []}}),
    _checkpoint("deep-lists", raw=_deep(5000)),
    _checkpoint("deep-dicts", raw=_deep_dicts(3000)),
    _checkpoint("nested-bad-entry", {"version": 1, "root": {"__dict__": [
        ["a", {"__dict__": [["b", {"__tuple__": None}]]}]]}}),
    _raw_file("empty-file", b""),
    _raw_file("pickle-bytes", b"\x80\x04\x95\x00\x00\x00\x00"),
    _raw_file("truncated-header", _header_only({"w": {"dtype": "F32", "shape": [2],
                                                      "data_offsets": [0, 8]}})),
    _raw_file("header-length-huge", (10 ** 12).to_bytes(8, "little") + b"{}"),
    _raw_file("header-not-json", (5).to_bytes(8, "little") + b"{abcd"),
    _raw_file("metadata-not-strings", _header_only({"__metadata__": {"chainrule.structure":
                                                                     5}})),
    Case("load-missing-file", "checkpoint files",
         lambda m: m.load("/nonexistent/dir/x.safetensors"), op="load", torch=False,
         error=FileNotFoundError),
    Case("load-a-folder", "checkpoint files", lambda m: m.load(tempfile.gettempdir()),
         op="load", torch=False),
    Case("load-an-int", "checkpoint files", lambda m: m.load(123), op="load", torch=False,
         error=TypeError),
    Case("save-an-int-path", "checkpoint files", lambda m: m.save({"a": 1}, 123), op="save",
         torch=False, error=TypeError),
    _save("object", lambda m: {"a": object()}),
    _save("set", lambda m: {"a": {1, 2}}),
    _save("bool-key", lambda m: {True: 1}),
    _save("tuple-key", lambda m: {(1, 2): 1}),
    _save("lambda", lambda m: [lambda: 0]),
    _save("too-deep", lambda m: _nested_lists(300)),
    Case("save-missing-folder", "checkpoint files",
         lambda m: m.save({"a": 1}, "/nonexistent/dir/x.safetensors"), op="save", torch=False),
]

# ---------------------------------------------------------------------- making tensors
TENSOR_CASES = [
    Case("tensor-None", "wrong types", lambda m: m.tensor(None), op="tensor"),
    Case("tensor-dict", "wrong types", lambda m: m.tensor({"a": 1}), op="tensor"),
    Case("tensor-object", "wrong types", lambda m: m.tensor(object()), op="tensor"),
    Case("tensor-list-with-None", "wrong types", lambda m: m.tensor([1, None]), op="index 1"),
    Case("tensor-nested-None", "wrong types", lambda m: m.tensor([[1, 2], [3, None]]),
         op="None"),
    Case("tensor-string", "wrong types", lambda m: m.tensor("abc"), op="tensor"),
    Case("tensor-list-of-strings", "wrong types", lambda m: m.tensor(["a", "b"]), op="tensor"),
    Case("tensor-ragged", "shapes", lambda m: m.tensor([[1, 2], [3]]), op="tensor"),
    Case("tensor-set", "wrong types", lambda m: m.tensor({1, 2}), op="tensor"),
    Case("tensor-complex", "dtypes", lambda m: m.tensor(1 + 2j), op="complex", torch=False),
    Case("tensor-dtype-string", "wrong types", lambda m: m.tensor([1.0], dtype="float32"),
         op="dtype"),
    Case("tensor-dtype-int", "wrong types", lambda m: m.tensor([1.0], dtype=3), op="dtype"),
    Case("tensor-list-of-tensors", "tensors",
         lambda m: m.tensor([m.ones(2), m.ones(3)]), op="tensor"),
    Case("tensor-requires-grad-int", "dtypes",
         lambda m: m.tensor([1, 2], requires_grad=True), op="floating"),
    Case("tensor-bool-with-None", "wrong types", lambda m: m.tensor([True, None]), op="None"),
    Case("from_numpy-list", "wrong types", lambda m: m.from_numpy([1, 2]), op="from_numpy"),
    Case("from_numpy-object-array", "dtypes",
         lambda m: m.from_numpy(np.array([1, None], dtype=object)), op="from_numpy"),
    Case("as_tensor-None", "wrong types", lambda m: m.as_tensor(None), op="as_tensor"),
    Case("zeros-negative", "shapes", lambda m: m.zeros(-1, 2), op="zeros"),
    Case("zeros-float-size", "wrong types", lambda m: m.zeros(2.5), op="zeros"),
    Case("zeros-string-size", "wrong types", lambda m: m.zeros("a"), op="zeros"),
    Case("zeros-None-size", "wrong types", lambda m: m.zeros(None), op="zeros"),
    Case("ones-tuple-with-float", "wrong types", lambda m: m.ones((2, 1.5)), op="ones"),
    Case("empty-negative", "shapes", lambda m: m.empty(3, -2), op="empty"),
    Case("full-string-value", "wrong types", lambda m: m.full((2,), "a"), op="full"),
    Case("full-negative", "shapes", lambda m: m.full((-1,), 1.0), op="full"),
    Case("full-None-value", "wrong types", lambda m: m.full((2,), None), op="full"),
    Case("randn-negative", "shapes", lambda m: m.randn(-3, 2), op="randn"),
    Case("rand-negative", "shapes", lambda m: m.rand(2, -1), op="rand"),
    Case("randn-float-size", "wrong types", lambda m: m.randn(2.0), op="randn"),
    Case("randn-int-dtype", "dtypes", lambda m: m.randn(2, dtype=m.int64), op="randn"),
    Case("randint-empty-range", "tensors", lambda m: m.randint(5, 2, (3,)), op="randint"),
    Case("randint-negative-size", "shapes", lambda m: m.randint(0, 5, (-1,)), op="randint"),
    Case("randint-float-bounds", "wrong types", lambda m: m.randint(0.5, 2.5, (3,)),
         op="randint"),
    Case("randperm-negative", "tensors", lambda m: m.randperm(-1), op="randperm"),
    Case("randperm-float", "wrong types", lambda m: m.randperm(2.5), op="randperm"),
    Case("eye-negative", "shapes", lambda m: m.eye(-2), op="eye"),
    Case("eye-negative-columns", "shapes", lambda m: m.eye(2, -1), op="eye"),
    Case("eye-float", "wrong types", lambda m: m.eye(2.5), op="eye"),
    Case("eye-string", "wrong types", lambda m: m.eye("3"), op="eye"),
    Case("arange-zero-step", "tensors", lambda m: m.arange(0, 5, 0), op="arange"),
    Case("arange-wrong-direction", "tensors", lambda m: m.arange(0, 5, -1), op="arange"),
    Case("arange-infinite", "NaN and inf", lambda m: m.arange(0, inf), op="arange"),
    Case("arange-nan", "NaN and inf", lambda m: m.arange(0, nan), op="arange"),
    Case("arange-string", "wrong types", lambda m: m.arange("5"), op="arange"),
    Case("linspace-negative-steps", "tensors", lambda m: m.linspace(0, 1, -1), op="linspace"),
    Case("linspace-float-steps", "wrong types", lambda m: m.linspace(0, 1, 2.5),
         op="linspace"),
    Case("linspace-zero-steps", "empty tensors", lambda m: m.linspace(0, 1, 0), raises=False),
    Case("zeros-empty-shape", "empty tensors", lambda m: m.zeros(0, 3), raises=False),
    Case("full-bool", "dtypes", lambda m: m.full((2,), True), raises=False),
    Case("randn-empty", "empty tensors", lambda m: m.randn(0, 2), raises=False,
         compare="shape"),
]

# ---------------------------------------------------------------------- arithmetic and dtypes
ARITHMETIC_CASES = [
    Case("bool-sub", "dtypes", lambda m: t(m, [True]) - t(m, [True]), op="sub"),
    Case("bool-neg", "dtypes", lambda m: -t(m, [True, False]), op="neg"),
    Case("bool-add", "dtypes", lambda m: t(m, [True]) + t(m, [True]), raises=False),
    Case("bool-mul", "dtypes", lambda m: t(m, [True]) * t(m, [True]), raises=False),
    Case("bool-div", "dtypes", lambda m: t(m, [True]) / t(m, [True]), raises=False),
    Case("bool-sub-int", "dtypes", lambda m: t(m, [True]) - 1, op="sub"),
    Case("bool-sum", "dtypes", lambda m: t(m, [True, True]).sum(), raises=False),
    Case("bool-mean", "dtypes", lambda m: t(m, [True, False]).mean(), op="mean"),
    Case("int-mean", "dtypes", lambda m: t(m, [1, 2]).mean(), op="mean"),
    Case("int-var", "dtypes", lambda m: t(m, [1, 2]).var(), op="var"),
    Case("int-std", "dtypes", lambda m: t(m, [1, 2]).std(), op="std"),
    Case("add-string", "wrong types", lambda m: m.ones(2) + "a", op="add"),
    Case("mul-None", "wrong types", lambda m: m.ones(2) * None, op="mul"),
    Case("add-dict", "wrong types", lambda m: m.add(m.ones(2), {}), op="add"),
    Case("add-shape-mismatch", "shapes", lambda m: m.ones(2, 3) + m.ones(4), op="add"),
    Case("mul-shape-mismatch", "shapes", lambda m: m.ones(2) * m.ones(3), op="mul"),
    Case("div-shape-mismatch", "shapes", lambda m: m.ones(2) / m.ones(3), op="div"),
    Case("pow-shape-mismatch", "shapes", lambda m: m.ones(2) ** m.ones(3), op="pow"),
    Case("maximum-shape-mismatch", "shapes", lambda m: m.maximum(m.ones(2), m.ones(3)),
         op="max"),
    Case("where-shape-mismatch", "shapes",
         lambda m: m.where(t(m, [True, False]), m.ones(2), m.ones(3)), op="where"),
    Case("where-float-condition", "dtypes",
         lambda m: m.where(m.ones(2), m.ones(2), m.zeros(2)), op="where"),
    Case("compare-shape-mismatch", "shapes", lambda m: m.ones(2) < m.ones(3), op="comparison"),
    Case("int-div-zero", "NaN and inf", lambda m: t(m, [1, 2]) / 0, raises=False),
    Case("float-div-zero", "NaN and inf", lambda m: t(m, [1.0, -1.0, 0.0]) / 0, raises=False),
    Case("log-negative", "NaN and inf", lambda m: t(m, [-1.0, 0.0]).log(), raises=False),
    Case("sqrt-negative", "NaN and inf", lambda m: t(m, [-1.0]).sqrt(), raises=False),
    Case("exp-overflow", "NaN and inf", lambda m: t(m, [1000.0]).exp(), raises=False),
    Case("nan-sum", "NaN and inf", lambda m: t(m, [nan, 1.0]).sum(), raises=False),
    Case("inf-minus-inf", "NaN and inf", lambda m: t(m, [inf]) - t(m, [inf]), raises=False),
    Case("nan-max", "NaN and inf", lambda m: t(m, [1.0, nan, 3.0]).max(), raises=False),
    Case("nan-argmax", "NaN and inf", lambda m: t(m, [1.0, nan, 3.0]).argmax(), raises=False),
    Case("nan-relu", "NaN and inf", lambda m: t(m, [nan, -1.0]).relu(), raises=False),
    Case("nan-sigmoid", "NaN and inf", lambda m: t(m, [nan, inf, -inf]).sigmoid(),
         raises=False),
    Case("inf-softmax", "NaN and inf", lambda m: t(m, [inf, 1.0]).softmax(0), raises=False),
    Case("clamp-nan", "NaN and inf", lambda m: t(m, [nan, 5.0]).clamp(0, 1), raises=False),
    Case("std-float32-overflow", "NaN and inf", lambda m: t(m, [1e20, -1e20]).std(),
         raises=False),
    Case("var-float32-overflow", "NaN and inf", lambda m: t(m, [1e20, -1e20]).var(),
         raises=False),
    Case("std-float32-big-dim", "NaN and inf", lambda m: t(m, [[3e19, -3e19, 1e19]]).std(1),
         raises=False),
    Case("var-float32-large", "NaN and inf", lambda m: t(m, [1e18, -1e18, 3e18]).var(),
         raises=False),
    Case("sum-float32-overflow", "NaN and inf", lambda m: t(m, [3e38, 3e38]).sum(),
         raises=False),
    Case("clamp-string", "wrong types", lambda m: m.ones(2).clamp("a"), op="clamp"),
    Case("clamp-no-bounds", "tensors", lambda m: m.ones(2).clamp(), op="clamp"),
    Case("matmul-mismatch", "shapes", lambda m: m.ones(2, 3) @ m.ones(4, 2), op="matmul"),
    Case("matmul-0d", "0-d tensors", lambda m: m.tensor(1.0) @ m.ones(2), op="matmul"),
    Case("matmul-list", "wrong types", lambda m: m.ones(2, 2) @ [[1.0, 2.0]], op="matmul"),
    Case("matmul-int-float", "dtypes", lambda m: m.matmul(i64(m, [[1, 2]]), m.ones(2, 1)),
         op="matmul"),
    Case("dot-2d", "shapes", lambda m: m.dot(m.ones(2, 2), m.ones(2)), op="dot"),
    Case("dot-mismatch", "shapes", lambda m: m.dot(m.ones(2), m.ones(3)), op="dot"),
    Case("dot-empty", "empty tensors", lambda m: m.dot(m.ones(0), m.ones(0)), raises=False),
    Case("einsum-bad-spec", "shapes", lambda m: m.einsum("ij,jk->ik", m.ones(2, 3),
                                                         m.ones(4, 2)), op="einsum"),
    Case("einsum-wrong-count", "shapes", lambda m: m.einsum("ij->i", m.ones(2, 3),
                                                            m.ones(2)), op="einsum"),
    Case("cat-empty-list", "tensors", lambda m: m.cat([]), op="cat"),
    Case("cat-tensor-not-list", "wrong types", lambda m: m.cat(m.ones(2)), op="cat"),
    Case("cat-mismatch", "shapes", lambda m: m.cat([m.ones(2, 3), m.ones(2, 4)]), op="cat"),
    Case("cat-bad-dim", "shapes", lambda m: m.cat([m.ones(2), m.ones(2)], dim=2), op="cat"),
    Case("cat-0d", "0-d tensors", lambda m: m.cat([m.tensor(1.0), m.tensor(2.0)]), op="cat"),
    Case("stack-mismatch", "shapes", lambda m: m.stack([m.ones(2), m.ones(3)]), op="stack"),
    Case("stack-with-None", "wrong types", lambda m: m.stack([m.ones(2), None]), op="stack"),
    Case("cat-with-string", "wrong types", lambda m: m.cat([m.ones(2), "ab"]), op="cat"),
    Case("cat-mixed-dtypes", "dtypes", lambda m: m.cat([m.ones(2), i64(m, [1])]),
         raises=False),
]

# ---------------------------------------------------------------------- shapes and indexing
SHAPE_CASES = [
    Case("reshape-wrong-size", "shapes", lambda m: m.ones(6).reshape(4, 2), op="reshape"),
    Case("reshape-two-minus-ones", "shapes", lambda m: m.ones(6).reshape(-1, -1),
         op="reshape"),
    Case("reshape-float", "wrong types", lambda m: m.ones(6).reshape(2.0, 3), op="reshape"),
    Case("reshape-negative", "shapes", lambda m: m.ones(6).reshape(-2, -3), op="reshape"),
    Case("reshape-empty-minus-one", "empty tensors", lambda m: m.ones(0).reshape(-1, 0),
         op="reshape"),
    Case("view-wrong-size", "shapes", lambda m: m.ones(6).view(4, 2), op="view"),
    Case("view-string", "wrong types", lambda m: m.ones(6).view("a"), op="view"),
    Case("transpose-bad-dim", "shapes", lambda m: m.ones(2, 3).transpose(0, 2),
         op="transpose"),
    Case("permute-wrong-count", "shapes", lambda m: m.ones(2, 3).permute(0), op="permute"),
    Case("permute-repeated", "shapes", lambda m: m.ones(2, 3).permute(0, 0), op="permute"),
    Case("permute-out-of-range", "shapes", lambda m: m.ones(2, 3).permute(0, 5),
         op="permute"),
    Case("squeeze-bad-dim", "shapes", lambda m: m.ones(2, 1).squeeze(3), op="squeeze"),
    Case("unsqueeze-bad-dim", "shapes", lambda m: m.ones(2).unsqueeze(3), op="unsqueeze"),
    Case("unsqueeze-string", "wrong types", lambda m: m.ones(2).unsqueeze("0"),
         op="unsqueeze"),
    Case("expand-wrong", "shapes", lambda m: m.ones(2, 3).expand(4, 3), op="expand"),
    Case("expand-fewer-dims", "shapes", lambda m: m.ones(2, 3).expand(3), op="expand"),
    Case("flatten-bad-dims", "shapes", lambda m: m.ones(2, 3).flatten(1, 0), op="flatten"),
    Case("flatten-out-of-range", "shapes", lambda m: m.ones(2, 3).flatten(0, 5),
         op="flatten"),
    Case("t-3d", "shapes", lambda m: m.ones(2, 3, 4).t(), op="t"),
    Case("sum-bad-dim", "shapes", lambda m: m.ones(2, 3).sum(2), op="sum"),
    Case("sum-string-dim", "wrong types", lambda m: m.ones(2, 3).sum("0"), op="sum"),
    Case("sum-float-dim", "wrong types", lambda m: m.ones(2, 3).sum(1.0), op="sum"),
    Case("mean-repeated-dims", "shapes", lambda m: m.ones(2, 3).mean((0, 0)), op="mean"),
    Case("max-bad-dim", "shapes", lambda m: m.ones(2, 3).max(5), op="max"),
    Case("softmax-bad-dim", "shapes", lambda m: m.ones(2, 3).softmax(2), op="softmax"),
    Case("logsumexp-bad-dim", "shapes", lambda m: m.ones(2).logsumexp(1), op="logsumexp"),
    Case("size-bad-dim", "shapes", lambda m: m.ones(2).size(3), op="size"),
    Case("index-out-of-range", "shapes", lambda m: m.ones(3)[5], op="index"),
    Case("index-negative-out-of-range", "shapes", lambda m: m.ones(3)[-4], op="index"),
    Case("index-too-many", "shapes", lambda m: m.ones(3)[0, 0], op="index"),
    Case("index-float", "wrong types", lambda m: m.ones(3)[1.5], op="ind"),
    Case("index-string", "wrong types", lambda m: m.ones(3)["a"], op="ind"),
    Case("index-None-list", "wrong types", lambda m: m.ones(3)[[0, None]], op="ind"),
    Case("index-float-tensor", "dtypes", lambda m: m.ones(3)[m.ones(1)], op="ind"),
    Case("index-int-tensor-out-of-range", "shapes", lambda m: m.ones(3)[t(m, [0, 3])],
         op="index"),
    Case("index-bool-mask-wrong-size", "shapes", lambda m: m.ones(3)[t(m, [True, False])],
         op="index"),
    Case("index-0d", "0-d tensors", lambda m: m.tensor(1.0)[0], op="index"),
    Case("index-list-out-of-range", "shapes", lambda m: m.ones(3)[[0, 7]], op="index"),
    Case("index-dict", "wrong types", lambda m: m.ones(3)[{}], op="ind"),
    Case("setitem-wrong-shape", "shapes", lambda m: m.ones(3).__setitem__(0, m.ones(2)),
         op="setitem"),
    Case("setitem-string", "wrong types", lambda m: m.ones(3).__setitem__(0, "a"),
         op="setitem"),
    Case("setitem-out-of-range", "shapes", lambda m: m.ones(3).__setitem__(4, 1.0),
         op="setitem"),
    Case("index-empty", "empty tensors", lambda m: m.ones(0)[0], op="index"),
    Case("slice-empty", "empty tensors", lambda m: m.ones(3)[5:], raises=False),
    Case("index-ellipsis-twice", "shapes", lambda m: m.ones(2, 2)[..., ...], op="ellipsis"),
]

# ---------------------------------------------------------------------- empty and 0-d tensors
EMPTY_CASES = [
    Case("argmax-empty", "empty tensors", lambda m: m.tensor([]).argmax(), op="argmax"),
    Case("argmin-empty", "empty tensors", lambda m: m.tensor([]).argmin(), op="argmin"),
    Case("argmax-empty-dim", "empty tensors", lambda m: m.zeros(0, 3).argmax(0), op="argmax"),
    Case("max-empty", "empty tensors", lambda m: m.tensor([]).max(), op="max"),
    Case("min-empty", "empty tensors", lambda m: m.tensor([]).min(), op="min"),
    Case("max-empty-dim", "empty tensors", lambda m: m.zeros(0, 3).max(0), op="max"),
    Case("max-empty-other-dim", "empty tensors", lambda m: m.zeros(0, 3).max(1),
         raises=False),
    Case("sum-empty", "empty tensors", lambda m: m.tensor([]).sum(), raises=False),
    Case("mean-empty", "empty tensors", lambda m: m.tensor([]).mean(), raises=False),
    Case("prod-empty", "empty tensors", lambda m: m.tensor([]).prod(), raises=False),
    Case("var-empty", "empty tensors", lambda m: m.tensor([]).var(), raises=False),
    Case("var-one-element", "empty tensors", lambda m: m.tensor([1.0]).var(), raises=False),
    Case("std-one-element", "empty tensors", lambda m: m.tensor([1.0]).std(), raises=False),
    Case("logsumexp-empty", "empty tensors", lambda m: m.zeros(0).logsumexp(0), raises=False),
    Case("softmax-empty", "empty tensors", lambda m: m.zeros(0, 3).softmax(1), raises=False),
    Case("item-empty", "empty tensors", lambda m: m.tensor([]).item(), op="item"),
    Case("item-many", "tensors", lambda m: m.ones(2).item(), op="item"),
    Case("bool-many", "tensors", lambda m: bool(m.ones(2)), op="ambiguous"),
    Case("bool-empty", "empty tensors", lambda m: bool(m.ones(0)), op="ambiguous"),
    Case("float-many", "tensors", lambda m: float(m.ones(2)), op="item"),
    Case("len-0d", "0-d tensors", lambda m: len(m.tensor(1.0)), op="len"),
    Case("iter-0d", "0-d tensors", lambda m: list(m.tensor(1.0)), op="iter"),
    Case("index-0d-tensor-as-list-index", "0-d tensors",
         lambda m: [1, 2][m.tensor(1.5)], op="index"),
    Case("transpose-0d", "0-d tensors", lambda m: m.tensor(1.0).transpose(0, 1),
         op="transpose"),
    Case("sum-0d-dim", "0-d tensors", lambda m: m.tensor(2.0).sum(0), raises=False),
    Case("sum-0d-dim1", "0-d tensors", lambda m: m.tensor(2.0).sum(1), op="sum"),
    Case("softmax-0d", "0-d tensors", lambda m: m.tensor(2.0).softmax(0), raises=False),
    Case("max-0d-dim", "0-d tensors", lambda m: m.tensor(2.0).max(0), raises=False),
    Case("squeeze-0d", "0-d tensors", lambda m: m.tensor(2.0).squeeze(), raises=False),
    Case("flatten-0d", "0-d tensors", lambda m: m.tensor(2.0).flatten(), raises=False),
    Case("unsqueeze-0d-bad", "0-d tensors", lambda m: m.tensor(2.0).unsqueeze(2),
         op="unsqueeze"),
    Case("reshape-0d", "0-d tensors", lambda m: m.tensor(2.0).reshape(2), op="reshape"),
    Case("stack-empty-list", "empty tensors", lambda m: m.stack([]), op="stack"),
    Case("matmul-empty", "empty tensors", lambda m: m.ones(2, 0) @ m.ones(0, 3),
         raises=False),
    Case("cat-with-empty", "empty tensors", lambda m: m.cat([m.ones(2, 3), m.ones(0, 3)]),
         raises=False),
]


# ---------------------------------------------------------------------- nn layers
def _linear(m: Any, *args: Any, **kwargs: Any) -> Any:
    m.manual_seed(0)
    return m.nn.Linear(*args, **kwargs)


NN_CASES = [
    Case("linear-input-wrong-features", "nn layers",
         lambda m: _linear(m, 3, 2)(m.ones(4, 5)), op="linear"),
    Case("linear-0d-input", "nn layers", lambda m: _linear(m, 3, 2)(m.tensor(1.0)),
         op="linear"),
    Case("linear-int-input", "nn layers", lambda m: _linear(m, 3, 2)(i64(m, [[1, 2, 3]])),
         op="linear"),
    Case("linear-float64-input", "nn layers",
         lambda m: _linear(m, 3, 2)(m.ones(1, 3, dtype=m.float64)), op="linear"),
    Case("linear-list-input", "wrong types", lambda m: _linear(m, 3, 2)([[1.0, 2.0, 3.0]]),
         op="linear"),
    Case("linear-negative-features", "nn layers", lambda m: _linear(m, -1, 2), op="Linear"),
    Case("linear-float-features", "wrong types", lambda m: _linear(m, 2.5, 2), op="Linear"),
    Case("linear-string-features", "wrong types", lambda m: _linear(m, "3", 2), op="Linear"),
    Case("F-linear-bias-shape", "nn layers",
         lambda m: F(m).linear(m.ones(1, 3), m.ones(2, 3), m.ones(3)), op="linear"),
    Case("F-linear-weight-1d", "nn layers",
         lambda m: F(m).linear(m.ones(1, 3), m.ones(3)), raises=False),
    Case("embedding-out-of-range", "nn layers",
         lambda m: m.nn.Embedding(3, 2)(t(m, [0, 3])), op="embedding"),
    Case("embedding-negative", "nn layers",
         lambda m: m.nn.Embedding(3, 2)(t(m, [-1])), op="embedding"),
    Case("embedding-float-ids", "dtypes",
         lambda m: m.nn.Embedding(3, 2)(t(m, [0.0, 1.0])), op="embedding"),
    Case("embedding-list-ids", "wrong types", lambda m: m.nn.Embedding(3, 2)([0, 1]),
         op="embedding"),
    Case("embedding-negative-size", "nn layers", lambda m: m.nn.Embedding(-3, 2),
         op="Embedding"),
    Case("embedding-padding-out-of-range", "nn layers",
         lambda m: m.nn.Embedding(3, 2, padding_idx=5), op="padding_idx"),
    Case("dropout-p-too-big", "nn layers", lambda m: m.nn.Dropout(1.5), op="dropout"),
    Case("dropout-p-negative", "nn layers", lambda m: F(m).dropout(m.ones(2), -0.1),
         op="dropout"),
    Case("dropout-p-string", "wrong types", lambda m: m.nn.Dropout("a"), op="dropout"),
    Case("F-dropout-list", "wrong types", lambda m: F(m).dropout([1.0, 2.0], 0.5),
         op="dropout"),
    Case("softmax-no-dim", "nn layers", lambda m: F(m).softmax(m.ones(2, 3)), op="softmax"),
    Case("log_softmax-int", "dtypes", lambda m: F(m).log_softmax(i64(m, [1, 2]), 0),
         op="log_softmax"),
    Case("softmax-int", "dtypes", lambda m: F(m).softmax(i64(m, [1, 2]), 0), op="softmax"),
    Case("relu-list", "wrong types", lambda m: F(m).relu([1.0, -1.0]), op="relu"),
    Case("sigmoid-None", "wrong types", lambda m: F(m).sigmoid(None), op="sigmoid"),
    Case("leaky_relu-string", "wrong types", lambda m: F(m).leaky_relu(m.ones(2), "a"),
         op="leaky_relu"),
    Case("gelu-bad-approximate", "nn layers",
         lambda m: F(m).gelu(m.ones(2), approximate="fast"), op="gelu"),
    Case("softplus-zero-beta", "nn layers", lambda m: F(m).softplus(m.ones(2), beta=0),
         op="softplus"),
    Case("hardtanh-bad-bounds", "nn layers",
         lambda m: F(m).hardtanh(m.ones(2), min_val=1.0, max_val=-1.0), op="hardtanh"),
    Case("one_hot-float", "dtypes", lambda m: F(m).one_hot(t(m, [0.0, 1.0])), op="one_hot"),
    Case("one_hot-too-few-classes", "nn layers",
         lambda m: F(m).one_hot(t(m, [0, 3]), num_classes=2), op="one_hot"),
    Case("one_hot-negative", "nn layers", lambda m: F(m).one_hot(t(m, [-1, 0])),
         op="one_hot"),
    Case("one_hot-empty", "empty tensors", lambda m: F(m).one_hot(i64(m, [])),
         op="one_hot"),
    Case("sequential-non-module", "nn layers", lambda m: m.nn.Sequential(m.nn.ReLU(), 3),
         op="Sequential"),
    Case("module-list-non-module", "nn layers", lambda m: m.nn.ModuleList([3]),
         op="ModuleList"),
    Case("load_state_dict-missing", "nn layers",
         lambda m: _linear(m, 2, 2).load_state_dict({"weight": m.ones(2, 2)}), op="bias"),
    Case("load_state_dict-wrong-shape", "nn layers",
         lambda m: _linear(m, 2, 2).load_state_dict({"weight": m.ones(3, 2),
                                                     "bias": m.ones(2)}), op="weight"),
    Case("load_state_dict-unexpected", "nn layers",
         lambda m: _linear(m, 2, 2).load_state_dict({"weight": m.ones(2, 2), "bias": m.ones(2),
                                                     "extra": m.ones(1)}), op="extra"),
    Case("load_state_dict-not-a-dict", "wrong types",
         lambda m: _linear(m, 2, 2).load_state_dict([1, 2]), op="load_state_dict"),
    Case("parameter-int", "dtypes", lambda m: m.nn.Parameter(i64(m, [1, 2])), op="Parameter"),
    Case("module-call-missing-forward", "nn layers", lambda m: m.nn.Module()(m.ones(1)),
         op="forward"),
    Case("init-uniform-1d-xavier", "nn layers",
         lambda m: m.nn.init.xavier_uniform_(m.ones(3)), op="xavier"),
    Case("init-kaiming-0d", "0-d tensors", lambda m: m.nn.init.kaiming_uniform_(m.tensor(1.0)),
         op="kaiming"),
    Case("init-gain-unknown", "nn layers", lambda m: m.nn.init.calculate_gain("swish"),
         op="swish"),
]


# ---------------------------------------------------------------------- losses
def _probabilities(m: Any) -> Any:
    return m.full((2,), 0.5)


LOSS_CASES = [
    Case("mse-int-target", "losses", lambda m: F(m).mse_loss(m.ones(3), t(m, [1, 2, 3])),
         raises=False),
    Case("mse-int-target-grad-dtype", "losses", lambda m: _mse_grad(m), raises=False),
    Case("mse-float64-target", "losses",
         lambda m: F(m).mse_loss(m.ones(3), f64(m, [1.0, 2.0, 0.0])), raises=False),
    Case("mse-float64-target-grad-dtype", "losses", lambda m: _mse_grad(m, m.float64),
         raises=False),
    Case("mse-shapes-not-broadcastable", "losses",
         lambda m: F(m).mse_loss(m.ones(2, 3), m.ones(4)), op="mse_loss"),
    Case("mse-broadcast-target", "losses",
         lambda m: F(m).mse_loss(m.ones(2, 3), t(m, [1.0, 2.0, 3.0])), raises=False),
    Case("mse-broadcast-input", "losses",
         lambda m: F(m).mse_loss(t(m, [1.0, 2.0, 3.0]), m.ones(2, 3)), raises=False),
    Case("mse-broadcast-sum", "losses",
         lambda m: F(m).mse_loss(m.ones(2, 1), t(m, [1.0, 2.0, 3.0]), reduction="sum"),
         raises=False),
    Case("mse-int-input", "losses", lambda m: F(m).mse_loss(i64(m, [1, 2]), i64(m, [1, 2])),
         op="mse_loss"),
    Case("mse-list-target", "wrong types", lambda m: F(m).mse_loss(m.ones(2), [1.0, 2.0]),
         op="mse_loss"),
    Case("mse-bad-reduction", "losses",
         lambda m: F(m).mse_loss(m.ones(2), m.ones(2), reduction="avg"), op="mse_loss"),
    Case("mse-empty", "empty tensors", lambda m: F(m).mse_loss(m.ones(0), m.ones(0)),
         raises=False),
    Case("mse-nan", "NaN and inf", lambda m: F(m).mse_loss(t(m, [nan]), t(m, [1.0])),
         raises=False),
    Case("MSELoss-int-target", "losses", lambda m: m.nn.MSELoss()(m.ones(2), t(m, [1, 2])),
         raises=False),
    Case("bce-target-2", "losses",
         lambda m: F(m).binary_cross_entropy(_probabilities(m), t(m, [2.0, 0.0])),
         op="binary_cross_entropy"),
    Case("bce-target-negative", "losses",
         lambda m: F(m).binary_cross_entropy(_probabilities(m), t(m, [-1.0, 0.0])),
         op="binary_cross_entropy"),
    Case("bce-target-nan", "NaN and inf",
         lambda m: F(m).binary_cross_entropy(_probabilities(m), t(m, [nan, 0.0])),
         op="binary_cross_entropy"),
    Case("bce-target-int", "losses",
         lambda m: F(m).binary_cross_entropy(_probabilities(m), t(m, [1, 0])),
         op="binary_cross_entropy"),
    Case("bce-target-float64", "losses",
         lambda m: F(m).binary_cross_entropy(_probabilities(m), f64(m, [1.0, 0.0])),
         op="binary_cross_entropy"),
    Case("bce-input-int", "losses",
         lambda m: F(m).binary_cross_entropy(t(m, [1, 0]), t(m, [1.0, 0.0])),
         op="binary_cross_entropy"),
    Case("bce-input-above-1", "losses",
         lambda m: F(m).binary_cross_entropy(t(m, [1.5, 0.0]), t(m, [1.0, 0.0])),
         op="binary_cross_entropy"),
    Case("bce-input-nan", "NaN and inf",
         lambda m: F(m).binary_cross_entropy(t(m, [nan, 0.5]), t(m, [1.0, 0.0])),
         op="binary_cross_entropy"),
    Case("bce-shape", "losses",
         lambda m: F(m).binary_cross_entropy(_probabilities(m), m.ones(3)),
         op="binary_cross_entropy"),
    Case("bce-broadcastable-shape", "losses",
         lambda m: F(m).binary_cross_entropy(m.full((2, 3), 0.5), m.ones(3)),
         op="binary_cross_entropy"),
    Case("bce-weight-shape", "losses",
         lambda m: F(m).binary_cross_entropy(_probabilities(m), m.ones(2), weight=m.ones(3)),
         op="binary_cross_entropy"),
    Case("bce-edges", "losses",
         lambda m: F(m).binary_cross_entropy(t(m, [0.0, 1.0]), t(m, [1.0, 0.0])),
         raises=False),
    Case("bce-list-target", "wrong types",
         lambda m: F(m).binary_cross_entropy(_probabilities(m), [1.0, 0.0]),
         op="binary_cross_entropy"),
    Case("BCELoss-target-2", "losses",
         lambda m: m.nn.BCELoss()(_probabilities(m), t(m, [2.0, 0.0])),
         op="binary_cross_entropy"),
    Case("bcel-target-2", "losses",
         lambda m: F(m).binary_cross_entropy_with_logits(m.zeros(2), t(m, [2.0, 0.0])),
         raises=False),
    Case("bcel-target-int", "losses",
         lambda m: F(m).binary_cross_entropy_with_logits(m.zeros(2), t(m, [1, 0])),
         op="binary_cross_entropy_with_logits"),
    Case("bcel-target-float64", "losses",
         lambda m: F(m).binary_cross_entropy_with_logits(m.zeros(2), f64(m, [1.0, 0.0])),
         raises=False),
    Case("bcel-shape", "losses",
         lambda m: F(m).binary_cross_entropy_with_logits(m.zeros(2, 3), m.ones(3)),
         op="binary_cross_entropy_with_logits"),
    Case("bcel-pos-weight-shape", "losses",
         lambda m: F(m).binary_cross_entropy_with_logits(m.zeros(2, 3), m.ones(2, 3),
                                                          pos_weight=m.ones(2)),
         op="binary_cross_entropy_with_logits"),
    Case("bcel-input-int", "losses",
         lambda m: F(m).binary_cross_entropy_with_logits(t(m, [1, 0]), t(m, [1.0, 0.0])),
         op="binary_cross_entropy_with_logits"),
    Case("ce-float-class-ids", "losses",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [0.0, 1.0])), op="cross_entropy"),
    Case("ce-int32-target", "losses",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [0, 1], dtype=m.int32)),
         op="cross_entropy"),
    Case("ce-bool-target", "losses",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [True, False])),
         op="cross_entropy"),
    Case("ce-target-out-of-range", "losses",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [0, 3])), op="cross_entropy"),
    Case("ce-target-negative", "losses",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [0, -2])), op="cross_entropy"),
    Case("ce-target-shape", "losses",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [0, 1, 2])), op="cross_entropy"),
    Case("ce-int-input", "losses",
         lambda m: F(m).cross_entropy(i64(m, [[1, 2]]), t(m, [0])), op="cross_entropy"),
    Case("ce-0d-input", "0-d tensors",
         lambda m: F(m).cross_entropy(m.tensor(1.0), t(m, 0)), op="cross_entropy"),
    Case("ce-label-smoothing-1.5", "losses",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [0, 1]), label_smoothing=1.5),
         op="label_smoothing"),
    Case("ce-weight-shape", "losses",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [0, 1]), weight=m.ones(2)),
         op="cross_entropy"),
    Case("ce-weight-float64", "losses",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [0, 1]),
                                      weight=m.ones(3, dtype=m.float64)), op="cross_entropy"),
    Case("ce-probability-target-float64", "losses",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), m.full((2, 3), 1 / 3, dtype=m.float64)),
         raises=False),
    Case("ce-list-target", "wrong types",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), [0, 1]), op="cross_entropy"),
    Case("ce-all-ignored", "NaN and inf",
         lambda m: F(m).cross_entropy(m.zeros(2, 3), t(m, [-100, -100])), raises=False),
    Case("ce-empty-batch", "empty tensors",
         lambda m: F(m).cross_entropy(m.zeros(0, 3), i64(m, [])), raises=False),
    Case("CrossEntropyLoss-bad-reduction", "losses",
         lambda m: m.nn.CrossEntropyLoss(reduction="max")(m.zeros(2, 3), t(m, [0, 1])),
         op="reduction"),
    Case("nll-float-target", "losses",
         lambda m: F(m).nll_loss(m.zeros(2, 3), t(m, [0.0, 1.0])), op="nll_loss"),
    Case("nll-int32-target", "losses",
         lambda m: F(m).nll_loss(m.zeros(2, 3), t(m, [0, 1], dtype=m.int32)), op="nll_loss"),
    Case("nll-target-out-of-range", "losses",
         lambda m: F(m).nll_loss(m.zeros(2, 3), t(m, [0, 5])), op="nll_loss"),
    Case("nll-list-target", "wrong types",
         lambda m: F(m).nll_loss(m.zeros(2, 3), [0, 1]), op="nll_loss"),
    Case("multi-margin-float-target", "losses",
         lambda m: F(m).multi_margin_loss(m.zeros(2, 3), t(m, [0.0, 1.0])),
         op="multi_margin_loss"),
    Case("multi-margin-out-of-range", "losses",
         lambda m: F(m).multi_margin_loss(m.zeros(2, 3), t(m, [0, 3])),
         op="multi_margin_loss"),
    Case("multi-margin-p3", "losses",
         lambda m: F(m).multi_margin_loss(m.zeros(2, 3), t(m, [0, 1]), p=3),
         op="multi_margin_loss"),
    Case("multi-margin-weight-shape", "losses",
         lambda m: F(m).multi_margin_loss(m.zeros(2, 3), t(m, [0, 1]), weight=m.ones(2)),
         op="multi_margin_loss"),
    Case("margin-ranking-shapes", "losses",
         lambda m: F(m).margin_ranking_loss(m.zeros(2), m.zeros(3), m.ones(2)),
         op="margin_ranking_loss"),
    Case("margin-ranking-dims", "losses",
         lambda m: F(m).margin_ranking_loss(m.zeros(2, 3), m.zeros(3), m.ones(3)),
         op="margin_ranking_loss"),
    Case("margin-ranking-int-target", "losses",
         lambda m: F(m).margin_ranking_loss(m.zeros(2), m.zeros(2), t(m, [1, -1])),
         raises=False),
    Case("margin-ranking-bad-reduction", "losses",
         lambda m: F(m).margin_ranking_loss(m.zeros(2), m.zeros(2), m.ones(2), reduction="x"),
         op="margin_ranking_loss"),
]


def _mse_grad(m: Any, target_dtype: Any = None) -> Any:
    weight = m.ones(3, requires_grad=True)
    target = m.tensor([1, 2, 3], dtype=target_dtype)
    loss = m.nn.functional.mse_loss(weight * 2, target)
    loss.backward()
    return loss, weight.grad


# ---------------------------------------------------------------------- optimisers
def _params(m: Any) -> list[Any]:
    return [m.ones(2, requires_grad=True)]


OPTIM_CASES = [
    Case("sgd-negative-lr", "optimisers", lambda m: m.optim.SGD(_params(m), lr=-1.0),
         op="learning rate"),
    Case("sgd-string-lr", "wrong types", lambda m: m.optim.SGD(_params(m), lr="fast"),
         op="learning rate"),
    Case("sgd-negative-momentum", "optimisers",
         lambda m: m.optim.SGD(_params(m), lr=0.1, momentum=-0.5), op="momentum"),
    Case("sgd-negative-weight-decay", "optimisers",
         lambda m: m.optim.SGD(_params(m), lr=0.1, weight_decay=-1), op="weight_decay"),
    Case("sgd-nesterov-without-momentum", "optimisers",
         lambda m: m.optim.SGD(_params(m), lr=0.1, nesterov=True), op="nesterov"),
    Case("sgd-empty-params", "optimisers", lambda m: m.optim.SGD([], lr=0.1),
         op="empty parameter list"),
    Case("sgd-tensor-not-list", "wrong types", lambda m: m.optim.SGD(m.ones(2), lr=0.1),
         op="params"),
    Case("sgd-non-tensor-param", "wrong types", lambda m: m.optim.SGD([1.0], lr=0.1),
         op="optimize"),
    Case("sgd-non-leaf", "optimisers",
         lambda m: m.optim.SGD([m.ones(2, requires_grad=True) * 2], lr=0.1), op="leaf"),
    Case("sgd-param-in-two-groups", "optimisers",
         lambda m: (lambda p: m.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1))(
             m.ones(2, requires_grad=True)), op="more than one"),
    Case("sgd-group-missing-params", "optimisers",
         lambda m: m.optim.SGD([{"lr": 0.1}], lr=0.1), op="params"),
    Case("sgd-nan-lr", "NaN and inf", lambda m: m.optim.SGD(_params(m), lr=nan),
         op="learning rate"),
    Case("adam-negative-lr", "optimisers", lambda m: m.optim.Adam(_params(m), lr=-1e-3),
         op="learning rate"),
    Case("adam-beta-1", "optimisers",
         lambda m: m.optim.Adam(_params(m), betas=(1.0, 0.999)), op="beta"),
    Case("adam-beta-negative", "optimisers",
         lambda m: m.optim.Adam(_params(m), betas=(0.9, -0.1)), op="beta"),
    Case("adam-negative-eps", "optimisers", lambda m: m.optim.Adam(_params(m), eps=-1.0),
         op="epsilon"),
    Case("adam-betas-string", "wrong types", lambda m: m.optim.Adam(_params(m), betas="ab"),
         op="beta"),
    Case("adamw-negative-weight-decay", "optimisers",
         lambda m: m.optim.AdamW(_params(m), weight_decay=-0.1), op="weight_decay"),
    Case("adagrad-negative-lr-decay", "optimisers",
         lambda m: m.optim.Adagrad(_params(m), lr_decay=-1), op="lr_decay"),
    Case("rmsprop-negative-alpha", "optimisers",
         lambda m: m.optim.RMSprop(_params(m), alpha=-0.5), op="alpha"),
    Case("rmsprop-negative-momentum", "optimisers",
         lambda m: m.optim.RMSprop(_params(m), momentum=-0.5), op="momentum"),
    Case("optimizer-load-state-wrong-groups", "optimisers",
         lambda m: m.optim.SGD(_params(m), lr=0.1).load_state_dict(
             {"state": {}, "param_groups": []}), op="group"),
    Case("optimizer-load-state-not-dict", "wrong types",
         lambda m: m.optim.SGD(_params(m), lr=0.1).load_state_dict([1]),
         op="load_state_dict"),
    Case("steplr-string-step", "wrong types",
         lambda m: m.optim.lr_scheduler.StepLR(m.optim.SGD(_params(m), lr=0.1), "a"),
         op="step_size"),
    Case("scheduler-not-optimizer", "wrong types",
         lambda m: m.optim.lr_scheduler.StepLR([1], 2), op="Optimizer"),
    Case("step-without-grad", "optimisers", lambda m: _step_without_grad(m), raises=False),
]


def _step_without_grad(m: Any) -> Any:
    params = _params(m)
    m.optim.SGD(params, lr=0.1).step()
    return params[0]


# ---------------------------------------------------------------------- data loaders
def _dataset(m: Any, *tensors: Any) -> Any:
    return m.utils.data.TensorDataset(*tensors)


DATA_CASES = [
    Case("loader-batch-zero", "data loaders",
         lambda m: m.utils.data.DataLoader(_dataset(m, m.ones(4)), batch_size=0),
         op="batch_size"),
    Case("loader-batch-negative", "data loaders",
         lambda m: m.utils.data.DataLoader(_dataset(m, m.ones(4)), batch_size=-2),
         op="batch_size"),
    Case("loader-batch-float", "wrong types",
         lambda m: m.utils.data.DataLoader(_dataset(m, m.ones(4)), batch_size=2.5),
         op="batch_size"),
    Case("loader-not-a-dataset", "wrong types", lambda m: list(m.utils.data.DataLoader(5)),
         op="DataLoader"),
    Case("tensor-dataset-mismatch", "data loaders",
         lambda m: _dataset(m, m.ones(4), m.ones(3)), op="TensorDataset"),
    Case("tensor-dataset-non-tensor", "wrong types",
         lambda m: _dataset(m, m.ones(4), [1, 2, 3, 4]), op="TensorDataset"),
    Case("tensor-dataset-0d", "0-d tensors", lambda m: _dataset(m, m.tensor(1.0)),
         op="TensorDataset"),
    Case("tensor-dataset-index-out-of-range", "data loaders",
         lambda m: _dataset(m, m.ones(4))[7], op="index"),
    Case("loader-empty-dataset", "empty tensors",
         lambda m: list(m.utils.data.DataLoader(_dataset(m, m.ones(0)))), raises=False),
    Case("random-split-wrong-total", "data loaders",
         lambda m: m.utils.data.random_split(_dataset(m, m.ones(4)), [2, 3]),
         op="random_split"),
    Case("random-split-negative", "data loaders",
         lambda m: m.utils.data.random_split(_dataset(m, m.ones(4)), [5, -1]),
         op="random_split"),
    Case("collate-mixed-shapes", "data loaders",
         lambda m: list(m.utils.data.DataLoader([m.ones(2), m.ones(3)], batch_size=2)),
         op="stack"),
    Case("collate-strings-and-numbers", "data loaders",
         lambda m: list(m.utils.data.DataLoader([m.ones(2), "a"], batch_size=2)),
         op="collate"),
]

# ---------------------------------------------------------------------- autograd misuse
AUTOGRAD_CASES = [
    Case("backward-string-gradient", "autograd misuse",
         lambda m: (leaf(m, [1.0, 2.0]) * 2).sum().backward(gradient="x"), op="backward"),
    Case("backward-list-gradient", "autograd misuse",
         lambda m: (leaf(m, [1.0, 2.0]) * 2).backward(gradient=[1.0, 1.0]), op="backward"),
    Case("backward-float-gradient", "autograd misuse",
         lambda m: (leaf(m, [1.0, 2.0]) * 2).sum().backward(gradient=1.0), op="backward"),
    Case("backward-wrong-shape", "autograd misuse",
         lambda m: (leaf(m, [1.0, 2.0]) * 2).backward(gradient=m.ones(3)), op="backward"),
    Case("backward-non-scalar", "autograd misuse",
         lambda m: (leaf(m, [1.0, 2.0]) * 2).backward(), op="backward"),
    Case("backward-no-grad", "autograd misuse", lambda m: m.ones(2).sum().backward(),
         op="backward"),
    Case("backward-twice", "autograd misuse", lambda m: _backward_twice(m), op="backward"),
    Case("backward-empty-output", "empty tensors",
         lambda m: (leaf(m, []) * 2).sum().backward(), raises=False),
    Case("requires-grad-int", "autograd misuse",
         lambda m: i64(m, [1, 2]).requires_grad_(), op="floating"),
    Case("requires-grad-false-non-leaf", "autograd misuse",
         lambda m: (leaf(m, [1.0]) * 2).requires_grad_(False), op="requires_grad"),
    Case("numpy-of-requires-grad", "autograd misuse", lambda m: leaf(m, [1.0]).numpy(),
         op="numpy"),
    Case("grad-unused-input", "autograd misuse",
         lambda m: (lambda x, y: m.autograd.grad((x * 2).sum(), [x, y]))(
             leaf(m, [1.0]), leaf(m, [1.0])), op="grad"),
    Case("grad-non-scalar", "autograd misuse",
         lambda m: (lambda x: m.autograd.grad(x * 2, x))(leaf(m, [1.0, 2.0])), op="grad"),
    Case("grad-input-not-requiring", "autograd misuse",
         lambda m: (lambda x: m.autograd.grad((x * 2).sum(), m.ones(1)))(leaf(m, [1.0])),
         op="grad"),
    Case("grad-assign-wrong-shape", "autograd misuse",
         lambda m: setattr(leaf(m, [1.0, 2.0]), "grad", m.ones(3)), op="grad"),
    Case("grad-assign-list", "autograd misuse",
         lambda m: setattr(leaf(m, [1.0, 2.0]), "grad", [1.0, 2.0]), op="grad"),
    Case("inplace-on-leaf", "autograd misuse", lambda m: leaf(m, [1.0, 2.0]).exp_(),
         op="exp_"),
    Case("retain-grad-no-grad", "autograd misuse", lambda m: m.ones(2).retain_grad(),
         op="retain_grad"),
    Case("function-wrong-grad-count", "autograd misuse", lambda m: _bad_function(m),
         op="backward"),
    Case("hook-on-non-leaf", "autograd misuse",
         lambda m: (leaf(m, [1.0]) * 2).register_post_accumulate_grad_hook(print),
         op="leaf"),
]


def _backward_twice(m: Any) -> None:
    x = leaf(m, [1.0, 2.0])
    y = (x.exp() * 2).sum()
    y.backward()
    y.backward()


def _bad_function(m: Any) -> Any:
    class Double(m.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any, y: Any) -> Any:
            return x * 2 + y

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            return grad * 2  # one gradient for two inputs

    x = leaf(m, [1.0])
    Double.apply(x, leaf(m, [1.0])).sum().backward()


CASES: list[Case] = (TENSOR_CASES + ARITHMETIC_CASES + SHAPE_CASES + EMPTY_CASES + NN_CASES
                     + LOSS_CASES + OPTIM_CASES + DATA_CASES + AUTOGRAD_CASES
                     + CHECKPOINT_CASES)


def test_enough_cases_with_unique_names() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 200
    assert len(set(names)) == len(names), [n for n in names if names.count(n) > 1]
    assert set(LENIENCIES) <= set(names)
    assert set(STRICTER_THAN_TORCH) <= set(names)
    unnamed = [case.name for case in CASES if case.raises and not case.op]
    assert not unnamed, f"say what each error's message must name: {unnamed}"


def test_torch_side_runs_where_installed() -> None:
    if torch is None:
        pytest.skip("PyTorch is not installed: the bad-input cases ran against chainrule "
                    "only, each checked against what the table expects")


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case: Case) -> None:
    kind, problem, _, _ = evaluate(case, cr, torch, LENIENCIES, STRICTER_THAN_TORCH)
    assert not problem, f"{case.name} ({case.category}): {problem}"
    assert kind in (CLEAR_ERROR, SAME_AS_TORCH, LENIENCY, STRICTER)


# ---------------------------------------------------------------------- without PyTorch too
# The table's values are checked against PyTorch's where it is installed; these pin the
# fixes of issue 11 down on their own.
def test_mse_with_an_integer_target_stays_float32_and_so_do_its_gradients() -> None:
    loss, grad = _mse_grad(cr)
    assert loss.dtype == cr.float32 and grad.dtype == cr.float32
    assert math.isclose(loss.item(), 2 / 3, rel_tol=1e-6)
    loss, grad = _mse_grad(cr, cr.float64)  # a float64 target: a float64 loss, as PyTorch
    assert loss.dtype == cr.float64 and grad.dtype == cr.float32


def test_mse_broadcasts_with_a_warning_only_where_the_shapes_broadcast() -> None:
    with pytest.warns(UserWarning, match="different to the input size"):
        loss = cr.nn.functional.mse_loss(cr.ones(2, 3), cr.tensor([1.0, 2.0, 3.0]))
    assert math.isclose(loss.item(), 5 / 3, rel_tol=1e-6)  # (0 + 1 + 4) / 3 over 6 elements
    with pytest.raises(ValueError, match=r"mse_loss: input of shape \(2, 3\) and target of "
                                         r"shape \(4,\) cannot be broadcast"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no warning before the error
            cr.nn.functional.mse_loss(cr.ones(2, 3), cr.ones(4))


def test_binary_cross_entropy_checks_target_values_and_dtype() -> None:
    p = cr.full((2,), 0.5)
    with pytest.raises(ValueError, match="target must lie in"):
        cr.nn.functional.binary_cross_entropy(p, cr.tensor([2.0, 0.0]))
    with pytest.raises(ValueError, match="probabilities in"):
        cr.nn.functional.binary_cross_entropy(cr.tensor([math.nan, 0.5]), cr.ones(2))
    with pytest.raises(TypeError, match="target has dtype chainrule.int64"):
        cr.nn.functional.binary_cross_entropy(p, cr.tensor([1, 0]))
    # with logits, any real target is accepted, as in PyTorch
    value = cr.nn.functional.binary_cross_entropy_with_logits(cr.zeros(2), cr.tensor([2.0, 0.0]))
    assert math.isclose(value.item(), math.log(2), rel_tol=1e-6)


def test_class_id_targets_must_be_int64_or_uint8() -> None:
    for bad in (cr.int32, cr.bool):
        with pytest.raises(TypeError, match="class ids"):
            cr.nn.functional.cross_entropy(cr.zeros(2, 3), cr.tensor([0, 1], dtype=bad))
    loss = cr.nn.functional.cross_entropy(cr.zeros(2, 3), cr.tensor([0, 1], dtype=cr.uint8))
    assert math.isclose(loss.item(), math.log(3), rel_tol=1e-6)


@pytest.mark.parametrize(("data", "says"), [
    (None, "tensor: cannot make a tensor from None;"),
    ({"a": 1}, "from a dict"),
    (object(), "from a object"),
    ([1, None], "a list holding None at index 1"),
    ([[1, 2], [3, None]], r"None at index \[1\]\[1\]"),
    ([[1, 2], [None]], r"None at index \[1\]\[0\]"),
    (["a", 2], "a str at index 0"),
])
def test_tensor_names_what_is_not_a_number(data: Any, says: str) -> None:
    with pytest.raises(TypeError, match=says):
        cr.tensor(data)


@pytest.mark.filterwarnings("ignore:overflow encountered in cast")
def test_float32_std_is_computed_wide_as_pytorch_does() -> None:
    spread = cr.tensor([1e20, -1e20])
    assert math.isclose(spread.std().item(), math.sqrt(2) * 1e20, rel_tol=1e-6)
    assert spread.std().dtype == cr.float32
    assert math.isinf(spread.var().item())  # 2e40 does not fit a float32, in PyTorch too
    x = cr.tensor([1e19, -3e19, 2e19], requires_grad=True)
    x.std().backward()
    assert x.grad is not None and x.grad.dtype == cr.float32
    assert bool(cr.isfinite(x.grad).all())


def test_creation_errors_name_the_function() -> None:
    for call, says in ((lambda: cr.randn(-3, 2), r"randn: sizes must be non-negative"),
                       (lambda: cr.eye(-2), "eye: n must be at least 0"),
                       (lambda: cr.tensor([]).argmax(), "argmax: the tensor is empty"),
                       (lambda: cr.tensor([True]) - cr.tensor([True]), "sub: subtraction"),
                       (lambda: -cr.tensor([True]), "neg: negating a bool"),
                       (lambda: cr.ones(2, requires_grad=True).sum().backward(gradient="x"),
                        "backward: gradient must be a Tensor")):
        with pytest.raises((TypeError, ValueError, IndexError), match=says):
            call()
