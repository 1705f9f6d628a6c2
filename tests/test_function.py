"""User-defined gates through `cr.autograd.Function`, and gradcheck's own failure report."""

from __future__ import annotations

from typing import Any

import pytest

import chainrule as cr
from chainrule.autograd import GradcheckError, gradcheck


class Square(cr.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: cr.Tensor) -> cr.Tensor:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Any, grad: cr.Tensor) -> cr.Tensor:
        (x,) = ctx.saved_tensors
        return grad * 2 * x


class WrongSquare(Square):
    @staticmethod
    def backward(ctx: Any, grad: cr.Tensor) -> cr.Tensor:
        (x,) = ctx.saved_tensors
        return grad * 3 * x


class ScaledAdd(cr.autograd.Function):
    """z = a + k·b with a non-tensor argument k; records which inputs need gradients."""

    seen_needs: tuple = ()

    @staticmethod
    def forward(ctx: Any, a: cr.Tensor, b: cr.Tensor, k: float) -> cr.Tensor:
        ctx.k = k
        ScaledAdd.seen_needs = ctx.needs_input_grad
        return a + b * k

    @staticmethod
    def backward(ctx: Any, grad: cr.Tensor) -> tuple:
        grad_a = grad if ctx.needs_input_grad[0] else None
        grad_b = grad * ctx.k if ctx.needs_input_grad[1] else None
        return grad_a, grad_b, None


class SplitHalves(cr.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: cr.Tensor) -> tuple:
        half = x.shape[0] // 2
        return x[:half] * 1, x[half:] * 1

    @staticmethod
    def backward(ctx: Any, first: cr.Tensor, second: cr.Tensor) -> cr.Tensor:
        return cr.cat([first, second])


def test_custom_function_forward_and_backward() -> None:
    x = cr.tensor([1.0, -2.0], dtype=cr.float64, requires_grad=True)
    y = Square.apply(x)
    assert y.grad_fn is not None and y.grad_fn.label == "Square"
    y.sum().backward()
    assert x.grad.tolist() == [2, -4]
    assert gradcheck(Square.apply, (x,))


def test_gradcheck_names_the_worst_input_element_and_both_values() -> None:
    x = cr.tensor([[1.0, 2.0]], dtype=cr.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0, element \(0, 1\): numerical 4, "
                                             r"analytical 6"):
        gradcheck(WrongSquare.apply, (x,))
    assert gradcheck(WrongSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_wants_float64() -> None:
    with pytest.raises(ValueError, match="float64"):
        gradcheck(Square.apply, (cr.ones(2, requires_grad=True),))


def test_needs_input_grad_and_non_tensor_arguments() -> None:
    a = cr.tensor([1.0, 2.0], dtype=cr.float64, requires_grad=True)
    b = cr.tensor([3.0, 4.0], dtype=cr.float64)
    ScaledAdd.apply(a, b, 2.0).sum().backward()
    assert ScaledAdd.seen_needs == (True, False, False)
    assert a.grad.tolist() == [1, 1]
    b.requires_grad_()
    assert gradcheck(lambda p, q: ScaledAdd.apply(p, q, 2.5), (a, b))


def test_function_with_two_outputs_and_a_missing_gradient() -> None:
    x = cr.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    first, second = SplitHalves.apply(x)
    (first * 10).sum().backward()  # `second` gets no gradient: the engine passes zeros
    assert x.grad.tolist() == [10, 10, 0, 0]


def test_custom_function_supports_double_backward() -> None:
    x = cr.tensor([1.5, -0.5], dtype=cr.float64, requires_grad=True)
    (g,) = cr.autograd.grad(Square.apply(x).sum(), x, create_graph=True)
    (gg,) = cr.autograd.grad(g.sum(), x)
    assert gg.tolist() == [2, 2]


def test_forward_runs_without_recording() -> None:
    class Probe(cr.autograd.Function):
        recording = None

        @staticmethod
        def forward(ctx: Any, x: cr.Tensor) -> cr.Tensor:
            Probe.recording = cr.is_grad_enabled()
            return x * 2

        @staticmethod
        def backward(ctx: Any, grad: cr.Tensor) -> cr.Tensor:
            return grad * 2

    Probe.apply(cr.ones(1, requires_grad=True))
    assert Probe.recording is False


def test_backward_returning_a_wrong_shape_is_reported() -> None:
    class Bad(cr.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: cr.Tensor) -> cr.Tensor:
            return x * 1

        @staticmethod
        def backward(ctx: Any, grad: cr.Tensor) -> cr.Tensor:
            return grad.sum()

    with pytest.raises(RuntimeError, match=r"shape \(\) for input 0, whose shape is \(3,\)"):
        Bad.apply(cr.ones(3, requires_grad=True)).sum().backward()
