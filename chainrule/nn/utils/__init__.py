"""PyTorch's `nn.utils`: one module per job, as in torch (`rnn`, `clip_grad`,
`convert_parameters`)."""

from . import rnn as rnn  # the alias marks it a re-export (ruff F401)
