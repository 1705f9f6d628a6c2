"""`Tensor.register_hook` against PyTorch: the same programs run with torch and chainrule,
comparing the gradients each hook sees, what ends in `.grad`, and the errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

X = np.array([1.0, -2.0, 0.5])


def _np(value: Any) -> Any:
    return None if value is None else value.detach().numpy().copy()


def _chain(lib: Any, seen: list[Any], *, retain: bool) -> dict[str, Any]:
    """A leaf and a non-leaf with hooks that scale, observe and return None, and a leaf used
    twice, so the hook must see the summed gradient."""
    x = lib.tensor(X, requires_grad=True)
    x.register_hook(lambda g: seen.append(("x", _np(g))) or g * 10)
    y = x * 3
    if retain:
        y.retain_grad()
    y.register_hook(lambda g: seen.append(("y1", _np(g))) or g * 2)
    y.register_hook(lambda g: seen.append(("y2", _np(g))))
    z = (y * y).sum() + y.sum() + (x * x).sum()
    z.backward()
    return {"x": _np(x.grad), "y": _np(y.grad) if retain else None}


@pytest.mark.parametrize("retain", [False, True])
def test_hooks_replace_and_observe_as_torch(retain: bool) -> None:
    seen_t: list[Any] = []
    seen_c: list[Any] = []
    want = _chain(torch, seen_t, retain=retain)
    got = _chain(cr, seen_c, retain=retain)
    assert [name for name, _ in seen_c] == [name for name, _ in seen_t]
    for (_, a), (_, b) in zip(seen_c, seen_t):
        np.testing.assert_allclose(a, b)
    np.testing.assert_allclose(got["x"], want["x"])
    if retain:  # the retained gradient is the hooked one, as torch documents
        np.testing.assert_allclose(got["y"], want["y"])


def test_retain_grad_after_hook_sees_hooked_value() -> None:
    results = []
    for lib in (torch, cr):
        x = lib.tensor(X, requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g * 5)
        y.retain_grad()
        (y * y).sum().backward()
        results.append((_np(y.grad), _np(x.grad)))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want)


def _grad_run(lib: Any) -> list[Any]:
    x = lib.tensor(X, requires_grad=True)
    x.register_hook(lambda g: g * 10)
    y = x * 3
    y.register_hook(lambda g: g + 1)
    z = (y * y).sum()
    (gx,) = lib.autograd.grad(z, x, retain_graph=True)
    (gy,) = lib.autograd.grad(z, y, retain_graph=True)
    return [_np(gx), _np(gy), x.grad]


def test_autograd_grad_runs_hooks_as_torch() -> None:
    want, got = _grad_run(torch), _grad_run(cr)
    np.testing.assert_allclose(got[0], want[0])
    np.testing.assert_allclose(got[1], want[1])
    assert got[2] is None and want[2] is None


def test_hook_on_output_and_create_graph() -> None:
    results = []
    for lib in (torch, cr):
        x = lib.tensor(X, requires_grad=True)
        z = (x * x * x).sum()
        z.register_hook(lambda g: g * 3)
        x.register_hook(lambda g: g * 2)
        (gx,) = lib.autograd.grad(z, x, create_graph=True)
        (ggx,) = lib.autograd.grad(gx.sum(), x)
        results.append((_np(gx), _np(ggx)))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want)


def test_remove_and_handle() -> None:
    for lib in (torch, cr):
        x = lib.tensor(X, requires_grad=True)
        handle = x.register_hook(lambda g: g * 100)
        handle.remove()
        handle.remove()  # removing twice is harmless, as in torch
        (x * 2).sum().backward()
        np.testing.assert_allclose(_np(x.grad), [2.0, 2.0, 2.0])


def test_hooked_gradient_accumulates_into_existing_grad() -> None:
    results = []
    for lib in (torch, cr):
        x = lib.tensor(X, requires_grad=True)
        (x * 2).sum().backward()
        x.register_hook(lambda g: g * 3)
        (x * x).sum().backward()
        results.append(_np(x.grad))
    np.testing.assert_allclose(results[1], results[0])


def test_hooks_on_outputs_of_a_several_output_op() -> None:
    results = []
    for lib in (torch, cr):
        x = lib.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
        a, b = x.unbind(0) if lib is torch else cr.unbind(x, 0)
        a.register_hook(lambda g: g * 7)
        (a * b).sum().backward()
        results.append(_np(x.grad))
    np.testing.assert_allclose(results[1], results[0])


@pytest.mark.parametrize("case", ["no_grad", "size", "dtype"])
def test_errors_as_torch(case: str) -> None:
    kinds = []
    for lib in (torch, cr):
        try:
            if case == "no_grad":
                lib.tensor(X).register_hook(lambda g: g)
            else:
                x = lib.tensor(X, requires_grad=True)
                if case == "size":
                    x.register_hook(lambda g, lib=lib: lib.zeros(4, dtype=lib.float64))
                else:
                    x.register_hook(lambda g: g.float())
                (x * 2).sum().backward()
        except Exception as error:  # noqa: BLE001 - the types are compared below
            kinds.append((type(error), str(error)))
        else:
            kinds.append((None, ""))
    assert kinds[1][0] is kinds[0][0] is RuntimeError
    words = {"no_grad": "doesn't require gradient", "size": "changed the size",
             "dtype": "changed the type"}[case]
    assert words in kinds[0][1] and words in kinds[1][1]


def test_hook_registration_needs_a_callable() -> None:
    with pytest.raises(TypeError):
        cr.tensor(X, requires_grad=True).register_hook(3)


def test_module_full_backward_hook_still_works() -> None:
    results = []
    for lib in (torch, cr):
        layer = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            layer.weight.copy_(lib.tensor(np.arange(6.0).reshape(2, 3) / 7))
            layer.bias.copy_(lib.tensor([0.5, -0.25]))
        seen: list[Any] = []
        layer.register_full_backward_hook(
            lambda module, grad_in, grad_out, seen=seen: seen.append(_np(grad_in[0])))
        x = lib.tensor(np.ones((1, 3)), requires_grad=True)
        layer(x).pow(2).sum().backward()
        results.append((seen[0], _np(x.grad)))
    for got, want in zip(results[1], results[0]):
        np.testing.assert_allclose(got, want)


def test_no_hooks_left_after_tensor_dies() -> None:
    from chainrule.engine import tensor_hooks

    x = cr.tensor(X, requires_grad=True)
    x.register_hook(lambda g: g)
    assert tensor_hooks.leaf_hooks_exist()
    del x
    import gc

    gc.collect()
    assert not tensor_hooks.leaf_hooks_exist()


def test_post_accumulate_hook_sees_the_hooked_gradient() -> None:
    results = []
    for lib in (torch, cr):
        x = lib.tensor(X, requires_grad=True)
        seen: list[Any] = []
        x.register_hook(lambda g: g * 4)
        x.register_post_accumulate_grad_hook(lambda t, seen=seen: seen.append(_np(t.grad)))
        (x * x).sum().backward()
        results.append(seen)
    assert len(results[1]) == len(results[0]) == 1
    np.testing.assert_allclose(results[1][0], results[0][0])


def test_hook_may_modify_the_gradient_in_place_like_torch() -> None:
    results = []
    for lib in (torch, cr):
        x = lib.tensor(X, requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: g.mul_(3))
        (y * y).sum().backward()
        results.append(_np(x.grad))
    np.testing.assert_allclose(results[1], results[0])
