"""The seven workloads as chainrule code under `cr.compile`: the "compiled" contender.

Each step is the chainrule step of `workloads.py` with one change, the one a PyTorch user
makes for `torch.compile`: the training step (forward, backward, optimiser step) is a
function that returns the loss tensor, wrapped in `cr.compile`, and `.item()` is called
outside it (inside, it would be a graph break). Same data, same start, same results.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from benchmarks.workloads import (
    CIRCUIT,
    LENET,
    MLP_SPECS,
    WINDOW,
    Step,
    _classification_data,
    _lenet_start,
    _mlp_start,
    _spiral,
    _window_start,
)

Built = tuple[Step, Callable[[], list[np.ndarray]]]


def _outside_item(compiled: Callable[[], Any]) -> Step:
    return lambda: float(compiled().item())


def mlp(name: str) -> Built:
    import chainrule as cr

    spec = MLP_SPECS[name]
    params = [cr.tensor(p.T.copy() if p.ndim == 2 else p, requires_grad=True)
              for p in _mlp_start(spec["sizes"], 0)]
    x_np, y_np = (_spiral() if name == "spiral" else
                  _classification_data(spec["batch"], spec["sizes"][0], spec["sizes"][-1], 0))
    x, y = cr.from_numpy(x_np), cr.from_numpy(y_np)
    weights = params[0::2]
    optimiser = cr.optim.SGD(params, lr=spec["lr"], momentum=spec["momentum"])
    reg = spec["reg"]
    functional = cr.nn.functional

    @cr.compile
    def step() -> Any:
        h = x
        for i in range(0, len(params) - 2, 2):
            h = functional.linear(h, params[i], params[i + 1]).relu()
        scores = functional.linear(h, params[-2], params[-1])
        loss = functional.cross_entropy(scores, y)
        if reg:
            loss = loss + 0.5 * reg * sum((w * w).sum() for w in weights)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return loss

    return _outside_item(step), lambda: [p.detach().numpy().T.copy() for p in params]


def window(sparse: bool = False) -> Built:
    """W5 (PyTorch's default dense embedding gradient) or, with `sparse`, W5s."""
    import chainrule as cr

    start, ids_np, tags_np = _window_start()
    params = [cr.nn.Parameter(cr.tensor(p.T.copy() if i in (1, 3) else p))
              for i, p in enumerate(start)]
    table, w1, b1, w2, b2 = params
    ids, tags = cr.from_numpy(ids_np), cr.from_numpy(tags_np)
    optimiser = cr.optim.SGD(params, lr=WINDOW["lr"])
    functional = cr.nn.functional

    @cr.compile
    def step() -> Any:
        x = functional.embedding(ids, table, sparse=sparse).flatten(1)
        h = functional.linear(x, w1, b1).tanh()
        loss = functional.cross_entropy(functional.linear(h, w2, b2), tags)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return loss

    return _outside_item(step), lambda: [p.detach().numpy().T.copy() if p.ndim == 2 and i else
                                         p.detach().numpy().copy()
                                         for i, p in enumerate(params)]


def circuit() -> Built:
    import chainrule as cr

    tensors = [cr.tensor(v, requires_grad=True) for v in CIRCUIT]
    w0, x0, w1, x1, w2 = tensors

    @cr.compile
    def step() -> Any:
        f = 1 / (1 + cr.exp(-(w0 * x0 + w1 * x1 + w2)))
        f.backward()
        return f

    return _outside_item(step), lambda: [np.array([t.grad.item() for t in tensors])]


def chain(length: int = 10_000) -> Built:
    import chainrule as cr

    start = cr.tensor(1.0, requires_grad=True)

    @cr.compile
    def step() -> Any:
        x = start
        for _ in range(length):
            x = x * 1.0001 + 0.0001
        x.backward()
        return x

    return _outside_item(step), lambda: [np.array([start.grad.item()])]


def lenet() -> Built:
    import chainrule as cr

    start, x_np, y_np = _lenet_start()
    params = [cr.tensor(p, requires_grad=True) for p in start]
    x, y = cr.from_numpy(x_np), cr.from_numpy(y_np)
    optimiser = cr.optim.SGD(params, lr=LENET["lr"])
    functional = cr.nn.functional

    @cr.compile
    def step() -> Any:
        c1, c1b, c2, c2b, f1, f1b, f2, f2b, f3, f3b = params
        h = functional.max_pool2d(functional.conv2d(x, c1, c1b, padding=2).relu(), 2)
        h = functional.max_pool2d(functional.conv2d(h, c2, c2b).relu(), 2).flatten(1)
        h = functional.linear(functional.linear(h, f1, f1b).relu(), f2, f2b).relu()
        loss = functional.cross_entropy(functional.linear(h, f3, f3b), y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return loss

    return _outside_item(step), lambda: [p.detach().numpy().copy() for p in params]


def make(workload: str) -> Built:
    """The compiled contender of `workload` (W1-W7, W5s)."""
    if workload == "W1":
        return circuit()
    if workload == "W6":
        return chain()
    if workload == "W7":
        return lenet()
    if workload in ("W5", "W5s"):
        return window(sparse=workload == "W5s")
    return mlp({"W2": "spiral", "W3": "mlp", "W4": "wide"}[workload])
