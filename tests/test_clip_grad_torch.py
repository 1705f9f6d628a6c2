"""nn.utils gradient clipping and parameter vectors against PyTorch: the returned norm, the
clipped gradients, dtypes, parameters without a gradient, non-finite norms and errors."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

RNG = np.random.default_rng(3)
GRADS = [RNG.standard_normal((2, 3)), RNG.standard_normal(4), None, RNG.standard_normal(1)]


def with_grads(lib: Any, grads: list[Any] = GRADS, dtype: str = "float64") -> list[Any]:
    params = []
    for grad in grads:
        shape = (3,) if grad is None else grad.shape
        param = lib.zeros(*shape, dtype=getattr(lib, dtype), requires_grad=True)
        if grad is not None:
            param.grad = lib.tensor(grad.copy(), dtype=getattr(lib, dtype))
        params.append(param)
    return params


def grads_of(params: list[Any]) -> list[Any]:
    return [None if p.grad is None else p.grad.detach().numpy().copy() for p in params]


def assert_same_grads(ours: list[Any], theirs: list[Any]) -> None:
    for mine, reference in zip(grads_of(ours), grads_of(theirs)):
        if reference is None:
            assert mine is None
        else:
            assert mine.dtype == reference.dtype
            assert np.allclose(mine, reference, rtol=1e-12, atol=0, equal_nan=True)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, 0.5, 0, math.inf, -math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.3, 1e3])
def test_clip_grad_norm_matches_pytorch(norm_type: Any, max_norm: float) -> None:
    ours, theirs = with_grads(cr), with_grads(torch)
    our_norm = cr.nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    their_norm = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(our_norm, cr.Tensor) and our_norm.shape == ()
    assert str(our_norm.dtype).split(".")[-1] == str(their_norm.dtype).split(".")[-1]
    assert our_norm.item() == pytest.approx(their_norm.item(), rel=1e-12)
    assert_same_grads(ours, theirs)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clip_grad_norm_keeps_the_dtype_and_takes_one_tensor(dtype: str) -> None:
    ours, theirs = with_grads(cr, GRADS[:1], dtype), with_grads(torch, GRADS[:1], dtype)
    our_norm = cr.nn.utils.clip_grad_norm_(ours[0], 0.5)
    their_norm = torch.nn.utils.clip_grad_norm_(theirs[0], 0.5)
    assert str(our_norm.dtype).split(".")[-1] == dtype
    assert our_norm.item() == pytest.approx(their_norm.item(), rel=1e-6)
    assert np.allclose(grads_of(ours)[0], grads_of(theirs)[0], rtol=1e-6)


def test_no_gradients_at_all() -> None:
    params = [cr.zeros(2, requires_grad=True)]
    norm = cr.nn.utils.clip_grad_norm_(params, 1.0)
    reference = torch.nn.utils.clip_grad_norm_([torch.zeros(2, requires_grad=True)], 1.0)
    assert norm.item() == reference.item() == 0.0
    assert str(norm.dtype).split(".")[-1] == str(reference.dtype).split(".")[-1]
    with pytest.warns(UserWarning, match="empty generator"):
        cr.nn.utils.clip_grad_norm_((p for p in []), 1.0)


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_non_finite_norms(bad: float) -> None:
    grads = [np.array([1.0, bad]), np.array([2.0])]
    ours, theirs = with_grads(cr, grads), with_grads(torch, grads)
    with pytest.raises(RuntimeError) as their_error:
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as our_error:
        cr.nn.utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert str(our_error.value) == str(their_error.value)
    assert_same_grads(ours, theirs)  # nothing was scaled
    our_norm = cr.nn.utils.clip_grad_norm_(ours, 1.0)
    their_norm = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert np.array_equal(our_norm.numpy(), their_norm.numpy(), equal_nan=True)
    assert_same_grads(ours, theirs)


def test_get_total_norm_and_clip_grads_with_norm() -> None:
    ours, theirs = with_grads(cr), with_grads(torch)
    our_total = cr.nn.utils.get_total_norm([p.grad for p in ours if p.grad is not None], 3.0)
    their_total = torch.nn.utils.get_total_norm([p.grad for p in theirs
                                                 if p.grad is not None], 3.0)
    assert our_total.item() == pytest.approx(their_total.item(), rel=1e-12)
    cr.nn.utils.clip_grads_with_norm_(ours, 0.2, our_total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 0.2, their_total)
    assert_same_grads(ours, theirs)


@pytest.mark.parametrize("clip_value", [0.5, 2, 0.0])
def test_clip_grad_value_matches_pytorch(clip_value: float) -> None:
    ours, theirs = with_grads(cr), with_grads(torch)
    assert cr.nn.utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    assert_same_grads(ours, theirs)
    one, reference = with_grads(cr, GRADS[:1])[0], with_grads(torch, GRADS[:1])[0]
    cr.nn.utils.clip_grad_value_(one, clip_value)
    torch.nn.utils.clip_grad_value_(reference, clip_value)
    assert_same_grads([one], [reference])


def test_clipping_in_place_counts_as_a_change() -> None:
    w = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    (grad,) = cr.autograd.grad((w ** 3).sum(), [w], create_graph=True)
    pending = (grad * grad).sum()  # saves grad
    w.grad = grad.detach()
    cr.nn.utils.clip_grad_value_([w], 1.0)
    assert w.grad.tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        pending.backward()  # it saved the gradient that clipping changed in place


def test_sparse_embedding_gradients_are_clipped_by_their_summed_rows() -> None:
    table = cr.nn.Embedding(5, 2, sparse=True)
    dense = cr.nn.Embedding(5, 2)
    dense.weight.data = table.weight.detach().clone()
    ids = cr.tensor([1, 3, 1])
    for layer in (table, dense):
        (layer(ids) * cr.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    sparse_norm = cr.nn.utils.clip_grad_norm_(table.parameters(), 1.0)
    dense_norm = cr.nn.utils.clip_grad_norm_(dense.parameters(), 1.0)
    assert sparse_norm.item() == pytest.approx(dense_norm.item())
    assert np.allclose(table.weight.grad.to_dense(), dense.weight.grad.numpy())


def test_parameters_to_vector_matches_pytorch_and_is_differentiable() -> None:
    starts = [RNG.standard_normal((2, 2)), RNG.standard_normal(3)]
    results = []
    for lib in (cr, torch):
        params = [lib.tensor(s, dtype=lib.float64, requires_grad=True) for s in starts]
        vector = lib.nn.utils.parameters_to_vector(params)
        (vector ** 2 * lib.arange(7, dtype=lib.float64)).sum().backward()
        results.append((vector.detach().numpy(), [p.grad.numpy() for p in params]))
    (our_vector, our_grads), (their_vector, their_grads) = results
    assert np.array_equal(our_vector, their_vector)
    for mine, reference in zip(our_grads, their_grads):
        assert np.allclose(mine, reference, rtol=1e-14)


def test_vector_to_parameters_matches_pytorch() -> None:
    values = np.arange(1.0, 8.0)
    outcome = []
    for lib in (cr, torch):
        params = [lib.zeros(2, 2, dtype=lib.float64), lib.zeros(3, dtype=lib.float64)]
        vec = lib.tensor(values, dtype=lib.float64)
        lib.nn.utils.vector_to_parameters(vec, params)
        outcome.append([p.numpy().copy() for p in params])
        vec[0] = 100.0  # the parameters are views of the vector
        outcome[-1].append(params[0].numpy()[0, 0])
    for mine, reference in zip(*outcome):
        assert np.array_equal(mine, reference)


def test_vector_to_parameters_errors() -> None:
    for lib in (cr, torch):
        with pytest.raises(TypeError, match="expected torch.Tensor, but got: numpy.ndarray"):
            lib.nn.utils.vector_to_parameters(np.zeros(3), [lib.zeros(3)])
        with pytest.raises(RuntimeError):
            lib.nn.utils.vector_to_parameters(lib.zeros(3), [lib.zeros(2, 2)])
