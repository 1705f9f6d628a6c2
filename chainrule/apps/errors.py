"""The applications' one rule for what went wrong, and the exit status it gives.

- `UsageError`: the command line itself is wrong (an unknown choice, a value out of range, a
  missing option, an expression that names no value): exit status 2, as argparse gives for
  its own usage mistakes.
- any other `ValueError`, `OSError`, `RuntimeError`, ...: a run that failed (a missing or
  malformed file, a checkpoint of another kind, training that diverged): exit status 1.
"""

from __future__ import annotations

__all__ = ["UsageError", "USAGE_STATUS", "FAILURE_STATUS"]

USAGE_STATUS = 2
FAILURE_STATUS = 1


class UsageError(ValueError):
    """A mistake in the arguments; a ValueError, so Python callers may catch either."""
