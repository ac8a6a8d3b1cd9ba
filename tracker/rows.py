"""Provides display rows of a diff: side by side or inline, wrapped, with folds.

Both faces draw a diff from these rows (the app's diff view, and the CLI's ``diff``
in both layouts), so they cannot disagree; this module decides what goes on each row
(which text, which kind of mark, which change it belongs to), never how it looks.

The rule, as on Wikipedia's diff page: every unchanged line (so every unchanged
paragraph) starts on the same row on both sides; a deleted paragraph faces blank rows on
the right, an inserted one blank rows on the left; a changed paragraph is paired with its
counterpart and both are padded to the same height. Which line is which comes from
``tracker.hunks.align``. Each line wraps on its own side, at spaces; a wrapped indented
line (code, a list item) keeps its indentation on the rows after the first, which start
with a continuation mark (a ``CONTINUED`` cell). Unchanged stretches between changes fold
to one row that can be expanded.

A row's fields:

- ``left``, ``right``: the old side and the new side, as cells (inline: ``left`` only).
  A cell's ``kind`` is ``EQUAL``, ``DELETED``, ``INSERTED``, ``MOVED`` (unchanged words
  of a moved paragraph, or a move's mark), or ``CONTINUED`` (the continuation mark).
- ``changes``: the indices of the changes on the row, so a face can focus one. Both ends
  of a move carry the move's index, so a face can jump from one end to the other.
- ``fold``/``folded_lines``: a folded unchanged stretch (its number, for expanding it).
- ``mark``: ``MOVED_TO`` on the row that marks where a moved paragraph left
  ("⇢ moved to ¶M", on the old side), ``MOVED_FROM`` on the row above the paragraph at
  its new place ("⇠ moved from ¶N", on the new side). Side by side, the paragraph is
  shown once, at its new place, its old wording on the left beside its new wording, with
  the edits inside as ordinary word changes; inline, its new wording with those edits.

Changes of whitespace alone show as marks (``·`` a space, ``→`` a tab, ``↵`` a line
break), except a change of indentation: that shows as indentation (each side drawn at its
own depth, and inline as ``⟨indent 4→8⟩``), so re-indented code still reads as code.
With ``marks=True`` (for output without styles: a pipe, NO_COLOR) changed words are also
framed as ``[-…-]`` and ``{+…+}``, inside the width, so nothing depends on colour.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from tracker.hunks import Block, align, changes_breaks, line_spans
from tracker.model import Change
from tracker.text.cells import char_width, text_width
from tracker.text.escape import visible
from tracker.where import Places

EQUAL, DELETED, INSERTED, MOVED, CONTINUED = "eq", "del", "ins", "move", "cont"
MOVED_FROM, MOVED_TO = "moved-from", "moved-to"
_FRAMES = {DELETED: ("[-", "-]"), INSERTED: ("{+", "+}")}


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
    mark: str = ""  # MOVED_FROM or MOVED_TO: this row marks one end of a move
    # Side by side: the line (0-based, of ``text.split("\n")``) that starts on this row, on
    # each side; None on a line's later rows, on padding, folds and marks, and inline.
    old_line: int | None = None
    new_line: int | None = None

    @property
    def text(self) -> str:
        return "".join(c.text for c in self.left) + "\t" + "".join(c.text for c in self.right)


Piece = tuple[str, str, "int | None"]  # text, kind, change: one run of a line, before wrapping

# -- wrapping ------------------------------------------------------------------------------------

_BREAK = re.compile(r"[^\S\n]+|[^\s]+")
# The hanging indent of a line: its leading blanks and a list or quote marker after them.
_HANG = re.compile(r"[ \t]*(?:(?:[-*+>]|\d{1,3}[.)])[ \t]+)?")


def wrap(pieces: list[Piece], width: int) -> list[list[Cell]]:
    """Wrap one line's (text, kind, change) pieces into rows of at most ``width`` cells.

    Rows after the first keep the line's indentation (and a list item's hanging indent),
    ending in a continuation mark, so a wrapped line of code or a nested item reads as
    one line, not as a new line at the left edge."""
    width = max(width, 4)
    whole = "".join(text for text, _, _ in pieces)
    hang = min(text_width(_HANG.match(whole).group()), width // 2) if whole else 0  # type: ignore[union-attr]
    lead = [Cell(" " * (hang - 2) + "↪ ", CONTINUED)] if hang >= 2 else []
    rows: list[list[Cell]] = [[]]
    used = 0

    def put(text: str, kind: str, change: int | None, size: int = -1) -> None:
        nonlocal used
        row = rows[-1]
        if row and row[-1].kind == kind and row[-1].change == change:
            row[-1] = Cell(row[-1].text + text, kind, change)
        else:
            row.append(Cell(text, kind, change))
        used += text_width(text) if size < 0 else size

    def new_row() -> None:
        nonlocal used
        row = rows[-1]
        if row and row[-1].kind != CONTINUED and row[-1].text.endswith(" "):
            # The space where a line wraps is not drawn (nor struck through, searched or
            # copied).
            end = row[-1]
            row[-1] = Cell(end.text.rstrip(" "), end.kind, end.change)
        rows.append(list(lead))
        used = hang if lead else 0

    for text, kind, change in pieces:
        if not text:
            continue
        size = text_width(text)
        if used + size <= width:  # the common case: the whole piece fits
            put(text, kind, change, size)
            continue
        # Words that fit are gathered and put as one run: a put per word was most of the
        # time of a long diff.
        run: list[str] = []
        for token in _BREAK.findall(text):
            size = len(token) if token.isascii() else text_width(token)
            if used + size <= width:
                run.append(token)
                used += size
                continue
            if run:
                put("".join(run), kind, change, 0)  # already counted in ``used``
                run = []
            if token.isspace():
                new_row()  # a space at the end of a row is not drawn
                continue
            if used > (hang if lead else 0):
                new_row()
            while used + text_width(token) > width:  # a word longer than the row: cut it
                cut, cells = 0, used
                while cut < len(token) and cells + char_width(token[cut]) <= width:
                    cells += char_width(token[cut])
                    cut += 1
                cut = max(cut, 1)  # a row too narrow for one wide character still moves on
                put(token[:cut], kind, change)
                new_row()
                token = token[cut:]
            if token:
                put(token, kind, change)
        if run:
            put("".join(run), kind, change, 0)
    return rows


def _expand_tabs(pieces: list[Piece]) -> list[Piece]:
    """Tabs as spaces to the next stop of 4: a terminal's own tab stops would push the
    right-hand column out of line."""
    out = []
    column = 0
    for text, kind, change in pieces:
        if "\t" in text:
            parts = []
            for ch in text:
                if ch == "\t":
                    parts.append(" " * (4 - column % 4))
                    column += 4 - column % 4
                else:
                    parts.append(ch)
                    column += char_width(ch)
            text = "".join(parts)
        else:
            column += text_width(text)
        out.append((text, kind, change))
    return out


# -- what each line of a side shows ---------------------------------------------------------------


def _is_blank(text: str) -> bool:
    return not text.strip()


def _indents(old: str, new: str, changes: list[Change] | tuple[Change, ...]) -> set[int]:
    """The changes of indentation alone: blanks only, the same line breaks on both sides,
    ending just before a line's first word and starting after a line break (their own or
    one just before them), so re-indented code is not drawn as runs of ``·`` and ``↵``."""
    found = set()
    for c in changes:
        a, b = c.old.text, c.new.text
        if c.is_move or a == b or not (_is_blank(a) and _is_blank(b)) or "\r" in a + b:
            continue
        if a.count("\n") != b.count("\n"):
            continue
        at_start = "\n" in a or (
            (c.old.start == 0 or old[c.old.start - 1] == "\n")
            and (c.new.start == 0 or new[c.new.start - 1] == "\n")
        )
        before_word = (
            old[c.old.end : c.old.end + 1].strip() and new[c.new.end : c.new.end + 1].strip()
        )
        if at_start and before_word:
            found.add(c.index)
    return found


def _indent_words(text: str) -> str:
    tabs, spaces = text.count("\t"), text.count(" ")
    if tabs and spaces:
        return f"{tabs}⇥{spaces}"
    return f"{tabs}⇥" if tabs else str(spaces)


def _shown(text: str, kind: str, whitespace: bool) -> str:
    if kind in (EQUAL, MOVED):
        return visible(text)
    if whitespace:
        text = text.replace("\r", "␍").replace(" ", "·").replace("\t", "→")
    # In a change, an invisible character (a zero-width space) must show: it is the change.
    return visible(text, show_invisible=True)


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    kind: str
    change: int
    whitespace: bool = False  # blanks only: spaces are drawn as marks
    indent: bool = False  # a change of indentation: drawn as indentation
    breaks: bool = False  # it adds or removes line breaks: each shows as ↵


def _side_marks(
    changes: list[Change] | tuple[Change, ...], side: str, indents: set[int]
) -> list[_Mark]:
    """What is marked on one side, in order: changes, moved text, edits inside moves."""
    kind = DELETED if side == "old" else INSERTED
    inner: dict[int, list[Change]] = {}
    for c in changes:
        if c.within is not None:
            inner.setdefault(c.within, []).append(c)
    marks: list[_Mark] = []
    for c in changes:
        if c.within is not None:
            continue
        span = c.old if side == "old" else c.new
        if c.is_move:
            pos = span.start
            for e in sorted(inner.get(c.index, []), key=lambda e: getattr(e, side).start):
                s = e.old if side == "old" else e.new
                if s.start > pos:
                    marks.append(_Mark(pos, s.start, MOVED, c.index))
                if s.end > s.start:
                    blank, breaks = _is_blank(s.text), changes_breaks(e)
                    marks.append(_Mark(s.start, s.end, kind, e.index, blank, False, breaks))
                pos = max(pos, s.end)
            if span.end > pos:
                marks.append(_Mark(pos, span.end, MOVED, c.index))
            continue
        if span.end > span.start:
            indent = c.index in indents
            blank, breaks = _is_blank(span.text), changes_breaks(c)
            marks.append(_Mark(span.start, span.end, kind, c.index, blank, indent, breaks))
    marks.sort(key=lambda m: (m.start, m.end))
    return marks


class _SideLines:
    """Each line of one side's text as pieces (unchanged text and marked runs), made when
    first asked for: a folded diff of a long document needs only its changed lines."""

    def __init__(self, text: str, marks: list[_Mark], frame: bool) -> None:
        self.text = text
        self.spans = line_spans(text)
        self._marks = marks
        self._ends = [m.end for m in marks]
        self._frame = frame
        self._made: dict[int, list[Piece]] = {}

    def blank(self, number: int) -> bool:
        start, end = self.spans[number]
        return not self.text[start:end].strip()

    def __getitem__(self, number: int) -> list[Piece]:
        made = self._made.get(number)
        if made is None:
            made = self._made[number] = self._make(*self.spans[number])
        return made

    def _make(self, start: int, end: int) -> list[Piece]:
        text, marks, frame = self.text, self._marks, self._frame
        pieces: list[Piece] = []
        pos = start
        j = bisect_right(self._ends, start)  # the first mark that ends after the line starts
        while j < len(marks) and marks[j].start <= end:
            mark = marks[j]
            lo, hi = max(mark.start, start), min(mark.end, end)
            if lo > pos:
                pieces.append((visible(text[pos:lo]), EQUAL, None))
            if hi > lo:
                shown = _shown(text[lo:hi], mark.kind, mark.whitespace and not mark.indent)
                if frame and mark.kind in _FRAMES and not mark.indent:
                    shown = _FRAMES[mark.kind][0] + shown + _FRAMES[mark.kind][1]
                pieces.append((shown, mark.kind, mark.change))
            if mark.breaks and mark.start <= end < mark.end:
                # A line break that is (part of) the change: it shows, at the line's end.
                shown = "↵" if not frame else _FRAMES[mark.kind][0] + "↵" + _FRAMES[mark.kind][1]
                pieces.append((shown, mark.kind, mark.change))
            pos = max(pos, hi)
            if mark.end > end:
                break
            j += 1
        if end > pos:
            pieces.append((visible(text[pos:end]), EQUAL, None))
        return _expand_tabs(pieces)


def _changes_on(cells: list[Cell] | tuple[Cell, ...]) -> set[int]:
    return {c.change for c in cells if c.change is not None}


# -- side by side ---------------------------------------------------------------------------------


def side_by_side(
    old: str,
    new: str,
    changes: list[Change] | tuple[Change, ...],
    column_width: int,
    expanded: frozenset[int] = frozenset(),
    marks: bool = False,
) -> list[Row]:
    """Rows with the old text on the left and the new text on the right."""
    blocks = align(old, new, changes)
    indents = _indents(old, new, changes)
    left = _SideLines(old, _side_marks(changes, "old", indents), marks)
    right = _SideLines(new, _side_marks(changes, "new", indents), marks)
    moves = {c.index: c for c in changes if c.is_move and c.within is None}
    places = _MovePlaces(old, new)
    rows: list[Row] = []
    gap: list[tuple[int, int]] = []  # unchanged lines waiting to be shown: (old, new) numbers
    folds = 0
    first = True
    for block in blocks:
        if block.same:
            gap.append((block.old.start, block.new.start))
            continue
        folds = _side_gap(rows, gap, left, column_width, expanded, folds, first, False)
        gap, first = [], False
        if block.move is not None and block.move in moves:
            _side_move(rows, block, moves[block.move], left, right, column_width, places)
            continue
        _pair(rows, _wrapped(left, block.old, column_width),
              _wrapped(right, block.new, column_width))  # fmt: skip
    _side_gap(rows, gap, left, column_width, expanded, folds, first, True)
    return rows


Wrapped = list[tuple[list[Cell], "int | None"]]  # a side's rows: cells, and the line it starts


def _wrapped(lines: _SideLines, numbers: range | list[int], width: int) -> Wrapped:
    out: Wrapped = []
    for number in numbers:
        for row, cells in enumerate(wrap(lines[number], width)):
            out.append((cells, None if row else number))
    return out


def _pair(rows: list[Row], lrows: Wrapped, rrows: Wrapped) -> None:
    """Two sides' rows beside each other, the shorter padded with blank rows."""
    height = max(len(lrows), len(rrows))
    lrows = lrows + [([], None)] * (height - len(lrows))
    rrows = rrows + [([], None)] * (height - len(rrows))
    for (lcells, lline), (rcells, rline) in zip(lrows, rrows, strict=True):
        touched = _changes_on(lcells) | _changes_on(rcells)
        rows.append(Row(tuple(lcells), tuple(rcells), changes=tuple(sorted(touched)),
                        old_line=lline, new_line=rline))  # fmt: skip


