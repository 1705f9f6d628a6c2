"""The bad-input suite's machinery: run one case against chainrule and PyTorch, and classify.

A case is a call that a careless or unlucky user might make (a wrong type, a shape that does
not fit, an empty tensor, NaN, a damaged checkpoint, …), written once as a function of the
library module, so that the same lambda runs as `call(cr)` and `call(torch)`. Each case ends
in one of three classes, or fails the suite:

- **clear error**: chainrule raises (and PyTorch too, where it has the call), the message
  names the operation, and the traceback's last frame is not inside NumPy;
- **same as PyTorch**: both return, with equal values, shapes and dtypes, and both warn or
  neither does;
- **deliberate leniency**: chainrule returns where PyTorch raises, and the table says why;
- **deliberately stricter**: chainrule raises a clear error where PyTorch returns, and the
  table says why.

Anything else (chainrule returns where PyTorch raises, a value or dtype that differs, an error
that does not name the operation or escapes from NumPy) is a failure. Without PyTorch the
chainrule side still runs and is checked against what the case expects (`raises`).

`python -m tests.bad_inputs_report` prints the counts by class and the leniencies.
"""

from __future__ import annotations

import importlib
import math
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

CLEAR_ERROR = "clear error"
SAME_AS_TORCH = "same as PyTorch"
LENIENCY = "deliberate leniency"
STRICTER = "deliberately stricter"


@dataclass(frozen=True)
class Case:
    """One bad call. `op` is the name chainrule's message must contain; `raises` is what
    chainrule must do (raise, or return a value equal to PyTorch's); `torch=False` marks calls
    PyTorch has no counterpart for (checkpoint files in chainrule's format); `error`, when
    set, is the exception class chainrule must raise (a subclass counts); `compare` is
    "value" or "shape" (random draws: only the shape and dtype must agree)."""

    name: str
    category: str
    call: Callable[[Any], Any]
    op: str = ""
    raises: bool = True
    torch: bool = True
    error: type[BaseException] | None = None
    compare: str = "value"


@dataclass
class Outcome:
    """What one library did: the value it returned, or the error it raised, and whether it
    warned."""

    value: Any = None
    error: BaseException | None = None
    warned: bool = False

    @property
    def raised(self) -> bool:
        return self.error is not None


def run(call: Callable[[Any], Any], module: Any) -> Outcome:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = call(module)
        except Exception as error:  # noqa: BLE001 - every error is an outcome to classify
            return Outcome(error=error, warned=bool(caught))
    # NumPy's floating-point RuntimeWarnings (divide by zero, overflow) have no counterpart
    # in PyTorch and are no sign of a wrong result; deprecations are about the library.
    relevant = [w for w in caught
                if not issubclass(w.category, (DeprecationWarning, RuntimeWarning))]
    return Outcome(value=value, warned=bool(relevant))


