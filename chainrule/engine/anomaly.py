"""Anomaly detection: stop at the first gate that makes a NaN or an infinity.

Inside `detect_anomaly()`, every gate checks what it produces: a forward output that is not
finite although its inputs were, or a gradient that is not finite, raises an error naming the
gate (its label, e.g. `sqrt`), so the culprit is found where it acts rather than many steps
later when the loss turns into NaN. The checks cost a pass over every array, so they are off
by default.
"""

from __future__ import annotations

import math
from typing import Any

from .grad_mode import state

__all__ = ["detect_anomaly", "is_anomaly_enabled", "first_non_finite"]


def is_anomaly_enabled() -> bool:
    """True inside `detect_anomaly()`."""
    return state.anomaly_enabled


class detect_anomaly:  # noqa: N801 - PyTorch's name
    """Context manager: raise at the first NaN or inf a gate produces, forward or backward.

    >>> import chainrule as cr
    >>> x = cr.tensor([-1.0], requires_grad=True)
    >>> with cr.autograd.detect_anomaly():
    ...     y = x.sqrt()
    Traceback (most recent call last):
        ...
    RuntimeError: detect_anomaly: gate 'sqrt' produced nan in its forward pass ...
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self._previous = False

    def __enter__(self) -> None:
        self._previous = state.anomaly_enabled
        state.anomaly_enabled = self.check_nan

    def __exit__(self, *exc_info: object) -> None:
        state.anomaly_enabled = self._previous


def first_non_finite(array: Any) -> str | None:
    """'nan' or 'inf' if the array holds one (NaN is reported first), else None."""
    data = getattr(array, "_array", array)
    data = getattr(data, "values", data)  # SparseRows: the rows it holds
    kind = getattr(getattr(data, "dtype", None), "kind", "f")
    if kind not in "fc":
        return None
    if data.size == 0:
        return None
    if bool((data != data).any()):
        return "nan"
    if not bool(abs(data).max() < float("inf")):
        return "inf"
    return None


def check_forward(label: str, inputs: tuple[Any, ...], output: Any) -> None:
    """Raises if `output` has a NaN or inf that the gate's inputs did not already have."""
    problem = first_non_finite(output)
    if problem is None:
        return
    for value in inputs:
        if hasattr(value, "dtype") or hasattr(value, "_array"):
            if first_non_finite(value) is not None:
                return  # it came in that way; an earlier gate (or the data) is to blame
        elif isinstance(value, float) and not math.isfinite(value):
            return
    raise RuntimeError(
        f"detect_anomaly: gate '{label}' produced {problem} in its forward pass (output shape "
        f"{tuple(output.shape)}).")
