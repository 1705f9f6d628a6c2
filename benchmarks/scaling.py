"""Data-parallel scaling over MPI: samples/s on 1 and 2 processes, and all_reduce's cost.

    python -m benchmarks.scaling                 # W3 and W4, 3 rounds, and the all-reduce
    python -m benchmarks.scaling --rounds 5

Each measurement is a fresh `mpiexec -n P` job (`chainrule.distributed.launch`), one BLAS
thread per process (OMP/OpenBLAS/MKL_NUM_THREADS=1), Open MPI yielding the core while it
waits (OMPI_MCA_mpi_yield_when_idle=1 unless set otherwise), rounds interleaved so that machine
noise falls on both sizes alike. Every process trains the workload's MLP wrapped in
`DistributedDataParallel` on its own batch of the workload's size (per-process batch fixed,
as DDP's scaling is usually reported), with SGD and momentum; samples/s counts the rows of
all processes. The "W4, global batch 512" row keeps the global batch at 512 instead (256 per
process on 2). The "no all-reduce" row runs the same two W4 processes without
`DistributedDataParallel` (each trains alone): what two processes get from this machine's two
cores, memory bandwidth and caches with no communication at all, the ceiling for DDP's row.
The all-reduce rows time `dist.all_reduce` of a 784×2048 float32 tensor against mpi4py's raw
`COMM_WORLD.Allreduce(IN_PLACE, array)` on the same array, in alternating blocks, on 2
processes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# name, layer sizes, rows per process on 1 process, rows per process on 2, steps timed,
# whether the processes average their gradients (DistributedDataParallel)
CASES = [
    ("W3 mlp: 784-256-256-10, batch 128 per process", [784, 256, 256, 10], 128, 128, 150,
     True),
    ("W4 wide: 784-2048-2048-10, batch 512 per process", [784, 2048, 2048, 10], 512, 512, 8,
     True),
    ("W4 wide, global batch 512 (256 per process on 2)", [784, 2048, 2048, 10], 512, 256, 8,
     True),
    ("W4 wide, no all-reduce: each process trains alone (the ceiling)",
     [784, 2048, 2048, 10], 512, 512, 8, False),
]
ALL_REDUCE_SHAPE = (784, 2048)


def _train_steps(sizes: list[int], batch: int, steps: int, synchronised: bool = True) -> float:
    """Seconds per step of DDP training on this process's batch (without DDP, each process
    training alone, when not `synchronised`)."""
    import chainrule as cr
    import chainrule.distributed as dist
    from chainrule.nn.parallel import DistributedDataParallel

    cr.manual_seed(0)
    layers: list[cr.nn.Module] = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        layers += [cr.nn.Linear(fan_in, fan_out), cr.nn.ReLU()]
    model: cr.nn.Module = cr.nn.Sequential(*layers[:-1])
    if synchronised:
        model = DistributedDataParallel(model)
    optimizer = cr.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(dist.get_rank())
    x = cr.from_numpy(rng.standard_normal((batch, sizes[0])).astype(np.float32))
    y = cr.from_numpy(rng.integers(0, sizes[-1], batch))

    def step() -> None:
        optimizer.zero_grad()
        cr.nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()

    for _ in range(max(2, steps // 10)):
        step()
    dist.barrier()
    began = time.perf_counter()
    for _ in range(steps):
        step()
    dist.barrier()
    return (time.perf_counter() - began) / steps


def _all_reduce_times(blocks: int = 10, calls: int = 20) -> dict[str, float]:
    """Median seconds per call: chainrule's all_reduce and mpi4py's raw Allreduce."""
    from mpi4py import MPI

    import chainrule as cr
    import chainrule.distributed as dist

    array = np.random.default_rng(dist.get_rank()).standard_normal(ALL_REDUCE_SHAPE).astype(
        np.float32)
    tensor = cr.from_numpy(array)
    world = MPI.COMM_WORLD
    contenders = {"chainrule": lambda: dist.all_reduce(tensor),
                  "mpi4py": lambda: world.Allreduce(MPI.IN_PLACE, array)}
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for call in contenders.values():  # warm up both
        for _ in range(5):
            call()
    for _ in range(blocks):
        for name, call in contenders.items():
            world.Barrier()
            began = time.perf_counter()
            for _ in range(calls):
                call()
            times[name].append((time.perf_counter() - began) / calls)
    return {name: statistics.median(values) for name, values in times.items()}


def _worker(mode: str, out: str, arguments: list[str]) -> None:
    import chainrule.distributed as dist

    dist.init_process_group("mpi")
    if mode == "train":
        sizes, batch, steps = json.loads(arguments[0]), int(arguments[1]), int(arguments[2])
        result: Any = _train_steps(sizes, batch, steps, synchronised=arguments[3] == "ddp")
    else:
        result = _all_reduce_times()
    if dist.get_rank() == 0:
        Path(out).write_text(json.dumps(result))


def _launch(processes: int, mode: str, *arguments: str) -> Any:
    from chainrule.distributed.launch import mpiexec_command

    threads = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                      "MKL_NUM_THREADS")}
    # Open MPI spins while it waits; yielding keeps a rank from starving the other (or
    # other work) on a shared machine, at no cost when the cores are free.
    environment = {"OMPI_MCA_mpi_yield_when_idle": "1", **os.environ, **threads,
                   "PYTHONPATH": str(ROOT)}
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "result.json")
        command = mpiexec_command(processes, sys.executable, "-m", "benchmarks.scaling",
                                  "--worker", mode, out, *arguments)
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT,
                              env=environment, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
        return json.loads(Path(out).read_text())


def _spread(values: list[float]) -> str:
    return (f"{statistics.median(values):,.0f} ({min(values):,.0f}–{max(values):,.0f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker[0], args.worker[1], args.worker[2:])
        return
    print(f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores", flush=True)
    print("| workload | 1 process, samples/s | 2 processes, samples/s | speed-up |")
    print("|---|---|---|---|")
    for name, sizes, batch_one, batch_two, steps, synchronised in CASES:
        rates: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(args.rounds):
            for processes, batch in ((1, batch_one), (2, batch_two)):
                seconds = _launch(processes, "train", json.dumps(sizes), str(batch), str(steps),
                                  "ddp" if synchronised else "alone")
                rates[processes].append(processes * batch / seconds)
        speedup = statistics.median(rates[2]) / statistics.median(rates[1])
        print(f"| {name} | {_spread(rates[1])} | {_spread(rates[2])} | {speedup:.2f}× |",
              flush=True)
    times = [_launch(2, "all_reduce") for _ in range(args.rounds)]
    ours = statistics.median(t["chainrule"] for t in times) * 1e3
    raw = statistics.median(t["mpi4py"] for t in times) * 1e3
    print(f"\nall_reduce of a 784×2048 float32 tensor on 2 processes (medians of {args.rounds} "
          f"jobs): chainrule {ours:.3f} ms, mpi4py Allreduce {raw:.3f} ms: {ours / raw:.2f}×")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