class _MovePlaces:
    """Paragraph numbers for move marks, counted only when a diff has a move."""

    def __init__(self, old: str, new: str) -> None:
        self._texts = (old, new)
        self._places: tuple[Places, Places] | None = None

    def paragraph(self, side: int, offset: int) -> int:
        if self._places is None:
            self._places = (Places(self._texts[0]), Places(self._texts[1]))
        return self._places[side].paragraph_of(offset)


def _mark_text(change: Change, end: str, places: _MovePlaces) -> str:
    """The words of a move's mark, naming the paragraph at the other end."""
    span, side = (change.new, 1) if end == MOVED_TO else (change.old, 0)
    # The paragraph of the span's first word: a span may begin with the blank line before it.
    at = span.start + len(span.text) - len(span.text.lstrip())
    where = places.paragraph(side, min(at, span.end))
    return f"⇢ moved to ¶{where}" if end == MOVED_TO else f"⇠ moved from ¶{where}"


def _side_move(
    rows: list[Row],
    block: Block,
    move: Change,
    left: _SideLines,
    right: _SideLines,
    width: int,
    places: _MovePlaces,
) -> None:
    """One end of a move: where it left, a mark; where it went, the paragraph, its old
    wording beside its new one. The blank lines it took along stay blank rows."""
    numbers = list(block.old) if block.old else list(block.new)
    lines = left if block.old else right
    core = _core(lines, numbers)
    lead = numbers.index(core[0]) if core else len(numbers)
    tail = len(numbers) - lead - len(core)

    def blanks(numbers: list[int]) -> None:
        # Blank lines, but drawn from their pieces: an edit of the separators shows (↵).
        own = _wrapped(lines, numbers, width)
        _pair(rows, own if block.old else [], [] if block.old else own)

    blanks(numbers[:lead])
    if block.old:
        cell = Cell(_mark_text(move, MOVED_TO, places), MOVED, move.index)
        rows.append(Row((cell,), (), changes=(move.index,), mark=MOVED_TO))
    else:
        cell = Cell(_mark_text(move, MOVED_FROM, places), MOVED, move.index)
        rows.append(Row((), (cell,), changes=(move.index,), mark=MOVED_FROM))
        start, end = move.old.start, move.old.end
        inside = [i for i, (s, e) in enumerate(left.spans) if s >= start and e <= end]
        _pair(rows, _wrapped(left, _core(left, inside), width), _wrapped(right, core, width))
    blanks(numbers[len(numbers) - tail :])


