"""glibc's malloc, tuned for what a training loop does: the same arrays made and freed on
every step.

By default glibc gives freed memory at the top of its heap back to the operating system as
soon as more than `M_TRIM_THRESHOLD` of it is free, and serves requests above
`M_MMAP_THRESHOLD` with fresh mappings; both thresholds start at 128 KiB and adapt as the
process runs. Either way the next step's arrays can land on new pages, and the first touch
of each 4 KiB page is a page fault. On the spiral step (benchmark W2: arrays of 300 × 100
float32, 117 KiB) that doubled the time of a step in some processes and not in others
(0.40 against 0.22 ms/step with `python -m benchmarks.profile W2`, the same code). Fixed
thresholds of 128 MiB (trim) and 64 MiB (mmap) keep the pages with the process: 0.22 ms in
every process, and no loss on W3 or W7. (Setting only one of them is worse: it stops glibc
adapting the other, and W3 went from 1.0 to 2.6 ms/step.)

The cost: up to 128 MiB of freed memory may stay with the process instead of going back to
the system. Nothing is changed when the user has set `MALLOC_TRIM_THRESHOLD_` or
`MALLOC_MMAP_THRESHOLD_` (their choice wins), when `CHAINRULE_MALLOC_TUNING=0`, or off
glibc (macOS, Windows, musl).
"""

from __future__ import annotations

import ctypes
import os
import platform

__all__ = ["tune_malloc", "TRIM_THRESHOLD", "MMAP_THRESHOLD"]

TRIM_THRESHOLD = 128 * 1024 * 1024
MMAP_THRESHOLD = 64 * 1024 * 1024
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameter numbers (malloc.h)


def _glibc() -> bool:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")  # type: ignore[union-attr]
    except (ValueError, OSError, AttributeError):
        return False


def tune_malloc() -> bool:
    """Sets both thresholds when this is glibc and nobody chose otherwise; True if set."""
    if os.environ.get("CHAINRULE_MALLOC_TUNING", "1") == "0":
        return False
    if "MALLOC_TRIM_THRESHOLD_" in os.environ or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    if platform.system() != "Linux" or not _glibc():
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    return bool(libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
