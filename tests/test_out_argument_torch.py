"""`out=` against PyTorch: the same calls with `torch` and with `chainrule` write the same
values, dtypes and shapes into the given tensor, return that very tensor, warn on a resize
the same way, and refuse the same things (gradients, lossy casts) with the same error type."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.engine import version
from chainrule.ops.table import OUT_ARGUMENT

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

RNG = np.random.default_rng(7)
A = RNG.uniform(0.5, 2.0, (3, 4))
B = RNG.uniform(0.5, 2.0, (4, 2))
C = RNG.uniform(0.5, 2.0, (3, 4))
BATCH = RNG.uniform(-1, 1, (2, 3, 3))
INDEX = np.array([[0, 2, 1, 0], [1, 1, 0, 2]])

#: (call, the dtype of the `out` tensor given, its shape); `a`, `b`, `c`, `batch`, `index`
#: and `m` (the module) are in scope.
CALLS = [
    ("m.matmul(a, b, out=y)", "float64", (0,)),
    ("m.mm(a, b, out=y)", "float64", (3, 2)),
    ("m.bmm(batch, batch, out=y)", "float64", (0,)),
    ("m.add(a, c, out=y)", "float64", (3, 4)),
    ("m.add(a, c, alpha=2, out=y)", "float64", (3, 4)),
    ("m.sub(a, 1.5, out=y)", "float64", (3, 4)),
    ("m.mul(a, c, out=y)", "float64", (3, 4)),
    ("m.div(a, c, out=y)", "float64", (3, 4)),
    ("m.div(a, c, rounding_mode='floor', out=y)", "float64", (3, 4)),
    ("m.pow(a, 2, out=y)", "float64", (3, 4)),
    ("m.exp(a, out=y)", "float64", (3, 4)),
    ("m.exp(a, out=y)", "float32", (3, 4)),
    ("m.log(a, out=y)", "float64", (0,)),
    ("m.sqrt(a, out=y)", "float64", (3, 4)),
    ("m.neg(a, out=y)", "float64", (3, 4)),
    ("m.abs(a, out=y)", "float64", (3, 4)),
    ("m.tanh(a, out=y)", "float64", (3, 4)),
    ("m.sigmoid(a, out=y)", "float64", (3, 4)),
    ("m.clamp(a, 0.8, 1.5, out=y)", "float64", (3, 4)),
    ("m.sum(a, 0, out=y)", "float64", (4,)),
    ("m.sum(a, 1, keepdim=True, out=y)", "float64", (0,)),
    ("m.mean(a, 1, out=y)", "float64", (3,)),
    ("m.prod(a, 1, out=y)", "float64", (3,)),
    ("m.cumsum(a, 1, out=y)", "float64", (3, 4)),
    ("m.amax(a, 0, out=y)", "float64", (4,)),
    ("m.logsumexp(a, 1, out=y)", "float64", (3,)),
    ("m.var(a, 1, out=y)", "float64", (3,)),
    ("m.std(a, 0, True, out=y)", "float64", (4,)),
    ("m.argmax(a, 1, out=y)", "int64", (3,)),
    ("m.eq(a, c, out=y)", "bool", (3, 4)),
    ("m.gt(a, 1.0, out=y)", "bool", (3, 4)),
    ("m.eq(a, c, out=y)", "float64", (3, 4)),
    ("m.where(a > 1, a, c, out=y)", "float64", (3, 4)),
    ("m.gather(a, 1, index, out=y)", "float64", (0,)),
    ("m.tril(a, out=y)", "float64", (3, 4)),
    ("m.outer(a[0], c[0], out=y)", "float64", (4, 4)),
    ("m.dot(a[0], c[0], out=y)", "float64", ()),
    ("m.cat([a, c], out=y)", "float64", (0,)),
    ("m.cat([a, c], 1, out=y)", "float64", (3, 8)),
    ("m.stack([a, c], out=y)", "float64", (2, 3, 4)),
    ("m.add(index, 1, out=y)", "int64", (2, 4)),
    ("m.add(index, 1, out=y)", "float64", (2, 4)),
    ("m.softmax(a, 1, out=y)", "float64", (3, 4)),
    ("m.addmm(c[:, :2], a, b, out=y)", "float64", (3, 2)),
]
TUPLE_CALLS = [
    "m.max(a, 1, out=(v, i))", "m.min(a, 0, keepdim=True, out=(v, i))",
    "m.sort(a, 1, out=(v, i))", "m.topk(a, 2, out=(v, i))", "m.cummax(a, 1, out=(v, i))",
    "m.median(a, 1, out=(v, i))", "m.kthvalue(a, 2, 1, out=(v, i))",
]


def _scope(module: Any) -> dict[str, Any]:
    return {"m": module, "a": module.tensor(A), "b": module.tensor(B), "c": module.tensor(C),
            "batch": module.tensor(BATCH), "index": module.tensor(INDEX)}


def _dtype_name(tensor: Any) -> str:
    return str(tensor.dtype).rsplit(".", 1)[-1]


def _run(module: Any, call: str, out: dict[str, Any]) -> tuple[Any, list[str]]:
    scope = {**_scope(module), **out}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = eval(call, scope)  # noqa: S307 (the test's own call strings)
    return result, [str(w.message).split(" (Triggered")[0] for w in caught
                    if issubclass(w.category, UserWarning)]


@pytest.mark.parametrize(("call", "dtype", "shape"), CALLS)
def test_out_matches_torch(call: str, dtype: str, shape: tuple[int, ...]) -> None:
    theirs_out = torch.full(shape, 7, dtype=getattr(torch, dtype))
    mine_out = cr.full(shape, 7, dtype=getattr(cr, dtype))
    theirs, theirs_warnings = _run(torch, call, {"y": theirs_out})
    mine, mine_warnings = _run(cr, call, {"y": mine_out})
    assert theirs is theirs_out and mine is mine_out, call
    assert tuple(mine.shape) == tuple(theirs.shape), call
    assert _dtype_name(mine) == _dtype_name(theirs), call
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6, err_msg=call)
    assert mine_warnings == theirs_warnings, call
    assert version.current(mine_out) == 1, call  # one in-place write


@pytest.mark.parametrize("call", TUPLE_CALLS)
def test_out_tuple_matches_torch(call: str) -> None:
    theirs_pair = (torch.empty(0, dtype=torch.float64), torch.empty(0, dtype=torch.int64))
    mine_pair = (cr.empty(0, dtype=cr.float64), cr.empty(0, dtype=cr.int64))
    theirs, _ = _run(torch, call, dict(zip("vi", theirs_pair)))
    mine, _ = _run(cr, call, dict(zip("vi", mine_pair)))
    assert mine[0] is mine_pair[0] and mine[1] is mine_pair[1]
    assert mine.values is mine_pair[0] and mine.indices is mine_pair[1]
    for want, got in zip(theirs, mine):
        assert tuple(got.shape) == tuple(want.shape), call
        np.testing.assert_array_equal(got.numpy(), want.numpy(), err_msg=call)


REFUSED = [
    ("m.exp(a, out=y)", "int64", RuntimeError),       # Float can't be cast to Long
    ("m.add(a, 1, out=y)", "bool", RuntimeError),     # Double can't be cast to Bool
    ("m.add(a, 1, out=[1])", "float64", TypeError),   # out must be a Tensor
    ("m.max(a, 1, out=y)", "float64", TypeError),     # a pair needs a pair of tensors
]


@pytest.mark.parametrize(("call", "dtype", "error"), REFUSED)
def test_out_refuses_what_torch_refuses(call: str, dtype: str, error: type) -> None:
    with pytest.raises(error):
        _run(torch, call, {"y": torch.empty(3, 4, dtype=getattr(torch, dtype))})
    with pytest.raises(error) as mine:
        _run(cr, call, {"y": cr.empty(3, 4, dtype=getattr(cr, dtype))})
    assert "out" in str(mine.value) or "cast" in str(mine.value)


def test_out_cast_message_is_torch_s() -> None:
    with pytest.raises(RuntimeError) as theirs:
        torch.exp(torch.ones(2), out=torch.empty(2, dtype=torch.long))
    with pytest.raises(RuntimeError) as mine:
        cr.exp(cr.ones(2), out=cr.empty(2, dtype=cr.long))
    assert str(mine.value) == str(theirs.value).split("\n")[0]


@pytest.mark.parametrize("where", ["input", "out"])
def test_out_refuses_gradients(where: str) -> None:
    messages = []
    for module in (torch, cr):
        x = module.ones(2, 3, requires_grad=where == "input")
        y = module.empty(2, 3, requires_grad=where == "out")
        with pytest.raises(RuntimeError) as caught:
            module.add(x, 1, out=y)
        messages.append(str(caught.value))
        with module.no_grad():  # out= is fine when nothing is recorded
            assert module.add(x, 1, out=y) is y
    assert messages[1] == messages[0]


def test_out_without_gradient_output_is_allowed_with_a_grad_input() -> None:
    """argmax has no gradient: PyTorch writes it into out= even from a requires-grad input."""
    for module in (torch, cr):
        x = module.tensor([[1.0, 3.0], [4.0, 2.0]], requires_grad=True)
        y = module.empty(0, dtype=module.int64)
        assert module.argmax(x, 1, out=y) is y
        assert y.tolist() == [1, 0]


def test_out_write_bumps_the_version_so_saved_tensors_are_checked() -> None:
    results = []
    for module in (torch, cr):
        w = module.ones(3, requires_grad=True)
        y = module.full((3,), 2.0)
        loss = (w * y).sum()             # saves y for the gradient of w
        module.exp(module.zeros(3), out=y)
        with pytest.raises(RuntimeError) as caught:
            loss.backward()
        results.append(type(caught.value))
    assert results[0] is results[1]


def test_out_into_a_view_writes_through() -> None:
    base = cr.zeros(2, 3)
    cr.add(cr.ones(3), 1, out=base[1])
    assert base.tolist() == [[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]]


def test_out_argument_list_matches_torch_signatures() -> None:
    """Every name in OUT_ARGUMENT is a torch function with out= (a typo would pass silently)."""
    for name in OUT_ARGUMENT:
        assert callable(getattr(torch, name)), name
        assert "out" in cr.__dict__[name].__code__.co_varnames, name


FACTORY_CALLS = [
    ("m.zeros(2, 3, out=y)", "float64"), ("m.ones(4, out=y)", "int64"),
    ("m.full((2,), 7, out=y)", "int64"), ("m.arange(5, out=y)", "float32"),
    ("m.linspace(0, 1, 5, out=y)", "float64"), ("m.eye(3, out=y)", "float32"),
    ("m.rand(2, 2, out=y).shape", "float32"), ("m.randn(3, out=y).shape", "float64"),
    ("m.randint(0, 5, (4,), out=y).shape", "int64"), ("m.randperm(6, out=y).sort()[0]", "int64"),
]


@pytest.mark.parametrize(("call", "dtype"), FACTORY_CALLS)
def test_factory_out_matches_torch(call: str, dtype: str) -> None:
    """Factories write into out= too, in out's dtype (an introductory tutorial's
    `torch.rand(2, 2, out=c)`)."""
    theirs_out = torch.empty(0, dtype=getattr(torch, dtype))
    mine_out = cr.empty(0, dtype=getattr(cr, dtype))
    theirs, _ = _run(torch, call, {"y": theirs_out})
    mine, _ = _run(cr, call, {"y": mine_out})
    assert _dtype_name(mine_out) == _dtype_name(theirs_out) == dtype
    assert tuple(mine_out.shape) == tuple(theirs_out.shape)
    if "shape" in call:
        assert tuple(mine) == tuple(theirs)
    else:
        np.testing.assert_allclose(np.asarray(mine.tolist()), np.asarray(theirs.tolist()),
                                   rtol=1e-6)
