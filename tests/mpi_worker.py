"""The programs that tests/test_distributed.py runs under `mpiexec -n 2`.

    mpiexec -n 2 python tests/mpi_worker.py collectives OUT_FOLDER
    mpiexec -n 2 python tests/mpi_worker.py ddp OUT_FOLDER
    mpiexec -n 2 python tests/mpi_worker.py train OUT_FOLDER
    mpiexec -n 2 python tests/mpi_worker.py raise | sleep

Each rank writes what it saw to OUT_FOLDER/rank{r}.json (or .npz); the test compares.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

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


class _Tagger(cr.nn.Module):
    """An embedding with row-sparse gradients feeding a linear layer."""

    def __init__(self) -> None:
        super().__init__()
        self.words = cr.nn.Embedding(20, 4, sparse=True)
        self.out = cr.nn.Linear(8, 3)

    def forward(self, ids: cr.Tensor) -> cr.Tensor:
        return self.out(self.words(ids).flatten(1))


def _models() -> dict[str, tuple[cr.nn.Module, cr.optim.Optimizer]]:
    mlp = cr.nn.Sequential(cr.nn.Linear(6, 16), cr.nn.Tanh(), cr.nn.Linear(16, 16),
                           cr.nn.ReLU(), cr.nn.Linear(16, 3))
    tagger = _Tagger()
    return {"mlp": (mlp, cr.optim.SGD(mlp.parameters(), lr=0.1, momentum=0.9)),
            "sparse": (tagger, cr.optim.SGD(tagger.parameters(), lr=0.5))}


def ddp_data(kind: str, steps: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    """The global batches: `steps` of `batch` rows each."""
    rng = np.random.default_rng(7)
    inputs = (rng.standard_normal((steps, batch, 6)).astype(np.float32) if kind == "mlp" else
              rng.integers(0, 20, (steps, batch, 2)))
    return inputs, rng.integers(0, 3, (steps, batch))


def _train(kind: str, model: cr.nn.Module, optimizer: cr.optim.Optimizer, rows: slice,
           steps: int, batch: int, accumulate: int, no_sync: Any = None) -> None:
    x, y = ddp_data(kind, steps, batch)
    for step in range(0, steps, accumulate):
        optimizer.zero_grad()
        for micro in range(step, step + accumulate):
            loss = cr.nn.functional.cross_entropy(model(cr.from_numpy(x[micro, rows])),
                                                  cr.from_numpy(y[micro, rows]))
            if no_sync is not None and micro < step + accumulate - 1:
                with no_sync():
                    (loss / accumulate).backward()
            else:
                (loss / accumulate).backward()
        optimizer.step()


def ddp_reference(kind: str, steps: int = 6, batch: int = 8, accumulate: int = 2
                  ) -> list[np.ndarray]:
    """One process, whole global batches: what the data-parallel run must end with."""
    cr.manual_seed(0)
    model, optimizer = _models()[kind]
    _train(kind, model, optimizer, slice(None), steps, batch, accumulate)
    return [p.detach().numpy() for p in model.parameters()]


def ddp(steps: int = 6, batch: int = 8, accumulate: int = 2) -> dict[str, Any]:
    """Each rank takes its half of every global batch; `no_sync` for all but the last
    micro-batch of each step; a different seed per rank, so the start must come from rank 0.
    Buckets of 100 bytes, so that several all-reduces overlap the backward pass."""
    from chainrule.nn.parallel import DistributedDataParallel

    rank, size = dist.get_rank(), dist.get_world_size()
    cr.manual_seed(0 if rank == 0 else 123)
    models = _models()
    rows = slice(rank * batch // size, (rank + 1) * batch // size)
    saved: dict[str, Any] = {}
    overlapped: list[int] = []
    for kind, (module, optimizer) in models.items():
        model = DistributedDataParallel(module, bucket_cap_mb=100 / 2**20)  # a layer each
        if kind == "mlp":  # when the first layer's gradients come, later ones are moving
            for param in module[0].parameters():
                param.register_post_accumulate_grad_hook(_count_in_flight(model, overlapped))
        _train(kind, model, optimizer, rows, steps, batch, accumulate, model.no_sync)
        saved.update({f"{kind}{i}": p.detach().numpy()
                      for i, p in enumerate(module.parameters())})
    saved["in_flight_during_backward"] = np.array(overlapped)
    saved["unused_parameter_error"] = np.array(_unused_parameter_error())
    return saved


def _count_in_flight(model: Any, counts: list[int]) -> Any:
    def hook(param: cr.Tensor) -> None:
        if model.require_backward_grad_sync:
            counts.append(len(model.reducer.in_flight))
    return hook


def _unused_parameter_error() -> str:
    from chainrule.nn.parallel import DistributedDataParallel

    class HalfUsed(cr.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.used = cr.nn.Linear(2, 2)
            self.unused = cr.nn.Linear(2, 2)

        def forward(self, x: cr.Tensor) -> cr.Tensor:
            return self.used(x)

    model = DistributedDataParallel(HalfUsed())
    model(cr.ones(1, 2)).sum().backward()
    try:
        model(cr.ones(1, 2))
    except RuntimeError as error:
        return str(error)
    return "no error"


def train_twice(out: Path) -> dict[str, Any]:
    """`chainrule train`'s function under mpiexec: an uninterrupted run, and one stopped
    after its first epoch (as Ctrl-C would) and resumed; batches of 7 rows, split 4 + 3."""
    from chainrule.apps.training import TrainConfig, train
    from chainrule.apps.training.trainer import Interrupted

    def config(folder: str) -> TrainConfig:
        return TrainConfig(epochs=3, batch_size=7, hidden=[16], dropout=0.1,
                           out=str(out / folder), progress=False)

    whole = train(config("whole"), report=False)
    try:
        train(config("resumed"), interrupt_after=1, report=False)
    except Interrupted:
        pass
    resumed = train(config("resumed"), resume=True, report=False)
    return {"whole": whole.test_accuracy, "resumed": resumed.test_accuracy,
            "history_whole": [r["val_loss"] for r in whole.history],
            "history_resumed": [r["val_loss"] for r in resumed.history]}


def main() -> None:
    mode = sys.argv[1]
    faulty = mode in ("raise", "sleep")
    dist.init_process_group("mpi", timeout=timedelta(seconds=2) if faulty else None)
    rank = dist.get_rank()
    if mode == "raise" and rank == 1:
        raise ValueError("boom on rank 1")
    if mode == "sleep" and rank == 1:
        time.sleep(60)
    if faulty:
        dist.all_reduce(cr.ones(3))
        print("all_reduce returned", flush=True)  # must not happen
        return
    out = Path(sys.argv[2])
    if mode == "collectives":
        (out / f"rank{rank}.json").write_text(json.dumps(collectives()))
    elif mode == "train":
        (out / f"rank{rank}.json").write_text(json.dumps(train_twice(out)))
    elif mode == "ddp":
        np.savez(out / f"rank{rank}.npz", **ddp())
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
