"""`cross`, `linalg.cross`, `svd`, `linalg.svd` and `Tensor.cross/svd` against PyTorch 2.13:
values, gradients (of gauge-invariant losses for U and V), dtypes, shapes, warnings,
return types and errors. Gradients are also checked by `gradcheck` in float64."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule as cr
from tests.cases_decompositions import _separated

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")


def _pair(array: np.ndarray):  # noqa: ANN202
    return (cr.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True))


def _np(value) -> np.ndarray:  # noqa: ANN001
    return value.detach().numpy()


# ---------------------------------------------------------------------- cross
@pytest.mark.parametrize("shape_a, shape_b, dim", [
    ((3,), (3,), 0), ((4, 3), (4, 3), None), ((4, 3), (4, 3), -1), ((3, 5), (3, 5), 0),
    ((4, 1, 3), (1, 2, 3), None), ((3, 3, 2), (3, 3, 2), None), ((2, 3, 4), (1, 3, 1), 1)])
def test_cross_matches_torch(shape_a, shape_b, dim):
    from chainrule.ops import cross

    cross._WARNED[0] = False  # each case sees the first call of the process
    rng = np.random.default_rng(0)
    a_cr, a_t = _pair(rng.normal(size=shape_a))
    b_cr, b_t = _pair(rng.normal(size=shape_b))
    kwargs = {} if dim is None else {"dim": dim}
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        out_cr = cr.cross(a_cr, b_cr, **kwargs)
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        out_t = torch.cross(a_t, b_t, **kwargs)
    if dim is None:  # PyTorch warns once per process: this text, or nothing after the first
        assert [str(w.message) for w in ours] == [cross._NO_DIM_WARNING]
        assert all(str(w.message).startswith(cross._NO_DIM_WARNING) for w in theirs)
    else:
        assert ours == theirs == []
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        cr.cross(a_cr, b_cr, **kwargs)
    assert again == []
    np.testing.assert_allclose(_np(out_cr), _np(out_t), rtol=1e-12)
    upstream = rng.normal(size=out_t.shape)
    out_cr.backward(cr.tensor(upstream))
    out_t.backward(torch.tensor(upstream))
    np.testing.assert_allclose(a_cr.grad.numpy(), a_t.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(b_cr.grad.numpy(), b_t.grad.numpy(), rtol=1e-12)


def test_linalg_cross_and_method_default_dims():
    a, b = np.random.default_rng(1).normal(size=(2, 3, 3))
    np.testing.assert_allclose(cr.linalg.cross(cr.tensor(a), cr.tensor(b)).numpy(),
                               torch.linalg.cross(torch.tensor(a), torch.tensor(b)).numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        np.testing.assert_allclose(cr.tensor(a).cross(cr.tensor(b)).numpy(),
                                   torch.tensor(a).cross(torch.tensor(b)).numpy())
    ints = cr.tensor([1, 0, 0]).cross(cr.tensor([0, 1, 0]), dim=0)
    assert ints.dtype == cr.int64 and ints.tolist() == [0, 0, 1]


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.cross(m.ones(2, 4), m.ones(2, 4)),
    lambda m: m.cross(m.ones(2, 4), m.ones(2, 4)),
    lambda m: m.linalg.cross(m.ones(2, 3), m.ones(3, 3)),
    lambda m: m.linalg.cross(m.ones(2, 3), m.ones(3)),
    lambda m: m.cross(m.ones(3, dtype=m.int64), m.ones(3), dim=0),
    lambda m: m.cross(m.ones(2, 3), m.ones(2, 3), dim=5)])
def test_cross_errors_match_torch_types(call):
    with pytest.raises(Exception) as theirs, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(torch)
    with pytest.raises(type(theirs.value)), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        call(cr)


def test_cross_gradcheck():
    a = cr.tensor(np.random.default_rng(2).normal(size=(2, 3)), requires_grad=True)
    b = cr.tensor(np.random.default_rng(3).normal(size=(1, 3)), requires_grad=True)
    assert cr.autograd.gradcheck(lambda x, y: cr.linalg.cross(x, y), (a, b))
    assert cr.autograd.gradgradcheck(lambda x, y: cr.linalg.cross(x, y), (a, b))


# ---------------------------------------------------------------------- svd
def _losses(u, s, v, weights):  # noqa: ANN001, ANN202
    """Gauge-invariant: squares of U and V (sign-free) and U diag(w) Vᵀ."""
    k = s.shape[-1]
    return ((u[..., :, :k] ** 2 * weights[0]).sum() + (s * weights[1]).sum()
            + (v[..., :, :k] ** 2 * weights[2]).sum()
            + ((u[..., :, :k] * weights[3]) @ v[..., :, :k].transpose(-1, -2)).sum())


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 4, 3)])
@pytest.mark.parametrize("api", ["svd", "svd-full", "linalg", "linalg-reduced", "method"])
def test_svd_matches_torch(shape, api):
    a = _separated(shape, 7)
    m, n = shape[-2:]
    k = min(m, n)
    rng = np.random.default_rng(8)
    weights = [rng.normal(size=(m, k)), rng.normal(size=k), rng.normal(size=(n, k)),
               rng.normal(size=k)]
    results = []
    for lib in (cr, torch):
        x = lib.tensor(a, requires_grad=True)
        if api == "svd":
            u, s, v = lib.svd(x)
        elif api == "svd-full":
            u, s, v = lib.svd(x, some=False)
        elif api == "method":
            u, s, v = x.svd()
        else:
            out = lib.linalg.svd(x, full_matrices=api == "linalg")
            assert type(out).__name__ == "linalg_svd"
            u, s, v = out.U, out.S, out.Vh.transpose(-1, -2)
        shapes = (tuple(u.shape), tuple(s.shape), tuple(v.shape))
        reconstructed = (u[..., :, :k] * s[..., None, :]) @ v[..., :, :k].transpose(-1, -2)
        loss = _losses(u, s, v, [lib.tensor(w) for w in weights])
        loss.backward()
        results.append((shapes, _np(s), _np(reconstructed), x.grad.numpy(), str(s.dtype)))
    ours, theirs = results
    assert ours[0] == theirs[0] and ours[4].split(".")[-1] == theirs[4].split(".")[-1]
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    np.testing.assert_allclose(ours[2], a, atol=1e-12)
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-8, atol=1e-10)


def test_svd_compute_uv_false_and_return_types():
    a = _separated((2, 4, 3), 9)
    ours, theirs = cr.svd(cr.tensor(a), compute_uv=False), torch.svd(torch.tensor(a),
                                                                      compute_uv=False)
    assert type(ours).__name__ == type(theirs).__name__ == "svd"
    assert ours._fields == ("U", "S", "V") and theirs.V is theirs[2]
    for mine, other in zip(ours, theirs):
        assert tuple(mine.shape) == tuple(other.shape)
        np.testing.assert_allclose(mine.numpy(), other.numpy(), rtol=1e-12)
    assert cr.linalg.svd(cr.tensor(a))._fields == ("U", "S", "Vh")
    f32 = cr.svd(cr.tensor(a, dtype=cr.float32))
    assert f32.U.dtype == f32.S.dtype == f32.V.dtype == cr.float32


def test_svd_gradcheck():
    a = cr.tensor(_separated((4, 3), 11), requires_grad=True)
    weights = cr.tensor(np.random.default_rng(12).normal(size=(4, 3)))
    assert cr.autograd.gradcheck(lambda x: cr.svd(x).S, (a,))
    assert cr.autograd.gradcheck(lambda x: (cr.svd(x).U ** 2 * weights).sum(), (a,))
    assert cr.autograd.gradcheck(lambda x: (cr.linalg.svd(x).Vh ** 2).sum(-1), (a,))


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.svd(m.ones(3)), lambda m: m.linalg.svd(m.ones(3, 3, dtype=m.int64)),
    lambda m: m.svd(m.ones(3))])
def test_svd_errors_match_torch_types(call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(cr)
    assert str(ours.value) == str(theirs.value)


def test_svd_second_derivative_says_not_implemented():
    a = cr.tensor(_separated((3, 3), 13), requires_grad=True)
    with pytest.raises(NotImplementedError, match="second derivative"):
        cr.autograd.grad(cr.svd(a).S.sum(), a, create_graph=True)


# ---------------------------------------------------------------------- cholesky, qr, eigh
def _spd(shape: tuple[int, ...], seed: int) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=shape)
    return x @ np.swapaxes(x, -1, -2) + 2.0 * np.eye(shape[-1])


def _run_both(program, inputs, seed=0):  # noqa: ANN001, ANN202
    """program(library, *leaf tensors) -> outputs; the outputs (after sign-free losses by
    random weights) and the leaves' gradients, for chainrule and for torch."""
    results = []
    for lib in (cr, torch):
        leaves = [lib.tensor(a, requires_grad=True) for a in inputs]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            outputs = program(lib, *leaves)
        rng = np.random.default_rng(seed)
        loss = sum((o * lib.tensor(rng.normal(size=tuple(o.shape)))).sum() for o in outputs)
        loss.backward()
        results.append(([(_np(o), tuple(o.shape)) for o in outputs],
                        [leaf.grad.numpy() for leaf in leaves]))
    (ours, our_grads), (theirs, their_grads) = results
    for (value, shape), (other, other_shape) in zip(ours, theirs):
        assert shape == other_shape
        np.testing.assert_allclose(value, other, rtol=1e-9, atol=1e-12)
    for mine, other in zip(our_grads, their_grads):
        np.testing.assert_allclose(mine, other, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_cholesky_matches_torch(shape):
    a = _spd(shape, 21)
    _run_both(lambda lib, x: [lib.linalg.cholesky(x)], [a])
    _run_both(lambda lib, x: [lib.linalg.cholesky(x, upper=True)], [a])
    _run_both(lambda lib, x: [lib.cholesky(x), x.cholesky(upper=True)], [a])


@pytest.mark.parametrize("shape", [(5, 3), (3, 3), (3, 5), (2, 4, 3)])
def test_qr_matches_torch(shape):
    a = np.random.default_rng(22).normal(size=shape)
    _run_both(lambda lib, x: list(lib.linalg.qr(x)), [a])
    for lib in (cr, torch):
        r_only = lib.linalg.qr(lib.tensor(a, requires_grad=True), mode="r").R
        with pytest.raises(RuntimeError, match="not computed when mode='r'"):
            r_only.sum().backward()
    _run_both(lambda lib, x: [x.qr().R, lib.qr(x).Q], [a])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours, theirs = cr.qr(cr.tensor(a), some=False), torch.qr(torch.tensor(a), some=False)
    np.testing.assert_allclose(ours.Q.numpy(), theirs.Q.numpy(), atol=1e-12)
    assert type(ours).__name__ == "qr" and ours._fields == ("Q", "R")
    assert tuple(cr.linalg.qr(cr.tensor(a), mode="r").Q.shape) == (0,)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_eigh_matches_torch(shape):
    a = _spd(shape, 23) - 3.0 * np.eye(shape[-1])

    def program(lib, x):  # noqa: ANN001, ANN202 - sign-free: values and squared vectors
        values, vectors = lib.linalg.eigh(x)
        return [values, vectors ** 2, lib.linalg.eigvalsh(x, UPLO="U")]

    _run_both(program, [a])
    assert cr.linalg.eigh(cr.tensor(a))._fields == ("eigenvalues", "eigenvectors")


def test_deprecation_warnings_once_as_torch():
    from chainrule.ops import factorizations

    factorizations._WARNED.clear()
    for name, call in (("cholesky", lambda m: m.cholesky(m.eye(2))),
                       ("qr", lambda m: m.qr(m.eye(2)))):
        messages = []
        for lib in (cr, torch):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                call(lib)
                call(lib)
            messages.append([str(w.message).split(" (Triggered internally")[0]
                             for w in caught])
        ours, theirs = messages
        assert len(ours) == 1 and (theirs == [] or ours == theirs), name


@pytest.mark.parametrize("call", [
    lambda m: m.linalg.cholesky(m.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda m: m.linalg.cholesky(m.ones(2, 3)),
    lambda m: m.linalg.cholesky(m.eye(2, dtype=m.int64)),
    lambda m: m.linalg.eigh(m.ones(2, 3)),
    lambda m: m.linalg.eigh(m.eye(2), UPLO="X"),
    lambda m: m.linalg.qr(m.ones(3)),
    lambda m: m.linalg.qr(m.ones(3, 3), mode="x")])
def test_factorization_errors_match_torch(call):
    with pytest.raises(RuntimeError) as theirs:
        call(torch)
    with pytest.raises(RuntimeError) as ours:
        call(cr)
    assert str(ours.value) == str(theirs.value)
    assert isinstance(ours.value, cr.linalg.LinAlgError) == \
        isinstance(theirs.value, torch.linalg.LinAlgError)


def test_qr_complete_tall_has_no_gradient_as_torch():
    a = cr.tensor(np.random.default_rng(24).normal(size=(4, 2)), requires_grad=True)
    q, r = cr.linalg.qr(a, mode="complete")
    with pytest.raises(RuntimeError, match="not differentiable when mode='complete'"):
        q.sum().backward()


def test_factorization_gradchecks():
    x = cr.tensor(np.random.default_rng(25).normal(size=(3, 3)), requires_grad=True)
    spd = lambda t: t @ t.T + cr.tensor(2.0 * np.eye(3))  # noqa: E731
    assert cr.autograd.gradcheck(lambda t: cr.linalg.cholesky(spd(t)), (x,))
    assert cr.autograd.gradcheck(lambda t: cr.linalg.qr(t + 0.0).R, (x,))
    assert cr.autograd.gradcheck(lambda t: cr.linalg.eigh(spd(t)).eigenvectors ** 2, (x,))
