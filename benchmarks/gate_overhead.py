"""Per-gate overhead: forward + backward of the notes' sigmoid circuit on scalars.

On 0-d tensors the arithmetic is nothing, so the time is the library's own cost per gate:
object creation, dispatch, graph recording and the backward pass. Each contender runs in its
own process (NumPy's and PyTorch's thread pools slow each other down in one), in interleaved
rounds; the table gives medians with the min–max, and ratios within this one run.

    python -m benchmarks.gate_overhead [--rounds 7] [--passes 20000]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys

GATES_PER_PASS = 8  # mul, mul, add, add, neg, exp, add, div (the notes' circuit)

WORKER = r"""
import json, sys, time
library, passes = sys.argv[1], int(sys.argv[2])
if library == "chainrule":
    import chainrule as m
else:
    import torch as m
    m.set_num_threads(1)
w0, x0, w1, x1, w2 = [m.tensor(v, requires_grad=True) for v in (2.0, -1.0, -3.0, -2.0, -3.0)]

def one_pass():
    f = 1 / (1 + m.exp(-(w0 * x0 + w1 * x1 + w2)))
    f.backward()

for _ in range(passes // 10):
    one_pass()
start = time.perf_counter()
for _ in range(passes):
    one_pass()
elapsed = time.perf_counter() - start
total = passes + passes // 10
print(json.dumps({"us_per_pass": elapsed / passes * 1e6, "grad": w0.grad.item() / total}))
"""


def available(library: str) -> bool:
    probe = subprocess.run([sys.executable, "-c", f"import {library}"], capture_output=True)
    return probe.returncode == 0


def measure(library: str, passes: int) -> float:
    done = subprocess.run([sys.executable, "-c", WORKER, library, str(passes)],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout)
    assert abs(result["grad"] - (-0.19661193)) < 1e-4, "the circuit's gradient is wrong"
    return float(result["us_per_pass"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--passes", type=int, default=20000)
    args = parser.parse_args()
    contenders = [name for name in ("chainrule", "torch") if available(name)]
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.rounds):  # interleaved: machine noise hits every contender alike
        for name in contenders:
            times[name].append(measure(name, args.passes))
    print(f"machine: {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}, {args.rounds} rounds of {args.passes} passes\n")
    print("| library | µs per pass (median, min–max) | µs per gate | speed vs torch |")
    print("|---|---|---|---|")
    reference = statistics.median(times["torch"]) if "torch" in times else None
    for name in contenders:
        median = statistics.median(times[name])
        ratio = f"{reference / median:.2f}×" if reference else "n/a (torch not installed)"
        print(f"| {name} | {median:.1f} ({min(times[name]):.1f}–{max(times[name]):.1f}) | "
              f"{median / GATES_PER_PASS:.2f} | {ratio} |")


if __name__ == "__main__":
    main()
