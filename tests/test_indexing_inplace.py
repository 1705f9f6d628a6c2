"""In-place forms and views of the indexing family, against PyTorch.

- Each `_` method changes the tensor itself (and returns it), with torch's result.
- A value saved for backward and then changed in place (by a `_` method, or through a view
  made by split, chunk, unbind, narrow, diagonal, movedim, …) makes backward raise, in both
  libraries: the views share the base's version counter.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.engine import version

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

X = np.random.default_rng(3).uniform(-2.0, 2.0, size=(3, 4))
MASK = X > 0


def _t(lib: Any, array: Any) -> Any:
    return torch.from_numpy(np.array(array)) if lib is torch else cr.tensor(np.array(array))


IN_PLACE: dict[str, Callable[[Any, Any], Any]] = {
    "masked_fill_": lambda lib, x: x.masked_fill_(_t(lib, MASK), -1.0),
    "masked_fill_-broadcast": lambda lib, x: x.masked_fill_(_t(lib, [True, False, False, True]),
                                                            2.0),
    "scatter_": lambda lib, x: x.scatter_(1, _t(lib, [[3, 0], [1, 2], [0, 3]]),
                                          _t(lib, np.ones((3, 2)))),
    "scatter_-value": lambda lib, x: x.scatter_(0, _t(lib, [[2, 1, 0, 0]]), 5.0),
    "scatter_add_": lambda lib, x: x.scatter_add_(1, _t(lib, [[0, 0], [3, 3], [1, 1]]),
                                                  _t(lib, np.full((3, 2), 0.5))),
    "index_add_": lambda lib, x: x.index_add_(0, _t(lib, [2, 0, 2]), _t(lib, np.ones((3, 4))),
                                              alpha=3),
    "index_copy_": lambda lib, x: x.index_copy_(1, _t(lib, [3, 1]), _t(lib, np.zeros((3, 2)))),
    "index_fill_": lambda lib, x: x.index_fill_(0, _t(lib, [1]), -7.0),
    "masked_scatter_": lambda lib, x: x.masked_scatter_(_t(lib, MASK),
                                                        _t(lib, np.arange(12.0))),
    "put_": lambda lib, x: x.put_(_t(lib, [0, 0, 5]), _t(lib, [1.0, 2.0, 3.0]),
                                  accumulate=True),
    "addmm_": lambda lib, x: x.addmm_(_t(lib, np.ones((3, 2))), _t(lib, np.ones((2, 4))),
                                      beta=0.5, alpha=2),
    "addmv_": lambda lib, x: (x[0].addmv_(_t(lib, np.ones((4, 2))), _t(lib, [1.0, -1.0])), x)[1],
    "baddbmm_": lambda lib, x: (x.view(1, 3, 4).baddbmm_(_t(lib, np.ones((1, 3, 2))),
                                                         _t(lib, np.ones((1, 2, 4)))), x)[1],
    "addbmm_": lambda lib, x: x.addbmm_(_t(lib, np.ones((2, 3, 1))), _t(lib, np.ones((2, 1, 4))),
                                        alpha=-1),
    "index_put_": lambda lib, x: x.index_put_((_t(lib, [0, 0]), _t(lib, [1, 2])),
                                              _t(lib, [1.0, 2.0]), accumulate=True),
    "tril_": lambda lib, x: x.tril_(),
    "triu_": lambda lib, x: x.triu_(1),
}


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_form_changes_the_tensor_as_torch_does(name: str) -> None:
    theirs = torch.from_numpy(X.copy())
    mine = cr.tensor(X.copy())
    before = version.current(mine)
    assert IN_PLACE[name](torch, theirs) is theirs
    assert IN_PLACE[name](cr, mine) is mine
    np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=0, atol=0)
    assert version.current(mine) == before + 1


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_change_of_a_saved_value_makes_backward_raise(name: str) -> None:
    for lib in (torch, cr):
        x = _t(lib, X).requires_grad_(True)
        y = x.exp()  # exp saves its output
        with lib.no_grad():
            IN_PLACE[name](lib, y)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


@pytest.mark.parametrize("name", ["masked_fill_", "index_add_", "tril_"])
def test_in_place_on_a_leaf_that_requires_grad_is_refused(name: str) -> None:
    for lib in (torch, cr):
        x = _t(lib, X).requires_grad_(True)
        with pytest.raises(RuntimeError):
            IN_PLACE[name](lib, x)


VIEWS: dict[str, Callable[[Any], Any]] = {
    "split": lambda y: y.split(2, dim=1)[1],
    "split-list": lambda y: y.split([1, 2], dim=0)[1],
    "chunk": lambda y: y.chunk(2)[0],
    "tensor_split": lambda y: y.tensor_split(3, dim=1)[0],
    "unbind": lambda y: y.unbind(1)[2],
    "narrow": lambda y: y.narrow(1, 1, 2),
    "diagonal": lambda y: y.diagonal(1),
    "movedim": lambda y: y.movedim(0, 1),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_a_change_through_a_view_reaches_the_base_and_is_seen_by_backward(name: str) -> None:
    results = []
    for lib in (torch, cr):
        x = _t(lib, X).requires_grad_(True)
        y = x.exp()
        view = VIEWS[name](y)
        with lib.no_grad():
            view.mul_(0.5)
        results.append(y.detach().numpy().copy())
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
    np.testing.assert_allclose(results[1], results[0], rtol=1e-15)
    assert not np.allclose(results[1], np.exp(X)), "the change did not reach the base"


def test_copies_are_not_views() -> None:
    """flip, roll, repeat, diag (of a matrix) and tril copy in PyTorch: so here too."""
    for make in (lambda y: y.flip(0), lambda y: y.roll(1), lambda y: y.repeat(1, 1),
                 lambda y: y.diag(), lambda y: y.tril(), lambda y: y.gather(
                     1, cr.tensor([[0], [1], [2]])), lambda y: y.index_select(0, cr.tensor([0]))):
        y = cr.tensor(X.copy())
        out = make(y)
        out += 1.0
        np.testing.assert_array_equal(y.numpy(), X)


def test_an_in_place_form_computed_from_a_tensor_that_requires_grad_is_refused() -> None:
    """Unlike PyTorch, which records such a change, chainrule refuses every in-place change
    that a recorded graph would need (the project's rule, `ops.inplace`): the gradient to
    the operand is never dropped silently."""
    source = cr.ones(3, 4, dtype=cr.float64, requires_grad=True)
    matrix = cr.ones(3, 2, dtype=cr.float64, requires_grad=True)
    for change in (lambda x: x.index_add_(0, cr.tensor([0, 1, 2]), source),
                   lambda x: x.masked_scatter_(cr.tensor(MASK), source),
                   lambda x: x.addmm_(matrix, cr.ones(2, 4, dtype=cr.float64))):
        with pytest.raises(RuntimeError, match="in-place"):
            change(cr.tensor(X.copy()))
    with cr.no_grad():
        assert cr.tensor(X.copy()).index_add_(0, cr.tensor([0, 1, 2]), source) is not None
