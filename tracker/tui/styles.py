"""Provides how the app styles the presenter's parts (tracker.present): one role, one
Textual style, so every screen draws a change, a note or a review the same way."""

from __future__ import annotations

from textual.content import Content

from tracker import present

STYLES = {
    "deleted": "strike $text-error",
    "inserted": "underline $text-success",
    "whitespace": "italic",
    "category": "bold $accent",
    "source": "$text-primary",
    "notice": "bold $text-secondary",
    "dim": "dim",
    "absent": "dim italic",
    "approved": "$text-success",
    "flagged": "bold $text-error",
    "warning": "bold $text-warning",
    "error": "bold $text-error",
    "ok": "bold $text-success",
}


def content(line: present.Line, style: str = "") -> Content:
    """A presenter line as Content: parts are text, never markup."""
    parts = [(part.text, STYLES[part.role]) if part.role else part.text for part in line]
    result = Content.assemble(*parts)
    return result.stylize(style) if style else result


def lines(many: list[present.Line]) -> list[Content]:
    return [content(line) for line in many]
