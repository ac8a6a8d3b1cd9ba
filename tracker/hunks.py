"""Provides hunks: the paragraphs around changes, aligned old against new, for display.

Both faces show a diff as pairs of paragraphs (old left, new right) with the changed
words marked; unchanged paragraphs between hunks are folded. This module only computes
where those pieces are; drawing them is the faces' job.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
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


# -- lines that line up ------------------------------------------------------------------------
#
# The row builder needs more than hunks: which line of the old text is which line of the new,
# so that every unchanged line (an unchanged paragraph is a run of them) starts on the same
# row on both sides. ``align`` answers that from the changes alone, in one pass.


@dataclass(frozen=True)
class Block:
    """A stretch of lines shown side by side: ``old`` and ``new`` are line numbers (0-based,
    ``text.split("\\n")``). ``same``: one unchanged line, the same on both sides. Otherwise
    changed lines: both sides (a changed paragraph and its counterpart), or one side only
    (deleted or inserted lines, facing blank rows). ``move``: the lines are one end of that
    move (old lines: where it left; new lines: where it went)."""

    old: range
    new: range
    same: bool = False
    move: int | None = None


def line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content, without its newline; "" has one empty line."""
    spans = []
    start = 0
    while (end := text.find("\n", start)) >= 0:
        spans.append((start, end))
        start = end + 1
    spans.append((start, len(text)))
    return spans


def edits(changes: list[Change] | tuple[Change, ...]) -> list[tuple[int, int, int, int, int]]:
    """Each change as (old start, old end, new start, new end, index), in text order.

    A move is a deletion at its old place plus an insertion at its new place; an edit
    inside a move is carried by the move, so it is not an edit of its own here."""
    out = []
    for c in changes:
        if c.within is not None:
            continue
        if c.is_move and c.old_place_in_new is not None and c.new_place_in_old is not None:
            out.append((c.old.start, c.old.end, c.old_place_in_new, c.old_place_in_new, c.index))
            out.append((c.new_place_in_old, c.new_place_in_old, c.new.start, c.new.end, c.index))
        else:
            out.append((c.old.start, c.old.end, c.new.start, c.new.end, c.index))
    out.sort(key=lambda e: (e[0], e[2], e[1], e[3]))
    return out


def equal_runs(
    old: str, new: str, changes: list[Change] | tuple[Change, ...]
) -> list[tuple[int, int, int]]:
    """The text no change touches, as (old start, new start, length), in order."""
    runs = []
    o = n = 0
    for os_, oe, ns, ne, _ in edits(changes):
        length = min(os_ - o, ns - n)
        if length > 0:
            runs.append((o, n, length))
        o, n = max(o, oe), max(n, ne)
    length = min(len(old) - o, len(new) - n)
    if length > 0:
        runs.append((o, n, length))
    return runs


def align(old: str, new: str, changes: list[Change] | tuple[Change, ...]) -> list[Block]:
    """Every line of both texts, in order, in blocks that line up (see ``Block``).

    An unchanged line is one whose text lies inside one stretch that no change touches
    and that is a whole line on both sides. Between two unchanged lines, the changed lines
    are paired where they share unchanged words (a paragraph and its edited counterpart);
    lines that share nothing face each other, or blank rows when only one side has any.
    The ends of a move get blocks of their own, so that a face can mark them."""
    old_lines, new_lines = line_spans(old), line_spans(new)
    old_at = {start: i for i, (start, _) in enumerate(old_lines)}
    runs = equal_runs(old, new, changes)
    breaks = _Breaks(changes)
    # Unchanged lines: (old line, new line), increasing on both sides.
    anchors: list[tuple[int, int]] = []
    # Changed lines that share words: (old line, new line).
    links: list[tuple[int, int]] = []
    old_starts = [s for s, _ in old_lines]
    new_starts = [s for s, _ in new_lines]
    for o, n, length in runs:
        k = bisect_left(new_starts, n)
        if k > 0 and new_lines[k - 1][1] > n:
            k -= 1  # the run starts inside line k - 1
        while k < len(new_lines) and new_lines[k][0] <= n + length:
            s, e = new_lines[k]
            lo, hi = max(s, n), min(e, n + length)
            # A whole line on both sides whose own line break was not added or removed
            # (then it is a changed line, so that the break shows).
            if s >= n and e <= n + length and not breaks.touches(e, e - n + o):
                i = old_at.get(s - n + o)
                if i is not None and old_lines[i][1] == e - n + o:
                    if not anchors or (i > anchors[-1][0] and k > anchors[-1][1]):
                        anchors.append((i, k))
                    k += 1
                    continue
            if hi > lo:
                i = bisect_right(old_starts, lo - n + o) - 1
                links.append((i, k))
            k += 1
    anchor_old = {i for i, _ in anchors}
    anchor_new = {k for _, k in anchors}
    links = [(i, k) for i, k in links if i not in anchor_old and k not in anchor_new]
    links.sort()
    moves = _move_lines(changes, old_lines, new_lines)
    blocks: list[Block] = []
    li = 0
    prev = (-1, -1)
    for anchor in [*anchors, (len(old_lines), len(new_lines))]:
        start = li
        while li < len(links) and links[li][0] < anchor[0]:
            li += 1
        _changed(blocks, range(prev[0] + 1, anchor[0]), range(prev[1] + 1, anchor[1]),
                 links[start:li], moves)  # fmt: skip
        if anchor[0] < len(old_lines):
            blocks.append(Block(range(anchor[0], anchor[0] + 1), range(anchor[1], anchor[1] + 1),
                                same=True))  # fmt: skip
        prev = anchor
    return blocks


