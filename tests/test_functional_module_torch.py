"""`chainrule.functional` against PyTorch 2.13's `torch.functional`: the same public names,
and each function's values, dtypes, shapes, gradients and errors, by running the same
program with both libraries."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
import chainrule.functional as crF

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")
import torch.functional as torch_functional  # noqa: E402

LEFT_OUT = {"stft", "istft", "lu", "svd_lowrank", "pca_lowrank"}


def test_the_same_public_names():
    assert sorted(crF.__all__) == sorted(torch_functional.__all__)
    for name in torch_functional.__all__:
        assert callable(getattr(crF, name))
        if name not in LEFT_OUT:
            assert getattr(cr, name) is getattr(crF, name) or name in ("split", "norm"), name


@pytest.mark.parametrize("name", sorted(LEFT_OUT))
def test_left_out_functions_say_so(name):
    with pytest.raises(NotImplementedError, match=name):
        getattr(crF, name)(cr.ones(4))


def _flat(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _compare(program: Callable[[Any, Any], Any], inputs: list[np.ndarray],
             grad: bool = True) -> None:
    """Runs program(library, functional_module, *tensors) in both libraries and compares
    every output (values, dtype, shape) and, for float inputs, the inputs' gradients."""
    results = []
    for lib, module in ((cr, crF), (torch, torch_functional)):
        tensors = [lib.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in inputs]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outputs = _flat(program(lib, module, *tensors))
        messages = [str(w.message).split(" (Triggered internally")[0] for w in caught]
        floats = [o for o in outputs if o.requires_grad]
        if floats:
            rng = np.random.default_rng(0)
            total = sum((o * lib.tensor(rng.normal(size=tuple(o.shape)))).sum() for o in floats)
            total.backward()
        grads = [t.grad.numpy() if t.grad is not None else None for t in tensors]
        results.append(([(o.detach().numpy(), str(o.dtype).split(".")[-1], tuple(o.shape))
                         for o in outputs], grads, messages))
    (ours, our_grads, our_warnings), (theirs, their_grads, their_warnings) = results
    assert len(ours) == len(theirs)
    for (value, dtype, shape), (other, other_dtype, other_shape) in zip(ours, theirs):
        assert (dtype, shape) == (other_dtype, other_shape)
        np.testing.assert_allclose(value, other, rtol=1e-12)
    for mine, other in zip(our_grads, their_grads):
        assert (mine is None) == (other is None)
        if mine is not None:
            np.testing.assert_allclose(mine, other, rtol=1e-12)
    assert our_warnings == their_warnings


RNG = np.random.default_rng(42)
SCALAR, VECTOR, MATRIX = RNG.normal(size=()), RNG.normal(size=3), RNG.normal(size=(2, 3))
INTS = np.array([1, 1, 2, 2, 3, 1, 1])


@pytest.mark.parametrize("name", ["atleast_1d", "atleast_2d", "atleast_3d"])
def test_atleast(name):
    _compare(lambda lib, fn, a, b, c: getattr(fn, name)(a, b, c), [SCALAR, VECTOR, MATRIX])
    _compare(lambda lib, fn, a: getattr(fn, name)(a), [VECTOR])
    _compare(lambda lib, fn, a, b: getattr(fn, name)([a, b]), [SCALAR, MATRIX])
    _compare(lambda lib, fn, a: getattr(lib, name)((a,)), [SCALAR])


def test_broadcast_tensors_and_shapes():
    _compare(lambda lib, fn, a, b: fn.broadcast_tensors(a, b),
             [RNG.normal(size=(2, 1)), RNG.normal(size=(4,))])
    for shapes in [((2, 1), (3,)), (2, (3, 1)), (), ((1,), (5, 1, 1))]:
        ours, theirs = crF.broadcast_shapes(*shapes), torch_functional.broadcast_shapes(*shapes)
        assert tuple(ours) == tuple(theirs) and type(ours) is cr.Size


