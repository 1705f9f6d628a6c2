"""Version counters: how backward notices that a value it saved was changed in place.

Every in-place change (the `_` methods, `x[i] = v`, `+=`, optimiser steps, `nn.init`) bumps
the tensor's counter. Aliases of the same storage (`detach()`, `.data`, views made by
reshape, transpose, basic indexing …) share one counter, so a change through any of them
counts. Before backward runs a gate, it asks whether anything the gate saved was changed
after the gate's forward pass: then it raises PyTorch's error instead of computing a
silently wrong gradient.

`CHANGES` counts every in-place change in the process, a clock. A gate that saved anything
notes the clock at its forward pass (`changes_at`). A counter is a list: the version, then
the clock of each recent change (the last `_HISTORY`). So a gate need not record its
inputs' versions: a change after its forward is one whose clock is later than
`changes_at`, and the version it expected is the current one less those changes. When the
clock has not moved since the forward pass, backward skips the comparison: one integer
compare per gate, which keeps the mechanism within issue #11's 3% budget. The clock is
module state on purpose, for that reason.

A tensor starts with no counter (`_version is None` means version 0, unshared); one is
made the first time it is changed or aliased, so the common case allocates nothing.
"""

from __future__ import annotations

from typing import Any

from .variable import Variable

__all__ = ["CHANGES", "current", "counter", "bump", "share", "check_saved"]

#: How many in-place changes this process has made (see the module docstring).
CHANGES = [0]
#: How many recent change clocks a counter keeps (enough to name the expected version).
_HISTORY = 16


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
    """Records one in-place change of the tensor's storage, and when it happened."""
    version = counter(tensor)
    CHANGES[0] += 1
    version[0] += 1
    version.append(CHANGES[0])
    if len(version) > _HISTORY + 1:
        del version[1]


def share(source: Variable, alias: Variable) -> None:
    """Makes `alias` (a view or detached copy of `source`'s storage) count with `source`."""
    alias._version = counter(source)


def check_saved(gate: Any) -> None:
    """Raises if an input or output that `gate` saved was changed in place since forward."""
    saved = gate.saved_tensors
    for index, value in enumerate(gate.inputs):
        if not isinstance(value, Variable) or value._version is None:
            continue
        array = value._array
        if any(item is array for item in saved):
            _check(gate, f"its input {index}", value, value._version)
    if type(gate).saves_output:
        _check(gate, "its output", None, gate.output_version)


def _check(gate: Any, which: str, tensor: Variable | None, version: list[int]) -> None:
    later = sum(1 for clock in version[1:] if clock > gate.changes_at)
    if later:
        found = version[0]
        _raise(gate, which, tensor, found, found - later)


def _raise(gate: Any, which: str, tensor: Variable | None, found: int, wanted: int) -> None:
    described = "" if tensor is None else \
        f" (a {tensor._array.dtype} tensor of shape {tuple(tensor._array.shape)})"
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: {which}{described} of gate '{gate.label}' is at version {found}; "
        f"expected version {wanted} instead. Hint: change it out of place (x = x * 2), or "
        "clone it before changing it.")
