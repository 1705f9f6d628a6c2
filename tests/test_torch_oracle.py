"""PyTorch as the oracle: chainrule's values and gradients against torch's, from the same
inputs, including the edge cases where the derivative is a convention (ties, kinks).
Skipped, with the reason shown, where torch is not installed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

rng = np.random.default_rng(42)
A = rng.uniform(-2, 2, size=(3, 4))
B = rng.uniform(-2, 2, size=(4,))
POS = rng.uniform(0.2, 2, size=(3, 4))
KINKS = np.array([[-1.0, 0.0, 0.5, 1.0], [0.0, 2.0, -0.5, 0.0], [1.0, 1.0, -2.0, 3.0]])
TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [5.0, -1.0, 5.0, 4.0]])

# name -> (function taking the library module's tensors, input arrays)
CASES: dict[str, tuple[Callable, tuple[np.ndarray, ...]]] = {
    "add_broadcast": (lambda m, a, b: a + b, (A, B)),
    "sub_broadcast": (lambda m, a, b: a - b, (A, B)),
    "mul_broadcast": (lambda m, a, b: a * b, (A, B)),
    "div_broadcast": (lambda m, a, b: a / b, (A, B + 3)),
    "pow_tensors": (lambda m, a, b: a ** b, (POS, B)),
    "pow_scalar": (lambda m, a: a ** 3, (A,)),
    "rpow": (lambda m, a: 2.0 ** a, (A,)),
    "neg": (lambda m, a: -a, (A,)),
    "exp": (lambda m, a: m.exp(a), (A,)),
    "log": (lambda m, a: m.log(a), (POS,)),
    "sqrt": (lambda m, a: m.sqrt(a), (POS,)),
    "abs_at_zero": (lambda m, a: m.abs(a), (KINKS,)),
    "relu_at_zero": (lambda m, a: m.relu(a), (KINKS,)),
    "sigmoid": (lambda m, a: m.sigmoid(a), (A * 10,)),
    "tanh": (lambda m, a: m.tanh(a), (A,)),
    "clamp_at_bounds": (lambda m, a: m.clamp(a, -0.5, 1.0), (KINKS,)),
    "maximum_ties": (lambda m, a, b: m.maximum(a, b), (KINKS, KINKS.T[:, :3].T[:1])),
    "minimum_ties": (lambda m, a, b: m.minimum(a, b), (TIES, TIES[1:2])),
    "where": (lambda m, a, b: m.where(a > 0, a, b), (A, B)),
    "sum_dim": (lambda m, a: a.sum(1), (A,)),
    "sum_tuple_keep": (lambda m, a: a.sum((0, 1), keepdim=True), (A,)),
    "mean": (lambda m, a: a.mean(0), (A,)),
    "prod_with_zeros": (lambda m, a: a.prod(1), (KINKS,)),
    "max_all_ties": (lambda m, a: a.max(), (TIES,)),
    "max_dim_ties": (lambda m, a: a.max(1)[0], (TIES,)),
    "min_dim_keep": (lambda m, a: a.min(0, keepdim=True)[0], (TIES,)),
    "var": (lambda m, a: a.var(1), (A,)),
    "std_biased": (lambda m, a: a.std(0, correction=0), (A,)),
    "logsumexp": (lambda m, a: m.logsumexp(a, 1), (A * 50,)),
    "softmax": (lambda m, a: m.softmax(a, 0), (A,)),
    "log_softmax": (lambda m, a: m.log_softmax(a, -1), (A * 30,)),
    "matmul_mv": (lambda m, a, b: a @ b, (A, B)),
    "matmul_vv": (lambda m, a, b: a @ b, (B, B * 2)),
    "matmul_batched": (lambda m, a, b: a.reshape(3, 2, 2) @ b.reshape(2, 2),
                       (A, B)),
    "transpose_reshape": (lambda m, a: a.T.reshape(2, 6), (A,)),
    "permute": (lambda m, a: a.reshape(3, 2, 2).permute(2, 0, 1), (A,)),
    "expand": (lambda m, a: a.unsqueeze(0).expand(2, 4) * 1.0, (B,)),
    "index_repeated": (lambda m, a: a[[0, 0, 2]], (A,)),
    "index_mask": (lambda m, a: a[a > 0], (A,)),
    "index_slices": (lambda m, a: a[1:, ::2], (A,)),
    "cat": (lambda m, a, b: m.cat([a, b.reshape(1, 4)], 0), (A, B)),
    "stack": (lambda m, a, b: m.stack([a[0], b], 1), (A, B)),
    "flatten_squeeze": (lambda m, a: a.unsqueeze(1).flatten(1).squeeze(), (A,)),
}


def run(module, fn: Callable, arrays: tuple[np.ndarray, ...]):  # noqa: ANN001, ANN201
    leaves = [module.tensor(a, dtype=module.float64, requires_grad=True) for a in arrays]
    out = fn(module, *leaves)
    weights = np.random.default_rng(7).standard_normal(tuple(out.shape))
    (out * module.tensor(weights, dtype=module.float64)).sum().backward()
    value = out.detach().numpy()
    grads = [leaf.grad.numpy() if leaf.grad is not None else np.zeros_like(a)
             for leaf, a in zip(leaves, arrays)]
    return value, grads


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name: str) -> None:
    fn, arrays = CASES[name]
    ours, our_grads = run(cr, fn, arrays)
    theirs, their_grads = run(torch, fn, arrays)
    assert ours.shape == theirs.shape
    assert np.allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    for i, (g, h) in enumerate(zip(our_grads, their_grads)):
        assert np.allclose(g, h, rtol=1e-9, atol=1e-12), f"gradient of input {i}"


def test_second_derivatives_match_pytorch() -> None:
    def third_power_tanh(module, x):  # noqa: ANN001, ANN202
        y = (module.tanh(x) ** 3).sum()
        (g,) = module.autograd.grad(y, x, create_graph=True)
        (h,) = module.autograd.grad((g * g).sum(), x)
        return h.detach().numpy()

    x_ours = cr.tensor(A, dtype=cr.float64, requires_grad=True)
    x_theirs = torch.tensor(A, dtype=torch.float64, requires_grad=True)
    assert np.allclose(third_power_tanh(cr, x_ours), third_power_tanh(torch, x_theirs))


def test_dtype_promotion_matches_pytorch() -> None:
    pairs = [
        (lambda m: m.ones(2) * 2.5),
        (lambda m: m.ones(2) + m.ones(2, dtype=m.float64)),
        (lambda m: m.tensor([1, 2]) + m.ones(2)),
        (lambda m: m.tensor([1, 2]) * 1.5),
        (lambda m: m.tensor([1, 2]) / 2),
        (lambda m: m.tensor([1, 2]) + 1),
        (lambda m: m.tensor([True]) + 1),
    ]
    for make in pairs:
        assert str(make(cr).dtype).split(".")[-1] == str(make(torch).dtype).split(".")[-1]
