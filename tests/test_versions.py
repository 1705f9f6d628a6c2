"""Version counters: an in-place change of anything backward needs raises PyTorch's error
instead of giving a silently wrong gradient (issue #11's scenarios and their relatives)."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.engine import version

MODIFIED = "modified by an inplace operation"


def test_an_optimiser_step_between_two_backwards_is_seen() -> None:
    w = cr.tensor([2.0, 3.0], requires_grad=True)
    x = cr.tensor([1.0, 1.0], requires_grad=True)
    loss = (w * x).sum()
    optimiser = cr.optim.SGD([w], lr=1.0)
    loss.backward(retain_graph=True)
    optimiser.step()
    x.grad = None
    with pytest.raises(RuntimeError, match=rf"{MODIFIED}: its input 0 \(a float32 tensor of "
                                           r"shape \(2,\)\) of gate 'mul' is at version 1; "
                                           "expected version 0"):
        loss.backward()


@pytest.mark.parametrize("change", [
    lambda x: x.mul_(2),
    lambda x: x.__setitem__(0, 5.0),
    lambda x: x.__iadd__(1.0),
    lambda x: x.add_(1.0, alpha=2),
    lambda x: x.zero_(),
    lambda x: x.fill_(3.0),
    lambda x: x.copy_(cr.ones(2)),
    lambda x: x.exp_(),
    lambda x: x.detach().mul_(0),
    lambda x: x.data.mul_(0),  # unlike PyTorch, .data shares the counter too (issue #11)
    lambda x: x.view(2, 1).mul_(3),
    lambda x: x[:1].mul_(3),
    lambda x: cr.nn.init.zeros_(x),
], ids=["mul_", "setitem", "iadd", "add_", "zero_", "fill_", "copy_", "exp_", "detach",
        "data", "view", "slice", "init"])
def test_every_in_place_path_on_a_saved_operand_is_seen(change) -> None:  # noqa: ANN001
    w = cr.tensor([2.0, 3.0], requires_grad=True)
    x = cr.tensor([1.0, 1.0])
    loss = (w * x).sum()
    change(x)
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_a_saved_output_changed_through_detach_is_seen() -> None:
    w = cr.tensor([2.0, 3.0], requires_grad=True)
    y = w.exp()  # exp saves its output
    loss = y.sum()
    y.detach().mul_(0)
    with pytest.raises(RuntimeError, match=rf"{MODIFIED}: its output of gate 'exp'"):
        loss.backward()


def test_changes_to_what_no_gate_saved_are_fine_as_in_pytorch() -> None:
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    b = cr.tensor([1.0, 2.0])
    y = (x + b).sum()  # add saves nothing
    b.mul_(10)
    y.backward()
    assert x.grad.tolist() == [1.0, 1.0]
    c = cr.tensor([0.5, 1.5])
    z = (x * c.exp()).sum()  # exp of c saves exp's output, not c
    expected = np.exp([0.5, 1.5])
    c.mul_(0)
    x.grad = None
    z.backward()
    assert np.allclose(x.grad.numpy(), expected)


def test_training_loops_that_change_parameters_after_backward_still_run() -> None:
    cr.manual_seed(0)
    model = cr.nn.Linear(3, 2)
    optimiser = cr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    before = version.current(model.weight)  # nn.init already changed it once
    for _ in range(3):
        optimiser.zero_grad()
        model(cr.randn(4, 3)).pow(2).sum().backward()
        optimiser.step()
    assert version.current(model.weight) == before + 3


def test_embedding_ids_changed_before_backward_are_seen() -> None:
    table = cr.nn.Embedding(5, 2)
    ids = cr.tensor([1, 2])
    loss = table(ids).sum()
    ids[0] = 4
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_versions_count_every_change_and_are_shared_by_aliases() -> None:
    x = cr.zeros(3)
    alias = x.detach()
    view = x.view(3, 1)
    x.add_(1)
    alias.mul_(2)
    view[0, 0] = 7.0
    assert version.current(x) == version.current(alias) == version.current(view) == 3


def _gates_of(output: cr.Tensor) -> list:
    gates, stack, seen = [], [output.grad_fn], set()
    while stack:
        gate = stack.pop()
        if gate is None or id(gate) in seen:
            continue
        seen.add(id(gate))
        gates.append(gate)
        stack.extend(value.grad_fn for value in gate.inputs if isinstance(value, cr.Tensor))
    return gates


def test_every_gate_says_truly_whether_it_saves_its_output() -> None:
    """`saves_output` decides whether an output gets a version counter: a gate that saves
    its output without saying so would let an in-place change of it go unnoticed."""
    from chainrule.nn import functional as F

    x = cr.randn(4, 5, dtype=cr.float64, requires_grad=True)
    w = cr.randn(3, 5, dtype=cr.float64, requires_grad=True)
    pieces = [x.exp(), (x.abs() + 0.5).log(), x.abs().sqrt(), x.relu(), x.sigmoid(), x.tanh(),
              x.abs() ** 1.5, 2.0 ** x, x * w.sum(), x / 3, x.max(), x.max(1).values,
              x.prod(), x.logsumexp(1), x.softmax(1), x.log_softmax(1), x.clamp(-1, 1),
              cr.maximum(x, x.t().t()), x.sum(0), x.mean(), x[1:, ::2], x.reshape(20),
              F.linear(x, w), F.leaky_relu(x), F.softplus(x), F.hardtanh(x), F.gelu(x),
              F.cross_entropy(x, cr.tensor([0, 1, 2, 3])), F.mse_loss(x, x.detach() + 1),
              F.embedding(cr.tensor([1, 2]), w), x @ w.t()]
    checked = set()
    for piece in pieces:
        for gate in _gates_of(piece):
            if gate.saved_tensors and not gate.tensor_api:
                checked.add(type(gate).__name__)
    for piece in pieces:
        gate = piece.grad_fn
        saved_own_output = any(item is piece._array for item in gate.saved_tensors)
        if type(gate).saves_output:  # a 0-d output is saved as the scalar NumPy returned
            assert saved_own_output or piece.ndim == 0, type(gate).__name__
        else:
            assert not saved_own_output, type(gate).__name__
    assert len(checked) >= 15
