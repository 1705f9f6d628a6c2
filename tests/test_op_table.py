"""The op table is the one source of Tensor's methods and the `cr.*` functions."""

from __future__ import annotations

import numpy as np

import chainrule as cr
from chainrule.ops import generate
from chainrule.ops.table import BINARY, FRONT, OPS, UNARY


def test_generated_files_match_the_table() -> None:
    stale = [path.name for path, text in generate.outputs().items()
             if path.read_text() != text]
    assert not stale, f"{stale} are out of date: run python -m chainrule.ops.generate"


def test_every_row_produces_its_method_and_function() -> None:
    for op in OPS:
        names = (op.name, *op.aliases)
        for name in names:
            if op.method:
                assert callable(getattr(cr.Tensor, name)), f"Tensor.{name} is missing"
            if op.function:
                assert callable(getattr(cr, name)), f"cr.{name} is missing"
        if op.inplace:
            assert callable(getattr(cr.Tensor, f"{op.name}_"))
        if op.kind == BINARY and op.operator:
            for form in ("__{}__", "__r{}__") + (("__i{}__",) if op.ufunc else ()):
                assert callable(getattr(cr.Tensor, form.format(op.operator)))


@np.errstate(invalid="ignore", divide="ignore")  # asin(1.5) is NaN, as in PyTorch
def test_a_unary_row_gives_method_function_and_in_place_forms_that_agree() -> None:
    for op in OPS:
        if op.kind != UNARY or not op.inplace:
            continue
        x = cr.tensor([0.5, 1.5, 2.0], dtype=cr.float64)
        expected = getattr(x, op.name)().numpy()
        same = np.array_equal  # outside a function's domain (asin 1.5) both give NaN
        assert same(getattr(cr, op.name)(x).numpy(), expected, equal_nan=True), op.name
        getattr(x, f"{op.name}_")()
        assert same(x.numpy(), expected, equal_nan=True), op.name


def test_fronts_are_documented() -> None:
    for op in OPS:
        if op.kind == FRONT:
            assert op.target.__doc__, f"front {op.target.__name__} has no docstring"
