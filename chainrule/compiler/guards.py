"""The guards of a trace as one generated Python function: what the trace took as fixed,
checked before every replay at the cost of a few attribute reads.

A replay is valid while
- every state tensor has the shape, strides, dtype and `requires_grad` it had, and a
  gradient where it had one (and none where it had none);
- every optimiser has its parameter groups, the same parameters in them, and the same
  hyperparameters (a scheduler changing `lr` fails the guard: the step is traced again);
- every module is in the same train/eval mode and holds the same parameters, buffers and
  submodules (a parameter replaced by a new one fails the guard);
- the closure cells and globals the function names still hold the same modules,
  optimisers and tensors.
`source` is readable (`print(guard.source)`).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..engine.variable import Variable
from .state import Found, _frozen

__all__ = ["Guard", "build_guard"]

_PLAIN = (int, float, bool, str, type(None))


@dataclass
class Guard:
    source: str
    holds: Callable[[], bool]


def build_guard(found: Found, tensors: list[Variable], function: Callable[..., Any],
                live: list[Any] | tuple[Any, ...] = ()) -> Guard:
    """`live`: optimisers whose step runs eagerly in the replay, reading its
    hyperparameters then: those are not guarded."""
    names: dict[str, Any] = {"_frozen": _frozen}
    checks: list[str] = []

    def name_of(value: Any) -> str:
        key = f"k{len(names)}"
        names[key] = value
        return key

    for t in tensors:
        array = t._array
        tensor = name_of(t)
        checks.append(f"{tensor}._array.shape == {tuple(array.shape)!r}")
        # the layout too: a replay's buffers are laid out as the trace's values were
        checks.append(f"{tensor}._array.strides == {tuple(array.strides)!r}")
        # NumPy's dtypes are singletons (an unusual byte order only costs a re-trace)
        checks.append(f"{tensor}._array.dtype is {name_of(array.dtype)}")
        checks.append(f"{tensor}._requires_grad is {bool(t._requires_grad)}")
        checks.append(f"({tensor}._grad is None) is {t._grad is None}")
    for optimizer in found.optimizers:
        groups = f"{name_of(optimizer)}.param_groups"
        checks.append(f"len({groups}) == {len(optimizer.param_groups)}")
        for g, group in enumerate(optimizer.param_groups):
            checks.append(f"len({groups}[{g}]['params']) == {len(group['params'])}")
            checks += [f"{groups}[{g}]['params'][{i}] is {name_of(p)}"
                       for i, p in enumerate(group["params"])]
            for key, value in group.items():
                if key == "params" or any(optimizer is o for o in live):
                    continue
                read = f"{groups}[{g}].get({key!r})"
                if type(value) in _PLAIN:
                    checks.append(f"{read} == {name_of(value)}")
                else:
                    checks.append(f"_frozen({read}) == {name_of(_frozen(value))}")
    for module in found.modules:
        reference = name_of(module)
        checks.append(f"{reference}.training is {bool(module.training)}")
        for table in ("_parameters", "_buffers", "_modules"):
            for key, value in getattr(module, table).items():
                checks.append(f"{reference}.{table}.get({key!r}) is {name_of(value)}")
    checks += _root_checks(function, name_of)
    body = "\n        and ".join(checks) if checks else "True"
    source = f"def holds():\n    return bool(\n        {body})\n"
    namespace = dict(names)
    exec(compile(source, "<chainrule.compile guard>", "exec"), namespace)  # noqa: S102
    return Guard(source, namespace["holds"])


def _root_checks(function: Callable[..., Any], name_of: Callable[[Any], str]) -> list[str]:
    """Closure cells and globals that hold state the trace used: still the same objects."""
    from ..nn.module import Module
    from ..optim.optimizer import Optimizer

    def is_state(value: Any) -> bool:
        return isinstance(value, (Module, Optimizer, Variable))

    checks: list[str] = []
    if isinstance(function, types.MethodType):
        function = function.__func__
    if not isinstance(function, types.FunctionType):
        return checks
    for cell in function.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if is_state(value):
            checks.append(f"{name_of(cell)}.cell_contents is {name_of(value)}")
    space = function.__globals__
    for name in function.__code__.co_names:
        if is_state(space.get(name)):
            checks.append(f"{name_of(space)}.get({name!r}) is {name_of(space[name])}")
    return checks
