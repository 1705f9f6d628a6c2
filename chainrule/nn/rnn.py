"""Recurrent layers, as PyTorch's: `RNN`, `LSTM`, `GRU` and their one-step `*Cell`s.

Parameter names, shapes, gate order (i, f, g, o for LSTM; r, z, n for GRU) and the initial
uniform draw in ±1/√hidden_size are PyTorch's, so state dicts interchange. The arithmetic
is in `recurrence.py`, composed of differentiable ops.

>>> import chainrule as cr
>>> lstm = cr.nn.LSTM(input_size=3, hidden_size=5, num_layers=2)
>>> output, (h_n, c_n) = lstm(cr.randn(7, 4, 3))  # (time, batch, features)
>>> tuple(output.shape), tuple(h_n.shape), tuple(c_n.shape)
((7, 4, 5), (2, 4, 5), (2, 4, 5))
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

from .. import creation
from ..ops.args import int_arg
from ..tensor import Tensor
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter
from .recurrence import LayerWeights, State, Step, gru_step, lstm_step, rnn_step, run_layer
from .utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_NONLINEARITIES = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}


def _check_sizes(input_size: int, hidden_size: int) -> None:
    int_arg("RNN", "input_size", input_size)
    int_arg("RNN", "hidden_size", hidden_size)
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")


def _check_dtype(input: Tensor, weight: Tensor, error: type[Exception] = ValueError  # noqa: A002
                 ) -> None:
    """PyTorch refuses a mismatch with a ValueError for a layer's input and a RuntimeError
    for its state or a cell's input (`error`)."""
    if input.dtype != weight.dtype:
        raise error(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                         f"({weight.dtype}). Convert input: input.to({weight.dtype}), or "
                         f"convert model: model.to({input.dtype})")


