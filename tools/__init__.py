"""Developer tools for the chainrule repository; not part of the installed package."""
