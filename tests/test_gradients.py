"""Every gate's local rule against float64 central differences, first and second order,
over Hypothesis-drawn shapes and broadcast patterns."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import chainrule as cr
from chainrule.autograd import gradcheck, gradgradcheck
from chainrule.ops import table
from chainrule.ops.table import OPS

from .strategies import broadcast_pairs, leaf, nonscalar_shapes, seeds, shapes

# A NaN or a division by zero inside a rule would hide behind an all-NaN comparison: fail.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def check(fn: Callable[..., cr.Tensor], *inputs: cr.Tensor, second: bool = True) -> None:
    assert gradcheck(fn, inputs)
    if second:
        assert gradgradcheck(fn, inputs)


# ---------------------------------------------------------------- elementwise, one input
# Every one-input gate of the op table, then forms the table does not list on their own.
UNARY = {
    **{op.name: (lambda x, name=op.name: getattr(x, name)(), op.gradcheck)
       for op in OPS if op.kind == table.UNARY},
    "clamp": (lambda x: x.clamp(-0.5, 0.7), {"away_from_zero": 0.0}),
    "clamp_min": (lambda x: x.clamp(min=0.3), {}),
    "pow_int": (lambda x: x ** 3, {}),
    "pow_float": (lambda x: x ** 2.5, {"low": 0.2, "high": 3.0}),
    "rpow": (lambda x: 2.0 ** x, {}),
    "square": (lambda x: cr.square(x), {}),
    "scalar_div": (lambda x: 3.0 / x, {"away_from_zero": 0.3}),
    "scalar_sub": (lambda x: 1.5 - x, {}),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(shape=shapes, seed=seeds)
def test_unary_gates(name: str, shape: tuple[int, ...], seed: int) -> None:
    fn, options = UNARY[name]
    x = leaf(shape, seed, **options)
    if name.startswith("clamp"):
        # keep clear of the kinks at the bounds, where the derivative jumps
        values = x.detach().numpy()
        for bound in (-0.5, 0.7, 0.3):
            values[np.abs(values - bound) < 0.05] += 0.1
    check(fn, x)


# ---------------------------------------------------------------- elementwise, two inputs
# Every two-input gate of the op table (through its operator where it has one), and where.
BINARY = {
    **{op.name.strip("_"): (lambda a, b, op=op: getattr(
        a, f"__{op.operator}__" if op.operator else op.name)(b), op.gradcheck)
       for op in OPS if op.kind == table.BINARY},
    "where": (lambda a, b: cr.where(a > 0, a, b), {"away_from_zero": 0.1}),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(pair=broadcast_pairs(), seed=seeds)
def test_binary_gates_with_broadcasting(name: str, pair: tuple, seed: int) -> None:
    fn, options = BINARY[name]
    a = leaf(pair[0], seed, **options)
    b = leaf(pair[1], seed + 1, **options)
    if name in ("maximum", "minimum"):
        b.detach().numpy()[...] += 0.05  # no ties: the derivative is not defined there
    check(fn, a, b)


# ---------------------------------------------------------------- reductions
@st.composite
def shape_and_dim(draw: st.DrawFn) -> tuple[tuple[int, ...], object, bool]:
    shape = draw(nonscalar_shapes)
    choice = draw(st.sampled_from(["none", "one", "negative", "tuple"]))
    if choice == "none":
        dim = None
    elif choice == "one":
        dim = draw(st.integers(0, len(shape) - 1))
    elif choice == "negative":
        dim = draw(st.integers(-len(shape), -1))
    else:
        dim = tuple(sorted(draw(st.sets(st.integers(0, len(shape) - 1), min_size=1))))
    return shape, dim, draw(st.booleans())


REDUCTIONS = {
    "sum": lambda x, dim, keep: x.sum(dim, keep),
    "mean": lambda x, dim, keep: x.mean(dim, keep),
    "prod": lambda x, dim, keep: x.prod(dim, keep),
    "logsumexp": lambda x, dim, keep: x.logsumexp(dim if dim is not None else
                                                  tuple(range(x.ndim)), keep),
    "var": lambda x, dim, keep: x.var(dim, keepdim=keep),
    "std": lambda x, dim, keep: x.std(dim, keepdim=keep, correction=0),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(case=shape_and_dim(), seed=seeds)
def test_reductions(name: str, case: tuple, seed: int) -> None:
    shape, dim, keep = case
    x = leaf(shape, seed, away_from_zero=0.2 if name == "prod" else 0.0)
    axes = range(len(shape)) if dim is None else [dim] if isinstance(dim, int) else dim
    if name in ("std", "var") and int(np.prod([shape[a] for a in axes])) == 1:
        return  # one value: var divides by N - 1 = 0, and std is 0 where sqrt has no slope
    check(lambda t: REDUCTIONS[name](t, dim, keep), x)


def test_prod_with_zeros_has_exact_gradient() -> None:
    x = cr.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]], dtype=cr.float64,
                  requires_grad=True)
    x.prod(1).sum().backward()
    assert x.grad.tolist() == [[0, 6, 0], [0, 0, 0], [8, 4, 2]]
    assert gradcheck(lambda t: t.prod(1), (x,))


@given(shape=nonscalar_shapes, seed=seeds, largest=st.booleans(), keep=st.booleans())
def test_max_min_along_a_dim(shape: tuple[int, ...], seed: int, largest: bool,
                             keep: bool) -> None:
    x = leaf(shape, seed)
    dim = seed % len(shape)
    check(lambda t: (t.max(dim, keep) if largest else t.min(dim, keep)).values, x)
    check(lambda t: t.max() if largest else t.min(), x)


def test_max_ties_share_the_gradient_like_pytorch() -> None:
    x = cr.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0, 0.5, 0.5]
    y = cr.tensor([[3.0, 3.0]], requires_grad=True)
    y.max(dim=1).values.sum().backward()
    assert y.grad.tolist() == [[1, 0]]  # along a dim: the index returned gets it all


@given(shape=nonscalar_shapes, seed=seeds)
def test_softmax_family(shape: tuple[int, ...], seed: int) -> None:
    x = leaf(shape, seed)
    dim = -1 - seed % len(shape)
    check(lambda t: t.softmax(dim), x)
    check(lambda t: t.log_softmax(dim), x)


# ---------------------------------------------------------------- shapes and indexing
@given(shape=nonscalar_shapes, seed=seeds)
def test_shape_gates(shape: tuple[int, ...], seed: int) -> None:
    x = leaf(shape, seed)
    n = x.numel()
    check(lambda t: t.reshape(n), x)
    check(lambda t: t.reshape(-1, 1), x)
    check(lambda t: t.flatten(), x)
    check(lambda t: t.T, x)
    check(lambda t: t.unsqueeze(0).unsqueeze(-1).squeeze(), x)
    check(lambda t: t.permute(*reversed(range(t.ndim))), x)
    check(lambda t: t.transpose(0, -1), x)
    check(lambda t: t.unsqueeze(0).expand(2, *t.shape), x)
    check(lambda t: cr.cat([t, t * 2], dim=-1), x)
    check(lambda t: cr.stack([t, t.exp()], dim=seed % (t.ndim + 1)), x)


@given(shape=nonscalar_shapes, seed=seeds)
def test_indexing(shape: tuple[int, ...], seed: int) -> None:
    x = leaf(shape, seed)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, shape[0], size=5)  # repeats are likely: they must accumulate
    check(lambda t: t[0], x)
    check(lambda t: t[..., :1], x)
    check(lambda t: t[None, ::2], x)
    check(lambda t: t[picks], x)
    check(lambda t: t[cr.tensor(picks)], x)
    check(lambda t: t[t > 0], x)


def test_repeated_indices_accumulate() -> None:
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3, 0, 1]


# ---------------------------------------------------------------- matmul, every NumPy case
MATMUL_CASES = [
    ((4,), (4,)),            # dot product
    ((3, 4), (4,)),          # matrix-vector
    ((4,), (4, 5)),          # vector-matrix
    ((3, 4), (4, 5)),        # matrix-matrix
    ((2, 3, 4), (4, 5)),     # batched with a broadcast matrix
    ((4,), (2, 4, 5)),       # vector with a batch
    ((2, 3, 4), (4,)),
    ((2, 1, 3, 4), (5, 4, 2)),  # broadcast batch dimensions
]


@pytest.mark.parametrize("shape_a,shape_b", MATMUL_CASES)
def test_matmul_cases(shape_a: tuple[int, ...], shape_b: tuple[int, ...]) -> None:
    a, b = leaf(shape_a, 1), leaf(shape_b, 2)
    expected = np.matmul(a.detach().numpy(), b.detach().numpy())
    assert np.allclose((a @ b).detach().numpy(), expected)
    check(lambda p, q: p @ q, a, b)


def test_einsum_is_built_from_gates() -> None:
    a, b = leaf((3, 4), 1), leaf((4, 5), 2)
    out = cr.einsum("ij,jk->ik", a, b)
    assert np.allclose(out.detach().numpy(), a.detach().numpy() @ b.detach().numpy())
    check(lambda p, q: cr.einsum("ij,jk->ik", p, q), a, b)
    check(lambda p: cr.einsum("ij->j", p), a)


def test_cast_gradient_comes_back_in_the_input_dtype() -> None:
    x = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    y = x.float() * 3
    assert y.dtype == cr.float32
    y.sum().backward()
    assert x.grad.dtype == cr.float64 and x.grad.tolist() == [3, 3]


def test_mlp_loss_gradients_first_and_second_order() -> None:
    x = leaf((5, 3), 0)
    w1, b1 = leaf((3, 4), 1), leaf((4,), 2)
    w2 = leaf((4, 2), 3)
    target = cr.tensor([0, 1, 1, 0, 1])

    def loss(w1: cr.Tensor, b1: cr.Tensor, w2: cr.Tensor) -> cr.Tensor:
        hidden = (x @ w1 + b1).tanh()
        log_probs = (hidden @ w2).log_softmax(1)
        return -log_probs[cr.arange(5), target].mean()

    check(loss, w1, b1, w2)
