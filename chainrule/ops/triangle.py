"""Triangles and diagonals: tril/triu, diagonal (a view), diag, diag_embed and trace.

`Diagonal` and `DiagonalScatter` are each other's adjoint: the gradient of a diagonal is
zeros with the upstream on that diagonal, and the other way round.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate, ViewGate
from . import _dual
from .args import int_arg, normalize_dim
from .elementwise import Clone
from .select import in_place

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["Tril", "Triu", "Diagonal", "DiagonalScatter", "tril", "triu", "tril_", "triu_",
           "diagonal", "diag", "diag_embed", "trace"]


class Tril(Gate):
    """f(x) = x with the elements above diagonal k zeroed (last two dims);
    ∂L/∂x = tril(upstream, k)."""

    __slots__ = ()
    label = "tril"

    @staticmethod
    def forward(ctx: Gate, x: Array, k: int) -> Array:
        return array_module(x).tril(x, k)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        k = ctx.inputs[1]
        if _dual.is_tensor(grad):
            return Tril.apply(grad, k), None
        return array_module(grad).tril(grad, k), None


class Triu(Gate):
    """f(x) = x with the elements below diagonal k zeroed (last two dims);
    ∂L/∂x = triu(upstream, k)."""

    __slots__ = ()
    label = "triu"

    @staticmethod
    def forward(ctx: Gate, x: Array, k: int) -> Array:
        return array_module(x).triu(x, k)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None]:
        k = ctx.inputs[1]
        if _dual.is_tensor(grad):
            return Triu.apply(grad, k), None
        return array_module(grad).triu(grad, k), None


def _diagonal_view(x: Array, offset: int, axis1: int, axis2: int) -> Array:
    """x's diagonal as a view that can be written when x can (NumPy's is read-only)."""
    view = array_module(x).diagonal(x, offset, axis1, axis2)
    if getattr(x, "flags", None) is not None and x.flags.writeable:
        try:
            view.flags.writeable = True
        except ValueError:  # a base NumPy will not let write (a broadcast): stay read-only
            pass
    return view  # type: ignore[no-any-return]


def _diagonal(values: Array, offset: int, axis1: int, axis2: int) -> Array:
    if _dual.is_tensor(values):
        return Diagonal.apply(values, offset, axis1, axis2)  # type: ignore[no-any-return]
    return _diagonal_view(values, offset, axis1, axis2)


class Diagonal(ViewGate):
    """f(x) = the diagonal `offset` of the dims (dim1, dim2), moved to the end (a view);
    ∂L/∂x = zeros with the upstream written on that diagonal."""

    __slots__ = ()
    label = "diagonal"

    @staticmethod
    def forward(ctx: Gate, x: Array, offset: int, axis1: int, axis2: int) -> Array:
        return _diagonal_view(x, offset, axis1, axis2)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None, None]:
        x, offset, axis1, axis2 = ctx.inputs
        if _dual.is_tensor(grad):
            return (DiagonalScatter.apply(grad, tuple(x.shape), offset, axis1, axis2), None,
                    None, None)
        return _scatter_diagonal(grad, tuple(x.shape), offset, axis1, axis2), None, None, None


def _scatter_diagonal(values: Array, shape: tuple[int, ...], offset: int, axis1: int,
                      axis2: int) -> Array:
    out = array_module(values).zeros(shape, dtype=values.dtype)
    _diagonal_view(out, offset, axis1, axis2)[...] = values
    return out  # type: ignore[no-any-return]


class DiagonalScatter(Gate):
    """f(v) = zeros(shape) with v on the diagonal `offset` of (dim1, dim2) (diag_embed, and
    Diagonal's adjoint);  ∂L/∂v = that diagonal of the upstream."""

    __slots__ = ()
    label = "diag_embed"

    @staticmethod
    def forward(ctx: Gate, values: Array, shape: tuple[int, ...], offset: int, axis1: int,
                axis2: int) -> Array:
        return _scatter_diagonal(values, shape, offset, axis1, axis2)

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, None, None, None, None]:
        _, _, offset, axis1, axis2 = ctx.inputs
        return _diagonal(grad, offset, axis1, axis2), None, None, None, None


# ---------------------------------------------------------------------- fronts
def _matrix(op: str, input: Tensor) -> None:  # noqa: A002
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape "
                           f"{input.shape}")


def tril(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The lower triangle of the last two dims: elements above diagonal `diagonal` zeroed."""
    _matrix("tril", input)
    return Tril.apply(input, int_arg("tril", "diagonal", diagonal))


def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The upper triangle of the last two dims: elements below diagonal `diagonal` zeroed."""
    _matrix("triu", input)
    return Triu.apply(input, int_arg("triu", "diagonal", diagonal))


def tril_(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """In place: `tril`."""
    return in_place(input, "tril_", lambda: tril(input, diagonal))


def triu_(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """In place: `triu`."""
    return in_place(input, "triu_", lambda: triu(input, diagonal))


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """The diagonal `offset` (above the main one when positive) of dims dim1 and dim2, as the
    last dim of a view."""
    _matrix("diagonal", input)
    axis1 = normalize_dim("diagonal", dim1, input.ndim)
    axis2 = normalize_dim("diagonal", dim2, input.ndim)
    if axis1 == axis2:
        raise RuntimeError(f"diagonal: dimensions cannot be identical, got {dim1} and {dim2}")
    return Diagonal.apply(input, int_arg("diagonal", "offset", offset), axis1, axis2)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1  # noqa: A002
               ) -> Tensor:
    """Matrices (in dims dim1, dim2 of the result) with input's last dim on their diagonal
    `offset`, zeros elsewhere."""
    if input.ndim < 1:
        raise RuntimeError("diag_embed: input must have at least 1 dimension")
    ndim = input.ndim + 1
    axis1 = normalize_dim("diag_embed", dim1, ndim)
    axis2 = normalize_dim("diag_embed", dim2, ndim)
    if axis1 == axis2:
        raise RuntimeError(f"diag_embed: diagonal dimensions cannot be identical, got {dim1} "
                           f"and {dim2}")
    offset = int_arg("diag_embed", "offset", offset)
    size = input.shape[-1] + abs(offset)
    shape = list(input.shape[:-1])
    for axis in sorted((axis1, axis2)):
        shape.insert(axis, size)
    return DiagonalScatter.apply(input, tuple(shape), offset, axis1, axis2)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A 1-D input as the diagonal `diagonal` of a square matrix; of a 2-D input, that
    diagonal (a copy)."""
    offset = int_arg("diag", "diagonal", diagonal)
    if input.ndim == 1:
        size = input.shape[0] + abs(offset)
        return DiagonalScatter.apply(input, (size, size), offset, 0, 1)
    if input.ndim == 2:
        return Clone.apply(Diagonal.apply(input, offset, 0, 1))
    raise RuntimeError(f"diag(): supports 1-D or 2-D tensors, got {input.ndim}-D of shape "
                       f"{input.shape}")


def trace(input: Tensor) -> Tensor:  # noqa: A002
    """The sum of the main diagonal of a matrix."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got a tensor with {input.ndim} "
                           f"dimensions")
    result: Any = Diagonal.apply(input, 0, 0, 1).sum()
    return result  # type: ignore[no-any-return]
