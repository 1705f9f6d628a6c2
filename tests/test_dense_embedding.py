"""PyTorch's default embedding (a dense gradient) with the gradient held as rows inside.

`F.embedding(ids, table)` without `sparse=True` gives the leaf table a `SparseRows` marked
`reads_dense`; everything a user can see must be PyTorch's dense gradient: `.grad`, after
accumulation, clipping, hooks, `autograd.grad`, double backward, and every optimiser's step.
SGD and Adagrad update only the touched rows where that is bit for bit the dense update;
these tests compare the two paths exactly and everything against PyTorch itself.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.engine.sparse import SparseRows

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

ROWS, DIM = 12, 3
IDS = np.array([[1, 4, 1], [7, 4, 1]])  # repeats: 1 three times, 4 twice
MORE_IDS = np.array([[0, 4], [11, 1]])


def _table(dtype: Any = np.float32) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((ROWS, DIM)).astype(dtype)


def _weights(dtype: Any = np.float32) -> tuple[Any, Any]:
    """The same table as a chainrule and a torch Parameter."""
    table = _table(dtype)
    return cr.nn.Parameter(cr.tensor(table)), torch.nn.Parameter(torch.tensor(table))


def _upstream(shape: tuple[int, ...], seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape + (DIM,)).astype(np.float32)


def _backward(lib: Any, weight: Any, ids: np.ndarray, seed: int = 1, **options: Any) -> None:
    """(embedding(ids) · R).sum().backward() for a fixed random R: each row of the table's
    gradient is the sum of the R rows of its ids."""
    out = lib.nn.functional.embedding(lib.tensor(ids), weight, **options)
    (out * lib.tensor(_upstream(ids.shape, seed))).sum().backward()


def _same(ours: Any, theirs: Any, exact: bool = False) -> None:
    assert ours is not None and theirs is not None
    assert isinstance(ours, cr.Tensor), type(ours)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
    mine, reference = ours.detach().numpy(), theirs.detach().numpy()
    if exact:
        np.testing.assert_array_equal(mine, reference)
    else:
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ .grad reads as dense
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_reads_as_pytorch_dense_gradient(dtype: Any) -> None:
    ours, theirs = _weights(dtype)
    _backward(cr, ours, IDS)
    _backward(torch, theirs, IDS)
    assert isinstance(ours._grad, SparseRows) and ours._grad.reads_dense  # held as rows
    grad = ours.grad
    assert not theirs.grad.is_sparse
    _same(grad, theirs.grad)
    assert ours.grad is grad  # densified once: from now on the ordinary dense gradient
    assert ours._grad is grad and grad.grad_fn is None and not grad.requires_grad


def test_module_embedding_default_is_dense_like_pytorch() -> None:
    table = _table()
    ours = cr.nn.Embedding.from_pretrained(cr.tensor(table), freeze=False)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False)
    for layer, lib in ((ours, cr), (theirs, torch)):
        (layer(lib.tensor(IDS)) ** 2).sum().backward()
    _same(ours.weight.grad, theirs.weight.grad)


def test_change_to_read_grad_is_kept_like_pytorch() -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS)
        weight.grad.mul_(3.0)
        lib.optim.SGD([weight], lr=0.5).step()
    _same(ours, theirs)


@pytest.mark.parametrize("read_between", [False, True])
def test_accumulates_over_two_backwards(read_between: bool) -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS, seed=1)
        if read_between:
            weight.grad  # noqa: B018 - densified between the two: then added into in place
        _backward(lib, weight, MORE_IDS, seed=2)
    _same(ours.grad, theirs.grad)


def test_accumulates_with_dense_gradients_from_other_uses() -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        (weight * weight).sum().backward()  # a dense gradient first
        _backward(lib, weight, IDS)  # rows added into it
        out = lib.nn.functional.embedding(lib.tensor(MORE_IDS), weight)
        (out.sum() + (weight ** 3).sum()).backward()  # rows and dense in one pass
    _same(ours.grad, theirs.grad)


def test_dense_gradient_onto_rows_held() -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS)  # rows held, unread
        (weight * weight).sum().backward()  # then a dense one (a tied output layer's kind)
    assert isinstance(ours._grad, cr.Tensor)
    _same(ours.grad, theirs.grad)


def test_two_lookups_of_one_table_in_one_pass() -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        first = lib.nn.functional.embedding(lib.tensor(IDS), weight)
        second = lib.nn.functional.embedding(lib.tensor(MORE_IDS), weight)
        (first.tanh().sum() + (second * second).sum()).backward()
    assert isinstance(ours._grad, SparseRows)
    _same(ours.grad, theirs.grad)


def test_sparse_and_dense_lookups_of_one_table_read_as_dense() -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        first = lib.nn.functional.embedding(lib.tensor(IDS), weight)
        second = lib.nn.functional.embedding(lib.tensor(MORE_IDS), weight, sparse=True)
        (first.sum() + second.sum()).backward()
    assert not theirs.grad.is_sparse
    _same(ours.grad, theirs.grad)


def test_padding_idx_row_gets_no_gradient() -> None:
    ours, theirs = _weights()
    _backward(cr, ours, IDS, padding_idx=4)
    _backward(torch, theirs, IDS, padding_idx=4)
    _same(ours.grad, theirs.grad)
    assert not ours.grad.numpy()[4].any()


def test_padding_idx_only_ids_give_a_zero_gradient() -> None:
    ours, theirs = _weights()
    ids = np.array([2, 2])
    _backward(cr, ours, ids, padding_idx=2)
    _backward(torch, theirs, ids, padding_idx=2)
    _same(ours.grad, theirs.grad)


def test_non_leaf_table_gets_a_dense_gradient_through_its_gates() -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight * 2.0, IDS)
    _same(ours.grad, theirs.grad)


def test_empty_ids() -> None:
    ours, theirs = _weights()
    ids = np.zeros((0, 2), np.int64)
    _backward(cr, ours, ids)
    _backward(torch, theirs, ids)
    _same(ours.grad, theirs.grad)


# ------------------------------------------------------------------ every other reader
def test_autograd_grad_returns_the_dense_gradient() -> None:
    ours, theirs = _weights()
    results = []
    for weight, lib in ((ours, cr), (theirs, torch)):
        out = lib.nn.functional.embedding(lib.tensor(IDS), weight)
        results.append(lib.autograd.grad((out ** 2).sum(), weight)[0])
    _same(results[0], results[1])
    assert ours.grad is None


def test_double_backward_through_embedding() -> None:
    ours, theirs = _weights(np.float64)
    for weight, lib in ((ours, cr), (theirs, torch)):
        out = lib.nn.functional.embedding(lib.tensor(IDS), weight)
        (first,) = lib.autograd.grad((out ** 3).sum(), weight, create_graph=True)
        (first * first).sum().backward()
    _same(ours.grad, theirs.grad)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph:UserWarning")  # torch's
def test_create_graph_backward_onto_rows_already_held() -> None:
    ours, theirs = _weights(np.float64)
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS)  # rows held (unread)
        out = lib.nn.functional.embedding(lib.tensor(MORE_IDS), weight)
        (out ** 2).sum().backward(create_graph=True)
    assert ours.grad.grad_fn is not None and theirs.grad.grad_fn is not None
    _same(ours.grad, theirs.grad)
    for weight in (ours, theirs):
        gradient = weight.grad
        weight.grad = None
        (gradient ** 2).sum().backward()
    _same(ours.grad, theirs.grad)


def test_backward_onto_a_gradient_with_a_graph() -> None:
    ours, theirs = _weights(np.float64)
    for weight, lib in ((ours, cr), (theirs, torch)):
        (weight ** 3).sum().backward(create_graph=True)
        _backward(lib, weight, IDS)
    _same(ours.grad, theirs.grad)


def test_gradcheck_float64_against_central_differences() -> None:
    table = cr.tensor(_table(np.float64), requires_grad=True)
    ids = cr.tensor(IDS)
    assert cr.autograd.gradcheck(lambda w: (cr.nn.functional.embedding(ids, w) ** 2).sum(),
                                 (table,))
    assert cr.autograd.gradgradcheck(
        lambda w: (cr.nn.functional.embedding(ids, w, padding_idx=1) ** 3).sum(), (table,))


def test_backward_gradient_against_central_differences() -> None:
    """The `.backward()` path (rows held, densified by .grad), not only autograd.grad."""
    start = _table(np.float64)
    weights = _upstream(IDS.shape).astype(np.float64)

    def loss(array: np.ndarray) -> float:
        return float((np.tanh(array[IDS]) * weights).sum())

    table = cr.tensor(start, requires_grad=True)
    (cr.nn.functional.embedding(cr.tensor(IDS), table).tanh() * cr.tensor(weights)).sum(
    ).backward()
    numeric = np.zeros_like(start)
    step = 1e-6
    for index in np.ndindex(start.shape):
        up, down = start.copy(), start.copy()
        up[index] += step
        down[index] -= step
        numeric[index] = (loss(up) - loss(down)) / (2 * step)
    np.testing.assert_allclose(table.grad.numpy(), numeric, rtol=1e-6, atol=1e-8)


def test_clip_grad_norm_sees_and_clips_the_dense_gradient() -> None:
    ours, theirs = _weights()
    norms = []
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS)
        norms.append(lib.nn.utils.clip_grad_norm_([weight], max_norm=0.5))
        lib.optim.SGD([weight], lr=0.1).step()
    np.testing.assert_allclose(norms[0].item(), norms[1].item(), rtol=1e-6)
    _same(ours.grad, theirs.grad)
    _same(ours, theirs)


def test_clip_grad_value_then_step() -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS)
        lib.nn.utils.clip_grad_value_([weight], 0.3)
        lib.optim.SGD([weight], lr=0.1).step()
    _same(ours, theirs)


def test_post_accumulate_hook_sees_the_dense_gradient() -> None:
    ours, theirs = _weights()
    seen: dict[str, Any] = {}
    for name, weight, lib in (("ours", ours, cr), ("theirs", theirs, torch)):
        def hook(param: Any, name: str = name) -> None:
            seen[name] = param.grad.clone()

        weight.register_post_accumulate_grad_hook(hook)
        _backward(lib, weight, IDS)
    _same(seen["ours"], seen["theirs"])


def test_anomaly_mode_accepts_rows() -> None:
    ours, theirs = _weights()
    with cr.autograd.detect_anomaly():
        _backward(cr, ours, IDS)
    _backward(torch, theirs, IDS)
    _same(ours.grad, theirs.grad)


def test_deepcopy_keeps_the_dense_reading() -> None:
    ours, theirs = _weights()
    _backward(cr, ours, IDS)
    _backward(torch, theirs, IDS)
    copied = copy.deepcopy(ours)
    _same(copied.grad, theirs.grad)
    copied.grad.mul_(0)
    _same(ours.grad, theirs.grad)  # independent


def test_module_to_double_converts_the_gradient() -> None:
    table = _table()
    ours = cr.nn.Embedding.from_pretrained(cr.tensor(table), freeze=False)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False)
    for layer, lib in ((ours, cr), (theirs, torch)):
        layer(lib.tensor(IDS)).sum().backward()
        layer.double()
    _same(ours.weight.grad, theirs.weight.grad)


def test_lbfgs_sees_the_dense_gradient() -> None:
    ours, theirs = _weights(np.float64)
    for weight, lib in ((ours, cr), (theirs, torch)):
        optimiser = lib.optim.LBFGS([weight], lr=0.5, max_iter=3)

        def closure(weight: Any = weight, lib: Any = lib, optimiser: Any = optimiser) -> Any:
            optimiser.zero_grad()
            out = lib.nn.functional.embedding(lib.tensor(IDS), weight)
            loss = ((out - 1.0) ** 2).sum()
            loss.backward()
            return loss

        optimiser.step(closure)
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6,
                               atol=1e-8)


# ------------------------------------------------------------------ zero_grad
@pytest.mark.parametrize("owner", ["optimizer", "module"])
def test_zero_grad_to_zeros_reads_as_zeros_then_accumulates(owner: str) -> None:
    table = _table()
    ours = cr.nn.Embedding.from_pretrained(cr.tensor(table), freeze=False)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(table), freeze=False)
    for layer, lib in ((ours, cr), (theirs, torch)):
        optimiser = lib.optim.SGD(layer.parameters(), lr=0.1)
        clear = optimiser.zero_grad if owner == "optimizer" else layer.zero_grad
        layer(lib.tensor(IDS)).sum().backward()
        clear(set_to_none=False)
    assert isinstance(ours.weight._grad, SparseRows)  # no table-sized array made
    _same(ours.weight.grad, theirs.weight.grad)  # zeros
    for layer, lib in ((ours, cr), (theirs, torch)):
        (layer(lib.tensor(MORE_IDS)) ** 2).sum().backward()
    _same(ours.weight.grad, theirs.weight.grad)
    for layer in (ours, theirs):
        layer.zero_grad()
        assert layer.weight.grad is None


def test_zero_grad_to_zeros_after_a_read_zeroes_in_place() -> None:
    ours, _ = _weights()
    _backward(cr, ours, IDS)
    grad = ours.grad
    cr.optim.SGD([ours]).zero_grad(set_to_none=False)
    assert ours.grad is grad and not grad.numpy().any()


# ------------------------------------------------------------------ optimiser steps
def _train(lib: Any, weight: Any, make: Callable[[Any, list[Any]], Any], steps: int = 3,
           read_grad: bool = False) -> None:
    optimiser = make(lib, [weight])
    for step in range(steps):
        optimiser.zero_grad()
        ids = IDS if step % 2 == 0 else MORE_IDS
        out = lib.nn.functional.embedding(lib.tensor(ids), weight)
        ((out - 0.5) ** 2).sum().backward()
        if read_grad:
            weight.grad  # noqa: B018 - forces the dense update: compared bit for bit
        optimiser.step()


ROW_EXACT = {
    "sgd": lambda lib, p: lib.optim.SGD(p, lr=0.1),
    "sgd_maximize": lambda lib, p: lib.optim.SGD(p, lr=0.1, maximize=True),
    "adagrad": lambda lib, p: lib.optim.Adagrad(p, lr=0.1),
    "adagrad_decay": lambda lib, p: lib.optim.Adagrad(p, lr=0.1, lr_decay=0.1,
                                                       initial_accumulator_value=0.2),
    "adagrad_maximize": lambda lib, p: lib.optim.Adagrad(p, lr=0.1, maximize=True),
}
DENSE_ONLY = {
    "sgd_momentum": lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.9),
    "sgd_nesterov": lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
    "sgd_weight_decay": lambda lib, p: lib.optim.SGD(p, lr=0.1, weight_decay=0.01),
    "adagrad_weight_decay": lambda lib, p: lib.optim.Adagrad(p, lr=0.1, weight_decay=0.01),
    "adagrad_eps0": lambda lib, p: lib.optim.Adagrad(p, lr=0.1, eps=0.0),
    "adam": lambda lib, p: lib.optim.Adam(p, lr=0.1),
    "adamw": lambda lib, p: lib.optim.AdamW(p, lr=0.1),
    "rmsprop": lambda lib, p: lib.optim.RMSprop(p, lr=0.01),
}


@pytest.mark.parametrize("name", list(ROW_EXACT) + list(DENSE_ONLY))
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # NaN on purpose
def test_training_steps_match_pytorch(name: str) -> None:
    make = {**ROW_EXACT, **DENSE_ONLY}[name]
    ours, theirs = _weights()
    _train(cr, ours, make)
    _train(torch, theirs, make)
    mine, reference = ours.detach().numpy(), theirs.detach().numpy()
    np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6, equal_nan=True)
    assert np.array_equal(np.isnan(mine), np.isnan(reference))
    if name == "adagrad_eps0":  # untouched rows: 0/0 is NaN in the dense update, as here
        assert np.isnan(mine).any()


@pytest.mark.parametrize("name", list(ROW_EXACT))
def test_row_update_is_bit_for_bit_the_dense_update(name: str) -> None:
    by_rows, dense = _weights()[0], _weights()[0]
    _train(cr, by_rows, ROW_EXACT[name])
    _train(cr, dense, ROW_EXACT[name], read_grad=True)
    np.testing.assert_array_equal(by_rows.detach().numpy(), dense.detach().numpy())


def test_row_update_leaves_the_gradient_held_as_rows() -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS)
        lib.optim.SGD([weight], lr=0.1).step()
    assert isinstance(ours._grad, SparseRows)  # the step did not densify it
    _same(ours.grad, theirs.grad)
    _same(ours, theirs)


def test_dense_fallback_keeps_the_dense_gradient_on_the_parameter() -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS)
        lib.optim.SGD([weight], lr=0.1, momentum=0.9).step()
    assert isinstance(ours._grad, cr.Tensor)
    _same(ours.grad, theirs.grad)


@pytest.mark.parametrize("lr", [float("inf"), float("nan")])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # NaN on purpose
def test_non_finite_learning_rate_is_applied_densely(lr: float) -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS)
        optimiser = lib.optim.SGD([weight], lr=0.1)
        optimiser.param_groups[0]["lr"] = lr  # as a scheduler would set it
        optimiser.step()
    mine, reference = ours.detach().numpy(), theirs.detach().numpy()
    np.testing.assert_array_equal(mine, reference)  # NaN and ±∞ in the same places
    assert not np.isfinite(mine).any()  # 0·∞ and NaN reach every row, as in the dense update


def test_tensor_learning_rate_falls_back_to_dense() -> None:
    ours, plain = _weights()[0], _weights()[0]
    for weight, lr in ((ours, cr.tensor(0.1)), (plain, 0.1)):
        _backward(cr, weight, IDS)
        cr.optim.SGD([weight], lr=lr).step()
    np.testing.assert_allclose(ours.detach().numpy(), plain.detach().numpy(), rtol=1e-6)


def test_step_bumps_the_version_so_saved_values_are_checked() -> None:
    for weight, lib in ((_weights()[0], cr), (_weights()[1], torch)):
        _backward(lib, weight, IDS)
        saved = (weight * weight).sum()  # saves the table for its backward
        lib.optim.SGD([weight], lr=0.1).step()
        with pytest.raises(RuntimeError):
            saved.backward()


def test_window_model_trains_like_pytorch() -> None:
    """The W5 step (embedding, linear, tanh, cross-entropy, SGD) for a few steps."""
    rng = np.random.default_rng(3)
    table = (rng.standard_normal((30, 4)) * 0.1).astype(np.float32)
    w1 = rng.uniform(-0.3, 0.3, (6, 12)).astype(np.float32)
    w2 = rng.uniform(-0.3, 0.3, (3, 6)).astype(np.float32)
    ids = np.minimum(rng.zipf(1.3, (8, 3)), 29)
    tags = rng.integers(0, 3, 8)
    results = []
    for lib in (cr, torch):
        params = [lib.nn.Parameter(lib.tensor(a)) for a in (table, w1, w2)]
        optimiser = lib.optim.SGD(params, lr=0.5)
        for _ in range(4):
            x = lib.nn.functional.embedding(lib.tensor(ids), params[0]).flatten(1)
            h = lib.nn.functional.linear(x, params[1]).tanh()
            loss = lib.nn.functional.cross_entropy(lib.nn.functional.linear(h, params[2]),
                                                   lib.tensor(tags))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        results.append([p.detach().numpy().copy() for p in params])
    for mine, reference in zip(*results):
        np.testing.assert_allclose(mine, reference, rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ errors stay PyTorch's
def test_bad_ids_raise_like_pytorch() -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        with pytest.raises(IndexError):
            lib.nn.functional.embedding(lib.tensor([0, ROWS]), weight)


# ------------------------------------------------------------------ SparseRows itself
def test_sparse_rows_copy_coalesce_and_add_keep_dense_reading() -> None:
    rows = SparseRows(np.array([3, 1, 3]), np.ones((3, 2)), (5, 2), reads_dense=True)
    plain = SparseRows(np.array([0]), np.ones((1, 2)), (5, 2))
    assert rows.coalesce() is rows and rows.rows.tolist() == [1, 3]
    assert rows.values.tolist() == [[1.0, 1.0], [2.0, 2.0]]
    assert rows.copy().reads_dense and rows.copy().values is not rows.values
    assert (rows + plain).reads_dense and (plain + rows).reads_dense
    assert not (plain + plain).reads_dense
    assert "reads_dense=True" in repr(rows)


def test_sparse_true_gradient_still_reads_as_rows() -> None:
    """sparse=True keeps its row gradient on .grad (chainrule's stand-in for PyTorch's sparse
    tensor), and its SGD step equals PyTorch's."""
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS, sparse=True)
        assert weight.grad.is_sparse
        lib.optim.SGD([weight], lr=0.1).step()
    np.testing.assert_allclose(ours.grad.to_dense(), theirs.grad.to_dense().numpy(), rtol=1e-6)
    _same(ours, theirs)


