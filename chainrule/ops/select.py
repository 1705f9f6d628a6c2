"""Fronts of gather/scatter and the index_* family: the arguments checked as PyTorch checks
them (same error types), then one gate of `ops.scatter`; and the in-place `_` forms.

In-place forms compute the result out of place and write it back (`inplace.write_back`,
which refuses a tensor a recorded graph needs and bumps the version counter).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.grad_mode import no_grad, state
from ..engine.variable import Variable
from . import inplace
from .args import normalize_dim
from .scatter import (
    Gather,
    IndexAddDim,
    IndexCopy,
    IndexFill,
    IndexSelect,
    Scatter,
    ScatterAdd,
    ScatterFill,
    along,
    grid,
)

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["gather", "scatter", "scatter_", "scatter_add", "scatter_add_", "index_select",
           "index_add", "index_add_", "index_copy", "index_copy_", "index_fill",
           "index_fill_", "take_along_dim", "index_array", "in_place"]


def index_array(op: str, index: Any) -> np.ndarray:
    """The int64 array of an index tensor; TypeError for a non-tensor, RuntimeError for a
    tensor that is not of an integer dtype (PyTorch's errors)."""
    op = op if op.endswith(")") else f"{op}()"
    if not isinstance(index, Variable):
        raise TypeError(f"{op}: index must be a Tensor of int64 (or int32), got "
                        f"{type(index).__name__}")
    array = index._array
    if array.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected an int32 or int64 index tensor, got "
                           f"{array.dtype}")
    return np.asarray(array, dtype=np.int64)


def _check_bounds(op: str, index: np.ndarray, size: int, axis: int,
                  error: type[Exception] = RuntimeError, negative: bool = False) -> np.ndarray:
    """Raises unless every index is in [0, size) (or [-size, size) with `negative`, then
    wrapped)."""
    if index.size:
        low = -size if negative else 0
        bad = index[(index < low) | (index >= size)]
        if bad.size:
            raise error(f"{op}: index {int(bad.flat[0])} is out of bounds for dimension {axis} "
                        f"with size {size}")
    return index % size if negative and size else index


def _check_same_dtype(op: str, input: Tensor, other: Tensor, name: str) -> None:  # noqa: A002
    if input._array.dtype != other._array.dtype:
        raise RuntimeError(f"{op}: input and {name} must have the same dtype, got "
                           f"{input.dtype} and {other.dtype}")


def _gather_layout(op: str, input: Tensor, dim: int, index: Any,  # noqa: A002
                   src: Tensor | None = None) -> tuple[int, np.ndarray]:
    """The axis and index of gather/scatter, checked: index has input's number of dims, is no
    larger than input apart from `dim` (and no larger than src anywhere), and in bounds."""
    axis = normalize_dim(op, dim, input.ndim)
    idx = index_array(op, index)
    if idx.ndim != input.ndim:
        raise RuntimeError(f"{op}: index has {idx.ndim} dimensions but input has "
                           f"{input.ndim}; expected the same number")
    for d, size in enumerate(idx.shape):
        if d != axis and input.ndim and size > input.shape[d]:
            raise RuntimeError(f"{op}: index of shape {idx.shape} is larger than input "
                               f"{input.shape} at dimension {d} (only dimension {axis} may "
                               "differ)")
    if src is not None:
        if src.ndim != idx.ndim or any(i > s for i, s in zip(idx.shape, src.shape)):
            raise RuntimeError(f"{op}: index of shape {idx.shape} must be no larger than src "
                               f"of shape {src.shape} in every dimension")
    size = input.shape[axis] if input.ndim else 1
    return axis, _check_bounds(op, idx, size, axis)


def gather(input: Tensor, dim: int, index: Any, *, sparse_grad: bool = False  # noqa: A002
           ) -> Tensor:
    """out[i][j] = input[index[i][j]][j] (dim 0), input[i][index[i][j]] (dim 1), ….

    The gradient is added back at the gathered places, summed where the index repeats.

    >>> import chainrule as cr
    >>> x = cr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> picked = x.gather(1, cr.tensor([[0, 0], [1, 0]]))
    >>> picked
    tensor([[1., 1.],
            [4., 3.]], grad_fn=<GatherBackward0>)
    >>> picked.sum().backward()
    >>> x.grad
    tensor([[2., 0.],
            [1., 1.]])
    """
    axis, idx = _gather_layout("gather", input, dim, index)
    if input.ndim == 0:
        return input.reshape(1).gather(0, index.reshape(1)).reshape(())
    return Gather.apply(input, axis, idx)


def _src_part(src: Tensor, shape: tuple[int, ...]) -> Tensor:
    """The leading `shape` block of src (PyTorch uses only that much of a larger src)."""
    if tuple(src.shape) == shape:
        return src
    return src[tuple(slice(0, size) for size in shape)]


