"""Version counters: how backward notices that a value it saved was changed in place.

Every in-place change (the `_` methods, `x[i] = v`, `+=`, optimiser steps, `nn.init`) bumps
the tensor's counter. Aliases of the same storage (`detach()`, `.data`, views made by
reshape, transpose, basic indexing …) share one counter, so a change through any of them
counts. A gate notes the versions of what it saved; before backward runs a gate, it
compares: a difference raises PyTorch's error instead of a silently wrong gradient.

A tensor starts with no counter object (`_version is None` means version 0, unshared); one
is made the first time the tensor is changed or aliased, so the common case costs nothing.
A counter is a one-element list: shared, mutable, cheap.

`CHANGES` counts every in-place change in the process. A gate notes it at forward; when it
is unchanged at backward, nothing was changed in place since, and the per-gate comparison
is skipped. It is module state on purpose: one integer compare per gate keeps the whole
mechanism within a few percent of a pass that has none (issue #11's budget is 3%).
"""

from __future__ import annotations

from typing import Any

from .variable import Variable

__all__ = ["CHANGES", "current", "counter", "bump", "share", "check_saved"]

#: How many in-place changes this process has made (see the module docstring).
CHANGES = [0]


def current(tensor: Variable) -> int:
    """The tensor's version: how many in-place changes its storage has seen."""
    version = tensor._version
    return 0 if version is None else version[0]


def counter(tensor: Variable) -> list[int]:
    """The tensor's shared counter, made on first use."""
    if tensor._version is None:
        tensor._version = [0]
    return tensor._version


def bump(tensor: Variable) -> None:
    """Records one in-place change of the tensor's storage."""
    counter(tensor)[0] += 1
    CHANGES[0] += 1


def share(source: Variable, alias: Variable) -> None:
    """Makes `alias` (a view or detached copy of `source`'s storage) count with `source`."""
    alias._version = counter(source)


def check_saved(gate: Any) -> None:
    """Raises if an input or output that `gate` saved was changed in place since forward."""
    saved = gate.saved_tensors
    expected = getattr(gate, "saved_versions", None)  # unset: every version was 0
    for index, value in enumerate(gate.inputs):
        if not isinstance(value, Variable) or value._version is None:
            continue
        array = value._array
        if any(item is array for item in saved):
            wanted = 0 if expected is None else expected[index]
            if value._version[0] != wanted:
                _raise(gate, f"its input {index}", value, value._version[0], wanted)
    output = gate.output_version if type(gate).saves_output else None
    if output is not None and output[0] != 0:
        _raise(gate, "its output", None, output[0], 0)


def _raise(gate: Any, which: str, tensor: Variable | None, found: int, wanted: int) -> None:
    described = "" if tensor is None else \
        f" (a {tensor._array.dtype} tensor of shape {tuple(tensor._array.shape)})"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {which}{described} of gate '{gate.label}' is at version {found}; "
        f"expected version {wanted} instead. Hint: change it out of place (x = x * 2), or "
        "clone it before changing it.")
