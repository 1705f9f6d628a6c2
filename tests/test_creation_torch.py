"""Creation, dtypes and devices against PyTorch: legacy constructors, `Tensor(*sizes)`,
`autograd.Variable`, `Size`, the small dtypes end to end, the default dtype and device,
`cuda`/`accelerator` on a machine without a GPU, `inference_mode`, `is_tensor`, `numel`."""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")


def _dtype_name(dtype: Any) -> str:
    return str(dtype).split(".")[-1]


def _same(run: Callable[[Any], Any]) -> Any:
    """`run(torch)` and `run(chainrule)`: the same exception type, or tensors with the same
    dtype, shape and values."""
    try:
        expected = run(torch)
    except Exception as error:  # noqa: BLE001 - the oracle decides which type is right
        with pytest.raises(type(error)):
            run(cr)
        return None
    got = run(cr)
    assert _dtype_name(got.dtype) == _dtype_name(expected.dtype)
    assert tuple(got.shape) == tuple(expected.shape)
    assert np.array_equal(np.asarray(got.tolist()), np.asarray(expected.tolist()))
    return got


# ---------------------------------------------------------------------- legacy constructors
LEGACY = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
          "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]
LEGACY_ARGUMENTS: list[tuple[Any, ...]] = [
    (), (2, 3), (0,), ([1, 2],), ((3, 4),), ([[1.7, -2.0], [0.0, 3.0]],), ([True, False],),
    (np.array([1, 2]),), (-1,), ([1, 2], [3]), (2.5, 3)]


@pytest.mark.parametrize(("name", "args"), list(itertools.product(LEGACY, LEGACY_ARGUMENTS)),
                         ids=[f"{n}{a!r}" for n, a in itertools.product(LEGACY, LEGACY_ARGUMENTS)])
def test_legacy_constructors_match_pytorch(name: str, args: tuple[Any, ...]) -> None:
    if name == "ByteTensor" and args and isinstance(args[0], list) and args[0] == [[1.7, -2.0],
                                                                                  [0.0, 3.0]]:
        pytest.skip("casting -2.0 to uint8 is undefined behaviour in both libraries")

    def run(lib: Any) -> Any:
        made = getattr(lib, name)(*args)
        if args and all(isinstance(a, int) for a in args) or not args:
            made = made.zero_()  # the sizes form's memory is unspecified in PyTorch
        return made

    _same(run)


def test_legacy_types_answer_isinstance_as_pytorch() -> None:
    for name, dtype in (("FloatTensor", "float32"), ("LongTensor", "int64"),
                        ("BoolTensor", "bool"), ("DoubleTensor", "float64")):
        for other in ("float32", "int64", "bool", "float64"):
            theirs = isinstance(torch.zeros(1, dtype=getattr(torch, other)),
                                getattr(torch, name))
            ours = isinstance(cr.zeros(1, dtype=getattr(cr, other)), getattr(cr, name))
            assert ours == theirs == (dtype == other)


TENSOR_ARGUMENTS: list[tuple[Any, ...]] = [
    (), (2, 3), ((2, 3),), ([1, 2],), ([[1, 2], [3, 4]],), (np.array([1, 2]),),
    (np.array([1.5], dtype=np.float64),), (-1,), ([1, 2], [3]), (2.5, 3)]


@pytest.mark.parametrize("args", TENSOR_ARGUMENTS, ids=[repr(a) for a in TENSOR_ARGUMENTS])
def test_tensor_constructor_matches_pytorch(args: tuple[Any, ...]) -> None:
    def run(lib: Any) -> Any:
        made = lib.Tensor(*args)
        return made.zero_() if args and all(isinstance(a, int) for a in args) else made

    _same(run)


def test_tensor_constructor_from_a_size_and_from_a_tensor() -> None:
    assert cr.Tensor(cr.Size([2, 3])).shape == torch.Tensor(torch.Size([2, 3])).shape
    ints = cr.tensor([1, 2])
    alias = cr.Tensor(ints)
    assert alias.dtype == cr.int64 and alias.tolist() == [1, 2]  # as torch.Tensor(int tensor)
    assert _dtype_name(torch.Tensor(torch.tensor([1, 2])).dtype) == "int64"


