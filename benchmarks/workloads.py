"""The seven workloads, each written three ways: chainrule, PyTorch eager, hand-written NumPy.

Every contender builds the same model from the same NumPy-drawn start (float32), so after
two steps all three must agree on the loss and the parameters; `check` returns both for the
suite to compare. `step()` is what is timed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

Step = Callable[[], float]


# ---------------------------------------------------------------------- shared data
def _mlp_start(sizes: list[int], seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32))
        params.append(np.zeros(fan_out, np.float32))
    return params


def _classification_data(n: int, features: int, classes: int, seed: int
                         ) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed + 1)
    return (rng.standard_normal((n, features)).astype(np.float32),
            rng.integers(0, classes, n).astype(np.int64))


def _spiral() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = np.zeros((300, 2), np.float32)
    y = np.zeros(300, np.int64)
    for k in range(3):
        rows = slice(100 * k, 100 * (k + 1))
        r = np.linspace(0.0, 1, 100)
        t = np.linspace(k * 4, (k + 1) * 4, 100) + rng.standard_normal(100) * 0.2
        x[rows] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[rows] = k
    return x, y


MLP_SPECS = {
    "spiral": {"sizes": [2, 100, 3], "batch": 300, "lr": 1.0, "momentum": 0.0, "reg": 1e-3},
    "mlp": {"sizes": [784, 256, 256, 10], "batch": 128, "lr": 0.01, "momentum": 0.9,
            "reg": 0.0},
    "wide": {"sizes": [784, 2048, 2048, 10], "batch": 512, "lr": 0.01, "momentum": 0.9,
             "reg": 0.0},
}
WINDOW = {"vocabulary": 20000, "dim": 50, "width": 5, "hidden": 300, "tags": 5, "batch": 256,
          "lr": 0.05}


def flops_per_step(name: str) -> float:
    """Multiply-adds × 2 × 3 (forward, and the two products of the backward)."""
    spec = MLP_SPECS[name]
    sizes, batch = spec["sizes"], spec["batch"]
    return 6.0 * batch * sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))


# ---------------------------------------------------------------------- W2-W4: MLPs
def mlp_autograd(module: Any, name: str) -> tuple[Step, Callable[[], list[np.ndarray]]]:
    """The MLP step for chainrule or torch: one text, since the two APIs are the same."""
    spec = MLP_SPECS[name]
    # nn.Linear's layout, (out, in): the transposes go to BLAS, not to copies
    params = [module.tensor(p.T.copy() if p.ndim == 2 else p, requires_grad=True)
              for p in _mlp_start(spec["sizes"], 0)]
    x_np, y_np = (_spiral() if name == "spiral" else
                  _classification_data(spec["batch"], spec["sizes"][0], spec["sizes"][-1], 0))
    x, y = module.from_numpy(x_np), module.from_numpy(y_np)
    weights = params[0::2]
    optimiser = module.optim.SGD(params, lr=spec["lr"], momentum=spec["momentum"])
    reg = spec["reg"]
    functional = module.nn.functional

    def step() -> float:
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
        return float(loss.item())

    return step, lambda: [p.detach().numpy().T.copy() for p in params]


def mlp_numpy(name: str) -> tuple[Step, Callable[[], list[np.ndarray]]]:
    """CS231n-style hand-written backprop: the fastest a NumPy engine could be."""
    spec = MLP_SPECS[name]
    params = _mlp_start(spec["sizes"], 0)
    velocity = [np.zeros_like(p) for p in params]
    x, y = (_spiral() if name == "spiral" else
            _classification_data(spec["batch"], spec["sizes"][0], spec["sizes"][-1], 0))
    n = x.shape[0]
    rows = np.arange(n)
    lr, momentum, reg = spec["lr"], spec["momentum"], spec["reg"]
    first = [True]

    def step() -> float:
        activations = [x]
        h = x
        for i in range(0, len(params) - 2, 2):
            h = h @ params[i]
            h += params[i + 1]
            np.maximum(h, 0, out=h)
            activations.append(h)
        scores = h @ params[-2]
        scores += params[-1]
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        probs = exp / exp.sum(axis=1, keepdims=True)
        loss = float(-np.log(probs[rows, y]).mean())
        if reg:
            loss += 0.5 * reg * sum(float((params[i] * params[i]).sum())
                                    for i in range(0, len(params), 2))
        delta = probs
        delta[rows, y] -= 1
        delta /= n
        grads: list[np.ndarray] = [None] * len(params)  # type: ignore[list-item]
        for layer in range(len(params) // 2 - 1, -1, -1):
            a = activations[layer]
            grads[2 * layer] = a.T @ delta
            grads[2 * layer + 1] = delta.sum(axis=0)
            if reg:
                grads[2 * layer] += reg * params[2 * layer]
            if layer:
                delta = delta @ params[2 * layer].T
                delta *= a > 0
        for p, g, v in zip(params, grads, velocity):
            if momentum:
                if first[0]:
                    v[...] = g
                else:
                    v *= momentum
                    v += g
                p -= lr * v
            else:
                p -= lr * g
        first[0] = False
        return loss

    return step, lambda: [p.copy() for p in params]


# ---------------------------------------------------------------------- W5: window NER
def _window_start() -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    spec = WINDOW
    table = (rng.standard_normal((spec["vocabulary"], spec["dim"])) * 0.1).astype(np.float32)
    inputs = spec["width"] * spec["dim"]
    bound = 1 / np.sqrt(inputs)
    w1 = rng.uniform(-bound, bound, (inputs, spec["hidden"])).astype(np.float32)
    w2 = rng.uniform(-0.05, 0.05, (spec["hidden"], spec["tags"])).astype(np.float32)
    ids = np.minimum(rng.zipf(1.3, (spec["batch"], spec["width"])),
                     spec["vocabulary"] - 1).astype(np.int64)
    tags = rng.integers(0, spec["tags"], spec["batch"]).astype(np.int64)
    return [table, w1, np.zeros(spec["hidden"], np.float32), w2,
            np.zeros(spec["tags"], np.float32)], ids, tags


def window_autograd(module: Any) -> tuple[Step, Callable[[], list[np.ndarray]]]:
    """The window step for chainrule or torch, with a sparse embedding gradient in both."""
    start, ids_np, tags_np = _window_start()
    # Parameters (chainrule keeps sparse rows on them); weights in nn.Linear's (out, in)
    params = [module.nn.Parameter(module.tensor(p.T.copy() if i in (1, 3) else p))
              for i, p in enumerate(start)]
    table, w1, b1, w2, b2 = params
    ids, tags = module.from_numpy(ids_np), module.from_numpy(tags_np)
    optimiser = module.optim.SGD(params, lr=WINDOW["lr"])
    functional = module.nn.functional

    def step() -> float:
        x = functional.embedding(ids, table, sparse=True).flatten(1)
        h = functional.linear(x, w1, b1).tanh()
        loss = functional.cross_entropy(functional.linear(h, w2, b2), tags)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return float(loss.item())

    return step, lambda: [p.detach().numpy().T.copy() if p.ndim == 2 and i else
                          p.detach().numpy().copy() for i, p in enumerate(params)]


def window_numpy() -> tuple[Step, Callable[[], list[np.ndarray]]]:
    start, ids, tags = _window_start()
    table, w1, b1, w2, b2 = start
    n = ids.shape[0]
    rows = np.arange(n)
    lr = WINDOW["lr"]
    flat_ids = ids.reshape(-1)

    def step() -> float:
        x = table[ids].reshape(n, -1)
        h = np.tanh(x @ w1 + b1)
        scores = h @ w2 + b2
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        probs = exp / exp.sum(axis=1, keepdims=True)
        loss = float(-np.log(probs[rows, tags]).mean())
        delta = probs
        delta[rows, tags] -= 1
        delta /= n
        g_w2, g_b2 = h.T @ delta, delta.sum(0)
        dh = (delta @ w2.T) * (1 - h * h)
        g_w1, g_b1 = x.T @ dh, dh.sum(0)
        dx = (dh @ w1.T).reshape(-1, table.shape[1])
        w2[...] -= lr * g_w2
        b2[...] -= lr * g_b2
        w1[...] -= lr * g_w1
        b1[...] -= lr * g_b1
        np.subtract.at(table, flat_ids, lr * dx)  # only the rows the batch touched
        return loss

    return step, lambda: [table.copy(), w1.copy(), b1.copy(), w2.copy(), b2.copy()]


# ---------------------------------------------------------------------- W1, W6: scalars
CIRCUIT = (2.0, -1.0, -3.0, -2.0, -3.0)


def circuit(library: str) -> tuple[Step, Callable[[], list[np.ndarray]]]:
    if library == "numpy":
        import math

        values = list(CIRCUIT)
        grads = [0.0] * 5

        def numpy_step() -> float:
            w0, x0, w1, x1, w2 = values
            dot = w0 * x0 + w1 * x1 + w2
            f = 1.0 / (1.0 + math.exp(-dot))
            ddot = (1 - f) * f
            for i, g in enumerate((x0 * ddot, w0 * ddot, x1 * ddot, w1 * ddot, ddot)):
                grads[i] += g
            return f

        return numpy_step, lambda: [np.array(grads)]
    module: Any = __import__("chainrule" if library == "chainrule" else "torch")
    tensors = [module.tensor(v, requires_grad=True) for v in CIRCUIT]
    w0, x0, w1, x1, w2 = tensors

    def step() -> float:
        f = 1 / (1 + module.exp(-(w0 * x0 + w1 * x1 + w2)))
        f.backward()
        return float(f.item())

    return step, lambda: [np.array([t.grad.item() for t in tensors])]


def chain(library: str, length: int = 10_000) -> tuple[Step, Callable[[], list[np.ndarray]]]:
    if library == "numpy":
        state = {"grad": 0.0}

        def numpy_step() -> float:
            x = 1.0
            for _ in range(length):  # forward; the backward of x·a + c is a product of a's
                x = x * 1.0001 + 0.0001
            grad = 1.0
            for _ in range(length):
                grad *= 1.0001
            state["grad"] += grad
            return x

        return numpy_step, lambda: [np.array([state["grad"]])]
    module: Any = __import__("chainrule" if library == "chainrule" else "torch")
    start = module.tensor(1.0, requires_grad=True)

    def step() -> float:
        x = start
        for _ in range(length):
            x = x * 1.0001 + 0.0001
        x.backward()
        return float(x.item())

    return step, lambda: [np.array([start.grad.item()])]


# ---------------------------------------------------------------------- W7: LeNet-5
LENET = {"batch": 64, "classes": 10, "lr": 0.05}
#: PyTorch's layouts: conv weights (out, in, kH, kW), linear weights (out, in).
LENET_SHAPES = [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120),
                (84,), (10, 84), (10,)]


def _lenet_start() -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """PyTorch's default init (uniform in ±1/√fan_in), a batch of 28×28 images, labels."""
    rng = np.random.default_rng(7)
    params = []
    for shape in LENET_SHAPES:
        fan_in = int(np.prod(params[-1].shape[1:])) if len(shape) == 1 else \
            int(np.prod(shape[1:]))
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, shape).astype(np.float32))
    x = rng.standard_normal((LENET["batch"], 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, LENET["classes"], LENET["batch"]).astype(np.int64)
    return params, x, y


def lenet_autograd(module: Any) -> tuple[Step, Callable[[], list[np.ndarray]]]:
    """conv 6@5×5 pad 2 → ReLU → max-pool 2 → conv 16@5×5 → ReLU → max-pool 2 → 120 → 84 → 10,
    softmax cross-entropy, plain SGD: one text for chainrule and torch."""
    start, x_np, y_np = _lenet_start()
    params = [module.tensor(p, requires_grad=True) for p in start]
    x, y = module.from_numpy(x_np), module.from_numpy(y_np)
    optimiser = module.optim.SGD(params, lr=LENET["lr"])
    functional = module.nn.functional

    def step() -> float:
        c1, c1b, c2, c2b, f1, f1b, f2, f2b, f3, f3b = params
        h = functional.max_pool2d(functional.conv2d(x, c1, c1b, padding=2).relu(), 2)
        h = functional.max_pool2d(functional.conv2d(h, c2, c2b).relu(), 2).flatten(1)
        h = functional.linear(functional.linear(h, f1, f1b).relu(), f2, f2b).relu()
        loss = functional.cross_entropy(functional.linear(h, f3, f3b), y)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        return float(loss.item())

    return step, lambda: [p.detach().numpy().copy() for p in params]


def lenet_numpy() -> tuple[Step, Callable[[], list[np.ndarray]]]:
    """CS231n's fast layers by hand: im2col convolutions, 2×2 max-pools, backprop, SGD."""
    from benchmarks import lenet_numpy as layers

    params, x, y = _lenet_start()

    def step() -> float:
        loss, grads = layers.loss_and_grads(params, x, y)
        for p, g in zip(params, grads):
            p -= LENET["lr"] * g
        return loss

    return step, lambda: [p.copy() for p in params]


def make(workload: str, library: str) -> tuple[Step, Callable[[], list[np.ndarray]]]:
    if workload == "W1":
        return circuit(library)
    if workload == "W6":
        return chain(library)
    module = None if library == "numpy" else __import__(library)
    if workload == "W7":
        return lenet_numpy() if module is None else lenet_autograd(module)
    if workload == "W5":
        return window_numpy() if module is None else window_autograd(module)
    name = {"W2": "spiral", "W3": "mlp", "W4": "wide"}[workload]
    return mlp_numpy(name) if module is None else mlp_autograd(module, name)
