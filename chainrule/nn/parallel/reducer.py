"""The reducer: averages the gradients of a model's parameters across processes, bucket by
bucket, while the backward pass goes on (PyTorch's DDP reducer, on MPI).

The parameters are grouped into buckets of about `bucket_bytes` (`assign_buckets`), reduced
in the reverse of the model's order, which is about the order backward finishes their
gradients; the first layers' bucket is smaller (`first_bucket_bytes`), so that little is
left to send when backward ends.
Each parameter's post-accumulate-grad hook tells the reducer that its gradient is complete;
when a bucket is complete, and every bucket before it has been started (all processes must
start the same collectives in the same order), its all-reduce is started, non-blocking, and
backward carries on computing the remaining gradients while MPI moves this bucket's. The
bucket completed by the last gradient has nothing left to overlap, so it goes through MPI's
blocking all-reduce (its faster algorithms), and then every outstanding one is waited for:
when `backward()` returns, every `.grad` holds the average over the processes.

In a bucket, a large contiguous gradient is reduced in place, as it is; the small ones are
copied into one flat buffer per dtype (one message instead of many) and copied back.
A row-sparse gradient (an embedding with `sparse=True`) is gathered from all processes, its
rows concatenated and its values divided by the number of processes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ... import distributed as dist
from ...engine.sparse import SparseRows
from ...tensor import Tensor

__all__ = ["Reducer", "assign_buckets"]

_IN_PLACE_BYTES = 256 * 1024  # a gradient this large is its own message


def assign_buckets(params: Sequence[Tensor], limits: Sequence[int],
                   sparse: Sequence[bool] | None = None) -> list[list[int]]:
    """Indices of `params` per bucket, in the order the buckets are reduced, PyTorch's way.

    Going through the parameters in model order, with one open bucket per dtype, a bucket
    closes once it holds at least its limit (`limits[0]` for a dtype's first bucket, then
    each next one, the last repeating); a parameter with sparse gradients is a bucket of its
    own. The buckets are then reversed, since backward finishes the last layers first: the
    small first bucket, holding the first layers, is reduced last, so little is left to
    send once backward ends."""
    buckets: list[list[int]] = []
    open_buckets: dict[Any, tuple[list[int], int]] = {}
    level: dict[Any, int] = {}
    for index, param in enumerate(params):
        if sparse is not None and sparse[index]:
            buckets.append([index])
            continue
        array = param._array
        members, size = open_buckets.pop(array.dtype, ([], 0))
        members.append(index)
        size += array.nbytes
        if size >= limits[min(level.get(array.dtype, 0), len(limits) - 1)]:
            buckets.append(members)
            level[array.dtype] = level.get(array.dtype, 0) + 1
        else:
            open_buckets[array.dtype] = (members, size)
    buckets.extend(members for members, _ in open_buckets.values())
    return sorted(buckets, key=min, reverse=True)


class Reducer:
    """Averages the parameters' gradients across processes during each backward pass."""

    def __init__(self, params: Sequence[Tensor], names: Sequence[str], bucket_bytes: int,
                 first_bucket_bytes: int, sparse: Sequence[bool] | None = None) -> None:
        self.params = list(params)
        self.names = list(names)
        self.buckets = assign_buckets(self.params, [first_bucket_bytes, bucket_bytes], sparse)
        self.bucket_of = {id(self.params[i]): b for b, members in enumerate(self.buckets)
                          for i in members}
        self.enabled = True  # False inside DistributedDataParallel.no_sync()
        self.handles = [p.register_post_accumulate_grad_hook(self._gradient_ready)
                        for p in self.params]
        self._new_pass()

    def _new_pass(self) -> None:
        self.waiting = [len(members) for members in self.buckets]
        self.ready: set[int] = set()
        self.next_bucket = 0
        self.in_flight: list[tuple[dist.Work, Any]] = []

    @property
    def unfinished(self) -> list[str]:
        """Parameters still without a gradient in a backward pass that has begun reducing."""
        if not self.ready:
            return []
        return [name for name, p in zip(self.names, self.params) if id(p) not in self.ready]

    def remove(self) -> None:
        for handle in self.handles:
            handle.remove()

    def _gradient_ready(self, param: Tensor) -> None:
        if not self.enabled:
            return  # no_sync(): gradients accumulate here until a synchronised backward
        key = id(param)
        if key in self.ready:
            raise RuntimeError("DistributedDataParallel: a parameter's gradient was completed "
                               "twice in one reduction (a second backward before the first "
                               "one's gradients reached every parameter)")
        self.ready.add(key)
        bucket = self.bucket_of[key]
        self.waiting[bucket] -= 1
        last = len(self.ready) == len(self.params)
        while self.next_bucket < len(self.buckets) and self.waiting[self.next_bucket] == 0:
            self._start(self.buckets[self.next_bucket], blocking=last)
            self.next_bucket += 1
        if last:
            self._finish()
        else:
            for work, _ in self.in_flight:
                work.is_completed()  # lets MPI move the messages along

    def _start(self, members: list[int], blocking: bool) -> None:
        small: dict[Any, list[Tensor]] = {}
        for index in members:
            param = self.params[index]
            grad: Any = param.grad  # a dense gradient held as rows is averaged as dense
            if isinstance(grad, SparseRows):
                param._grad = _average_sparse(grad)
                continue
            array = grad._array
            if array.nbytes >= _IN_PLACE_BYTES and array.flags.c_contiguous and \
                    isinstance(array, np.ndarray):
                self._all_reduce(grad, None, blocking)
            else:
                small.setdefault(array.dtype, []).append(grad)
        for grads in small.values():
            flat = np.concatenate([g._array.ravel() for g in grads])  # always a new array
            self._all_reduce(Tensor._make(flat, None), grads, blocking)

    def _all_reduce(self, buffer: Tensor, unpack_into: list[Tensor] | None,
                    blocking: bool) -> None:
        if blocking:
            dist.all_reduce(buffer, dist.ReduceOp.AVG)
            _unpack(buffer, unpack_into)
        else:
            work = dist.all_reduce(buffer, dist.ReduceOp.AVG, async_op=True)
            assert work is not None
            self.in_flight.append((work, (buffer, unpack_into)))

    def _finish(self) -> None:
        for work, (buffer, unpack_into) in self.in_flight:
            work.wait()
            _unpack(buffer, unpack_into)
        self._new_pass()