def scatter(input: Tensor, dim: int, index: Any, src: Any = None,  # noqa: A002
            value: Any = None, *, reduce: str | None = None) -> Tensor:
    """input with src[p] (or `value`) written at gather's position p: out[index[i][j]][j] =
    src[i][j] for dim 0. With reduce='add' or 'multiply' the values are combined instead.
    """
    if src is not None and not isinstance(src, Variable):
        src, value = None, src  # scatter(dim, index, 2.0): the value form
    if (src is None) == (value is None):
        raise TypeError("scatter(): expected exactly one of src (a Tensor) and value (a number)")
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError(f"scatter(): reduce must be 'add' or 'multiply', got {reduce!r}")
    if src is not None:
        _check_same_dtype("scatter()", input, src, "src")
    axis, idx = _gather_layout("scatter", input, dim, index, src)
    if src is not None:
        src = _src_part(src, idx.shape)
    if reduce == "multiply":
        return _scatter_multiply(input, axis, idx, src, value)
    if src is None:
        if reduce == "add":
            src = input._make(np.full(idx.shape, value, dtype=input._array.dtype), None)
        else:
            mask = np.zeros(input.shape, dtype=bool)
            mask[grid(axis, idx)] = True
            return ScatterFill.apply(input, mask, _fill_value("scatter", value,
                                                                     input._array.dtype))
    gate = ScatterAdd if reduce == "add" else Scatter
    return gate.apply(input, axis, idx, src)


def _scatter_multiply(input: Tensor, axis: int, idx: np.ndarray, src: Any,  # noqa: A002
                      value: Any) -> Tensor:
    """scatter(reduce='multiply'): no gradient, as in PyTorch."""
    if (input.requires_grad or isinstance(src, Variable) and src._requires_grad) and \
            state.grad_enabled:
        raise RuntimeError("scatter(reduce='multiply') has no gradient (neither has "
                           "PyTorch's); compute it under no_grad() or detach the inputs")
    out = input._array.copy()
    factors = src._array if src is not None else np.full(idx.shape, value, out.dtype)
    np.multiply.at(out, grid(axis, idx), factors)
    return input._make(out, None)


def _fill_value(op: str, value: Any, target: Any = None) -> Any:
    """A fill value: a number, or a 0-d tensor (which then receives a gradient); one that
    an integer `target` dtype cannot hold (inf, NaN, out of range) is refused, as in
    PyTorch."""
    if isinstance(value, Variable) and value._array.ndim != 0:
        raise RuntimeError(f"{op}: only supports a 0-dimensional value tensor, but got a "
                           f"tensor with {value._array.ndim} dimension(s)")
    if not isinstance(value, (Variable, bool, int, float, np.number, np.bool_)):
        raise TypeError(f"{op}: value must be a number or a 0-d tensor, got "
                        f"{type(value).__name__}")
    number = value._array if isinstance(value, Variable) else value
    if target is not None and target.kind in "iu" and np.asarray(number).dtype.kind == "f":
        limits = np.iinfo(target)
        if not (np.isfinite(number) and limits.min <= number <= limits.max):
            raise RuntimeError(f"{op}: value {float(number)} cannot be converted to type "
                               f"{target} without overflow")
    return value


