"""The process group: which process this is, how many there are, and MPI underneath.

`init_process_group("mpi")` reads the rank and the world size from the MPI launcher
(`mpiexec -n N python script.py`), as PyTorch's MPI backend does. mpi4py is imported here,
when the group is made, never by `import chainrule`. From then on, an exception that reaches
the top of any process stops every process of the job with that process's error (an MPI
abort), and a collective that waits past `timeout` names the processes it waits for (see
`watchdog`).
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

__all__ = ["init_process_group", "destroy_process_group", "is_available", "is_initialized",
           "is_mpi_launched", "get_rank", "get_world_size", "get_backend", "world",
           "DEFAULT_TIMEOUT"]

DEFAULT_TIMEOUT = timedelta(minutes=30)  # PyTorch's default for its CPU backends

# What MPI launchers put in each process's environment: Open MPI, then MPICH/Intel MPI
# (Hydra), then any PMIx launcher.
_LAUNCH_VARIABLES = ("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK")
_INSTALL_HINT = "pip install 'chainrule[mpi]' (mpi4py and Open MPI, from pip)"


@dataclass
class World:
    """The default process group: MPI's world communicator and what watches over it."""

    comm: Any          # mpi4py.MPI.Comm, a duplicate of COMM_WORLD for chainrule's traffic
    mpi: Any           # the mpi4py.MPI module
    rank: int
    size: int
    timeout: timedelta
    watchdog: Any      # watchdog.Watchdog; watchdog.Unwatched alone or without MPI threads


_world: World | None = None


def is_available() -> bool:
    """True when chainrule can run across processes: mpi4py (and so an MPI library) is
    installed. Checked without importing it."""
    return importlib.util.find_spec("mpi4py") is not None


def is_mpi_launched() -> bool:
    """True when an MPI launcher (`mpiexec`, `mpirun`, `srun --mpi`) started this process
    (unlike PyTorch, which has `is_torchelastic_launched` for its own launcher)."""
    return any(name in os.environ for name in _LAUNCH_VARIABLES)


def is_initialized() -> bool:
    """True once `init_process_group` has run (and `destroy_process_group` has not)."""
    return _world is not None


def world() -> World:
    """The default process group; a clear error before `init_process_group`."""
    if _world is None:
        raise ValueError("Default process group has not been initialized, please make sure "
                         "to call init_process_group.")
    return _world


def init_process_group(backend: str | None = None, init_method: str | None = None,
                       timeout: timedelta | None = None, world_size: int = -1,
                       rank: int = -1, **ignored: Any) -> None:
    """Joins this process to the job that MPI launched: rank and world size come from the
    launcher. `timeout` bounds how long any collective may wait (default 30 minutes);
    past it, the job stops with a message naming the ranks that did not join.

    Only the "mpi" backend exists; `world_size` and `rank`, if given, must agree with MPI's.
    """
    global _world
    if _world is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    if backend is not None and str(backend).lower() != "mpi":
        raise ValueError(f"chainrule.distributed has the 'mpi' backend only (launch with "
                         f"mpiexec -n N); got backend '{backend}'")
    if init_method not in (None, "env://"):
        raise ValueError(f"the mpi backend takes its processes from the MPI launcher; "
                         f"init_method '{init_method}' is not supported")
    if not is_available():
        raise RuntimeError(f"chainrule.distributed needs mpi4py and an MPI library: "
                           f"{_INSTALL_HINT}")
    from mpi4py import MPI

    comm = MPI.COMM_WORLD.Dup()
    for name, given, actual in (("world_size", world_size, comm.Get_size()),
                                ("rank", rank, comm.Get_rank())):
        if given not in (-1, None) and given != actual:
            raise ValueError(f"init_process_group: {name}={given}, but the MPI launcher "
                             f"made {name} {actual}")
    wait = DEFAULT_TIMEOUT if timeout is None else timeout
    from .watchdog import Unwatched, Watchdog, abort_on_uncaught_exceptions

    watchdog: Any = Unwatched()
    if MPI.Query_thread() >= MPI.THREAD_MULTIPLE and comm.Get_size() > 1:
        watchdog = Watchdog(comm.Dup(), comm.Get_rank(), comm.Get_size(),
                            wait.total_seconds(), MPI)
        watchdog.start()
    _world = World(comm, MPI, comm.Get_rank(), comm.Get_size(), wait, watchdog)
    abort_on_uncaught_exceptions(_world)


def destroy_process_group(group: Any = None) -> None:
    """Leaves the process group (MPI itself is finalised when the process exits)."""
    global _world
    if _world is None:
        raise ValueError("destroy_process_group: no process group has been initialized")
    from .watchdog import restore_exception_hook

    _world.watchdog.stop()
    restore_exception_hook()
    _world.comm.Free()
    _world = None


def get_rank(group: Any = None) -> int:
    """This process's rank, 0 to world size − 1."""
    return world().rank


def get_world_size(group: Any = None) -> int:
    """The number of processes in the job."""
    return world().size


def get_backend(group: Any = None) -> str:
    world()
    return "mpi"
