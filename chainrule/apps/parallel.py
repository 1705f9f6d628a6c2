"""The applications across processes: started under `mpiexec -n N`, `chainrule train` and
`chainrule ner train` train data-parallel, with no flag of their own.

`join()` finds the MPI launch and joins the process group (one process alone, or no
launcher: nothing changes). Each process then holds the model, wrapped in
`DistributedDataParallel`, and takes its share of every global batch (`RankBatches`): the
batches are what one process would draw (the same order on every process, shuffled anew
each epoch from the seed), split row-wise across the processes, and each share's loss is
weighted by its size so that uneven shares still average to the global batch's gradient.
Rank 0 alone writes files and prints; every process evaluates (so that all agree on early
stopping). The output folder must be reachable by every process (one machine, or a shared
file system), since `--resume` reads the checkpoint in each.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule import distributed, manual_seed, nn

__all__ = ["Processes", "join", "RankBatches", "data_parallel", "with_global_mean_loss",
           "stop_the_job"]


@dataclass(frozen=True)
class Processes:
    """This process's place in the job."""

    rank: int = 0
    size: int = 1

    @property
    def parallel(self) -> bool:
        return self.size > 1

    @property
    def writes(self) -> bool:
        """Whether this process writes the run's files and output (rank 0)."""
        return self.rank == 0

    def describe(self, batch_size: int) -> str:
        share = batch_size / self.size
        shown = f"{share:g}" if share == int(share) else f"about {share:.1f}"
        return (f"data-parallel on {self.size} processes (mpiexec): each takes {shown} rows "
                f"of every batch of {batch_size}")


def join() -> Processes:
    """Joins the MPI job this process was launched in, if any, and waits for the other
    processes; other ranks than 0 print nothing from then on (errors still reach stderr)."""
    if not distributed.is_mpi_launched():
        return Processes()
    if not distributed.is_initialized():
        distributed.init_process_group("mpi")
    processes = Processes(distributed.get_rank(), distributed.get_world_size())
    if processes.parallel:
        # Start together: whatever rank 0 wrote before (a checkpoint to resume) is complete.
        distributed.barrier()
        if not processes.writes:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    return processes


def data_parallel(model: nn.Module, processes: Processes) -> nn.Module:
    """The model as the training step calls it: wrapped to average gradients, when
    parallel."""
    if not processes.parallel:
        return model
    from chainrule.nn.parallel import DistributedDataParallel

    return DistributedDataParallel(model)


class RankBatches:
    """This process's rows of every global batch, and its loss weight: `(rows, weight)`.

    The global order is a permutation of `count` rows drawn from `seed` and the epoch
    (the same on every process, like `DistributedSampler`); each batch of `batch_size` rows
    is dealt out row by row (rank r takes rows r, r + N, …). A share's mean loss times
    `weight` = N · rows / batch averages, over the processes, to the batch's mean loss; a
    process left without rows (a last batch smaller than N) gets one row with weight 0.
    Each epoch also reseeds this process's random stream (dropout, word dropout) from the
    seed, the epoch and the rank, so that a resumed run draws what it would have drawn.
    """

    def __init__(self, count: int, batch_size: int, processes: Processes, seed: int,
                 first_epoch: int = 1) -> None:
        self.count = count
        self.batch_size = batch_size
        self.processes = processes
        self.seed = seed
        self.epoch = first_epoch - 1

    def __len__(self) -> int:
        return -(-self.count // self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, float]]:
        self.epoch += 1
        rank, size = self.processes.rank, self.processes.size
        manual_seed(int(np.random.SeedSequence([self.seed, self.epoch, rank]).generate_state(
            1)[0]))
        order = np.random.default_rng([self.seed, self.epoch]).permutation(self.count)
        for start in range(0, self.count, self.batch_size):
            batch = order[start:start + self.batch_size]
            rows = batch[rank::size]
            if len(rows) == 0:
                yield batch[:1], 0.0
            else:
                yield rows, size * len(rows) / len(batch)


def with_global_mean_loss(evaluate: Callable[[Any], Any], processes: Processes
                          ) -> Callable[[Any], Any]:
    """The caller's epoch evaluation, seeing the epoch's mean loss over all processes."""
    if not processes.parallel:
        return evaluate

    def run(end: Any) -> Any:
        from chainrule import float64, tensor

        loss = tensor([end.mean_loss], dtype=float64)
        distributed.all_reduce(loss, distributed.ReduceOp.AVG)
        end.mean_loss = loss.item()
        return evaluate(end)
    return run


def stop_the_job(message: str) -> None:
    """After an error in one process of a parallel job: says which rank failed and aborts
    every process (leaving would keep the others waiting forever)."""
    if not distributed.is_initialized() or distributed.get_world_size() == 1:
        return
    rank, size = distributed.get_rank(), distributed.get_world_size()
    print(f"chainrule: rank {rank} of {size} failed ({message}); stopping all {size} "
          "processes", file=sys.stderr, flush=True)
    from mpi4py import MPI

    MPI.COMM_WORLD.Abort(1)
