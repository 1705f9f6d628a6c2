"""PyTorch's collectives and point-to-point calls, on MPI (mpi4py's buffer interface).

Each call works in place on the tensors' NumPy arrays, as `torch.distributed` does: no copy
is made of a C-contiguous array, and a strided one is staged through a contiguous copy and
written back. Blocking calls use MPI's blocking operations (its fastest algorithms); with
`async_op=True` the call starts MPI's non-blocking counterpart and returns a `Work`, whose
`wait()` completes it. Every process must issue the same collectives in the same order.

>>> import chainrule.distributed as dist
>>> dist.ReduceOp.AVG
<ReduceOp.AVG: 'avg'>
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

import numpy as np

from ..tensor import Tensor
from .group import World, world

__all__ = ["ReduceOp", "Work", "barrier", "all_reduce", "broadcast", "all_gather", "reduce",
           "gather", "scatter", "send", "recv", "isend", "irecv"]


class ReduceOp(enum.Enum):
    """How `all_reduce` and `reduce` combine the processes' tensors, element by element."""

    SUM = "sum"
    AVG = "avg"  # the sum divided by the world size (floating tensors)
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


_MPI_OPS = {ReduceOp.SUM: "SUM", ReduceOp.AVG: "SUM", ReduceOp.PRODUCT: "PROD",
            ReduceOp.MIN: "MIN", ReduceOp.MAX: "MAX", ReduceOp.BAND: "BAND",
            ReduceOp.BOR: "BOR", ReduceOp.BXOR: "BXOR"}
# MPI combines booleans with logical operations only: a sum of flags is "any", a product "all".
_BOOL_OPS = {ReduceOp.SUM: "LOR", ReduceOp.MAX: "LOR", ReduceOp.BOR: "LOR",
             ReduceOp.PRODUCT: "LAND", ReduceOp.MIN: "LAND", ReduceOp.BAND: "LAND",
             ReduceOp.BXOR: "LXOR"}

Finish = Callable[[], None]


class Work:
    """A call started with `async_op=True`: `wait()` blocks until it is done (and the
    tensors hold the result); `is_completed()` asks without blocking."""

    def __init__(self, requests: list[Any], finish: Finish | None, name: str, sequence: int,
                 peers: list[int] | None = None) -> None:
        self._requests = requests
        self._finish = finish
        self._name = name
        self._sequence = sequence
        self._peers = peers
        self._done = False

    def wait(self, timeout: timedelta | None = None) -> bool:
        """Blocks until the call is done; with `timeout`, raises RuntimeError past it."""
        if self._done:
            return True
        here = world()
        with here.watchdog.watching(self._name, self._sequence, self._peers):
            if timeout is None:
                here.mpi.Request.Waitall(self._requests)
            else:
                deadline = time.monotonic() + timeout.total_seconds()
                while not here.mpi.Request.Testall(self._requests):
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"{self._name}: not done after {timeout}")
                    time.sleep(0.0005)
        self._complete()
        return True

    def is_completed(self) -> bool:
        if not self._done and world().mpi.Request.Testall(self._requests):
            self._complete()
        return self._done

    def is_success(self) -> bool:
        return self.is_completed()

    def _complete(self) -> None:
        self._done = True
        if self._finish is not None:
            self._finish()


# ---------------------------------------------------------------------- arrays and checks
def _array(tensor: Any, call: str) -> np.ndarray:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{call}: expected a Tensor, got {type(tensor).__name__}")
    array = tensor._array
    if not isinstance(array, np.ndarray):
        raise TypeError(f"{call}: the mpi backend moves NumPy arrays; this tensor is on "
                        f"{tensor.device}, move it with .cpu() first")
    return array


def _staged(tensor: Any, call: str) -> tuple[np.ndarray, Finish | None]:
    """The tensor's array as MPI's buffer, and what writes a staged copy back (or None)."""
    array = _array(tensor, call)
    if array.flags.c_contiguous:
        return array, None
    staged = np.ascontiguousarray(array)
    return staged, lambda: np.copyto(array, staged)


