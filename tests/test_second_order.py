"""Second order: every gate's recorded rule through `gradgradcheck`, which, as PyTorch's,
draws random upstream gradients v and differentiates vᵀJ in the inputs *and* in v.

The derivative in v is J itself, computed by the backward rules of the rule's own gates (an
index's backward is an IndexAdd, whose backward is an index again), so a linear or
piecewise-linear gate, whose second derivative in its inputs is 0, is still checked.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import GradcheckError, gradgradcheck
from chainrule.ops import indexing

from .gate_cases import CASES_BY_NAME

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

SECOND_ORDER = sorted(name for name, case in CASES_BY_NAME.items() if case.second)


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_recorded_rule_passes_gradgradcheck(name: str) -> None:
    case = CASES_BY_NAME[name]
    assert gradgradcheck(case.call, case.make(), atol=1e-5, rtol=1e-4)


def _tripled_index_add(monkeypatch: pytest.MonkeyPatch) -> None:
    original = indexing.IndexAdd.backward
    monkeypatch.setattr(indexing.IndexAdd, "backward", staticmethod(
        lambda ctx, grad: tuple(None if g is None else 3 * g for g in original(ctx, grad))))


def test_gradgradcheck_catches_a_wrong_rule_of_a_linear_gate(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit's example: x[i] is linear, so its second derivative in x is 0 and a check in x
    alone compared 0 with 0; the derivative in the upstream runs IndexAdd.backward."""
    x = cr.tensor(np.linspace(-1, 1, 12).reshape(4, 3), dtype=cr.float64, requires_grad=True)
    assert gradgradcheck(lambda t: t[[0, 2, 0]], x)
    _tripled_index_add(monkeypatch)
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(lambda t: t[[0, 2, 0]], x)
    assert not gradgradcheck(lambda t: t[[0, 2, 0]], x, raise_exception=False)
    # With a fixed upstream that does not require grad, only the (zero) curvature in x is
    # checked: the wrong rule goes unseen, which is why the upstream is an input by default.
    fixed = cr.tensor(np.ones((3, 3)), dtype=cr.float64)
    assert gradgradcheck(lambda t: t[[0, 2, 0]], x, fixed)


def test_gradgradcheck_takes_pytorchs_arguments() -> None:
    x = cr.tensor([0.5, -1.0, 2.0], dtype=cr.float64, requires_grad=True)
    y = cr.tensor([1.5, 0.25, -0.75], dtype=cr.float64, requires_grad=True)
    v = cr.tensor([1.0, -2.0, 0.5], dtype=cr.float64, requires_grad=True)
    assert gradgradcheck(lambda a, b: (a * b).tanh(), (x, y), (v,), eps=1e-6, atol=1e-5,
                         rtol=1e-3, raise_exception=True)
    assert gradgradcheck(lambda a, b: (a * b, a.exp()), [x, y])  # several outputs
    with pytest.raises(ValueError, match="grad_outputs"):
        gradgradcheck(lambda a: a * 2, (x,), (v, v))


def test_gradgradcheck_agrees_with_pytorch_on_a_wrong_double_backward() -> None:
    """A Function whose backward is right but not differentiable the right way: both
    libraries' gradgradcheck reject it."""
    torch = pytest.importorskip("torch")

    class TorchSquare(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):  # noqa: ANN001, ANN205
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):  # noqa: ANN001, ANN205
            (x,) = ctx.saved_tensors
            return grad * 2 * x.detach()  # the detach hides the x in the second derivative

    class Square(cr.autograd.Function):
        @staticmethod
        def forward(ctx, x):  # noqa: ANN001, ANN205
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):  # noqa: ANN001, ANN205
            (x,) = ctx.saved_tensors
            return grad * 2 * x.detach()

    values = np.array([0.5, -1.0, 2.0])
    t = torch.tensor(values, requires_grad=True)
    assert not torch.autograd.gradgradcheck(TorchSquare.apply, (t,), raise_exception=False)
    x = cr.tensor(values, dtype=cr.float64, requires_grad=True)
    assert not gradgradcheck(Square.apply, (x,), raise_exception=False)
