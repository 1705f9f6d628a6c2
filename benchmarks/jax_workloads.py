"""The seven workloads in JAX, each training step under `jax.jit` (value_and_grad + update):
a comparison contender only, run when `import jax` works; chainrule never imports it.

Same data and start as `workloads.py` (float32, JAX's default); `float(loss)` in each step
waits for the result, as `.item()` does for the others.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from benchmarks.workloads import (
    CIRCUIT,
    LENET,
    MLP_SPECS,
    WINDOW,
    _classification_data,
    _lenet_start,
    _mlp_start,
    _spiral,
    _window_start,
)


def _cross_entropy(jnp: Any, scores: Any, labels: Any) -> Any:
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - jnp.log(jnp.exp(shifted).sum(axis=1, keepdims=True))
    return -jnp.take_along_axis(log_probs, labels[:, None], axis=1).mean()


def _trainer(loss_fn: Any, params: list[Any], update: Any, extra: Any = None) -> Any:
    """A jitted step over (params, extra) and a Python step that keeps them."""
    import jax

    @jax.jit
    def jitted(params: Any, extra: Any) -> Any:
        loss, grads = jax.value_and_grad(loss_fn)(params)
        new_params, new_extra = update(params, grads, extra)
        return loss, new_params, new_extra

    held = {"params": params, "extra": extra}

    def step() -> float:
        loss, held["params"], held["extra"] = jitted(held["params"], held["extra"])
        return float(loss)

    return step, lambda: [np.asarray(p) for p in held["params"]]


def mlp(name: str) -> Any:
    import jax.numpy as jnp

    spec = MLP_SPECS[name]
    start = [jnp.asarray(p) for p in _mlp_start(spec["sizes"], 0)]
    x_np, y_np = (_spiral() if name == "spiral" else
                  _classification_data(spec["batch"], spec["sizes"][0], spec["sizes"][-1], 0))
    x, y = jnp.asarray(x_np), jnp.asarray(y_np)
    lr, momentum, reg = spec["lr"], spec["momentum"], spec["reg"]

    def loss_fn(params: list[Any]) -> Any:
        h = x
        for i in range(0, len(params) - 2, 2):
            h = jnp.maximum(h @ params[i] + params[i + 1], 0)
        loss = _cross_entropy(jnp, h @ params[-2] + params[-1], y)
        if reg:
            loss = loss + 0.5 * reg * sum((w * w).sum() for w in params[0::2])
        return loss

    def update(params: list[Any], grads: list[Any], velocity: list[Any]) -> Any:
        if not momentum:
            return [p - lr * g for p, g in zip(params, grads)], velocity
        velocity = [momentum * v + g for v, g in zip(velocity, grads)]  # zero start: v1 = g
        return [p - lr * v for p, v in zip(params, velocity)], velocity

    return _trainer(loss_fn, start, update, [jnp.zeros_like(p) for p in start])


def window() -> Any:
    import jax.numpy as jnp

    start, ids_np, tags_np = _window_start()
    ids, tags = jnp.asarray(ids_np), jnp.asarray(tags_np)
    lr = WINDOW["lr"]

    def loss_fn(params: list[Any]) -> Any:
        table, w1, b1, w2, b2 = params
        x = table[ids].reshape(ids.shape[0], -1)
        h = jnp.tanh(x @ w1 + b1)
        return _cross_entropy(jnp, h @ w2 + b2, tags)

    def update(params: list[Any], grads: list[Any], extra: Any) -> Any:
        return [p - lr * g for p, g in zip(params, grads)], extra

    return _trainer(loss_fn, [jnp.asarray(p) for p in start], update)


def circuit() -> Any:
    import jax
    import jax.numpy as jnp

    def f(values: Any) -> Any:
        w0, x0, w1, x1, w2 = values
        return 1 / (1 + jnp.exp(-(w0 * x0 + w1 * x1 + w2)))

    jitted = jax.jit(lambda values, grads: (lambda out: (out[0], grads + out[1]))(
        jax.value_and_grad(f)(values)))
    values = jnp.asarray(CIRCUIT, jnp.float32)
    held = {"grads": jnp.zeros(5, jnp.float32)}

    def step() -> float:
        out, held["grads"] = jitted(values, held["grads"])
        return float(out)

    return step, lambda: [np.asarray(held["grads"])]


def chain(length: int = 10_000) -> Any:
    import jax
    import jax.numpy as jnp

    def f(x: Any) -> Any:
        return jax.lax.fori_loop(0, length, lambda _, v: v * 1.0001 + 0.0001, x)

    jitted = jax.jit(lambda x, grad: (lambda out: (out[0], grad + out[1]))(
        jax.value_and_grad(f)(x)))
    start = jnp.asarray(1.0, jnp.float32)
    held = {"grad": jnp.asarray(0.0, jnp.float32)}

    def step() -> float:
        out, held["grad"] = jitted(start, held["grad"])
        return float(out)

    return step, lambda: [np.asarray([held["grad"]])]


def lenet() -> Any:
    import jax
    import jax.numpy as jnp

    start, x_np, y_np = _lenet_start()
    x, y = jnp.asarray(x_np), jnp.asarray(y_np)
    lr = LENET["lr"]

    def conv(h: Any, w: Any, b: Any, pad: int) -> Any:
        out = jax.lax.conv_general_dilated(h, w, (1, 1), [(pad, pad), (pad, pad)])
        return out + b[None, :, None, None]

    def pool(h: Any) -> Any:
        return jax.lax.reduce_window(h, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2),
                                     "VALID")

    def loss_fn(params: list[Any]) -> Any:
        c1, c1b, c2, c2b, f1, f1b, f2, f2b, f3, f3b = params
        h = pool(jnp.maximum(conv(x, c1, c1b, 2), 0))
        h = pool(jnp.maximum(conv(h, c2, c2b, 0), 0)).reshape(x.shape[0], -1)
        h = jnp.maximum(jnp.maximum(h @ f1.T + f1b, 0) @ f2.T + f2b, 0)
        return _cross_entropy(jnp, h @ f3.T + f3b, y)

    def update(params: list[Any], grads: list[Any], extra: Any) -> Any:
        return [p - lr * g for p, g in zip(params, grads)], extra

    return _trainer(loss_fn, [jnp.asarray(p) for p in start], update)


def make(workload: str) -> Any:
    """The JAX-jit contender of `workload` (W1-W7)."""
    if workload == "W1":
        return circuit()
    if workload == "W6":
        return chain()
    if workload == "W7":
        return lenet()
    if workload in ("W5", "W5s"):  # JAX has no sparse gradients: the same step for both
        return window()
    return mlp({"W2": "spiral", "W3": "mlp", "W4": "wide"}[workload])
