"""Every learning-rate schedule against PyTorch's: the rates of two parameter groups (and
the momentum or Adam's β₁ where a schedule cycles it) over 30 steps, checkpoints, the
deprecated step(epoch), warnings and validation errors."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

STEPS = 30
LOSSES = [5.0, 4.0, 4.0, 4.0, 3.99, 4.1, 4.2, 3.0, 3.0, 3.0, 3.0, 3.0, 2.9999, 3.5, 1.0] * 2


class Halver:
    """A callable object: its state goes into the scheduler's checkpoint."""

    def __init__(self) -> None:
        self.base = 0.5

    def __call__(self, epoch: int) -> float:
        return self.base ** (epoch % 4)


def make_optimizer(lib: Any, kind: str) -> Any:
    groups = [{"params": [lib.zeros(1, requires_grad=True)]},
              {"params": [lib.zeros(1, requires_grad=True)], "lr": 0.5}]
    if kind == "adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


Make = Callable[[Any, Any], Any]
CASES: dict[str, tuple[str, Make]] = {
    "lambda": ("sgd", lambda s, o: s.LambdaLR(o, lambda e: 1 / (1 + e))),
    "lambda_per_group": ("sgd", lambda s, o: s.LambdaLR(o, [lambda e: 0.9 ** e, Halver()])),
    "multiplicative": ("sgd", lambda s, o: s.MultiplicativeLR(o, lambda e: 0.95)),
    "step": ("sgd", lambda s, o: s.StepLR(o, step_size=4, gamma=0.5)),
    "multistep": ("sgd", lambda s, o: s.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.3)),
    "constant": ("sgd", lambda s, o: s.ConstantLR(o, factor=0.25, total_iters=6)),
    "linear": ("sgd", lambda s, o: s.LinearLR(o, start_factor=0.1, end_factor=0.9,
                                              total_iters=12)),
    "exponential": ("sgd", lambda s, o: s.ExponentialLR(o, gamma=0.9)),
    "polynomial": ("sgd", lambda s, o: s.PolynomialLR(o, total_iters=20, power=2.0)),
    "cosine": ("sgd", lambda s, o: s.CosineAnnealingLR(o, T_max=10, eta_min=0.01)),
    "cosine_warm_restarts": ("sgd", lambda s, o: s.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001)),
    "cyclic_triangular": ("sgd", lambda s, o: s.CyclicLR(o, 0.01, [0.1, 0.2], step_size_up=4,
                                                         step_size_down=6)),
    "cyclic_triangular2_adam": ("adam", lambda s, o: s.CyclicLR(
        o, 0.01, 0.1, step_size_up=3, mode="triangular2", base_momentum=0.7,
        max_momentum=0.95)),
    "cyclic_exp_range": ("sgd", lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=5,
                                                        mode="exp_range", gamma=0.97,
                                                        cycle_momentum=False)),
    "cyclic_scale_fn": ("sgd", lambda s, o: s.CyclicLR(o, 0.01, 0.1, step_size_up=2,
                                                       scale_fn=lambda x: 1 / (1 + x),
                                                       scale_mode="iterations")),
    "one_cycle_cos": ("sgd", lambda s, o: s.OneCycleLR(o, max_lr=[1.0, 2.0],
                                                       total_steps=STEPS + 1)),
    "one_cycle_linear_three_phase_adam": ("adam", lambda s, o: s.OneCycleLR(
        o, max_lr=0.5, epochs=4, steps_per_epoch=8, pct_start=0.25,
        anneal_strategy="linear", three_phase=True, div_factor=10.0,
        final_div_factor=100.0)),
    "one_cycle_no_momentum": ("sgd", lambda s, o: s.OneCycleLR(o, max_lr=0.3, total_steps=40,
                                                               cycle_momentum=False)),
    "sequential": ("sgd", lambda s, o: s.SequentialLR(
        o, [s.LinearLR(o, start_factor=0.2, total_iters=5), s.ExponentialLR(o, gamma=0.9),
            s.CosineAnnealingLR(o, T_max=6)], milestones=[5, 15])),
    "chained": ("sgd", lambda s, o: s.ChainedScheduler(
        [s.ConstantLR(o, factor=0.5, total_iters=4), s.ExponentialLR(o, gamma=0.95),
         s.StepLR(o, step_size=7, gamma=0.5)])),
    "plateau_min_rel": ("sgd", lambda s, o: s.ReduceLROnPlateau(o, patience=2)),
    "plateau_max_abs": ("sgd", lambda s, o: s.ReduceLROnPlateau(
        o, mode="max", factor=0.5, patience=1, threshold=0.5, threshold_mode="abs",
        cooldown=2, min_lr=[0.02, 0.1])),
    "plateau_eps": ("sgd", lambda s, o: s.ReduceLROnPlateau(o, factor=0.5, patience=0,
                                                            min_lr=0.05, eps=0.01)),
}