class RNNBase(Module):
    """What RNN, LSTM and GRU share: the stacked, optionally bidirectional layers and their
    parameters `weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}` (and
    `weight_hr_l{k}` for a projected LSTM), `_reverse` for the backward direction."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        _check_sizes(input_size, hidden_size)
        int_arg("RNN", "num_layers", num_layers)
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) \
                or not 0 <= float(dropout) <= 1:  # type: ignore[arg-type]
            raise ValueError("dropout should be a number in range [0, 1] representing the "
                             "probability of an element being zeroed")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if float(dropout) > 0 and num_layers == 1:  # type: ignore[arg-type]
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                          "non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=2)
        int_arg("RNN", "proj_size", proj_size)
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable "
                             "projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size = mode, input_size, hidden_size
        self.num_layers, self.bias, self.batch_first = num_layers, bias, batch_first
        self.dropout, self.bidirectional = float(dropout), bidirectional  # type: ignore[arg-type]
        self.proj_size = proj_size
        self._register_weights(device, dtype)
        self.reset_parameters()

    def _register_weights(self, device: Any, dtype: Any) -> None:
        """In PyTorch's order: per layer, per direction: w_ih, w_hh, b_ih, b_hh, w_hr."""
        gate_size = _GATES[self.mode] * self.hidden_size
        real_hidden = self.proj_size or self.hidden_size
        directions = 2 if self.bidirectional else 1
        options = {"device": device, "dtype": dtype}
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else real_hidden * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes: list[tuple[str, tuple[int, ...]]] = [
                    ("weight_ih", (gate_size, layer_input)),
                    ("weight_hh", (gate_size, real_hidden))]
                if self.bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if self.proj_size:
                    shapes.append(("weight_hr", (self.proj_size, self.hidden_size)))
                for name, shape in shapes:
                    setattr(self, name + suffix, Parameter(creation.empty(*shape, **options)))

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def flatten_parameters(self) -> None:
        """Kept for PyTorch code that calls it (cuDNN's flat buffer); nothing to do here."""

    @property
    def _flat_weights_names(self) -> list[str]:
        return [name for name, _ in self.named_parameters(recurse=False)]

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters of each layer and direction, in order."""
        per_group = len(self._flat_weights_names) // (self.num_layers * self._directions)
        weights = list(self.parameters(recurse=False))
        return [weights[k:k + per_group] for k in range(0, len(weights), per_group)]

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _layer_weights(self, layer: int, direction: int) -> LayerWeights:
        suffix = f"_l{layer}" + ("_reverse" if direction else "")
        return LayerWeights(getattr(self, "weight_ih" + suffix),
                            getattr(self, "weight_hh" + suffix),
                            getattr(self, "bias_ih" + suffix, None),
                            getattr(self, "bias_hh" + suffix, None),
                            getattr(self, "weight_hr" + suffix, None))

    def _step(self) -> Step:
        if self.mode == "LSTM":
            return lstm_step
        if self.mode == "GRU":
            return gru_step
        return rnn_step("tanh" if self.mode == "RNN_TANH" else "relu")

    def _state_shapes(self, batch: int) -> list[tuple[int, int, int]]:
        layers = self.num_layers * self._directions
        shapes = [(layers, batch, self.proj_size or self.hidden_size)]
        if self.mode == "LSTM":
            shapes.append((layers, batch, self.hidden_size))
        return shapes

    def _initial_state(self, hx: Any, batch: int, unbatched: bool, weight: Tensor) -> State:
        """hx as a tuple of (layers·directions, batch, ·) tensors: zeros when None,
        checked against PyTorch's rules (the same error messages) otherwise."""
        shapes = self._state_shapes(batch)
        if hx is None:
            return tuple(creation.zeros(*shape, dtype=weight.dtype) for shape in shapes)
        lstm = self.mode == "LSTM"
        parts = tuple(hx) if lstm and isinstance(hx, (tuple, list)) else (hx,)
        if lstm and len(parts) != 2:
            raise RuntimeError("LSTM: hx must be a tuple (h_0, c_0) of two tensors")
        if not all(isinstance(part, Tensor) for part in parts):
            raise TypeError(f"{type(self).__name__}: hx must be a Tensor"
                            + (" pair (h_0, c_0)" if lstm else "") + f", got {type(hx).__name__}")
        wanted = 2 if unbatched else 3
        if any(part.ndim != wanted for part in parts):
            kind = "unbatched 2-D" if unbatched else "batched 3-D"
            found = ", ".join(f"{part.ndim}-D" for part in parts)
            subject = "hx and cx" if lstm else "hx"
            noun = f"({found}) tensors" if lstm else f"{found} tensor"
            raise RuntimeError(f"For {kind} input, {subject} should also be {wanted}-D but got "
                               f"{noun}")
        if unbatched:
            parts = tuple(part.unsqueeze(1) for part in parts)
        for position, (part, shape) in enumerate(zip(parts, shapes)):
            if tuple(part.shape) != shape:
                which = f"hidden[{position}]" if lstm else "hidden"
                raise RuntimeError(f"Expected {which} size {shape}, got {list(part.shape)}")
            _check_dtype(part, weight, RuntimeError)
        return parts

    def forward(self, input: Any, hx: Any = None) -> tuple[Any, Any]:  # noqa: A002
        """(output, h_n) for RNN and GRU, (output, (h_n, c_n)) for LSTM, shaped as PyTorch's;
        a PackedSequence in gives a PackedSequence out."""
        name = type(self).__name__
        weight = self.weight_ih_l0
        packed = isinstance(input, PackedSequence)
        if packed:
            data, batch_sizes = input.data, [int(n) for n in input.batch_sizes.tolist()]
            unbatched, batch = False, batch_sizes[0]
            if data.ndim != 2:
                raise ValueError(f"{name}: packed data must be 2-D (rows, features), got "
                                 f"{data.ndim}-D")
        else:
            if not isinstance(input, Tensor):
                raise TypeError(f"{name}: input must be a Tensor or a PackedSequence, got "
                                f"{type(input).__name__}")
            if input.ndim not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.ndim}D "
                                 "instead")
            unbatched = input.ndim == 2
            time_first = input.unsqueeze(1) if unbatched else \
                input.transpose(0, 1) if self.batch_first else input
            steps, batch = time_first.shape[0], time_first.shape[1]
            if steps == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
            data, batch_sizes = time_first.reshape(steps * batch, time_first.shape[2]), \
                [batch] * steps
        if data.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {data.shape[-1]}")
        _check_dtype(data, weight)
        initial = self._initial_state(hx, batch, unbatched, weight)
        if packed and input.sorted_indices is not None:
            order = input.sorted_indices.numpy()
            initial = tuple(part[:, order] for part in initial)
        output_data, final = self._run_layers(data, batch_sizes, initial)
        if packed:
            if input.unsorted_indices is not None:
                order = input.unsorted_indices.numpy()
                final = tuple(part[:, order] for part in final)
            output: Any = PackedSequence(output_data, input.batch_sizes, input.sorted_indices,
                                         input.unsorted_indices)
        else:
            output = output_data.reshape(len(batch_sizes), batch, output_data.shape[-1])
            if unbatched:
                output, final = output.squeeze(1), tuple(part.squeeze(1) for part in final)
            elif self.batch_first:
                output = output.transpose(0, 1)
        return output, (final if self.mode == "LSTM" else final[0])

    def _run_layers(self, data: Tensor, batch_sizes: list[int], initial: State
                    ) -> tuple[Tensor, State]:
        """Every layer and direction over packed rows; the final states stacked as h_n."""
        step, directions = self._step(), self._directions
        finals: list[State] = []
        layer_input = data
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                layer_input = F.dropout(layer_input, self.dropout, True)
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                start = tuple(part[index] for part in initial)
                output, final = run_layer(step, layer_input, batch_sizes, start,
                                          self._layer_weights(layer, direction),
                                          reverse=direction == 1)
                outputs.append(output)
                finals.append(final)
            layer_input = creation.cat(outputs, 1) if directions == 2 else outputs[0]
        stacked = tuple(creation.stack([final[k] for final in finals], 0)
                        for k in range(len(finals[0])))
        return layer_input, stacked

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size:
            text += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if self.batch_first is not False:
            text += f", batch_first={self.batch_first}"
        if self.dropout:
            text += f", dropout={self.dropout:g}"
        if self.bidirectional is not False:
            text += f", bidirectional={self.bidirectional}"
        return text


