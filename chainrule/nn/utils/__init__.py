"""PyTorch's `nn.utils`: one module per job, as in torch (`rnn`, `clip_grad`,
`convert_parameters`)."""

# The `x as x` aliases mark re-exports (ruff F401).
from . import clip_grad as clip_grad
from . import convert_parameters as convert_parameters
from . import rnn as rnn
from .clip_grad import clip_grad_norm_ as clip_grad_norm_
from .clip_grad import clip_grad_value_ as clip_grad_value_
from .clip_grad import clip_grads_with_norm_ as clip_grads_with_norm_
from .clip_grad import get_total_norm as get_total_norm
from .convert_parameters import parameters_to_vector as parameters_to_vector
from .convert_parameters import vector_to_parameters as vector_to_parameters
