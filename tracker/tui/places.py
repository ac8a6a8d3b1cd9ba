"""Provides where a change is, in the words the app shows: "¶4", or "line 12" in text
made of lines (code, a list), with the paragraphs counted by tracker.where."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.model import Change

if TYPE_CHECKING:
    from tracker.porcelain import Places


def line_structured(places: Places) -> bool:
    """Text made of short lines with few blank lines between them (code, lists, verse):
    there a paragraph number says little and a line number says where."""
    lines = places.line_of(len(places.text))
    return places.paragraphs > 0 and lines >= 4 * places.paragraphs


def where(places: Places, offset: int) -> str:
    if line_structured(places):
        return f"line {places.line_of(offset)}"
    return f"¶{places.paragraph_of(offset)}"


def change_where(change: Change, old: Places | None, new: Places) -> str:
    """Where a change is in the new text; a move says both its places, a deletion where
    its words stood in the old text too (its paragraph may be gone from the new one)."""
    if change.is_move and old is not None:
        return f"moved from {where(old, change.old.start)} to {where(new, change.new.start)}"
    if not change.new.text and old is not None:
        return f"{where(old, change.old.start)} of the old text"
    return where(new, change.new.start)