def changes_breaks(change: Change) -> bool:
    """A change of blanks alone that adds or removes line breaks: the faces draw it as ↵."""
    old, new = change.old.text, change.new.text
    return not old.strip() and not new.strip() and old.count("\n") != new.count("\n")


class _Breaks:
    """Where line breaks were added or removed by a change of blanks alone."""

    def __init__(self, changes: list[Change] | tuple[Change, ...]) -> None:
        found = [c for c in changes if not c.is_move and c.within is None and changes_breaks(c)]
        self._old = sorted((c.old.start, c.old.end) for c in found)
        self._new = sorted((c.new.start, c.new.end) for c in found)
        self._old_starts = [s for s, _ in self._old]
        self._new_starts = [s for s, _ in self._new]

    def touches(self, new_at: int, old_at: int) -> bool:
        """True when the character at ``new_at`` (or ``old_at``) lies in such a change."""
        for spans, starts, at in ((self._new, self._new_starts, new_at),
                                  (self._old, self._old_starts, old_at)):  # fmt: skip
            i = bisect_right(starts, at) - 1
            if i >= 0 and spans[i][0] <= at < spans[i][1]:
                return True
        return False


def _move_lines(
    changes: list[Change] | tuple[Change, ...],
    old_lines: list[tuple[int, int]],
    new_lines: list[tuple[int, int]],
) -> tuple[dict[int, int], dict[int, int]]:
    """Which old lines are wholly inside a move's old range, which new lines inside its new."""
    old_of: dict[int, int] = {}
    new_of: dict[int, int] = {}
    moves = [c for c in changes if c.is_move and c.within is None]
    if not moves:
        return old_of, new_of
    starts = [s for s, _ in old_lines], [s for s, _ in new_lines]
    for c in moves:
        for side, (lines, span, into) in enumerate(
            ((old_lines, c.old, old_of), (new_lines, c.new, new_of))
        ):
            first = bisect_right(starts[side], span.start) - 1
            for i in range(max(first, 0), len(lines)):
                s, e = lines[i]
                if s > span.end or (s == span.end and span.end > span.start):
                    break
                if s >= span.start and e <= span.end and span.end > span.start:
                    into[i] = c.index
    return old_of, new_of


def _changed(
    blocks: list[Block],
    old: range,
    new: range,
    links: list[tuple[int, int]],
    moves: tuple[dict[int, int], dict[int, int]],
) -> None:
    """The changed lines between two unchanged ones, grouped by the words they share."""
    if not old and not new:
        return
    groups: list[tuple[int, int, int, int]] = []  # first/last old line, first/last new line
    for i, k in links:
        if groups and (i <= groups[-1][1] or k <= groups[-1][3]):
            a, b, c, d = groups[-1]
            groups[-1] = (a, max(b, i), c, max(d, k))
        else:
            groups.append((i, i, k, k))
    o, n = old.start, new.start
    for a, b, c, d in groups:
        _unpaired(blocks, range(o, a), range(n, c), moves)
        blocks.append(Block(range(a, b + 1), range(c, d + 1)))
        o, n = b + 1, d + 1
    _unpaired(blocks, range(o, old.stop), range(n, new.stop), moves)


def _unpaired(
    blocks: list[Block], old: range, new: range, moves: tuple[dict[int, int], dict[int, int]]
) -> None:
    """Lines that share no words with the other side: facing each other, or, when a move
    has lines among them, each side's runs in order (the move's ends apart)."""
    if not old and not new:
        return
    old_of, new_of = moves
    if not any(i in old_of for i in old) and not any(k in new_of for k in new):
        blocks.append(Block(old, new))
        return
    for lines, of, side in ((old, old_of, "old"), (new, new_of, "new")):
        runs: list[tuple[int | None, int, int]] = []
        for i in lines:
            move = of.get(i)
            if runs and runs[-1][0] == move:
                runs[-1] = (move, runs[-1][1], i + 1)
            else:
                runs.append((move, i, i + 1))
        for move, start, stop in runs:
            if side == "old":
                blocks.append(Block(range(start, stop), range(new.start, new.start), move=move))
            else:
                blocks.append(Block(range(old.stop, old.stop), range(start, stop), move=move))
