"""`default_collate` and `default_convert`, PyTorch's rules for turning samples into a batch
(`torch.utils.data._utils.collate`): tensors and NumPy arrays are stacked along a new first
dimension, Python ints become an int64 tensor (bools a bool tensor), floats a float64 tensor,
strings stay a list, and dicts, namedtuples, tuples and lists are collated field by field
(tuples and lists come back as lists, namedtuples as their own type).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from numbers import Number
from typing import Any

import numpy as np

from ...tensor import Tensor

__all__ = ["default_collate", "default_convert"]

_STRING_OR_OBJECT = re.compile(r"[SaUO]")  # NumPy dtype kinds that cannot become tensors
_UNSUPPORTED = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts "
                "or lists; found {}")


def _is_numpy(value: Any) -> bool:
    kind = type(value)
    return kind.__module__ == "numpy" and kind.__name__ not in ("str_", "string_", "bytes_")


def _stack(samples: Sequence[Any]) -> Tensor:
    from ...backends import array_module

    first = samples[0]
    for position, sample in enumerate(samples):
        if not isinstance(sample, Tensor):
            raise TypeError(f"default_collate: expected Tensor as element {position} in "
                            f"argument 0, but got {type(sample).__name__}")
        if sample.shape != first.shape:
            raise RuntimeError(f"default_collate: stack expects each tensor to be equal size, "
                               f"but got {list(first.shape)} at entry 0 and "
                               f"{list(sample.shape)} at entry {position}")
    arrays = [sample._array for sample in samples]
    return Tensor._make(array_module(arrays[0]).stack(arrays), None)


def _from_numpy(samples: Sequence[Any]) -> Tensor:
    first = samples[0]
    for position, sample in enumerate(samples):
        if not _is_numpy(sample):
            raise TypeError(f"default_collate: sample {position} is a "
                            f"{type(sample).__name__}, but sample 0 is a NumPy "
                            f"{type(first).__name__}; a batch must hold one kind")
        if _STRING_OR_OBJECT.search(np.asarray(sample).dtype.str):
            raise TypeError(_UNSUPPORTED.format(np.asarray(sample).dtype))
    if isinstance(first, np.ndarray) and first.ndim:
        return _stack([Tensor._make(np.asarray(sample), None) for sample in samples])
    return Tensor._make(np.asarray(samples), None)  # NumPy scalars keep their dtype


def _from_numbers(samples: Sequence[Any], dtype: Any) -> Tensor:
    from ...creation import tensor

    for position, sample in enumerate(samples):
        if not isinstance(sample, Number):
            raise TypeError(f"default_collate: sample {position} is a "
                            f"{type(sample).__name__}, but sample 0 is a "
                            f"{type(samples[0]).__name__}; a batch must hold one kind")
    return tensor(samples, dtype=dtype)


def _fields(samples: Sequence[Any]) -> list[tuple[Any, ...]]:
    size = len(samples[0])
    if any(len(sample) != size for sample in samples):
        raise RuntimeError("each element in list of batch should be of equal size")
    return list(zip(*samples))


def default_collate(batch: Sequence[Any]) -> Any:
    """A list of samples as one batch, by PyTorch's rules (see the module docstring).
    Strings come back as the sequence they came in (a list at the top, a tuple inside
    tuples and lists, as in PyTorch).

    >>> import chainrule as cr
    >>> x, y = default_collate([(cr.tensor([1.0, 2.0]), 0), (cr.tensor([3.0, 4.0]), 1)])
    >>> x.shape, y.tolist(), y.dtype
    (chainrule.Size([2, 2]), [0, 1], chainrule.int64)
    """
    first = batch[0]
    if isinstance(first, Tensor):
        return _stack(batch)
    if _is_numpy(first):
        return _from_numpy(batch)
    if isinstance(first, float):
        from ..._dtype import float64

        return _from_numbers(batch, float64)
    if isinstance(first, (int, complex)):  # bools too: their tensor is a bool tensor
        return _from_numbers(batch, None)
    if isinstance(first, (str, bytes)):
        return batch
    if isinstance(first, Mapping):
        collated = {key: default_collate([sample[key] for sample in batch]) for key in first}
        try:
            return type(first)(collated)  # type: ignore[call-arg]
        except TypeError:
            return collated
    if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple
        return type(first)(*(default_collate(field) for field in _fields(batch)))
    if isinstance(first, Sequence):
        return [default_collate(field) for field in _fields(batch)]
    raise TypeError(_UNSUPPORTED.format(type(first)))


def default_convert(data: Any) -> Any:
    """One sample made ready without batching (for `DataLoader(batch_size=None)`): NumPy
    arrays become tensors, recursively inside dicts and sequences (tuples become lists, as
    in PyTorch); everything else is kept."""
    if isinstance(data, Tensor):
        return data
    if _is_numpy(data):
        if isinstance(data, np.ndarray) and _STRING_OR_OBJECT.search(data.dtype.str):
            return data
        return Tensor._make(np.asarray(data), None)  # arrays and NumPy scalars alike
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(value) for value in data))
    if isinstance(data, tuple):
        return [default_convert(value) for value in data]
    if isinstance(data, Sequence) and not isinstance(data, (str, bytes)):
        return [default_convert(value) for value in data]
    return data
