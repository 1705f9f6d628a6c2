"""Training a classifier end to end: configuration, data, the loop, and its records."""

from .config import TrainConfig
from .data import Splits, load_splits
from .trainer import TrainResult, evaluate_checkpoint, train

__all__ = ["TrainConfig", "Splits", "load_splits", "train", "TrainResult",
           "evaluate_checkpoint"]
