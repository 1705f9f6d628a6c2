"""`python -m chainrule` is the `chainrule` command."""

from .cli import entry_point

entry_point()
