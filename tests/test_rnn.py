"""Recurrent layers on their own (no PyTorch needed): float64 central-difference checks of
small LSTMs and GRUs, dropout between layers, the final states of packed sequences, and the
version counters that guard saved weights."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.autograd import gradcheck, gradgradcheck
from chainrule.nn.recurrence import LayerWeights, gru_step, lstm_step, rnn_step, run_layer
from chainrule.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def _random(*shape: int, seed: int = 0) -> cr.Tensor:
    return cr.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
def test_module_gradcheck_through_input_and_state(kind: str) -> None:
    """Two layers, both directions, packed sequences of three lengths: d(output, h_n)/dx
    and d/dh_0 against central differences."""
    layer = getattr(cr.nn, kind)(2, 3, num_layers=2, bidirectional=True).double()
    x, h0, c0 = _random(4, 3, 2, seed=1), _random(4, 3, 3, seed=2), _random(4, 3, 3, seed=3)

    def run(x: cr.Tensor, h0: cr.Tensor, c0: cr.Tensor) -> tuple[cr.Tensor, ...]:
        packed = pack_padded_sequence(x, [2, 4, 1], enforce_sorted=False)
        output, state = layer(packed, (h0, c0) if kind == "LSTM" else h0)
        padded, _ = pad_packed_sequence(output)
        return (padded, *state) if kind == "LSTM" else (padded, state)

    assert gradcheck(run, (x, h0, c0))


@pytest.mark.parametrize(("step", "gates"), [(lstm_step, 4), (gru_step, 3),
                                              (rnn_step("tanh"), 1), (rnn_step("relu"), 1)])
@pytest.mark.parametrize("reverse", [False, True])
def test_layer_gradcheck_through_every_weight(step: object, gates: int, reverse: bool) -> None:
    hidden, features = 3, 2
    weights = [_random(gates * hidden, features, seed=4), _random(gates * hidden, hidden, seed=5),
               _random(gates * hidden, seed=6), _random(gates * hidden, seed=7)]
    data, h0, c0 = _random(6, features, seed=8), _random(3, hidden, seed=9), \
        _random(3, hidden, seed=10)

    def run(data: cr.Tensor, h0: cr.Tensor, c0: cr.Tensor, *weights: cr.Tensor
            ) -> tuple[cr.Tensor, ...]:
        state = (h0, c0) if gates == 4 else (h0,)
        output, final = run_layer(step, data, [3, 2, 1], state,  # type: ignore[arg-type]
                                  LayerWeights(*weights), reverse)
        return (output, *final)

    assert gradcheck(run, (data, h0, c0, *weights))


@pytest.mark.parametrize("kind", ["LSTMCell", "GRUCell", "RNNCell"])
def test_cells_second_order(kind: str) -> None:
    """Gradients of gradients (as for a gradient penalty) through one step of each cell."""
    cell = getattr(cr.nn, kind)(2, 2).double()
    x, h = _random(2, 2, seed=18), _random(2, 2, seed=19)

    def run(x: cr.Tensor, h: cr.Tensor) -> cr.Tensor:
        output = cell(x, (h, h * 0.5) if kind == "LSTMCell" else h)
        return output[0] + output[1] if kind == "LSTMCell" else output

    assert gradgradcheck(run, (x, h))


def test_projected_lstm_gradcheck() -> None:
    weights = LayerWeights(_random(8, 2, seed=11), _random(8, 1, seed=12), None, None,
                           _random(1, 2, seed=13))

    def run(data: cr.Tensor, weight_hr: cr.Tensor) -> tuple[cr.Tensor, ...]:
        state = (cr.zeros(2, 1, dtype=cr.float64), cr.zeros(2, 2, dtype=cr.float64))
        output, final = run_layer(lstm_step, data, [2, 2], state,
                                  weights._replace(weight_hr=weight_hr), False)
        return (output, *final)

    assert gradcheck(run, (_random(4, 2, seed=14), weights.weight_hr))


def test_a_wrong_gate_order_is_caught() -> None:
    """The oracle tests can fail: an LSTM whose f and i blocks were swapped differs."""
    layer = cr.nn.LSTM(2, 3).double()
    x = cr.tensor(np.random.default_rng(15).standard_normal((3, 1, 2)))
    expected, _ = layer(x)
    with cr.no_grad():
        for name in ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"):
            array = getattr(layer, name).detach().numpy()
            array[[*range(3, 6), *range(0, 3)]] = array[[*range(0, 6)]].copy()
    swapped, _ = layer(x)
    assert not np.allclose(swapped.detach().numpy(), expected.detach().numpy())


def test_dropout_between_layers_only_while_training() -> None:
    cr.manual_seed(0)
    layer = cr.nn.GRU(3, 8, num_layers=2, dropout=0.5).double()
    plain = cr.nn.GRU(3, 8, num_layers=2).double()
    plain.load_state_dict(layer.state_dict())
    x = cr.tensor(np.random.default_rng(16).standard_normal((5, 2, 3)))
    first, second = layer(x)[0].detach().numpy(), layer(x)[0].detach().numpy()
    assert not np.allclose(first, second)  # a new mask each call
    layer.eval()
    evaluated = layer(x)[0].detach().numpy()
    np.testing.assert_allclose(evaluated, layer(x)[0].detach().numpy())
    np.testing.assert_allclose(evaluated, plain(x)[0].detach().numpy())
    single = cr.nn.GRU(3, 8, num_layers=1).double()
    np.testing.assert_allclose(single(x)[0].detach().numpy(), single(x)[0].detach().numpy())


def test_dropout_with_one_layer_warns_as_torch() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cr.nn.LSTM(3, 4, dropout=0.2)
    assert [w.category for w in caught] == [UserWarning]
    assert "num_layers greater than 1" in str(caught[0].message)


def test_packed_final_states_are_each_sequences_last_step() -> None:
    layer = cr.nn.LSTM(2, 3, bidirectional=True).double()
    x = cr.tensor(np.random.default_rng(17).standard_normal((4, 3, 2)))
    lengths = [2, 4, 3]
    output, (h_n, _) = layer(pack_padded_sequence(x, lengths, enforce_sorted=False))
    padded, _ = pad_packed_sequence(output)
    padded_array, h_array = padded.detach().numpy(), h_n.detach().numpy()
    for sequence, length in enumerate(lengths):
        np.testing.assert_allclose(h_array[0, sequence], padded_array[length - 1, sequence, :3])
        np.testing.assert_allclose(h_array[1, sequence], padded_array[0, sequence, 3:])
        assert not padded_array[length:, sequence].any()  # padding stays zero
        alone, (h_alone, _) = layer(x[:length, sequence])  # the same sequence unbatched
        np.testing.assert_allclose(alone.detach().numpy(), padded_array[:length, sequence])
        np.testing.assert_allclose(h_alone.detach().numpy(), h_array[:, sequence])


def test_changing_a_weight_in_place_after_forward_makes_backward_raise() -> None:
    layer = cr.nn.RNN(2, 3)
    output, _ = layer(cr.randn(3, 1, 2))
    with cr.no_grad():
        layer.weight_hh_l0.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        output.sum().backward()


def test_layers_train_and_move_with_their_module() -> None:
    cr.manual_seed(0)
    layer = cr.nn.LSTM(2, 4, batch_first=True)
    optimiser = cr.optim.Adam(layer.parameters(), lr=0.05)
    x, target = cr.randn(3, 5, 2), cr.randn(3, 5, 4).tanh()
    losses = []
    for _ in range(30):
        optimiser.zero_grad()
        loss = ((layer(x)[0] - target) ** 2).mean()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
    assert losses[-1] < 0.75 * losses[0]
    assert layer.double()(x.double())[0].dtype == cr.float64
    assert len(layer.all_weights) == 1 and len(layer.all_weights[0]) == 4


def test_reachable_by_torch_names() -> None:
    """`import chainrule as torch` programs find everything where PyTorch keeps it."""
    torch = cr
    packed = torch.nn.utils.rnn.pack_sequence([cr.ones(3, 2), cr.ones(1, 2)])
    assert isinstance(packed, torch.nn.utils.rnn.PackedSequence)
    data, batch_sizes, sorted_indices, unsorted_indices = packed  # a named tuple, as torch's
    assert batch_sizes.tolist() == [2, 1, 1] and sorted_indices is None
    assert packed.double().data.dtype == cr.float64
    for name in ("RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell", "RNNBase"):
        assert issubclass(getattr(torch.nn, name), torch.nn.Module)


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_projection_blocks_change_nothing(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long sequences project their inputs block by block: the same values and gradients
    as one projection of every step, and gradients that pass central differences."""
    from chainrule.nn import recurrence

    layer = getattr(cr.nn, kind)(2, 3, bidirectional=True).double()
    x = _random(5, 3, 2, seed=20)

    def run(x: cr.Tensor) -> cr.Tensor:
        output, _ = layer(pack_padded_sequence(x, [5, 2, 4], enforce_sorted=False))
        return pad_packed_sequence(output)[0]

    whole = run(x)
    whole.sum().backward()
    whole_grad = x.grad.numpy().copy()
    x.grad = None
    monkeypatch.setattr(recurrence, "BLOCK_STEPS", 2)
    blocks = run(x)
    blocks.sum().backward()
    np.testing.assert_allclose(blocks.detach().numpy(), whole.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), whole_grad, rtol=1e-12)
    assert gradcheck(run, (x,))
