"""The named pairs that reductions return, as `torch.return_types`: each unpacks as a tuple
(`values, indices = x.max(0)`) and names its fields (`x.max(0).indices`)."""

from __future__ import annotations

from collections import namedtuple

__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "aminmax",
           "histogram", "cummax", "cummin", "slogdet", "linalg_slogdet", "mode"]

max = namedtuple("max", ["values", "indices"])  # noqa: A001 - PyTorch's name
min = namedtuple("min", ["values", "indices"])  # noqa: A001 - PyTorch's name
sort = namedtuple("sort", ["values", "indices"])
topk = namedtuple("topk", ["values", "indices"])
kthvalue = namedtuple("kthvalue", ["values", "indices"])
median = namedtuple("median", ["values", "indices"])
nanmedian = namedtuple("nanmedian", ["values", "indices"])
cummax = namedtuple("cummax", ["values", "indices"])
cummin = namedtuple("cummin", ["values", "indices"])
aminmax = namedtuple("aminmax", ["min", "max"])
histogram = namedtuple("histogram", ["hist", "bin_edges"])
slogdet = namedtuple("slogdet", ["sign", "logabsdet"])
linalg_slogdet = namedtuple("linalg_slogdet", ["sign", "logabsdet"])
mode = namedtuple("mode", ["values", "indices"])
