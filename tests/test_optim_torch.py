"""Every optimiser against PyTorch's, step for step: the same start, the same loss, the same
hyperparameters (weight decay and maximize included), in float64; then their state dicts,
their validation errors and LBFGS with and without its line search."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

RNG = np.random.default_rng(7)
STARTS = [RNG.standard_normal(3), RNG.standard_normal((2, 2)), RNG.standard_normal(2)]
STEPS = 8


@pytest.fixture(autouse=True)
def torch_in_float64():  # noqa: ANN201
    # PyTorch keeps scalar state (step, NAdam's mu_product, ASGD's eta) in the default
    # dtype: float64 makes its arithmetic the same as ours.
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def loss_of(params: list[Any]) -> Any:
    """A curved loss coupling the first two parameters; the third never gets a gradient."""
    w, v, _ = params
    return ((w ** 3) / 3 - w).sum() + 0.5 * (v * v).sum() + w.sum() * v.sum()


def make_params(lib: Any) -> list[Any]:
    return [lib.tensor(start.copy(), dtype=lib.float64, requires_grad=True)
            for start in STARTS]


def trajectory(lib: Any, make: Callable[[Any, list[Any]], Any],
               steps: int = STEPS) -> tuple[list[np.ndarray], Any]:
    params = make_params(lib)
    optimiser = make(lib.optim, params)
    path = []
    for _ in range(steps):
        optimiser.zero_grad()
        loss_of(params).backward()
        optimiser.step()
        path.append(np.concatenate([p.detach().numpy().reshape(-1).copy() for p in params]))
    return path, optimiser


CASES: dict[str, Callable[[Any, list[Any]], Any]] = {
    "sgd": lambda o, p: o.SGD(p, lr=0.1),
    "sgd_momentum_dampening_decay": lambda o, p: o.SGD(p, lr=0.05, momentum=0.9,
                                                       dampening=0.2, weight_decay=0.01),
    "sgd_nesterov_maximize": lambda o, p: o.SGD(p, lr=0.02, momentum=0.8, nesterov=True,
                                                weight_decay=0.1, maximize=True),
    "adam": lambda o, p: o.Adam(p, lr=0.05, weight_decay=0.02),
    "adam_amsgrad_maximize": lambda o, p: o.Adam(p, lr=0.05, betas=(0.8, 0.95), amsgrad=True,
                                                 maximize=True, weight_decay=0.1),
    "adam_decoupled": lambda o, p: o.Adam(p, lr=0.05, weight_decay=0.1,
                                          decoupled_weight_decay=True),
    "adamw": lambda o, p: o.AdamW(p, lr=0.05),
    "adamw_amsgrad": lambda o, p: o.AdamW(p, lr=0.05, weight_decay=0.3, amsgrad=True),
    "adagrad": lambda o, p: o.Adagrad(p, lr=0.3, lr_decay=0.05, weight_decay=0.01,
                                      initial_accumulator_value=0.1),
    "adagrad_maximize": lambda o, p: o.Adagrad(p, lr=0.1, maximize=True),
    "rmsprop": lambda o, p: o.RMSprop(p, lr=0.01),
    "rmsprop_all": lambda o, p: o.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5, centered=True,
                                          weight_decay=0.1, maximize=True),
    "adamax": lambda o, p: o.Adamax(p, lr=0.05),
    "adamax_decay_maximize": lambda o, p: o.Adamax(p, lr=0.05, betas=(0.7, 0.9),
                                                   weight_decay=0.1, maximize=True),
    "nadam": lambda o, p: o.NAdam(p, lr=0.05),
    "nadam_decay": lambda o, p: o.NAdam(p, lr=0.05, weight_decay=0.1, momentum_decay=0.01),
    "nadam_decoupled_maximize": lambda o, p: o.NAdam(p, lr=0.05, weight_decay=0.1,
                                                     decoupled_weight_decay=True,
                                                     maximize=True),
    "radam": lambda o, p: o.RAdam(p, lr=0.05),
    # β₂ = 0.5 makes ρₜ pass 5 within a few steps, so both branches run.
    "radam_rectified": lambda o, p: o.RAdam(p, lr=0.05, betas=(0.9, 0.5), weight_decay=0.1),
    "radam_decoupled_maximize": lambda o, p: o.RAdam(p, lr=0.05, betas=(0.8, 0.6),
                                                     weight_decay=0.1, maximize=True,
                                                     decoupled_weight_decay=True),
    "adadelta": lambda o, p: o.Adadelta(p),
    "adadelta_all": lambda o, p: o.Adadelta(p, lr=0.5, rho=0.8, eps=1e-4, weight_decay=0.1,
                                            maximize=True),
    "rprop": lambda o, p: o.Rprop(p, lr=0.05),
    "rprop_bounds_maximize": lambda o, p: o.Rprop(p, lr=0.1, etas=(0.3, 1.5),
                                                  step_sizes=(0.01, 0.2), maximize=True),
    "asgd": lambda o, p: o.ASGD(p, lr=0.05),
    "asgd_averaging": lambda o, p: o.ASGD(p, lr=0.05, lambd=0.01, alpha=0.5, t0=3,
                                          weight_decay=0.1),
    "asgd_maximize": lambda o, p: o.ASGD(p, lr=0.02, t0=0, maximize=True),
}


def plain(value: Any) -> Any:
    """A state value as NumPy or a float, whichever library made it."""
    if isinstance(value, (torch.Tensor, cr.Tensor)):
        return np.asarray(value.detach().numpy(), dtype=np.float64)
    return value


@pytest.mark.parametrize("name", sorted(CASES))
def test_steps_match_pytorch(name: str) -> None:
    ours, our_optimiser = trajectory(cr, CASES[name])
    theirs, their_optimiser = trajectory(torch, CASES[name])
    for step, (mine, reference) in enumerate(zip(ours, theirs)):
        assert np.allclose(mine, reference, rtol=1e-10, atol=1e-12), (name, step)
    assert np.array_equal(ours[-1][-2:], STARTS[2]), "a parameter without a gradient moved"
    our_state, their_state = our_optimiser.state_dict(), their_optimiser.state_dict()
    assert sorted(our_state["state"]) == sorted(their_state["state"])
    for index, values in their_state["state"].items():
        assert set(our_state["state"][index]) == set(values), (name, index)
        for key, value in values.items():
            assert np.allclose(plain(our_state["state"][index][key]), plain(value),
                               rtol=1e-10, atol=1e-12), (name, key)
    our_group, their_group = our_state["param_groups"][0], their_state["param_groups"][0]
    assert set(our_group) == set(their_group), name
    for key in our_group:
        assert our_group[key] == their_group[key], (name, key)


@pytest.mark.parametrize("name", ["nadam_decay", "rprop", "asgd_averaging", "radam_rectified"])
def test_state_dict_resumes_identically(name: str) -> None:
    make = CASES[name]
    full, _ = trajectory(cr, make, steps=6)
    params = make_params(cr)
    optimiser = make(cr.optim, params)
    for _ in range(3):
        optimiser.zero_grad()
        loss_of(params).backward()
        optimiser.step()
    saved = optimiser.state_dict()
    resumed = make(cr.optim, params)
    resumed.load_state_dict(saved)
    for _ in range(3):
        resumed.zero_grad()
        loss_of(params).backward()
        resumed.step()
    final = np.concatenate([p.detach().numpy().reshape(-1) for p in params])
    assert np.allclose(final, full[-1], rtol=0, atol=0)


BAD = [
    ("Adamax", {"lr": -1.0}), ("Adamax", {"eps": -1.0}), ("Adamax", {"betas": (1.0, 0.9)}),
    ("Adamax", {"betas": (0.9, -0.1)}), ("Adamax", {"weight_decay": -1.0}),
    ("NAdam", {"lr": -0.5}), ("NAdam", {"momentum_decay": -1.0}),
    ("NAdam", {"betas": (0.9, 1.0)}), ("RAdam", {"lr": -1e-3}), ("RAdam", {"eps": -1.0}),
    ("RAdam", {"weight_decay": -0.1}), ("Adadelta", {"lr": -1.0}), ("Adadelta", {"rho": 1.5}),
    ("Adadelta", {"eps": -1.0}), ("Adadelta", {"weight_decay": -1.0}),
    ("Rprop", {"lr": -1.0}), ("Rprop", {"etas": (1.5, 1.2)}), ("Rprop", {"etas": (0.5, 0.9)}),
    ("ASGD", {"lr": -1.0}), ("ASGD", {"weight_decay": -1.0}), ("LBFGS", {"lr": -1.0}),
    ("SGD", {"lr": -0.1}), ("Adam", {"betas": (0.9, 1.0)}),
]


@pytest.mark.parametrize("name, options", BAD, ids=[f"{n}-{sorted(o)[0]}" for n, o in BAD])
def test_validation_errors_match_pytorch(name: str, options: dict[str, Any]) -> None:
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)(make_params(torch), **options)
    with pytest.raises(ValueError) as ours:
        getattr(cr.optim, name)(make_params(cr), **options)
    assert str(ours.value) == str(theirs.value)


def rosenbrock(x: Any) -> Any:
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def lbfgs_run(lib: Any, options: dict[str, Any], steps: int = 3) -> tuple[list[Any], Any]:
    x = lib.tensor([-1.2, 1.0, 0.5, -0.3], dtype=lib.float64, requires_grad=True)
    optimiser = lib.optim.LBFGS([x], **options)

    def closure() -> Any:
        optimiser.zero_grad()
        loss = rosenbrock(x)
        loss.backward()
        return loss

    path = []
    for _ in range(steps):
        loss = optimiser.step(closure)
        path.append((float(loss.detach()), x.detach().numpy().copy()))
    return path, optimiser


LBFGS_OPTIONS = [
    {},
    {"lr": 0.5, "max_iter": 7, "history_size": 3},
    {"line_search_fn": "strong_wolfe"},
    {"line_search_fn": "strong_wolfe", "max_iter": 10, "history_size": 2, "max_eval": 12},
    {"max_iter": 50, "tolerance_grad": 1e-3, "tolerance_change": 1e-6,
     "line_search_fn": "strong_wolfe"},
]


@pytest.mark.parametrize("options", LBFGS_OPTIONS, ids=[str(o) for o in LBFGS_OPTIONS])
def test_lbfgs_matches_pytorch(options: dict[str, Any]) -> None:
    ours, our_optimiser = lbfgs_run(cr, options)
    theirs, their_optimiser = lbfgs_run(torch, options)
    for (our_loss, our_x), (their_loss, their_x) in zip(ours, theirs):
        assert our_loss == pytest.approx(their_loss, rel=1e-9, abs=1e-12)
        assert np.allclose(our_x, their_x, rtol=1e-8, atol=1e-10)
    our_state = our_optimiser.state_dict()["state"][0]
    their_state = their_optimiser.state_dict()["state"][0]
    assert our_state["func_evals"] == their_state["func_evals"]
    assert our_state["n_iter"] == their_state["n_iter"]
    assert set(our_state) == set(their_state)


def test_lbfgs_converges_and_refuses_groups() -> None:
    x = cr.tensor([3.0, -2.0, 0.5], dtype=cr.float64, requires_grad=True)
    optimiser = cr.optim.LBFGS([x], line_search_fn="strong_wolfe")

    def closure() -> Any:
        optimiser.zero_grad()
        loss = (cr.tensor([1.0, 4.0, 9.0]) * (x - 1) ** 2).sum() + (x[0] * x[1] - 1) ** 2
        loss.backward()
        return loss

    optimiser.step(closure)
    assert np.allclose(x.detach().numpy(), 1.0, atol=1e-6)
    a, b = make_params(cr)[:2]
    with pytest.raises(ValueError, match="parameter groups"):
        cr.optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(RuntimeError, match="only 'strong_wolfe'"):
        lbfgs_run(cr, {"line_search_fn": "armijo"})
    for lib in (cr, torch):
        with pytest.raises(TypeError):
            lib.optim.LBFGS([lib.zeros(1, requires_grad=True)]).step()


def test_in_place_step_invalidates_saved_tensors() -> None:
    w = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    optimiser = cr.optim.NAdam([w], lr=0.1)
    (w * w).sum().backward()
    pending = (w * w).sum()  # saves w for its backward
    optimiser.step()
    with pytest.raises(RuntimeError):
        pending.backward()


@pytest.mark.parametrize("name", ["adamax", "nadam_decay", "radam_rectified", "adadelta_all",
                                  "rprop_bounds_maximize", "asgd_averaging",
                                  "sgd_nesterov_maximize"])
def test_float32_parameters_keep_float32_state(name: str) -> None:
    paths = []
    for lib in (cr, torch):
        params = [lib.tensor(start.copy(), dtype=lib.float32, requires_grad=True)
                  for start in STARTS]
        optimiser = CASES[name](lib.optim, params)
        for _ in range(4):
            optimiser.zero_grad()
            loss_of(params).backward()
            optimiser.step()
        for param in params:
            assert str(param.dtype).endswith("float32")
        for values in optimiser.state_dict()["state"].values():
            for key, value in values.items():
                if isinstance(value, cr.Tensor) and value.ndim:
                    assert value.dtype == cr.float32, (name, key)
        paths.append(np.concatenate([p.detach().numpy().reshape(-1) for p in params]))
    assert np.allclose(paths[0], paths[1], rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad", "RMSprop", "Adamax",
                                  "NAdam", "RAdam", "Adadelta", "Rprop", "ASGD"])
def test_implementation_switches_are_accepted_but_differentiable_is_refused(name: str) -> None:
    params = make_params(cr)
    optimiser = getattr(cr.optim, name)(params, foreach=False)
    assert optimiser.param_groups[0]["foreach"] is False
    torch_groups = getattr(torch.optim, name)(make_params(torch)).param_groups
    assert set(optimiser.param_groups[0]) == set(torch_groups[0])
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        getattr(cr.optim, name)(params, differentiable=True)


def test_named_parameters_keep_their_names() -> None:
    groups = []
    for lib in (cr, torch):
        model = lib.nn.Linear(3, 2)
        optimiser = lib.optim.Adam(model.named_parameters(), lr=0.1)
        groups.append(optimiser.state_dict()["param_groups"][0])
    assert groups[0]["param_names"] == groups[1]["param_names"] == ["weight", "bias"]
    assert groups[0]["params"] == groups[1]["params"]
    w = cr.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match="with/without names"):
        cr.optim.SGD([("w", w), cr.zeros(1, requires_grad=True)], lr=0.1)


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
def test_lbfgs_over_several_parameters_matches_pytorch(line_search: str | None) -> None:
    results = []
    for lib in (cr, torch):
        params = make_params(lib)  # the third gets no gradient: a zero block in the vector
        optimiser = lib.optim.LBFGS(params, lr=0.8, max_iter=6, history_size=4,
                                    line_search_fn=line_search)

        def closure(optimiser: Any = optimiser, params: list[Any] = params) -> Any:
            optimiser.zero_grad()
            w, v, _ = params
            loss = ((w - 0.5) ** 4).sum() + ((v @ v.T - 1) ** 2).sum() + (w[:2] * v[0]).sum()
            loss.backward()
            return loss

        losses = [float(optimiser.step(closure).detach()) for _ in range(3)]
        flat = np.concatenate([p.detach().numpy().reshape(-1) for p in params])
        results.append((losses, flat))
    assert results[0][0] == pytest.approx(results[1][0], rel=1e-9)
    assert np.allclose(results[0][1], results[1][1], rtol=1e-8, atol=1e-10)
    assert np.array_equal(results[0][1][-2:], STARTS[2])
