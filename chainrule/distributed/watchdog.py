"""Faults across processes end the job with a reason, never in a hang.

Two failures leave the other processes of an MPI job waiting forever in their next
collective: a process that stops with an exception, and one that never arrives (stuck, or
calling a different collective). For the first, `abort_on_uncaught_exceptions` prints the
process's traceback, with its rank, and aborts the whole job (MPI_Abort), as
`python -m mpi4py` does. For the second, each process runs a `Watchdog`: a thread that
wakes five times a second, answers other processes' questions about where it is, and, when
its own process has waited in one call past the timeout, asks the others where they are,
prints which ranks have not joined and what each is doing instead, and aborts the job.

The collectives tell the watchdog when they start and end (`Watchdog.watching`), which costs
a clock read. The questions travel on a communicator of their own, so they never mix with
the job's messages; MPI must be initialised with thread support (mpi4py asks for it).
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["Watchdog", "Unwatched", "abort_on_uncaught_exceptions", "restore_exception_hook"]

_QUERY, _ANSWER = 7301, 7302
_POLL_SECONDS = 0.2
_GRACE_SECONDS = 3.0  # how long a timed-out process waits for the others' answers


@dataclass
class _Call:
    """A call this process is waiting in."""

    sequence: int               # this process's count of collectives, this one included
    name: str                   # "all_reduce", "recv from rank 1", ...
    peers: list[int] | None     # the ranks it waits for (None: all the others)
    started: float              # time.monotonic()


class Watchdog(threading.Thread):
    """Watches this process's calls; past the timeout, names the missing ranks and aborts."""

    def __init__(self, control: Any, rank: int, size: int, timeout: float, mpi: Any) -> None:
        super().__init__(name="chainrule.distributed watchdog", daemon=True)
        self.control = control
        self.rank = rank
        self.size = size
        self.timeout = timeout
        self.mpi = mpi
        self.sequence = 0  # collectives entered so far
        self.current: _Call | None = None
        self.last_name = ""
        self._stopping = threading.Event()

    def next_sequence(self) -> int:
        """Counts one more collective (when it is issued) and returns its number."""
        self.sequence += 1
        return self.sequence

    @contextmanager
    def watching(self, name: str, sequence: int, peers: list[int] | None = None
                 ) -> Iterator[None]:
        """Marks the block as a wait in `name`, this process's collective #`sequence` (for
        point-to-point calls, the number of the last collective), for `peers` (None: all
        the other ranks)."""
        self.current = _Call(sequence, name, peers, time.monotonic())
        try:
            yield
        finally:
            self.current = None
            self.last_name = name

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=2 * _POLL_SECONDS)

    def run(self) -> None:
        while not self._stopping.wait(_POLL_SECONDS):
            self._answer_questions()
            call = self.current
            if call is not None and time.monotonic() - call.started > self.timeout:
                self._stop_the_job(call)
                return

    def where(self) -> dict[str, Any]:
        """This process's answer to "where are you?"."""
        call = self.current
        if call is None:
            return {"sequence": self.sequence, "in": None, "last": self.last_name}
        return {"sequence": call.sequence, "in": call.name,
                "seconds": time.monotonic() - call.started}

    def _answer_questions(self) -> None:
        status = self.mpi.Status()
        while self.control.Iprobe(source=self.mpi.ANY_SOURCE, tag=_QUERY, status=status):
            source = status.Get_source()
            self.control.recv(source=source, tag=_QUERY)
            self.control.send(self.where(), dest=source, tag=_ANSWER)

    def _ask_the_others(self, peers: list[int]) -> dict[int, dict[str, Any]]:
        for peer in peers:
            self.control.send(None, dest=peer, tag=_QUERY)
        answers: dict[int, dict[str, Any]] = {}
        status = self.mpi.Status()
        deadline = time.monotonic() + _GRACE_SECONDS
        while len(answers) < len(peers) and time.monotonic() < deadline:
            self._answer_questions()  # others that timed out may be asking this one
            while self.control.Iprobe(source=self.mpi.ANY_SOURCE, tag=_ANSWER, status=status):
                source = status.Get_source()
                answers[source] = self.control.recv(source=source, tag=_ANSWER)
            time.sleep(0.01)
        return answers

    def _stop_the_job(self, call: _Call) -> None:
        peers = call.peers if call.peers is not None else \
            [r for r in range(self.size) if r != self.rank]
        answers = self._ask_the_others(peers)
        sys.stderr.write(describe_timeout(self.rank, self.size, self.timeout, call, peers,
                                          answers))
        sys.stderr.flush()
        self.mpi.COMM_WORLD.Abort(1)


class Unwatched:
    """The watchdog's interface, doing nothing: one process alone, or MPI without threads."""

    sequence = 0

    def next_sequence(self) -> int:
        return 0

    @contextmanager
    def watching(self, name: str, sequence: int, peers: list[int] | None = None
                 ) -> Iterator[None]:
        yield

    def stop(self) -> None:
        pass


def describe_timeout(rank: int, size: int, timeout: float, call: _Call, peers: list[int],
                     answers: dict[int, dict[str, Any]]) -> str:
    """The message of a timed-out wait: which ranks are missing, and what each is doing."""
    def joined(answer: dict[str, Any] | None) -> bool:
        return answer is not None and answer["in"] == call.name and \
            answer["sequence"] == call.sequence

    missing = [peer for peer in peers if not joined(answers.get(peer))]
    shown = ", ".join(str(peer) for peer in missing) or "none (all answered from inside it)"
    lines = [f"chainrule.distributed: rank {rank} of {size} waited more than {timeout:g} s "
             f"(the timeout) in {call.name} (collective #{call.sequence} of this rank); "
             f"missing: rank {shown}"]
    for peer in missing:
        answer = answers.get(peer)
        if answer is None:
            doing = (f"did not answer within {_GRACE_SECONDS:g} s (overloaded, hung without "
                     "releasing Python's interpreter lock, or gone)")
        elif answer["in"] is None:
            after = (f"after its collective #{answer['sequence']} ({answer['last']})"
                     if answer["sequence"] else "before any collective")
            doing = f"is running its own code, {after}; it has not called {call.name}"
        else:
            doing = (f"is waiting in {answer['in']} (its collective #{answer['sequence']}) "
                     f"for {answer['seconds']:.1f} s: the processes call different "
                     "collectives")
        lines.append(f"  rank {peer} {doing}")
    lines.append(f"stopping all {size} processes (MPI abort)")
    return "\n".join(lines) + "\n"


_previous_hook: Any = None


def abort_on_uncaught_exceptions(world: Any) -> None:
    """An exception that reaches the top of this process prints its traceback, saying which
    rank raised it, then aborts every process of the job."""
    global _previous_hook
    if _previous_hook is None:
        _previous_hook = sys.excepthook
    previous = _previous_hook

    def hook(kind: Any, value: Any, traceback: Any) -> None:
        if world.size > 1:
            sys.stderr.write(f"chainrule.distributed: rank {world.rank} of {world.size} "
                             f"stopped with {kind.__name__}; stopping all {world.size} "
                             "processes (MPI abort)\n")
        previous(kind, value, traceback)
        sys.stderr.flush()
        if world.size > 1:
            world.mpi.COMM_WORLD.Abort(1)

    sys.excepthook = hook


def restore_exception_hook() -> None:
    global _previous_hook
    if _previous_hook is not None:
        sys.excepthook = _previous_hook
        _previous_hook = None
