"""Bitwise and logical operations, nonzero/argwhere and one-argument where, against PyTorch:
values, dtypes (including promotion) and the errors for float operands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule.engine.version import current

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

INTS = np.array([[5, -3, 0], [12, 7, -8]])
OTHER = np.array([3, 6, -1])
BOOLS = np.array([[True, False, True], [False, False, True]])
FLOATS = np.array([[0.5, 0.0, -2.0], [0.0, 1.5, 3.0]])

CASES: dict[str, Callable[[Any], Any]] = {
    "and-int32-int64": lambda m: m.tensor(INTS, dtype=m.int32) & m.tensor(OTHER),
    "or-int32-number": lambda m: m.tensor(INTS, dtype=m.int32) | 6,
    "xor-int64": lambda m: m.tensor(INTS) ^ m.tensor(OTHER),
    "rand-number": lambda m: 6 & m.tensor(INTS),
    "ror-number": lambda m: 6 | m.tensor(INTS),
    "rxor-number": lambda m: 6 ^ m.tensor(INTS),
    "and-bool": lambda m: m.tensor(BOOLS) & m.tensor(BOOLS[::-1].copy()),
    "or-bool-number": lambda m: m.tensor(BOOLS) | True,
    "bool-and-int": lambda m: m.tensor(BOOLS) & 1,
    "not-int": lambda m: ~m.tensor(INTS),
    "not-bool": lambda m: ~m.tensor(BOOLS),
    "not-uint8": lambda m: ~m.tensor(np.array([0, 1, 200]), dtype=m.uint8),
    "lshift": lambda m: m.tensor(INTS) << 2,
    "rshift": lambda m: m.tensor(INTS) >> 1,
    "rlshift": lambda m: 1 << m.tensor(np.array([0, 3, 5])),
    "rrshift": lambda m: 256 >> m.tensor(np.array([0, 3, 5])),
    "bitwise_and": lambda m: m.bitwise_and(m.tensor(INTS), m.tensor(OTHER)),
    "bitwise_or-method": lambda m: m.tensor(INTS).bitwise_or(5),
    "bitwise_xor": lambda m: m.bitwise_xor(m.tensor(INTS), 9),
    "bitwise_not": lambda m: m.bitwise_not(m.tensor(INTS)),
    "bitwise_left_shift": lambda m: m.bitwise_left_shift(m.tensor(INTS), m.tensor(
        np.array([1, 2, 3]))),
    "bitwise_right_shift": lambda m: m.tensor(INTS).bitwise_right_shift(2),
    "logical_and-float-int": lambda m: m.logical_and(m.tensor(FLOATS), m.tensor(INTS)),
    "logical_or-float": lambda m: m.tensor(FLOATS).logical_or(m.tensor(FLOATS[::-1].copy())),
    "logical_xor-int-bool": lambda m: m.logical_xor(m.tensor(INTS), m.tensor(BOOLS)),
    "logical_not-float": lambda m: m.logical_not(m.tensor(FLOATS)),
    "logical_not-int": lambda m: m.tensor(INTS).logical_not(),
    "nonzero": lambda m: m.nonzero(m.tensor(INTS)),
    "nonzero-1d": lambda m: m.tensor(OTHER).nonzero(),
    "argwhere": lambda m: m.argwhere(m.tensor(FLOATS)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name: str) -> None:
    mine, theirs = CASES[name](cr), CASES[name](torch)
    assert str(mine.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1], name
    assert tuple(mine.shape) == tuple(theirs.shape)
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_nonzero_as_tuple_and_one_argument_where_match_pytorch() -> None:
    for condition in (INTS, FLOATS > 0, OTHER):
        for make in (lambda m, c=condition: m.where(m.tensor(c)),
                     lambda m, c=condition: m.nonzero(m.tensor(c), as_tuple=True)):
            mine, theirs = make(cr), make(torch)
            assert isinstance(mine, tuple) and len(mine) == len(theirs)
            for a, b in zip(mine, theirs):
                assert a.dtype == cr.int64
                np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_in_place_forms_match_pytorch_and_bump_the_version() -> None:
    for name, other in (("bitwise_and_", 6), ("bitwise_or_", OTHER), ("bitwise_xor_", 3),
                        ("bitwise_left_shift_", 1), ("bitwise_right_shift_", 1)):
        mine, theirs = cr.tensor(INTS), torch.tensor(INTS)
        before = current(mine)
        assert getattr(mine, name)(cr.tensor(other) if isinstance(other, np.ndarray)
                                   else other) is mine
        getattr(theirs, name)(torch.tensor(other) if isinstance(other, np.ndarray) else other)
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())
        assert current(mine) == before + 1
    mine, theirs = cr.tensor(INTS), torch.tensor(INTS)
    mine &= 5
    theirs &= 5
    mine ^= cr.tensor(OTHER)
    theirs ^= torch.tensor(OTHER)
    mine.bitwise_not_()
    theirs.bitwise_not_()
    np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


@pytest.mark.parametrize("make", [
    lambda m: m.tensor(FLOATS) & 1,
    lambda m: m.bitwise_or(m.tensor(INTS), m.tensor(FLOATS)),
    lambda m: m.tensor(FLOATS) << 1,
], ids=["and-float", "or-int-float", "lshift-float"])
def test_float_operands_are_refused_as_pytorch_refuses_them(make: Any) -> None:
    with pytest.raises(NotImplementedError) as expected:
        make(torch)
    with pytest.raises(NotImplementedError, match="expected integer or bool"):
        make(cr)
    assert isinstance(expected.value, RuntimeError)


def test_inverting_a_float_tensor_is_a_type_error_naming_logical_not() -> None:
    with pytest.raises(TypeError):
        ~torch.tensor(FLOATS)
    with pytest.raises(TypeError, match="logical_not"):
        ~cr.tensor(FLOATS)


def test_where_with_only_one_branch_is_refused() -> None:
    with pytest.raises(TypeError, match=r"where\(condition\)"):
        cr.where(cr.tensor(BOOLS), cr.tensor(FLOATS))
