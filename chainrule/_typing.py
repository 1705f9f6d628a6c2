"""The types the engine and the gate rules are written in.

A rule computes on arrays. Under `create_graph=True` the same rule runs on tensors, which
stand in for arrays: they have the operators and the few methods the rules use (the rest
goes through `ops._dual`), so `Array` is the honest type of what a rule is written for.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np

__all__ = ["Array", "Grad", "Shape", "Axes"]

#: A NumPy (or CuPy) array.
Array: TypeAlias = "np.ndarray[Any, np.dtype[Any]]"
#: One input's gradient from a backward rule: None where no gradient flows.
Grad: TypeAlias = "Array | None"
#: An array's shape.
Shape: TypeAlias = tuple[int, ...]
#: Normalised reduction axes: None for all of them.
Axes: TypeAlias = "tuple[int, ...] | None"