def last_frame_file(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    return frames[-1].filename if frames else ""


def _plain(value: Any) -> Any:
    """A value both libraries can be compared on: arrays (with their dtype's short name),
    numbers, None, and sequences of those; anything else by its type's name."""
    if hasattr(value, "detach") and hasattr(value, "dtype") and hasattr(value, "shape"):
        array = np.asarray(value.detach().cpu().numpy() if hasattr(value, "cpu") else
                           value.detach().numpy())
        return ("tensor", str(value.dtype).rsplit(".", 1)[-1], array)
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return ("object", type(value).__name__)


def _same(a: Any, b: Any, shape_only: bool) -> str:
    """'' when equal, else what differs."""
    if isinstance(a, tuple) and a and a[0] == "tensor":
        if not (isinstance(b, tuple) and b and b[0] == "tensor"):
            return f"chainrule gave a tensor, PyTorch {b!r}"
        if a[1] != b[1]:
            return f"dtype {a[1]} != PyTorch's {b[1]}"
        if a[2].shape != b[2].shape:
            return f"shape {a[2].shape} != PyTorch's {b[2].shape}"
        if shape_only or np.allclose(a[2], b[2], rtol=1e-5, atol=1e-6, equal_nan=True):
            return ""
        return f"values {a[2]!r} != PyTorch's {b[2]!r}"
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{len(a)} results != PyTorch's {len(b)}"
        for x, y in zip(a, b):
            if difference := _same(x, y, shape_only):
                return difference
        return ""
    if isinstance(a, float) and isinstance(b, float) and (
            math.isclose(a, b, rel_tol=1e-5) or (math.isnan(a) and math.isnan(b))):
        return ""
    return "" if a == b else f"{a!r} != PyTorch's {b!r}"


def _error_problem(case: Case, error: BaseException) -> str:
    """'' for a clear chainrule error, else what is unclear about it."""
    if case.error is not None and not isinstance(error, case.error):
        return f"raised {type(error).__name__}, expected {case.error.__name__}: {error}"
    where = last_frame_file(error).replace("\\", "/")
    if "/numpy/" in where:
        return f"the error escapes from NumPy ({where}): {type(error).__name__}: {error}"
    if case.op and case.op.lower() not in str(error).lower():
        return f"the message does not name '{case.op}': {type(error).__name__}: {error}"
    return ""


def classify(case: Case, mine: Outcome, theirs: Outcome | None,
             leniencies: dict[str, str], stricter: dict[str, str]) -> tuple[str, str]:
    """(class, problem): problem is '' when the case passes. `theirs` is None when PyTorch
    is absent or has no counterpart."""
    if mine.raised:
        assert mine.error is not None
        problem = _error_problem(case, mine.error)
        if not case.raises:
            problem = f"expected a value, raised {type(mine.error).__name__}: {mine.error}"
        if case.name in stricter:
            if theirs is not None and theirs.raised:
                problem = problem or "listed as stricter, but PyTorch raises too"
            return STRICTER, problem
        if theirs is not None and not theirs.raised:
            problem = problem or "chainrule raises where PyTorch returns a value: " \
                f"{type(mine.error).__name__}: {mine.error}"
        return CLEAR_ERROR, problem
    if case.name in leniencies:
        if theirs is not None and not theirs.raised:
            return LENIENCY, "listed as a leniency, but PyTorch returns a value too"
        return LENIENCY, ""
    if case.raises:
        return SAME_AS_TORCH, f"returned {mine.value!r:.80} silently; expected an error"
    if theirs is None:
        return SAME_AS_TORCH, ""
    if theirs.raised:
        return SAME_AS_TORCH, ("PyTorch raises but chainrule silently returns "
                               f"{mine.value!r:.80}: {type(theirs.error).__name__}: "
                               f"{theirs.error}")
    if mine.warned != theirs.warned:
        return SAME_AS_TORCH, f"chainrule {'warns' if mine.warned else 'does not warn'}, " \
            f"PyTorch {'does' if theirs.warned else 'does not'}"
    return SAME_AS_TORCH, _same(_plain(mine.value), _plain(theirs.value),
                                case.compare == "shape")


def torch_or_none() -> Any:
    try:
        return importlib.import_module("torch")
    except ImportError:
        return None


def evaluate(case: Case, cr: Any, torch: Any, leniencies: dict[str, str],
             stricter: dict[str, str]) -> tuple[str, str, Outcome, Outcome | None]:
    mine = run(case.call, cr)
    theirs = run(case.call, torch) if torch is not None and case.torch else None
    kind, problem = classify(case, mine, theirs, leniencies, stricter)
    return kind, problem, mine, theirs


def counts(cases: Sequence[Case], leniencies: dict[str, str], stricter: dict[str, str]
           ) -> Counter[str]:
    """The number of cases in each class (failures counted under 'failing')."""
    import chainrule as cr

    torch = torch_or_none()
    tally: Counter[str] = Counter()
    for case in cases:
        kind, problem, _, _ = evaluate(case, cr, torch, leniencies, stricter)
        tally["failing" if problem else kind] += 1
    return tally


def main() -> None:
    from tests.test_bad_inputs import CASES, LENIENCIES, STRICTER_THAN_TORCH

    tally = counts(CASES, LENIENCIES, STRICTER_THAN_TORCH)
    torch = torch_or_none()
    print(f"{len(CASES)} bad-input cases"
          f"{'' if torch is not None else ' (PyTorch absent: chainrule side only)'}")
    for kind in (CLEAR_ERROR, SAME_AS_TORCH, LENIENCY, STRICTER, "failing"):
        print(f"  {kind:22s} {tally[kind]}")
    by_category = Counter(case.category for case in CASES)
    print("by category: " + ", ".join(f"{k} {v}" for k, v in sorted(by_category.items())))
    for title, listed in (("deliberate leniencies", LENIENCIES),
                          ("deliberately stricter", STRICTER_THAN_TORCH)):
        print(f"{title}:")
        for name, reason in listed.items():
            print(f"  {name}: {reason}")


if __name__ == "__main__":
    main()
