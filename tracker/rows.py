"""Provides display rows of a diff: side by side or inline, wrapped, with folds.

Both faces draw a diff from these rows; this module decides what goes on each row
(which text, which kind of mark, which change it belongs to), never how it looks. Long
paragraphs wrap at spaces; the two sides of a hunk are padded to the same height so that
paragraphs stay aligned; unchanged stretches between hunks fold to one row that can be
expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tracker.hunks import Hunk, Piece, hunks
from tracker.model import Change
from tracker.text.cells import char_width, text_width
from tracker.text.escape import show_whitespace, visible

EQUAL, DELETED, INSERTED = "eq", "del", "ins"


@dataclass(frozen=True)
class Cell:
    """A run of text on a row, of one kind, maybe part of one change."""

    text: str
    kind: str = EQUAL
    change: int | None = None


@dataclass(frozen=True)
class Row:
    """One screen row. ``left`` is the old side (or the only side, inline)."""

    left: tuple[Cell, ...] = ()
    right: tuple[Cell, ...] = ()
    fold: int | None = None  # a folded stretch: its number, for expanding it
    folded_lines: int = 0
    changes: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.left) + "\t" + "".join(c.text for c in self.right)


_BREAK = re.compile(r"\n|[^\S\n]+|[^\s]+")


def wrap(pieces: list[tuple[str, str, int | None]], width: int) -> list[list[Cell]]:
    """Wrap (text, kind, change) pieces into lines of at most ``width`` cells."""
    width = max(width, 4)
    lines: list[list[Cell]] = [[]]
    used = 0

    def put(text: str, kind: str, change: int | None) -> None:
        nonlocal used
        line = lines[-1]
        if line and line[-1].kind == kind and line[-1].change == change:
            line[-1] = Cell(line[-1].text + text, kind, change)
        else:
            line.append(Cell(text, kind, change))
        used += text_width(text)

    for text, kind, change in pieces:
        for token in _BREAK.findall(text):
            if token == "\n":
                # (A change of line breaks alone already shows as ↵: see show_whitespace.)
                lines.append([])
                used = 0
                continue
            size = text_width(token)
            if used + size <= width:
                put(token, kind, change)
                continue
            if token.isspace():
                lines.append([])
                used = 0
                continue
            if used:
                lines.append([])
                used = 0
            while text_width(token) > width:  # a word longer than the line: cut it
                cut, cells = 0, 0
                while cut < len(token) and cells + char_width(token[cut]) <= width:
                    cells += char_width(token[cut])
                    cut += 1
                put(token[:cut], kind, change)
                lines.append([])
                used = 0
                token = token[cut:]
            if token:
                put(token, kind, change)
    return lines


def _display(text: str, kind: str) -> str:
    if kind == EQUAL:
        return visible(text)
    # In a change, an invisible character (a zero-width space) must show: it is the change.
    return visible(show_whitespace(text), show_invisible=True)


def _side(pieces: list[Piece], kind: str) -> list[tuple[str, str, int | None]]:
    out = []
    for piece in pieces:
        if piece.change is None:
            out.append((_display(piece.text, EQUAL), EQUAL, None))
        elif piece.text:
            out.append((_display(piece.text, kind), kind, piece.change))
    return out


def _changes_on(cells: list[Cell]) -> set[int]:
    return {c.change for c in cells if c.change is not None}


def _unchanged(text: str, width: int) -> list[list[Cell]]:
    return wrap([(visible(text), EQUAL, None)], width)


def side_by_side(
    old: str,
    new: str,
    changes: list[Change] | tuple[Change, ...],
    column_width: int,
    expanded: frozenset[int] = frozenset(),
) -> list[Row]:
    """Rows with the old text on the left and the new text on the right."""
    rows: list[Row] = []
    groups = hunks(old, new, changes)
    old_pos = new_pos = 0
    for number, hunk in enumerate(groups):
        _gap(rows, old[old_pos : hunk.old_start], new[new_pos : hunk.new_start], number,
             column_width, expanded, two_sides=True)  # fmt: skip
        left = wrap(_side(hunk.old_pieces(old), DELETED), column_width)
        right = wrap(_side(hunk.new_pieces(new), INSERTED), column_width)
        height = max(len(left), len(right))
        left += [[] for _ in range(height - len(left))]
        right += [[] for _ in range(height - len(right))]
        for lcells, rcells in zip(left, right, strict=True):
            touched = _changes_on(lcells) | _changes_on(rcells)
            rows.append(Row(tuple(lcells), tuple(rcells), changes=tuple(sorted(touched))))
        old_pos, new_pos = hunk.old_end, hunk.new_end
    _gap(rows, old[old_pos:], new[new_pos:], len(groups), column_width, expanded, True)
    return rows


def inline(
    old: str,
    new: str,
    changes: list[Change] | tuple[Change, ...],
    width: int,
    expanded: frozenset[int] = frozenset(),
) -> list[Row]:
    """Rows of the new text with each change's deleted words just before its inserted ones."""
    rows: list[Row] = []
    groups = hunks(old, new, changes)
    new_pos = 0
    old_pos = 0
    for number, hunk in enumerate(groups):
        _gap(rows, old[old_pos : hunk.old_start], new[new_pos : hunk.new_start], number,
             width, expanded, two_sides=False)  # fmt: skip
        rows.extend(_inline_hunk(new, hunk, width))
        old_pos, new_pos = hunk.old_end, hunk.new_end
    _gap(rows, old[old_pos:], new[new_pos:], len(groups), width, expanded, False)
    return rows


def _inline_hunk(new: str, hunk: Hunk, width: int) -> list[Row]:
    pieces: list[tuple[str, str, int | None]] = []
    pos = hunk.new_start
    for change in hunk.changes:
        pieces.append((visible(new[pos : change.new.start]), EQUAL, None))
        if change.old.text:
            pieces.append((_display(change.old.text, DELETED), DELETED, change.index))
        if change.new.text:
            pieces.append((_display(change.new.text, INSERTED), INSERTED, change.index))
        pos = change.new.end
    pieces.append((visible(new[pos : hunk.new_end]), EQUAL, None))
    lines = wrap(pieces, width)
    return [Row(tuple(line), (), changes=tuple(sorted(_changes_on(line)))) for line in lines]


def _gap(
    rows: list[Row],
    old_text: str,
    new_text: str,
    number: int,
    width: int,
    expanded: frozenset[int],
    two_sides: bool,
) -> None:
    """The unchanged stretch before hunk ``number``: one fold row, or all of it."""
    text = new_text.strip("\n")
    if not text.strip():
        return
    if number not in expanded:
        lines = text.count("\n") + 1
        rows.append(Row(fold=number, folded_lines=lines))
        return
    for line in _unchanged(text, width):
        rows.append(Row(tuple(line), tuple(line) if two_sides else ()))
