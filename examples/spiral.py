"""Train the CS231n two-layer network on the spiral data set, with the engine alone.

300 points in 3 interleaved spiral arms, a 2-100-3 ReLU network, softmax cross-entropy with
L2 regularisation, full-batch gradient descent: the notes' worked network, written with
tensors and `backward()` only (no nn module), so every gate is visible.

    python examples/spiral.py [--steps 3000] [--seed 0]
"""

from __future__ import annotations

import argparse
import math
import time

import chainrule as cr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--reg", type=float, default=1e-3)
    args = parser.parse_args()

    cr.manual_seed(args.seed)
    x, y = cr.datasets.spiral(seed=args.seed)
    hidden, classes = 100, 3
    w1 = (cr.randn(2, hidden) * 0.01).requires_grad_()
    b1 = cr.zeros(hidden, requires_grad=True)
    w2 = (cr.randn(hidden, classes) * 0.01).requires_grad_()
    b2 = cr.zeros(classes, requires_grad=True)
    parameters = [w1, b1, w2, b2]
    rows = cr.arange(x.shape[0])

    start = time.perf_counter()
    for step in range(args.steps + 1):
        scores = (x @ w1 + b1).relu() @ w2 + b2
        data_loss = -scores.log_softmax(dim=1)[rows, y].mean()
        reg_loss = 0.5 * args.reg * ((w1 * w1).sum() + (w2 * w2).sum())
        loss = data_loss + reg_loss
        for p in parameters:
            p.grad = None
        loss.backward()
        with cr.no_grad():
            for p in parameters:
                p -= args.lr * p.grad
        if step % max(1, args.steps // 10) == 0:
            accuracy = (scores.argmax(dim=1) == y).float().mean().item()
            print(f"step {step:5d}  loss {loss.item():.4f}  training accuracy {accuracy:.3f}")
    elapsed = time.perf_counter() - start
    with cr.no_grad():
        scores = (x @ w1 + b1).relu() @ w2 + b2
    accuracy = (scores.argmax(dim=1) == y).float().mean().item()
    print(f"final training accuracy {accuracy:.3f} after {args.steps} steps in {elapsed:.1f} s")
    if not math.isfinite(loss.item()):
        raise SystemExit("training diverged (loss is not finite)")


if __name__ == "__main__":
    main()