def _blank(line: list[Piece]) -> bool:
    return all(not text.strip() for text, _, _ in line)


def _core(lines: _SideLines, numbers: list[int]) -> list[int]:
    """The line numbers without the blank lines at either end."""
    start, stop = 0, len(numbers)
    while start < stop and lines.blank(numbers[start]):
        start += 1
    while stop > start and lines.blank(numbers[stop - 1]):
        stop -= 1
    return numbers[start:stop]


def _side_gap(
    rows: list[Row],
    gap: list[tuple[int, int]],
    left: _SideLines,
    width: int,
    expanded: frozenset[int],
    folds: int,
    first: bool,
    last: bool,
) -> int:
    """Unchanged lines (the same on both sides): folded to one row, or each shown. Blank
    lines at the document's ends are left out; a stretch of blank lines alone (between
    two changed paragraphs) is never folded."""
    shown = _trim(gap, left, first, last)
    if not shown:
        return folds
    if folds in expanded or all(left.blank(i) for i, _ in shown):
        for i, k in shown:
            for row, cells in enumerate(wrap(left[i], width)):
                lines = (None, None) if row else (i, k)
                rows.append(Row(tuple(cells), tuple(cells), old_line=lines[0],
                                new_line=lines[1]))  # fmt: skip
    else:
        rows.append(Row(fold=folds, folded_lines=len(_trim(shown, left, True, True))))
    return folds + 1


