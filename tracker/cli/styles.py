"""Provides how each role of the presenter's parts looks on a terminal: as rich style
names for render.py, and as SGR codes for ``log_text.py``, which draws without rich.

Only these fixed codes are ever written: untrusted text reaches the terminal through
``one_line``/``visible`` (tracker/text/escape.py), never as a sequence of its own.
"""

from __future__ import annotations

import os
from typing import TextIO

DELETED = "strike red"
INSERTED = "underline green"

STYLES = {
    "deleted": DELETED,
    "inserted": INSERTED,
    "whitespace": "magenta",
    "category": "bold magenta",
    "source": "blue",
    "notice": "bold cyan",
    "dim": "dim",
    "absent": "dim italic",
    "approved": "green",
    "flagged": "bold red",
    "warning": "yellow",
    "error": "bold red",
    "ok": "bold green",
}

_SGR = {
    "bold": "1", "dim": "2", "italic": "3", "underline": "4", "strike": "9",
    "red": "31", "green": "32", "yellow": "33", "blue": "34", "magenta": "35", "cyan": "36",
}  # fmt: skip
RESET = "\x1b[0m"


def sgr(style: str) -> str:
    """The escape sequence that starts ``style`` (words of ``_SGR``), or "" for none."""
    codes = [_SGR[word] for word in style.split() if word in _SGR]
    return f"\x1b[{';'.join(codes)}m" if codes else ""


def wants_colour(stream: TextIO) -> bool:
    """Whether styles reach the reader, decided as rich decides it for the other
    commands: NO_COLOR (set and not empty) never, FORCE_COLOR always, else only on a
    terminal that is not "dumb"."""
    if os.environ.get("NO_COLOR", ""):
        return False
    if not os.environ.get("FORCE_COLOR", ""):
        try:
            if not stream.isatty():
                return False
        except (AttributeError, ValueError, OSError):
            return False
    return os.environ.get("TERM", "").lower() not in ("dumb", "unknown")
