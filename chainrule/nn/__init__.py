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
from .batchnorm import BatchNorm1d, BatchNorm2d
from .containers import ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .conv_transpose import ConvTranspose1d, ConvTranspose2d
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
from .pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    Dropout1d,
    Dropout2d,
    MaxPool1d,
    MaxPool2d,
)
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

__all__ = ["Module", "Parameter", "Sequential", "ModuleList", "Linear", "Embedding", "Dropout",
           "Flatten", "Identity", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softplus", "Hardtanh",
           "GELU", "Softmax", "LogSoftmax", "CrossEntropyLoss", "NLLLoss", "MSELoss", "BCELoss",
           "BCEWithLogitsLoss", "MultiMarginLoss", "MarginRankingLoss", "functional", "init",
           "parallel", "utils"]
__all__ += ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
__all__ += ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d",
            "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
            "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "BatchNorm1d", "BatchNorm2d", "Dropout1d",
            "Dropout2d"]


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
