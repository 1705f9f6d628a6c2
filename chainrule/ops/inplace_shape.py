"""In-place shape changes (`x.unsqueeze_(0)`, `squeeze_`, `t_`, `transpose_`) and
`cr.detach`: the tensor itself takes the new shape, as in PyTorch.

The tensor's array becomes the view the out-of-place op makes, and its version counter
moves. A tensor a recorded graph needs is refused (`inplace.check`): PyTorch refuses a leaf
that requires grad too; a non-leaf it would rebase onto the view, which chainrule does not.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..engine import version
from . import inplace, shape

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["unsqueeze_", "squeeze_", "t_", "transpose_", "detach"]


def _reshape_in_place(input: Tensor, op: str, result: Any) -> Tensor:  # noqa: A002
    inplace.check(input, op)
    input._array = result._array
    version.bump(input)
    return input


def unsqueeze_(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """In place: a dim of size 1 inserted at `dim`."""
    return _reshape_in_place(input, "unsqueeze_", shape.unsqueeze(input.detach(), dim))


def squeeze_(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    """In place: dims of size 1 removed (only `dim` when given)."""
    return _reshape_in_place(input, "squeeze_", shape.squeeze(input.detach(), dim))


def t_(input: Tensor) -> Tensor:  # noqa: A002
    """In place: the transpose of a tensor of at most 2 dims."""
    return _reshape_in_place(input, "t_", shape.t(input.detach()))


def transpose_(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    """In place: dims `dim0` and `dim1` swapped."""
    return _reshape_in_place(input, "transpose_", shape.transpose(input.detach(), dim0, dim1))


def detach(input: Tensor) -> Tensor:  # noqa: A002
    """`cr.detach(x)`: x.detach(), a tensor sharing x's values that records nothing."""
    return input.detach()
