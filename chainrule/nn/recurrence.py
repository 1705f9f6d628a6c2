"""The arithmetic of recurrent layers: one time step of each cell, and the time loop of one
layer in one direction over sequences in the packed layout.

Everything here is composed of chainrule's differentiable ops (linear, sigmoid, tanh, mul,
add, slicing, cat), so the gradients are those ops' rules, checked on their own; nothing
here has a gradient rule to get wrong. The packed layout is PyTorch's: the rows of all
sequences at time step t, `batch_sizes[t]` of them (longest sequences first), follow the
rows of step t−1. A padded batch is the packed layout with every batch size equal.

Gate order and formulas are PyTorch's (`W_i·` is one row block of `weight_ih`, `W_h·` of
`weight_hh`, σ the logistic sigmoid, ⊙ the elementwise product):

- RNN:  h' = act(W_i x + b_i + W_h h + b_h), act = tanh or relu
- LSTM: i, f, g, o = σ(·), σ(·), tanh(·), σ(·) of W_i x + b_i + W_h h + b_h (blocks i, f, g,
  o); c' = f ⊙ c + i ⊙ g; h' = o ⊙ tanh(c'), then h' = W_hr h' with a projection
- GRU:  r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
  n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from ..creation import cat
from ..tensor import Tensor
from . import functional as F

__all__ = ["LayerWeights", "State", "Step", "rnn_step", "lstm_step", "gru_step", "run_layer"]

#: the recurrent state: (h,) for RNN and GRU, (h, c) for LSTM
State = tuple[Tensor, ...]


class LayerWeights(NamedTuple):
    """The parameters of one layer in one direction, as PyTorch names them."""

    weight_ih: Tensor
    weight_hh: Tensor
    bias_ih: Tensor | None
    bias_hh: Tensor | None
    weight_hr: Tensor | None = None  # LSTM projection (proj_size > 0) only


def _blocks(gates: Tensor, count: int) -> list[Tensor]:
    """The `count` equal column blocks of (batch, count·H) gate pre-activations."""
    size = gates.shape[1] // count
    return [gates[:, k * size:(k + 1) * size] for k in range(count)]


def rnn_step(nonlinearity: str) -> Callable[[Tensor, State, LayerWeights], State]:
    """The Elman step h' = act(x_proj + W_h h + b_h), `x_proj` = W_i x + b_i computed before."""
    activation = F.tanh if nonlinearity == "tanh" else F.relu

    def step(x_proj: Tensor, state: State, weights: LayerWeights) -> State:
        return (activation(x_proj + F.linear(state[0], weights.weight_hh, weights.bias_hh)),)

    return step


def lstm_step(x_proj: Tensor, state: State, weights: LayerWeights) -> State:
    """One LSTM step (gates i, f, g, o in PyTorch's order), with the optional projection."""
    h, c = state
    gates = x_proj + F.linear(h, weights.weight_hh, weights.bias_hh)
    i, f, g, o = _blocks(gates, 4)
    c_next = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h_next = o.sigmoid() * c_next.tanh()
    if weights.weight_hr is not None:
        h_next = F.linear(h_next, weights.weight_hr)
    return h_next, c_next


def gru_step(x_proj: Tensor, state: State, weights: LayerWeights) -> State:
    """One GRU step (gates r, z, n in PyTorch's order; r applies to W_hn h + b_hn)."""
    h = state[0]
    x_r, x_z, x_n = _blocks(x_proj, 3)
    h_r, h_z, h_n = _blocks(F.linear(h, weights.weight_hh, weights.bias_hh), 3)
    reset = (x_r + h_r).sigmoid()
    update = (x_z + h_z).sigmoid()
    candidate = (x_n + reset * h_n).tanh()
    return (candidate + update * (h - candidate),)  # = (1 − z) ⊙ n + z ⊙ h


Step = Callable[[Tensor, State, LayerWeights], State]

#: Time steps whose input projection is one matmul. Each step reads its rows as a slice, and
#: a slice's gradient is as large as what it was cut from: one projection of all T steps
#: would cost T gradients of T steps each (quadratic in T); blocks keep that linear.
BLOCK_STEPS = 64


def _rows(state: State, start: int, stop: int) -> State:
    return tuple(part[start:stop] for part in state)


def _joined(pieces: list[State]) -> State:
    if len(pieces) == 1:
        return pieces[0]
    return tuple(cat([piece[k] for piece in pieces], 0) for k in range(len(pieces[0])))


def run_layer(step: Step, data: Tensor, batch_sizes: Sequence[int], initial: State,
              weights: LayerWeights, reverse: bool) -> tuple[Tensor, State]:
    """One layer in one direction over packed `data` (rows of all steps, (N, input)).

    The input projection is one matmul per block of `BLOCK_STEPS` time steps (all of them
    for short sequences), done before the steps of the block; the loop adds the recurrent
    part. Returns the packed outputs (N, H_out) and the final state of each
    sequence, (batch, ·) in the packed (sorted) order: forwards, a sequence that ends
    early keeps the state of its last step; backwards, each sequence starts at its own last
    step from its row of `initial`.
    """
    offsets = [0]
    for size in batch_sizes:
        offsets.append(offsets[-1] + size)
    steps = range(len(batch_sizes) - 1, -1, -1) if reverse else range(len(batch_sizes))
    outputs: list[Tensor] = []
    finished: list[State] = []  # forwards: the states of sequences that ended, latest last
    active = batch_sizes[steps[0]]
    state = _rows(initial, 0, active)
    block, projected, base = -1, data, 0
    for t in steps:
        if t // BLOCK_STEPS != block:
            block = t // BLOCK_STEPS
            first, last = block * BLOCK_STEPS, min(len(batch_sizes), (block + 1) * BLOCK_STEPS)
            rows = data if len(batch_sizes) <= BLOCK_STEPS else \
                data[offsets[first]:offsets[last]]
            projected, base = F.linear(rows, weights.weight_ih, weights.bias_ih), offsets[first]
        size = batch_sizes[t]
        if size < active:  # forwards only: the sequences from `size` on have ended
            finished.append(_rows(state, size, active))
            state = _rows(state, 0, size)
        elif size > active:  # backwards only: longer sequences join with their initial state
            joining = _rows(initial, active, size)
            state = tuple(cat([part, new], 0) for part, new in zip(state, joining))
        active = size
        state = step(projected[offsets[t] - base:offsets[t + 1] - base], state, weights)
        outputs.append(state[0])
    if reverse:
        outputs.reverse()
    finished.append(state)
    final = _joined(finished[::-1])
    return cat(outputs, 0) if len(outputs) > 1 else outputs[0], final
