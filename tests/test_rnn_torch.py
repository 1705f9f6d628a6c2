"""Recurrent layers and nn.utils.rnn against PyTorch in float64: the same parameters (copied
by state dict, both ways), the same inputs; outputs, final states, the input's gradient and
every parameter's gradient must agree, as must shapes, dtypes and error types."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr

torch = pytest.importorskip("torch", reason="PyTorch is not installed: the oracle tests need it "
                            "(pip install torch==2.13.0); chainrule does not depend on it")
from torch.nn.utils import rnn as torch_rnn  # noqa: E402

from chainrule.nn.utils import rnn as cr_rnn  # noqa: E402

TOL = {"rtol": 1e-9, "atol": 1e-11}


def _to_cr(value: Any) -> Any:
    return cr.tensor(value.detach().numpy())


def _pair(kind: str, *args: Any, **kwargs: Any) -> tuple[Any, Any]:
    """The same layer in PyTorch and chainrule, float64, chainrule's loaded from PyTorch's."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(*args, **kwargs).double()
    ours = getattr(cr.nn, kind)(*args, **kwargs).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: _to_cr(v) for k, v in theirs.state_dict().items()})
    return theirs, ours


def _leaf(array: np.ndarray) -> tuple[Any, Any]:
    return torch.tensor(array, requires_grad=True), cr.tensor(array, requires_grad=True)


def _flatten(result: Any) -> list[Any]:
    """Every tensor of an RNN's result, in order (a PackedSequence by its data)."""
    if isinstance(result, (torch_rnn.PackedSequence, cr_rnn.PackedSequence)):
        return [result.data]
    if isinstance(result, (tuple, list)):
        return [t for part in result for t in _flatten(part)]
    return [result]


def _compare(theirs_out: Any, ours_out: Any, seed: int = 1) -> None:
    """Values, shapes and dtypes equal; then the same random projection backpropagated."""
    torch_parts, cr_parts = _flatten(theirs_out), _flatten(ours_out)
    assert len(torch_parts) == len(cr_parts)
    rng = np.random.default_rng(seed)
    torch_loss, cr_loss = 0, 0
    for t_part, c_part in zip(torch_parts, cr_parts):
        assert tuple(c_part.shape) == tuple(t_part.shape)
        assert str(c_part.dtype).split(".")[-1] == str(t_part.dtype).split(".")[-1]
        np.testing.assert_allclose(c_part.detach().numpy(), t_part.detach().numpy(), **TOL)
        weights = rng.standard_normal(tuple(t_part.shape))
        torch_loss = torch_loss + (t_part * torch.tensor(weights)).sum()
        cr_loss = cr_loss + (c_part * cr.tensor(weights)).sum()
    torch_loss.backward()
    cr_loss.backward()


def _compare_grads(theirs: Any, ours: Any, leaves: list[tuple[Any, Any]]) -> None:
    for t_leaf, c_leaf in leaves:
        np.testing.assert_allclose(c_leaf.grad.numpy(), t_leaf.grad.numpy(), **TOL)
    ours_params = dict(ours.named_parameters())
    for name, t_param in theirs.named_parameters():
        np.testing.assert_allclose(ours_params[name].grad.numpy(), t_param.grad.numpy(),
                                   **TOL, err_msg=name)


CONFIGS = list(itertools.product(["RNN", "LSTM", "GRU"], [1, 2], [False, True], [False, True]))


@pytest.mark.parametrize(("kind", "layers", "batch_first", "bidirectional"), CONFIGS)
def test_layer_matches_torch(kind: str, layers: int, batch_first: bool,
                             bidirectional: bool) -> None:
    theirs, ours = _pair(kind, 3, 4, num_layers=layers, batch_first=batch_first,
                         bidirectional=bidirectional)
    rng = np.random.default_rng(0)
    shape = (2, 5, 3) if batch_first else (5, 2, 3)
    x = _leaf(rng.standard_normal(shape))
    states = [_leaf(rng.standard_normal((layers * (1 + bidirectional), 2, 4)))
              for _ in range(2 if kind == "LSTM" else 1)]
    if kind == "LSTM":
        hx_t, hx_c = tuple(s[0] for s in states), tuple(s[1] for s in states)
    else:
        hx_t, hx_c = states[0][0], states[0][1]
    _compare(theirs(x[0], hx_t), ours(x[1], hx_c))
    _compare_grads(theirs, ours, [x, *states])


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_zero_initial_state_unbatched_and_no_bias(kind: str) -> None:
    theirs, ours = _pair(kind, 3, 4, bias=False)
    x = _leaf(np.random.default_rng(2).standard_normal((6, 3)))
    _compare(theirs(x[0]), ours(x[1]))
    _compare_grads(theirs, ours, [x])