def test_tensor_constructor_keeps_the_internal_keywords() -> None:
    made = cr.Tensor([1.0, 2.0], requires_grad=True, dtype="float64")
    assert made.requires_grad and made.dtype == cr.float64
    assert cr.Tensor(2.5, dtype="float64").item() == 2.5  # unlike PyTorch: a number is data


def test_variable_returns_a_tensor() -> None:
    data = cr.ones(2)
    assert cr.autograd.Variable(data) is data
    made = cr.autograd.Variable(data, requires_grad=True)
    theirs = torch.autograd.Variable(torch.ones(2), requires_grad=True)
    assert repr(made) == repr(theirs) and made.is_leaf and not data.requires_grad
    assert isinstance(made, cr.autograd.Variable) and isinstance(made, cr.Tensor)
    with pytest.raises(TypeError, match="has to be a tensor"):
        cr.autograd.Variable([1.0, 2.0])


# ---------------------------------------------------------------------- Size
def test_size_is_a_tuple_as_pytorch() -> None:
    ours, theirs = cr.zeros(2, 3, 4).shape, torch.zeros(2, 3, 4).shape
    assert isinstance(ours, cr.Size) and isinstance(ours, tuple)
    assert ours == theirs == (2, 3, 4) and ours.numel() == theirs.numel() == 24
    assert cr.zeros(2, 3).size() == cr.Size([2, 3]) and isinstance(cr.zeros(2, 3).size(), cr.Size)
    assert cr.zeros(2, 3).size(1) == 3 and type(cr.zeros(2, 3).size(1)) is int
    assert cr.zeros(2, 3).size(-1) == torch.zeros(2, 3).size(-1)
    for result, expected in ((ours[1:], theirs[1:]), (ours + (5,), theirs + (5,)),
                             ((1,) + ours, (1,) + theirs), (ours * 2, theirs * 2)):
        assert type(result) is cr.Size and tuple(result) == tuple(expected)
        assert type(expected) is torch.Size
    assert ours[0] == 2 and type(ours[0]) is int
    assert cr.Size([]).numel() == torch.Size([]).numel() == 1
    assert pickle.loads(pickle.dumps(ours)) == ours
    with pytest.raises(TypeError):
        cr.Size([2.5])
    with pytest.raises(TypeError):
        torch.Size([2.5])


# ---------------------------------------------------------------------- small dtypes
SMALL = ["float16", "int8", "int16", "int32", "uint8"]


@pytest.mark.parametrize("name", SMALL)
def test_small_dtypes_end_to_end(name: str) -> None:
    calls: list[Callable[[Any], Any]] = [
        lambda lib: lib.tensor([1, 2, 3], dtype=getattr(lib, name)),
        lambda lib: lib.zeros(2, 3, dtype=getattr(lib, name)),
        lambda lib: lib.ones(2, dtype=getattr(lib, name)),
        lambda lib: lib.full((2,), 7, dtype=getattr(lib, name)),
        lambda lib: lib.arange(5, dtype=getattr(lib, name)),
        lambda lib: lib.tensor([1.0, 2.0]).to(getattr(lib, name)),
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)).to(lib.float32),
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)).to("cpu", getattr(lib, name)),
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)).double(),
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)).long(),
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)).half(),
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)) + 2,
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)) * 2.5,
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)) / 2,
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)) + lib.tensor([1, 2]),
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)) + lib.tensor([0.5, 1.0]),
        lambda lib: lib.tensor([1, 2], dtype=getattr(lib, name)).sum(),
        lambda lib: lib.zeros_like(lib.tensor([1, 2], dtype=getattr(lib, name))),
        lambda lib: lib.randint(0, 5, (3,), dtype=getattr(lib, name)).zero_(),
    ]
    for call in calls:
        got = _same(call)
        if got is not None:
            assert repr(got) == repr(call(torch)).replace("torch.", "chainrule.")
    for other in SMALL + ["float32", "float64", "int64", "bool"]:
        _same(lambda lib, other=other: lib.ones(2, dtype=getattr(lib, name))
              * lib.ones(2, dtype=getattr(lib, other)))