def scatter_add(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:  # noqa: A002
    """input with src[p] added at gather's position p (repeated positions add up)."""
    _check_same_dtype("scatter_add()", input, src, "src")
    axis, idx = _gather_layout("scatter_add", input, dim, index, src)
    return ScatterAdd.apply(input, axis, idx, _src_part(src, idx.shape))


def in_place(input: Tensor, op: str, compute: Callable[[], Tensor],  # noqa: A002
             *others: Any) -> Tensor:
    """Writes `compute()` into `input`: refused (as every in-place change here) while grad
    mode is on and `input` or one of the `others` it is computed from requires grad, since
    the result is computed without recording; bumps the version counter."""
    inplace.check(input, op)
    for other in others:
        inplace.check(input, op, other)
    with no_grad():
        result = compute()
    if tuple(result.shape) != tuple(input.shape):
        raise RuntimeError(f"{op}: output with shape {tuple(input.shape)} doesn't match the "
                           f"broadcast shape {tuple(result.shape)}")
    return inplace.write_back(input, op, result)  # type: ignore[no-any-return]


def scatter_(input: Tensor, dim: int, index: Any, src: Any = None,  # noqa: A002
             value: Any = None, *, reduce: str | None = None) -> Tensor:
    """In place: `scatter`."""
    return in_place(input, "scatter_", lambda: scatter(input, dim, index, src, value,
                                                       reduce=reduce), src)


def scatter_add_(input: Tensor, dim: int, index: Any, src: Tensor) -> Tensor:  # noqa: A002
    """In place: `scatter_add`."""
    return in_place(input, "scatter_add_", lambda: scatter_add(input, dim, index, src), src)


def _vector_index(op: str, index: Any, error: type[Exception]) -> np.ndarray:
    idx = index_array(op, index)
    if idx.ndim > 1:
        raise error(f"{op}: index must be a vector (0 or 1 dimensions), got shape {idx.shape}")
    return idx.reshape(-1)


def index_select(input: Tensor, dim: int, index: Any) -> Tensor:  # noqa: A002
    """The slices index[0], index[1], … of input along `dim`, in that order (repeats allowed;
    their gradients add up)."""
    if input.ndim == 0:
        return input.reshape(1).index_select(0, index).reshape(())
    axis = normalize_dim("index_select", dim, input.ndim)
    idx = _vector_index("index_select()", index, IndexError)
    idx = _check_bounds("index_select()", idx, input.shape[axis], axis, IndexError)
    return IndexSelect.apply(input, axis, idx)


def _slices_layout(op: str, input: Tensor, dim: int, index: Any,  # noqa: A002
                   source: Tensor, error: type[Exception]) -> tuple[int, np.ndarray]:
    """index_add/index_copy: source has input's shape but len(index) at `dim`, same dtype."""
    axis = normalize_dim(op, dim, input.ndim)
    idx = _vector_index(op, index, IndexError)
    _check_same_dtype(op, input, source, "source")
    expected = input.shape[:axis] + (idx.size,) + input.shape[axis + 1:]
    if input.ndim and tuple(source.shape) != tuple(expected):
        raise RuntimeError(f"{op}: source of shape {tuple(source.shape)} does not fit: with "
                           f"{idx.size} indices along dim {axis} of input {input.shape} it must "
                           f"have shape {expected}")
    return axis, _check_bounds(op, idx, input.shape[axis] if input.ndim else 1, axis, error)


def index_add(input: Tensor, dim: int, index: Any, source: Tensor, *,  # noqa: A002
              alpha: Any = 1) -> Tensor:
    """input with alpha·source[i] added to slice index[i] along `dim` (repeats add up)."""
    axis, idx = _slices_layout("index_add()", input, dim, index, source, RuntimeError)
    return IndexAddDim.apply(input, axis, idx, source, alpha)


def index_add_(input: Tensor, dim: int, index: Any, source: Tensor, *,  # noqa: A002
               alpha: Any = 1) -> Tensor:
    """In place: `index_add`."""
    return in_place(input, "index_add_", lambda: index_add(input, dim, index, source,
                                                           alpha=alpha), source)


def index_copy(input: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:  # noqa: A002
    """input with slice index[i] along `dim` replaced by source[i]."""
    axis, idx = _slices_layout("index_copy()", input, dim, index, source, IndexError)
    return IndexCopy.apply(input, axis, idx, source)


def index_copy_(input: Tensor, dim: int, index: Any, source: Tensor) -> Tensor:  # noqa: A002
    """In place: `index_copy`."""
    return in_place(input, "index_copy_", lambda: index_copy(input, dim, index, source), source)


def index_fill(input: Tensor, dim: int, index: Any, value: Any) -> Tensor:  # noqa: A002
    """input with the slices index[i] along `dim` set to `value` (a number or 0-d tensor)."""
    axis = normalize_dim("index_fill", dim, input.ndim)
    idx = index_array("index_fill()", index)
    if idx.ndim > 1:
        raise RuntimeError(f"index_fill(): index has to be a vector or a scalar, got shape "
                           f"{idx.shape}")
    size = input.shape[axis] if input.ndim else 1
    idx = _check_bounds("index_fill()", idx.reshape(-1), size, axis, IndexError, negative=True)
    mask = np.zeros(input.shape, dtype=bool)
    mask[along(axis, idx) if input.ndim else ()] = True
    return IndexFill.apply(input, mask, _fill_value("index_fill()", value,
                                                     input._array.dtype))


def index_fill_(input: Tensor, dim: int, index: Any, value: Any) -> Tensor:  # noqa: A002
    """In place: `index_fill`."""
    return in_place(input, "index_fill_", lambda: index_fill(input, dim, index, value), value)


def take_along_dim(input: Tensor, indices: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    """`gather` where input and indices broadcast in every dim but `dim` (negative indices
    count from the end); with no dim, both are flattened first."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    idx = index_array("take_along_dim()", indices)
    if idx.ndim != input.ndim:
        raise RuntimeError(f"take_along_dim(): input and indices should have the same number "
                           f"of dimensions, got {input.ndim} and {idx.ndim}")
    axis = normalize_dim("take_along_dim", dim, input.ndim)
    others = [d for d in range(input.ndim) if d != axis]
    try:
        common = np.broadcast_shapes(tuple(input.shape[d] for d in others),
                                     tuple(idx.shape[d] for d in others))
    except ValueError:
        raise RuntimeError(f"take_along_dim(): input of shape {input.shape} and indices of "
                           f"shape {idx.shape} do not broadcast outside dim {axis}") from None
    shape_of = dict(zip(others, common))

    def full(size_at_axis: int) -> tuple[int, ...]:
        return tuple(size_at_axis if d == axis else shape_of[d] for d in range(input.ndim))

    size = input.shape[axis]
    idx = _check_bounds("take_along_dim()", idx, size, axis, negative=True)
    wide = input if tuple(input.shape) == full(size) else input.expand(*full(size))
    return Gather.apply(wide, axis, np.broadcast_to(idx, full(idx.shape[axis])))
