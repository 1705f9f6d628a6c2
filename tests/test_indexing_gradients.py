"""Gradients of the indexing family's fronts (the functions users call, many of them built
from several gates) by float64 central differences: first order with `gradcheck`, second
order with `gradgradcheck`; and exact gradients where an index repeats (they must add up).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import GradcheckError, gradcheck, gradgradcheck

RNG = np.random.default_rng(1212)


def leaf(*shape: int) -> cr.Tensor:
    return cr.tensor(RNG.uniform(-2.0, 2.0, size=shape), requires_grad=True)


def idx(values: Any) -> cr.Tensor:
    return cr.tensor(np.asarray(values, dtype=np.int64))


MASK = cr.tensor(RNG.uniform(size=(3, 4)) > 0.5)
CAUSAL = cr.ones(3, 3, dtype=cr.bool).tril()

FRONTS: dict[str, tuple[Callable[..., Any], tuple[cr.Tensor, ...]]] = {
    "split-and-join": (lambda x: cr.cat([p * (i + 1) for i, p in enumerate(x.split(2, 1))], 1),
                       (leaf(3, 5),)),
    "chunk": (lambda x: x.chunk(3)[1] * 2, (leaf(5, 2),)),
    "tensor_split": (lambda x: x.tensor_split([1, 3], dim=1)[1].exp(), (leaf(2, 5),)),
    "unbind": (lambda x: x.unbind(1)[0] * x.unbind(1)[2], (leaf(3, 4),)),
    "narrow": (lambda x: x.narrow(0, 1, 2).tanh(), (leaf(4, 3),)),
    "select": (lambda x: x.select(1, -1) * x.select(1, 0), (leaf(3, 4),)),
    "take_along_dim-broadcast": (lambda x: x.take_along_dim(idx([[[0, 3], [3, 3]]]), 2),
                                 (leaf(3, 1, 4),)),
    "movedim": (lambda x: x.movedim(0, 2) * cr.arange(4.0, dtype=cr.float64), (leaf(4, 2, 3),)),
    "gather-repeats": (lambda x: x.gather(1, idx([[0, 0, 3], [2, 2, 2]])) ** 2, (leaf(2, 4),)),
    "scatter-larger-src": (lambda x, s: x.scatter(0, idx([[1, 0, 2]]), s),
                           (leaf(3, 4), leaf(2, 5))),
    "scatter-value": (lambda x: x.scatter(1, idx([[1], [0], [3]]), 0.5) ** 2, (leaf(3, 4),)),
    "index_fill-tensor-value": (lambda x, v: x.index_fill(0, idx([1]), v), (leaf(3, 4), leaf())),
    "scatter_add-repeats": (lambda x, s: x.scatter_add(1, idx([[0, 0], [3, 3], [1, 1]]), s),
                            (leaf(3, 4), leaf(3, 2))),
    "scatter_reduce-sum-no-self": (lambda x, s: x.scatter_reduce(
        1, idx([[0, 0], [3, 1]]), s, "sum", include_self=False), (leaf(2, 4), leaf(2, 2))),
    "scatter_reduce-mean": (lambda x, s: x.scatter_reduce(0, idx([[1, 1, 0]]), s, "mean"),
                            (leaf(2, 3), leaf(1, 3))),
    "scatter_reduce-amax": (lambda x, s: x.scatter_reduce(
        1, idx([[0, 0, 2], [3, 3, 3]]), s, "amax"), (leaf(2, 4), leaf(2, 3))),
    "scatter_reduce-amin-no-self": (lambda x, s: x.scatter_reduce(
        1, idx([[0, 0, 2], [3, 3, 3]]), s, "amin", include_self=False),
        (leaf(2, 4), leaf(2, 3))),
    "scatter_reduce-prod": (lambda x, s: x.scatter_reduce(1, idx([[0, 0, 2], [3, 1, 3]]), s,
                                                          "prod"), (leaf(2, 4), leaf(2, 3))),
    "index_select-repeats": (lambda x: x.index_select(1, idx([3, 3, 0])), (leaf(2, 4),)),
    "index_add-alpha": (lambda x, s: x.index_add(0, idx([1, 1]), s, alpha=-0.5),
                        (leaf(3, 2), leaf(2, 2))),
    "index_copy": (lambda x, s: x.index_copy(0, idx([2, 0]), s), (leaf(3, 2), leaf(2, 2))),
    "index_fill": (lambda x: x.index_fill(1, idx([0, 2]), 0.5), (leaf(3, 4),)),
    "masked_fill-broadcast": (lambda x: x.masked_fill(cr.tensor([True, False, True]), 1.0),
                              (leaf(2, 3),)),
    "masked_fill-value": (lambda x, v: x.masked_fill(MASK, v), (leaf(3, 4), leaf())),
    "masked_fill-attention": (lambda s: s.masked_fill(~CAUSAL, float("-inf")).softmax(-1),
                              (leaf(2, 3, 3),)),
    "masked_select": (lambda x: x.masked_select(MASK) * 3, (leaf(3, 4),)),
    "masked_select-broadcast": (lambda x: x.masked_select(MASK), (leaf(3, 1),)),
    "masked_scatter": (lambda x, s: x.masked_scatter(MASK, s), (leaf(3, 4), leaf(13))),
    "index_put": (lambda x, v: x.index_put((idx([0, 2]), idx([1, 1])), v), (leaf(3, 2),
                                                                             leaf(2))),
    "index_put-accumulate": (lambda x, v: x.index_put((idx([0, 0]),), v, accumulate=True),
                             (leaf(3, 2), leaf(2))),
    "take-repeats": (lambda x: x.take(idx([[0, 0], [-1, 5]])), (leaf(2, 3),)),
    "put": (lambda x, s: x.put(idx([4, 0]), s), (leaf(2, 3), leaf(2))),
    "put-accumulate": (lambda x, s: x.put(idx([4, 4, 0]), s, accumulate=True),
                       (leaf(2, 3), leaf(3))),
    "repeat": (lambda x: x.repeat(2, 3) ** 2, (leaf(2, 2),)),
    "tile": (lambda x: x.tile(2), (leaf(2, 3),)),
    "repeat_interleave": (lambda x: x.repeat_interleave(idx([2, 0, 1]), dim=1),
                          (leaf(2, 3),)),
    "repeat_interleave-flat": (lambda x: x.repeat_interleave(2) ** 2, (leaf(2, 2),)),
    "flip": (lambda x: x.flip(0, 1) * cr.arange(6.0, dtype=cr.float64).reshape(2, 3),
             (leaf(2, 3),)),
    "fliplr": (lambda x: x.fliplr() * x, (leaf(2, 3),)),
    "flipud": (lambda x: x.flipud() * x, (leaf(2, 3),)),
    "rot90": (lambda x: x.rot90(1, (2, 1)) * x.rot90(3, (1, 2)), (leaf(2, 3, 3),)),
    "tensordot": (lambda a, b: cr.tensordot(a, b, ([0, 2], [2, 0])), (leaf(2, 3, 4),
                                                                     leaf(4, 5, 2))),
    "inner": (lambda a, b: a.inner(b), (leaf(2, 3), leaf(4, 3))),
    "kron": (lambda a, b: a.kron(b), (leaf(2, 2), leaf(3,))),
    "meshgrid": (lambda a, b: cr.meshgrid(a, b, indexing="xy")[0] * cr.meshgrid(
        a, b, indexing="xy")[1], (leaf(2), leaf(3))),
    "hsplit": (lambda x: x.hsplit([1])[1] * 2, (leaf(2, 3),)),
    "roll": (lambda x: x.roll((1, 2), (0, 1)) * x, (leaf(2, 3),)),
    "tril": (lambda x: x.tril(-1) @ x, (leaf(3, 3),)),
    "triu": (lambda x: x.triu(1) * x, (leaf(2, 3, 3),)),
    "diag-vector": (lambda v: cr.diag(v, 1) @ cr.diag(v, 1).t(), (leaf(3),)),
    "diag-matrix": (lambda x: x.diag(-1) ** 2, (leaf(3, 4),)),
    "diagonal": (lambda x: x.diagonal(0, -1, 0) ** 2, (leaf(3, 2, 4),)),
    "diag_embed": (lambda v: v.diag_embed(-1) ** 2, (leaf(2, 3),)),
    "trace": (lambda x: (x @ x).trace(), (leaf(3, 3),)),
    "mv": (lambda a, v: a.mv(v), (leaf(3, 4), leaf(4))),
    "bmm": (lambda a, b: a.bmm(b), (leaf(2, 3, 4), leaf(2, 4, 2))),
    "addmm": (lambda c, a, b: cr.addmm(c, a, b, beta=0.5, alpha=2.0),
              (leaf(2), leaf(3, 4), leaf(4, 2))),
    "addmm-beta0": (lambda c, a, b: cr.addmm(c, a, b, beta=0), (leaf(3, 2), leaf(3, 4),
                                                                 leaf(4, 2))),
    "addmv": (lambda c, a, v: cr.addmv(c, a, v, alpha=-1.0), (leaf(3), leaf(3, 4), leaf(4))),
    "baddbmm": (lambda c, a, b: cr.baddbmm(c, a, b, beta=2.0), (leaf(3, 2), leaf(2, 3, 4),
                                                                 leaf(2, 4, 2))),
    "addbmm": (lambda c, a, b: cr.addbmm(c, a, b), (leaf(3, 2), leaf(2, 3, 4), leaf(2, 4, 2))),
}


@pytest.mark.parametrize("name", sorted(FRONTS))
def test_front_gradient_matches_central_differences(name: str) -> None:
    fn, inputs = FRONTS[name]
    assert gradcheck(fn, inputs)


SECOND = ["scatter_reduce-mean", "scatter_reduce-amax",
          "gather-repeats", "scatter_add-repeats", "index_add-alpha", "masked_fill-value",
          "masked_fill-attention", "masked_scatter", "repeat", "roll", "tril", "diagonal",
          "diag_embed", "addmm", "baddbmm", "put-accumulate", "repeat_interleave"]


@pytest.mark.parametrize("name", SECOND)
def test_front_second_order_matches_central_differences(name: str) -> None:
    fn, inputs = FRONTS[name]
    assert gradgradcheck(fn, inputs)


def test_gradcheck_fails_for_a_wrong_gradient() -> None:
    """The check above can fail: a gather whose gradient is doubled is caught."""
    class Doubled(cr.autograd.Function):
        @staticmethod
        def forward(ctx: Any, x: cr.Tensor) -> cr.Tensor:
            return x.gather(1, idx([[0, 0]]))

        @staticmethod
        def backward(ctx: Any, grad: cr.Tensor) -> cr.Tensor:
            return cr.zeros(1, 3, dtype=cr.float64).scatter_add(1, idx([[0, 0]]), grad) * 2

    with pytest.raises(GradcheckError):
        gradcheck(Doubled.apply, (leaf(1, 3),))


# ---------------------------------------------------------------------- repeated indices
def test_repeated_indices_add_their_gradients() -> None:
    x = cr.zeros(2, 3, dtype=cr.float64, requires_grad=True)
    x.gather(1, idx([[0, 0, 0], [2, 1, 2]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[3, 0, 0], [0, 1, 2]])
    x.grad = None
    x.index_select(1, idx([2, 2, 0, 2])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 0, 3], [1, 0, 3]])
    x.grad = None
    x.take(idx([5, 5, -1, 0])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 0, 0], [0, 0, 3]])
    x.grad = None
    x.repeat_interleave(idx([3, 0, 1]), dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[3, 0, 1], [3, 0, 1]])


def test_a_fill_blocks_the_gradient_at_the_filled_places() -> None:
    x = cr.ones(2, 3, dtype=cr.float64, requires_grad=True)
    value = cr.tensor(2.0, dtype=cr.float64, requires_grad=True)
    x.masked_fill(cr.tensor([True, False, True]), value).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0, 1, 0], [0, 1, 0]])
    assert value.grad.item() == 4.0
