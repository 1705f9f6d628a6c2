"""`DataLoader`, PyTorch's `torch.utils.data.dataloader`: batches of a dataset, in the order
a sampler gives, collated by `collate_fn`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from ...tensor import Tensor
from .collate import default_collate, default_convert
from .dataset import IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader", "default_collate", "default_convert", "get_worker_info"]


def get_worker_info() -> None:
    """Information about the loader worker this code runs in: always None, because
    chainrule loads in the calling process (see `DataLoader`), which PyTorch also answers
    with None."""
    return None


def _check_worker_options(num_workers: int, timeout: float, prefetch_factor: int | None,
                          persistent_workers: bool) -> None:
    """PyTorch's checks of the multiprocessing options, with its messages."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, int) or num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")


def _check_iterable_options(shuffle: Any, sampler: Any, batch_sampler: Any) -> None:
    for name, value in (("shuffle", shuffle), ("sampler", sampler),
                        ("batch_sampler", batch_sampler)):
        if value not in (None, False):
            raise ValueError(f"DataLoader with IterableDataset: expected unspecified {name} "
                             f"option, but got {name}={value}")


class DataLoader:
    """Iterates over a dataset in batches: PyTorch's `DataLoader`, with its arguments,
    defaults, errors for options that exclude each other, and `len()`.

    The order comes from `sampler` (default: `SequentialSampler`, or `RandomSampler` with
    `shuffle=True`, drawing from `generator` or the global `cr.manual_seed` stream); indices
    are grouped by `batch_sampler` (default: `BatchSampler(sampler, batch_size, drop_last)`);
    each batch is `collate_fn([dataset[i] for i in batch])` (default: `default_collate`).
    `batch_size=None` turns batching off: each sample goes through `default_convert`.
    A `TensorDataset` with the default collation is batched with one index-array gather per
    tensor instead of a per-sample loop; the batch is the same.

    `num_workers > 0` is accepted, and loads in this process: a single-process fallback that
    gives exactly the batches, in the order, that PyTorch's workers give with
    `in_order=True`, because there the main process's sampler alone decides which indices
    each batch holds and workers only fetch them. Worker processes would have to copy the
    dataset into each one for no gain on NumPy data already in memory, and the fallback keeps
    results independent of the process layout. So `worker_init_fn` is never called (no worker
    starts) and `get_worker_info()` is None, as in PyTorch's main process: an
    `IterableDataset` that shards itself by worker id yields its data once.
    `pin_memory`, `timeout`, `prefetch_factor`, `persistent_workers`,
    `multiprocessing_context`, `pin_memory_device` and `in_order` are checked as PyTorch
    checks them and otherwise have no effect.

    >>> import chainrule as cr
    >>> data = cr.utils.data.TensorDataset(cr.arange(10), cr.arange(10) * 2)
    >>> [x.tolist() for x, _ in cr.utils.data.DataLoader(data, batch_size=4)]
    [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool | None = None,
                 sampler: Sampler | Iterable[Any] | None = None,
                 batch_sampler: Sampler | Iterable[list[Any]] | None = None,
                 num_workers: int = 0, collate_fn: Callable[[list[Any]], Any] | None = None,
                 pin_memory: bool = False, drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Callable[[int], None] | None = None,
                 multiprocessing_context: Any = None, generator: Any = None, *,
                 prefetch_factor: int | None = None, persistent_workers: bool = False,
                 pin_memory_device: str = "", in_order: bool = True) -> None:
        _check_worker_options(num_workers, timeout, prefetch_factor, persistent_workers)
        iterable = isinstance(dataset, IterableDataset)
        if iterable:
            _check_iterable_options(shuffle, sampler, batch_sampler)
        elif not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: {type(dataset).__name__} is not a dataset (a "
                            "map-style dataset needs __getitem__ and __len__; an iterable "
                            "one subclasses IterableDataset)")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None and not iterable:
            sampler = (RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None and not iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # type: ignore
        elif batch_size is not None and iterable:
            BatchSampler([], batch_size, drop_last)  # the same checks of batch_size
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        self.num_workers = num_workers
        self.collate_fn = collate_fn if collate_fn is not None else (
            default_collate if batch_size is not None or batch_sampler is not None
            else default_convert)
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None \
            else prefetch_factor
        self.persistent_workers = persistent_workers
        self.in_order = in_order

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None or (
            isinstance(self.dataset, IterableDataset) and self.batch_size is not None)

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            return self._iterate_stream()
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[index]) for index in self.sampler)  # type: ignore
        return self._iterate_batches()

    def _iterate_batches(self) -> Iterator[Any]:
        gather = (type(self.dataset).__getitem__ is TensorDataset.__getitem__
                  and self.collate_fn is default_collate)
        if gather and type(self.batch_sampler) is BatchSampler and \
                type(self.batch_sampler.sampler) in (SequentialSampler, RandomSampler):
            yield from self._gather_slices(self.batch_sampler)
            return
        for indices in self.batch_sampler:  # type: ignore[union-attr]
            if gather:  # one fancy-index per tensor: what stacking the samples would give
                rows = np.asarray(list(indices), dtype=np.int64)
                yield [Tensor._make(t._array[rows], None) for t in self.dataset.tensors]
            else:
                yield self.collate_fn([self.dataset[index] for index in indices])

    def _gather_slices(self, batches: BatchSampler) -> Iterator[list[Tensor]]:
        """The batches of a TensorDataset under the default samplers, cut from the pass's
        index array in NumPy (no per-index Python loop); the same batches as iterating."""
        order = batches.sampler._index_array()  # type: ignore[attr-defined]
        size = batches.batch_size
        for start in range(0, len(order), size):
            rows = order[start:start + size]
            if batches.drop_last and len(rows) < size:
                return
            yield [Tensor._make(t._array[rows], None) for t in self.dataset.tensors]

    def _iterate_stream(self) -> Iterator[Any]:
        if self.batch_size is None:
            for sample in self.dataset:
                yield self.collate_fn(sample)
            return
        batch: list[Any] = []
        for sample in self.dataset:
            batch.append(sample)
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):
            count = len(self.dataset)
            if self.batch_size is None:
                return count
            return count // self.batch_size if self.drop_last else -(-count // self.batch_size)
        chosen = self.batch_sampler if self.batch_sampler is not None else self.sampler
        return len(chosen)  # type: ignore[arg-type]
