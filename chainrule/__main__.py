"""`python -m chainrule` is the `chainrule` command (an application: `import chainrule`
never runs this file)."""

from .apps.cli import entry_point

entry_point()
