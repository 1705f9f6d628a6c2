"""Exceptions that are both PyTorch's type and the one chainrule raised before.

PyTorch raises RuntimeError for most bad shapes and dtypes, where chainrule's first checks
raised ValueError or TypeError. These classes are both, so code written for PyTorch
(`except RuntimeError`) and code written for earlier chainrule (`except ValueError`) both
catch them.
"""

from __future__ import annotations

__all__ = ["ShapeError", "DtypeError", "ArgumentError"]


class ShapeError(RuntimeError, ValueError):
    """Shapes that do not fit the operation (PyTorch: RuntimeError)."""


class DtypeError(RuntimeError, TypeError):
    """A dtype the operation cannot take or produce (PyTorch: RuntimeError)."""


class ArgumentError(RuntimeError, ValueError):
    """An argument value the operation cannot take (PyTorch: RuntimeError)."""
