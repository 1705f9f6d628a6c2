"""Pieces of a tensor that are views of it: split, chunk, tensor_split, unbind, narrow, and
movedim (a permutation).

Every piece is a basic slice (`indexing.GetItem`, a `ViewGate`): NumPy returns a view, the
piece shares the input's version counter, so an in-place change through either is seen by
backward, as in PyTorch. Each piece's gradient is added back into its place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine.variable import Variable
from .args import int_arg, normalize_dim
from .indexing import GetItem
from .scatter import along
from .shape import Permute

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["split", "chunk", "tensor_split", "hsplit", "vsplit", "dsplit", "unbind", "narrow",
           "select", "movedim", "meshgrid"]


def _slices(input: Tensor, axis: int, bounds: Sequence[tuple[int, int]]  # noqa: A002
            ) -> tuple[Tensor, ...]:
    return tuple(GetItem.apply(input, along(axis, slice(start, stop)))
                 for start, stop in bounds)


def _axis(op: str, input: Tensor, dim: Any) -> int:  # noqa: A002
    if input.ndim == 0:
        raise IndexError(f"{op}: dim {dim} given but the tensor has no dimensions (it is 0-d)")
    return normalize_dim(op, dim, input.ndim)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Views of `tensor` along `dim`: pieces of `split_size` (the last may be smaller), or of
    the sizes in the list `split_size_or_sections` (which must add up to the dim's size).

    >>> import chainrule as cr
    >>> [piece.shape for piece in cr.arange(5).split(2)]
    [chainrule.Size([2]), chainrule.Size([2]), chainrule.Size([1])]
    """
    axis = _axis("split", tensor, dim)
    length = tensor.shape[axis]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int_arg("split", "split_sizes", size) for size in split_size_or_sections]
        if any(size < 0 for size in sizes) or sum(sizes) != length:
            raise RuntimeError(f"split: split_sizes {list(sizes)} must be non-negative and add "
                               f"up to {length}, the size of dim {axis} of shape {tensor.shape}")
        starts = np.cumsum([0] + sizes)
        return _slices(tensor, axis, [(int(a), int(b)) for a, b in zip(starts, starts[1:])])
    size = int_arg("split", "split_size", split_size_or_sections)
    if size < 0:
        raise RuntimeError(f"split: split_size must be non-negative, got {size}")
    if size == 0:
        if length:
            raise RuntimeError(f"split: split_size can be 0 only if dim {axis} has size 0, "
                               f"but it has size {length}")
        return _slices(tensor, axis, [(0, 0)])
    return _slices(tensor, axis, [(start, min(start + size, length))
                                  for start in range(0, max(length, 1), size)])


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """`chunks` views (or fewer) of equal size along `dim`, the last maybe smaller."""
    chunks = int_arg("chunk", "chunks", chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk: expects chunks to be greater than 0, got {chunks}")
    axis = _axis("chunk", input, dim)
    length = input.shape[axis]
    return split(input, max(-(-length // chunks), 1) if length else 1, axis)


def tensor_split(input: Tensor, indices_or_sections: Any, dim: int = 0  # noqa: A002
                 ) -> tuple[Tensor, ...]:
    """Views along `dim`: n sections (the first length % n one longer), or the pieces
    between the given indices (as Python slices: clipped, maybe empty)."""
    axis = _axis("tensor_split", input, dim)
    length = input.shape[axis]
    spec = indices_or_sections
    if isinstance(spec, Variable):
        array = spec._array
        if array.dtype.kind not in "iu" or array.ndim > 1:
            raise RuntimeError("tensor_split: indices_or_sections must be an int64 tensor of "
                               f"0 or 1 dimensions, got {array.dtype} of shape {array.shape}")
        spec = int(array) if array.ndim == 0 else [int(i) for i in array]
    if isinstance(spec, (list, tuple)):
        cuts = [0] + [int_arg("tensor_split", "indices", i) for i in spec] + [length]
        bounds = [(min(max(a if a >= 0 else a + length, 0), length),
                   min(max(b if b >= 0 else b + length, 0), length))
                  for a, b in zip(cuts, cuts[1:])]
        return _slices(input, axis, [(a, max(a, b)) for a, b in bounds])
    sections = int_arg("tensor_split", "sections", spec)
    if sections <= 0:
        raise RuntimeError(f"tensor_split: number of sections must be larger than 0, got "
                           f"{sections}")
    base, extra = divmod(length, sections)
    sizes = [base + (1 if i < extra else 0) for i in range(sections)]
    starts = np.cumsum([0] + sizes)
    return _slices(input, axis, [(int(a), int(b)) for a, b in zip(starts, starts[1:])])


def _split_along(op: str, input: Tensor, axis: int, least: int,  # noqa: A002
                 indices_or_sections: Any) -> tuple[Tensor, ...]:
    """hsplit/vsplit/dsplit: tensor_split along `axis`, where sections must divide evenly."""
    if input.ndim < least:
        raise RuntimeError(f"{op}: requires a tensor with at least {least} dimension"
                           f"{'s' if least > 1 else ''}, got shape {input.shape}")
    spec = indices_or_sections
    if not isinstance(spec, (list, tuple, Variable)):
        sections = int_arg(op, "sections", spec)
        if sections <= 0 or input.shape[axis] % sections:
            raise RuntimeError(f"{op}: cannot split dimension {axis} of size "
                               f"{input.shape[axis]} into {sections} equal sections")
    return tensor_split(input, spec, axis)


def hsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """`tensor_split` along dim 1 (dim 0 of a 1-D tensor), into equal sections or at the
    given indices."""
    return _split_along("hsplit", input, 1 if input.ndim > 1 else 0, 1, indices_or_sections)


def vsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """`tensor_split` along dim 0 of a tensor of at least 2 dims."""
    return _split_along("vsplit", input, 0, 2, indices_or_sections)


def dsplit(input: Tensor, indices_or_sections: Any) -> tuple[Tensor, ...]:  # noqa: A002
    """`tensor_split` along dim 2 of a tensor of at least 3 dims."""
    return _split_along("dsplit", input, 2, 3, indices_or_sections)


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:  # noqa: A002
    """The slices along `dim`, each without that dim (views)."""
    axis = _axis("unbind", input, dim)
    return tuple(GetItem.apply(input, along(axis, i)) for i in range(input.shape[axis]))


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:  # noqa: A002
    """The view input[..., start:start + length, ...] along `dim` (start may be negative)."""
    axis = _axis("narrow", input, dim)
    size = input.shape[axis]
    begin = int_arg("narrow", "start", int(start._array) if isinstance(start, Variable) else start)
    length = int_arg("narrow", "length", length)
    if not -size <= begin <= size:
        raise IndexError(f"narrow: start {begin} is out of range for dim {axis} of size {size} "
                         f"(expected {-size}..{size})")
    begin = begin + size if begin < 0 else begin
    if length < 0:
        raise RuntimeError(f"narrow: length must be non-negative, got {length}")
    if begin + length > size:
        raise RuntimeError(f"narrow: start ({begin}) + length ({length}) exceeds dimension "
                           f"size ({size}) of dim {axis}")
    return GetItem.apply(input, along(axis, slice(begin, begin + length)))


def select(input: Tensor, dim: int, index: Any) -> Tensor:  # noqa: A002
    """The slice at `index` along `dim`, without that dim (a view): x.select(1, 0) is
    x[:, 0]."""
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-d tensor")
    axis = normalize_dim("select", dim, input.ndim)
    size = input.shape[axis]
    position = int_arg("select", "index", int(index._array) if isinstance(index, Variable)
                       else index)
    if not -size <= position < size:
        raise IndexError(f"select(): index {position} out of range for a tensor of shape "
                         f"{input.shape} at dimension {axis}")
    return GetItem.apply(input, along(axis, position % size))


def _dims(op: str, dims: Any, ndim: int, name: str) -> list[int]:
    listed = list(dims) if isinstance(dims, (list, tuple)) else [dims]
    axes = [normalize_dim(op, d, ndim) for d in listed]
    if len(set(axes)) != len(axes):
        raise RuntimeError(f"{op}: repeated dim in `{name}` ({listed})")
    return axes


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:  # noqa: A002
    """The dims `source` moved to the places `destination` (a view); the others keep their
    order. `moveaxis` is its alias."""
    ndim = input.ndim
    sources = _dims("movedim", source, ndim, "source")
    targets = _dims("movedim", destination, ndim, "destination")
    if len(sources) != len(targets):
        raise RuntimeError(f"movedim: source ({len(sources)} dims) and destination "
                           f"({len(targets)} dims) must name the same number of dims")
    order: list[int | None] = [None] * max(ndim, 1)
    for s, t in zip(sources, targets):
        order[t] = s
    rest = iter(d for d in range(ndim) if d not in sources)
    axes = tuple(d if d is not None else next(rest) for d in order[:ndim])
    return Permute.apply(input, axes)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple[Tensor, ...]:
    """Coordinate grids from 0-d or 1-d tensors (expanded views): with indexing='ij' (the
    default) output i varies along dim i; with 'xy' the first two dims are swapped."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in (None, "ij", "xy"):
        raise RuntimeError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    for tensor in tensors:
        if not isinstance(tensor, Variable) or tensor._array.ndim > 1:
            raise RuntimeError("meshgrid: expected 0-d or 1-d tensors, got "
                               f"{getattr(tensor, 'shape', type(tensor).__name__)}")
    sizes = [int(t._array.size) for t in tensors]
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for tensor_axis, size in zip(axes, sizes):
        shape[tensor_axis] = size
    grids = []
    for tensor, axis in zip(tensors, axes):
        layout = [1] * len(tensors)
        layout[axis] = -1
        grids.append(tensor.reshape(*layout).expand(*shape))
    return tuple(grids)