def _unpack(buffer: Tensor, grads: list[Tensor] | None) -> None:
    """Copies a flat buffer's averaged values back into the gradients it was made of."""
    if grads is None:
        return
    flat, offset = buffer._array, 0
    for grad in grads:
        size = grad._array.size
        np.copyto(grad._array, flat[offset:offset + size].reshape(grad._array.shape))
        offset += size


def _average_sparse(grad: SparseRows) -> SparseRows:
    """Every process's rows and values, the values divided by the number of processes."""
    size = dist.get_world_size()
    rows = np.ascontiguousarray(grad.rows, dtype=np.int64)
    values = np.ascontiguousarray(grad.values)
    counts = [Tensor._make(np.zeros(1, np.int64), None) for _ in range(size)]
    dist.all_gather(counts, Tensor._make(np.array([rows.shape[0]], np.int64), None))
    lengths = [int(c._array[0]) for c in counts]
    row_parts = [Tensor._make(np.empty(n, np.int64), None) for n in lengths]
    dist.all_gather(row_parts, Tensor._make(rows, None))
    value_parts = [Tensor._make(np.empty((n, *values.shape[1:]), values.dtype), None)
                   for n in lengths]
    dist.all_gather(value_parts, Tensor._make(values, None))
    all_values = np.concatenate([v._array for v in value_parts])
    all_values /= size
    return SparseRows(np.concatenate([r._array for r in row_parts]), all_values, grad.shape)
