"""PyTorch's `nn.utils.rnn`: batches of sequences of different lengths, padded or packed.

A padded batch is one (T, B, *) tensor (or (B, T, *) with `batch_first`), the short
sequences filled up with a padding value. A `PackedSequence` holds only the real rows:
time step 0 of every sequence, then step 1 of the sequences that have one, and so on,
longest sequences first (`batch_sizes[t]` rows at step t); recurrent layers read it and skip
the padding. Packing, padding and unpacking are made of slicing, cat and stack, so gradients
flow through them.

>>> import chainrule as cr
>>> from chainrule.nn.utils.rnn import pack_sequence, pad_packed_sequence
>>> packed = pack_sequence([cr.tensor([1., 2., 3.]), cr.tensor([4., 5.])])
>>> packed.data.tolist(), packed.batch_sizes.tolist()
([1.0, 4.0, 2.0, 5.0, 3.0], [2, 2, 1])
>>> padded, lengths = pad_packed_sequence(packed, batch_first=True)
>>> padded.tolist(), lengths.tolist()
([[1.0, 2.0, 3.0], [4.0, 5.0, 0.0]], [3, 2])
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ... import _dtype, creation
from ...tensor import Tensor

__all__ = ["PackedSequence", "pad_sequence", "pack_padded_sequence", "pad_packed_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]


class _PackedFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The permutation that undoes `permutation` (None stays None)."""
    if permutation is None:
        return None
    order = permutation.numpy().astype(np.int64)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size, dtype=np.int64)
    return creation.tensor(inverse)