def test_float16_gradients_flow() -> None:
    x = cr.tensor([1.0, 2.0], dtype=cr.float16, requires_grad=True)
    (x * x).sum().backward()
    assert x.grad is not None and x.grad.dtype == cr.float16 and x.grad.tolist() == [2.0, 4.0]


# ---------------------------------------------------------------------- defaults
@pytest.fixture
def float64_default() -> Iterator[None]:
    cr.set_default_dtype(cr.float64)
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        cr.set_default_dtype(cr.float32)
        torch.set_default_dtype(torch.float32)


DEFAULT_DTYPE_CALLS: list[Callable[[Any], Any]] = [
    lambda lib: lib.tensor([1.5]), lambda lib: lib.tensor(2.0), lambda lib: lib.tensor([1, 2]),
    lambda lib: lib.zeros(2), lambda lib: lib.ones(2, 2), lambda lib: lib.full((2,), 1.5),
    lambda lib: lib.arange(0, 1, 0.5), lambda lib: lib.linspace(0, 1, 3),
    lambda lib: lib.eye(2), lambda lib: lib.rand(2).zero_(), lambda lib: lib.randn(2).zero_(),
    lambda lib: lib.tensor([1, 2]) / 2, lambda lib: lib.tensor([1, 2]) * 1.5,
    lambda lib: lib.tensor([1.5], dtype=lib.float32), lambda lib: lib.Tensor([1, 2]),
    lambda lib: lib.tensor([1, 2]).exp(),
]


@pytest.mark.parametrize("index", range(len(DEFAULT_DTYPE_CALLS)))
def test_set_default_dtype_as_pytorch(index: int, float64_default: None) -> None:
    assert cr.get_default_dtype() == cr.float64
    assert _dtype_name(torch.get_default_dtype()) == "float64"
    got = _same(DEFAULT_DTYPE_CALLS[index])
    assert repr(got) == repr(DEFAULT_DTYPE_CALLS[index](torch)).replace("torch.", "chainrule.")


def test_set_default_dtype_refuses_integers_as_pytorch() -> None:
    with pytest.raises(TypeError, match="only floating-point types"):
        cr.set_default_dtype(cr.int64)
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
    assert cr.get_default_dtype() == cr.float32


def test_default_device_as_pytorch_without_a_gpu() -> None:
    assert str(cr.get_default_device()) == str(torch.get_default_device()) == "cpu"
    cr.set_default_device("cpu")
    cr.set_default_device(None)
    assert cr.get_default_device() == cr.device("cpu") and cr.zeros(1).device.type == "cpu"
    if cr.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(RuntimeError, match="CuPy"):
        cr.set_default_device("cuda")
    assert cr.get_default_device() == "cpu"


def test_device_objects() -> None:
    assert repr(cr.device("cpu")) == repr(torch.device("cpu"))
    assert repr(cr.device("cuda:1")) == repr(torch.device("cuda:1"))
    assert cr.zeros(1).device == cr.device("cpu") == "cpu"


def test_cuda_and_accelerator_answer_as_pytorch_without_a_gpu() -> None:
    if torch.cuda.is_available() or cr.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert cr.cuda.is_available() is torch.cuda.is_available() is False
    assert cr.cuda.device_count() == torch.cuda.device_count() == 0
    assert cr.accelerator.is_available() is torch.accelerator.is_available() is False
    assert cr.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert cr.accelerator.device_count() == torch.accelerator.device_count() == 0
    cr.cuda.manual_seed(1)
    cr.cuda.manual_seed_all(1)
    cr.cuda.synchronize()
    with pytest.raises(RuntimeError, match="no GPU"):
        cr.cuda.current_device()