# ------------------------------------------------------------------ max_norm, scale_grad_by_freq
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_max_norm_renormalises_looked_up_rows_like_pytorch(norm_type: float) -> None:
    table = _table() * 2
    layers = [lib.nn.Embedding.from_pretrained(lib.tensor(table), freeze=False, max_norm=1.5,
                                               norm_type=norm_type) for lib in (cr, torch)]
    outputs = []
    for layer, lib in zip(layers, (cr, torch)):
        out = layer(lib.tensor(IDS))
        (out ** 2).sum().backward()
        outputs.append(out)
    _same(outputs[0], outputs[1])
    _same(layers[0].weight, layers[1].weight)  # looked-up rows scaled in place, others kept
    _same(layers[0].weight.grad, layers[1].weight.grad)
    assert not np.array_equal(layers[0].weight.detach().numpy(), table)
    assert repr(layers[0]) == repr(layers[1])


def test_max_norm_changes_the_table_in_place_and_bumps_its_version() -> None:
    for weight, lib in ((_weights()[0], cr), (_weights()[1], torch)):
        with lib.no_grad():
            weight.mul_(5)  # rows now longer than max_norm
        saved = (weight * weight).sum()  # saves the table before the renormalisation
        lib.nn.functional.embedding(lib.tensor(IDS), weight, max_norm=1.0)
        with pytest.raises(RuntimeError):
            saved.backward()


