"""PyTorch's `nn.utils`: one module per job, as in torch (`rnn`, `clip_grad`,
`convert_parameters`)."""

from . import rnn