# ---------------------------------------------------------------------- grad mode, helpers
def test_inference_mode_as_context_and_decorator() -> None:
    x = cr.ones(2, requires_grad=True)
    assert not cr.is_inference_mode_enabled()
    with cr.inference_mode():
        assert cr.is_inference_mode_enabled() and not cr.is_grad_enabled()
        assert not (x * 2).requires_grad
        with cr.inference_mode(False):
            assert not cr.is_inference_mode_enabled()
    assert cr.is_grad_enabled() and (x * 2).requires_grad

    @cr.inference_mode()
    def called(value: Any) -> Any:
        return value * 2

    @cr.inference_mode
    def bare(value: Any) -> Any:
        return value * 2

    assert not called(x).requires_grad and not bare(x).requires_grad
    assert cr.is_grad_enabled() and not cr.is_inference_mode_enabled()
    with torch.inference_mode():
        assert not (torch.ones(2, requires_grad=True) * 2).requires_grad


def test_is_tensor_and_numel_as_pytorch() -> None:
    for lib in (torch, cr):
        assert lib.is_tensor(lib.ones(1)) and not lib.is_tensor([1.0])
        assert lib.is_tensor(lib.nn.Parameter(lib.ones(1)))
        assert lib.numel(lib.ones(2, 3)) == 6


# ---------------------------------------------------------------------- from existing tensors
FROM_EXISTING: dict[str, Callable[[Any], Any]] = {
    "new_tensor": lambda lib: lib.zeros(2, dtype=lib.int32).new_tensor([1.5, 2.0]),
    "new_tensor dtype": lambda lib: lib.zeros(2).new_tensor([1, 2], dtype=lib.float64),
    "new_tensor from tensor": lambda lib: lib.zeros(2).new_tensor(lib.tensor([1, 2])),
    "new_tensor bad data": lambda lib: lib.zeros(2).new_tensor([1.0, None]),
    "new_zeros": lambda lib: lib.zeros(2, dtype=lib.int32).new_zeros(2, 3),
    "new_zeros tuple": lambda lib: lib.zeros(2).new_zeros((2, 3)),
    "new_zeros negative": lambda lib: lib.zeros(2).new_zeros(-1),
    "new_ones dtype": lambda lib: lib.zeros(2).new_ones(2, dtype=lib.float64),
    "new_full": lambda lib: lib.zeros(2, dtype=lib.int32).new_full((2,), 3.7),
    "new_full float": lambda lib: lib.zeros(2, dtype=lib.float64).new_full((1, 2), 0.5),
    "new_empty": lambda lib: lib.zeros(2).new_empty(0, 3),
    "zeros_like device": lambda lib: lib.zeros_like(lib.ones(2), device="cpu"),
    "ones_like dtype": lambda lib: lib.ones_like(lib.ones(2), dtype=lib.int8),
    "full_like int": lambda lib: lib.full_like(lib.ones(2, dtype=lib.int64), 2.5),
    "empty_like shape": lambda lib: lib.empty_like(lib.ones(2, 3)).zero_(),
    "asarray list": lambda lib: lib.asarray([1, 2.5]),
    "asarray ints": lambda lib: lib.asarray([[1, 2]]),
    "asarray numpy": lambda lib: lib.asarray(np.array([1.0, 2.0])),
    "asarray dtype": lambda lib: lib.asarray([1, 2], dtype=lib.float16),
    "scalar_tensor": lambda lib: lib.scalar_tensor(3),
    "scalar_tensor dtype": lambda lib: lib.scalar_tensor(2.5, dtype=lib.float64),
    "logspace": lambda lib: lib.logspace(0, 2, 3),
    "logspace base": lambda lib: lib.logspace(0, 3, 4, base=2),
    "logspace float64": lambda lib: lib.logspace(-1, 1, 5, dtype=lib.float64),
}


@pytest.mark.filterwarnings("ignore:To copy construct from a tensor")  # PyTorch's advice
@pytest.mark.parametrize("name", list(FROM_EXISTING))
def test_creation_from_existing_matches_pytorch(name: str) -> None:
    _same(FROM_EXISTING[name])


