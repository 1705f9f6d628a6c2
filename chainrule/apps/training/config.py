"""What a training run is made of: every choice `chainrule train` offers, validated."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..models.mlp import ACTIVATIONS

__all__ = ["TrainConfig", "DATASETS", "MODELS", "MODEL_SCHEDULES", "LOSSES", "OPTIMIZERS",
           "INITS", "SCHEDULES", "DEFAULT_LR", "default_epochs", "dataset_name"]

DATASETS = ("spiral", "quadrants", "mnist")
#: mlp: the notes' multilayer perceptron (--hidden sizes); lenet: LeNet-5 on 28×28 images.
MODELS = ("mlp", "lenet")
#: The command's schedule for a model when --schedule is not given: a cosine decay to 0 over
#: the run settles LeNet-5's last epochs, which end the run, where a constant Adam step
#: leaves the test error wandering by a few tenths of a percent from epoch to epoch.
MODEL_SCHEDULES = {"lenet": "cosine"}
LOSSES = ("cross-entropy", "hinge", "mse")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "adam")
INITS = ("default", "xavier", "kaiming")
SCHEDULES = ("none", "cosine")
#: Adam's is PyTorch's default (optim.Adam(lr=1e-3)); 1e-2 made the loss of an MLP on a
#: 10-class image set rise in its second epoch.
DEFAULT_LR = {"sgd": 0.5, "momentum": 0.1, "nesterov": 0.1, "adagrad": 0.1,
              "adam": 1e-3}
#: Without --epochs a run takes about this many steps (at least 10 epochs, at most 400):
#: 400 epochs of the 300-point spiral, 10 of MNIST.
DEFAULT_STEPS = 4000
MIN_EPOCHS, MAX_EPOCHS = 10, 400


def default_epochs(samples: int, batch_size: int) -> int:
    """Epochs for about DEFAULT_STEPS steps over `samples` training samples.

    >>> default_epochs(300, 32), default_epochs(55000, 32)
    (400, 10)
    """
    steps_per_epoch = max(-(-samples // batch_size), 1)
    return min(max(-(-DEFAULT_STEPS // steps_per_epoch), MIN_EPOCHS), MAX_EPOCHS)


@dataclass
class TrainConfig:
    """One training run. `dataset` is spiral, quadrants, mnist (with `data_dir`), a folder of
    the four MNIST-format IDX files, or a .csv/.npz path. `epochs=None` means
    `default_epochs` for the training set's size."""

    dataset: str = "spiral"
    data_dir: str | None = None
    hidden: list[int] = field(default_factory=lambda: [256])
    activation: str = "relu"
    loss: str = "cross-entropy"
    optimizer: str = "adam"
    lr: float | None = None
    weight_decay: float = 1e-4
    init: str = "default"
    batch_size: int = 32
    epochs: int | None = None
    seed: int = 0
    out: str = "runs/latest"
    dropout: float = 0.0
    input_dropout: float = 0.0
    label_smoothing: float = 0.0
    schedule: str = "none"
    progress: bool = True
    tensorboard: str | None = None  # a folder for TensorBoard event files, one entry an epoch
    model: str = "mlp"
    compile: bool = False  # the gradient step under cr.compile (`fit(compile_step=True)`)

    @property
    def learning_rate(self) -> float:
        return DEFAULT_LR.get(self.optimizer, 0.01) if self.lr is None else self.lr

    def validate(self) -> None:
        """Raises UsageError (a ValueError) with one sentence for the first bad choice."""
        if self.dataset not in DATASETS and not self.dataset.endswith((".csv", ".npz")) and \
                not Path(self.dataset).is_dir():
            raise UsageError(f"unknown data set '{self.dataset}': choose spiral, quadrants, "
                             "mnist, a folder of MNIST-format IDX files, or a .csv or .npz "
                             "file of features and labels")
        if self.dataset == "mnist" and not self.data_dir:
            raise UsageError("the mnist data set needs --data-dir, the folder holding the four "
                             "MNIST IDX files")
        checks = [
            (self.model in MODELS, f"unknown model '{self.model}': choose one of "
             f"{', '.join(MODELS)}"),
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
            (self.epochs is None or self.epochs > 0, f"epochs must be positive, got "
             f"{self.epochs}"),
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


def dataset_name(config: TrainConfig) -> str:
    """What the run's data is called in its output and pictures: the folder's own name for
    IDX files (an MNIST-format copy of another data set is not "mnist"), the file's name for
    a table."""
    if config.dataset == "mnist" and config.data_dir:
        return Path(config.data_dir).resolve().name or "mnist"
    if config.dataset in DATASETS:
        return config.dataset
    return Path(config.dataset).resolve().name or config.dataset
