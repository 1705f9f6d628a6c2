"""chainrule: reverse-mode automatic differentiation and neural networks, on NumPy.

    import chainrule as cr
    x = cr.tensor(-2.0, requires_grad=True)

The API mirrors PyTorch's (see the project's API contract); the engine is small enough to
read: `tensor.py` (the Tensor), `ops/` (the gates, each a forward and its local gradient
rule), `autograd/graph.py` (the backward pass).
"""

# The Tensor first: the gate modules and the autograd package are imported through it.
from .tensor import Tensor  # isort: skip
from . import autograd, backends, datasets, func, nn, optim, utils, viz  # noqa: E402
from ._dtype import (  # noqa: E402
    DType,
    bool_,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from ._dtype import bool_ as bool  # noqa: A001,E402 - PyTorch's name
from ._dtype import float32 as float  # noqa: A001,E402 - PyTorch's name
from ._dtype import int32 as int  # noqa: A001,E402 - PyTorch's name
from . import engine  # noqa: E402
from . import distributed  # noqa: E402 - imports no MPI until init_process_group
from .engine.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402
from .backends import Device as device  # noqa: E402
from .backends import cuda_available  # noqa: E402
from .creation import (  # noqa: E402
    arange,
    as_tensor,
    cat,
    concat,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    stack,
    tensor,
    zeros,
    zeros_like,
)
from ._namespace import *  # noqa: E402,F403 - the op table's cr.* functions
from ._namespace import __all__ as _namespace_names  # noqa: E402
from .serialization import load, save  # noqa: E402
from . import linalg, return_types  # noqa: E402 - reductions family: torch.linalg, return_types
from .random import (  # noqa: E402
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)

import builtins as _builtins  # noqa: E402 - `bool` above is chainrule.bool

__version__ = "0.1.0"


def get_default_dtype() -> DType:
    return float32


def is_floating_point(input: Tensor) -> _builtins.bool:  # noqa: A002 - PyTorch's name
    return input.is_floating_point()
