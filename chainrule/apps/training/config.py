"""What a training run is made of: every choice `chainrule train` offers, validated."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..errors import UsageError
from ..models.mlp import ACTIVATIONS

__all__ = ["TrainConfig", "DATASETS", "LOSSES", "OPTIMIZERS", "INITS", "SCHEDULES",
           "DEFAULT_LR"]

DATASETS = ("spiral", "quadrants", "mnist")
LOSSES = ("cross-entropy", "hinge", "mse")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "adam")
INITS = ("default", "xavier", "kaiming")
SCHEDULES = ("none", "cosine")
DEFAULT_LR = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.1,
              "adam": 0.01}


@dataclass
class TrainConfig:
    """One training run. `dataset` is spiral, quadrants, mnist, or a .csv/.npz path."""

    dataset: str = "spiral"
    data_dir: str | None = None
    hidden: list[int] = field(default_factory=lambda: [100])
    activation: str = "relu"
    loss: str = "cross-entropy"
    optimizer: str = "adam"
    lr: float | None = None
    weight_decay: float = 1e-4
    init: str = "default"
    batch_size: int = 32
    epochs: int = 40
    seed: int = 0
    out: str = "runs/latest"
    dropout: float = 0.0
    input_dropout: float = 0.0
    label_smoothing: float = 0.0
    schedule: str = "none"
    progress: bool = True

    @property
    def learning_rate(self) -> float:
        return DEFAULT_LR.get(self.optimizer, 0.01) if self.lr is None else self.lr

    def validate(self) -> None:
        """Raises UsageError (a ValueError) with one sentence for the first bad choice."""
        if self.dataset not in DATASETS and not self.dataset.endswith((".csv", ".npz")):
            raise UsageError(f"unknown data set '{self.dataset}': choose spiral, quadrants, "
                             "mnist, or a .csv or .npz file of features and labels")
        if self.dataset == "mnist" and not self.data_dir:
            raise UsageError("the mnist data set needs --data-dir, the folder holding the four "
                             "MNIST IDX files")
        checks = [
            (self.activation in ACTIVATIONS, f"unknown activation '{self.activation}': choose "
             f"one of {', '.join(sorted(ACTIVATIONS))}"),
            (self.loss in LOSSES, f"unknown loss '{self.loss}': choose one of "
             f"{', '.join(LOSSES)}"),
            (self.optimizer in OPTIMIZERS, f"unknown optimizer '{self.optimizer}': choose one "
             f"of {', '.join(OPTIMIZERS)}"),
            (self.init in INITS, f"unknown init '{self.init}': choose one of {', '.join(INITS)}"),
            (self.schedule in SCHEDULES, f"unknown schedule '{self.schedule}': choose "
             "none or cosine"),
            (all(size > 0 for size in self.hidden), f"hidden layer sizes must be positive, got "
             f"{self.hidden}"),
            (self.batch_size > 0, f"batch size must be positive, got {self.batch_size}"),
            (self.epochs > 0, f"epochs must be positive, got {self.epochs}"),
            (self.learning_rate > 0, f"the learning rate must be positive, got "
             f"{self.learning_rate}"),
            (self.weight_decay >= 0, f"weight decay must not be negative, got "
             f"{self.weight_decay}"),
            (0 <= self.dropout < 1 and 0 <= self.input_dropout < 1,
             "dropout probabilities must be in [0, 1)"),
            (0 <= self.label_smoothing < 1, "label smoothing must be in [0, 1)"),
        ]
        for ok, message in checks:
            if not ok:
                raise UsageError(message)

    def to_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["hidden"] = list(self.hidden)
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> TrainConfig:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in values.items() if key in known})