def test_relu_rnn_and_projected_lstm() -> None:
    rng = np.random.default_rng(3)
    for kind, options in (("RNN", {"nonlinearity": "relu", "num_layers": 2}),
                          ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True})):
        theirs, ours = _pair(kind, 3, 4, **options)
        x = _leaf(rng.standard_normal((4, 2, 3)))
        _compare(theirs(x[0]), ours(x[1]))
        _compare_grads(theirs, ours, [x])


def test_state_dict_goes_back_to_torch() -> None:
    ours = cr.nn.GRU(3, 4, num_layers=2, bidirectional=True).double()
    theirs = torch.nn.GRU(3, 4, num_layers=2, bidirectional=True).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((3, 2, 3))
    _compare(theirs(torch.tensor(x)), ours(cr.tensor(x)))


@pytest.mark.parametrize(("kind", "enforce_sorted"),
                         list(itertools.product(["RNN", "LSTM", "GRU"], [True, False])))
def test_packed_sequences_match_torch(kind: str, enforce_sorted: bool) -> None:
    theirs, ours = _pair(kind, 3, 4, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(5)
    lengths = [5, 3, 2] if enforce_sorted else [2, 5, 3]
    x = _leaf(rng.standard_normal((5, 3, 3)))
    h0 = _leaf(rng.standard_normal((4, 3, 4)))
    hx_t = (h0[0], h0[0] * 0.5) if kind == "LSTM" else h0[0]
    hx_c = (h0[1], h0[1] * 0.5) if kind == "LSTM" else h0[1]
    packed_t = torch_rnn.pack_padded_sequence(x[0], lengths, enforce_sorted=enforce_sorted)
    packed_c = cr_rnn.pack_padded_sequence(x[1], lengths, enforce_sorted=enforce_sorted)
    np.testing.assert_array_equal(packed_c.batch_sizes.numpy(), packed_t.batch_sizes.numpy())
    out_t, state_t = theirs(packed_t, hx_t)
    out_c, state_c = ours(packed_c, hx_c)
    assert isinstance(out_c, cr_rnn.PackedSequence)
    padded_t, lengths_t = torch_rnn.pad_packed_sequence(out_t, total_length=6)
    padded_c, lengths_c = cr_rnn.pad_packed_sequence(out_c, total_length=6)
    np.testing.assert_array_equal(lengths_c.numpy(), lengths_t.numpy())
    _compare((padded_t, state_t), (padded_c, state_c))
    _compare_grads(theirs, ours, [x, h0])


@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(kind: str) -> None:
    theirs, ours = _pair(kind, 3, 4)
    rng = np.random.default_rng(6)
    x = _leaf(rng.standard_normal((2, 3)))
    h = _leaf(rng.standard_normal((2, 4)))
    c = _leaf(rng.standard_normal((2, 4)))
    hx_t, hx_c = ((h[0], c[0]), (h[1], c[1])) if kind == "LSTMCell" else (h[0], h[1])
    _compare(theirs(x[0], hx_t), ours(x[1], hx_c))
    _compare_grads(theirs, ours, [x, h] + ([c] if kind == "LSTMCell" else []))
    unbatched = rng.standard_normal(3)
    _compare(theirs(torch.tensor(unbatched)), ours(cr.tensor(unbatched)))


def test_relu_cell_and_repr_match_torch() -> None:
    theirs, ours = _pair("RNNCell", 3, 4, bias=False, nonlinearity="relu")
    assert repr(ours) == repr(theirs)
    x = _leaf(np.random.default_rng(7).standard_normal((2, 3)))
    _compare(theirs(x[0]), ours(x[1]))
    _compare_grads(theirs, ours, [x])
    for kind, options in (("LSTM", {"num_layers": 2}), ("GRU", {"batch_first": True,
                                                                "bidirectional": True}),
                          ("RNN", {"num_layers": 2, "dropout": 0.25, "bias": False}),
                          ("LSTM", {"proj_size": 2}), ("LSTMCell", {})):
        assert repr(getattr(cr.nn, kind)(3, 4, **options)) == \
            repr(getattr(torch.nn, kind)(3, 4, **options))


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers_as_torch(kind: str) -> None:
    """Evaluation mode: no dropout, the same values as PyTorch's; training mode: masks that
    change from call to call (values differ from PyTorch's, whose random stream is its own)."""
    theirs, ours = _pair(kind, 3, 4, num_layers=3, dropout=0.4)
    x = np.random.default_rng(9).standard_normal((5, 2, 3))
    theirs.eval()
    ours.eval()
    _compare(theirs(torch.tensor(x)), ours(cr.tensor(x)))
    ours.train()
    first, second = ours(cr.tensor(x))[0], ours(cr.tensor(x))[0]
    assert tuple(first.shape) == tuple(theirs.train()(torch.tensor(x))[0].shape)
    assert not np.allclose(first.detach().numpy(), second.detach().numpy())


def test_default_dtype_and_init_range() -> None:
    ours, theirs = cr.nn.LSTM(3, 16), torch.nn.LSTM(3, 16)
    output, _ = ours(cr.zeros(2, 1, 3))
    assert output.dtype == cr.float32 and theirs.weight_ih_l0.dtype == torch.float32
    for name, param in ours.named_parameters():
        values = param.detach().numpy()
        assert values.dtype == np.float32
        assert np.abs(values).max() <= 0.25 and values.std() > 0.1, name


def test_padding_utilities_match_torch() -> None:
    rng = np.random.default_rng(8)
    arrays = [rng.standard_normal((n, 2)) for n in (3, 1, 4)]
    leaves = [_leaf(a) for a in arrays]
    for batch_first, side in itertools.product([False, True], ["right", "left"]):
        padded_t = torch_rnn.pad_sequence([t for t, _ in leaves], batch_first, -1.0, side)
        padded_c = cr_rnn.pad_sequence([c for _, c in leaves], batch_first, -1.0, side)
        _compare(padded_t, padded_c, seed=3)
    for t_leaf, c_leaf in leaves:
        np.testing.assert_allclose(c_leaf.grad.numpy(), t_leaf.grad.numpy(), **TOL)
    packed_t = torch_rnn.pack_sequence([t for t, _ in leaves], enforce_sorted=False)
    packed_c = cr_rnn.pack_sequence([c for _, c in leaves], enforce_sorted=False)
    for field in ("data", "batch_sizes", "sorted_indices", "unsorted_indices"):
        np.testing.assert_array_equal(getattr(packed_c, field).detach().numpy(),
                                      getattr(packed_t, field).detach().numpy())
    assert packed_c.batch_sizes.dtype == cr.int64
    padded_t, lengths_t = torch_rnn.pad_packed_sequence(packed_t, batch_first=True,
                                                        padding_value=9.0)
    padded_c, lengths_c = cr_rnn.pad_packed_sequence(packed_c, batch_first=True,
                                                     padding_value=9.0)
    np.testing.assert_array_equal(padded_c.detach().numpy(), padded_t.detach().numpy())
    assert lengths_c.dtype == cr.int64
    np.testing.assert_array_equal(lengths_c.numpy(), lengths_t.numpy())
    for ours, theirs in zip(cr_rnn.unpack_sequence(packed_c),
                            torch_rnn.unpack_sequence(packed_t)):
        np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())


