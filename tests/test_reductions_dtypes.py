"""The reductions family keeps PyTorch's dtypes: every op on float32, int64, int32, uint8
and bool inputs against PyTorch (values, result dtypes, or the same error type)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

from .test_reductions_torch import compare

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

BASE = np.array([[3, 0, 2, 5], [1, 4, 4, 0], [2, 2, 6, 1]])
DTYPES = [np.float32, np.int64, np.int32, np.uint8, np.bool_]

OPS: dict[str, Callable[[Any, Any], Any]] = {
    "cumsum": lambda m, x: m.cumsum(x, 1), "cumprod": lambda m, x: x.cumprod(0),
    "cummax": lambda m, x: m.cummax(x, 1), "cummin": lambda m, x: x.cummin(0),
    "amax": lambda m, x: m.amax(x, 1), "amin": lambda m, x: x.amin(),
    "aminmax": lambda m, x: m.aminmax(x, dim=0), "sort": lambda m, x: m.sort(x, 1, True),
    "argsort": lambda m, x: m.argsort(x, dim=0, stable=True), "msort": lambda m, x: m.msort(x),
    "topk": lambda m, x: m.topk(x, 1), "kthvalue": lambda m, x: m.kthvalue(x, 2, 0),
    "median": lambda m, x: m.median(x), "median-dim": lambda m, x: m.median(x, 1),
    "nanmedian": lambda m, x: m.nanmedian(x, 0), "nansum": lambda m, x: m.nansum(x, 1),
    "nanmean": lambda m, x: m.nanmean(x), "norm": lambda m, x: m.norm(x, 1),
    "vector_norm": lambda m, x: m.linalg.vector_norm(x, math.inf),
    "matrix_norm": lambda m, x: m.linalg.matrix_norm(x),
    "count_nonzero": lambda m, x: m.count_nonzero(x, 0), "any": lambda m, x: m.any(x, 1),
    "all": lambda m, x: x.all(), "unique": lambda m, x: m.unique(x, return_counts=True),
    "histc": lambda m, x: m.histc(x, 4), "histogram": lambda m, x: m.histogram(x, 3),
    "var_mean": lambda m, x: m.var_mean(x, 1), "max": lambda m, x: m.max(x, 1),
    "argmax": lambda m, x: x.argmax(1, keepdims=True),
    "logcumsumexp": lambda m, x: m.logcumsumexp(x, 1), "cdist": lambda m, x: m.cdist(x, x),
    "searchsorted": lambda m, x: m.searchsorted(x.sort(1).values, x),
    "bucketize": lambda m, x: m.bucketize(x, x[0].sort().values),
    "quantile": lambda m, x: m.quantile(x, 0.5, 1), "mode": lambda m, x: m.mode(x, 0),
}


def _outcome(fn: Callable[[Any, Any], Any], module: Any, array: np.ndarray) -> Any:
    try:
        return fn(module, module.tensor(array))
    except Exception as error:  # noqa: BLE001 - the type is what is compared
        return error


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", sorted(OPS))
def test_result_dtypes_match_pytorch(name: str, dtype: Any) -> None:
    array = BASE.astype(dtype)
    theirs = _outcome(OPS[name], torch, array)
    if isinstance(theirs, Exception):
        mine = _outcome(OPS[name], cr, array)
        assert isinstance(mine, Exception), f"{name}: PyTorch raised {theirs!r}, we did not"
        assert isinstance(mine, type(theirs)) or isinstance(theirs, type(mine)), \
            f"{name}: {type(mine).__name__} where PyTorch raises {type(theirs).__name__}"
        return
    compare(OPS[name], array, grad=False, rtol=1e-6, atol=1e-6)
