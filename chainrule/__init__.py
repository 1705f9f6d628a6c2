"""chainrule: reverse-mode automatic differentiation and neural networks, on NumPy.

    import chainrule as cr
    x = cr.tensor(-2.0, requires_grad=True)

The API mirrors PyTorch's (see the project's API contract); the engine is small enough to
read: `tensor.py` (the Tensor), `ops/` (the gates, each a forward and its local gradient
rule), `autograd/graph.py` (the backward pass).
"""

from ._malloc import tune_malloc as _tune_malloc  # isort: skip

_tune_malloc()  # before any array: see _malloc.py (a training step's arrays keep their pages)

# The Tensor first: the gate modules and the autograd package are imported through it.
from .tensor import Tensor  # isort: skip  # noqa: E402
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
# ---- creation, randomness, dtypes, devices, printing (issue #12)
from . import accelerator, cuda  # noqa: E402
from ._dtype import get_default_dtype, set_default_dtype  # noqa: E402
from ._dtype_info import can_cast, finfo, iinfo, promote_types, result_type  # noqa: E402
from ._inference import inference_mode, is_inference_mode_enabled  # noqa: E402
from ._legacy import (  # noqa: E402
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from ._printing import get_printoptions, printoptions, set_printoptions  # noqa: E402
from ._size import Size  # noqa: E402
from .backends import get_default_device, set_default_device  # noqa: E402
from .creation import (  # noqa: E402
    arange,
    as_tensor,
    asarray,
    cat,
    concat,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    ones,
    ones_like,
    scalar_tensor,
    stack,
    tensor,
    zeros,
    zeros_like,
)
from ._namespace import *  # noqa: E402,F403 - the op table's cr.* functions
from ._namespace import __all__ as _namespace_names  # noqa: E402
from .serialization import load, save  # noqa: E402
from . import special  # noqa: E402 - torch.special's functions (uses the cr.* functions)
from . import linalg, return_types  # noqa: E402 - reductions family: torch.linalg, return_types
from .random import (  # noqa: E402
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)

from .compiler import compile  # noqa: A004,E402 - torch.compile (torch.compiler: the package)
from . import compiler  # noqa: E402

import builtins as _builtins  # noqa: E402 - `bool` above is chainrule.bool

__version__ = "0.1.0"


def is_floating_point(input: Tensor) -> _builtins.bool:  # noqa: A002 - PyTorch's name
    return input.is_floating_point()

# ---------------------------------------------------------------------- issue #12 (extras)
from . import functional, profiler  # noqa: E402 - torch.functional, torch.profiler
from .functional import (  # noqa: E402
    atleast_1d,
    atleast_2d,
    atleast_3d,
    block_diag,
    broadcast_shapes,
    broadcast_tensors,
    cartesian_prod,
    chain_matmul,
    unique_consecutive,
    unravel_index,
)
