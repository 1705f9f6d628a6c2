"""`chainrule.accelerator`: PyTorch's `torch.accelerator` questions for chainrule's backends.

The only accelerator chainrule drives is a CUDA GPU through CuPy; without one, the answers
are PyTorch's on a CPU-only machine: not available, no current accelerator, no devices.
"""

from __future__ import annotations

from . import cuda
from .backends import Device

__all__ = ["is_available", "current_accelerator", "device_count"]


def is_available() -> bool:
    """True when a GPU is usable (CuPy with a working GPU)."""
    return cuda.is_available()


def current_accelerator(check_available: bool = False) -> Device | None:
    """`device(type='cuda')` when a GPU is usable, else None."""
    return Device("cuda:0") if cuda.is_available() else None


def device_count() -> int:
    """How many accelerators (GPUs) are usable."""
    return cuda.device_count()