def _then(*steps: Finish | None) -> Finish | None:
    present = [step for step in steps if step is not None]
    if not present:
        return None

    def run() -> None:
        for step in present:
            step()
    return run


def _rank_argument(value: int | None, group_value: int | None, here: World, call: str,
                   name: str) -> int:
    """`dst`/`src`, PyTorch's way: rank 0 when neither it nor `group_dst` is given."""
    if value is not None and group_value is not None:
        raise ValueError(f"{call}: give {name} or group_{name}, not both")
    rank = value if value is not None else (group_value if group_value is not None else 0)
    if not 0 <= rank < here.size:
        raise ValueError(f"{call}: {name}={rank} is not a rank of this job (0 to "
                         f"{here.size - 1})")
    return rank


def _check_group(group: Any, call: str) -> World:
    if group is not None:
        raise ValueError(f"{call}: the mpi backend has the default group only; pass "
                         "group=None")
    return world()


def _mpi_op(here: World, op: Any, array: np.ndarray, call: str) -> Any:
    if not isinstance(op, ReduceOp):
        raise TypeError(f"{call}: op must be a dist.ReduceOp, got {op!r}")
    if op is ReduceOp.AVG and array.dtype.kind not in "fc":
        raise TypeError(f"{call}: ReduceOp.AVG needs a floating tensor, got {array.dtype}")
    table = _BOOL_OPS if array.dtype == np.bool_ else _MPI_OPS
    return getattr(here.mpi, table[op])


def _averaged(array: np.ndarray, size: int) -> Finish:
    return lambda: np.divide(array, size, out=array)


def _run(here: World, name: str, blocking: Callable[[], Any], starting: Callable[[], Any],
         finish: Finish | None, async_op: bool, peers: list[int] | None = None,
         collective: bool = True) -> Work | None:
    """Runs a call: blocking, watched by the watchdog, or started and handed back as Work."""
    watchdog = here.watchdog
    sequence = watchdog.next_sequence() if collective else watchdog.sequence
    if async_op:
        request = starting()
        return Work(request if isinstance(request, list) else [request], finish, name,
                    sequence, peers)
    with watchdog.watching(name, sequence, peers):
        blocking()
    if finish is not None:
        finish()
    return None


# ---------------------------------------------------------------------- collectives
def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None
            ) -> Work | None:
    """Waits until every process has called barrier."""
    here = _check_group(group, "barrier")
    comm = here.comm
    return _run(here, "barrier", comm.Barrier, comm.Ibarrier, None, async_op)


