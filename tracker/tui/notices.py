"""Provides ``notify``: every notification the app shows, made safe to show.

Messages carry file names, paths, refs and git's own words: untrusted text. Textual reads
a notification as markup by default, so ``[bold]`` in a file name would be styled, and
an ESC in it would reach the terminal raw. Every message goes through ``one_line`` and is
shown as plain text.
"""

from __future__ import annotations

from textual.dom import DOMNode
from textual.notifications import SeverityLevel

from tracker.text.escape import one_line


def notify(where: DOMNode, message: str, severity: SeverityLevel = "information") -> None:
    """Show ``message`` as a notification: one line, control characters made visible."""
    where.notify(one_line(message), severity=severity, markup=False)
