"""Where a workload's step spends its time: cProfile over many steps, in one process.

    python -m benchmarks.profile W2                   # chainrule, eager
    python -m benchmarks.profile W3 --library torch --steps 200 --top 20
    python -m benchmarks.profile W2 --library compiled

Prints the step's time without the profiler and with it, then the functions with the most
time of their own. Array arithmetic written with operators (`a @ b`, `a * b`) has no entry of
its own: it counts in the function that wrote it (a gate's `forward` or `backward`), while
NumPy functions and methods called by name (`np.exp`, `ufunc.reduce`) are listed. The
profiler's own cost falls on Python calls, so use the shares between lines, not the absolute
times. For the gaps the benchmark table shows, not a timing to compare across runs.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time

from benchmarks.__main__ import _make


def _seconds_per_step(step: object, steps: int) -> float:
    began = time.perf_counter()
    for _ in range(steps):
        step()  # type: ignore[operator]
    return (time.perf_counter() - began) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", help="W1 … W7, as in python -m benchmarks")
    parser.add_argument("--library", default="chainrule",
                        help="chainrule, compiled (under cr.compile), torch, jax or numpy")
    parser.add_argument("--steps", type=int, default=100, help="steps profiled")
    parser.add_argument("--top", type=int, default=15, help="functions listed")
    args = parser.parse_args()

    step, _ = _make(args.workload, args.library)
    for _ in range(max(3, args.steps // 10)):  # warm up: lazy state, caches
        step()
    plain = _seconds_per_step(step, args.steps)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.steps):
        step()
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    total = sum(own for _, _, own, _, _ in entries.values())
    print(f"{args.workload} {args.library}: {plain * 1e3:.3f} ms/step without the profiler, "
          f"{total / args.steps * 1e3:.3f} ms/step with it")
    print(f"\n{'own ms/step':>11} {'share':>6} {'calls/step':>10}  function")
    ranked = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)
    for (filename, line, name), (_, calls, own, _, _) in ranked[:args.top]:
        where = name if filename == "~" else f"{name} ({filename.split('/')[-1]}:{line})"
        print(f"{own / args.steps * 1e3:11.4f} {own / total:6.1%} {calls / args.steps:10.1f}  "
              f"{where}")


if __name__ == "__main__":
    main()
