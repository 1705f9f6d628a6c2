"""Datasets and the DataLoader that batches them: PyTorch's `torch.utils.data`, laid out as
torch lays it out (`dataset`, `sampler`, `dataloader`, `distributed`; `collate` holds
`default_collate`), so imports written for torch resolve here too.

Random orders draw from chainrule's seeded generator, so `cr.manual_seed` (or a
`cr.Generator` passed as `generator=`) makes epochs reproducible.
"""

from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .distributed import DistributedSampler
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset",
           "ChainDataset", "Subset", "random_split", "Sampler", "SequentialSampler",
           "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
           "DistributedSampler", "DataLoader", "default_collate", "default_convert",
           "get_worker_info"]
