"""tracker: a terminal revision tracker for editorial work.

The package root stays import-light: the CLI's JSON paths must not pay for
textual, rich or GitPython, so nothing is imported here.
"""

__version__ = "0.1.0"
