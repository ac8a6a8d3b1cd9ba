"""Provides the part of two texts that a diff can change, and the diff of that part alone.

The diff engine (tracker/diff.py) first sets aside the lines two texts share at their
start and end. So every change it finds lies between two line boundaries that can be
found with a few slice comparisons (run in C), and diffing only the lines between them
gives the same changes. Blame uses the region to skip revisions that change no unit it
still has to explain; blame and export diff only the region, which on a long document
skips splitting and indexing all of its lines for every revision.
"""

from __future__ import annotations

from tracker.model import Change, Span
from tracker.text.ends import common_prefix, common_suffix


def changed_region(old: str, new: str) -> tuple[int, int]:
    """A range of the new text (start, end) that holds every change ``diff_texts(old,
    new)`` finds, zero-width ones included, for texts that differ.

    The engine first sets aside the lines the texts share at both ends. The start is
    after the last newline inside the texts' common start (every line before it is
    shared); the end is after the first newline inside their common end that lies past
    both the common start and the change in length, so the lines after it are shared
    too. Both are line boundaries in both texts, so ``changes_between`` can diff the
    lines between them alone and get the same changes.
    """
    prefix = common_prefix(old, new)
    start = new.rfind("\n", 0, prefix) + 1
    grown = len(new) - len(old)
    suffix = common_suffix(old, new, min(len(old), len(new)))
    newline = new.find("\n", max(len(new) - suffix, prefix + max(grown, 0) - 1))
    return start, newline + 1 if newline >= 0 else len(new)


def changes_between(old: str, new: str) -> list[Change]:
    """``diff_texts(old, new)``, computed on the lines of ``changed_region`` only.

    Moves are found afterwards on the whole texts, since a paragraph is a unit of the
    whole text (the region may start inside one)."""
    from tracker.diff import with_moves, word_changes  # the engine loads only when needed

    start, end = changed_region(old, new)
    old_end = end - (len(new) - len(old))
    changes = word_changes(old[start:old_end], new[start:end])
    return with_moves(old, new, _shifted(changes, start))


def _shifted(changes: list[Change], start: int) -> list[Change]:
    if not start:
        return changes
    return [
        Change(
            c.index,
            c.kind,
            Span(c.old.start + start, c.old.end + start, c.old.text),
            Span(c.new.start + start, c.new.end + start, c.new.text),
            c.note,
            # A move's two places are points of the texts: they move with the region.
            old_place_in_new=None if c.old_place_in_new is None else c.old_place_in_new + start,
            new_place_in_old=None if c.new_place_in_old is None else c.new_place_in_old + start,
            within=c.within,
        )
        for c in changes
    ]
