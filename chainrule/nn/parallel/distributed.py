"""`DistributedDataParallel`: data-parallel training of a module across processes.

Each process runs the same model on its own share of every batch; after each backward pass
every process holds the gradients averaged over all of them, so the same optimiser step
keeps the copies equal. With a batch split evenly, N processes with batches of B rows end
where one process with batches of N·B rows would (to float rounding).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from ... import distributed as dist
from ...tensor import Tensor
from ..module import Module
from .reducer import Reducer

__all__ = ["DistributedDataParallel"]

_MIB = 1024 * 1024
_DEFAULT_BUCKET_CAP_MB = 25
_DEFAULT_FIRST_BUCKET_BYTES = 1 * _MIB


class DistributedDataParallel(Module):
    """Wraps `module` for data-parallel training over `chainrule.distributed`'s processes.

    When built, it copies rank 0's parameters and buffers to every process (after checking
    that all processes hold the same parameter names, shapes and dtypes). During each
    backward pass it averages the gradients across processes, in buckets of about
    `bucket_cap_mb` MiB whose non-blocking all-reduces start as soon as each bucket's
    gradients are complete, overlapping the rest of backward (see `reducer`). Inside
    `no_sync()`, gradients accumulate locally; the first backward after it averages the sum.
    Before each forward, with `broadcast_buffers`, rank 0's buffers are copied to the others.

    Every parameter that requires grad must receive a gradient in each backward
    (`find_unused_parameters=True` is not supported: freeze unused parameters instead).

        dist.init_process_group("mpi")
        model = DistributedDataParallel(model)
        loss_fn(model(shard), targets).backward()   # .grad: the average over processes
    """

    def __init__(self, module: Module, device_ids: Any = None, output_device: Any = None,
                 dim: int = 0, broadcast_buffers: bool = True, process_group: Any = None,
                 bucket_cap_mb: float | None = None, find_unused_parameters: bool = False,
                 **ignored: Any) -> None:
        super().__init__()
        if find_unused_parameters:
            raise ValueError("DistributedDataParallel: find_unused_parameters=True is not "
                             "supported; every parameter that requires grad must get a "
                             "gradient in each backward (set requires_grad_(False) on unused "
                             "ones)")
        if process_group is not None:
            raise ValueError("DistributedDataParallel: the mpi backend has the default "
                             "process group only; pass process_group=None")
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.require_backward_grad_sync = True
        self.world_size = dist.get_world_size()
        named = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
        self._sync_module_states()
        if bucket_cap_mb is None:
            bucket_bytes, first_bytes = _DEFAULT_BUCKET_CAP_MB * _MIB, _DEFAULT_FIRST_BUCKET_BYTES
        else:
            bucket_bytes = first_bytes = max(1, int(bucket_cap_mb * _MIB))
        self.bucket_cap_mb = bucket_bytes / _MIB
        sparse = _sparse_parameters(module)
        self.reducer = Reducer([p for _, p in named], [name for name, _ in named],
                               bucket_bytes, first_bytes, [id(p) in sparse for _, p in named]
                               ) if self.world_size > 1 else None

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        if self.reducer is not None and self.reducer.unfinished:
            missing = ", ".join(self.reducer.unfinished)
            raise RuntimeError("DistributedDataParallel: the previous backward pass did not "
                               f"reach every parameter, so its gradients were never averaged "
                               f"(no gradient for: {missing}). Every parameter that requires "
                               "grad must take part in the loss")
        if self.broadcast_buffers and self.world_size > 1:
            for buffer in self.module.buffers():
                dist.broadcast(buffer, src=0)
        return self.module(*inputs, **kwargs)

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """Backward passes inside accumulate gradients without averaging them."""
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        if self.reducer is not None:
            self.reducer.enabled = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous
            if self.reducer is not None:
                self.reducer.enabled = previous

    def _sync_module_states(self) -> None:
        """Checks that every process has the same parameters, then copies rank 0's
        parameters and buffers everywhere."""
        states = list(self.module.state_dict().items())
        if self.world_size == 1:
            return
        signature = repr([(name, tuple(t.shape), str(t.dtype)) for name, t in states])
        mine = Tensor._make(np.array([zlib.crc32(signature.encode())], np.int64), None)
        everyone = [Tensor._make(np.zeros(1, np.int64), None) for _ in range(self.world_size)]
        dist.all_gather(everyone, mine)
        differing = [rank for rank, value in enumerate(everyone)
                     if value.item() != everyone[0].item()]
        if differing:
            raise RuntimeError(f"DistributedDataParallel: the module on rank(s) "
                               f"{', '.join(map(str, differing))} has parameters or buffers "
                               "whose names, shapes or dtypes differ from rank 0's; every "
                               "process must build the same model")
        for _, tensor in states:
            dist.broadcast(tensor, src=0)


def _sparse_parameters(module: Module) -> set[int]:
    """The parameters whose gradients are row-sparse (embeddings with sparse=True)."""
    from ..layers import Embedding

    return {id(layer.weight) for layer in module.modules()
            if isinstance(layer, Embedding) and layer.sparse}
