"""Ready-made models of the lecture notes, and LeNet-5."""

from .lenet import LeNet5
from .mlp import ACTIVATIONS, MLP
from .window import WindowClassifier

__all__ = ["MLP", "ACTIVATIONS", "WindowClassifier", "LeNet5"]
