"""Neural networks: modules, layers, activations, losses, initialisers (PyTorch's `nn`)."""

from . import functional, init, parallel, utils
from .activation import (
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from .containers import ModuleList, Sequential
from .layers import Dropout, Embedding, Flatten, Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    MarginRankingLoss,
    MSELoss,
    MultiMarginLoss,
    NLLLoss,
)
from .module import Module
from .parameter import Parameter

__all__ = ["Module", "Parameter", "Sequential", "ModuleList", "Linear", "Embedding", "Dropout",
           "Flatten", "Identity", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softplus", "Hardtanh",
           "GELU", "Softmax", "LogSoftmax", "CrossEntropyLoss", "NLLLoss", "MSELoss", "BCELoss",
           "BCEWithLogitsLoss", "MultiMarginLoss", "MarginRankingLoss", "functional", "init",
           "parallel", "utils"]

# ---------------------------------------------------------------------- more layers (issue #13)
from .activation import (  # noqa: E402
    CELU,
    ELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    LogSigmoid,
    Mish,
    PReLU,
    ReLU6,
    SiLU,
    Softmin,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from .normalization import (  # noqa: E402
    CosineSimilarity,
    GroupNorm,
    LayerNorm,
    PairwiseDistance,
    Unflatten,
)

__all__ += ["ELU", "CELU", "SELU", "SiLU", "Mish", "ReLU6", "Hardsigmoid", "Hardswish",
            "LogSigmoid", "Softsign", "Tanhshrink", "Softmin", "Hardshrink", "Softshrink",
            "Threshold", "GLU", "PReLU", "LayerNorm", "GroupNorm", "Unflatten",
            "CosineSimilarity", "PairwiseDistance"]
from .loss import HuberLoss, L1Loss, SmoothL1Loss  # noqa: E402

__all__ += ["L1Loss", "SmoothL1Loss", "HuberLoss"]
