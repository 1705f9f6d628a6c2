"""PyTorch as the oracle for the shapes-indexing-products family (issue #12).

Each case is one program, `call(lib, *tensors)`, run twice: with `lib = torch` and with
`lib = chainrule`, on the same float64 leaves (and integer or bool constants). Values, shapes,
dtypes and the gradients of every float input (for a random upstream, never all ones) must
agree. Error cases must raise the same exception type in both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

RNG = np.random.default_rng(12)


def _data(*shape: int) -> np.ndarray:
    return RNG.uniform(-2.0, 2.0, size=shape)


def _ints(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=np.int64)


X = _data(3, 4)
X5 = _data(3, 5)
X3 = _data(2, 3, 4)
SQ = _data(4, 4)
V = _data(4)
MASK = _data(3, 4) > 0
COLUMNS = np.array([True, False, True, False])


def _make(lib: Any, array: np.ndarray) -> Any:
    if array.dtype.kind == "f":
        if lib is torch:
            return torch.tensor(array, requires_grad=True)
        return cr.tensor(array, requires_grad=True)
    return lib.tensor(array) if lib is cr else torch.from_numpy(array.copy())


def _outputs(result: Any) -> list[Any]:
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _numpy(value: Any) -> np.ndarray:
    return value.detach().numpy() if hasattr(value, "detach") else np.asarray(value)


def _run(lib: Any, call: Callable[..., Any], arrays: tuple[np.ndarray, ...],
         grads: bool) -> tuple[list[Any], list[Any]]:
    inputs = [_make(lib, a) for a in arrays]
    outputs = _outputs(call(lib, *inputs))
    seed = np.random.default_rng(7)
    total = None
    for out in outputs:
        if grads and out.requires_grad:
            weight = seed.choice([-1.0, 1.0], out.shape) * seed.uniform(0.5, 1.5, out.shape)
            term = (out * lib.tensor(weight, dtype=out.dtype)).sum()
            total = term if total is None else total + term
    if total is not None:
        total.backward()
    leaf_grads = [t.grad for t in inputs if a_float(t)]
    return outputs, leaf_grads


def a_float(t: Any) -> bool:
    return bool(t.is_floating_point())


def _dtype_name(value: Any) -> str:
    return str(value.dtype).rsplit(".", 1)[-1]


def check_against_torch(call: Callable[..., Any], *arrays: np.ndarray,
                        grads: bool = True, float32: bool = False) -> None:
    """Runs `call` in both libraries on `arrays` (in float32 with `float32`) and compares."""
    if float32:
        arrays = tuple(a.astype(np.float32) if a.dtype == np.float64 else a for a in arrays)
    tight = 1e-5 if float32 else 1e-12
    expected, expected_grads = _run(torch, call, arrays, grads)
    got, got_grads = _run(cr, call, arrays, grads)
    assert len(got) == len(expected), f"{len(got)} outputs, torch gives {len(expected)}"
    for mine, theirs in zip(got, expected):
        assert tuple(mine.shape) == tuple(theirs.shape)
        assert _dtype_name(mine) == _dtype_name(theirs)
        np.testing.assert_allclose(_numpy(mine), _numpy(theirs), rtol=tight, atol=tight)
    for mine, theirs in zip(got_grads, expected_grads):
        if theirs is None:
            assert mine is None or not np.abs(_numpy(mine)).any()
            continue
        assert mine is not None, "chainrule gave no gradient where torch gives one"
        assert _dtype_name(mine) == _dtype_name(theirs)
        np.testing.assert_allclose(_numpy(mine), _numpy(theirs), rtol=tight * 100, atol=tight)


def _index(lib: Any, values: Any) -> Any:
    return lib.tensor(values)


CASES: dict[str, tuple[Callable[..., Any], tuple[np.ndarray, ...]]] = {
    # ------------------------------------------------------------ views: pieces and moves
    "split-int": (lambda lib, x: x.split(2, dim=1), (X5,)),
    "split-list": (lambda lib, x: lib.split(x, [1, 3, 1], dim=1), (X5,)),
    "split-dim0": (lambda lib, x: x.split(2), (X5,)),
    "chunk": (lambda lib, x: x.chunk(2, 1), (X5,)),
    "chunk-fewer": (lambda lib, x: lib.chunk(x, 4), (_data(6, 2),)),
    "tensor_split-sections": (lambda lib, x: x.tensor_split(3, dim=1), (_data(2, 7),)),
    "tensor_split-indices": (lambda lib, x: lib.tensor_split(x, [1, 5, 10], dim=1),
                             (_data(2, 7),)),
    "tensor_split-reversed": (lambda lib, x: x.tensor_split([5, 1], 1), (_data(2, 7),)),
    "tensor_split-tensor": (lambda lib, x: x.tensor_split(lib.tensor(2)), (X5,)),
    "hsplit": (lambda lib, x: x.hsplit(3), (_data(4, 6),)),
    "hsplit-indices": (lambda lib, x: lib.hsplit(x, [1, 4]), (_data(4, 6),)),
    "hsplit-1d": (lambda lib, x: x.hsplit(3), (_data(6),)),
    "vsplit": (lambda lib, x: lib.vsplit(x, 2), (_data(4, 6),)),
    "dsplit": (lambda lib, x: x.dsplit([1]), (X3,)),
    "meshgrid-ij": (lambda lib, a, b: lib.meshgrid(a, b, indexing="ij"), (_data(2), _data(3))),
    "meshgrid-xy": (lambda lib, a, b, c: lib.meshgrid([a, b, c], indexing="xy"),
                    (_data(2), _data(3), _data(4))),
    "unbind": (lambda lib, x: x.unbind(1), (X3,)),
    "unbind-fn": (lambda lib, x: lib.unbind(x), (X3,)),
    "narrow": (lambda lib, x: x.narrow(1, -3, 2), (X5,)),
    "narrow-fn": (lambda lib, x: lib.narrow(x, 0, 1, 2), (X5,)),
    "select": (lambda lib, x: x.select(1, -1), (X3,)),
    "select-fn": (lambda lib, x: lib.select(x, 0, 1), (X3,)),
    "movedim": (lambda lib, x: lib.movedim(x, (0, 1), (2, 0)), (X3,)),
    "moveaxis": (lambda lib, x: x.moveaxis(0, -1), (X3,)),
    # ------------------------------------------------------------ gather and scatter
    "gather-repeats": (lambda lib, x, i: x.gather(1, i), (X, _ints([[2, 2, 0], [1, 3, 3],
                                                                    [0, 0, 0]]))),
    "gather-smaller": (lambda lib, x, i: lib.gather(x, 0, i), (X, _ints([[2, 0], [2, 2]]))),
    "gather-3d": (lambda lib, x, i: x.gather(-1, i), (X3, RNG.integers(0, 4, (2, 3, 5)))),
    "scatter-src": (lambda lib, x, i, s: x.scatter(1, i, s),
                    (X, _ints([[3, 0], [1, 2], [0, 3]]), _data(3, 2))),
    "scatter-value": (lambda lib, x, i: x.scatter(1, i, 2.5), (X, _ints([[3], [1], [0]]))),
    "scatter-value-kw": (lambda lib, x, i: lib.scatter(x, 1, i, value=-1.0),
                         (X, _ints([[3], [1], [0]]))),
    "scatter_add": (lambda lib, x, i, s: x.scatter_add(0, i, s),
                    (X, _ints([[2, 0, 2, 2], [2, 2, 0, 1]]), _data(2, 4))),
    "scatter_add-fn": (lambda lib, x, i, s: lib.scatter_add(x, 1, i, s),
                       (X, _ints([[0, 0], [3, 3], [1, 1]]), _data(3, 2))),
    "take_along_dim": (lambda lib, x, i: lib.take_along_dim(x, i, 1),
                       (X, _ints([[0, 0], [3, -1], [1, 1]]))),
    "take_along_dim-broadcast": (lambda lib, x, i: x.take_along_dim(i, dim=2),
                                 (_data(3, 1, 4), _ints([[[0, 3], [1, 1]]]))),
    "take_along_dim-flat": (lambda lib, x, i: lib.take_along_dim(x, i), (X, _ints([11, 0, 11]))),
    "index_select-repeats": (lambda lib, x, i: x.index_select(0, i), (X, _ints([2, 0, 2, 2]))),
    "index_select-dim1": (lambda lib, x, i: lib.index_select(x, 1, i), (X, _ints([3, 1]))),
    "index_select-0d-index": (lambda lib, x, i: x.index_select(1, i), (X, _ints(2))),
    "index_add-alpha": (lambda lib, x, i, s: x.index_add(0, i, s, alpha=2.5),
                        (X, _ints([2, 0, 2, 2]), _data(4, 4))),
    "index_add-fn": (lambda lib, x, i, s: lib.index_add(x, 1, i, s),
                     (X, _ints([3, 0, 3]), _data(3, 3))),
    "index_copy": (lambda lib, x, i, s: x.index_copy(1, i, s), (X, _ints([3, 0]), _data(3, 2))),
    "index_fill": (lambda lib, x, i: x.index_fill(1, i, -2.0), (X, _ints([0, 2]))),
    "index_fill-negative": (lambda lib, x, i: lib.index_fill(x, 0, i, 1.5), (X, _ints([-1]))),
    "index_fill-tensor-value": (lambda lib, x, i, v: x.index_fill(1, i, v),
                                (X, _ints([1, 3]), np.array(0.25))),
    # ------------------------------------------------------------ masks and flat indices
    "masked_fill": (lambda lib, x, m: x.masked_fill(m, -1.0), (X, MASK)),
    "masked_fill-broadcast-mask": (lambda lib, x, m: x.masked_fill(m, 0.0), (X, COLUMNS)),
    "masked_fill-broadcast-input": (lambda lib, x, m: lib.masked_fill(x, m, 3.0),
                                    (_data(3, 1), MASK)),
    "masked_fill-tensor-value": (lambda lib, x, m, v: x.masked_fill(m, v),
                                 (X, MASK, np.array(0.75))),
    "masked_fill-causal-attention": (
        lambda lib, s: s.masked_fill(lib.ones(3, 3, dtype=lib.bool).tril() == 0,
                                     float("-inf")).softmax(-1), (_data(2, 3, 3),)),
    "masked_fill-padding-attention": (
        lambda lib, s, m: s.masked_fill(m, float("-inf")).softmax(-1),
        (_data(2, 3, 3), np.array([[[False, False, True]], [[False, True, True]]]))),
    "masked_select": (lambda lib, x, m: x.masked_select(m), (X, MASK)),
    "masked_select-broadcast": (lambda lib, x, m: lib.masked_select(x, m), (_data(3, 1), MASK)),
    "masked_scatter": (lambda lib, x, m, s: x.masked_scatter(m, s), (X, MASK, _data(4, 5))),
    "masked_scatter-broadcast": (lambda lib, x, m, s: lib.masked_scatter(x, m, s),
                                 (X, COLUMNS, _data(7))),
    "index_put": (lambda lib, x, i, v: x.index_put((i,), v), (X, _ints([0, 2]), np.array(1.5))),
    "index_put-pairs-accumulate": (lambda lib, x, i, j, v: lib.index_put(
        x, (i, j), v, accumulate=True), (X, _ints([0, 2, 0]), _ints([1, 1, 1]), _data(3))),
    "index_put-mask": (lambda lib, x, m, v: x.index_put([m], v), (X, MASK, np.array(-2.0))),
    "index_put-rows": (lambda lib, x, i, v: x.index_put((i,), v), (X, _ints([2]), _data(4))),
    "take": (lambda lib, x, i: x.take(i), (X, _ints([[0, 11, -1], [5, 5, 0]]))),
    "take-fn": (lambda lib, x, i: lib.take(x, i), (X3, _ints([23, 0, 23]))),
    "put": (lambda lib, x, i, s: x.put(i, s), (X, _ints([1, -2, 7]), _data(3))),
    "put-accumulate": (lambda lib, x, i, s: x.put(i, s, accumulate=True),
                       (X, _ints([[1, 1], [7, 1]]), _data(2, 2))),
    # ------------------------------------------------------------ repeating and reordering
    "repeat": (lambda lib, x: x.repeat(2, 1, 3), (_data(2, 3),)),
    "repeat-same": (lambda lib, x: x.repeat(3, 2), (_data(2, 3),)),
    "tile-fewer": (lambda lib, x: x.tile((2,)), (X,)),
    "tile-more": (lambda lib, x: lib.tile(x, (2, 1, 2)), (X,)),
    "repeat_interleave-int": (lambda lib, x: x.repeat_interleave(2), (X,)),
    "repeat_interleave-dim": (lambda lib, x: x.repeat_interleave(3, dim=1), (X,)),
    "repeat_interleave-tensor": (lambda lib, x: lib.repeat_interleave(
        x, lib.tensor([1, 0, 2]), dim=0), (X,)),
    "repeat_interleave-one-count": (lambda lib, x: x.repeat_interleave(lib.tensor([2]), dim=1),
                                    (X,)),
    "repeat_interleave-counts": (lambda lib, x: (lib.repeat_interleave(lib.tensor([2, 0, 1])),
                                                 x * 1), (X,)),
    "flip": (lambda lib, x: x.flip(0, 2), (X3,)),
    "flip-fn": (lambda lib, x: lib.flip(x, (1,)), (X3,)),
    "flip-dims-keyword": (lambda lib, x: lib.flip(x, dims=[1]), (X3,)),
    "fliplr": (lambda lib, x: x.fliplr(), (X,)),
    "flipud": (lambda lib, x: lib.flipud(x), (X,)),
    "rot90": (lambda lib, x: x.rot90(), (X,)),
    "rot90-k3": (lambda lib, x: lib.rot90(x, 3, (2, 0)), (X3,)),
    "rot90-k2": (lambda lib, x: x.rot90(2, [1, 2]), (X3,)),
    "rot90-k-1": (lambda lib, x: x.rot90(-1), (X,)),
    "rot90-k4": (lambda lib, x: x.rot90(4) * 1, (X,)),
    "roll-flat": (lambda lib, x: x.roll(5), (X,)),
    "roll-dims": (lambda lib, x: lib.roll(x, (1, -1), (0, 2)), (X3,)),
    "roll-one-dim": (lambda lib, x: x.roll(-3, 1), (X,)),
    # ------------------------------------------------------------ triangles and diagonals
    "tril": (lambda lib, x: x.tril(), (X,)),
    "tril-batched": (lambda lib, x: lib.tril(x, -1), (X3,)),
    "triu": (lambda lib, x: x.triu(1), (X,)),
    "triu-fn": (lambda lib, x: lib.triu(x, diagonal=-2), (X3,)),
    "diag-vector": (lambda lib, v: lib.diag(v), (V,)),
    "diag-vector-offset": (lambda lib, v: v.diag(-2), (V,)),
    "diag-matrix": (lambda lib, x: x.diag(1), (X,)),
    "diagonal": (lambda lib, x: x.diagonal(), (X,)),
    "diagonal-3d": (lambda lib, x: lib.diagonal(x, offset=-1, dim1=2, dim2=0), (X3,)),
    "diagonal-big-offset": (lambda lib, x: x.diagonal(9) * 1, (X,)),
    "diag_embed": (lambda lib, x: x.diag_embed(), (_data(2, 3),)),
    "diag_embed-dims": (lambda lib, x: lib.diag_embed(x, 1, 0, 2), (_data(2, 3),)),
    "trace": (lambda lib, x: x.trace(), (X,)),
    "trace-fn": (lambda lib, x: lib.trace(x), (SQ,)),
    # ------------------------------------------------------------ products
    "mm": (lambda lib, a, b: a.mm(b), (X, _data(4, 2))),
    "mm-fn": (lambda lib, a, b: lib.mm(a, b), (X, _data(4, 2))),
    "mv": (lambda lib, a, v: lib.mv(a, v), (X, V)),
    "bmm": (lambda lib, a, b: a.bmm(b), (X3, _data(2, 4, 5))),
    "addmm": (lambda lib, c, a, b: lib.addmm(c, a, b), (_data(3, 2), X, _data(4, 2))),
    "addmm-broadcast-scaled": (lambda lib, c, a, b: c.addmm(a, b, beta=0.5, alpha=-2.0),
                               (_data(2), X, _data(4, 2))),
    "addmm-beta0": (lambda lib, c, a, b: lib.addmm(c, a, b, beta=0), (_data(3, 2), X,
                                                                        _data(4, 2))),
    "addmv": (lambda lib, c, a, v: lib.addmv(c, a, v, beta=2.0, alpha=0.5), (_data(3), X, V)),
    "baddbmm": (lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=1.5), (_data(3, 5), X3,
                                                                         _data(2, 4, 5))),
    "addbmm": (lambda lib, c, a, b: c.addbmm(a, b, beta=-1.0), (_data(3, 5), X3,
                                                                 _data(2, 4, 5))),
    "tensordot": (lambda lib, a, b: lib.tensordot(a, b), (X3, _data(3, 4, 5))),
    "tensordot-lists": (lambda lib, a, b: lib.tensordot(a, b, dims=([1, 2], [1, 0])),
                        (X3, _data(4, 3, 5))),
    "tensordot-0": (lambda lib, a, b: lib.tensordot(a, b, dims=0), (X, _data(2))),
    "inner": (lambda lib, a, b: a.inner(b), (X3, _data(5, 4))),
    "inner-0d": (lambda lib, a, b: lib.inner(a, b), (np.array(1.5), X)),
    "kron": (lambda lib, a, b: a.kron(b), (_data(2, 3), _data(4, 5))),
    "kron-mixed-dims": (lambda lib, a, b: lib.kron(a, b), (_data(3), X3)),
    "dot": (lambda lib, a, b: a.dot(b), (V, _data(4))),
    "outer": (lambda lib, a, b: lib.outer(a, b), (V, _data(3))),
    "matmul-batched": (lambda lib, a, b: a @ b, (X3, _data(4, 2))),
    # ------------------------------------------------------------ existing shape methods
    "expand_as": (lambda lib, x, y: x.expand_as(y), (_data(3, 1), _data(2, 3, 4))),
    "swapaxes": (lambda lib, x: x.swapaxes(0, 2), (X3,)),
    "view_as": (lambda lib, x, y: x.view_as(y), (X, _data(2, 6))),
    "reshape_as": (lambda lib, x, y: x.reshape_as(y), (X3, _data(4, 6))),
    "type_as": (lambda lib, x: x.type_as(lib.zeros(1, dtype=lib.float32)), (X,)),
}

# scatter_reduce: every reduction, with and without input's own values; ties (amax, amin)
# and zeros (prod) where their gradients need care.
TIED = np.array([[1.0, 5.0, 2.0, 0.0], [0.5, -1.0, 3.0, 3.0]])
TIED_SRC = np.array([[5.0, 3.0, 5.0], [3.0, 0.0, -2.0]])
TIED_INDEX = _ints([[1, 2, 1], [3, 1, 3]])
ZEROS = np.array([[0.0, 2.0, 1.5, -1.0], [2.0, 0.5, -0.5, 1.0]])
ZEROS_SRC = np.array([[1.5, 0.0, 0.0], [-2.0, 0.0, 3.0]])
for _reduce in ("sum", "prod", "mean", "amax", "amin"):
    for _own in (True, False):
        CASES[f"scatter_reduce-{_reduce}-{'self' if _own else 'no-self'}"] = (
            lambda lib, x, i, s, r=_reduce, own=_own: x.scatter_reduce(1, i, s, r,
                                                                      include_self=own),
            (X, _ints([[0, 0, 3], [2, 2, 2], [1, 3, 1]]), _data(3, 3)))
        CASES[f"scatter_reduce-{_reduce}-{'self' if _own else 'no-self'}-ties-zeros"] = (
            lambda lib, x, i, s, r=_reduce, own=_own: lib.scatter_reduce(
                x, 1, i, s, r, include_self=own),
            (ZEROS if _reduce == "prod" else TIED, TIED_INDEX,
             ZEROS_SRC if _reduce == "prod" else TIED_SRC))

# Cases whose torch forward takes no gradient (scatter with reduce), or whose torch backward
# fails (a src larger than index: torch 2.13 returns a gradient of index's shape): values
# only; tests/test_indexing_gradients.py checks these gradients by central differences.
VALUE_ONLY: dict[str, tuple[Callable[..., Any], tuple[np.ndarray, ...]]] = {
    "scatter-larger-src": (lambda lib, x, i, s: x.scatter(0, i, s),
                           (X, _ints([[2, 0, 1, 0]]), _data(2, 5))),
    "scatter-reduce-add": (lambda lib, x, i, s: x.scatter(1, i, s, reduce="add"),
                           (X, _ints([[0, 0], [3, 3], [1, 1]]), _data(3, 2))),
    "scatter-reduce-multiply": (lambda lib, x, i, s: x.scatter(1, i, s, reduce="multiply"),
                                (X, _ints([[0, 0], [3, 3], [1, 1]]), _data(3, 2))),
    "scatter_reduce-int-mean": (lambda lib, x, i, s: x.long().scatter_reduce(
        0, i, s.long() * 3, "mean", include_self=False), (V * 3, _ints([0, 0, 2]),
                                                          _data(3) + 2)),
    "scatter_reduce-int-amax": (lambda lib, x, i, s: x.long().scatter_reduce(
        0, i, s.long(), "amax"), (V * 3, _ints([0, 0, 2]), _data(3) * 3)),
    "masked_fill-int-rounds": (lambda lib, x: x.long().masked_fill(x > 0, 2.7), (X,)),
    "masked_fill-bool": (lambda lib, x: (x > 0).masked_fill(x > 1, 0), (X,)),
    "scatter-value-reduce-add": (lambda lib, x, i: x.scatter(1, i, 0.5, reduce="add"),
                                 (X, _ints([[0, 0], [3, 3], [1, 1]]))),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_dtypes_and_gradients_match_torch(name: str) -> None:
    call, arrays = CASES[name]
    check_against_torch(call, *arrays)


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_keeps_float32_as_torch_does(name: str) -> None:
    call, arrays = CASES[name]
    check_against_torch(call, *arrays, float32=True)


@pytest.mark.filterwarnings("ignore:The reduce argument:UserWarning")
@pytest.mark.parametrize("name", sorted(VALUE_ONLY))
def test_values_without_gradient_match_torch(name: str) -> None:
    call, arrays = VALUE_ONLY[name]
    with torch.no_grad(), cr.no_grad():
        check_against_torch(call, *arrays, grads=False)


def test_scatter_multiply_refuses_a_gradient_it_cannot_give() -> None:
    x = cr.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="no gradient"):
        x.scatter(1, cr.tensor([[0], [1], [2]]), cr.ones(3, 1, dtype=cr.float64),
                  reduce="multiply")


def test_the_oracle_check_can_fail() -> None:
    """A program that differs between the two libraries must not pass."""
    with pytest.raises(AssertionError):
        check_against_torch(lambda lib, x: x.flip(0) if lib is cr else x.flip(1), X)
    with pytest.raises(AssertionError):  # same values, different gradient
        check_against_torch(lambda lib, x: x.gather(1, lib.tensor([[0, 0]] * 3)) if lib is cr
                            else x.gather(1, lib.tensor([[0, 0]] * 3)).detach() + 0 * x[:, :2],
                            X)


# ---------------------------------------------------------------------- errors
def _ok(lib: Any) -> Any:
    return lib.tensor(X)


ERRORS: dict[str, Callable[[Any], Any]] = {
    "gather-ndim": lambda lib: _ok(lib).gather(1, lib.tensor([0, 1, 2])),
    "gather-float-index": lambda lib: _ok(lib).gather(1, lib.zeros(3, 2)),
    "gather-list-index": lambda lib: _ok(lib).gather(1, [[0]]),
    "gather-out-of-bounds": lambda lib: _ok(lib).gather(1, lib.full((3, 2), 7)),
    "gather-negative": lambda lib: _ok(lib).gather(1, lib.full((3, 2), -1)),
    "gather-index-too-big": lambda lib: _ok(lib).gather(1, lib.zeros(4, 2, dtype=lib.int64)),
    "gather-bad-dim": lambda lib: _ok(lib).gather(2, lib.zeros(3, 2, dtype=lib.int64)),
    "scatter-dtype": lambda lib: _ok(lib).scatter(1, lib.zeros(3, 2, dtype=lib.int64),
                                                  lib.ones(3, 2, dtype=lib.float32)),
    "scatter-small-src": lambda lib: _ok(lib).scatter(1, lib.zeros(3, 2, dtype=lib.int64),
                                                      lib.ones(2, 2, dtype=lib.float64)),
    "scatter-index-ndim": lambda lib: _ok(lib).scatter(1, lib.tensor([0]), 1.0),
    "scatter_reduce-bad-reduce": lambda lib: _ok(lib).scatter_reduce(
        1, lib.zeros(3, 1, dtype=lib.int64), lib.ones(3, 1, dtype=lib.float64), "foo"),
    "scatter_add-dtype": lambda lib: _ok(lib).scatter_add(1, lib.tensor([[0]]),
                                                          lib.ones(1, 1)),
    "index_select-2d": lambda lib: _ok(lib).index_select(0, lib.zeros(2, 2, dtype=lib.int64)),
    "index_select-out-of-bounds": lambda lib: _ok(lib).index_select(0, lib.tensor([5])),
    "index_select-float": lambda lib: _ok(lib).index_select(0, lib.tensor([0.0])),
    "index_select-list": lambda lib: _ok(lib).index_select(0, [0]),
    "index_add-count": lambda lib: _ok(lib).index_add(0, lib.tensor([0, 1]),
                                                      lib.ones(3, 4, dtype=lib.float64)),
    "index_add-out-of-bounds": lambda lib: _ok(lib).index_add(
        0, lib.tensor([0, 5]), lib.ones(2, 4, dtype=lib.float64)),
    "index_add-dtype": lambda lib: _ok(lib).index_add(0, lib.tensor([0]), lib.ones(1, 4)),
    "index_add-2d-index": lambda lib: _ok(lib).index_add(1, lib.tensor([[0]]),
                                                         lib.ones(3, 1, dtype=lib.float64)),
    "index_copy-shape": lambda lib: _ok(lib).index_copy(0, lib.tensor([0, 1]),
                                                        lib.ones(2, 3, dtype=lib.float64)),
    "index_copy-out-of-bounds": lambda lib: _ok(lib).index_copy(
        1, lib.tensor([-1]), lib.ones(3, 1, dtype=lib.float64)),
    "index_fill-out-of-bounds": lambda lib: _ok(lib).index_fill(1, lib.tensor([9]), 2.0),
    "index_fill-2d": lambda lib: _ok(lib).index_fill(1, lib.tensor([[0]]), 2.0),
    "masked_fill-float-mask": lambda lib: _ok(lib).masked_fill(lib.ones(3, 4), 0.0),
    "masked_fill-bad-shape": lambda lib: _ok(lib).masked_fill(lib.ones(3, 5, dtype=lib.bool),
                                                              0.0),
    "masked_fill-1d-value": lambda lib: _ok(lib).masked_fill(lib.ones(3, 4, dtype=lib.bool),
                                                             lib.tensor([2.0])),
    "masked_fill_-grows": lambda lib: lib.ones(3, 1).masked_fill_(lib.ones(3, 4, dtype=lib.bool),
                                                                  0.0),
    "masked_fill-int-inf": lambda lib: lib.ones(2, dtype=lib.int64).masked_fill(
        lib.tensor([True, False]), float("-inf")),
    "masked_fill-uint8-mask": lambda lib: lib.ones(2).masked_fill(
        lib.tensor([1, 0], dtype=lib.uint8), 0.0),
    "masked_select-float-mask": lambda lib: _ok(lib).masked_select(lib.ones(3, 4)),
    "masked_scatter-short-source": lambda lib: _ok(lib).masked_scatter(
        lib.ones(3, 4, dtype=lib.bool), lib.ones(5, dtype=lib.float64)),
    "index_put-dtype": lambda lib: _ok(lib).index_put((lib.tensor([0]),), lib.tensor(1.0)),
    "index_put-shape": lambda lib: _ok(lib).index_put((lib.tensor([0]),),
                                                      lib.ones(3, dtype=lib.float64)),
    "index_put-float-index": lambda lib: _ok(lib).index_put((lib.tensor([0.0]),),
                                                            lib.tensor(1.0, dtype=lib.float64)),
    "index_put-number": lambda lib: _ok(lib).index_put((lib.tensor([0]),), 1.0),
    "index_put-too-many": lambda lib: _ok(lib).index_put(
        (lib.tensor([0]), lib.tensor([0]), lib.tensor([0])), lib.tensor(1.0, dtype=lib.float64)),
    "take-out-of-bounds": lambda lib: _ok(lib).take(lib.tensor([12])),
    "select-out-of-range": lambda lib: _ok(lib).select(0, 5),
    "select-0d": lambda lib: lib.tensor(1.0).select(0, 0),
    "take_along_dim-ndim": lambda lib: lib.take_along_dim(_ok(lib), lib.tensor([0, 1]), 1),
    "take_along_dim-broadcast": lambda lib: lib.take_along_dim(
        lib.ones(3, 1, 4), lib.zeros(2, 1, 1, dtype=lib.int64), 2),
    "addmm_-grows": lambda lib: lib.ones(5).addmm_(lib.ones(3, 4), lib.ones(4, 5)),
    "hsplit-uneven": lambda lib: lib.ones(4, 6).hsplit(4),
    "hsplit-0d": lambda lib: lib.tensor(1.0).hsplit(1),
    "vsplit-1d": lambda lib: lib.ones(6).vsplit(3),
    "dsplit-2d": lambda lib: lib.ones(4, 6).dsplit(3),
    "meshgrid-2d": lambda lib: lib.meshgrid(lib.ones(2, 2), lib.ones(3), indexing="ij"),
    "rot90-same-dims": lambda lib: _ok(lib).rot90(1, (0, 0)),
    "rot90-three-dims": lambda lib: _ok(lib).rot90(1, (0, 1, 1)),
    "rot90-1d": lambda lib: lib.ones(3).rot90(),
    "tensordot-mismatch": lambda lib: lib.tensordot(lib.ones(2, 3), lib.ones(4, 5), dims=1),
    "inner-mismatch": lambda lib: lib.inner(lib.ones(2, 3), lib.ones(4, 2)),
    "split-zero": lambda lib: _ok(lib).split(0),
    "split-negative": lambda lib: _ok(lib).split(-1),
    "split-bad-sum": lambda lib: _ok(lib).split([1, 1], 0),
    "split-bad-dim": lambda lib: _ok(lib).split(1, 2),
    "chunk-zero": lambda lib: _ok(lib).chunk(0),
    "tensor_split-zero": lambda lib: _ok(lib).tensor_split(0),
    "unbind-0d": lambda lib: lib.tensor(1.0).unbind(),
    "narrow-past-end": lambda lib: _ok(lib).narrow(1, 3, 2),
    "narrow-negative-length": lambda lib: _ok(lib).narrow(1, 0, -1),
    "movedim-repeated": lambda lib: _ok(lib).movedim((0, 0), (1, 0)),
    "movedim-lengths": lambda lib: _ok(lib).movedim((0, 1), (1,)),
    "repeat-fewer": lambda lib: _ok(lib).repeat(2),
    "repeat-negative": lambda lib: _ok(lib).repeat(2, -1),
    "repeat_interleave-mismatch": lambda lib: _ok(lib).repeat_interleave(lib.tensor([1, 2]),
                                                                         dim=0),
    "repeat_interleave-negative": lambda lib: _ok(lib).repeat_interleave(-1),
    "repeat_interleave-float": lambda lib: _ok(lib).repeat_interleave(lib.tensor([1.0, 2, 3]),
                                                                      dim=0),
    "flip-repeated": lambda lib: _ok(lib).flip(0, 0),
    "fliplr-1d": lambda lib: lib.ones(3).fliplr(),
    "flipud-0d": lambda lib: lib.tensor(1.0).flipud(),
    "roll-mismatch": lambda lib: _ok(lib).roll((1, 2), (0,)),
    "tril-1d": lambda lib: lib.ones(3).tril(),
    "triu-1d": lambda lib: lib.ones(3).triu(),
    "diag-3d": lambda lib: lib.ones(2, 2, 2).diag(),
    "diagonal-same-dims": lambda lib: _ok(lib).diagonal(0, 1, 1),
    "trace-3d": lambda lib: lib.ones(2, 2, 2).trace(),
    "mm-3d": lambda lib: lib.ones(2, 3, 4).mm(lib.ones(4, 5)),
    "mm-inner": lambda lib: lib.ones(3, 4).mm(lib.ones(5, 5)),
    "mm-dtype": lambda lib: lib.ones(3, 4).mm(lib.ones(4, 5, dtype=lib.float64)),
    "mv-size": lambda lib: lib.ones(3, 4).mv(lib.ones(5)),
    "mv-3d": lambda lib: lib.ones(2, 3, 4).mv(lib.ones(4)),
    "bmm-2d": lambda lib: lib.ones(3, 4).bmm(lib.ones(4, 5)),
    "bmm-batch": lambda lib: lib.ones(2, 3, 4).bmm(lib.ones(3, 4, 5)),
    "bmm-inner": lambda lib: lib.ones(2, 3, 4).bmm(lib.ones(2, 5, 5)),
    "outer-2d": lambda lib: lib.ones(3, 2).outer(lib.ones(3)),
    "addmm-bad-input": lambda lib: lib.addmm(lib.ones(2, 5), lib.ones(3, 4), lib.ones(4, 5)),
    "baddbmm-bad-input": lambda lib: lib.baddbmm(lib.ones(3, 3, 5), lib.ones(2, 3, 4),
                                                 lib.ones(2, 4, 5)),
}


def _error_class(error: BaseException) -> type[BaseException]:
    for kind in (IndexError, TypeError, NotImplementedError, ValueError, RuntimeError):
        if isinstance(error, kind):
            return kind
    return type(error)


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_bad_input_raises_torchs_error_type(name: str) -> None:
    with pytest.raises(Exception) as theirs:
        ERRORS[name](torch)
    with pytest.raises(Exception) as mine:
        ERRORS[name](cr)
    assert _error_class(mine.value) is _error_class(theirs.value), (
        f"chainrule raised {type(mine.value).__name__}({mine.value}), torch "
        f"{type(theirs.value).__name__}")
    assert len(str(mine.value)) > 20, "an error message should say what was wrong"


# ---------------------------------------------------------------------- new tensors, sizes
NEW: dict[str, Callable[[Any, Any], Any]] = {
    "new_zeros": lambda lib, x: x.new_zeros(2, 3),
    "new_zeros-tuple": lambda lib, x: x.new_zeros((2,)),
    "new_ones-dtype": lambda lib, x: x.new_ones(2, dtype=lib.float32),
    "new_full": lambda lib, x: x.new_full((2, 2), 3),
    "new_full-float-value": lambda lib, x: x.new_full((3,), 2.5),
    "new_empty-shape": lambda lib, x: x.new_empty(4, 1).fill_(0),
    "new_tensor": lambda lib, x: x.new_tensor([1, 2, 3]),
    "new_tensor-grad": lambda lib, x: x.new_tensor([[0.5]], requires_grad=True),
}


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "bool"])
@pytest.mark.parametrize("name", sorted(NEW))
def test_new_tensors_take_the_dtype_of_the_tensor_they_come_from(name: str, dtype: str) -> None:
    if name == "new_tensor-grad" and dtype in ("int64", "bool"):
        pytest.skip("only float tensors can require grad")
    theirs = NEW[name](torch, torch.zeros(1, dtype=getattr(torch, dtype)))
    mine = NEW[name](cr, cr.zeros(1, dtype=getattr(cr, dtype)))
    assert _dtype_name(mine) == _dtype_name(theirs)
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert mine.requires_grad == theirs.requires_grad
    np.testing.assert_array_equal(mine.detach().numpy(), theirs.detach().numpy())


@pytest.mark.parametrize("dtype", ["float64", "float32", "int64", "int32", "bool"])
def test_sizes_and_dims_match_torch(dtype: str) -> None:
    theirs = torch.zeros(2, 3, 4, dtype=getattr(torch, dtype))
    mine = cr.zeros(2, 3, 4, dtype=getattr(cr, dtype))
    for name in ("element_size", "dim", "ndimension", "nelement", "numel"):
        assert getattr(mine, name)() == getattr(theirs, name)(), name


def test_known_error_type_differences() -> None:
    """dot keeps the core's ValueError for bad shapes where torch raises RuntimeError (the
    core's convention for shape errors, left as it is); the message is still clear."""
    with pytest.raises(ValueError, match="1-D"):
        cr.ones(3, 2).dot(cr.ones(3, 2))
