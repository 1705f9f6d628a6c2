"""`DistributedSampler`, PyTorch's `torch.utils.data.distributed`: the share of a data set
that one process of a `chainrule.distributed` group loads."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler[int]):
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
            from ... import distributed

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
