"""Provides hunks: the paragraphs around changes, aligned old against new, for display.

Both faces show a diff as pairs of paragraphs (old left, new right) with the changed
words marked; unchanged paragraphs between hunks are folded. This module only computes
where those pieces are; drawing them is the faces' job.
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.model import Change


@dataclass(frozen=True)
class Piece:
    """A run of text on one side: unchanged (change is None) or part of a change."""

    text: str
    change: int | None = None


@dataclass(frozen=True)
class Hunk:
    old_start: int
    old_end: int
    new_start: int
    new_end: int
    changes: tuple[Change, ...]
    # Characters of unchanged text folded away before this hunk (in the new text).
    folded_before: int = 0

    def old_pieces(self, old: str) -> list[Piece]:
        return _pieces(
            old,
            self.old_start,
            self.old_end,
            [(c.old.start, c.old.end, c.index) for c in self.changes],
        )

    def new_pieces(self, new: str) -> list[Piece]:
        return _pieces(
            new,
            self.new_start,
            self.new_end,
            [(c.new.start, c.new.end, c.index) for c in self.changes],
        )


def _pieces(text: str, start: int, end: int, marks: list[tuple[int, int, int]]) -> list[Piece]:
    pieces = []
    pos = start
    for s, e, index in marks:
        if s > pos:
            pieces.append(Piece(text[pos:s]))
        if e > s:
            pieces.append(Piece(text[s:e], index))
        elif s == e:
            pieces.append(Piece("", index))  # a point where text was added on the other side
        pos = max(pos, e)
    if end > pos:
        pieces.append(Piece(text[pos:end]))
    return pieces


def _line_start(text: str, pos: int) -> int:
    return max(text.rfind("\n", 0, pos) + 1, 0) if pos > 0 else 0


def _line_end(text: str, pos: int) -> int:
    found = text.find("\n", pos)
    return len(text) if found < 0 else found


def hunks(old: str, new: str, changes: list[Change] | tuple[Change, ...]) -> list[Hunk]:
    """Group changes by the lines (paragraphs) they touch, merging ones that share a line."""
    result: list[Hunk] = []
    prev_new_end = 0
    for change in changes:
        os_ = _line_start(old, change.old.start)
        oe = _line_end(
            old, change.old.end if change.old.end > change.old.start else change.old.start
        )
        ns = _line_start(new, change.new.start)
        ne = _line_end(
            new, change.new.end if change.new.end > change.new.start else change.new.start
        )
        if result and (os_ <= result[-1].old_end or ns <= result[-1].new_end):
            last = result[-1]
            result[-1] = Hunk(
                last.old_start,
                max(last.old_end, oe),
                last.new_start,
                max(last.new_end, ne),
                (*last.changes, change),
                last.folded_before,
            )
            prev_new_end = result[-1].new_end
            continue
        result.append(Hunk(os_, oe, ns, ne, (change,), max(ns - prev_new_end, 0)))
        prev_new_end = ne
    return result
