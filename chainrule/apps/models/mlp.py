"""The multilayer perceptron of the notes: affine layers and a nonlinearity between them."""

from __future__ import annotations

from collections.abc import Sequence

from chainrule import Tensor, nn

__all__ = ["MLP", "ACTIVATIONS"]

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "softplus": nn.Softplus,
    "hardtanh": nn.Hardtanh, "leaky_relu": nn.LeakyReLU, "gelu": nn.GELU,
}


class MLP(nn.Module):
    """inputs → [Linear → activation (→ dropout)] × len(hidden) → Linear → scores.

    `init` is 'xavier' (Glorot uniform, gain for the activation), 'kaiming' (He normal) or
    'default' (PyTorch's Linear initialisation); biases start at zero for the first two.

    >>> import chainrule as cr
    >>> from chainrule.apps.models import MLP
    >>> net = MLP(2, [100], 3)
    >>> net(cr.zeros(4, 2)).shape
    chainrule.Size([4, 3])
    """

    def __init__(self, inputs: int, hidden: Sequence[int], outputs: int,
                 activation: str = "relu", init: str = "default", dropout: float = 0.0,
                 input_dropout: float = 0.0) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; expected one of "
                             f"{', '.join(sorted(ACTIVATIONS))}")
        if init not in ("default", "xavier", "kaiming"):
            raise ValueError(f"unknown init {init!r}; expected default, xavier or kaiming")
        if any(size <= 0 for size in hidden) or inputs <= 0 or outputs <= 0:
            raise ValueError(f"layer sizes must be positive, got {inputs}, {list(hidden)}, "
                             f"{outputs}")
        self.activation_name = activation
        sizes = [inputs, *hidden, outputs]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.activations = nn.ModuleList(ACTIVATIONS[activation]() for _ in hidden)
        self.dropout = nn.Dropout(dropout) if dropout else None
        self.input_dropout = nn.Dropout(input_dropout) if input_dropout else None
        if init != "default":
            self.initialise(init)

    def initialise(self, scheme: str) -> None:
        gain_name = {"relu": "relu", "leaky_relu": "leaky_relu", "tanh": "tanh",
                     "sigmoid": "sigmoid", "hardtanh": "tanh"}.get(self.activation_name,
                                                                   "linear")
        for position, layer in enumerate(self.layers):
            last = position == len(self.layers) - 1
            if scheme == "xavier":
                gain = 1.0 if last else nn.init.calculate_gain(gain_name)
                nn.init.xavier_uniform_(layer.weight, gain=gain)
            else:
                nn.init.kaiming_normal_(layer.weight, nonlinearity="linear" if last else
                                        ("relu" if gain_name == "relu" else "leaky_relu"))
            nn.init.zeros_(layer.bias)

    def hidden_layers(self, x: Tensor) -> list[Tensor]:
        """The activations of every hidden layer (for the gradient-health report)."""
        outputs = []
        h = x.flatten(1) if x.ndim > 2 else x
        for layer, activation in zip(self.layers, self.activations):
            h = activation(layer(h))
            outputs.append(h)
        return outputs

    def forward(self, x: Tensor) -> Tensor:
        h = x.flatten(1) if x.ndim > 2 else x
        if self.input_dropout is not None:
            h = self.input_dropout(h)
        for layer, activation in zip(self.layers, self.activations):
            h = activation(layer(h))
            if self.dropout is not None:
                h = self.dropout(h)
        return self.layers[-1](h)
