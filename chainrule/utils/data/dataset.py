"""Datasets, PyTorch's `torch.utils.data.dataset`: map-style (`Dataset`: `__getitem__` and
`__len__`) and iterable-style (`IterableDataset`: `__iter__`), and the ways to combine and
split them (`TensorDataset`, `ConcatDataset`, `ChainDataset`, `Subset`, `random_split`).
"""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Generic, TypeVar

from ...tensor import Tensor

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split"]

T_co = TypeVar("T_co", covariant=True)


class Dataset(Generic[T_co]):
    """A map-style collection of samples: define `__getitem__` (and `__len__`, which the
    default samplers need). `a + b` concatenates two datasets."""

    def __getitem__(self, index: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")

    def __add__(self, other: Dataset[Any]) -> ConcatDataset:
        return ConcatDataset([self, other])


class IterableDataset(Dataset[T_co]):
    """A stream of samples: define `__iter__`. A DataLoader batches it in the order it
    yields, with no sampler. `a + b` chains two streams."""

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __add__(self, other: Dataset[Any]) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class TensorDataset(Dataset):
    """Samples are the rows of tensors that share their first dimension: sample i is
    `tuple(t[i] for t in tensors)`.

    >>> import chainrule as cr
    >>> data = TensorDataset(cr.arange(3), cr.arange(3) * 10)
    >>> [t.item() for t in data[2]], len(data)
    ([2, 20], 3)
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for position, tensor in enumerate(tensors):
            if not isinstance(tensor, Tensor):
                raise TypeError(f"TensorDataset: argument {position} is a "
                                f"{type(tensor).__name__}, expected a Tensor")
        sizes = {t.shape[0] if t.ndim else None for t in tensors}
        if len(sizes) != 1 or None in sizes:
            shapes = ", ".join(str(t.shape) for t in tensors)
            raise ValueError(f"TensorDataset: all tensors must have the same first dimension, "
                             f"got shapes {shapes}")
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor._make(t._array[index], None) for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class StackDataset(Dataset):
    """Several datasets of one length side by side: sample i is the tuple (or, given as
    keywords, the dict) of their samples i."""

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError("Supported either ``tuple``- (via ``args``) or``dict``- (via "
                             "``kwargs``) like input/output, but both types are given.")
        parts = args or tuple(kwargs.values())
        if not parts:
            raise ValueError("At least one dataset should be passed")
        lengths = {len(part) for part in parts}  # type: ignore[arg-type]
        if len(lengths) != 1:
            raise ValueError(f"Size mismatch between datasets: lengths {sorted(lengths)}")
        self._length = lengths.pop()
        self.datasets: Any = args if args else kwargs

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {key: dataset[index] for key, dataset in self.datasets.items()}
        return tuple(dataset[index] for dataset in self.datasets)

    def __len__(self) -> int:
        return self._length


class ConcatDataset(Dataset):
    """Map-style datasets one after another: index i falls in the first dataset whose
    `cumulative_sizes` entry exceeds it."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if not self.datasets:
            raise AssertionError("datasets should not be an empty iterable")
        for dataset in self.datasets:
            if isinstance(dataset, IterableDataset):
                raise AssertionError("ConcatDataset does not support IterableDataset")
        self.cumulative_sizes: list[int] = []
        total = 0
        for dataset in self.datasets:
            total += len(dataset)
            self.cumulative_sizes.append(total)

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, index: int) -> Any:
        if index < 0:
            if -index > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            index = len(self) + index
        which = bisect.bisect_right(self.cumulative_sizes, index)
        offset = index if which == 0 else index - self.cumulative_sizes[which - 1]
        return self.datasets[which][offset]


class ChainDataset(IterableDataset):
    """Iterable datasets one after another, chained lazily."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from dataset

    def __len__(self) -> int:
        total = 0
        for dataset in self.datasets:
            if not isinstance(dataset, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            total += len(dataset)
        return total


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, list):
            return self.dataset[[self.indices[i] for i in index]]
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def _lengths_from_fractions(lengths: Sequence[float], total: int) -> list[int]:
    """PyTorch's rounding: floor each share, then hand the remainder out one by one from
    the first subset on."""
    counts = [int(math.floor(total * fraction)) for fraction in lengths]
    for position in range(total - sum(counts)):
        counts[position % len(counts)] += 1
    for position, count in enumerate(counts):
        if count == 0:
            warnings.warn(f"Length of split at index {position} is 0. This might result in an "
                          "empty dataset.", stacklevel=3)
    return counts


def random_split(dataset: Dataset, lengths: Sequence[int | float], generator: Any = None
                 ) -> list[Subset]:
    """Splits a dataset into non-overlapping random subsets of the given lengths, or of the
    given fractions of its length when they sum to 1 (`[0.8, 0.2]`). The permutation comes
    from `generator` (a `cr.Generator`), else from the global one (`cr.manual_seed`).

    >>> import chainrule as cr
    >>> [len(part) for part in random_split(range(10), [0.7, 0.3])]
    [7, 3]
    """
    from ...random import default_generator

    lengths = list(lengths)
    fractional = (math.isclose(sum(lengths), 1) and sum(lengths) <= 1
                  and not all(isinstance(n, int) for n in lengths))
    if fractional:
        if any(n < 0 or n > 1 for n in lengths):
            raise ValueError(f"random_split: fractions must lie in [0, 1], got {lengths}")
        lengths = _lengths_from_fractions(lengths, len(dataset))  # type: ignore[arg-type]
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints (or fractions "
                         f"summing to 1), got {lengths}")
    if sum(lengths) != len(dataset):  # type: ignore[arg-type]
        raise ValueError(f"random_split: lengths sum to {sum(lengths)}, but the dataset has "
                         f"{len(dataset)} samples; expected them to be equal")  # type: ignore
    order = (generator or default_generator).numpy.permutation(sum(lengths)).tolist()
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start:start + int(length)]))
        start += int(length)
    return subsets
