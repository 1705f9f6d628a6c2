"""`chainrule explain` on values that overflow or leave a function's domain (issue 16): the
trace and the picture show inf and NaN and say where they came from, with no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr

REPOSITORY = Path(cr.__file__).parent.parent


@pytest.mark.parametrize("expression, values, forward, origin", [
    ("x/y", ["x=1", "y=0"], "forward: f = inf", "f = inf is made by div from x = 1, y = 0 "
     "(division by zero)"),
    ("exp(x)", ["x=1000"], "forward: f = inf", "made by exp from x = 1000 (exp overflows"),
    ("log(x)", ["x=-1"], "forward: f = nan", "made by log from x = -1 (log is -inf at 0 and "
     "NaN below 0)"),
])
def test_inf_and_nan_are_explained_not_a_traceback(expression: str, values: list[str],
                                                   forward: str, origin: str,
                                                   tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "chainrule", "explain", expression, *values,
                           "--out", "graph.svg"], capture_output=True, text=True, timeout=120,
                          cwd=tmp_path, env={"PYTHONPATH": str(REPOSITORY),
                                             "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no traceback, and no NumPy RuntimeWarning either
    assert forward in done.stdout and "where inf and NaN come from:" in done.stdout
    assert origin in done.stdout
    assert (tmp_path / "graph.svg").read_text().lstrip().startswith("<?xml")


def test_a_nan_gradient_is_traced_to_its_edge() -> None:
    x, y = cr.tensor(0.0, requires_grad=True, dtype=cr.float64), \
        cr.tensor(0.0, requires_grad=True, dtype=cr.float64)
    with np.errstate(all="ignore"):  # log(0) = -inf on purpose
        output = x * cr.log(y)
    text = cr.viz.explain(output, names={"x": x, "y": y})
    assert "∂f/∂y = nan" in text
    assert "backward: ∂f/∂y gets nan from log (q) (its local gradient is inf)" in text
