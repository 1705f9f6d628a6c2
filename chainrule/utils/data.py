"""Datasets and the DataLoader that batches them (PyTorch's `torch.utils.data`).

Shuffling draws from chainrule's seeded generator, so `cr.manual_seed` makes epochs
reproducible. A `TensorDataset` is batched by slicing its tensors with an index array
(one gather per batch, no per-sample Python loop).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "DataLoader", "default_collate", "random_split",
           "Subset", "Sampler", "DistributedSampler"]


class Dataset:
    """A sized collection of samples: define `__getitem__` and `__len__`."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Samples are the rows of tensors that share their first dimension."""

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


class Subset(Dataset):
    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = list(indices)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


class Sampler:
    """An iterable of dataset indices, for `DataLoader(sampler=...)`: define `__iter__`
    and `__len__`."""

    def __iter__(self) -> Iterator[int]:
        raise NotImplementedError(f"{type(self).__name__} must define __iter__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class DistributedSampler(Sampler):
    """The share of a data set that one of `num_replicas` processes loads each epoch, with
    PyTorch's assignment: the index list (shuffled, or 0, 1, 2, …) is padded by repeating
    its head until every process gets as many (or, with `drop_last`, cut to a multiple of
    `num_replicas`), and process `rank` takes every `num_replicas`-th index from its
    `rank`-th. Call `set_epoch(epoch)` before each epoch for a new shuffle.

    Unlike PyTorch, whose `torch.randperm` stream cannot be reproduced outside torch, the
    shuffled order is NumPy's: `np.random.default_rng(seed + epoch).permutation(len)`, the
    same on every process (and what `cr.Generator(seed + epoch)` draws); without shuffling,
    the assignment equals PyTorch's index for index. `num_replicas` and `rank` default to
    the process group's (`chainrule.distributed`).

    >>> list(DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False))
    [1, 3, 0]
    """

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from .. import distributed

            num_replicas = distributed.get_world_size() if num_replicas is None \
                else num_replicas
            rank = distributed.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        count = len(dataset)
        if drop_last and count % num_replicas:
            self.num_samples = math.ceil((count - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(count / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self) -> Iterator[int]:
        count = len(self.dataset)
        if self.shuffle:
            indices = np.random.default_rng(self.seed + self.epoch).permutation(count)
        else:
            indices = np.arange(count)
        if self.drop_last:
            indices = indices[:self.total_size]
        elif self.total_size > count:  # pad with the head, repeated as often as needed
            indices = np.resize(indices, self.total_size)
        return iter(indices[self.rank:self.total_size:self.num_replicas].tolist())

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """The epoch whose shuffle the next iteration gives (the same on every process)."""
        self.epoch = epoch


def random_split(dataset: Dataset, lengths: Sequence[int], generator: Any = None
                 ) -> list[Subset]:
    """Splits a dataset into non-overlapping random subsets of the given lengths."""
    from ..random import default_generator

    if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints, got {list(lengths)}")
    if sum(lengths) != len(dataset):
        raise ValueError(f"random_split: lengths sum to {sum(lengths)}, but the dataset has "
                         f"{len(dataset)} samples")
    order = (generator or default_generator).numpy.permutation(len(dataset))
    subsets, start = [], 0
    for length in lengths:
        subsets.append(Subset(dataset, order[start:start + length].tolist()))
        start += length
    return subsets


def default_collate(samples: list[Any]) -> Any:
    """Stacks a list of samples into a batch, field by field."""
    first = samples[0]
    if isinstance(first, (Tensor, np.ndarray)):
        arrays = [s._array if isinstance(s, Tensor) else s for s in samples]
        for position, (sample, array) in enumerate(zip(samples, arrays)):
            if not isinstance(sample, type(first)):
                raise TypeError(f"default_collate: sample {position} is a "
                                f"{type(sample).__name__}, but sample 0 is a "
                                f"{type(first).__name__}; a batch must hold one kind")
            if array.shape != arrays[0].shape:
                raise ValueError(f"default_collate: stack expects each tensor to be equal "
                                 f"size, but got {arrays[0].shape} at entry 0 and "
                                 f"{array.shape} at entry {position}")
        return Tensor._make(np.stack(arrays), None)
    if isinstance(first, (int, np.integer)) and not isinstance(first, bool):
        return Tensor._make(np.asarray(samples, dtype=np.int64), None)
    if isinstance(first, (float, np.floating)):
        return Tensor._make(np.asarray(samples, dtype=np.float32), None)
    if isinstance(first, tuple):
        return tuple(default_collate(list(field)) for field in zip(*samples))
    if isinstance(first, list):
        return [default_collate(list(field)) for field in zip(*samples)]
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    return samples


class DataLoader:
    """Iterates over a dataset in batches, optionally shuffled each epoch.

    >>> import chainrule as cr
    >>> data = cr.utils.data.TensorDataset(cr.arange(10), cr.arange(10) * 2)
    >>> [x.tolist() for x, _ in cr.utils.data.DataLoader(data, batch_size=4)]
    [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    """

    def __init__(self, dataset: Dataset, batch_size: int | None = 1, shuffle: bool = False,
                 drop_last: bool = False, collate_fn: Any = None, generator: Any = None,
                 num_workers: int = 0, sampler: Any = None, **ignored: Any) -> None:
        if batch_size is not None and (not isinstance(batch_size, int) or batch_size <= 0):
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size!r}")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: {type(dataset).__name__} is not a map-style dataset "
                            "(it needs __getitem__ and __len__)")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.collate_fn = collate_fn
        self.generator = generator
        self.sampler = sampler  # an iterable of indices, in the order they are loaded

    def _order(self) -> np.ndarray:
        if self.sampler is not None:
            return np.fromiter(iter(self.sampler), dtype=np.int64)
        if not self.shuffle:
            return np.arange(len(self.dataset))
        from ..random import default_generator

        return (self.generator or default_generator).numpy.permutation(len(self.dataset))

    def __iter__(self) -> Iterator[Any]:
        order = self._order()
        if self.batch_size is None:
            for index in order:
                yield self.dataset[int(index)]
            return
        fast = isinstance(self.dataset, TensorDataset) and self.collate_fn is None
        for start in range(0, len(order), self.batch_size):
            indices = order[start:start + self.batch_size]
            if self.drop_last and len(indices) < self.batch_size:
                return
            if fast:
                yield self.dataset[indices]  # type: ignore[index]
            else:
                collate = self.collate_fn or default_collate
                yield collate([self.dataset[int(i)] for i in indices])

    def __len__(self) -> int:
        count = len(self.dataset) if self.sampler is None else len(self.sampler)
        if self.batch_size is None:
            return count
        return count // self.batch_size if self.drop_last else -(-count // self.batch_size)
