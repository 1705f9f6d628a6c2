"""The programs that tests/test_distributed.py runs under `mpiexec -n 2`.

    mpiexec -n 2 python tests/mpi_worker.py collectives OUT_FOLDER
    mpiexec -n 2 python tests/mpi_worker.py raise | sleep

Each rank writes what it saw to OUT_FOLDER/rank{r}.json ; the test compares.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import chainrule as cr
import chainrule.distributed as dist


def collectives() -> dict[str, Any]:
    """Every collective once, on values that differ by rank (rank r holds r + 1)."""
    rank, size = dist.get_rank(), dist.get_world_size()
    seen: dict[str, Any] = {"rank": rank, "size": size, "backend": dist.get_backend()}
    for op in ("SUM", "AVG", "MAX", "MIN", "PRODUCT"):
        x = cr.tensor([1.0, 2.0]) * (rank + 1)
        dist.all_reduce(x, getattr(dist.ReduceOp, op))
        seen[f"all_reduce_{op}"] = x.tolist()
    x = cr.arange(6.0).reshape(2, 3).T * (rank + 1)  # strided: staged and written back
    work = dist.all_reduce(x, async_op=True)
    seen["async_completed_after_wait"] = work.wait() and work.is_completed()
    seen["all_reduce_strided"] = x.tolist()
    x = cr.tensor([10.0 * rank, 1.0])
    dist.broadcast(x, src=1)
    seen["broadcast"] = x.tolist()
    parts = [cr.zeros(r + 1, dtype=cr.int64) for r in range(size)]
    dist.all_gather(parts, cr.full((rank + 1,), rank, dtype=cr.int64))
    seen["all_gather"] = [p.tolist() for p in parts]
    x = cr.tensor([rank + 1.0])
    dist.reduce(x, dst=0, op=dist.ReduceOp.SUM)
    seen["reduce"] = x.tolist()
    gathered = [cr.zeros(2) for _ in range(size)] if rank == 0 else None
    dist.gather(cr.ones(2) * rank, gathered, dst=0)
    seen["gather"] = None if gathered is None else [g.tolist() for g in gathered]
    x = cr.zeros(2)
    dist.scatter(x, [cr.full((2,), 5.0 + r) for r in range(size)] if rank == 1 else None,
                 src=1)
    seen["scatter"] = x.tolist()
    seen.update(_point_to_point(rank))
    dist.barrier()
    sampler = cr.utils.data.DistributedSampler(list(range(5)), shuffle=False)
    seen["sampler"] = list(sampler)
    return seen


def _point_to_point(rank: int) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    if rank == 0:
        dist.send(cr.tensor([42.0, 43.0]), dst=1, tag=3)
        work = dist.isend(cr.tensor([7.0]), dst=1)
        work.wait()
    else:
        x = cr.zeros(2)
        seen["recv_from"] = dist.recv(x, tag=3)
        seen["recv"] = x.tolist()
        y = cr.zeros(1)
        dist.irecv(y, src=0).wait()
        seen["irecv"] = y.tolist()
    return seen


def main() -> None:
    mode = sys.argv[1]
    dist.init_process_group("mpi", timeout=timedelta(seconds=2))
    rank = dist.get_rank()
    if mode == "raise" and rank == 1:
        raise ValueError("boom on rank 1")
    if mode == "sleep" and rank == 1:
        time.sleep(60)
    if mode in ("raise", "sleep"):
        dist.all_reduce(cr.ones(3))
        print("all_reduce returned", flush=True)  # must not happen
        return
    out = Path(sys.argv[2])
    if mode == "collectives":
        (out / f"rank{rank}.json").write_text(json.dumps(collectives()))
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
