"""LeNet-5 (LeCun et al., 1998) in its modern form: ReLU and max pooling in place of the
original's scaled tanh and trainable subsampling, for 28×28 single-channel images (MNIST),
padded by 2 to the original 32×32 receptive field."""

from __future__ import annotations

from chainrule import Tensor, nn

from .mlp import ACTIVATIONS

__all__ = ["LeNet5"]


class LeNet5(nn.Module):
    """conv 6@5×5 pad 2 → act → max-pool 2 → conv 16@5×5 → act → max-pool 2 → fc 120 → act
    → fc 84 → act → fc `classes` (61,706 parameters for 10 classes).

    Takes images (N, 1, 28, 28), (N, 28, 28) or flattened rows (N, 784), as `chainrule train`
    feeds them. `activation` is any of the MLP's (relu, or tanh for the classic net);
    `dropout` applies before each fully connected layer but the first; `init` as the MLP's.

    >>> import chainrule as cr
    >>> from chainrule.apps.models import LeNet5
    >>> LeNet5()(cr.zeros(2, 784)).shape
    chainrule.Size([2, 10])
    """

    side = 28

    def __init__(self, classes: int = 10, activation: str = "relu", init: str = "default",
                 dropout: float = 0.0) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; expected one of "
                             f"{', '.join(sorted(ACTIVATIONS))}")
        if init not in ("default", "xavier", "kaiming"):
            raise ValueError(f"unknown init {init!r}; expected default, xavier or kaiming")
        self.activation_name = activation
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)
        self.act = ACTIVATIONS[activation]()
        self.dropout = nn.Dropout(dropout) if dropout else None
        if init != "default":
            self.initialise(init)

    @property
    def layers(self) -> list[nn.Module]:
        """The layers with weights, input first (the gradient-health report's per-layer
        norms)."""
        return [self.conv1, self.conv2, self.fc1, self.fc2, self.fc3]

    def initialise(self, scheme: str) -> None:
        nonlinearity = "relu" if self.activation_name == "relu" else "tanh"
        for layer in self.layers:
            last = layer is self.fc3
            if scheme == "xavier":
                gain = 1.0 if last else nn.init.calculate_gain(nonlinearity)
                nn.init.xavier_uniform_(layer.weight, gain=gain)
            else:
                nn.init.kaiming_normal_(layer.weight, nonlinearity="linear" if last else
                                        ("relu" if nonlinearity == "relu" else "leaky_relu"))
            nn.init.zeros_(layer.bias)

    def images(self, x: Tensor) -> Tensor:
        """x as (N, 1, 28, 28)."""
        if x.ndim == 4:
            return x
        if x.ndim == 3:
            return x.unsqueeze(1)
        if x.ndim != 2 or x.shape[1] != self.side * self.side:
            raise ValueError(f"LeNet5 takes 28×28 images: (N, 1, 28, 28), (N, 28, 28) or "
                             f"(N, 784), got shape {tuple(x.shape)}")
        return x.reshape(x.shape[0], 1, self.side, self.side)

    def hidden_layers(self, x: Tensor) -> list[Tensor]:
        """The activations of every hidden layer (for the gradient-health report)."""
        h1 = self.pool(self.act(self.conv1(self.images(x))))
        h2 = self.pool(self.act(self.conv2(h1)))
        h3 = self.act(self.fc1(h2.flatten(1)))
        h4 = self.act(self.fc2(h3))
        return [h1.flatten(1), h2.flatten(1), h3, h4]

    def forward(self, x: Tensor) -> Tensor:
        h = self.pool(self.act(self.conv1(self.images(x))))
        h = self.pool(self.act(self.conv2(h))).flatten(1)
        h = self.act(self.fc1(h))
        if self.dropout is not None:
            h = self.dropout(h)
        h = self.act(self.fc2(h))
        if self.dropout is not None:
            h = self.dropout(h)
        return self.fc3(h)  # type: ignore[no-any-return]

