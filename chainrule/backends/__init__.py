"""The array-module seam: every array a Tensor holds comes from NumPy (CPU) or CuPy (GPU).

Gates never import NumPy themselves; they ask `array_module(array)` for the module that owns
an array and call it. NumPy ufuncs already dispatch to CuPy through `__array_ufunc__`, so the
seam is only needed where a function creates arrays or is not a ufunc.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy

try:  # CuPy is optional: only a machine with a GPU has it.
    import cupy as _cupy
except ImportError:  # pragma: no cover - depends on the machine
    _cupy = None

__all__ = ["Device", "array_module", "device_of", "numpy", "to_device", "cuda_available",
           "default_device", "set_default_device", "get_default_device"]


class Device:
    """Where a tensor's array lives: `Device('cpu')` or `Device('cuda')` / `Device('cuda:1')`."""

    __slots__ = ("type", "index")
    type: str
    index: int | None

    def __init__(self, spec: str | Device = "cpu") -> None:
        if isinstance(spec, Device):
            self.type, self.index = spec.type, spec.index
            return
        if not isinstance(spec, str):
            raise TypeError(f"device must be a string such as 'cpu' or 'cuda', got {spec!r}")
        kind, _, index = spec.partition(":")
        if kind not in ("cpu", "cuda"):
            raise ValueError(f"unknown device {spec!r}; expected 'cpu' or 'cuda[:N]'")
        self.type = kind
        self.index = int(index) if index else (0 if kind == "cuda" else None)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = Device(other)
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __repr__(self) -> str:
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"


CPU = Device("cpu")


def cuda_available() -> bool:
    """True when CuPy is installed and sees at least one GPU."""
    if _cupy is None:
        return False
    try:
        return bool(_cupy.cuda.runtime.getDeviceCount() > 0)
    except Exception:  # noqa: BLE001 - CuPy raises driver-specific errors when no GPU is present
        return False


def array_module(array: Any) -> ModuleType:
    """NumPy for NumPy arrays and Python scalars, CuPy for CuPy arrays."""
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return _cupy
    return numpy


def module_for(device: Device) -> ModuleType:
    """The array module that allocates on `device`."""
    if device.type == "cpu":
        return numpy
    if not cuda_available():
        raise RuntimeError("device 'cuda' was asked for, but CuPy with a working GPU is not "
                           "installed; install cupy (e.g. pip install cupy-cuda12x) or use 'cpu'")
    return _cupy  # type: ignore[return-value]


def device_of(array: Any) -> Device:
    """The device an array lives on."""
    if _cupy is not None and isinstance(array, _cupy.ndarray):
        return Device(f"cuda:{array.device.id}")
    return CPU


def to_device(array: Any, device: Device) -> Any:
    """The same values on `device` (no copy when already there)."""
    if device_of(array) == device:
        return array
    if device.type == "cpu":
        return _cupy.asnumpy(array)  # type: ignore[union-attr]
    xp = module_for(device)
    with xp.cuda.Device(device.index):
        return xp.asarray(array)


_DEFAULT_DEVICE = [CPU]  # where factory functions allocate when no device= is given


def default_device() -> Device:
    """The device factory functions (zeros, rand, …) use when given no `device=`."""
    return _DEFAULT_DEVICE[0]


def get_default_device() -> Device:
    """PyTorch's `get_default_device()`: where new tensors are made by default."""
    return _DEFAULT_DEVICE[0]


def set_default_device(device: str | Device | None) -> None:
    """Makes factory functions allocate on `device` ('cpu', or 'cuda' where a GPU and CuPy
    are present; None means 'cpu'). A GPU device without a GPU is refused here, at once."""
    chosen = CPU if device is None else Device(device)
    if chosen.type != "cpu":
        module_for(chosen)  # raises a clear error when no GPU is usable
    _DEFAULT_DEVICE[0] = chosen