def test_new_methods_never_require_grad_unless_asked() -> None:
    x = cr.zeros(2, requires_grad=True)
    assert not x.new_tensor([1.0]).requires_grad and not x.new_zeros(2).requires_grad
    assert x.new_ones(2, requires_grad=True).requires_grad


def test_asarray_shares_memory_as_pytorch() -> None:
    source = np.ones(2)
    ours, theirs = cr.asarray(source), torch.asarray(source)
    source[0] = 5
    assert ours.tolist() == theirs.tolist() == [5.0, 1.0]
    copied = cr.asarray(source, copy=True)
    source[1] = 7
    assert copied.tolist() == [5.0, 1.0]
    tensor = cr.ones(2)
    assert cr.asarray(tensor) is tensor


# ---------------------------------------------------------------------- dtype questions
ALL = ["float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"]


def test_promote_types_and_can_cast_match_pytorch() -> None:
    for first, second in itertools.product(ALL, ALL):
        ours = cr.promote_types(getattr(cr, first), getattr(cr, second))
        theirs = torch.promote_types(getattr(torch, first), getattr(torch, second))
        assert _dtype_name(ours) == _dtype_name(theirs), (first, second)
        assert cr.can_cast(getattr(cr, first), getattr(cr, second)) == \
            torch.can_cast(getattr(torch, first), getattr(torch, second)), (first, second)


def test_result_type_matches_pytorch() -> None:
    def operands(lib: Any) -> list[Any]:
        made = [2, 2.5, True]
        for name in ALL:
            made += [lib.ones(2, dtype=getattr(lib, name)),
                     lib.ones((), dtype=getattr(lib, name))]
        return made

    for ours, theirs in zip(itertools.product(operands(cr), repeat=2),
                            itertools.product(operands(torch), repeat=2)):
        if not any(isinstance(o, cr.Tensor) for o in ours):
            continue
        assert _dtype_name(cr.result_type(*ours)) == \
            _dtype_name(torch.result_type(*theirs)), theirs


def test_finfo_and_iinfo_match_pytorch() -> None:
    for name in ("float16", "float32", "float64"):
        ours, theirs = cr.finfo(getattr(cr, name)), torch.finfo(getattr(torch, name))
        for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution",
                      "dtype"):
            assert getattr(ours, field) == getattr(theirs, field), (name, field)
        assert repr(ours) == repr(theirs)
    assert cr.finfo().dtype == torch.finfo().dtype == "float32"
    for name in ("int8", "uint8", "int16", "int32", "int64"):
        ours, theirs = cr.iinfo(getattr(cr, name)), torch.iinfo(getattr(torch, name))
        assert (ours.bits, ours.min, ours.max, ours.dtype) == \
            (theirs.bits, theirs.min, theirs.max, theirs.dtype)
        assert repr(ours) == repr(theirs)
    for lib in (cr, torch):
        with pytest.raises(TypeError):
            lib.iinfo(lib.float32)
        with pytest.raises(TypeError):
            lib.finfo(lib.int32)


def test_type_answers_and_converts_with_legacy_names_as_pytorch() -> None:
    for name in ALL:
        ours = cr.zeros(1, dtype=getattr(cr, name)).type()
        theirs = torch.zeros(1, dtype=getattr(torch, name)).type()
        assert ours == theirs.replace("torch.", "chainrule."), name
    for lib in (torch, cr):
        x = lib.ones(2)
        assert _dtype_name(x.type(lib.DoubleTensor).dtype) == "float64"
        assert _dtype_name(x.type("torch.IntTensor").dtype) == "int32"
        assert _dtype_name(x.type(lib.float16).dtype) == "float16"
    assert cr.ones(1).type("chainrule.LongTensor").dtype == cr.int64
    with pytest.raises(TypeError, match="unknown dtype"):
        cr.ones(1).type("torch.NoSuchTensor")