def _trim(lines: list, text: _SideLines | None, first: bool, last: bool) -> list:
    """``lines`` without the blank ones at the start (``first``) and end (``last``);
    ``text`` says which are blank when ``lines`` are numbers (old, new)."""

    def blank(line: tuple[int, int] | list[Piece]) -> bool:
        return text.blank(line[0]) if text is not None else _blank(line)  # type: ignore[index,arg-type]

    start, stop = 0, len(lines)
    if first:
        while start < stop and blank(lines[start]):
            start += 1
    if last:
        while stop > start and blank(lines[stop - 1]):
            stop -= 1
    return lines[start:stop]


# -- inline ---------------------------------------------------------------------------------------


def inline(
    old: str,
    new: str,
    changes: list[Change] | tuple[Change, ...],
    width: int,
    expanded: frozenset[int] = frozenset(),
    marks: bool = False,
) -> list[Row]:
    """Rows of the new text with each change's deleted words just before its inserted ones;
    a moved paragraph is marked at both ends and shown once, at its new place."""
    lines = _inline_lines(old, new, changes, marks)
    rows: list[Row] = []
    gap: list[list[Piece]] = []
    folds = 0
    first = True
    for line, mark, move in lines:
        if mark is None and all(kind == EQUAL for _, kind, _ in line):
            gap.append(line)
            continue
        folds = _inline_gap(rows, gap, width, expanded, folds, first, False)
        gap, first = [], False
        if mark:
            cell = Cell(line[0][0], MOVED, move)
            rows.append(Row((cell,), changes=(move,) if move is not None else (), mark=mark))
            continue
        for cells in wrap(line, width):
            rows.append(Row(tuple(cells), (), changes=tuple(sorted(_changes_on(cells)))))
    _inline_gap(rows, gap, width, expanded, folds, first, True)
    return rows