def momentum_of(group: dict[str, Any]) -> Any:
    return group["betas"][0] if "betas" in group else group.get("momentum")


def run(lib: Any, name: str, steps: int = STEPS) -> list[Any]:
    kind, make = CASES[name]
    optimiser = make_optimizer(lib, kind)
    scheduler = make(lib.optim.lr_scheduler, optimiser)
    history = []
    for step in range(steps):
        history.append((list(scheduler.get_last_lr()),
                        [momentum_of(group) for group in optimiser.param_groups],
                        [group["lr"] for group in optimiser.param_groups]))
        optimiser.step()
        if name.startswith("plateau"):
            scheduler.step(LOSSES[step])
        else:
            scheduler.step()
    return history


@pytest.mark.parametrize("name", sorted(CASES))
def test_rates_match_pytorch(name: str) -> None:
    ours, theirs = run(cr, name), run(torch, name)
    for step, (mine, reference) in enumerate(zip(ours, theirs)):
        for my_values, their_values in zip(mine, reference):
            assert my_values == pytest.approx(their_values, rel=1e-12, abs=1e-15), (name, step)


# The composites' checkpoints hold their members' (test_composite_state_dicts).
@pytest.mark.parametrize("name", sorted(set(CASES) - {"sequential", "chained"}))
def test_state_dict_matches_and_resumes(name: str) -> None:
    kind, make = CASES[name]
    optimisers, schedulers = [], []
    for lib in (cr, torch):
        optimisers.append(make_optimizer(lib, kind))
        schedulers.append(make(lib.optim.lr_scheduler, optimisers[-1]))
    ours, theirs = schedulers[0].state_dict(), schedulers[1].state_dict()
    assert set(ours) - {"_scale_fn_ref"} == set(theirs) - {"_scale_fn_ref"}
    # Resume: a fresh scheduler given the optimiser and scheduler state carries on alike.
    for _ in range(7):
        optimisers[0].step()
        step_once(name, schedulers[0], 7)
    saved_optimiser, saved = optimisers[0].state_dict(), schedulers[0].state_dict()
    expected = []
    for index in range(5):
        optimisers[0].step()
        step_once(name, schedulers[0], 8 + index)
        expected.append(schedulers[0].get_last_lr())
    optimiser = make_optimizer(cr, kind)
    resumed = make(cr.optim.lr_scheduler, optimiser)  # made first, then both restored
    optimiser.load_state_dict(saved_optimiser)
    resumed.load_state_dict(saved)
    for index in range(5):
        optimiser.step()
        step_once(name, resumed, 8 + index)
        assert resumed.get_last_lr() == pytest.approx(expected[index], rel=1e-12)


def step_once(name: str, scheduler: Any, index: int) -> None:
    if name.startswith("plateau"):
        scheduler.step(LOSSES[index])
    else:
        scheduler.step()


