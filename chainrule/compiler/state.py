"""What a compiled function can see besides its arguments, and the guards a replay checks.

A training step reads its model, optimiser and loss through its closure and globals, as
`torch.compile`'s guards find them through the frame. `discover` walks from the function
(closure cells, the globals its code names, a bound method's object) and from the
arguments, through lists, tuples, dicts, modules, optimisers and plain objects, a few levels
deep, and collects the tensors (parameters, buffers, optimiser state, gradients), modules
and optimisers. The guards are what a trace took as fixed: the hyperparameters of every
parameter group, every module's train/eval mode, and the shape, dtype and `requires_grad` of
every tensor found.
"""

from __future__ import annotations

import functools
import inspect
import types
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..engine.variable import Variable

__all__ = ["Found", "discover", "hyperparameters", "python_state"]

_DEPTH = 5


@dataclass
class Found:
    tensors: list[Variable] = field(default_factory=list)
    modules: list[Any] = field(default_factory=list)
    optimizers: list[Any] = field(default_factory=list)


def discover(function: Callable[..., Any], args: tuple[Any, ...],
             kwargs: dict[str, Any]) -> Found:
    """The tensors, modules and optimisers `function` can reach (see the module docstring)."""
    from ..nn.module import Module
    from ..optim.optimizer import Optimizer

    found = Found()
    seen: set[int] = set()
    stack: list[tuple[Any, int]] = [(value, 0) for value in (*args, *kwargs.values())]
    stack += [(root, 0) for root in _roots(function)]
    while stack:
        value, depth = stack.pop()
        if id(value) in seen or depth > _DEPTH or value is None:
            continue
        seen.add(id(value))
        if isinstance(value, Variable):
            found.tensors.append(value)
            if value._grad is not None and isinstance(value._grad, Variable):
                stack.append((value._grad, depth + 1))
        elif isinstance(value, Module):
            found.modules.append(value)
            stack += [(v, depth + 1) for v in vars(value).values()]
        elif isinstance(value, Optimizer):
            found.optimizers.append(value)
            for group in value.param_groups:
                stack += [(p, depth + 1) for p in group["params"]]
            for state in value.state.values():
                stack += [(v, depth + 1) for v in state.values()]
        elif isinstance(value, dict):
            stack += [(v, depth + 1) for v in value.values()]
        elif isinstance(value, (list, tuple, set, frozenset)):
            stack += [(v, depth + 1) for v in value]
        elif isinstance(value, types.FunctionType):
            stack += [(root, depth + 1) for root in _roots(value)]
        elif isinstance(value, types.MethodType):
            stack.append((value.__self__, depth + 1))
        elif isinstance(value, functools.partial):
            stack += [(v, depth + 1) for v in (value.func, *value.args,
                                               *value.keywords.values())]
        elif hasattr(value, "_orig_mod"):  # another compiled function: what it wraps
            stack.append((value._orig_mod, depth + 1))
        elif _plain_object(value):
            stack += [(v, depth + 1) for v in vars(value).values()]
    return found


def _roots(function: Callable[..., Any]) -> list[Any]:
    """The closure cells' values, the globals the code names, a bound method's object."""
    roots: list[Any] = []
    if inspect.ismethod(function):
        roots.append(function.__self__)
        function = function.__func__
    if not isinstance(function, types.FunctionType):
        roots.append(function)  # a callable object: a Module, or a class with __call__
        return roots
    for cell in function.__closure__ or ():
        try:
            roots.append(cell.cell_contents)
        except ValueError:  # an empty cell
            continue
    names = set(_names(function.__code__))
    roots += [function.__globals__[n] for n in names if n in function.__globals__]
    return roots


def _names(code: types.CodeType) -> list[str]:
    names = list(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names += _names(constant)
    return names


def _plain_object(value: Any) -> bool:
    """An instance of a user class whose attributes may hold state (not a module, class,
    function or NumPy array)."""
    return (hasattr(value, "__dict__") and not isinstance(value, (type, types.ModuleType))
            and not isinstance(value, np.ndarray) and not callable(getattr(value, "__get__",
                                                                            None)))


def hyperparameters(found: Found) -> tuple[Any, ...]:
    """Every parameter group's settings and every module's mode: a guard."""
    groups = tuple(tuple((k, _frozen(v)) for k, v in sorted(group.items()) if k != "params")
                   for optimizer in found.optimizers for group in optimizer.param_groups)
    modes = tuple(module.training for module in found.modules)
    return groups, modes


def python_state(found: Found) -> tuple[Any, ...]:
    """The optimisers' per-parameter state that is not a tensor (step counts, …): a trace
    cannot replay a change to it, so it must not change while tracing."""
    return tuple(tuple((k, _frozen(v)) for k, v in sorted(state.items())
                       if not isinstance(v, Variable))
                 for optimizer in found.optimizers for state in optimizer.state.values())


def _frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, np.ndarray):
        return ("array", value.shape, value.dtype.str, value.tobytes())
    if isinstance(value, Variable):
        return ("tensor", id(value))
    return value