def all_reduce(tensor: Tensor, op: ReduceOp = ReduceOp.SUM, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Combines `tensor` across processes with `op`; every process gets the result, in
    place."""
    here = _check_group(group, "all_reduce")
    array, write_back = _staged(tensor, "all_reduce")
    mpi_op = _mpi_op(here, op, array, "all_reduce")
    comm, in_place = here.comm, here.mpi.IN_PLACE
    finish = _then(_averaged(array, here.size) if op is ReduceOp.AVG else None, write_back)
    return _run(here, "all_reduce", lambda: comm.Allreduce(in_place, array, mpi_op),
                lambda: comm.Iallreduce(in_place, array, mpi_op), finish, async_op)


def broadcast(tensor: Tensor, src: int | None = None, group: Any = None,
              async_op: bool = False, group_src: int | None = None) -> Work | None:
    """Copies rank `src`'s tensor into every other process's `tensor`."""
    here = _check_group(group, "broadcast")
    root = _rank_argument(src, group_src, here, "broadcast", "src")
    array, write_back = _staged(tensor, "broadcast")
    comm = here.comm
    return _run(here, "broadcast", lambda: comm.Bcast(array, root=root),
                lambda: comm.Ibcast(array, root=root), write_back, async_op)


def reduce(tensor: Tensor, dst: int | None = None, op: ReduceOp = ReduceOp.SUM,
           group: Any = None, async_op: bool = False, group_dst: int | None = None
           ) -> Work | None:
    """Combines `tensor` across processes with `op` into rank `dst`'s tensor (the others
    keep theirs)."""
    here = _check_group(group, "reduce")
    root = _rank_argument(dst, group_dst, here, "reduce", "dst")
    array, write_back = _staged(tensor, "reduce")
    mpi_op = _mpi_op(here, op, array, "reduce")
    comm = here.comm
    if here.rank == root:
        send, receive = here.mpi.IN_PLACE, array
        finish = _then(_averaged(array, here.size) if op is ReduceOp.AVG else None,
                       write_back)
    else:
        send, receive, finish = array, None, None
    return _run(here, "reduce", lambda: comm.Reduce(send, receive, mpi_op, root=root),
                lambda: comm.Ireduce(send, receive, mpi_op, root=root), finish, async_op)


def _flat_parts(tensors: Sequence[Tensor], like: np.ndarray, call: str, name: str
                ) -> tuple[np.ndarray, list[int], list[int]]:
    """One buffer for a list of tensors (one per rank), with counts and offsets."""
    for tensor in tensors:
        if _array(tensor, call).dtype != like.dtype:
            raise TypeError(f"{call}: {name} holds a {tensor.dtype} tensor, but the tensor is "
                            f"{like.dtype}")
    counts = [int(t._array.size) for t in tensors]
    offsets = [int(v) for v in np.cumsum([0, *counts[:-1]])]
    return np.empty(sum(counts), like.dtype), counts, offsets


def _unpack(buffer: np.ndarray, tensors: Sequence[Tensor], offsets: list[int]) -> Finish:
    def run() -> None:
        for tensor, offset in zip(tensors, offsets):
            part = buffer[offset:offset + tensor._array.size]
            np.copyto(tensor._array, part.reshape(tensor._array.shape))
    return run


def _one_per_rank(tensors: Any, here: World, call: str, name: str) -> list[Tensor]:
    if not isinstance(tensors, (list, tuple)) or len(tensors) != here.size:
        count = len(tensors) if isinstance(tensors, (list, tuple)) else type(tensors).__name__
        raise ValueError(f"{call}: {name} must be a list of one tensor per process "
                         f"({here.size}), got {count}")
    return list(tensors)


def all_gather(tensor_list: list[Tensor], tensor: Tensor, group: Any = None,
               async_op: bool = False) -> Work | None:
    """Every process's `tensor` into `tensor_list[rank]` on every process (sizes may
    differ from rank to rank)."""
    here = _check_group(group, "all_gather")
    outputs = _one_per_rank(tensor_list, here, "all_gather", "tensor_list")
    array, _ = _staged(tensor, "all_gather")
    buffer, counts, offsets = _flat_parts(outputs, array, "all_gather", "tensor_list")
    receive = [buffer, (counts, offsets)]
    comm = here.comm
    return _run(here, "all_gather", lambda: comm.Allgatherv(array, receive),
                lambda: comm.Iallgatherv(array, receive), _unpack(buffer, outputs, offsets),
                async_op)


def gather(tensor: Tensor, gather_list: list[Tensor] | None = None, dst: int | None = None,
           group: Any = None, async_op: bool = False, group_dst: int | None = None
           ) -> Work | None:
    """Every process's `tensor` into `gather_list[rank]` on rank `dst` (which alone gives
    `gather_list`)."""
    here = _check_group(group, "gather")
    root = _rank_argument(dst, group_dst, here, "gather", "dst")
    array, _ = _staged(tensor, "gather")
    receive: Any = None
    finish: Finish | None = None
    if here.rank == root:
        outputs = _one_per_rank(gather_list, here, "gather", "gather_list")
        buffer, counts, offsets = _flat_parts(outputs, array, "gather", "gather_list")
        receive, finish = [buffer, (counts, offsets)], _unpack(buffer, outputs, offsets)
    elif gather_list is not None:
        raise ValueError("gather: gather_list must not be given on ranks other than dst "
                         f"({root})")
    comm = here.comm
    return _run(here, "gather", lambda: comm.Gatherv(array, receive, root=root),
                lambda: comm.Igatherv(array, receive, root=root), finish, async_op)


def scatter(tensor: Tensor, scatter_list: list[Tensor] | None = None, src: int | None = None,
            group: Any = None, async_op: bool = False, group_src: int | None = None
            ) -> Work | None:
    """`scatter_list[rank]` of rank `src` (which alone gives `scatter_list`) into each
    process's `tensor`."""
    here = _check_group(group, "scatter")
    root = _rank_argument(src, group_src, here, "scatter", "src")
    array, write_back = _staged(tensor, "scatter")
    send: Any = None
    if here.rank == root:
        inputs = _one_per_rank(scatter_list, here, "scatter", "scatter_list")
        buffer, counts, offsets = _flat_parts(inputs, array, "scatter", "scatter_list")
        for part, offset in zip(inputs, offsets):
            buffer[offset:offset + part._array.size] = part._array.ravel()
        send = [buffer, (counts, offsets)]
    elif scatter_list is not None:
        raise ValueError("scatter: scatter_list must not be given on ranks other than src "
                         f"({root})")
    comm = here.comm
    return _run(here, "scatter", lambda: comm.Scatterv(send, array, root=root),
                lambda: comm.Iscatterv(send, array, root=root), write_back, async_op)


