"""Layers, losses, initialisers and optimisers against PyTorch, from identical weights.
Skipped, with the reason shown, where torch is not installed."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: these comparisons "
                            "need it (pip install torch==2.13.0); chainrule does not depend on it")

rng = np.random.default_rng(1)
X = rng.standard_normal((6, 4))
TARGET = np.array([0, 2, 1, 1, 2, 0])
PROBS = rng.dirichlet(np.ones(3), 6)
W = np.array([0.5, 2.0, 1.0])


def both(fn: Callable, *arrays: np.ndarray, grad: tuple[int, ...] = (0,)) -> None:
    """Runs fn(module, functional, *tensors) in both libraries; compares values and grads."""
    results = []
    for module, functional in ((cr, cr.nn.functional), (torch, torch.nn.functional)):
        tensors = [module.tensor(a, dtype=module.float64 if a.dtype.kind == "f" else None)
                   for a in arrays]
        for i in grad:
            tensors[i].requires_grad_(True)
        out = fn(module, functional, *tensors)
        seed = np.random.default_rng(5).standard_normal(tuple(out.shape))
        (out * module.tensor(seed, dtype=module.float64)).sum().backward()
        results.append((out.detach().numpy(), [tensors[i].grad.numpy() for i in grad]))
    (ours, our_grads), (theirs, their_grads) = results
    assert ours.shape == theirs.shape
    assert np.allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    for g, h in zip(our_grads, their_grads):
        assert np.allclose(g, h, rtol=1e-8, atol=1e-12)


ACTIVATIONS = {
    "relu": lambda m, f, x: f.relu(x),
    "leaky_relu": lambda m, f, x: f.leaky_relu(x, 0.2),
    "sigmoid": lambda m, f, x: f.sigmoid(x),
    "tanh": lambda m, f, x: f.tanh(x),
    "softplus": lambda m, f, x: f.softplus(x * 10, beta=0.5, threshold=5),
    "hardtanh": lambda m, f, x: f.hardtanh(x, -0.5, 0.5),
    "gelu": lambda m, f, x: f.gelu(x),
    "gelu_tanh": lambda m, f, x: f.gelu(x, approximate="tanh"),
    "softmax": lambda m, f, x: f.softmax(x, dim=1),
    "log_softmax": lambda m, f, x: f.log_softmax(x, dim=0),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations(name: str) -> None:
    both(ACTIVATIONS[name], X)


def test_hardtanh_and_leaky_relu_at_their_kinks() -> None:
    kinks = np.array([[-0.5, 0.0, 0.5, 1.0]])
    both(lambda m, f, x: f.hardtanh(x, -0.5, 0.5), kinks)
    both(lambda m, f, x: f.leaky_relu(x), kinks)


LOSSES = {
    "ce": lambda m, f, x, t: f.cross_entropy(x[:, :3], t),
    "ce_sum": lambda m, f, x, t: f.cross_entropy(x[:, :3], t, reduction="sum"),
    "ce_none": lambda m, f, x, t: f.cross_entropy(x[:, :3], t, reduction="none"),
    "ce_weight": lambda m, f, x, t: f.cross_entropy(x[:, :3], t, weight=m.tensor(
        W, dtype=m.float64)),
    "ce_ignore": lambda m, f, x, t: f.cross_entropy(x[:, :3], t, ignore_index=1),
    "ce_smoothing": lambda m, f, x, t: f.cross_entropy(x[:, :3], t, label_smoothing=0.15),
    "ce_all_options": lambda m, f, x, t: f.cross_entropy(
        x[:, :3], t, weight=m.tensor(W, dtype=m.float64), ignore_index=0, label_smoothing=0.3),
    "ce_all_options_none": lambda m, f, x, t: f.cross_entropy(
        x[:, :3], t, weight=m.tensor(W, dtype=m.float64), ignore_index=0, label_smoothing=0.3,
        reduction="none"),
    "ce_k_dim": lambda m, f, x, t: f.cross_entropy(x.reshape(2, 3, 4), t.reshape(2, 3)[:, :1]
                                                   .expand(2, 4) * 0 + 1),
    "nll": lambda m, f, x, t: f.nll_loss(f.log_softmax(x[:, :3], 1), t),
    "nll_weight_ignore": lambda m, f, x, t: f.nll_loss(
        x[:, :3], t, weight=m.tensor(W, dtype=m.float64), ignore_index=2, reduction="sum"),
    "multi_margin": lambda m, f, x, t: f.multi_margin_loss(x[:, :3], t),
    "multi_margin_p2_weight": lambda m, f, x, t: f.multi_margin_loss(
        x[:, :3], t, p=2, margin=0.7, weight=m.tensor(W, dtype=m.float64), reduction="none"),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_class_losses(name: str) -> None:
    both(LOSSES[name], X, TARGET)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_probability_targets_and_regression_losses(reduction: str) -> None:
    both(lambda m, f, x, p: f.cross_entropy(x[:, :3], p, reduction=reduction,
                                            label_smoothing=0.1), X, PROBS, grad=(0, 1))
    both(lambda m, f, x, y: f.mse_loss(x, y, reduction=reduction), X, X[::-1].copy(),
         grad=(0, 1))
    probabilities = 1 / (1 + np.exp(-X))
    labels = (rng.random(X.shape) > 0.5).astype(float)
    both(lambda m, f, p, y: f.binary_cross_entropy(p, y, reduction=reduction), probabilities,
         labels, grad=(0, 1))
    both(lambda m, f, x, y: f.binary_cross_entropy_with_logits(
        x * 30, y, reduction=reduction, pos_weight=m.tensor([1.0, 2.0, 0.5, 3.0],
                                                            dtype=m.float64)),
         X, labels, grad=(0, 1))
    both(lambda m, f, a, b: f.margin_ranking_loss(a, b, m.tensor([1.0, -1, 1, 1, -1, 1],
                                                                 dtype=m.float64),
                                                  margin=0.5, reduction=reduction),
         X[:, 0].copy(), X[:, 1].copy(), grad=(0, 1))


def test_linear_embedding_and_module_outputs_match_from_the_same_weights() -> None:
    ours, theirs = cr.nn.Linear(4, 3).double(), torch.nn.Linear(4, 3).double()
    ours.load_state_dict({k: cr.tensor(v.detach().numpy()) for k, v in
                          theirs.state_dict().items()})
    x = rng.standard_normal((5, 4))
    assert np.allclose(ours(cr.tensor(x)).detach().numpy(),
                       theirs(torch.tensor(x)).detach().numpy())
    both(lambda m, f, x, w, b: f.linear(x, w, b), X, rng.standard_normal((3, 4)),
         rng.standard_normal(3), grad=(0, 1, 2))
    both(lambda m, f, w: f.embedding(m.tensor([[0, 2, 2], [1, 0, 2]]), w, padding_idx=2),
         rng.standard_normal((3, 4)))


def test_init_functions_have_pytorchs_spread() -> None:
    for name, expected_std in [("xavier_uniform_", np.sqrt(2 / (300 + 200))),
                               ("xavier_normal_", np.sqrt(2 / (300 + 200))),
                               ("kaiming_uniform_", np.sqrt(2 / 300)),
                               ("kaiming_normal_", np.sqrt(2 / 300))]:
        kwargs = {"nonlinearity": "relu"} if name.startswith("kaiming") else {}
        ours = getattr(cr.nn.init, name)(cr.empty(200, 300), **kwargs).numpy()
        theirs = getattr(torch.nn.init, name)(torch.empty(200, 300), **kwargs).numpy()
        assert abs(ours.std() - expected_std) < 0.03 * expected_std
        assert abs(theirs.std() - expected_std) < 0.03 * expected_std
    for nonlinearity, param in [("relu", None), ("tanh", None), ("leaky_relu", 0.2),
                                ("sigmoid", None), ("linear", None), ("selu", None)]:
        assert cr.nn.init.calculate_gain(nonlinearity, param) == pytest.approx(
            torch.nn.init.calculate_gain(nonlinearity, param))


OPTIMISERS = {
    "sgd": ({"lr": 0.1}, "SGD"),
    "sgd_momentum_decay": ({"lr": 0.05, "momentum": 0.9, "dampening": 0.1,
                            "weight_decay": 0.01}, "SGD"),
    "sgd_nesterov": ({"lr": 0.05, "momentum": 0.8, "nesterov": True}, "SGD"),
    "adagrad": ({"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.01,
                 "initial_accumulator_value": 0.1}, "Adagrad"),
    "adam": ({"lr": 0.01, "weight_decay": 0.01}, "Adam"),
    "adam_amsgrad": ({"lr": 0.01, "betas": (0.8, 0.9), "amsgrad": True}, "Adam"),
    "adamw": ({"lr": 0.01, "weight_decay": 0.1}, "AdamW"),
    "rmsprop": ({"lr": 0.01}, "RMSprop"),
    "rmsprop_centered_momentum": ({"lr": 0.01, "momentum": 0.9, "centered": True,
                                   "weight_decay": 0.01}, "RMSprop"),
}


@pytest.mark.parametrize("name", sorted(OPTIMISERS))
def test_optimisers_follow_pytorch_for_20_steps(name: str) -> None:
    options, class_name = OPTIMISERS[name]
    start = rng.standard_normal((3, 4))
    data = rng.standard_normal((8, 4))
    trajectories = []
    for module in (cr, torch):
        weight = module.tensor(start.copy(), dtype=module.float64, requires_grad=True)
        inputs = module.tensor(data, dtype=module.float64)
        optimiser = getattr(module.optim, class_name)([weight], **options)
        path = []
        for _ in range(20):
            optimiser.zero_grad()
            loss = ((inputs @ weight.T).tanh() ** 2).sum()
            loss.backward()
            optimiser.step()
            path.append(weight.detach().numpy().copy())
        trajectories.append(np.array(path))
    assert np.allclose(trajectories[0], trajectories[1], rtol=1e-10, atol=1e-12)


def test_schedulers_follow_pytorch() -> None:
    for make in (lambda m, o: m.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
                 lambda m, o: m.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.01)):
        rates = []
        for module in (cr, torch):
            optimiser = module.optim.SGD([module.zeros(1, requires_grad=True)], lr=0.3)
            scheduler = make(module, optimiser)
            seen = []
            for _ in range(12):
                optimiser.step()
                scheduler.step()
                seen.append(scheduler.get_last_lr()[0])
            rates.append(seen)
        assert np.allclose(rates[0], rates[1], rtol=1e-12)
