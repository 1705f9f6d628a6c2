"""Seeing the chain rule: graph pictures with values and gradients, and a text trace of every
upstream × local product."""

from .draw import Drawing, draw
from .explain import explain
from .trace import Trace, trace_backward

__all__ = ["draw", "explain", "trace_backward", "Trace", "Drawing"]
