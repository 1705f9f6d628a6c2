"""Reverse-mode automatic differentiation, PyTorch's `torch.autograd`: custom gates
(`Function`), `grad`, `gradcheck`, anomaly detection and grad mode. The engine itself (the
graph and the backward pass) is `chainrule.engine`."""

from .._legacy import Variable
from ..engine.anomaly import detect_anomaly, is_anomaly_enabled
from ..engine.gate import Function, Gate
from ..engine.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from . import functional
from .grad import grad
from .gradcheck import GradcheckError, gradcheck, gradgradcheck

__all__ = ["Function", "Gate", "grad", "gradcheck", "gradgradcheck", "GradcheckError",
           "detect_anomaly", "is_anomaly_enabled", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled", "functional", "Variable"]