# ---------------------------------------------------------------------- point to point
def _peer(rank: int | None, group_rank: int | None, here: World, call: str, name: str,
          any_allowed: bool) -> int:
    if rank is None and group_rank is None:
        if any_allowed:
            return int(here.mpi.ANY_SOURCE)
        raise ValueError(f"{call}: give the {name} rank")
    peer = _rank_argument(rank, group_rank, here, call, name)
    if peer == here.rank:
        raise ValueError(f"{call}: {name}={peer} is this process's own rank")
    return peer


def send(tensor: Tensor, dst: int | None = None, group: Any = None, tag: int = 0,
         group_dst: int | None = None) -> None:
    """Sends `tensor` to rank `dst`, returning once its buffer may be reused."""
    isend_or_send(tensor, dst, group, tag, group_dst, async_op=False)


def isend(tensor: Tensor, dst: int | None = None, group: Any = None, tag: int = 0,
          group_dst: int | None = None) -> Work:
    """Starts sending `tensor` to rank `dst`; do not change it before `wait()`."""
    work = isend_or_send(tensor, dst, group, tag, group_dst, async_op=True)
    assert work is not None
    return work


def isend_or_send(tensor: Tensor, dst: int | None, group: Any, tag: int,
                  group_dst: int | None, async_op: bool) -> Work | None:
    call = "isend" if async_op else "send"
    here = _check_group(group, call)
    peer = _peer(dst, group_dst, here, call, "dst", any_allowed=False)
    array, _ = _staged(tensor, call)
    comm = here.comm
    return _run(here, f"send to rank {peer}", lambda: comm.Send(array, dest=peer, tag=tag),
                lambda: comm.Isend(array, dest=peer, tag=tag), None, async_op, [peer],
                collective=False)


def recv(tensor: Tensor, src: int | None = None, group: Any = None, tag: int = 0,
         group_src: int | None = None) -> int:
    """Receives into `tensor` from rank `src` (any rank when None); returns the sender."""
    here = _check_group(group, "recv")
    peer = _peer(src, group_src, here, "recv", "src", any_allowed=True)
    array, write_back = _staged(tensor, "recv")
    status = here.mpi.Status()
    peers = None if peer == here.mpi.ANY_SOURCE else [peer]
    name = "recv from any rank" if peers is None else f"recv from rank {peer}"
    _run(here, name, lambda: here.comm.Recv(array, source=peer, tag=tag, status=status),
         lambda: None, write_back, False, peers, collective=False)
    return int(status.Get_source())


def irecv(tensor: Tensor, src: int | None = None, group: Any = None, tag: int = 0,
          group_src: int | None = None) -> Work:
    """Starts receiving into `tensor` from rank `src` (any rank when None)."""
    here = _check_group(group, "irecv")
    peer = _peer(src, group_src, here, "irecv", "src", any_allowed=True)
    array, write_back = _staged(tensor, "irecv")
    peers = None if peer == here.mpi.ANY_SOURCE else [peer]
    work = _run(here, f"recv from rank {peer}", lambda: None,
                lambda: here.comm.Irecv(array, source=peer, tag=tag), write_back, True,
                peers, collective=False)
    assert work is not None
    return work
