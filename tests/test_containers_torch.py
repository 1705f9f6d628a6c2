"""ModuleDict, ParameterList, ParameterDict and the Sequential / ModuleList list operations
against PyTorch: the same programs, the same names, reprs, state_dict keys, errors, and a
torch state_dict loaded into a chainrule model built from these containers."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need "
                            "it (pip install torch==2.13.0); chainrule does not depend on it")

LIBS = [torch, cr]


def _same_repr(program: Any) -> None:
    want = repr(program(torch)).replace("torch.", "")
    got = repr(program(cr)).replace("chainrule.", "")
    assert got == want


def _outcome(program: Any, lib: Any) -> Any:
    try:
        return program(lib)
    except Exception as error:  # noqa: BLE001 - compared across libraries
        return type(error)


def _same_outcome(program: Any) -> None:
    want, got = _outcome(program, torch), _outcome(program, cr)
    if isinstance(want, type):
        assert got is want, f"chainrule gave {got!r}, torch raised {want.__name__}"
    else:
        assert got == want


# ---------------------------------------------------------------------- ModuleDict
def _module_dict(lib: Any) -> Any:
    return lib.nn.ModuleDict({"b": lib.nn.Linear(2, 3), "a": lib.nn.ReLU()})


def test_module_dict_names_order_and_repr() -> None:
    _same_repr(_module_dict)
    _same_outcome(lambda lib: list(_module_dict(lib).state_dict()))
    _same_outcome(lambda lib: [n for n, _ in lib.nn.Sequential(OrderedDict(
        [("enc", _module_dict(lib))])).named_parameters()])
    _same_repr(lambda lib: lib.nn.ModuleDict())


def _dict_operations(lib: Any) -> Any:
    d = _module_dict(lib)
    d["c"] = lib.nn.Tanh()
    d.update([("d", lib.nn.Sigmoid()), ("b", lib.nn.Linear(3, 1))])
    d.update(lib.nn.ModuleDict({"e": lib.nn.Identity()}))
    log = [list(d.keys()), [type(m).__name__ for m in d.values()], "a" in d, "z" in d, len(d)]
    popped = d.pop("a")
    del d["c"]
    log += [type(popped).__name__, list(d), [k for k, _ in d.items()], list(d.state_dict())]
    d.clear()
    log += [len(d), list(d.state_dict())]
    return log


def test_module_dict_operations() -> None:
    _same_outcome(_dict_operations)


@pytest.mark.parametrize("bad", ["not_module", "missing", "pair_length", "not_iterable",
                                 "method_name", "dotted"])
def test_module_dict_errors(bad: str) -> None:
    def program(lib: Any) -> Any:
        d = lib.nn.ModuleDict()
        if bad == "not_module":
            d["x"] = 3
        elif bad == "missing":
            return d["x"]
        elif bad == "pair_length":
            d.update([("a",)])
        elif bad == "not_iterable":
            d.update(3)
        elif bad == "method_name":
            d["keys"] = lib.nn.ReLU()
        else:
            d["a.b"] = lib.nn.ReLU()
        return None
    _same_outcome(program)


# ---------------------------------------------------------------------- ParameterList / Dict
def _parameter_list(lib: Any) -> Any:
    params = lib.nn.ParameterList([lib.nn.Parameter(lib.zeros(2)), lib.ones(3, 2)])
    params.append(lib.zeros(1, dtype=lib.float64))
    params.extend([lib.ones(4)])
    return params


def test_parameter_list() -> None:
    _same_repr(_parameter_list)
    _same_repr(lambda lib: lib.nn.ParameterList())
    _same_outcome(lambda lib: list(_parameter_list(lib).state_dict()))
    _same_outcome(lambda lib: [(type(p).__name__, p.requires_grad, tuple(p.shape))
                               for p in _parameter_list(lib)])
    _same_outcome(lambda lib: [tuple(p.shape) for p in _parameter_list(lib)[1:3]])
    _same_outcome(lambda lib: tuple(_parameter_list(lib)[-1].shape))
    _same_outcome(lambda lib: _parameter_list(lib)[7])
    _same_outcome(lambda lib: _parameter_list(lib)())
    _same_outcome(lambda lib: len(list(lib.nn.Sequential(OrderedDict(
        [("p", _parameter_list(lib))])).parameters())))


def test_parameter_list_setitem_wraps_tensors() -> None:
    def program(lib: Any) -> Any:
        params = _parameter_list(lib)
        params[0] = lib.ones(5)
        return type(params[0]).__name__, tuple(params[0].shape), list(params.state_dict())
    _same_outcome(program)


def _parameter_dict(lib: Any) -> Any:
    return lib.nn.ParameterDict({"w": lib.zeros(2, 2), "v": lib.nn.Parameter(
        lib.ones(3), requires_grad=False)})


def _parameter_dict_operations(lib: Any) -> Any:
    params = _parameter_dict(lib)
    params["u"] = lib.ones(1)
    params.update([("a", lib.zeros(2)), ("v", lib.ones(2))])
    log = [list(params), list(params.state_dict()), "u" in params, len(params),
           [type(v).__name__ for v in params.values()], params["u"].requires_grad]
    popped = params.pop("w")
    log += [tuple(popped.shape), list(params.keys()), params.get("zz"),
            params.setdefault("s", lib.zeros(3)).requires_grad, list(reversed(params))]
    key, _ = params.popitem()
    log += [key, list(params.copy())]
    params.clear()
    log += [len(params)]
    return log


def test_parameter_dict() -> None:
    _same_repr(_parameter_dict)
    _same_repr(lambda lib: lib.nn.ParameterDict())
    _same_outcome(lambda lib: list(_parameter_dict(lib).state_dict()))
    _same_outcome(_parameter_dict_operations)
    _same_outcome(lambda lib: _parameter_dict(lib)["missing"])
    _same_outcome(lambda lib: _parameter_dict(lib).update(3))
    _same_outcome(lambda lib: _parameter_dict(lib)())


# ---------------------------------------------------------------------- Sequential / ModuleList
def _layers(lib: Any) -> list[Any]:
    return [lib.nn.ReLU(), lib.nn.Tanh(), lib.nn.Sigmoid(), lib.nn.Tanh()]


@pytest.mark.parametrize("operation", ["slice", "negative", "insert", "insert_end", "delete",
                                       "delete_slice", "pop", "add", "iadd", "mul", "setitem",
                                       "extend", "out_of_range", "bad_add"])
@pytest.mark.parametrize("kind", ["Sequential", "ModuleList"])
def test_list_operations(kind: str, operation: str) -> None:
    def program(lib: Any) -> Any:
        container = getattr(lib.nn, kind)
        made = container(*_layers(lib)) if kind == "Sequential" else container(_layers(lib))
        other = container(*_layers(lib)[:2]) if kind == "Sequential" else \
            container(_layers(lib)[:2])
        result: Any = made
        if operation == "slice":
            result = made[1:3]
        elif operation == "negative":
            result = made[-1]
        elif operation == "insert":
            made.insert(1, lib.nn.Identity())
        elif operation == "insert_end":
            made.insert(len(made), lib.nn.Identity())
        elif operation == "delete":
            del made[1]
        elif operation == "delete_slice":
            del made[0:2]
        elif operation == "pop":
            result = (made.pop(2), made)
        elif operation == "add":
            result = made + other
        elif operation == "iadd":
            made += other
        elif operation == "mul":
            if kind == "ModuleList":
                return None
            result = made * 2
        elif operation == "setitem":
            made[-2] = lib.nn.Identity()
        elif operation == "extend":
            made.extend(_layers(lib)[:1])
        elif operation == "out_of_range":
            result = made[9]
        else:
            result = made + [lib.nn.ReLU()] if kind == "Sequential" else made + 3
        return repr(result).replace("torch.", "").replace("chainrule.", "")
    _same_outcome(program)


@pytest.mark.parametrize("kind", ["Sequential", "ModuleList"])
def test_inserting_a_non_module_is_a_type_error(kind: str) -> None:
    # torch raises AssertionError (Sequential) or accepts it (ModuleList): chainrule refuses
    # both with a TypeError naming the entry.
    with pytest.raises(TypeError, match="not an nn.Module"):
        getattr(cr.nn, kind)().insert(0, 3)


def test_module_list_repr_collapses_repeats() -> None:
    _same_repr(lambda lib: lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)]
                                             + [lib.nn.ReLU()]))
    _same_repr(lambda lib: lib.nn.ModuleList())


# ---------------------------------------------------------------------- loading torch weights
class _Model:
    """The same model for both libraries: a ModuleDict of branches, a ModuleList, a
    ParameterList of scales and a ParameterDict of offsets."""

    @staticmethod
    def build(lib: Any) -> Any:
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.branches = nn.ModuleDict({"left": nn.Linear(4, 3),
                                               "right": nn.Sequential(nn.Linear(4, 3),
                                                                      nn.Tanh())})
                self.blocks = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 2)])
                self.scales = nn.ParameterList([lib.ones(3), lib.ones(2)])
                self.offsets = nn.ParameterDict({"out": lib.zeros(2)})

            def forward(self, x: Any) -> Any:
                h = self.branches["left"](x) * self.branches["right"](x)
                h = self.blocks[0](h) * self.scales[0]
                return self.blocks[1](h) * self.scales[1] + self.offsets["out"]

        return Net().double()


def test_torch_state_dict_loads_and_gives_same_outputs() -> None:
    torch.manual_seed(0)
    reference = _Model.build(torch)
    with torch.no_grad():
        for parameter in reference.parameters():
            parameter.add_(torch.randn_like(parameter) * 0.1)
    model = _Model.build(cr)
    state = {key: value.numpy() for key, value in reference.state_dict().items()}
    assert list(model.state_dict()) == list(state)
    model.load_state_dict({key: cr.tensor(value) for key, value in state.items()})
    x = np.random.default_rng(1).normal(size=(5, 4))
    xt, xc = torch.tensor(x, requires_grad=True), cr.tensor(x, requires_grad=True)
    want, got = reference(xt), model(xc)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-12)
    want.pow(2).sum().backward()
    got.pow(2).sum().backward()
    np.testing.assert_allclose(xc.grad.numpy(), xt.grad.numpy(), rtol=1e-10)
    grads = dict(reference.named_parameters())
    for name, parameter in model.named_parameters():
        np.testing.assert_allclose(parameter.grad.numpy(), grads[name].grad.numpy(),
                                   rtol=1e-10, atol=1e-14)