def _inline_gap(
    rows: list[Row],
    gap: list[list[Piece]],
    width: int,
    expanded: frozenset[int],
    folds: int,
    first: bool,
    last: bool,
) -> int:
    shown = _trim(gap, None, first, last)
    if not shown:
        return folds
    if folds in expanded or all(_blank(line) for line in shown):
        for line in shown:
            for cells in wrap(line, width):
                rows.append(Row(tuple(cells)))
    else:
        rows.append(Row(fold=folds, folded_lines=len(_trim(shown, None, True, True))))
    return folds + 1


def _inline_lines(
    old: str, new: str, changes: list[Change] | tuple[Change, ...], frame: bool
) -> list[tuple[list[Piece], str | None, int | None]]:
    """The inline stream, cut into lines: (pieces, mark, move) each."""
    inner: dict[int, list[Change]] = {}
    for c in changes:
        if c.within is not None:
            inner.setdefault(c.within, []).append(c)
    places = _MovePlaces(old, new)
    indents = _indents(old, new, changes)
    # (new position, order, what): order puts a move's mark before text at the same point.
    events: list[tuple[int, int, Change, str]] = []
    for c in changes:
        if c.within is not None:
            continue
        if c.is_move:
            if c.old_place_in_new is not None:
                events.append((c.old_place_in_new, 0, c, MOVED_TO))
            events.append((c.new.start, 1, c, MOVED_FROM))
        else:
            events.append((c.new.start, 2, c, ""))
    events.sort(key=lambda e: (e[0], e[1], e[2].index))
    out: list[tuple[list[Piece], str | None, int | None]] = []
    line: list[Piece] = []
    # A line begun by an added line break (a paragraph split) is never folded away: it is
    # the other half of the changed paragraph. A mark of "" says so.
    keep: str | None = None

    def add(text: str, kind: str, change: int | None, whitespace: bool = False) -> None:
        """Text onto the stream; a line break starts a new line, except a deleted one."""
        nonlocal line, keep
        if kind == DELETED and whitespace:
            # Deleted blanks break no line: their breaks show as ↵, framed once.
            shown = _shown(text.replace("\n", "↵"), kind, whitespace)
            line.append((_FRAMES[kind][0] + shown + _FRAMES[kind][1] if frame else shown,
                         kind, change))  # fmt: skip
            return
        parts = text.split("\n")
        for number, part in enumerate(parts):
            last = number == len(parts) - 1
            shown = _shown(part, kind, whitespace) if part else ""
            if whitespace and not last:
                shown += "↵"  # a break that is the change itself shows
            if shown:
                if frame and kind in _FRAMES:
                    shown = _FRAMES[kind][0] + shown + _FRAMES[kind][1]
                line.append((shown, kind, change))
            if not last:
                out.append((_expand_tabs(line), keep, None))
                line, keep = [], "" if kind == INSERTED and whitespace else None

    def own_row(text: str, mark: str, move: int) -> None:
        nonlocal line, keep
        if line:
            out.append((_expand_tabs(line), keep, None))
            line, keep = [], None
        out.append(([(text, MOVED, move)], mark, move))

    pos = 0
    for at, _, c, what in events:
        if at > pos:
            add(new[pos:at], EQUAL, None)
            pos = at
        if what == MOVED_TO:
            own_row(_mark_text(c, MOVED_TO, places), MOVED_TO, c.index)
            continue
        if what == MOVED_FROM:
            # The blank lines the move took with it stay blank, before and after its mark.
            text = c.new.text
            core = text.strip()
            lead = text[: len(text) - len(text.lstrip())]
            core_end = c.new.start + len(lead) + len(core)
            add(lead, EQUAL, None)
            own_row(_mark_text(c, MOVED_FROM, places), MOVED_FROM, c.index)
            inner_pos = c.new.start + len(lead)
            for e in sorted(inner.get(c.index, []), key=lambda e: e.new.start):
                if e.new.start > inner_pos:
                    add(new[inner_pos : e.new.start], MOVED, c.index)
                _inline_change(add, e, False)
                inner_pos = max(inner_pos, e.new.end)
            if core_end > inner_pos:
                add(new[inner_pos:core_end], MOVED, c.index)
            add(new[max(core_end, inner_pos) : c.new.end], EQUAL, None)
            pos = max(pos, c.new.end)
            continue
        _inline_change(add, c, c.index in indents)
        pos = max(pos, c.new.end)
    if pos < len(new):
        add(new[pos:], EQUAL, None)
    out.append((_expand_tabs(line), keep, None))
    return out


