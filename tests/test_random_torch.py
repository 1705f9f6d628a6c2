"""Randomness: `Generator`, seeding, the samplers and the in-place samplers, against PyTorch.

chainrule draws with NumPy's PCG64, so values cannot equal PyTorch's: the tests compare
dtypes, shapes and error types with PyTorch, the moments of large samples with the
distributions' (fixed seeds, loose bounds), and repeatability under `manual_seed` and
`generator=`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

REPOSITORY = Path(cr.__file__).parent.parent


# ---------------------------------------------------------------------- generators, seeds
def test_generator_api_as_pytorch() -> None:
    generator = cr.Generator()
    assert generator.initial_seed() == torch.Generator().initial_seed() == 67280421310721
    assert generator.manual_seed(5) is generator and generator.initial_seed() == 5
    assert str(generator.device) == str(torch.Generator().device) == "cpu"
    first = cr.rand(4, generator=generator)
    state = generator.get_state()
    second = cr.rand(4, generator=generator)
    assert generator.set_state(state) is generator
    assert cr.rand(4, generator=generator).tolist() == second.tolist()
    generator.manual_seed(5)
    assert cr.rand(4, generator=generator).tolist() == first.tolist()
    new_seed = generator.seed()
    assert generator.initial_seed() == new_seed


def test_generator_refuses_bad_seeds_and_devices() -> None:
    with pytest.raises(TypeError, match="seed must be an int"):
        cr.Generator().manual_seed(1.5)
    with pytest.raises(RuntimeError, match="not supported"):
        cr.Generator("cuda")
    with pytest.raises(TypeError, match="expected a state"):
        cr.Generator().set_state([1, 2])


def test_manual_seed_makes_every_sampler_repeatable() -> None:
    def draw() -> list[Any]:
        return [cr.rand(3).tolist(), cr.randn(3).tolist(), cr.randint(0, 9, (3,)).tolist(),
                cr.randperm(5).tolist(), cr.normal(0.0, 1.0, (3,)).tolist(),
                cr.bernoulli(cr.full((3,), 0.5)).tolist(),
                cr.multinomial(cr.tensor([0.2, 0.3, 0.5]), 2).tolist(),
                cr.poisson(cr.full((3,), 2.0)).tolist(), cr.zeros(3).uniform_().tolist(),
                cr.zeros(3).normal_().tolist(), cr.zeros(3).exponential_().tolist(),
                cr.zeros(3).random_(10).tolist(), cr.rand_like(cr.zeros(2)).tolist(),
                cr.randint_like(cr.zeros(2), 5).tolist()]

    cr.manual_seed(123)
    first = draw()
    assert cr.initial_seed() == 123
    cr.manual_seed(123)
    assert draw() == first


def test_get_and_set_rng_state_replay_the_default_stream() -> None:
    state = cr.get_rng_state()
    first = cr.randn(5).tolist()
    cr.set_rng_state(state)
    assert cr.randn(5).tolist() == first


def test_fork_rng_leaves_the_default_stream_as_it_was() -> None:
    cr.manual_seed(1)
    expected = cr.rand(3).tolist()
    cr.manual_seed(1)
    with cr.random.fork_rng():
        inside = cr.rand(3).tolist()
    assert cr.rand(3).tolist() == expected == inside
    with cr.random.fork_rng(enabled=False):
        cr.rand(1)
    assert cr.rand(3).tolist() != expected


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(REPOSITORY)})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_unseeded_programs_draw_differently_and_seeded_ones_repeat() -> None:
    unseeded = "import chainrule as cr; print(cr.rand(4).tolist(), cr.initial_seed())"
    seeded = "import chainrule as cr; cr.manual_seed(7); print(cr.rand(4).tolist())"
    assert _run(unseeded) != _run(unseeded)
    assert _run(seeded) == _run(seeded)


# ---------------------------------------------------------------------- oracle: dtypes
def _same_outcome(run: Callable[[Any], Any]) -> Any:
    """Runs `run` with torch and with chainrule: the same exception type, or results of the
    same dtype and shape (returned for further checks)."""
    try:
        expected = run(torch)
    except Exception as error:  # noqa: BLE001 - the oracle decides which type is right
        with pytest.raises(type(error)):
            run(cr)
        return None
    got = run(cr)
    assert str(got.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    assert tuple(got.shape) == tuple(expected.shape)
    return got


CALLS: dict[str, Callable[[Any], Any]] = {
    "rand": lambda lib: lib.rand(2, 3),
    "rand float64": lambda lib: lib.rand(2, dtype=lib.float64),
    "rand float16": lambda lib: lib.rand(2, dtype=lib.float16),
    "rand tuple": lambda lib: lib.rand((2, 3)),
    "rand int dtype": lambda lib: lib.rand(2, dtype=lib.int64),
    "rand negative": lambda lib: lib.rand(-1),
    "randn": lambda lib: lib.randn(4),
    "randint": lambda lib: lib.randint(3, 9, (2, 2)),
    "randint high only": lambda lib: lib.randint(9, (5,)),
    "randint int32": lambda lib: lib.randint(0, 9, (5,), dtype=lib.int32),
    "randint float dtype": lambda lib: lib.randint(0, 9, (5,), dtype=lib.float32),
    "randint empty range": lambda lib: lib.randint(5, 2, (3,)),
    "randperm": lambda lib: lib.randperm(6),
    "randperm float": lambda lib: lib.randperm(6, dtype=lib.float32),
    "randperm negative": lambda lib: lib.randperm(-1),
    "rand_like": lambda lib: lib.rand_like(lib.zeros(2, 3, dtype=lib.float64)),
    "rand_like int": lambda lib: lib.rand_like(lib.zeros(2, dtype=lib.int64)),
    "randn_like dtype": lambda lib: lib.randn_like(lib.zeros(2), dtype=lib.float64),
    "randint_like": lambda lib: lib.randint_like(lib.zeros(3), 10),
    "randint_like low high": lambda lib: lib.randint_like(lib.zeros(3, dtype=lib.int64), 2, 9),
    "normal tensors": lambda lib: lib.normal(lib.zeros(3), lib.ones(3)),
    "normal broadcast": lambda lib: lib.normal(lib.zeros(2, 1), lib.ones(3)),
    "normal tensor float": lambda lib: lib.normal(lib.zeros(3, dtype=lib.float64), 2.0),
    "normal float tensor": lambda lib: lib.normal(1.0, lib.ones(2, 2)),
    "normal floats size": lambda lib: lib.normal(2.0, 3.0, (4, 5)),
    "normal floats size dtype": lambda lib: lib.normal(0.0, 1.0, (2,), dtype=lib.float64),
    "normal floats no size": lambda lib: lib.normal(0.0, 1.0),
    "normal negative std": lambda lib: lib.normal(lib.zeros(3), -1.0),
    "normal negative std tensor": lambda lib: lib.normal(2.0, -lib.ones(3)),
    "normal shapes clash": lambda lib: lib.normal(lib.zeros(3), lib.ones(2)),
    "normal int mean": lambda lib: lib.normal(lib.zeros(3, dtype=lib.int64), 1.0),
    "bernoulli": lambda lib: lib.bernoulli(lib.full((3, 2), 0.5)),
    "bernoulli float64": lambda lib: lib.bernoulli(lib.full((3,), 0.5, dtype=lib.float64)),
    "bernoulli p": lambda lib: lib.bernoulli(lib.zeros(4), 0.3),
    "bernoulli out of range": lambda lib: lib.bernoulli(lib.full((3,), 1.5)),
    "bernoulli method": lambda lib: lib.full((3,), 0.5).bernoulli(),
    "multinomial": lambda lib: lib.multinomial(lib.tensor([0.1, 0.2, 0.7]), 2),
    "multinomial 2-d": lambda lib: lib.multinomial(lib.ones(4, 3), 3),
    "multinomial replacement": lambda lib: lib.multinomial(lib.tensor([0.1, 0.9]), 5, True),
    "multinomial method": lambda lib: lib.tensor([0.1, 0.9]).multinomial(1),
    "multinomial too many": lambda lib: lib.multinomial(lib.tensor([0.1, 0.9]), 3),
    "multinomial negative": lambda lib: lib.multinomial(lib.tensor([-1.0, 1.0]), 1),
    "multinomial zero sum": lambda lib: lib.multinomial(lib.zeros(3), 1),
    "multinomial 3-d": lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    "multinomial no samples": lambda lib: lib.multinomial(lib.ones(3), 0),
    "multinomial ints": lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    "multinomial inf": lambda lib: lib.multinomial(lib.tensor([float("inf"), 1.0]), 1),
    "poisson": lambda lib: lib.poisson(lib.full((2, 3), 3.0)),
    "poisson negative": lambda lib: lib.poisson(-lib.ones(3)),
    "poisson ints": lambda lib: lib.poisson(lib.ones(3, dtype=lib.int64)),
}


@pytest.mark.parametrize("name", list(CALLS))
def test_sampler_dtypes_shapes_and_errors_match_pytorch(name: str) -> None:
    _same_outcome(CALLS[name])


INPLACE: dict[str, Callable[[Any], Any]] = {
    "uniform_": lambda lib: lib.zeros(5).uniform_(2, 3),
    "uniform_ float64": lambda lib: lib.zeros(5, dtype=lib.float64).uniform_(),
    "uniform_ ints": lambda lib: lib.zeros(3, dtype=lib.int64).uniform_(),
    "uniform_ reversed": lambda lib: lib.zeros(3).uniform_(3, 2),
    "normal_": lambda lib: lib.zeros(5).normal_(1, 2),
    "normal_ negative std": lambda lib: lib.zeros(3).normal_(0, -1),
    "normal_ ints": lambda lib: lib.zeros(3, dtype=lib.int64).normal_(),
    "bernoulli_": lambda lib: lib.zeros(5).bernoulli_(0.3),
    "bernoulli_ ints": lambda lib: lib.zeros(5, dtype=lib.int64).bernoulli_(0.3),
    "bernoulli_ tensor p": lambda lib: lib.zeros(3).bernoulli_(lib.tensor([0.0, 1.0, 1.0])),
    "bernoulli_ p out of range": lambda lib: lib.zeros(3).bernoulli_(1.5),
    "exponential_": lambda lib: lib.zeros(5).exponential_(2.0),
    "exponential_ zero rate": lambda lib: lib.zeros(3).exponential_(0),
    "exponential_ ints": lambda lib: lib.zeros(3, dtype=lib.int64).exponential_(),
    "random_": lambda lib: lib.zeros(5).random_(),
    "random_ to": lambda lib: lib.zeros(5).random_(10),
    "random_ range": lambda lib: lib.zeros(5, dtype=lib.int64).random_(2, 10),
    "random_ ints": lambda lib: lib.zeros(5, dtype=lib.int32).random_(),
    "random_ bool": lambda lib: lib.zeros(5, dtype=lib.bool).random_(),
    "random_ uint8": lambda lib: lib.zeros(5, dtype=lib.uint8).random_(),
    "random_ empty range": lambda lib: lib.zeros(3).random_(5, 2),
    "geometric_": lambda lib: lib.zeros(5).geometric_(0.3),
    "geometric_ p=1": lambda lib: lib.zeros(5).geometric_(1.0),
    "log_normal_": lambda lib: lib.zeros(5).log_normal_(),
    "log_normal_ zero std": lambda lib: lib.zeros(3).log_normal_(0, 0),
    "cauchy_": lambda lib: lib.zeros(5).cauchy_(),
    "cauchy_ negative sigma": lambda lib: lib.zeros(3).cauchy_(0, -1),
    "fill_": lambda lib: lib.zeros(3).fill_(2.5),
    "leaf requiring grad": lambda lib: lib.zeros(3, requires_grad=True).uniform_(),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_sampler_dtypes_and_errors_match_pytorch(name: str) -> None:
    _same_outcome(INPLACE[name])


@pytest.mark.parametrize("name", [n for n in INPLACE if n != "leaf requiring grad"])
def test_inplace_samplers_return_the_tensor_itself(name: str) -> None:
    try:
        INPLACE[name](torch)
    except Exception:  # noqa: BLE001 - only the ones PyTorch accepts
        return
    tensor = cr.zeros(5)
    method = getattr(tensor, name.split()[0])
    args = {"geometric_": (0.5,), "fill_": (1.0,)}.get(name.split()[0], ())
    assert method(*args) is tensor


SAMPLERS: list[tuple[str, tuple[Any, ...]]] = [
    ("uniform_", ()), ("normal_", ()), ("bernoulli_", ()), ("exponential_", ()),
    ("random_", (10,)), ("geometric_", (0.5,)), ("log_normal_", ()), ("cauchy_", ())]


@pytest.mark.parametrize(("name", "args"), SAMPLERS, ids=[n for n, _ in SAMPLERS])
def test_inplace_samplers_bump_the_version_so_backward_notices(name: str,
                                                               args: tuple[Any, ...]) -> None:
    x = cr.tensor([0.5, 1.5], requires_grad=True)
    saved = cr.ones(2)
    y = (x * saved).sum()  # mul saves `saved` for x's gradient
    with cr.no_grad():
        getattr(saved, name)(*args)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()
    theirs_x = torch.tensor([0.5, 1.5], requires_grad=True)
    theirs_saved = torch.ones(2)
    theirs_y = (theirs_x * theirs_saved).sum()
    with torch.no_grad():
        getattr(theirs_saved, name)(*args)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        theirs_y.backward()


# ---------------------------------------------------------------------- distributions
N = 200_000


@pytest.fixture(autouse=True)
def _seeded() -> None:
    cr.manual_seed(2024)


def _moments(tensor: Any) -> tuple[float, float]:
    values = tensor.double().numpy()
    return float(values.mean()), float(values.std())


def test_continuous_samplers_have_their_distributions_moments() -> None:
    cases = [  # (sample, mean, std)
        (cr.rand(N), 0.5, (1 / 12) ** 0.5),
        (cr.randn(N), 0.0, 1.0),
        (cr.normal(2.0, 3.0, (N,)), 2.0, 3.0),
        (cr.normal(cr.full((N,), -1.0), cr.full((N,), 0.5)), -1.0, 0.5),
        (cr.normal(cr.full((N,), 4.0), 2.0), 4.0, 2.0),
        (cr.normal(1.0, cr.full((N,), 2.0)), 1.0, 2.0),
        (cr.zeros(N).uniform_(-2, 4), 1.0, 6 / 12 ** 0.5),
        (cr.zeros(N).normal_(3, 0.5), 3.0, 0.5),
        (cr.zeros(N).exponential_(4.0), 0.25, 0.25),
        (cr.zeros(N, dtype=cr.float64).log_normal_(0.0, 0.5),
         np.exp(0.125), ((np.exp(0.25) - 1) * np.exp(0.25)) ** 0.5),
    ]
    for sample, mean, std in cases:
        got_mean, got_std = _moments(sample)
        assert abs(got_mean - mean) < 0.02 * max(std, 1), (got_mean, mean)
        assert abs(got_std - std) < 0.03 * std, (got_std, std)


def test_discrete_samplers_have_their_distributions_moments() -> None:
    assert abs(_moments(cr.bernoulli(cr.full((N,), 0.3)))[0] - 0.3) < 0.01
    assert abs(_moments(cr.zeros(N).bernoulli_(0.7))[0] - 0.7) < 0.01
    mean, std = _moments(cr.poisson(cr.full((N,), 4.0)))
    assert abs(mean - 4.0) < 0.03 and abs(std - 2.0) < 0.03
    mean, std = _moments(cr.zeros(N).geometric_(0.25))
    assert abs(mean - 4.0) < 0.05 and abs(std - 12 ** 0.5) < 0.06
    ints = cr.randint(3, 7, (N,))
    assert set(ints.tolist()) == {3, 4, 5, 6} and abs(_moments(ints)[0] - 4.5) < 0.02
    drawn = cr.zeros(N, dtype=cr.int64).random_(2, 5)
    assert set(drawn.tolist()) == {2, 3, 4}
    median = float(np.median(cr.zeros(N).cauchy_(1.0, 2.0).numpy()))
    assert abs(median - 1.0) < 0.05


def test_random_without_range_spans_the_dtype_as_pytorch() -> None:
    floats = cr.zeros(N).random_()
    assert floats.min().item() >= 0 and floats.max().item() <= 2 ** 24
    assert floats.max().item() > 2 ** 23  # spread over the whole range
    small = cr.zeros(N, dtype=cr.uint8).random_()
    assert small.min().item() == 0 and small.max().item() == 255
    assert set(cr.zeros(1000, dtype=cr.bool).random_().tolist()) == {True, False}


def test_multinomial_frequencies() -> None:
    weights = cr.tensor([1.0, 2.0, 0.0, 7.0])
    draws = cr.multinomial(weights, N, replacement=True).numpy()
    frequencies = np.bincount(draws, minlength=4) / N
    assert np.allclose(frequencies, [0.1, 0.2, 0.0, 0.7], atol=0.01)
    firsts = cr.multinomial(weights.expand(20_000, 4), 3).numpy()
    assert all(len(set(row)) == 3 for row in firsts.tolist())  # without replacement
    first_frequencies = np.bincount(firsts[:, 0], minlength=4) / 20_000
    assert np.allclose(first_frequencies, [0.1, 0.2, 0.0, 0.7], atol=0.02)
    only = cr.multinomial(cr.tensor([0.0, 1.0, 0.0]), 2)  # PyTorch allows this, too
    assert only.tolist()[0] == 1


def test_randperm_is_a_permutation() -> None:
    assert sorted(cr.randperm(50).tolist()) == list(range(50))
    assert cr.randperm(0).shape == (0,)


def test_generator_keyword_everywhere_pytorch_takes_it() -> None:
    calls: list[Callable[[Any], Any]] = [
        lambda g: cr.rand(3, generator=g), lambda g: cr.randn(3, generator=g),
        lambda g: cr.randint(0, 5, (3,), generator=g), lambda g: cr.randperm(4, generator=g),
        lambda g: cr.rand_like(cr.zeros(3), generator=g),
        lambda g: cr.randn_like(cr.zeros(3), generator=g),
        lambda g: cr.randint_like(cr.zeros(3), 4, generator=g),
        lambda g: cr.normal(0.0, 1.0, (3,), generator=g),
        lambda g: cr.normal(cr.zeros(3), 1.0, generator=g),
        lambda g: cr.bernoulli(cr.full((3,), 0.5), generator=g),
        lambda g: cr.multinomial(cr.ones(3), 2, generator=g),
        lambda g: cr.poisson(cr.ones(3), generator=g),
        lambda g: cr.zeros(3).uniform_(generator=g), lambda g: cr.zeros(3).normal_(generator=g),
        lambda g: cr.zeros(3).bernoulli_(generator=g),
        lambda g: cr.zeros(3).exponential_(generator=g),
        lambda g: cr.zeros(3).random_(9, generator=g),
        lambda g: cr.zeros(3).geometric_(0.5, generator=g),
        lambda g: cr.zeros(3).log_normal_(generator=g), lambda g: cr.zeros(3).cauchy_(generator=g),
    ]
    for call in calls:
        first = call(cr.Generator().manual_seed(11)).tolist()
        cr.rand(7)  # the default stream moves; a generator's own stream does not care
        assert call(cr.Generator().manual_seed(11)).tolist() == first


def test_samples_do_not_require_grad() -> None:
    mean = cr.zeros(3, requires_grad=True)
    assert not cr.normal(mean, 1.0).requires_grad
    assert cr.rand(2, requires_grad=True).requires_grad
    assert cr.normal(0.0, 1.0, (2,), requires_grad=True).requires_grad
