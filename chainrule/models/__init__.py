"""Ready-made models of the lecture notes."""

from .mlp import ACTIVATIONS, MLP

__all__ = ["MLP", "ACTIVATIONS"]