@settings(max_examples=25, deadline=None)
@given(lengths=st.lists(st.integers(1, 5), min_size=1, max_size=4), batch_first=st.booleans(),
       total_extra=st.integers(0, 2))
def test_pack_then_pad_matches_torch_for_any_lengths(lengths: list[int], batch_first: bool,
                                                     total_extra: int) -> None:
    steps = max(lengths)
    shape = (len(lengths), steps, 2) if batch_first else (steps, len(lengths), 2)
    x = np.random.default_rng(len(lengths) * 7 + steps).standard_normal(shape)
    packed_t = torch_rnn.pack_padded_sequence(torch.tensor(x), lengths, batch_first,
                                              enforce_sorted=False)
    packed_c = cr_rnn.pack_padded_sequence(cr.tensor(x), lengths, batch_first,
                                           enforce_sorted=False)
    np.testing.assert_array_equal(packed_c.data.numpy(), packed_t.data.numpy())
    np.testing.assert_array_equal(packed_c.batch_sizes.numpy(), packed_t.batch_sizes.numpy())
    padded_t, _ = torch_rnn.pad_packed_sequence(packed_t, batch_first, -2.0,
                                                steps + total_extra)
    padded_c, lengths_c = cr_rnn.pad_packed_sequence(packed_c, batch_first, -2.0,
                                                     steps + total_extra)
    np.testing.assert_array_equal(padded_c.numpy(), padded_t.numpy())
    assert lengths_c.tolist() == lengths


def _error(call: Any) -> tuple[type, str]:
    with pytest.raises(Exception) as caught:
        call()
    return caught.type, str(caught.value)


