"""The last gaps of PyTorch's everyday tensor API (issue #12) against PyTorch itself: the
var/std overloads and the implicit softmax dim. Each call runs with `torch` and with
`chainrule` and the two agree on values, shapes, dtypes, warnings and error types."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as crnn
import chainrule.nn.functional as crF
from chainrule.autograd import gradcheck

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

X = (np.arange(12.0).reshape(3, 4) ** 2) * 0.25 - 3.0

VARIANCE_CALLS = [
    "x.{op}()", "x.{op}(True)", "x.{op}(False)", "x.{op}(0)", "x.{op}(0, True)",
    "x.{op}(0, False)", "x.{op}(1, False, True)", "x.{op}(0, True, keepdim=True)",
    "x.{op}(0, keepdim=True)", "x.{op}(0, correction=0)", "x.{op}(0, unbiased=False)",
    "x.{op}(unbiased=False)", "x.{op}(dim=0, unbiased=False, keepdim=True)",
    "x.{op}((0, 1), False)", "x.{op}([0], False)", "x.{op}(None, False)",
    "x.{op}(0, keepdim=True, correction=2)", "x.{op}(0, correction=True)",
    "x.{op}(0, correction=1.5)", "x.{op}(keepdim=True)", "x.{op}(None, keepdim=True)",
    "x.{op}(0, True, keepdims=True)", "x.{op}(0, correction=None)",
    "m.{op}(x, 1, False)", "m.{op}(x, True)", "m.{op}(x, False)", "m.{op}(x, 1, True, True)",
    "m.{op}(x, dim=1, unbiased=False)", "m.{op}(x, -1, correction=0, keepdim=True)",
    "m.{op}_mean(x, 0, False)", "m.{op}_mean(x, True)", "m.{op}_mean(x, False)",
    "m.{op}_mean(x, 1, True, True)", "m.{op}_mean(x, 1, correction=0)",
    "m.{op}_mean(x, unbiased=False)", "m.{op}_mean(x, dim=(0, 1), keepdim=True)",
]
REFUSED_VARIANCE_CALLS = [
    "x.{op}(0, True, correction=0)", "x.{op}(0, unbiased=True, correction=0)",
    "x.{op}(unbiased=False, correction=0)", "x.{op}(0, 1)", "x.{op}(0, 0)",
    "x.{op}(0, True, True, True)", "x.{op}(True, True)", "x.{op}(True, dim=0)",
    "x.{op}(1.0)", "x.{op}(0, 'a')", "x.{op}(dim=0, unbiased=0)", "x.{op}(0, None, None)",
    "m.{op}_mean(x, 0, 1)", "m.{op}_mean(x, True, True)",
]


def _run(module: Any, text: str, array: Any = X) -> Any:
    x = module.tensor(array)
    return eval(text, {"x": x, "m": module})  # noqa: S307 (the test's own call strings)


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("call", VARIANCE_CALLS)
def test_variance_overloads_match_torch(op: str, call: str) -> None:
    text = call.format(op=op)
    theirs, mine = _run(torch, text), _run(cr, text)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    mine = mine if isinstance(mine, tuple) else (mine,)
    assert len(mine) == len(theirs), text
    for want, got in zip(theirs, mine):
        assert tuple(got.shape) == tuple(want.shape), text
        assert str(got.dtype).split(".")[-1] == str(want.dtype).split(".")[-1], text
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12, err_msg=text)


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("call", REFUSED_VARIANCE_CALLS)
def test_variance_refuses_what_torch_refuses(op: str, call: str) -> None:
    text = call.format(op=op)
    with pytest.raises(Exception) as theirs:
        _run(torch, text)
    with pytest.raises(Exception) as mine:
        _run(cr, text)
    assert type(mine.value) is type(theirs.value), (text, mine.value)
    assert op in str(mine.value)


def test_positional_unbiased_is_not_keepdim() -> None:
    """The silent wrong result this fixes: `x.var(0, True)` read True as keepdim."""
    x = cr.tensor(X)
    assert x.var(0, True).shape == (4,)
    assert np.allclose(x.var(0, False).numpy(), X.var(0))
    assert x.std(0, False, True).shape == (1, 4)


def test_variance_overloads_gradients() -> None:
    x = cr.tensor(X[:2, :3] + np.array([[0.1, 0.7, 0.2], [1.3, -0.4, 0.9]]),
                  requires_grad=True)
    assert gradcheck(lambda t: t.var(1, False), x)
    assert gradcheck(lambda t: t.std(False), x)
    assert gradcheck(lambda t: sum(cr.std_mean(t, 0, True, True)), x)


# ------------------------------------------------------------------ implicit softmax dim

SOFTMAX_SHAPES = [(), (5,), (2, 3), (2, 3, 4), (2, 3, 2, 2)]


@pytest.mark.parametrize("shape", SOFTMAX_SHAPES)
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_functional_softmax_without_dim_uses_torch_legacy_dim(shape: tuple, name: str) -> None:
    array = np.random.default_rng(len(shape)).standard_normal(shape)
    with pytest.warns(UserWarning) as theirs_warnings:
        theirs = getattr(torch.nn.functional, name)(torch.tensor(array))
    with pytest.warns(UserWarning) as mine_warnings:
        mine = getattr(crF, name)(cr.tensor(array))
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14)
    assert str(mine_warnings[0].message) == str(theirs_warnings[0].message)


@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax", "Softmin"])
def test_modules_without_dim_use_torch_legacy_dim(name: str) -> None:
    array = np.random.default_rng(3).standard_normal((2, 3, 4))
    with pytest.warns(UserWarning) as theirs_warnings:
        theirs = getattr(torch.nn, name)()(torch.tensor(array))
    with pytest.warns(UserWarning) as mine_warnings:
        mine = getattr(crnn, name)()(cr.tensor(array))
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14)
    assert str(mine_warnings[0].message) == str(theirs_warnings[0].message)
    assert repr(getattr(crnn, name)()) == repr(getattr(torch.nn, name)())


def test_softmax_with_dim_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        crF.log_softmax(cr.tensor(X), dim=1)
        crF.softmax(cr.tensor(X), 0)
        crnn.Softmax(dim=1)(cr.tensor(X))


@pytest.mark.parametrize("call", ["x.softmax()", "x.log_softmax()", "m.softmax(x)"])
def test_tensor_softmax_needs_dim_as_in_torch(call: str) -> None:
    with pytest.raises(TypeError):
        _run(torch, call)
    with pytest.raises(TypeError):
        _run(cr, call)


def test_implicit_softmax_dim_gradient() -> None:
    x = cr.tensor(np.random.default_rng(5).standard_normal((2, 3)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(lambda t: crF.log_softmax(t), x)


# ------------------------------------------------------------------ floor division

FLOOR_DIVIDE_CALLS = [
    "m.tensor([5, -7, 9]) // 2", "m.tensor([5, -7, 9]) // 2.5", "7 // m.tensor([2, 3, -4])",
    "m.tensor([5.5, -7.0, 9.0]) // m.tensor([2, 3, -4])", "m.floor_divide(m.tensor([5, -7]), 3)",
    "m.floor_divide(m.tensor([[5.0], [-7.0]]), m.tensor([2.0, -3.0]))",
    "m.tensor([5, -7], dtype=m.int32) // m.tensor([2, 3], dtype=m.int64)",
    "m.tensor([1.0, -1.0]) // 0", "m.tensor([True, False]) // m.tensor([1, 2])",
]


@pytest.mark.parametrize("call", FLOOR_DIVIDE_CALLS)
def test_floor_divide_matches_torch(call: str) -> None:
    theirs, mine = _run(torch, call), _run(cr, call)
    assert tuple(mine.shape) == tuple(theirs.shape), call
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], call
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy(), err_msg=call)


def test_floor_divide_in_place_and_out() -> None:
    for module in (torch, cr):
        x = module.tensor([7, -9])
        x //= 2
        assert x.tolist() == [3, -5]
        y = module.empty(0)
        assert module.floor_divide(module.tensor([7.0, -9.0]), 2, out=y) is y
        assert y.tolist() == [3.0, -5.0]
        with pytest.raises(RuntimeError):
            x.floor_divide_(1.5)  # a float result cannot be stored in an int64 tensor


def test_integer_floor_division_by_zero_raises_as_torch() -> None:
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        torch.tensor([1]) // 0
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        cr.tensor([1]) // 0


def test_floor_divide_gradient_is_zero() -> None:
    x = cr.tensor([5.5, -7.2], requires_grad=True)
    (x // 2).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


# ------------------------------------------------------------------ dropout2d on 2-D input

@pytest.mark.parametrize("shape", [(6, 40), (5, 8, 2, 2, 2)])
def test_dropout2d_on_other_ranks_is_torch_s_feature_dropout(shape: tuple[int, ...]) -> None:
    """PyTorch warns and drops each (N, C) entry: elementwise for a 2-D input (a recipe calls
    nn.Dropout2d on the output of a Linear layer)."""
    messages = []
    for module in (torch, cr):
        module.manual_seed(0)  # 40 draws: all equal with probability 2**-39
        with pytest.warns(UserWarning) as caught:
            out = module.nn.functional.dropout2d(module.ones(shape), 0.5).numpy()
        messages.append(str(caught[0].message))
        per_channel = out.reshape(shape[0], shape[1], -1)
        assert set(np.unique(out)) <= {0.0, 2.0}
        assert (per_channel == per_channel[..., :1]).all()  # one draw per (N, C) entry
        assert 0 < (out == 0).mean() < 1
    assert messages[0] == messages[1]
    with pytest.raises(RuntimeError):
        cr.nn.functional.dropout2d(cr.ones(5), 0.5)


# ------------------------------------------------------------------ cross products

CROSS_CALLS = [
    "m.cross(a, b, dim=1)", "a.cross(b, 1)", "m.linalg.cross(a, b)", "m.cross(a.t(), b.t(), 0)",
    "m.linalg.cross(a, b[:1])", "m.linalg.cross(a[None], b[:, None], dim=-1)",
]


@pytest.mark.parametrize("call", CROSS_CALLS)
def test_cross_matches_torch(call: str) -> None:
    rng = np.random.default_rng(9)
    arrays = {"a": rng.standard_normal((4, 3)), "b": rng.standard_normal((4, 3))}
    results = []
    for module in (torch, cr):
        scope = {"m": module, **{k: module.tensor(v, requires_grad=True)
                                 for k, v in arrays.items()}}
        out = eval(call, scope)  # noqa: S307 (the test's own call strings)
        out.backward(module.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape))))
        results.append((out.detach().numpy(), scope["a"].grad.numpy(), scope["b"].grad.numpy()))
    for want, got in zip(results[0], results[1]):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=call)


def test_cross_without_dim_warns_and_picks_the_first_dim_of_size_3(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import chainrule.ops.cross as cross_module

    # Both warn once per process (TORCH_WARN_ONCE): torch may have warned in an earlier test.
    monkeypatch.setattr(cross_module, "_WARNED", [False])
    array = np.random.default_rng(2).standard_normal((3, 3, 2))
    with warnings.catch_warnings(record=True) as theirs_warning:
        warnings.simplefilter("always")
        theirs = torch.cross(torch.tensor(array), torch.tensor(array[::-1].copy()))
    with pytest.warns(UserWarning) as mine_warning:
        mine = cr.cross(cr.tensor(array), cr.tensor(array[::-1].copy()))
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-14)
    if theirs_warning:
        assert str(theirs_warning[0].message).startswith(str(mine_warning[0].message))


@pytest.mark.parametrize("call", ["m.cross(m.ones(2, 4), m.ones(2, 4), 1)",
                                  "m.linalg.cross(m.ones(2, 3), m.ones(3))",
                                  "m.cross(m.ones(2, 3), m.ones(3, 3), 1)"])
def test_cross_refuses_what_torch_refuses(call: str) -> None:
    with pytest.raises(RuntimeError):
        _run(torch, call)
    with pytest.raises(RuntimeError):
        _run(cr, call)


def test_cross_gradcheck() -> None:
    rng = np.random.default_rng(4)
    a = cr.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = cr.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    assert gradcheck(lambda x, y: cr.linalg.cross(x, y), (a, b))


# ------------------------------------------------------------------ torch.functional

@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)])
def test_atleast_matches_torch(name: str, shape: tuple[int, ...]) -> None:
    array = np.arange(float(np.prod(shape))).reshape(shape)
    theirs = getattr(torch, name)(torch.tensor(array))
    mine = getattr(cr, name)(cr.tensor(array, requires_grad=True))
    assert tuple(mine.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(mine.detach().numpy(), theirs.numpy())
    pair = getattr(cr, name)([cr.tensor(array), cr.tensor(array)])
    assert isinstance(pair, tuple) and len(pair) == 2


def test_broadcast_helpers_match_torch() -> None:
    shapes = [(2, 1), (3,), (1, 1, 3)]
    assert tuple(cr.broadcast_shapes(*shapes)) == tuple(torch.broadcast_shapes(*shapes))
    with pytest.raises(RuntimeError):
        torch.broadcast_shapes((2,), (3,))
    with pytest.raises(RuntimeError):
        cr.broadcast_shapes((2,), (3,))
    x = cr.tensor(np.ones((2, 1)), requires_grad=True)
    a, b = cr.broadcast_tensors(x, cr.ones(3, dtype=cr.float64))
    assert a.shape == b.shape == (2, 3)
    a.sum().backward()
    assert x.grad.tolist() == [[3.0], [3.0]]


def test_torch_functional_module_names() -> None:
    import torch.functional as torchfunctional

    import chainrule.functional as crfunctional

    for name in crfunctional.__all__:
        assert name in torchfunctional.__all__, name
    assert crfunctional.einsum("ij->j", cr.ones(2, 3)).tolist() == [2.0, 2.0, 2.0]


# ------------------------------------------------------------------ singular values

def _svd_loss(module: Any, factors: Any, weights: list[np.ndarray]) -> Any:
    """Invariant to the sign of each singular pair, so torch and chainrule must agree."""
    u, s, v = factors
    w1, w2, w3 = (module.tensor(w) for w in weights)
    return ((u @ u.transpose(-2, -1)) * w1).sum() + (s * w2).sum() + ((v * v) * w3).sum()


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (3, 3), (2, 4, 3)])
def test_svd_matches_torch(shape: tuple[int, ...]) -> None:
    rng = np.random.default_rng(sum(shape))
    array = rng.standard_normal(shape)
    results = []
    for module in (torch, cr):
        a = module.tensor(array, requires_grad=True)
        factors = module.svd(a)
        m, n = shape[-2:]
        k = min(m, n)
        weights = [np.cos(np.arange(m * m)).reshape(m, m), np.sin(np.arange(k)) + 2,
                   np.cos(np.arange(n * k) + 1).reshape(n, k)]
        _svd_loss(module, factors, weights).backward()
        u, s, v = (t.detach().numpy() for t in factors)
        assert type(factors).__name__ == "svd" and factors.S is factors[1]
        results.append((s, (u * s[..., None, :]) @ np.swapaxes(v, -1, -2), np.abs(u),
                        a.grad.numpy()))
    for want, got in zip(results[0], results[1]):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(results[1][1], array, atol=1e-12)


def test_linalg_svd_shapes_and_names_match_torch() -> None:
    array = np.random.default_rng(3).standard_normal((4, 2))
    for full in (True, False):
        theirs = torch.linalg.svd(torch.tensor(array), full_matrices=full)
        mine = cr.linalg.svd(cr.tensor(array), full_matrices=full)
        assert type(mine).__name__ == type(theirs).__name__ == "linalg_svd"
        for want, got in zip(theirs, mine):
            assert tuple(got.shape) == tuple(want.shape)
        np.testing.assert_allclose(mine.S.numpy(), theirs.S.numpy(), rtol=1e-12)
        orthogonal = mine.U.numpy().T @ mine.U.numpy()
        np.testing.assert_allclose(orthogonal, np.eye(orthogonal.shape[0]), atol=1e-12)
    with pytest.raises(RuntimeError):
        cr.svd(cr.ones(3))


def test_svd_gradcheck() -> None:
    a = cr.tensor(np.random.default_rng(8).standard_normal((3, 2)), requires_grad=True)
    weights = [np.ones((3, 3)), np.array([1.0, 2.0]), np.ones((2, 2))]
    assert gradcheck(lambda t: _svd_loss(cr, cr.svd(t), weights), a)


# ------------------------------------------------------------------ in-place functions

def test_inplace_functions_match_torch() -> None:
    from chainrule.ops.table import INPLACE_FUNCTIONS

    for name in sorted(INPLACE_FUNCTIONS):
        array = np.array([0.3, 0.6, 0.9]) + (1.0 if name == "acosh_" else 0.0)
        theirs_input, mine_input = torch.tensor(array), cr.tensor(array)
        theirs, mine = getattr(torch, name)(theirs_input), getattr(cr, name)(mine_input)
        assert theirs is theirs_input and mine is mine_input, name
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12, err_msg=name)
    with pytest.raises(RuntimeError):
        cr.sqrt_(cr.tensor([1, 4]))  # PyTorch: Float can't be cast to Long


# ------------------------------------------------------------------ in-place shape changes

@pytest.mark.parametrize("call", ["x.unsqueeze_(0)", "x.unsqueeze_(-1)", "x.squeeze_()",
                                  "x.squeeze_(0)", "x.t_()", "x.transpose_(0, 1)",
                                  "m.detach(x)"])
def test_inplace_shape_changes_match_torch(call: str) -> None:
    array = np.arange(6.0).reshape(1, 6) if "squeeze" in call else np.arange(6.0).reshape(2, 3)
    outcomes = []
    for module in (torch, cr):
        x = module.tensor(array)
        result = eval(call, {"x": x, "m": module})  # noqa: S307 (the test's own calls)
        assert (result is x) == ("detach" not in call)
        outcomes.append((tuple(x.shape), tuple(result.shape), result.numpy().copy()))
    assert outcomes[0][:2] == outcomes[1][:2]
    np.testing.assert_array_equal(outcomes[1][2], outcomes[0][2])


def test_inplace_shape_change_bumps_the_version_and_refuses_a_leaf_that_requires_grad() -> None:
    x = cr.ones(2, 3)
    x.unsqueeze_(0)
    assert x._version is not None and x._version[0] == 1
    for module in (torch, cr):
        with pytest.raises(RuntimeError):
            module.ones(2, requires_grad=True).unsqueeze_(0)


# ------------------------------------------------------------------ autograd.profiler

def test_profiler_counts_each_operation_and_prints_torch_s_table() -> None:
    x = cr.ones(2, 3, requires_grad=True)
    y = cr.full((2, 3), 2.0, requires_grad=True)
    with cr.autograd.profiler.profile(use_cuda=False) as prof:
        for _ in range(4):
            z = (x / y) * y
        with cr.autograd.profiler.record_function("backward"):
            z.sum().backward()
    averages = {row.key: row for row in prof.key_averages()}
    assert averages["aten::div"].count == 4 and averages["aten::mul"].count == 4
    assert averages["backward"].count == 1
    for row in averages.values():
        assert 0 <= row.self_cpu_time_total <= row.cpu_time_total
    table = prof.key_averages().table(sort_by="self_cpu_time_total")
    with torch.autograd.profiler.profile() as theirs:
        torch.ones(2) * 2
    header = theirs.key_averages().table(sort_by="self_cpu_time_total").splitlines()[1]
    assert table.splitlines()[1].split() == header.split()
    assert table.splitlines()[-1].startswith("Self CPU time total:")
    with cr.autograd.profiler.profile() as idle:
        pass
    assert len(idle.function_events) == 0
    (x * 2).sum()  # nothing is recorded once the block has closed
    assert sum(row.count for row in prof.key_averages()) == sum(
        row.count for row in averages.values())
    with pytest.raises(AttributeError):  # as torch: FunctionEventAvg has no such attribute
        prof.key_averages().table(sort_by="no such column")


ROUNDING_CALLS = [
    "a.div(2, rounding_mode='floor')", "a.div(2, rounding_mode='trunc')",
    "b.div(2, rounding_mode='trunc')", "b.div(2, rounding_mode=None)",
    "a.div(2.5, rounding_mode='floor')", "m.div(a, -2, rounding_mode='trunc')",
    "m.divide(b, 2, rounding_mode='floor')",
    "m.div(b, m.tensor([2.0, -0.5, 3.0, 0.5]), rounding_mode='trunc')",
    "m.div(-b, 0.0, rounding_mode='trunc')", "b.divide(-3, rounding_mode='trunc')",
]


@pytest.mark.parametrize("call", ROUNDING_CALLS)
def test_div_rounding_mode_matches_torch(call: str) -> None:
    results = []
    for module in (torch, cr):
        scope = {"m": module, "a": module.tensor([5, -7, 9, -8]),
                 "b": module.tensor([5.0, -7.5, 0.25, -8.0])}
        results.append(eval(call, scope))  # noqa: S307 (the test's own call strings)
    theirs, mine = results
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], call
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy(), err_msg=call)


def test_div_rounding_mode_errors_match_torch() -> None:
    for module in (torch, cr):
        with pytest.raises(RuntimeError, match="rounding_mode"):
            module.tensor([1.0]).div(2, rounding_mode="round")
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            module.tensor([1]).div(0, rounding_mode="trunc")


@pytest.mark.parametrize("call", ["x.softmax(1, dtype=m.float64)", "m.softmax(x, 0, m.float64)",
                                  "x.log_softmax(dim=1, dtype=m.float64)",
                                  "m.nn.functional.log_softmax(x, 1, dtype=m.float64)"])
def test_softmax_dtype_matches_torch(call: str) -> None:
    array = np.random.default_rng(6).standard_normal((2, 3)).astype(np.float32)
    theirs, mine = _run(torch, call, array), _run(cr, call, array)
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1] == "float64"
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("call", ["x.div_(2, rounding_mode='trunc')",
                                  "x.div_(m.tensor([2.0, -3.0]), rounding_mode='floor')",
                                  "i.div_(2, rounding_mode='floor')", "i.div_(2)",
                                  "i.__itruediv__(2)"])
def test_in_place_division_matches_torch(call: str) -> None:
    outcomes = []
    for module in (torch, cr):
        scope = {"m": module, "x": module.tensor([5.0, -7.0]), "i": module.tensor([5, -7])}
        try:
            result = eval(call, scope)  # noqa: S307 (the test's own call strings)
            outcomes.append(("ok", result.tolist(), str(result.dtype).split(".")[-1]))
        except RuntimeError as error:
            outcomes.append(("RuntimeError", str(error).split(": ")[-1], ""))
    assert outcomes[1] == outcomes[0], call
