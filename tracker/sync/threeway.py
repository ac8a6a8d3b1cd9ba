"""Provides the token-level three-way merge a replay rests on (pure: no git, no store).

Given a base text, our changes against it (a revision's record: exact ranges, with
notes) and the remote's changes against it (computed by the engine), it decides whether
the two sides touch disjoint token ranges of the base (``tracker/text/tokens.py``) and,
when they do, moves each of our changes onto the remote's text (offsets only) and builds
the merged text. There is no fuzzy matching, ever: a change is carried only to the very
tokens it changed in the base, so a correction can never land in the wrong place (the
failure of diff-match-patch's ``patch_apply``, which finds "5 percent" in another
sentence when the one it was written for is gone).

Conflicts, on token ranges of the base:

* two ranges that overlap (share a token);
* two insertions at the same point (which goes first is a choice for an editor);
* an insertion that touches the other side's changed range (at either end, or inside).

A change whose edge falls inside a token (the engine cuts whitespace runs at line
breaks) counts as covering that whole token: conflicts are decided conservatively.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import accumulate

from tracker.model import Change, Span
from tracker.text.tokens import may_extend, tokenize


@dataclass(frozen=True)
class Merged:
    """Disjoint changes merged: the merged text, and our changes as they read against
    the remote's text (``old`` in the remote's text, ``new`` in the merged text)."""

    text: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class Overlaps:
    """Changes that touch the same tokens: pairs of (our index, their index), 1-based
    change indices as the changes carry them."""

    pairs: tuple[tuple[int, int], ...]


class TokenRanges:
    """A base text's token edges, to widen a character range to the tokens it touches.

    Only the stretch around each range is tokenized: a long document with a few edits
    must not be tokenized whole for each replayed revision. The stretch starts and ends
    where whitespace meets a character that starts a token (the diff engine cuts there
    too), which is a token edge whether the whole text or the stretch is tokenized."""

    def __init__(self, base: str) -> None:
        self.text = base

    def _safe(self, at: int) -> bool:
        text = self.text
        if at <= 0 or at >= len(text):
            return True
        return text[at - 1].isspace() and not text[at].isspace() and not may_extend(text[at])

    def _edges(self, start: int, end: int) -> list[int]:
        """Every token edge from a safe point at or before ``start`` to one at or after
        ``end``."""
        lo, hi = start, end
        while not self._safe(lo):
            lo -= 1
        while not self._safe(hi):
            hi += 1
        return [lo, *(lo + n for n in accumulate(map(len, tokenize(self.text[lo:hi]))))]

    def of(self, start: int, end: int) -> tuple[int, int]:
        """The characters ``[a, b)`` of the tokens that ``[start, end)`` touches. An
        insertion (``start == end``) at a token edge stays the point ``(start, start)``;
        one inside a token covers that token."""
        edges = self._edges(start, end)
        if start == end:
            k = bisect_left(edges, start)
            if edges[k] == start:
                return (start, start)
            return (edges[k - 1], edges[k])
        first = edges[bisect_right(edges, start) - 1]
        last = edges[bisect_left(edges, end)]
        return (first, last)


def conflict(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether two ranges of the base, widened to whole tokens (``TokenRanges.of``),
    conflict (the module docstring's rules)."""
    (a0, a1), (b0, b1) = a, b
    if a0 == a1 and b0 == b1:
        return a0 == b0  # two insertions at one point
    if a0 == a1:
        return b0 <= a0 <= b1  # an insertion touching the other's range
    if b0 == b1:
        return a0 <= b0 <= a1
    return a0 < b1 and b0 < a1  # ranges sharing a token


def overlaps(base: str, ours: Sequence[Change], theirs: Sequence[Change]) -> list[tuple[int, int]]:
    """Every conflicting pair (our index, their index), in order."""
    ranges = TokenRanges(base)
    their_ranges = [(change, ranges.of(change.old.start, change.old.end)) for change in theirs]
    found = []
    for mine in ours:
        own = ranges.of(mine.old.start, mine.old.end)
        # Linear in both lists; a replay's lists are short (one revision's changes).
        for other, their_range in their_ranges:
            if conflict(own, their_range):
                found.append((mine.index, other.index))
    return found


def merge(base: str, ours: Sequence[Change], theirs: Sequence[Change]) -> Merged | Overlaps:
    """Our changes carried onto the remote's text, or the pairs that overlap.

    ``ours`` and ``theirs`` are plain edits against ``base`` (no moves, no edits inside
    moves: a caller flattens or refuses those). Every one of our changes keeps its
    index, kind, texts and note; only its offsets move, by the lengths the remote's
    changes before it added or removed."""
    pairs = overlaps(base, ours, theirs)
    if pairs:
        return Overlaps(tuple(pairs))
    # Without conflicts no two changes start at the same character (equal starts touch),
    # so sorting by start gives the one order both texts have.
    theirs_sorted = sorted(theirs, key=lambda c: c.old.start)
    their_starts = [c.old.start for c in theirs_sorted]
    shift_after = [
        0,
        *accumulate(len(c.new.text) - len(c.old.text) for c in theirs_sorted),
    ]
    moved = []
    for change in ours:
        before = bisect_left(their_starts, change.old.start)
        shift = shift_after[before]
        moved.append(
            replace(
                change,
                old=Span(change.old.start + shift, change.old.end + shift, change.old.text),
                new=Span(change.new.start + shift, change.new.end + shift, change.new.text),
            )
        )
    return Merged(apply(base, [*ours, *theirs]), tuple(moved))


def apply(base: str, changes: Sequence[Change]) -> str:
    """``base`` with disjoint plain edits applied (each at its ``old`` range)."""
    pieces = []
    at = 0
    for change in sorted(changes, key=lambda c: (c.old.start, c.old.end)):
        pieces.append(base[at : change.old.start])
        pieces.append(change.new.text)
        at = change.old.end
    pieces.append(base[at:])
    return "".join(pieces)
