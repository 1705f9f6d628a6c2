"""Every layer, activation and loss through gradcheck in float64, first and second order,
with every reduction and option."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import chainrule as cr
import chainrule.nn.functional as F
from chainrule.autograd import gradcheck, gradgradcheck

from .strategies import leaf, nonscalar_shapes, seeds

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

REDUCTIONS = ["mean", "sum", "none"]


def check(fn, *inputs, second=True):  # noqa: ANN001, ANN201
    assert gradcheck(fn, inputs)
    if second:
        assert gradgradcheck(fn, inputs)


def away_from(values: cr.Tensor, points: list[float], gap: float = 0.05) -> cr.Tensor:
    """Moves entries off the kinks, where a derivative jumps."""
    raw = values.detach().numpy()
    for point in points:
        raw[np.abs(raw - point) < gap] += 2 * gap
    return values


ACTIVATIONS = {
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), [0.0]),
    "softplus": (lambda x: F.softplus(x), []),
    "softplus_beta_threshold": (lambda x: F.softplus(x * 3, beta=2.0, threshold=1.5), [0.25]),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 0.8), [-0.5, 0.8]),
    "gelu": (lambda x: F.gelu(x), []),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), []),
    "relu": (lambda x: F.relu(x), [0.0]),
    "sigmoid": (lambda x: F.sigmoid(x), []),
    "tanh": (lambda x: F.tanh(x), []),
    "softmax": (lambda x: F.softmax(x, dim=-1), []),
    "log_softmax": (lambda x: F.log_softmax(x, dim=0), []),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@given(shape=nonscalar_shapes, seed=seeds)
def test_activations(name: str, shape: tuple[int, ...], seed: int) -> None:
    fn, kinks = ACTIVATIONS[name]
    check(fn, away_from(leaf(shape, seed), kinks))


def test_gelu_without_scipy_matches_math_erf(monkeypatch: pytest.MonkeyPatch) -> None:
    import math

    from chainrule.ops import activation

    monkeypatch.setattr(activation, "_scipy_erf", None)
    x = np.linspace(-6, 6, 1001)
    assert np.abs(activation.erf(x) - np.array([math.erf(v) for v in x])).max() < 1e-14
    check(lambda t: F.gelu(t), leaf((3, 4), 0))


def test_linear_all_shapes() -> None:
    w, b = leaf((3, 4), 1), leaf((3,), 2)
    for shape in [(4,), (5, 4), (2, 5, 4)]:
        check(lambda x, w, b: F.linear(x, w, b), leaf(shape, 3), w, b)
    check(lambda x, w: F.linear(x, w), leaf((5, 4), 4), w)


def test_embedding_gradient_sums_repeated_ids() -> None:
    table = leaf((6, 3), 5)
    ids = cr.tensor([[1, 2, 1], [5, 1, 0]])
    check(lambda w: F.embedding(ids, w), table)
    # padding_idx is a convention, not a derivative: its row gets no gradient, others do.
    (plain,) = cr.autograd.grad(F.embedding(ids, table).sum(), table)
    (padded,) = cr.autograd.grad(F.embedding(ids, table, padding_idx=1).sum(), table)
    expected = plain.numpy().copy()
    expected[1] = 0
    assert np.array_equal(padded.numpy(), expected)
    assert plain.numpy()[1].tolist() == [3, 3, 3]


def test_dropout_gradient_uses_the_same_mask() -> None:
    x = leaf((4, 5), 6)

    def fn(t: cr.Tensor) -> cr.Tensor:
        cr.manual_seed(3)  # the same mask in every evaluation of the check
        return F.dropout(t, 0.4)

    check(fn, x)
    out = fn(x)
    kept = out.detach().numpy() != 0
    assert np.allclose(out.detach().numpy()[kept], x.detach().numpy()[kept] / 0.6)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", [
    {}, {"weight": True}, {"ignore_index": 2}, {"label_smoothing": 0.2},
    {"weight": True, "label_smoothing": 0.1, "ignore_index": 0},
])
def test_cross_entropy_with_class_ids(reduction: str, options: dict) -> None:
    scores = leaf((6, 4), 7)
    target = cr.tensor([0, 2, 3, 1, 2, 0])
    weight = cr.tensor([1.0, 2.0, 0.5, 1.5], dtype=cr.float64) if options.get("weight") else None
    kwargs = {k: v for k, v in options.items() if k != "weight"}
    check(lambda s: F.cross_entropy(s, target, weight=weight, reduction=reduction, **kwargs),
          scores)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_probabilities_and_extra_dims(reduction: str) -> None:
    scores = leaf((3, 4), 8)
    probabilities = cr.tensor(np.random.default_rng(0).dirichlet(np.ones(4), 3))
    check(lambda s, p: F.cross_entropy(s, p, reduction=reduction, label_smoothing=0.1),
          scores, probabilities.requires_grad_(), second=False)
    images = leaf((2, 3, 2, 2), 9)
    target = cr.tensor([[[0, 1], [2, 2]], [[1, 0], [0, 1]]])
    check(lambda s: F.cross_entropy(s, target, reduction=reduction), images)
    check(lambda s: F.cross_entropy(s, cr.tensor(2), reduction=reduction), leaf((3,), 10))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction: str) -> None:
    log_probs = leaf((5, 3), 11)
    target = cr.tensor([0, 2, 1, 1, 0])
    weight = cr.tensor([0.5, 1.0, 2.0], dtype=cr.float64)
    check(lambda s: F.nll_loss(s, target, reduction=reduction), log_probs)
    check(lambda s: F.nll_loss(s, target, weight=weight, ignore_index=1, reduction=reduction),
          log_probs)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_and_binary_losses(reduction: str) -> None:
    prediction, target = leaf((4, 3), 12), leaf((4, 3), 13)
    check(lambda p, t: F.mse_loss(p, t, reduction=reduction), prediction, target)
    probabilities = leaf((4, 3), 14, low=0.05, high=0.95)
    labels = leaf((4, 3), 15, low=0.0, high=1.0)
    weight = cr.tensor([1.0, 2.0, 0.5], dtype=cr.float64)
    check(lambda p, t: F.binary_cross_entropy(p, t, reduction=reduction), probabilities, labels)
    check(lambda p: F.binary_cross_entropy(p, labels.detach(), weight=weight,
                                           reduction=reduction), probabilities)
    logits = leaf((4, 3), 16, low=-4, high=4)
    pos_weight = cr.tensor([1.0, 3.0, 0.5], dtype=cr.float64)
    check(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction),
          logits, labels)
    check(lambda x: F.binary_cross_entropy_with_logits(
        x, labels.detach(), weight=weight, pos_weight=pos_weight, reduction=reduction), logits)


def test_bce_with_logits_is_finite_at_plus_minus_100() -> None:
    x = cr.tensor([-100.0, 100.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, cr.tensor([1.0, 0.0]))
    loss.backward()
    assert np.isfinite(loss.item()) and loss.item() == pytest.approx(100.0)
    assert np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_loss(reduction: str, p: int) -> None:
    scores = leaf((5, 4), 17)
    target = cr.tensor([0, 3, 1, 1, 2])
    # keep every margin term off its kink at 0
    raw = scores.detach().numpy()
    for row, t in enumerate(target.tolist()):
        z = 1 - raw[row, t] + raw[row]
        raw[row] += np.where(np.abs(z) < 0.05, 0.1, 0.0) * (np.arange(4) != t)
    weight = cr.tensor([1.0, 2.0, 0.5, 1.5], dtype=cr.float64)
    check(lambda s: F.multi_margin_loss(s, target, p=p, reduction=reduction), scores)
    check(lambda s: F.multi_margin_loss(s, target, p=p, margin=0.5, weight=weight,
                                        reduction=reduction), scores)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_loss_is_the_notes_window_objective(reduction: str) -> None:
    s_true, s_corrupt = leaf((6,), 18), leaf((6,), 19)
    away_from(s_corrupt, [])
    ones = cr.ones(6, dtype=cr.float64)
    check(lambda s, c: F.margin_ranking_loss(s, c, ones, margin=1.0, reduction=reduction),
          s_true, s_corrupt)
    # J = max(0, 1 − s + s_c): dJ/ds = −1 and dJ/ds_c = +1 where the margin is violated
    s = cr.tensor([2.5, 0.3], requires_grad=True)
    sc = cr.tensor([1.0, 0.2], requires_grad=True)
    F.margin_ranking_loss(s, sc, cr.ones(2), margin=1.0, reduction="sum").backward()
    assert s.grad.tolist() == [0, -1] and sc.grad.tolist() == [0, 1]
