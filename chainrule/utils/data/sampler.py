"""Samplers, PyTorch's `torch.utils.data.sampler`: iterables of dataset indices (or, for
`BatchSampler`, of lists of them) that decide the order a DataLoader loads samples in.

Random samplers draw from NumPy through a `cr.Generator` (`generator=`), or from the global
one that `cr.manual_seed` seeds: reproducible, but not PyTorch's stream of numbers, so the
orders differ from torch's while their lengths and kinds of order are the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence, Sized
from typing import Any, Generic, TypeVar

import numpy as np

__all__ = ["Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler"]


def _rng(generator: Any) -> np.random.Generator:
    from ...random import default_generator

    return (generator or default_generator).numpy


T_co = TypeVar("T_co", covariant=True)


class Sampler(Generic[T_co]):
    """An iterable of dataset indices, for `DataLoader(sampler=...)`: define `__iter__`
    (and `__len__`, which `len(loader)` needs)."""

    def __init__(self, data_source: Sized | None = None) -> None:
        pass  # PyTorch accepts and ignores it

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class SequentialSampler(Sampler[int]):
    """0, 1, …, len(data_source) − 1."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self.data_source)))

    def _index_array(self) -> np.ndarray:
        """All the indices of one pass at once (what iterating gives), for the loader's
        gather of a TensorDataset."""
        return np.arange(len(self.data_source))

    def __len__(self) -> int:
        return len(self.data_source)


class RandomSampler(Sampler[int]):
    """A random order of the indices: a fresh permutation each pass (repeated whole, then a
    part of one, when `num_samples` exceeds the length), or, with `replacement=True`,
    `num_samples` independent uniform draws."""

    def __init__(self, data_source: Sized, replacement: bool = False,
                 num_samples: int | None = None, generator: Any = None) -> None:
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        if not isinstance(replacement, bool):
            raise TypeError(f"replacement should be a boolean value, but got "
                            f"replacement={replacement}")
        count = self.num_samples
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={count}")

    @property
    def num_samples(self) -> int:
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def __iter__(self) -> Iterator[int]:
        yield from self._index_array().tolist()

    def _index_array(self) -> np.ndarray:
        """All the indices of one pass at once (what iterating gives, from the same draws)."""
        count, wanted, rng = len(self.data_source), self.num_samples, _rng(self.generator)
        if self.replacement:
            return rng.integers(0, count, size=wanted)
        parts = [rng.permutation(count) for _ in range(wanted // count)]
        if wanted % count:  # (no draw when nothing is left: one epoch = one permutation)
            parts.append(rng.permutation(count)[:wanted % count])
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(Sampler[int]):
    """The given indices, in a fresh random order each pass."""

    def __init__(self, indices: Sequence[int], generator: Any = None) -> None:
        self.indices = indices
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        for position in _rng(self.generator).permutation(len(self.indices)).tolist():
            yield self.indices[position]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(Sampler[int]):
    """`num_samples` indices drawn with probability proportional to `weights` (with
    replacement unless `replacement=False`)."""

    def __init__(self, weights: Sequence[float], num_samples: int, replacement: bool = True,
                 generator: Any = None) -> None:
        if isinstance(num_samples, bool) or not isinstance(num_samples, int) or \
                num_samples <= 0:
            raise ValueError(f"num_samples should be a positive integer value, but got "
                             f"num_samples={num_samples}")
        if not isinstance(replacement, bool):
            raise ValueError(f"replacement should be a boolean value, but got "
                             f"replacement={replacement}")
        array = weights._array if hasattr(weights, "_array") else weights
        self.weights = np.asarray(array, dtype=np.float64)
        if self.weights.ndim != 1:
            raise ValueError(f"weights should be a 1d sequence but given weights have shape "
                             f"{tuple(self.weights.shape)}")
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def __iter__(self) -> Iterator[int]:
        weights = self.weights
        if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
            raise RuntimeError("WeightedRandomSampler: the weights must be finite, "
                               "non-negative and not all zero (probability tensor contains "
                               "either `inf`, `nan` or element < 0, or sums to 0)")
        if not self.replacement and self.num_samples > np.count_nonzero(weights):
            raise RuntimeError(f"WeightedRandomSampler: cannot sample n_sample "
                               f"({self.num_samples}) > the {np.count_nonzero(weights)} "
                               "non-zero weights without replacement")
        draws = _rng(self.generator).choice(len(weights), size=self.num_samples,
                                            replace=self.replacement, p=weights / weights.sum())
        yield from draws.tolist()

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Groups the indices another sampler yields into lists of `batch_size` (the last one
    shorter, or dropped with `drop_last=True`).

    >>> list(BatchSampler(SequentialSampler(range(5)), batch_size=2, drop_last=False))
    [[0, 1], [2, 3], [4]]
    """

    def __init__(self, sampler: Iterable[int], batch_size: int, drop_last: bool) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(f"batch_size should be a positive integer value, but got "
                             f"batch_size={batch_size}")
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got "
                             f"drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def __iter__(self) -> Iterator[list[int]]:
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        count = len(self.sampler)  # type: ignore[arg-type]
        return count // self.batch_size if self.drop_last else -(-count // self.batch_size)
