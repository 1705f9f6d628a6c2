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
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

__all__ = ["Module", "Parameter", "Sequential", "ModuleList", "Linear", "Embedding", "Dropout",
           "Flatten", "Identity", "ReLU", "LeakyReLU", "Sigmoid", "Tanh", "Softplus", "Hardtanh",
           "GELU", "Softmax", "LogSoftmax", "CrossEntropyLoss", "NLLLoss", "MSELoss", "BCELoss",
           "BCEWithLogitsLoss", "MultiMarginLoss", "MarginRankingLoss", "functional", "init",
           "parallel", "utils"]
__all__ += ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