@pytest.mark.parametrize("options", [{}, {"padding_idx": 1}])
def test_scale_grad_by_freq_like_pytorch(options: dict[str, Any]) -> None:
    ours, theirs = _weights()
    for weight, lib in ((ours, cr), (theirs, torch)):
        _backward(lib, weight, IDS, scale_grad_by_freq=True, **options)
    _same(ours.grad, theirs.grad)


def test_scale_grad_by_freq_with_sparse_is_refused_like_pytorch() -> None:
    for weight, lib in ((_weights()[0], cr), (_weights()[1], torch)):
        with pytest.raises(RuntimeError, match="scale_grad_by_freq"):
            _backward(lib, weight, IDS, scale_grad_by_freq=True, sparse=True)


def test_scale_grad_by_freq_under_double_backward_like_pytorch() -> None:
    """PyTorch differentiates the scaled rule as the plain lookup (the 1/count heuristic is
    not a derivative); chainrule does the same."""
    ours, theirs = _weights(np.float64)
    for weight, lib in ((ours, cr), (theirs, torch)):
        out = lib.nn.functional.embedding(lib.tensor(IDS), weight, scale_grad_by_freq=True)
        (first,) = lib.autograd.grad((out ** 3).sum(), weight, create_graph=True)
        (first * lib.tensor(_table(np.float64))).sum().backward()
    _same(ours.grad, theirs.grad)


# ------------------------------------------------------------------ the W5 benchmark itself
@pytest.mark.parametrize("workload", ["W5", "W5s"])
def test_window_workloads_agree_across_contenders(workload: str) -> None:
    """W5 (PyTorch's default dense embedding) and W5s (sparse=True): after two steps
    chainrule agrees with PyTorch running the same code and with hand-written NumPy."""
    from benchmarks.workloads import make

    results = {}
    for library in ("chainrule", "torch", "numpy"):
        step, parameters = make(workload, library)
        results[library] = ([step(), step()], parameters())
    ours = results["chainrule"]
    for other in ("torch", "numpy"):
        np.testing.assert_allclose(ours[0], results[other][0], rtol=2e-4)
        for mine, reference in zip(ours[1], results[other][1]):
            np.testing.assert_allclose(mine, reference, rtol=1e-3, atol=1e-5)
