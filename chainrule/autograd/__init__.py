"""Reverse-mode automatic differentiation: the graph, the backward pass, and its tools."""

from . import functional
from .anomaly import detect_anomaly, is_anomaly_enabled
from .function import Function, Gate
from .grad import grad
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .graph import Node

__all__ = ["Function", "Gate", "Node", "grad", "gradcheck", "gradgradcheck", "GradcheckError",
           "detect_anomaly", "is_anomaly_enabled", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled", "functional"]