def _inline_change(add: Callable[..., None], change: Change, indent: bool) -> None:
    """A change inline: what went, then what came; a change of indentation in words."""
    old, new = change.old.text, change.new.text
    if indent:
        # The line breaks are the same on both sides: only the last line's depth changed.
        head = new[: new.rfind("\n") + 1]
        before, after = old[old.rfind("\n") + 1 :], new[len(head) :]
        add(head + after, EQUAL, None)
        add(f"⟨indent {_indent_words(before)}→{_indent_words(after)}⟩ ", INSERTED, change.index)
        return
    if old:
        add(old, DELETED, change.index, _is_blank(old))
    if new:
        add(new, INSERTED, change.index, _is_blank(new))


# -- three ways: a common base, this clone's version and the remote's -----------------------------

# The kinds of a base cell in a three-way view: changed by our side, by theirs, or by both
# (where two editors changed the same words: what sync refused to merge).
OURS, THEIRS, BOTH = "ours", "theirs", "both"


@dataclass(frozen=True)
class Stretch:
    """A stretch of a three-way view: some lines of the base, and each side's rows for
    them. Stretches line up: a face draws each one's three columns from the same row,
    padded to the tallest. ``same``: unchanged on both sides; ``folded_lines`` > 0: a run
    of unchanged lines folded to one row. ``ours``/``theirs``: the indices of each side's
    changes first shown in this stretch (where a face puts their notes)."""

    base: tuple[tuple[Cell, ...], ...] = ()
    left: tuple[tuple[Cell, ...], ...] = ()  # ours
    right: tuple[tuple[Cell, ...], ...] = ()  # theirs
    same: bool = False
    folded_lines: int = 0
    ours: tuple[int, ...] = ()
    theirs: tuple[int, ...] = ()

    @property
    def height(self) -> int:
        return 1 if self.folded_lines else max(len(self.base), len(self.left), len(self.right))