BAD_CALLS = [
    ("4-D input", lambda nn, x: nn.LSTM(3, 5)(x.zeros(1, 1, 1, 3))),
    ("wrong input size", lambda nn, x: nn.LSTM(3, 5)(x.zeros(2, 4, 4))),
    ("wrong h0 shape", lambda nn, x: nn.LSTM(3, 5, 2)(x.zeros(2, 4, 3),
                                                       (x.zeros(1, 4, 5), x.zeros(2, 4, 5)))),
    ("wrong c0 shape", lambda nn, x: nn.LSTM(3, 5, 2)(x.zeros(2, 4, 3),
                                                       (x.zeros(2, 4, 5), x.zeros(1, 4, 5)))),
    ("3-D hx, unbatched", lambda nn, x: nn.GRU(3, 5)(x.zeros(2, 3), x.zeros(1, 4, 5))),
    ("2-D hx, batched", lambda nn, x: nn.RNN(3, 5)(x.zeros(2, 4, 3), x.zeros(1, 5))),
    ("wrong h shape", lambda nn, x: nn.GRU(3, 5)(x.zeros(2, 4, 3), x.zeros(1, 3, 5))),
    ("float64 input", lambda nn, x: nn.GRU(3, 5)(x.zeros(2, 4, 3, dtype=x.float64))),
    ("bad dropout", lambda nn, x: nn.GRU(3, 5, dropout=1.5)),
    ("bad nonlinearity", lambda nn, x: nn.RNN(3, 5, nonlinearity="sig")),
    ("zero hidden", lambda nn, x: nn.RNN(3, 0)),
    ("zero layers", lambda nn, x: nn.RNN(3, 4, num_layers=0)),
    ("proj on GRU", lambda nn, x: nn.GRU(3, 4, proj_size=2)),
    ("proj too big", lambda nn, x: nn.LSTM(3, 4, proj_size=4)),
    ("cell input size", lambda nn, x: nn.LSTMCell(3, 5)(x.zeros(4, 4))),
    ("cell batch", lambda nn, x: nn.LSTMCell(3, 5)(x.zeros(4, 3),
                                                   (x.zeros(3, 5), x.zeros(4, 5)))),
    ("cell 3-D", lambda nn, x: nn.GRUCell(3, 5)(x.zeros(1, 4, 3))),
    ("cell hidden size", lambda nn, x: nn.RNNCell(3, 5)(x.zeros(4, 3), x.zeros(4, 6))),
    ("int input", lambda nn, x: nn.RNN(3, 5)(x.zeros(2, 4, 3, dtype=x.int64))),
    ("float64 state", lambda nn, x: nn.GRU(3, 4)(x.zeros(2, 1, 3),
                                                 x.zeros(1, 1, 4, dtype=x.float64))),
    ("no time steps", lambda nn, x: nn.GRU(3, 4)(x.zeros(0, 2, 3))),
    ("zero input size", lambda nn, x: nn.GRU(0, 4)),
    ("float num_layers", lambda nn, x: nn.GRU(3, 4, num_layers=2.0)),
    ("cell float64 state", lambda nn, x: nn.GRUCell(3, 4)(x.zeros(2, 3),
                                                          x.zeros(2, 4, dtype=x.float64))),
    ("cell int input", lambda nn, x: nn.GRUCell(3, 4)(x.zeros(2, 3, dtype=x.int64))),
    ("cell 2-D state, 1-D input", lambda nn, x: nn.GRUCell(3, 4)(x.zeros(3), x.zeros(1, 4))),
    ("cell 1-D state, 2-D input", lambda nn, x: nn.GRUCell(3, 4)(x.zeros(2, 3), x.zeros(4))),
]

BAD_PACKING = [
    ("unsorted", lambda u, x: u.pack_padded_sequence(x.zeros(3, 2, 1), [1, 2])),
    ("zero length", lambda u, x: u.pack_padded_sequence(x.zeros(3, 2, 1), [2, 0])),
    ("length count", lambda u, x: u.pack_padded_sequence(x.zeros(3, 2, 1), [3, 2, 1])),
    ("total_length", lambda u, x: u.pad_packed_sequence(
        u.pack_padded_sequence(x.zeros(3, 2, 1), [3, 2]), total_length=2)),
    ("empty list", lambda u, x: u.pad_sequence([])),
    ("padding side", lambda u, x: u.pad_sequence([x.zeros(2)], padding_side="middle")),
]


@pytest.mark.parametrize(("label", "call"), BAD_CALLS, ids=[c[0] for c in BAD_CALLS])
def test_bad_input_errors_match_torch(label: str, call: Any) -> None:
    theirs, ours = _error(lambda: call(torch.nn, torch)), _error(lambda: call(cr.nn, cr))
    assert ours[0] is theirs[0], (label, ours, theirs)
    assert ours[1], label


@pytest.mark.parametrize(("label", "call"), BAD_PACKING, ids=[c[0] for c in BAD_PACKING])
def test_bad_packing_errors_match_torch(label: str, call: Any) -> None:
    theirs, ours = _error(lambda: call(torch_rnn, torch)), _error(lambda: call(cr_rnn, cr))
    assert ours[0] is theirs[0], (label, ours, theirs)
    if label != "length count":
        assert ours[1] == theirs[1], label