class RNN(RNNBase):
    """Elman RNN: h_t = act(W_ih x_t + b_ih + W_hh h_(t−1) + b_hh), act tanh or relu."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None, *, proj_size: int = 0) -> None:
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             "'relu'.")
        super().__init__(_NONLINEARITIES[nonlinearity], input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, proj_size, device, dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory: gates i, f, g, o; c_t = f ⊙ c_(t−1) + i ⊙ g,
    h_t = o ⊙ tanh(c_t) (then W_hr h_t when proj_size > 0)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit: gates r, z, n; h_t = (1 − z) ⊙ n + z ⊙ h_(t−1)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None, *,
                 proj_size: int = 0) -> None:
        # proj_size is accepted only to refuse it as PyTorch does (a ValueError, not a TypeError)
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)


class RNNCellBase(Module):
    """One time step: parameters `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        _check_sizes(input_size, hidden_size)
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        options = {"device": device, "dtype": dtype}
        gate_size = num_chunks * hidden_size
        self.weight_ih = Parameter(creation.empty(gate_size, input_size, **options))
        self.weight_hh = Parameter(creation.empty(gate_size, hidden_size, **options))
        if bias:
            self.bias_ih = Parameter(creation.empty(gate_size, **options))
            self.bias_hh = Parameter(creation.empty(gate_size, **options))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)
        for weight in self.parameters():
            init.uniform_(weight, -bound, bound)

    def _weights(self) -> LayerWeights:
        return LayerWeights(self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)

    def _checked(self, input: Any, hx: Any, parts: int) -> tuple[Tensor, State, bool]:  # noqa: A002
        """The input as (batch, input_size), the state as (batch, hidden) tensors (zeros
        when hx is None), and whether the input was unbatched."""
        name = type(self).__name__
        if not isinstance(input, Tensor):
            raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.ndim}D "
                             "instead")
        unbatched = input.ndim == 1
        batched = input.unsqueeze(0) if unbatched else input
        if batched.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {batched.shape[1]} "
                               f"expected {self.input_size}")
        _check_dtype(batched, self.weight_ih, RuntimeError)
        if hx is None:
            zeros = creation.zeros(batched.shape[0], self.hidden_size, dtype=input.dtype)
            return batched, (zeros,) * parts, unbatched
        state = tuple(hx) if parts == 2 else (hx,)
        if len(state) != parts or not all(isinstance(part, Tensor) for part in state):
            raise TypeError(f"{name}: hx must be " + ("a pair (h_0, c_0) of Tensors"
                                                       if parts == 2 else "a Tensor"))
        for position, part in enumerate(state):
            if part.ndim != batched.ndim - unbatched:
                raise RuntimeError(f"{name}: hidden{position} must be "
                                   f"{'1' if unbatched else '2'}-D like the input, got "
                                   f"{part.ndim}-D")
            _check_dtype(part, self.weight_ih, RuntimeError)
        state = tuple(part.unsqueeze(0) if unbatched else part for part in state)
        for position, part in enumerate(state):
            if part.shape[0] != batched.shape[0]:
                raise RuntimeError(f"Input batch size {batched.shape[0]} doesn't match "
                                   f"hidden{position} batch size {part.shape[0]}")
            if part.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{position} has inconsistent hidden_size: got "
                                   f"{part.shape[1]}, expected {self.hidden_size}")
        return batched, state, unbatched

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        nonlinearity = getattr(self, "nonlinearity", "tanh")
        if nonlinearity != "tanh":
            text += f", nonlinearity={nonlinearity}"
        return text


class RNNCell(RNNCellBase):
    """h' = act(W_ih x + b_ih + W_hh h + b_hh), act tanh or relu."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        if self.nonlinearity not in _NONLINEARITIES:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        batched, state, unbatched = self._checked(input, hx, 1)
        weights = self._weights()
        projected = F.linear(batched, weights.weight_ih, weights.bias_ih)
        (h,) = rnn_step(self.nonlinearity)(projected, state, weights)
        return h.squeeze(0) if unbatched else h


class LSTMCell(RNNCellBase):
    """One LSTM step: returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None  # noqa: A002
                ) -> tuple[Tensor, Tensor]:
        batched, state, unbatched = self._checked(input, hx, 2)
        weights = self._weights()
        projected = F.linear(batched, weights.weight_ih, weights.bias_ih)
        h, c = lstm_step(projected, state, weights)
        return (h.squeeze(0), c.squeeze(0)) if unbatched else (h, c)


class GRUCell(RNNCellBase):
    """One GRU step: returns h'."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:  # noqa: A002
        batched, state, unbatched = self._checked(input, hx, 1)
        weights = self._weights()
        projected = F.linear(batched, weights.weight_ih, weights.bias_ih)
        (h,) = gru_step(projected, state, weights)
        return h.squeeze(0) if unbatched else h
