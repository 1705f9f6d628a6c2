"""The cross product of 3-vectors along one dim: `torch.cross`, `torch.linalg.cross` and
`Tensor.cross`, with PyTorch 2.13's defaults (`linalg.cross`: dim=-1; `torch.cross` without
dim: the first dim of size 3, with PyTorch's deprecation warning, once per process) and
broadcasting."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from .._typing import Array, Grad
from ..backends import array_module
from ..engine.gate import Gate
from ..engine.variable import Variable
from . import _dual
from ._broadcast import unbroadcast
from .args import normalize_dim

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["Cross", "cross", "linalg_cross"]

_NO_DIM_WARNING = ("Using torch.cross without specifying the dim arg is deprecated.\n"
                   "Please either pass the dim explicitly or simply use torch.linalg.cross.\n"
                   "The default value of dim will change to agree with that of linalg.cross "
                   "in a future release.")
_WARNED = [False]


def _cross(a: Array, b: Array, axis: int) -> Array:
    if _dual.is_tensor(a) or _dual.is_tensor(b):
        return Cross.apply(a, b, axis)  # type: ignore[no-any-return]
    return array_module(a).cross(a, b, axis=axis)  # type: ignore[no-any-return]


class Cross(Gate):
    """c = a × b along `axis` (a and b broadcast);  ∂L/∂a = b × g,  ∂L/∂b = g × a, since
    g·(a × b) = a·(b × g) = b·(g × a); each summed back to its input's shape."""

    __slots__ = ()
    label = "linalg_cross"

    @staticmethod
    def forward(ctx: Gate, a: Array, b: Array, axis: int) -> Array:
        ctx.save_for_backward(a, b)
        return array_module(a).cross(a, b, axis=axis)  # type: ignore[no-any-return]

    @staticmethod
    def backward(ctx: Gate, grad: Array) -> tuple[Grad, Grad, None]:
        a, b = ctx.saved_tensors
        if _dual.is_tensor(grad):  # the saved inputs as the recorded tensors
            a, b = ctx.inputs[0], ctx.inputs[1]
        axis = ctx.inputs[2]
        grad_a = unbroadcast(_cross(b, grad, axis), ctx.inputs[0].shape) \
            if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(_cross(grad, a, axis), ctx.inputs[1].shape) \
            if ctx.needs_input_grad[1] else None
        return grad_a, grad_b, None


def _checked(input: Tensor, other: Tensor, dim: Any, op: str) -> tuple[int, int]:  # noqa: A002
    """The axis of the broadcast shape to take the product along, and that shape's rank."""
    for name, value in (("input", input), ("other", other)):
        if not isinstance(value, Variable):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not "
                            f"{type(value).__name__}")
    if input.ndim != other.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions; "
                           f"got shapes {list(input.shape)} and {list(other.shape)}.")
    if input.dtype != other.dtype:
        raise RuntimeError(f"linalg.cross: expected both inputs to have the same dtype, got "
                           f"{input.dtype} and {other.dtype}")
    try:
        shape = array_module(input._array).broadcast_shapes(input.shape, other.shape)
    except ValueError:
        raise RuntimeError(f"linalg.cross: shapes {list(input.shape)} and "
                           f"{list(other.shape)} do not broadcast") from None
    if dim is None:
        if 3 not in shape:
            raise RuntimeError("no dimension of size 3 in input")
        return shape.index(3), len(shape)
    axis = normalize_dim(op, dim, len(shape))
    if input.shape[axis] != 3 or other.shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got "
                           f"{input.shape[axis]} and {other.shape[axis]}")
    return axis, len(shape)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """The cross product of 3-vectors along `dim` (as `torch.cross`): without `dim`, the
    first dim of size 3, with PyTorch's warning that this default is deprecated.

        >>> import chainrule as cr
        >>> cr.cross(cr.tensor([1.0, 0, 0]), cr.tensor([0.0, 1, 0]), dim=0).tolist()
        [0.0, 0.0, 1.0]
    """
    if dim is None and not _WARNED[0]:  # PyTorch warns once per process (TORCH_WARN_ONCE)
        _WARNED[0] = True
        warnings.warn(_NO_DIM_WARNING, UserWarning, stacklevel=3)
    axis, _ = _checked(input, other, dim, "cross")
    return Cross.apply(input, other, axis)  # type: ignore[no-any-return]


def linalg_cross(input: Tensor, other: Tensor, *, dim: int = -1) -> Tensor:  # noqa: A002
    """`torch.linalg.cross`: the cross product of 3-vectors along `dim` (default −1)."""
    axis, _ = _checked(input, other, dim, "linalg.cross")
    return Cross.apply(input, other, axis)  # type: ignore[no-any-return]