def test_composite_state_dicts() -> None:
    for name in ("sequential", "chained"):
        kind, make = CASES[name]
        ours = make(cr.optim.lr_scheduler, make_optimizer(cr, kind)).state_dict()
        theirs = make(torch.optim.lr_scheduler, make_optimizer(torch, kind)).state_dict()
        assert set(ours) == set(theirs)
        assert len(ours["_schedulers"]) == len(theirs["_schedulers"])
        for mine, reference in zip(ours["_schedulers"], theirs["_schedulers"]):
            assert set(mine) == set(reference)
            assert mine["last_epoch"] == reference["last_epoch"]


def test_lambda_checkpoint_keeps_callable_objects_state() -> None:
    _, make = CASES["lambda_per_group"]
    scheduler = make(cr.optim.lr_scheduler, make_optimizer(cr, "sgd"))
    scheduler.lr_lambdas[1].base = 0.25
    saved = scheduler.state_dict()
    assert saved["lr_lambdas"] == [None, {"base": 0.25}]
    fresh = make(cr.optim.lr_scheduler, make_optimizer(cr, "sgd"))
    fresh.load_state_dict(saved)
    assert fresh.lr_lambdas[1].base == 0.25


def fractional_restarts(lib: Any) -> list[float]:
    optimiser = make_optimizer(lib, "sgd")
    scheduler = lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(optimiser, T_0=2, T_mult=3,
                                                                   eta_min=0.01)
    rates = []
    for epoch in range(12):
        for batch in range(4):
            optimiser.step()
            scheduler.step(epoch + batch / 4)
            rates.extend(scheduler.get_last_lr())
    return rates


def test_warm_restarts_with_fractional_epochs() -> None:
    assert fractional_restarts(cr) == pytest.approx(fractional_restarts(torch), rel=1e-12)
    scheduler = cr.optim.lr_scheduler.CosineAnnealingWarmRestarts(make_optimizer(cr, "sgd"), 2)
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        scheduler.step(-1)


@pytest.mark.parametrize("name, epochs", [("step", [3, 9, 4]), ("exponential", [5, 2]),
                                          ("cosine", [13, 4]), ("linear", [20, 3]),
                                          ("multistep", [8, 21])])
def test_step_with_an_epoch_uses_the_closed_form(name: str, epochs: list[int]) -> None:
    results = []
    for lib in (cr, torch):
        kind, make = CASES[name]
        optimiser = make_optimizer(lib, kind)
        scheduler = make(lib.optim.lr_scheduler, optimiser)
        rates = []
        for epoch in epochs:
            optimiser.step()
            with pytest.warns(UserWarning, match="epoch parameter in `scheduler.step"):
                scheduler.step(epoch)
            rates.extend(scheduler.get_last_lr())
        results.append(rates)
    assert results[0] == pytest.approx(results[1], rel=1e-12)


def test_warns_when_the_scheduler_steps_before_the_optimiser() -> None:
    for lib in (cr, torch):
        optimiser = make_optimizer(lib, "sgd")
        scheduler = lib.optim.lr_scheduler.StepLR(optimiser, step_size=2)
        with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
            scheduler.step()
        optimiser = make_optimizer(lib, "sgd")
        scheduler = lib.optim.lr_scheduler.StepLR(optimiser, step_size=2)
        optimiser.step()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            scheduler.step()
            scheduler.get_last_lr()
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            scheduler.get_lr()


