"""nn.Module: registration, names, modes, state dicts, dtype moves, containers."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(2, 4), nn.Tanh())
        self.blocks = nn.ModuleList([nn.Linear(4, 4), nn.Linear(4, 4)])
        self.head = nn.Linear(4, 3, bias=False)
        self.scale = nn.Parameter(cr.ones(1))
        self.register_buffer("steps", cr.zeros(1, dtype=cr.int64))
        self.plain_list = [nn.Linear(1, 1)]  # not registered, as in PyTorch

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        h = self.encoder(x)
        for block in self.blocks:
            h = block(h).relu()
        return self.head(h) * self.scale


def test_named_parameters_follow_registration_order_with_dotted_names() -> None:
    names = [name for name, _ in Net().named_parameters()]
    assert names == ["scale", "encoder.0.weight", "encoder.0.bias", "blocks.0.weight",
                     "blocks.0.bias", "blocks.1.weight", "blocks.1.bias", "head.weight"]


def test_children_modules_and_buffers() -> None:
    net = Net()
    assert [type(c).__name__ for c in net.children()] == ["Sequential", "ModuleList", "Linear"]
    assert len(list(net.modules())) == 8
    assert [name for name, _ in net.named_buffers()] == ["steps"]
    assert "steps" in net.state_dict() and "scale" in net.state_dict()


def test_shared_parameter_is_listed_once() -> None:
    layer = nn.Linear(2, 2)
    twin = nn.Sequential(layer, layer)
    assert len(list(twin.parameters())) == 2


def test_train_eval_and_dropout() -> None:
    net = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5))
    assert net.training and net[1].training
    net.eval()
    assert not net.training and not net[1].training
    x = cr.ones(4, 3)
    assert cr.equal(net(x), net(x))  # dropout is off in eval mode
    net.train()
    cr.manual_seed(0)
    a = net(x)
    cr.manual_seed(0)
    assert cr.equal(a, net(x))  # seeded: reproducible masks


def test_zero_grad() -> None:
    net = Net()
    net(cr.randn(5, 2)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip_and_strictness() -> None:
    source, target = Net(), Net()
    target.load_state_dict(source.state_dict())
    for (name, a), (_, b) in zip(source.state_dict().items(), target.state_dict().items()):
        assert cr.equal(a, b), name
    state = source.state_dict()
    del state["head.weight"]
    state["extra"] = cr.ones(1)
    with pytest.raises(RuntimeError, match=r'(?s)Missing key\(s\).*"head.weight".*'
                       r'Unexpected key\(s\).*"extra"'):
        target.load_state_dict(state)
    result = target.load_state_dict(state, strict=False)
    assert result.missing_keys == ["head.weight"] and result.unexpected_keys == ["extra"]
    bad = source.state_dict()
    bad["head.weight"] = cr.ones(2, 2)
    with pytest.raises(RuntimeError, match=r"head.weight.*\(2, 2\).*\(3, 4\)"):
        target.load_state_dict(bad)


def test_load_state_dict_keeps_parameter_identity() -> None:
    net = nn.Linear(2, 2)
    weight = net.weight
    net.load_state_dict({"weight": cr.zeros(2, 2), "bias": cr.zeros(2)})
    assert net.weight is weight and float(weight.abs().sum()) == 0


def test_to_changes_dtype_in_place_and_keeps_identity() -> None:
    net = Net()
    weight = net.head.weight
    net.double()
    assert net.head.weight is weight and weight.dtype == cr.float64
    assert net.steps.dtype == cr.int64  # only floating-point tensors change dtype
    out = net(cr.randn(2, 2, dtype=cr.float64))
    assert out.dtype == cr.float64
    net.to(cr.float32)
    assert weight.dtype == cr.float32


def test_assignment_errors_and_repr() -> None:
    net = nn.Linear(2, 3)
    with pytest.raises(TypeError, match="parameter 'weight'"):
        net.weight = cr.ones(3, 2)  # a plain tensor is not a Parameter
    assert repr(net) == "Linear(in_features=2, out_features=3, bias=True)"
    text = repr(nn.Sequential(nn.Linear(2, 3), nn.ReLU()))
    assert text == ("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n"
                    "  (1): ReLU()\n)")

    class Forgetful(nn.Module):
        def __init__(self) -> None:
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgetful()


def test_linear_default_init_is_pytorchs() -> None:
    cr.manual_seed(0)
    layer = nn.Linear(400, 50)
    bound = 1 / np.sqrt(400)
    w = layer.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.95 * bound
    assert abs(w.std() - bound / np.sqrt(3)) < 0.05 * bound  # uniform(−b, b) has std b/√3


def test_deepcopy_makes_independent_parameters() -> None:
    net = nn.Linear(2, 2)
    clone = copy.deepcopy(net)
    with cr.no_grad():
        clone.weight += 1
    assert not cr.equal(net.weight, clone.weight)
    assert isinstance(clone.weight, nn.Parameter)


def test_embedding_padding_and_errors() -> None:
    table = nn.Embedding(5, 3, padding_idx=0)
    assert table.weight[0].tolist() == [0, 0, 0]
    ids = cr.tensor([[0, 1, 1], [4, 0, 2]])
    table(ids).sum().backward()
    assert table.weight.grad[0].tolist() == [0, 0, 0]
    assert table.weight.grad[1].tolist() == [2, 2, 2]
    with pytest.raises(IndexError, match=r"ids must lie in \[0, 5\)"):
        table(cr.tensor([5]))
    with pytest.raises(TypeError, match="integer tensor"):
        table(cr.tensor([1.0]))


@pytest.mark.parametrize("make", [lambda p: cr.optim.SGD(p, lr=0.5),
                                  lambda p: cr.optim.Adagrad(p, lr=0.3),
                                  lambda p: cr.optim.SGD(p, lr=0.5, momentum=0.9),
                                  lambda p: cr.optim.Adam(p, lr=0.1)])
def test_sparse_embedding_updates_equal_dense_ones(make) -> None:  # noqa: ANN001
    results = []
    for sparse in (False, True):
        cr.manual_seed(0)
        table = nn.Embedding(50, 4, sparse=sparse)
        head = nn.Linear(8, 3)
        optimiser = make(list(table.parameters()) + list(head.parameters()))
        for step in range(5):
            ids = cr.tensor([[step, 7], [7, 49], [3, step + 10]])
            loss = cr.nn.functional.cross_entropy(head(table(ids).flatten(1)),
                                                  cr.tensor([0, 2, 1]))
            optimiser.zero_grad()
            loss.backward()
            if sparse and step == 0:  # PyTorch's: the rows as looked up, not coalesced
                assert table.weight.grad.rows.tolist() == [0, 7, 7, 49, 3, 10]
                assert not table.weight.grad.coalesced
            optimiser.step()
        results.append(table.weight.detach().numpy().copy())
    assert np.allclose(results[0], results[1], rtol=1e-6, atol=1e-7)


def test_sparse_embedding_gradient_is_a_value_of_touched_rows() -> None:
    """The sparse gradient holds only the rows a batch touched (no table-sized array); a
    gradient someone kept is never changed by a later backward, and gradients of two
    backwards accumulate. Nothing is written on the parameter."""
    cr.manual_seed(0)
    table = nn.Embedding(30, 3, sparse=True)

    def dense_gradient(ids: list[int]) -> np.ndarray:
        expected = np.zeros((30, 3), np.float32)
        np.add.at(expected, ids, 2.0)
        return expected

    table(cr.tensor([1, 2, 2])).mul(2).sum().backward()
    kept = table.weight.grad
    assert isinstance(kept, cr.engine.SparseRows) and kept.rows.tolist() == [1, 2, 2]
    assert kept.copy().coalesce().rows.tolist() == [1, 2]
    table.weight.grad = None
    table(cr.tensor([5, 6])).mul(2).sum().backward()
    assert np.array_equal(kept.to_dense(), dense_gradient([1, 2, 2]))
    assert np.array_equal(table.weight.grad.to_dense(), dense_gradient([5, 6]))

    table.weight.grad = None
    table(cr.tensor([7, 1])).mul(2).sum().backward()
    table(cr.tensor([7, 3])).mul(2).sum().backward()  # accumulates into the same .grad
    assert np.array_equal(table.weight.grad.to_dense(), dense_gradient([7, 1, 7, 3]))
    assert table.weight.grad.coalesce().rows.tolist() == [1, 3, 7]
    assert not hasattr(table.weight, "__dict__")  # no side channel on the parameter


@pytest.mark.parametrize("sparse", [False, True])
def test_an_embedding_gradient_keeps_its_rows_when_the_ids_buffer_is_reused(
        sparse: bool) -> None:
    """Two micro-batches through one ids tensor filled in place, gradients accumulated:
    the held rows are the gradient's own, not views of the ids or of the upstream."""
    table = nn.Embedding(6, 2, sparse=sparse)
    ids = cr.zeros(3, dtype=cr.int64)
    seed = cr.ones(3, 2, dtype=table.weight.dtype)
    for batch in ([0, 1, 1], [4, 4, 5]):
        ids.copy_(cr.tensor(batch))
        table(ids).backward(seed)
    seed.mul_(100)
    grad = table.weight._grad
    dense = grad.to_dense() if isinstance(grad, cr.engine.SparseRows) else grad.numpy()
    assert dense[:, 0].tolist() == [1.0, 2.0, 0.0, 0.0, 2.0, 1.0]


def test_to_casts_a_held_sparse_gradient_too() -> None:
    """Module.to / .double() with an Embedding(sparse=True) gradient held (rows and values):
    the values take the new dtype, as PyTorch casts a sparse gradient, and nothing crashes."""
    layer = cr.nn.Embedding(10, 3, sparse=True)
    layer(cr.tensor([1, 2, 2])).sum().backward()
    layer.double()
    grad = layer.weight.grad
    assert layer.weight.dtype == cr.float64
    assert grad.values.dtype == np.float64 and grad.rows.dtype == np.int64
    dense = np.zeros((10, 3))
    np.add.at(dense, grad.rows, grad.values)
    np.testing.assert_array_equal(dense[[1, 2]], [[1.0] * 3, [2.0] * 3])