class PackedSequence(_PackedFields):
    """Sequences of different lengths without padding: `data` holds the rows of every time
    step in turn (N, *), `batch_sizes` how many sequences have step t (int64, falling),
    `sorted_indices` the batch order the rows follow (None: the caller's order) and
    `unsorted_indices` its inverse. Build one with `pack_padded_sequence` or
    `pack_sequence`, not by hand."""

    def __new__(cls, data: Tensor, batch_sizes: Tensor | None = None,
                sorted_indices: Tensor | None = None,
                unsorted_indices: Tensor | None = None) -> PackedSequence:
        if batch_sizes is None:
            raise TypeError("PackedSequence: batch_sizes is required; build packed sequences "
                            "with pack_padded_sequence or pack_sequence")
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """The same sequences with `data` converted (dtype or device); the indices stay."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(
            data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def double(self) -> PackedSequence:
        return self.to(dtype=_dtype.float64)

    def float(self) -> PackedSequence:
        return self.to(dtype=_dtype.float32)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _check_sequences(op: str, sequences: Sequence[Tensor]) -> list[Tensor]:
    if isinstance(sequences, Tensor):  # PyTorch accepts a tensor as a list of its rows
        values = [sequences[k] for k in range(sequences.shape[0])]
    else:
        values = list(sequences)
    if not values:
        raise RuntimeError("received an empty list of sequences")  # PyTorch's words
    for position, value in enumerate(values):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}: sequence {position} must be a Tensor, got "
                            f"{type(value).__name__}")
        if value.ndim == 0:
            raise RuntimeError(f"{op}: sequence {position} is a 0-d tensor; each sequence "
                               "must have a length (dim 0)")
        if value.shape[1:] != values[0].shape[1:]:
            raise RuntimeError(f"{op}: sequence {position} has shape {tuple(value.shape)}, "
                               f"but sequence 0 has {tuple(values[0].shape)}; all must agree "
                               "after dim 0 (the length)")
    return values


def pad_sequence(sequences: Sequence[Tensor], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Sequences (L_i, *) padded to the longest, stacked to (T, B, *) or, with
    `batch_first`, (B, T, *); `padding_side` 'left' puts the padding before each sequence."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    values = _check_sequences("pad_sequence", sequences)
    longest = max(value.shape[0] for value in values)
    padded = []
    for value in values:
        value = value.to(values[0].dtype)  # PyTorch's result has the first sequence's dtype
        missing = longest - value.shape[0]
        if missing == 0:
            padded.append(value)
            continue
        filler = creation.full((missing, *value.shape[1:]), padding_value, dtype=value.dtype)
        parts = [value, filler] if padding_side == "right" else [filler, value]
        padded.append(creation.cat(parts, 0))
    return creation.stack(padded, 0 if batch_first else 1)


def _lengths_array(lengths: Any) -> np.ndarray:
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1:
            raise RuntimeError(f"pack_padded_sequence: lengths must be a 1-D tensor, got shape "
                               f"{tuple(lengths.shape)}")
        return lengths.numpy().astype(np.int64)
    return np.asarray(list(lengths), dtype=np.int64)


def pack_padded_sequence(input: Tensor, lengths: Any, batch_first: bool = False,  # noqa: A002
                         enforce_sorted: bool = True) -> PackedSequence:
    """A padded batch (T, B, *) (or (B, T, *) with `batch_first`) and each sequence's
    length, packed. With `enforce_sorted` the lengths must fall; otherwise the batch is
    sorted first and the order kept in `sorted_indices`."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pack_padded_sequence: input must be a Tensor, got "
                        f"{type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(f"pack_padded_sequence: input must have a time and a batch dim, got "
                         f"shape {tuple(input.shape)}")
    lengths_array = _lengths_array(lengths)
    time_first = input.transpose(0, 1) if batch_first else input
    steps, batch = time_first.shape[0], time_first.shape[1]
    if lengths_array.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lengths_array.size} (batch_size={batch})")
    if (lengths_array <= 0).any():
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if lengths_array.max() > steps:
        raise RuntimeError(f"pack_padded_sequence: a length of {lengths_array.max()} is longer "
                           f"than the {steps} time steps of the input")
    sorted_indices = None
    if enforce_sorted:
        if (np.diff(lengths_array) > 0).any():
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability.")
    else:
        order = np.argsort(-lengths_array, kind="stable")
        sorted_indices = creation.tensor(order.astype(np.int64))
        lengths_array = lengths_array[order]
        time_first = time_first[:, order]
    batch_sizes = (lengths_array[None, :] > np.arange(int(lengths_array[0]))[:, None]).sum(1)
    rows = [time_first[t, :int(size)] for t, size in enumerate(batch_sizes)]
    data = creation.cat(rows, 0) if len(rows) > 1 else rows[0]
    return PackedSequence(data, creation.tensor(batch_sizes.astype(np.int64)), sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False,
                        padding_value: float = 0.0, total_length: int | None = None
                        ) -> tuple[Tensor, Tensor]:
    """The inverse of `pack_padded_sequence`: the padded batch, in the caller's original
    order, and each sequence's length (int64). `total_length` pads to that many steps."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got "
                        f"{type(sequence).__name__}")
    data, batch_sizes = sequence.data, sequence.batch_sizes.numpy().astype(np.int64)
    batch, steps = int(batch_sizes[0]), len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and "
                             f"max sequence length being {steps}")
        steps = total_length
    feature_shape = tuple(data.shape[1:])
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)])
    rows = []
    for t in range(steps):
        size = int(batch_sizes[t]) if t < len(batch_sizes) else 0
        parts = [data[int(offsets[t]):int(offsets[t]) + size]] if size else []
        if size < batch:
            parts.append(creation.full((batch - size, *feature_shape), padding_value,
                                       dtype=data.dtype))
        rows.append(creation.cat(parts, 0) if len(parts) > 1 else parts[0])
    padded = creation.stack(rows, 0)
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(1)
    if sequence.unsorted_indices is not None:
        order = sequence.unsorted_indices.numpy().astype(np.int64)
        padded = padded[:, order]
        lengths = lengths[order]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, creation.tensor(lengths.astype(np.int64))


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """Sequences (L_i, *) packed (`pad_sequence` then `pack_padded_sequence`)."""
    values = _check_sequences("pack_sequence", sequences)
    lengths = [value.shape[0] for value in values]
    return pack_padded_sequence(pad_sequence(values), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False
                   ) -> list[Tensor]:
    """The sequences of a padded batch, each cut to its length."""
    lengths_array = _lengths_array(lengths)
    batch_major = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [batch_major[k, :int(length)] for k, length in enumerate(lengths_array)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The sequences of a packed batch, in the caller's order, each of its own length."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