BAD: list[tuple[str, Make, type[Exception]]] = [
    ("constant-factor", lambda s, o: s.ConstantLR(o, factor=1.5), ValueError),
    ("linear-start", lambda s, o: s.LinearLR(o, start_factor=0), ValueError),
    ("linear-end", lambda s, o: s.LinearLR(o, end_factor=2.0), ValueError),
    ("lambda-count", lambda s, o: s.LambdaLR(o, [lambda e: 1.0]), ValueError),
    ("multiplicative-not-callable", lambda s, o: s.MultiplicativeLR(o, 0.5), TypeError),
    ("restarts-T0", lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0), ValueError),
    ("restarts-Tmult", lambda s, o: s.CosineAnnealingWarmRestarts(o, 2, T_mult=0), ValueError),
    ("restarts-eta", lambda s, o: s.CosineAnnealingWarmRestarts(o, 2, eta_min="a"), ValueError),
    ("cyclic-mode", lambda s, o: s.CyclicLR(o, 0.1, 1.0, mode="square"), ValueError),
    ("cyclic-max-count", lambda s, o: s.CyclicLR(o, 0.1, [1.0]), ValueError),
    ("one-cycle-no-steps", lambda s, o: s.OneCycleLR(o, 1.0), ValueError),
    ("one-cycle-total", lambda s, o: s.OneCycleLR(o, 1.0, total_steps=0), ValueError),
    ("one-cycle-epochs", lambda s, o: s.OneCycleLR(o, 1.0, epochs=0, steps_per_epoch=2),
     ValueError),
    ("one-cycle-pct", lambda s, o: s.OneCycleLR(o, 1.0, 10, pct_start=1.5), ValueError),
    ("one-cycle-anneal", lambda s, o: s.OneCycleLR(o, 1.0, 10, anneal_strategy="exp"),
     ValueError),
    ("plateau-factor", lambda s, o: s.ReduceLROnPlateau(o, factor=1.0), ValueError),
    ("plateau-mode", lambda s, o: s.ReduceLROnPlateau(o, mode="up"), ValueError),
    ("plateau-threshold-mode", lambda s, o: s.ReduceLROnPlateau(o, threshold_mode="x"),
     ValueError),
    ("plateau-min-lrs", lambda s, o: s.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError),
    ("sequential-empty", lambda s, o: s.SequentialLR(o, [], milestones=[]), ValueError),
    ("sequential-milestones", lambda s, o: s.SequentialLR(
        o, [s.StepLR(o, 2), s.StepLR(o, 3)], milestones=[]), ValueError),
    ("sequential-plateau", lambda s, o: s.SequentialLR(
        o, [s.StepLR(o, 2), s.ReduceLROnPlateau(o)], milestones=[2]), ValueError),
    ("chained-empty", lambda s, o: s.ChainedScheduler([]), ValueError),
    ("scheduler-not-optimizer", lambda s, o: s.ExponentialLR([1], 0.5), TypeError),
    ("resume-without-initial-lr", lambda s, o: s.ExponentialLR(o, 0.5, last_epoch=3),
     KeyError),
]


@pytest.mark.parametrize("name, make, error", BAD, ids=[case[0] for case in BAD])
def test_bad_arguments_raise_as_pytorch(name: str, make: Make, error: type[Exception]) -> None:
    messages = []
    for lib in (torch, cr):
        with pytest.raises(error) as raised:
            make(lib.optim.lr_scheduler, make_optimizer(lib, "sgd"))
        messages.append(str(raised.value))
    if error is not KeyError:
        assert messages[1].split(",")[0] == messages[0].split(",")[0]


def test_one_cycle_refuses_to_step_past_its_end() -> None:
    for lib in (torch, cr):
        optimiser = make_optimizer(lib, "sgd")
        scheduler = lib.optim.lr_scheduler.OneCycleLR(optimiser, 1.0, total_steps=2)
        optimiser.step()
        scheduler.step()
        scheduler.step()
        with pytest.raises(ValueError, match="Tried to step 3 times"):
            scheduler.step()


def test_a_custom_schedule_subclassing_the_base_runs_as_in_pytorch() -> None:
    rates = []
    for lib in (cr, torch):
        schedulers = lib.optim.lr_scheduler

        class Halving(schedulers._LRScheduler):
            def get_lr(self) -> list[float]:
                return [base * 0.5 ** (self.last_epoch // 3) for base in self.base_lrs]

        optimiser = make_optimizer(lib, "sgd")
        scheduler = Halving(optimiser)
        for _ in range(10):
            optimiser.step()
            scheduler.step()
            rates.extend(scheduler.get_last_lr())
        assert isinstance(scheduler, schedulers.LRScheduler)
    assert rates[:20] == pytest.approx(rates[20:], rel=1e-12)
