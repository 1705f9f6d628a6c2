"""A leaf's gradient has the leaf's dtype even when an operation promoted it (float32 with
float64 makes float64): PyTorch casts the gradient back, and so does chainrule, in `.grad`
and in `autograd.grad`'s results, with or without `create_graph`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

LEAF = np.array([[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]])
OTHER = np.array([[1.0, 2.0, -3.0], [0.5, -0.5, 4.0]])

FORMS: dict[str, Callable[[Any, Any, Any], Any]] = {
    "mul": lambda lib, x, y: (x * y).sum(),
    "add-broadcast": lambda lib, x, y: ((x + y[0]) ** 2).sum(),
    "div-tanh": lambda lib, x, y: (x / y).tanh().sum(),
    "where": lambda lib, x, y: lib.where(y > 0, x, y).sum(),
}


def _leaf(lib: Any, dtype: str) -> Any:
    return lib.tensor(LEAF, dtype=getattr(lib, dtype), requires_grad=True)


@pytest.mark.parametrize("dtype,other", [("float32", "float64"), ("float16", "float32")])
@pytest.mark.parametrize("form", sorted(FORMS))
def test_backward_gives_the_leaf_its_own_dtype(form: str, dtype: str, other: str) -> None:
    grads = []
    for lib in (cr, torch):
        x = _leaf(lib, dtype)
        y = lib.tensor(OTHER, dtype=getattr(lib, other))
        FORMS[form](lib, x, y).backward()
        FORMS[form](lib, x, y).backward()  # accumulated into the first
        assert str(x.grad.dtype).split(".")[-1] == dtype, (lib.__name__, form)
        grads.append(x.grad.detach().numpy().astype(np.float64))
    assert np.allclose(grads[0], grads[1], rtol=2e-3, atol=1e-3)


@pytest.mark.parametrize("create_graph", [False, True])
def test_autograd_grad_gives_the_input_dtype(create_graph: bool) -> None:
    for lib in (cr, torch):
        x = _leaf(lib, "float32")
        y = lib.tensor(OTHER, dtype=lib.float64, requires_grad=True)
        gx, gy = lib.autograd.grad(FORMS["div-tanh"](lib, x, y), (x, y), create_graph=create_graph)
        assert str(gx.dtype).endswith("float32") and str(gy.dtype).endswith("float64")
        if create_graph:  # the cast is part of the graph: a second derivative still flows
            (second,) = lib.autograd.grad(gx.sum(), y)
            assert str(second.dtype).endswith("float64")
