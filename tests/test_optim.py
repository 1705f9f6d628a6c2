"""Each optimiser's trajectory over 20 steps against its rule written out here in NumPy, plus
validation, parameter groups and state dicts."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

START = np.random.default_rng(0).standard_normal(5)
STEPS = 20


def gradient(w: np.ndarray) -> np.ndarray:
    """∇ of f(w) = Σ (w³/3 − w) + ½|w|²: curved enough to exercise every state term."""
    return w * w - 1 + w


def run(make) -> np.ndarray:  # noqa: ANN001
    w = cr.tensor(START, dtype=cr.float64, requires_grad=True)
    optimiser = make([w])
    path = []
    for _ in range(STEPS):
        optimiser.zero_grad()
        ((w ** 3) / 3 - w + 0.5 * w * w).sum().backward()
        optimiser.step()
        path.append(w.detach().numpy().copy())
    return np.array(path)


def sgd_rule(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):  # noqa: ANN001, ANN201
    w, buf, path = START.copy(), None, []
    for _ in range(STEPS):
        g = gradient(w) + weight_decay * w
        if momentum:
            buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
            g = g + momentum * buf if nesterov else buf
        w = w - lr * g
        path.append(w)
    return np.array(path)


def adagrad_rule(lr, lr_decay=0.0, weight_decay=0.0, initial=0.0, eps=1e-10):  # noqa: ANN001, ANN201
    w, total, path = START.copy(), np.full(5, initial), []
    for t in range(1, STEPS + 1):
        g = gradient(w) + weight_decay * w
        total = total + g * g
        w = w - lr / (1 + (t - 1) * lr_decay) * g / (np.sqrt(total) + eps)
        path.append(w)
    return np.array(path)


def adam_rule(lr, b1=0.9, b2=0.999, eps=1e-8, weight_decay=0.0, decoupled=False,  # noqa: ANN001, ANN201
              amsgrad=False):
    w, m, v, vmax, path = START.copy(), np.zeros(5), np.zeros(5), np.zeros(5), []
    for t in range(1, STEPS + 1):
        g = gradient(w)
        if decoupled:
            w = w * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        v_used = vmax if amsgrad else v
        w = w - lr / (1 - b1 ** t) * m / (np.sqrt(v_used) / np.sqrt(1 - b2 ** t) + eps)
        path.append(w)
    return np.array(path)


def rmsprop_rule(lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):  # noqa: ANN001, ANN201
    w, s, avg, buf, path = START.copy(), np.zeros(5), np.zeros(5), np.zeros(5), []
    for _ in range(STEPS):
        g = gradient(w) + weight_decay * w
        s = alpha * s + (1 - alpha) * g * g
        if centered:
            avg = alpha * avg + (1 - alpha) * g
            d = np.sqrt(s - avg * avg) + eps
        else:
            d = np.sqrt(s) + eps
        if momentum:
            buf = momentum * buf + g / d
            w = w - lr * buf
        else:
            w = w - lr * g / d
        path.append(w)
    return np.array(path)


CASES = {
    "sgd": (lambda p: cr.optim.SGD(p, lr=0.1), lambda: sgd_rule(0.1)),
    "sgd_momentum": (lambda p: cr.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.2,
                                            weight_decay=0.01),
                     lambda: sgd_rule(0.05, 0.9, 0.2, 0.01)),
    "sgd_nesterov": (lambda p: cr.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
                     lambda: sgd_rule(0.05, 0.9, nesterov=True)),
    "adagrad": (lambda p: cr.optim.Adagrad(p, lr=0.3, lr_decay=0.05, weight_decay=0.01,
                                           initial_accumulator_value=0.1),
                lambda: adagrad_rule(0.3, 0.05, 0.01, 0.1)),
    "adam": (lambda p: cr.optim.Adam(p, lr=0.05, weight_decay=0.02),
             lambda: adam_rule(0.05, weight_decay=0.02)),
    "adam_amsgrad": (lambda p: cr.optim.Adam(p, lr=0.05, betas=(0.8, 0.95), amsgrad=True),
                     lambda: adam_rule(0.05, 0.8, 0.95, amsgrad=True)),
    "adamw": (lambda p: cr.optim.AdamW(p, lr=0.05, weight_decay=0.1),
              lambda: adam_rule(0.05, weight_decay=0.1, decoupled=True)),
    "rmsprop": (lambda p: cr.optim.RMSprop(p, lr=0.01), lambda: rmsprop_rule(0.01)),
    "rmsprop_all": (lambda p: cr.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5,
                                               centered=True, weight_decay=0.1),
                    lambda: rmsprop_rule(0.01, 0.9, weight_decay=0.1, momentum=0.5,
                                         centered=True)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_trajectory_matches_the_written_rule(name: str) -> None:
    make, rule = CASES[name]
    assert np.allclose(run(make), rule(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("make, message", [
    (lambda p: cr.optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
    (lambda p: cr.optim.SGD(p, lr=0.1, momentum=-0.5), "Invalid momentum value: -0.5"),
    (lambda p: cr.optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires"),
    (lambda p: cr.optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
    (lambda p: cr.optim.Adagrad(p, eps=-1), "Invalid epsilon value: -1"),
    (lambda p: cr.optim.RMSprop(p, alpha=-0.1), "Invalid alpha value: -0.1"),
])
def test_hyperparameters_are_validated(make, message: str) -> None:  # noqa: ANN001
    with pytest.raises(ValueError, match=message):
        make([cr.zeros(1, requires_grad=True)])


def test_bad_parameter_lists() -> None:
    with pytest.raises(ValueError, match="empty parameter list"):
        cr.optim.SGD([], lr=0.1)
    w = cr.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match="more than one parameter group"):
        cr.optim.SGD([{"params": [w]}, {"params": [w]}], lr=0.1)
    with pytest.raises(ValueError, match="not a leaf"):
        cr.optim.SGD([w * 2], lr=0.1)
    with pytest.raises(TypeError, match="iterable"):
        cr.optim.SGD(w, lr=0.1)


def test_param_groups_have_their_own_hyperparameters() -> None:
    a, b = cr.ones(1, requires_grad=True), cr.ones(1, requires_grad=True)
    optimiser = cr.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    (a + b).sum().backward()
    optimiser.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5)


def test_state_dict_round_trip_resumes_identically() -> None:
    def steps(optimiser, w, count):  # noqa: ANN001, ANN202
        for _ in range(count):
            optimiser.zero_grad()
            ((w ** 3) / 3 - w).sum().backward()
            optimiser.step()

    w = cr.tensor(START, dtype=cr.float64, requires_grad=True)
    optimiser = cr.optim.Adam([w], lr=0.05)
    steps(optimiser, w, 5)
    saved_state, saved_w = optimiser.state_dict(), w.detach().clone()
    steps(optimiser, w, 5)
    expected = w.detach().numpy().copy()

    w2 = cr.tensor(saved_w.numpy(), dtype=cr.float64, requires_grad=True)
    resumed = cr.optim.Adam([w2], lr=0.05)
    resumed.load_state_dict(saved_state)
    steps(resumed, w2, 5)
    assert np.array_equal(w2.detach().numpy(), expected)


def test_zero_grad_sets_none_by_default() -> None:
    w = cr.ones(2, requires_grad=True)
    optimiser = cr.optim.SGD([w], lr=0.1)
    w.sum().backward()
    optimiser.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0, 0]
    optimiser.zero_grad()
    assert w.grad is None


def test_step_lr_and_cosine_schedules() -> None:
    w = cr.zeros(1, requires_grad=True)
    optimiser = cr.optim.SGD([w], lr=1.0)
    step = cr.optim.lr_scheduler.StepLR(optimiser, step_size=2, gamma=0.1)
    rates = []
    for _ in range(5):
        optimiser.step()
        step.step()
        rates.append(step.get_last_lr()[0])
    assert rates == pytest.approx([1.0, 0.1, 0.1, 0.01, 0.01])
    optimiser = cr.optim.SGD([w], lr=1.0)
    cosine = cr.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=4)
    rates = []
    for _ in range(4):
        optimiser.step()
        cosine.step()
        rates.append(cosine.get_last_lr()[0])
    assert rates == pytest.approx([(1 + np.cos(np.pi * k / 4)) / 2 for k in range(1, 5)])