def three_way(
    base: str,
    ours: str,
    theirs: str,
    ours_changes: list[Change] | tuple[Change, ...],
    theirs_changes: list[Change] | tuple[Change, ...],
    column_width: int,
    fold: bool = True,
) -> list[Stretch]:
    """Three columns, base / ours / theirs, lined up paragraph by paragraph.

    Made of the two side-by-side diffs, base vs ours and base vs theirs (their line
    alignment, ``hunks.align``): a base line that both leave unchanged is a stretch of
    its own, and everything between two such lines (on each side, whatever that side's
    rows are) is one stretch. The base column marks the words each side changed
    (``OURS``, ``THEIRS``, ``BOTH``); the side columns are the right-hand sides of the two
    diffs (``INSERTED`` words, moves). With ``fold``, a run of unchanged lines holding
    more than one line of words folds to one stretch, as the diff folds; its rows are
    never built (a long document with a few changes costs what its changes cost)."""
    mine = _DiffRows(base, ours, ours_changes, column_width)
    other = _DiffRows(base, theirs, theirs_changes, column_width)
    common = mine.unchanged & other.unchanged
    ours_parts, theirs_parts = mine.regions(common), other.regions(common)
    lines = _SideLines(base, _base_marks(base, ours_changes, theirs_changes), False)
    order = sorted(common)
    seen_ours: set[int] = set()
    seen_theirs: set[int] = set()
    # First what lies where: a base line both leave unchanged (drawn later, unless it
    # is folded), or a changed stretch (drawn now).
    items: list[int | Stretch] = []
    for line in [-1, *order]:
        if line >= 0:
            items.append(line)
        after = bisect_right(order, line)
        numbers = range(line + 1, order[after] if after < len(order) else len(lines.spans))
        left, right = ours_parts.get(line, []), theirs_parts.get(line, [])
        if not (left or right or numbers):
            continue
        rows = tuple(tuple(cells) for cells, _ in _wrapped(lines, numbers, column_width))
        items.append(
            Stretch(rows, _side_column(left), _side_column(right),
                    ours=_first_seen(left, seen_ours), theirs=_first_seen(right, seen_theirs))
        )  # fmt: skip
    return _drawn(items, lines, column_width, fold)


