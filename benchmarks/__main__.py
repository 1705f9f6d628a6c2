"""The benchmark suite: chainrule (eager and under cr.compile) against PyTorch eager, JAX jit
(where jax is installed) and hand-written NumPy backprop.

    python -m benchmarks                  # every workload, 5 interleaved rounds
    python -m benchmarks --only W2,W3 --rounds 3

Each (workload, contender) pair runs in a process of its own (NumPy's and PyTorch's thread
pools slow each other down when they share one), rounds are interleaved so that machine
noise falls on every contender alike, and the table gives medians with min–max and ratios
taken within this one run. Before timing, every workload checks that the contenders agree
on the loss and the parameters after four steps from the same start (four, so that the
compiled step has been traced, checked against eager and replayed).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

WORKLOADS = {
    "W1": ("circuit: the notes' sigmoid circuit on scalars", 20000, "µs/pass"),
    "W2": ("spiral: 300 points, 2-100-3 ReLU, softmax CE + L2, full-batch SGD", 300, "ms/step"),
    "W3": ("mlp: 784-256-256-10 ReLU, batch 128, CE, SGD momentum", 100, "ms/step"),
    "W4": ("wide: 784-2048-2048-10, batch 512, CE, SGD momentum", 8, "ms/step"),
    "W5": ("window: 20,000×50 embedding, window 5, 250-300 tanh-5, batch 256, SGD", 100,
           "ms/step"),
    "W5s": ("window as W5, with Embedding(sparse=True) in chainrule and PyTorch", 100,
            "ms/step"),
    "W6": ("chain: 10,000 × (x·1.0001 + 0.0001) on a scalar, forward + backward", 3,
           "ms/pass"),
    "W7": ("lenet: LeNet-5 training step (conv 6@5×5, pool, conv 16@5×5, pool, 120-84-10), "
           "batch 64, 28×28, CE, SGD", 30, "ms/step"),
}
#: "compiled" is chainrule's step under cr.compile (compiled_workloads.py); "jax" its step
#: under jax.jit (jax_workloads.py), run only where jax imports.
CONTENDERS = ("chainrule", "compiled", "torch", "jax", "numpy")


def _worker(args: argparse.Namespace) -> None:
    """Runs inside a fresh process: `--worker W LIBRARY MODE COUNT OUT`."""
    workload, library, mode, count, out = args.worker
    if library == "torch":
        import torch

        torch.set_num_threads(2)
    step, parameters = _make(workload, library)
    if mode == "check":
        losses = [step() for _ in range(int(count))]
        arrays = {f"parameter_{i}": p for i, p in enumerate(parameters())}
        np.savez(out, losses=np.array(losses), **arrays)
        return
    import time

    repeats = int(count)
    # the compiled step is traced at its second call and checked at its third: not timed
    for _ in range(max(3 if library == "compiled" else 1, repeats // 10)):
        step()
    began = time.perf_counter()
    for _ in range(repeats):
        step()
    elapsed = time.perf_counter() - began
    Path(out).write_text(json.dumps({"seconds_per_step": elapsed / repeats}))


def _make(workload: str, library: str) -> Any:
    if library == "compiled":
        from benchmarks import compiled_workloads

        return compiled_workloads.make(workload)
    if library == "jax":
        from benchmarks import jax_workloads

        return jax_workloads.make(workload)
    from benchmarks.workloads import make

    return make(workload, library)


def _run(workload: str, library: str, mode: str, count: int) -> Any:
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / ("result.npz" if mode == "check" else "result.json"))
        done = subprocess.run([sys.executable, "-m", "benchmarks", "--worker", workload,
                               library, mode, str(count), out], capture_output=True, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
        if done.returncode != 0:
            raise RuntimeError(f"{workload}/{library} failed:\n{done.stderr[-2000:]}")
        if mode == "check":
            with np.load(out) as archive:
                return {name: archive[name] for name in archive.files}
        return json.loads(Path(out).read_text())["seconds_per_step"]


def _available(library: str) -> bool:
    if library in ("numpy", "compiled"):
        return True
    return subprocess.run([sys.executable, "-c", f"import {library}"],
                          capture_output=True).returncode == 0


def _agree(workload: str, contenders: list[str]) -> str:
    results = {name: _run(workload, name, "check", 4) for name in contenders}
    reference = results["numpy"]
    for name, result in results.items():
        for key in reference:
            tolerance = 1e-3 if workload in ("W4", "W6") else 2e-4
            if not np.allclose(result[key], reference[key], rtol=tolerance, atol=1e-5):
                worst = float(np.max(np.abs(result[key] - reference[key])))
                raise AssertionError(f"{workload}: {name} disagrees with hand-written NumPy "
                                     f"on {key} after two steps (largest difference {worst})")
    return "agree"


def _peak_gflops() -> float:
    """The machine's float32 matrix-product speed, as NumPy's BLAS reaches it."""
    import time

    a = np.random.default_rng(0).standard_normal((2048, 2048)).astype(np.float32)
    a @ a
    best = float("inf")
    for _ in range(5):
        began = time.perf_counter()
        a @ a
        best = min(best, time.perf_counter() - began)
    return 2 * 2048 ** 3 / best / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", help="comma-separated workloads, e.g. W1,W3")
    parser.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        _worker(args)
        return
    chosen = args.only.split(",") if args.only else list(WORKLOADS)
    contenders = [name for name in CONTENDERS if _available(name)]
    print(f"machine: {platform.machine()}, {platform.python_version()}, NumPy {np.__version__}"
          f"; contenders: {', '.join(contenders)}; {args.rounds} interleaved rounds\n")
    rows = []
    for workload in chosen:
        description, count, unit = WORKLOADS[workload]
        status = _agree(workload, contenders)
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(args.rounds):
            for name in contenders:
                times[name].append(_run(workload, name, "time", count))
        rows.append((workload, description, unit, status, times))
        print(f"{workload} done", file=sys.stderr)
    scale = {"µs/pass": 1e6, "ms/step": 1e3, "ms/pass": 1e3}
    pairs = [(a, b) for a in ("chainrule", "compiled", "jax") for b in ("torch", "numpy")
             if a in contenders and b in contenders]
    print("| workload | check | " + " | ".join(f"{name} (median, min–max)"
                                              for name in contenders) + " | " +
          " | ".join(f"{a} vs {b}" for a, b in pairs) + " |")
    print("|---|---|" + "---|" * (len(contenders) + len(pairs)))
    for workload, description, unit, status, times in rows:
        medians = {name: statistics.median(values) for name, values in times.items()}
        cells = [f"{medians[n] * scale[unit]:.3g} ({min(times[n]) * scale[unit]:.3g}–"
                 f"{max(times[n]) * scale[unit]:.3g}) {unit}" for n in contenders]
        ratios = [f"{medians[b] / medians[a]:.2f}×" for a, b in pairs]
        print(f"| {workload} {description} | {status} | " + " | ".join(cells + ratios) + " |")
    if "W4" in chosen:
        from benchmarks.workloads import flops_per_step

        peak = _peak_gflops()
        for workload, _, _, _, times in rows:
            if workload == "W4":
                achieved = {n: flops_per_step("wide") / statistics.median(t) / 1e9
                            for n, t in times.items()}
                shown = ", ".join(f"{n} {v:.1f}" for n, v in achieved.items())
                print(f"\nW4 GFLOP/s: {shown}; NumPy's 2048² matrix product peak {peak:.1f}")


if __name__ == "__main__":
    main()