def test_cartesian_prod_block_diag_chain_matmul():
    _compare(lambda lib, fn, a, b: fn.cartesian_prod(a, b), [VECTOR, RNG.normal(size=2)])
    _compare(lambda lib, fn, a: fn.cartesian_prod(a), [VECTOR])
    _compare(lambda lib, fn, a, b: fn.cartesian_prod(a, b), [np.arange(2), np.arange(3)])
    _compare(lambda lib, fn, a, b, c, d: fn.block_diag(a, b, c, d),
             [SCALAR, VECTOR, MATRIX, np.ones((2, 2), dtype=np.int64)])
    _compare(lambda lib, fn, a: fn.block_diag(a, a), [np.arange(4, dtype=np.int32).reshape(2, 2)])
    _compare(lambda lib, fn, a, b, c: fn.chain_matmul(a, b, c),
             [MATRIX, RNG.normal(size=(3, 4)), RNG.normal(size=(4, 2))])
    _compare(lambda lib, fn, a, b, c: lib.linalg.multi_dot([a, b, c]),
             [VECTOR, RNG.normal(size=(3, 4)), RNG.normal(size=4)])
    assert tuple(crF.block_diag().shape) == tuple(torch_functional.block_diag().shape)


def test_unique_consecutive_and_unravel_index():
    for kwargs in [{}, {"return_inverse": True}, {"return_counts": True},
                   {"return_inverse": True, "return_counts": True}]:
        _compare(lambda lib, fn, a, kw=kwargs: fn.unique_consecutive(a, **kw), [INTS])
    rows = np.array([[1, 1], [1, 1], [2, 3], [2, 3], [1, 1]])
    for dim in (0, 1, -1):
        _compare(lambda lib, fn, a, d=dim: fn.unique_consecutive(
            a, return_inverse=True, return_counts=True, dim=d), [rows])
    _compare(lambda lib, fn, a: fn.unique_consecutive(a), [np.array([2.0, 2.0, 1.0])],
             grad=False)
    for indices in (np.array([4, 1, -1, 6, -7]), np.array(4), np.array([[0, 5], [3, 2]])):
        _compare(lambda lib, fn, a: fn.unravel_index(a, (2, 3)), [indices])
    _compare(lambda lib, fn, a: fn.unravel_index(a, 4), [np.array([1, 3])])


def test_the_mapped_names_run():
    _compare(lambda lib, fn, a, b: fn.einsum("ij,j->i", a, b), [MATRIX, VECTOR])
    _compare(lambda lib, fn, a: fn.split(a, 1, dim=0), [MATRIX])
    _compare(lambda lib, fn, a: fn.norm(a), [MATRIX])
    _compare(lambda lib, fn, a, b: fn.meshgrid(a, b, indexing="ij"), [VECTOR, VECTOR])
    _compare(lambda lib, fn, a: fn.unique(a), [INTS])
    _compare(lambda lib, fn, a, b: fn.tensordot(a, b, dims=1), [MATRIX, VECTOR])
    _compare(lambda lib, fn, a, b: fn.cdist(a, b), [MATRIX, RNG.normal(size=(4, 3))])


@pytest.mark.parametrize("call", [
    lambda lib, fn: fn.broadcast_shapes((2,), (3,)),
    lambda lib, fn: fn.broadcast_shapes((-1,)),
    lambda lib, fn: fn.broadcast_tensors(lib.ones(2), lib.ones(3)),
    lambda lib, fn: fn.block_diag(lib.ones(2, 2, 2)),
    lambda lib, fn: fn.cartesian_prod(lib.ones(2, 2)),
    lambda lib, fn: fn.chain_matmul(lib.ones(2, 3), lib.ones(2, 4)),
    lambda lib, fn: fn.chain_matmul(lib.ones(3)),
    lambda lib, fn: fn.unravel_index(lib.tensor(1.0), (2, 3)),
    lambda lib, fn: fn.unravel_index(lib.tensor(1), (-1, 2)),
    lambda lib, fn: lib.linalg.multi_dot([lib.ones(2, 2)])])
def test_errors_match_torch(call):
    with pytest.raises(Exception) as theirs, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(torch, torch_functional)
    with pytest.raises(type(theirs.value)) as ours, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(cr, crF)
    if "broadcast_shapes((2,)" in repr(call) or isinstance(theirs.value, ValueError):
        assert str(ours.value) == str(theirs.value)


def test_gradcheck_of_the_composed_functions():
    a = cr.tensor(MATRIX, requires_grad=True)
    b = cr.tensor(VECTOR, requires_grad=True)
    assert cr.autograd.gradcheck(lambda x, y: crF.block_diag(x, y), (a, b))
    assert cr.autograd.gradcheck(lambda x, y: crF.cartesian_prod(y, x[0]), (a, b))
    assert cr.autograd.gradcheck(lambda x, y: crF.broadcast_tensors(x, y)[1], (a, b))
    assert cr.autograd.gradcheck(lambda x: crF.atleast_3d(x), (a,))