class _DiffRows:
    """One side's diff against the base, as side_by_side lines it up, its rows built
    only where the three-way view shows them."""

    def __init__(self, base: str, side: str, changes: list[Change] | tuple[Change, ...],
                 width: int) -> None:  # fmt: skip
        self.blocks = align(base, side, changes)
        indents = _indents(base, side, changes)
        self.left = _SideLines(base, _side_marks(changes, "old", indents), False)
        self.right = _SideLines(side, _side_marks(changes, "new", indents), False)
        self.moves = {c.index: c for c in changes if c.is_move and c.within is None}
        self.places = _MovePlaces(base, side)
        self.width = width
        self.unchanged = {block.old.start for block in self.blocks if block.same}

    def regions(self, common: set[int]) -> dict[int, list[Row]]:
        """The rows of this side between each base line both sides leave unchanged and
        the next (-1: before the first), as side_by_side draws them."""
        regions: dict[int, list[Row]] = {}
        after = -1
        for block in self.blocks:
            if block.same and block.old.start in common:
                after = block.old.start  # drawn from the base, once for all three columns
                continue
            rows = regions.setdefault(after, [])
            if block.same:  # unchanged here, changed on the other side
                cells = wrap(self.right[block.new.start], self.width)
                rows.extend(Row((), tuple(row)) for row in cells)
            elif block.move is not None and block.move in self.moves:
                move = self.moves[block.move]
                _side_move(rows, block, move, self.left, self.right, self.width, self.places)
            else:
                _pair(rows, _wrapped(self.left, block.old, self.width),
                      _wrapped(self.right, block.new, self.width))  # fmt: skip
        return regions


def _side_column(rows: list[Row]) -> tuple[tuple[Cell, ...], ...]:
    """A side's column: the new side of its diff rows; a move's mark where it left (drawn
    on the old side of a diff) is shown in the side's own column."""
    return tuple(row.left if row.mark == MOVED_TO else row.right for row in rows)


def _first_seen(rows: list[Row], seen: set[int]) -> tuple[int, ...]:
    found = sorted({c for r in rows for c in r.changes} - seen)
    seen.update(found)
    return tuple(found)


def _drawn(items: list[int | Stretch], lines: _SideLines, width: int, fold: bool) -> list[Stretch]:
    """The stretches in order: each run of unchanged base lines either folded (more than
    one line of words) or drawn line by line; blank lines at the document's ends left out,
    as the diff leaves them out."""
    out: list[Stretch] = []
    run: list[int] = []

    def flush(last: bool) -> None:
        first = not out
        start, stop = 0, len(run)
        while first and start < stop and lines.blank(run[start]):
            start += 1
        while last and stop > start and lines.blank(run[stop - 1]):
            stop -= 1
        shown = run[start:stop]
        words = sum(1 for n in shown if not lines.blank(n))
        if fold and words > 1:
            out.append(Stretch(same=True, folded_lines=words))
        else:
            for n in shown:
                rows = tuple(tuple(cells) for cells, _ in _wrapped(lines, [n], width))
                out.append(Stretch(rows, rows, rows, same=True))
        run.clear()

    for item in items:
        if isinstance(item, int):
            run.append(item)
            continue
        flush(False)
        out.append(item)
    flush(True)
    return out


def _base_marks(
    base: str,
    ours: list[Change] | tuple[Change, ...],
    theirs: list[Change] | tuple[Change, ...],
) -> list[_Mark]:
    """The base's words each side changed, cut where the two sides' spans begin and end,
    so that a word both changed is one ``BOTH`` mark."""
    spans = [(c.old.start, c.old.end, 0, c.index) for c in ours if c.within is None]
    spans += [(c.old.start, c.old.end, 1, c.index) for c in theirs if c.within is None]
    spans = [s for s in spans if s[1] > s[0]]
    points = sorted({p for s in spans for p in s[:2]})
    marks = []
    for lo, hi in zip(points, points[1:], strict=False):
        sides = [(side, index) for s, e, side, index in spans if s <= lo and hi <= e]
        if not sides:
            continue
        which = {side for side, _ in sides}
        kind = BOTH if which == {0, 1} else (OURS if which == {0} else THEIRS)
        blank = _is_blank(base[lo:hi])
        marks.append(_Mark(lo, hi, kind, sides[0][1], blank, False, "\n" in base[lo:hi]))
    return marks
