"""KLDivLoss, PoissonNLLLoss, GaussianNLLLoss, CosineEmbeddingLoss, TripletMarginLoss,
HingeEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss (and BCE's weight/pos_weight)
against PyTorch in float64: values and the gradients of every floating argument, for each
reduction and option, in module and functional form, and torch's errors for bad input."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

RNG = np.random.default_rng(7)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


LOGP = _log_softmax(RNG.normal(size=(3, 4)))
PROBS = np.exp(_log_softmax(RNG.normal(size=(3, 4))))
PROBS_WITH_ZERO = PROBS.copy()
PROBS_WITH_ZERO[0, 1] = 0.0
COUNTS = np.array([[0.0, 1.0, 2.0, 5.0], [3.0, 0.0, 1.0, 7.0], [1.5, 2.0, 0.5, 4.0]])
X = RNG.normal(size=(3, 4))
Y = RNG.normal(size=(3, 4))
Z = RNG.normal(size=(3, 4))
SIGNS = np.array([1.0, -1.0, 1.0])
SIGNS_GRID = np.where(RNG.normal(size=(3, 4)) > 0, 1.0, -1.0)
LABELS = (RNG.uniform(size=(3, 4)) > 0.5).astype(np.float64)
VAR = RNG.uniform(0.2, 2.0, size=(3, 4))
VAR_TINY = VAR.copy()
VAR_TINY[1, 2] = 1e-9

# (module, constructor options, forward arguments as arrays; floats get requires_grad)
CASES: list[tuple[str, dict[str, Any], tuple[Any, ...]]] = [
    ("KLDivLoss", {}, (LOGP, PROBS)),
    ("KLDivLoss", {}, (LOGP, PROBS_WITH_ZERO)),
    ("KLDivLoss", {"log_target": True}, (LOGP, _log_softmax(Y))),
    ("KLDivLoss", {}, (LOGP, PROBS[0])),  # the target broadcasts
    ("KLDivLoss", {}, (LOGP.reshape(3, 2, 2), PROBS.reshape(3, 2, 2))),
    ("PoissonNLLLoss", {}, (X, COUNTS)),
    ("PoissonNLLLoss", {"full": True}, (X, COUNTS + 0.25)),
    ("PoissonNLLLoss", {"log_input": False}, (VAR, COUNTS)),
    ("PoissonNLLLoss", {"log_input": False, "full": True, "eps": 1e-3}, (VAR, COUNTS + 0.5)),
    ("GaussianNLLLoss", {}, (X, Y, VAR)),
    ("GaussianNLLLoss", {"full": True}, (X, Y, VAR)),
    ("GaussianNLLLoss", {"eps": 1e-3}, (X, Y, VAR_TINY)),
    ("GaussianNLLLoss", {}, (X, Y, VAR[:, 0])),  # var without the last dimension
    ("GaussianNLLLoss", {}, (X, Y, VAR[:, :1])),  # one variance per sample
    ("GaussianNLLLoss", {}, (X, Y, VAR[:1, :])),  # one variance per feature
    ("CosineEmbeddingLoss", {}, (X, Y, SIGNS)),
    ("CosineEmbeddingLoss", {"margin": 0.2}, (X, Y, np.array([1, -1, 0]))),
    ("CosineEmbeddingLoss", {"margin": -0.5}, (X[0], Y[0], np.array(-1.0))),
    ("TripletMarginLoss", {}, (X, Y, Z)),
    ("TripletMarginLoss", {"margin": 2.0, "p": 1.0}, (X, Y, Z)),
    ("TripletMarginLoss", {"p": 3.0, "eps": 1e-3, "swap": True}, (X, Y, Z)),
    ("TripletMarginLoss", {"swap": True}, (X, Z * 0.1, Y)),
    ("TripletMarginLoss", {}, (X[0], Y[0], Z[0])),
    ("HingeEmbeddingLoss", {}, (X, SIGNS_GRID)),
    ("HingeEmbeddingLoss", {"margin": 0.3}, (np.abs(X), SIGNS_GRID)),
    ("SoftMarginLoss", {}, (X * 5, SIGNS_GRID)),
    ("MultiLabelSoftMarginLoss", {}, (X * 5, LABELS)),
    ("MultiLabelSoftMarginLoss", {"weight": np.array([0.5, 1.0, 2.0, 0.1])}, (X, LABELS)),
    ("BCEWithLogitsLoss", {"pos_weight": np.array([0.5, 1.0, 2.0, 3.0])}, (X, PROBS)),
    ("BCEWithLogitsLoss", {"weight": VAR[0], "pos_weight": VAR[:, :1] + 1}, (X, PROBS)),
    ("BCELoss", {"weight": VAR[:, :1]}, (PROBS_WITH_ZERO * 0.9 + 0.05, PROBS)),
]

FUNCTIONAL = {"KLDivLoss": "kl_div", "PoissonNLLLoss": "poisson_nll_loss",
              "GaussianNLLLoss": "gaussian_nll_loss",
              "CosineEmbeddingLoss": "cosine_embedding_loss",
              "TripletMarginLoss": "triplet_margin_loss",
              "HingeEmbeddingLoss": "hinge_embedding_loss", "SoftMarginLoss": "soft_margin_loss",
              "MultiLabelSoftMarginLoss": "multilabel_soft_margin_loss",
              "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
              "BCELoss": "binary_cross_entropy"}


def _tensor(lib: Any, value: Any, grad: bool) -> Any:
    if isinstance(value, np.ndarray):
        floating = value.dtype.kind == "f"
        return lib.tensor(value, requires_grad=grad and floating)
    return value


def _run(lib: Any, name: str, options: dict[str, Any], arrays: tuple[Any, ...],
         reduction: str, functional: bool) -> list[Any]:
    # torch has no gradient rule for soft_margin_loss's target, and refuses one
    args = [_tensor(lib, a, index == 0 or name != "SoftMarginLoss")
            for index, a in enumerate(arrays)]
    kwargs = {k: _tensor(lib, v, False) for k, v in options.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if functional:
            out = getattr(lib.nn.functional, FUNCTIONAL[name])(*args, reduction=reduction,
                                                               **kwargs)
        else:
            out = getattr(lib.nn, name)(reduction=reduction, **kwargs)(*args)
    weights = lib.tensor(np.linspace(-1, 2, out.numel()).reshape(tuple(out.shape)),
                         dtype=out.dtype)
    (out * weights).sum().backward()
    grads = [None if getattr(a, "grad", None) is None else a.grad.numpy() for a in args]
    return [out.detach().numpy(), str(out.dtype).split(".")[-1], *grads]


def _reductions(name: str) -> list[str]:
    return ["mean", "sum", "none", "batchmean"] if name == "KLDivLoss" else \
        ["mean", "sum", "none"]


@pytest.mark.parametrize("functional", [False, True], ids=["module", "F"])
@pytest.mark.parametrize(("name", "options", "arrays"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_values_and_gradients_match_torch(name: str, options: dict[str, Any],
                                          arrays: tuple[Any, ...], functional: bool) -> None:
    for reduction in _reductions(name):
        want = _run(torch, name, options, arrays, reduction, functional)
        got = _run(cr, name, options, arrays, reduction, functional)
        assert got[1] == want[1], f"dtype ({reduction})"
        for index, (g, w) in enumerate(zip(got, want)):
            if index == 1:
                continue
            assert (g is None) == (w is None), f"argument {index - 2} gradient ({reduction})"
            if w is not None:
                assert np.shape(g) == np.shape(w), f"shape of output {index} ({reduction})"
                np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12,
                                           err_msg=f"{name} {options} {reduction} #{index}")


def test_gaussian_nll_float_var() -> None:
    results = []
    for lib in (torch, cr):
        x = lib.tensor(X, requires_grad=True)
        out = lib.nn.functional.gaussian_nll_loss(x, lib.tensor(Y), 0.7, full=True)
        out.backward()
        results.append((out.item(), x.grad.numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12)


def test_kl_div_mean_warns_as_torch() -> None:
    for lib in (torch, cr):
        with pytest.warns(UserWarning, match="batchmean"):
            lib.nn.functional.kl_div(lib.tensor(LOGP), lib.tensor(PROBS))


def test_legacy_size_average_and_reduce() -> None:
    for size_average, reduce in [(False, None), (None, False), (True, True)]:
        values = []
        for lib in (torch, cr):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                loss = lib.nn.SoftMarginLoss(size_average=size_average, reduce=reduce)
                values.append(loss(lib.tensor(X), lib.tensor(SIGNS_GRID)).numpy())
        np.testing.assert_allclose(values[1], values[0], rtol=1e-12)


BAD_INPUTS: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("kl_div", (LOGP, PROBS), {"reduction": "average"}),
    ("kl_div", (LOGP, PROBS[:, :3]), {"reduction": "sum"}),
    ("poisson_nll_loss", (X, COUNTS), {"reduction": "batchmean"}),
    ("poisson_nll_loss", (X, COUNTS[:, :2]), {}),
    ("gaussian_nll_loss", (X, Y, VAR[:, :3]), {}),
    ("gaussian_nll_loss", (X, Y, VAR[:1, :1]), {}),
    ("gaussian_nll_loss", (X, Y, -VAR), {}),
    ("gaussian_nll_loss", (X, Y, -1.0), {}),
    ("gaussian_nll_loss", (X, Y, VAR), {"reduction": "batchmean"}),
    ("cosine_embedding_loss", (X, Y, SIGNS[:2]), {}),
    ("cosine_embedding_loss", (X, Y, np.array(1.0)), {}),
    ("cosine_embedding_loss", (X[0], Y[0], SIGNS), {}),
    ("cosine_embedding_loss", (X, Y[0], SIGNS), {}),
    ("cosine_embedding_loss", (X[..., None], Y[..., None], SIGNS_GRID), {}),
    ("cosine_embedding_loss", (X, Y, SIGNS), {"reduction": "x"}),
    ("triplet_margin_loss", (X, Y, Z[0]), {}),
    ("triplet_margin_loss", (X, Y, Z), {"margin": 0.0}),
    ("triplet_margin_loss", (X, Y, Z), {"reduction": "x"}),
    ("hinge_embedding_loss", (X, SIGNS), {}),
    ("soft_margin_loss", (X, SIGNS), {}),
    ("soft_margin_loss", (X, SIGNS_GRID), {"reduction": "x"}),
    ("multilabel_soft_margin_loss", (X, LABELS[:, :2]), {}),
    ("multilabel_soft_margin_loss", (X, LABELS), {"reduction": "x"}),
]


@pytest.mark.parametrize(("function", "arrays", "options"), BAD_INPUTS,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_INPUTS)])
def test_errors_match_torch(function: str, arrays: tuple[Any, ...],
                            options: dict[str, Any]) -> None:
    kinds = []
    for lib in (torch, cr):
        args = [_tensor(lib, a, False) for a in arrays]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                getattr(lib.nn.functional, function)(*args, **options)
            except Exception as error:  # noqa: BLE001 - the types are compared below
                kinds.append(type(error))
            else:
                kinds.append(None)
    assert kinds[0] is not None, "torch accepted it: the case is wrong"
    assert kinds[1] is kinds[0]


def test_module_constructor_errors_and_repr() -> None:
    for lib in (torch, cr):
        with pytest.raises(ValueError):
            lib.nn.TripletMarginLoss(margin=-1.0)
    for name in ["KLDivLoss", "PoissonNLLLoss", "GaussianNLLLoss", "CosineEmbeddingLoss",
                 "TripletMarginLoss", "HingeEmbeddingLoss", "SoftMarginLoss",
                 "MultiLabelSoftMarginLoss"]:
        assert repr(getattr(cr.nn, name)()) == repr(getattr(torch.nn, name)())


def test_soft_margin_target_requiring_grad_is_refused_as_torch() -> None:
    for lib in (torch, cr):
        with pytest.raises(RuntimeError, match="not differentiable"):
            lib.nn.functional.soft_margin_loss(lib.tensor(X, requires_grad=True),
                                               lib.tensor(SIGNS_GRID, requires_grad=True))
        with lib.no_grad():
            lib.nn.functional.soft_margin_loss(lib.tensor(X, requires_grad=True),
                                               lib.tensor(SIGNS_GRID, requires_grad=True))


def test_non_tensor_input_is_a_type_error() -> None:
    for function in ["kl_div", "poisson_nll_loss", "soft_margin_loss"]:
        for lib in (torch, cr):
            with pytest.raises(TypeError), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                getattr(lib.nn.functional, function)([1.0], lib.tensor([1.0]))


def test_float32_inputs_keep_float32() -> None:
    for name, options, arrays in CASES[:1] + CASES[5:6] + CASES[15:16] + CASES[18:19]:
        for reduction in ("mean", "none"):
            got = _run(cr, name, options, tuple(a.astype(np.float32) if a.dtype.kind == "f"
                                                else a for a in arrays), reduction, True)
            want = _run(torch, name, options, tuple(a.astype(np.float32) if a.dtype.kind == "f"
                                                    else a for a in arrays), reduction, True)
            assert got[1] == want[1] == "float32"
            assert all(g is None or g.dtype == np.float32 for g in got[2:])


# (function, arguments; the float ones are differentiated, options) away from kinks
GRADCHECK: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
    ("kl_div", (LOGP, PROBS), {"reduction": "batchmean"}),
    ("kl_div", (LOGP, _log_softmax(Y)), {"log_target": True, "reduction": "sum"}),
    ("poisson_nll_loss", (X, COUNTS + 1.5), {"full": True}),
    ("poisson_nll_loss", (VAR, COUNTS), {"log_input": False}),
    ("gaussian_nll_loss", (X, Y, VAR), {"full": True}),
    ("gaussian_nll_loss", (X, Y, VAR[:, 0]), {"reduction": "none"}),
    ("cosine_embedding_loss", (X, Y, SIGNS), {"margin": -0.9}),
    ("triplet_margin_loss", (X, Y, Z), {"margin": 5.0, "swap": True}),
    ("hinge_embedding_loss", (X, SIGNS_GRID), {"margin": 5.0}),
    ("soft_margin_loss", (X, SIGNS_GRID), {}),
    ("multilabel_soft_margin_loss", (X, LABELS), {"weight": VAR[0]}),
]


@pytest.mark.parametrize(("function", "arrays", "options"), GRADCHECK,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(GRADCHECK)])
def test_first_and_second_derivatives_against_central_differences(
        function: str, arrays: tuple[Any, ...], options: dict[str, Any]) -> None:
    loss = getattr(cr.nn.functional, function)
    differentiated = [i for i, a in enumerate(arrays)
                      if i == 0 or (function != "soft_margin_loss" and a is not SIGNS
                                    and a is not SIGNS_GRID and a is not LABELS)]
    fixed = {k: cr.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}

    def run(*tensors: Any) -> Any:
        args = [cr.tensor(a) for a in arrays]
        for index, tensor in zip(differentiated, tensors):
            args[index] = tensor
        return loss(*args, **fixed)

    inputs = [cr.tensor(arrays[i], requires_grad=True) for i in differentiated]
    assert cr.autograd.gradcheck(run, inputs, atol=1e-6, rtol=1e-5)
    assert cr.autograd.gradgradcheck(run, inputs, atol=1e-5, rtol=1e-4)
