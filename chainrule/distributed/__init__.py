"""Data-parallel training across processes and machines: PyTorch's `torch.distributed`,
with its MPI backend.

    mpiexec -n 2 python train.py        # two processes on this machine

    import chainrule.distributed as dist
    dist.init_process_group("mpi")      # rank and world size from the MPI launcher
    x = cr.ones(3) * (dist.get_rank() + 1)
    dist.all_reduce(x)                  # in place: every process now holds 3s

Collectives (`all_reduce`, `broadcast`, `all_gather`, `reduce`, `gather`, `scatter`,
`barrier`) and point-to-point calls (`send`, `recv`, `isend`, `irecv`) take tensors and work
on their arrays in place; `async_op=True` returns a `Work` whose `wait()` completes the
call. mpi4py, the MPI binding, is imported by `init_process_group`, never by
`import chainrule`; `pip install "chainrule[mpi]"` brings it with Open MPI. Once the group
exists, an exception in any process stops the whole job with that process's traceback, and a
call that waits past the group's timeout stops it with the names of the missing ranks.
`chainrule.nn.parallel.DistributedDataParallel` builds data-parallel training on this, and
`chainrule.utils.data.DistributedSampler` shards a data set.
"""

from .collectives import (
    ReduceOp,
    Work,
    all_gather,
    all_reduce,
    barrier,
    broadcast,
    gather,
    irecv,
    isend,
    recv,
    reduce,
    scatter,
    send,
)
from .group import (
    destroy_process_group,
    get_backend,
    get_rank,
    get_world_size,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_launched,
)

__all__ = ["init_process_group", "destroy_process_group", "is_available", "is_initialized",
           "is_mpi_launched", "get_rank", "get_world_size", "get_backend", "ReduceOp", "Work",
           "barrier", "all_reduce", "broadcast", "all_gather", "reduce", "gather", "scatter",
           "send", "recv", "isend", "irecv"]
