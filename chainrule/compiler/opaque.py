"""Optimisers whose step keeps Python numbers (Adam's step count t, and the bias
corrections 1 − β^t computed from it in Python) run their `step()` eagerly inside a replay.

A trace would fix those numbers as constants, so the replay would repeat step t forever.
Instead, during a trace such an optimiser's `step` is an `EagerStep`: it hands the
parameters, their gradients and the optimiser's state tensors their current values, runs
the real `step()` on them, and gives the program the updated arrays back. The recording
holds one step, `EagerStep(values…) -> new values`; each replay runs the real `step()`
again, reading its step counts, learning rate and betas as they are then. Everything else
(forward, backward, zero_grad) stays a replay.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..engine import version
from ..engine.variable import Variable
from .tracer import _ACTIVE, Recording, Traced, active

__all__ = ["EagerStep", "keeps_python_numbers", "eager_steps"]


def keeps_python_numbers(optimizer: Any) -> bool:
    """Does the optimiser hold per-parameter state that is not a tensor (a step count)?"""
    return any(not isinstance(value, Variable) for state in optimizer.state.values()
               for value in state.values())


def _tensors(optimizer: Any) -> list[Variable]:
    """The tensors a step reads and changes: parameters, then their state tensors."""
    params = [p for group in optimizer.param_groups for p in group["params"]]
    state = [v for p in params for v in optimizer.state.get(p, {}).values()
             if isinstance(v, Variable)]
    return params + state


class EagerStep:
    """A recorded step that runs `optimizer.step()` eagerly (see the module docstring)."""

    def __init__(self, optimizer: Any, make: Callable[[Any, Any], Variable]) -> None:
        self.optimizer = optimizer
        self.tensors = _tensors(optimizer)
        self.params = [p for group in optimizer.param_groups for p in group["params"]]
        self.make = make

    def __call__(self, *values: Any) -> tuple[Any, ...]:
        """values: each tensor's array, then each parameter's gradient (None for none)."""
        count = len(self.tensors)
        for tensor, array in zip(self.tensors, values[:count]):
            tensor._array = array
        for param, grad in zip(self.params, values[count:]):
            param._grad = None if grad is None else self.make(grad, None)
        self.optimizer.step()
        return tuple(t._array for t in self.tensors)


class eager_steps:  # noqa: N801 - used as a `with` statement, like contextlib's helpers
    """During a trace, the `step` of every optimiser that keeps Python numbers records an
    `EagerStep` (see the module docstring). `bumps` counts the in-place changes those
    steps made, which their replays make again themselves."""

    def __init__(self, optimizers: list[Any], make: Callable[[Any, Any], Variable]) -> None:
        self.optimizers = [o for o in optimizers if keeps_python_numbers(o)]
        self.make = make
        self.bumps: dict[int, int] = {}

    def __enter__(self) -> eager_steps:
        for optimizer in self.optimizers:
            optimizer.step = self._recorded(optimizer)
        return self

    def __exit__(self, *exc: Any) -> None:
        for optimizer in self.optimizers:
            vars(optimizer).pop("step", None)

    def _recorded(self, optimizer: Any) -> Callable[..., Any]:
        step = EagerStep(optimizer, self.make)
        real_step = type(optimizer).step

        def recorded(closure: Any = None) -> Any:
            if closure is not None or not _ACTIVE:
                active().stop("an optimiser step with a closure")
                return real_step(optimizer, closure)
            recording = active()
            tensors, params = step.tensors, step.params
            traced = [t._array for t in tensors]
            grads = [p._grad._array if isinstance(p._grad, Variable) else None
                     for p in params]
            if any(not isinstance(a, Traced) for a in traced) or any(
                    g is not None and not isinstance(g, Traced) for g in grads):
                recording.stop("an optimiser's tensors the recording does not hold")
                return real_step(optimizer)
            for array in traced:  # the step writes into them: later checks must know
                recording.note_write(array)
            counts = [version.current(t) for t in tensors]
            for t, array in zip(tensors, traced):
                t._array = np.ndarray.view(array, np.ndarray)
            for p, g in zip(params, grads):
                if g is not None:
                    p._grad._array = np.ndarray.view(g, np.ndarray)
            _ACTIVE.append(Recording(broken="an eager optimiser step"))  # records nothing
            try:
                real_step(optimizer)
            finally:
                _ACTIVE.pop()
            for t, before in zip(tensors, counts):
                self.bumps[id(t)] = self.bumps.get(id(t), 0) + version.current(t) - before
            results = recording.record(step, (*traced, *grads), {},
                                       tuple(t._array for t in tensors), "optimizer.step")
            for t, array in zip(tensors, results):
                t._array = array
            for p, g in zip(params, grads):
                if g is not None:
                    p._grad._array = g
            return None
        return recorded
