"""Ready-made models of the lecture notes."""

from .mlp import ACTIVATIONS, MLP
from .window import WindowClassifier

__all__ = ["MLP", "ACTIVATIONS", "WindowClassifier"]
