"""Printing: `repr`/`str` of tensors, `set_printoptions`, and PyTorch's node names, checked
against PyTorch itself (the same values printed by both, with `torch.` spelt `chainrule.`)."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

VALUES: list[tuple[str, Any, str]] = [
    ("integral floats", [1.0, 2.0, -3.0], "float32"),
    ("fractions", [1.5, -2.25, 3.125], "float32"),
    ("wide range: scientific", [1e-5, 1.0, 2e5], "float32"),
    ("large: scientific", [1e9, 2e9], "float32"),
    ("small: scientific", [1e-5, 3e-5], "float32"),
    ("nan and inf", [float("nan"), float("inf"), -float("inf"), 1.5], "float32"),
    ("only nan", [float("nan")], "float32"),
    ("zeros", [0.0, 0.0], "float32"),
    ("matrix", [[1.0, 2.5], [-3.0, 4.0]], "float32"),
    ("cube", np.arange(24.0).reshape(2, 3, 4) / 7, "float32"),
    ("float64 suffix", [1.0, 2.5], "float64"),
    ("float16 suffix", [1.0, 2.5], "float16"),
    ("int64 no suffix", [1, -20, 300], "int64"),
    ("int32", [1, 2], "int32"),
    ("int16", [1, 2], "int16"),
    ("int8", [-1, 2], "int8"),
    ("uint8", [1, 255], "uint8"),
    ("bool", [True, False], "bool"),
    ("scalar float", 3.5, "float32"),
    ("scalar int", 7, "int64"),
    ("scalar float64", 2.0, "float64"),
    ("long row wraps", np.linspace(-1, 1, 40), "float32"),
    ("summarised vector", np.arange(2000.0), "float32"),
    ("summarised matrix", np.arange(4000).reshape(40, 100) / 3, "float32"),
    ("summarised ints", np.arange(3000).reshape(3, 1000), "int64"),
    ("summarised 3-d", np.arange(8000).reshape(20, 20, 20) * 0.5, "float64"),
    ("empty", np.zeros((0,)), "float32"),
    ("empty 2-d", np.zeros((0, 3)), "float32"),
    ("empty ints", np.zeros((0,)), "int64"),
    ("empty float64 2-d", np.zeros((2, 0)), "float64"),
]


def _pair(values: Any, dtype: str) -> tuple[Any, Any]:
    array = np.asarray(values).astype(dtype)
    return torch.from_numpy(array.copy()), cr.from_numpy(array.copy())


def _as_chainrule(text: str) -> str:
    return text.replace("torch.", "chainrule.")


@pytest.mark.parametrize(("values", "dtype"), [(v, d) for _, v, d in VALUES],
                         ids=[label for label, _, _ in VALUES])
def test_repr_matches_pytorch(values: Any, dtype: str) -> None:
    theirs, ours = _pair(values, dtype)
    assert repr(ours) == _as_chainrule(repr(theirs))
    assert str(ours) == _as_chainrule(str(theirs))


def test_requires_grad_and_grad_fn_suffixes_match_pytorch() -> None:
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    c = cr.tensor([1.0, 2.0], requires_grad=True)
    assert repr(c) == repr(t) == "tensor([1., 2.], requires_grad=True)"
    assert repr(c * 2) == repr(t * 2) == "tensor([2., 4.], grad_fn=<MulBackward0>)"
    t64 = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    c64 = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    assert repr(c64.sum()) == _as_chainrule(repr(t64.sum()))
    assert repr(c64) == _as_chainrule(repr(t64))


def test_suffixes_wrap_at_the_line_width_as_in_pytorch() -> None:
    wrapped = 0
    for count in range(6, 20):
        values = np.linspace(0.1, 0.9, count).astype(np.float32)
        theirs = torch.from_numpy(values.copy()).requires_grad_()
        ours = cr.from_numpy(values.copy()).requires_grad_()
        assert repr(ours * 3) == repr(theirs * 3)
        wrapped += repr(ours * 3).endswith(",\n       grad_fn=<MulBackward0>)")
    assert wrapped  # some lengths put the suffix on a line of its own


def test_parameter_repr_matches_pytorch() -> None:
    theirs = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    ours = cr.nn.Parameter(cr.tensor([1.0, -2.0]))
    assert repr(ours) == repr(theirs)


@pytest.fixture
def restore_printoptions() -> Iterator[None]:
    yield
    cr.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


OPTIONS: list[dict[str, Any]] = [
    {"precision": 2}, {"precision": 6}, {"threshold": 5}, {"edgeitems": 1, "threshold": 5},
    {"linewidth": 30}, {"sci_mode": True}, {"sci_mode": False}, {"profile": "short"},
    {"profile": "full"}, {"precision": 2, "profile": "full"},
]


@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_set_printoptions_matches_pytorch(options: dict[str, Any],
                                          restore_printoptions: None) -> None:
    cr.set_printoptions(**options)
    torch.set_printoptions(**options)
    for values in ([1.123456789, 2.5, 30.25], np.arange(12.0).reshape(3, 4) / 7,
                   np.arange(2000.0) * 1e-3, [1e-6, 1.0]):
        theirs, ours = _pair(values, "float32")
        assert repr(ours) == _as_chainrule(repr(theirs))


def test_get_printoptions_and_printoptions_block(restore_printoptions: None) -> None:
    assert cr.get_printoptions() == {"precision": 4, "threshold": 1000, "edgeitems": 3,
                                     "linewidth": 80, "sci_mode": None}
    with cr.printoptions(precision=1):
        assert repr(cr.tensor([1.25, 2.0])) == "tensor([1.2, 2.0])"
    assert repr(cr.tensor([1.25, 2.0])) == "tensor([1.2500, 2.0000])"
    cr.set_printoptions(profile="full")
    assert cr.get_printoptions()["threshold"] == math.inf


def test_set_printoptions_refuses_an_unknown_profile() -> None:
    with pytest.raises(ValueError, match="unknown profile 'long'"):
        cr.set_printoptions(profile="long")


def test_default_dtype_changes_which_dtype_goes_without_saying() -> None:
    cr.set_default_dtype(cr.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for dtype in ("float32", "float64"):
            theirs, ours = _pair([1.5, 2.0], dtype)
            assert repr(ours) == _as_chainrule(repr(theirs))
    finally:
        cr.set_default_dtype(cr.float32)
        torch.set_default_dtype(torch.float32)


def _graph_cases(lib: Any) -> dict[str, Any]:
    """The same operations written once; `lib` is torch or chainrule."""
    x = lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)
    w = lib.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]], requires_grad=True)
    v = lib.tensor([0.3, -0.2, 0.1], requires_grad=True)
    functional = lib.nn.functional
    return {
        "add": x + x, "sub": x - x, "mul": x * x, "div": x / 2, "neg": -x,
        "pow scalar": x ** 2, "pow tensor": x.abs() ** x, "exp": x.exp(), "log": x.abs().log(),
        "sqrt": x.abs().sqrt(), "abs": x.abs(), "relu": x.relu(), "sigmoid": x.sigmoid(),
        "tanh": x.tanh(), "clone": x.clone(), "sum": x.sum(), "sum dim": x.sum(0),
        "mean": x.mean(), "mean dim": x.mean(1), "max": x.max(), "max dim": x.max(0)[0],
        "min": x.min(), "min dim": x.min(1)[0], "prod": x.prod(), "mm": x @ w, "mv": x @ v,
        "dot": v @ v, "reshape": x.reshape(6), "view": x.view(3, 2), "flatten": x.flatten(),
        "transpose": x.transpose(0, 1), "permute": x.permute(1, 0),
        "unsqueeze": x.unsqueeze(0), "expand": v.expand(2, 3), "select": x[0],
        "slice": x[:1], "advanced index": x[[0, 1]], "cat": lib.cat([x, x]),
        "stack": lib.stack([x, x]), "where": lib.where(x > 0, x, x * 2),
        "clamp": x.clamp(0, 1), "softmax": x.softmax(1), "log_softmax": x.log_softmax(1),
        "logsumexp": x.logsumexp(1), "linear": functional.linear(x, w, v),
        "linear without bias": functional.linear(x, w),
        "cross_entropy": functional.cross_entropy(x, lib.tensor([0, 2])),
        "mse_loss": functional.mse_loss(x, x.detach()), "gelu": functional.gelu(x),
        "leaky_relu": functional.leaky_relu(x), "softplus": functional.softplus(x),
        "to double": x.double(), "erf": x.erf(), "maximum": lib.maximum(x, x * 2),
        "minimum": lib.minimum(x, x * 2),
    }


def test_grad_fn_names_match_pytorch() -> None:
    theirs = {label: t.grad_fn.name() for label, t in _graph_cases(torch).items()}
    ours = {label: t.grad_fn.name() for label, t in _graph_cases(cr).items()}
    assert ours == theirs


def test_grad_fn_repr_and_next_functions_as_in_pytorch() -> None:
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = x * cr.ones(2)
    assert repr(y.grad_fn).startswith("<MulBackward0 object at 0x")
    (leaf, nr), (constant, _) = y.grad_fn.next_functions
    assert leaf.name() == "AccumulateGrad" and leaf.variable is x and nr == 0
    assert repr(leaf).startswith("<AccumulateGrad object at 0x") and constant is None
    total = y.sum()
    assert total.grad_fn.next_functions == ((y.grad_fn, 0),)
    ty = torch.tensor([1.0, 2.0], requires_grad=True) * torch.ones(2)
    assert [type(n).__name__ if n else None for n, _ in ty.grad_fn.next_functions] == \
        [n.name() if n else None for n, _ in y.grad_fn.next_functions]


def test_short_labels_stay_for_viz() -> None:
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    assert (x * 2).grad_fn.label == "mul" and (x * 2).sum().grad_fn.label == "sum"


def test_user_function_node_name_as_pytorch() -> None:
    class Square(cr.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    class TorchSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: Any) -> Any:
            return x * x

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            return grad

    ours = Square.apply(cr.tensor([2.0], requires_grad=True))
    theirs = TorchSquare.apply(torch.tensor([2.0], requires_grad=True))
    assert ours.grad_fn.name() == "SquareBackward"
    assert theirs.grad_fn.name().endswith("TorchSquareBackward")
    assert ours.grad_fn.label == "Square"


def test_size_prints_and_formats() -> None:
    shape = cr.zeros(2, 3).shape
    assert repr(shape) == str(shape) == _as_chainrule(repr(torch.zeros(2, 3).shape))
    assert f"{shape}" == "(2, 3)"  # f-strings (error messages) show the plain tuple
