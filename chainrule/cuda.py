"""`chainrule.cuda`: PyTorch's `torch.cuda` questions, answered for chainrule's GPU backend.

A GPU is used through CuPy (`chainrule.backends`). Without CuPy and a GPU the answers are
PyTorch's on a machine with no GPU: `is_available()` is False and `device_count()` 0;
seeding is a no-op, since chainrule draws every random number on the CPU.
"""

from __future__ import annotations

from .backends import _cupy, cuda_available

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "synchronize",
           "current_device"]


def is_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    return cuda_available()


def device_count() -> int:
    """How many GPUs CuPy sees (0 without CuPy or a GPU)."""
    if not cuda_available():
        return 0
    return int(_cupy.cuda.runtime.getDeviceCount())  # type: ignore[union-attr]


def current_device() -> int:
    """The index of the current GPU; a clear error when there is none."""
    if not cuda_available():
        raise RuntimeError("cuda.current_device(): no GPU is available (CuPy with a working "
                           "GPU is not installed)")
    return int(_cupy.cuda.runtime.getDevice())  # type: ignore[union-attr]


def manual_seed(seed: int) -> None:
    """A no-op: chainrule draws random numbers on the CPU (seed with `chainrule.manual_seed`)."""


def manual_seed_all(seed: int) -> None:
    """A no-op, as `manual_seed` (kept so that PyTorch scripts run unchanged)."""


def synchronize(device: object = None) -> None:
    """Waits for the GPU's queued work to finish; a no-op without a GPU."""
    if cuda_available():
        _cupy.cuda.runtime.deviceSynchronize()  # type: ignore[union-attr]
