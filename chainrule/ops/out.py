"""`out=`: the result of a `cr.*` function written into a tensor the caller gives, as PyTorch's
functions do (`cr.matmul(a, b, out=y)` fills `y` and returns it).

PyTorch's rules, which the generated functions follow (`write`):
- `out` is resized when its shape differs (with PyTorch's deprecation warning when it held
  any element), and keeps its dtype: the result is cast to it, and a cast that would lose
  the kind of number (float into an integer tensor, anything into bool) is refused with
  PyTorch's RuntimeError "result type Float can't be cast to the desired output type Long";
- a result that would need gradients (an input requires grad while grad mode is on), or an
  `out` that requires grad, is refused: out= writes are not recorded;
- the write is an in-place change of `out`: its version counter moves, so a graph that
  saved `out` refuses to run backward afterwards.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numpy as np

from .. import _dtype
from ..engine import version
from ..engine.grad_mode import state
from ..engine.variable import Variable

__all__ = ["write", "factory_out"]

Factory = TypeVar("Factory", bound=Callable[..., Any])

def _targets(op: str, out: Any, count: int) -> tuple[Variable, ...]:
    """`out` as a tuple of tensors, one per output, or PyTorch's TypeError."""
    if count == 1:
        if not isinstance(out, Variable):
            raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
        return (out,)
    if (not isinstance(out, (tuple, list)) or len(out) != count
            or not all(isinstance(item, Variable) for item in out)):
        raise TypeError(f"{op}(): argument 'out' must be a tuple of {count} Tensors (one per "
                        f"output), got {type(out).__name__}")
    return tuple(out)


def _store(target: Variable, value: Variable) -> None:
    """value → target: resized (with PyTorch's warning) when the shapes differ, cast to the
    target's dtype, and the target's version counter moved."""
    array = np.asarray(value._array)
    _dtype.check_cast("", array.dtype, target._array.dtype)
    if tuple(target._array.shape) != array.shape:
        if target._array.size:
            warnings.warn(
                "An output with one or more elements was resized since it had shape "
                f"{list(target._array.shape)}, which does not match the required output shape "
                f"{list(array.shape)}. This behavior is deprecated, and in a future PyTorch "
                "release outputs will not be resized unless they have zero elements. You can "
                "explicitly reuse an out tensor t by resizing it, inplace, to zero elements "
                "with t.resize_(0).", UserWarning, stacklevel=4)
        target._array = array.astype(target._array.dtype, copy=True)
    else:
        target._array[...] = array
    version.bump(target)


def write(op: str, out: Any, compute: Callable[[], Any]) -> Any:
    """compute()'s result written into `out` (a tensor, or a tuple of them for a function
    with several outputs); returns `out`, as PyTorch does."""
    outs = out if isinstance(out, (tuple, list)) else (out,)
    if state.grad_enabled and any(isinstance(item, Variable) and item._requires_grad
                                  for item in outs):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    result = compute()
    values = tuple(result) if isinstance(result, (tuple, list)) else (result,)
    if state.grad_enabled and any(isinstance(value, Variable) and value._requires_grad
                                  for value in values):
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    targets = _targets(op, out, len(values))
    for target, value in zip(targets, values):
        _store(target, value)
    if len(targets) == 1:
        return targets[0]
    if hasattr(result, "_fields"):  # a named pair (values, indices) of the given tensors
        return type(result)(*targets)
    return tuple(targets)


def factory_out(factory: Factory) -> Factory:
    """PyTorch's out= on a factory (`cr.zeros(3, out=y)`, `cr.rand(2, 2, out=y)`): the values
    made in `out`'s dtype unless dtype= says otherwise, then written into `out`."""

    @functools.wraps(factory)
    def make(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return factory(*args, **kwargs)
        if kwargs.get("dtype") is None and isinstance(out, Variable):
            kwargs["dtype"] = _dtype.from_numpy_dtype(out._array.dtype)
        return write(factory.__name__, out, lambda: factory(*args, **kwargs))

    return cast(Factory, make)
