"""Provides moved paragraphs: found after the word diff, and the rule that rebuilds a text
from changes that hold moves.

A paragraph cut from one place and pasted, perhaps edited, at another reads in a plain
word diff as an unrelated deletion and insertion, often twenty rows apart. ``find_moves``
pairs such paragraphs and turns each pair into one change of kind "move" followed by the
word edits inside it (``within`` = the move's index), so a note can say why it moved and
each edit inside can say why it changed. docs/diff-engine.md ("Moves") has the design and
docs/storage-format.md the rebuild rule that ``accounts`` implements.

How a pair is chosen, and why:

* **Units.** Paragraphs (runs of non-blank lines; lines, for a text with no blank line),
  from ``where.Places``, then the sentences of the changed paragraphs left unpaired (a
  sentence moved between paragraphs, split off into its own, or merged into another).
  A unit is a candidate when it has at least ``MIN_WORDS`` words and the word diff
  changed at least ``CHANGED_SHARE`` of its word characters: a heading of two words or a
  blank line never moves.
* **Similarity.** Dice's coefficient on the multisets of lower-cased words: 2·shared /
  (words of both). ``THRESHOLD`` = 0.5 keeps a paragraph with 30% of its words replaced
  (about 0.7) and rejects two unrelated paragraphs of one article (below 0.35 on the
  shared corpora, where only function words are shared).
* **Pairing.** Global and best-first: every candidate pair at or above the threshold,
  highest similarity first; ties go to the earlier new place, then the earlier old
  place. (MediaWiki's wikidiff2 takes the first pair above its threshold as it scans, so
  an earlier, weaker match can steal a paragraph from its true partner.) Candidates are
  proposed only through words shared with few other candidates, at most ``PROPOSALS``
  per unit, so a redraft of hundreds of paragraphs costs near-linear time.
* **In place is not a move.** A pair the word diff already aligned (its old paragraph
  lines up with its new one) is an edit in place; so is a move that crosses neither an
  unchanged line (or six unchanged words in a row) nor another moved paragraph, which the
  result is checked for at the end.

The text around the moves is diffed again without the moved paragraphs (only in windows
around them, the rest of the diff is kept), so the changes outside a move are exactly
what they would be had the paragraph never been there.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from tracker.model import Change, Span
from tracker.where import Places

# Dice similarity of two paragraphs' words at or above which they are one paragraph moved.
THRESHOLD = 0.5
# Fewer words than this and a unit never moves: headings, captions, blank lines.
MIN_WORDS = 6
# A unit is a candidate when the word diff changed at least this share of its word
# characters (a unit the diff kept mostly equal is where it was).
CHANGED_SHARE = 0.5
# Each new unit is compared with at most this many old units: those sharing the most
# words that few candidates have.
PROPOSALS = 8
# A word in more candidate units than this proposes no pair ("the", "and").
RARE = 24
# Rounds of dropping a move found in place and pairing again, before all are dropped.
_ROUNDS = 4

_WORD = re.compile(r"\w+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

# (old_start, old_end, new_start, new_end)
Edit = tuple[int, int, int, int]
PlainDiff = Callable[[str, str], Sequence[Change]]


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    words: Counter[str]
    size: int  # number of words
    sentence: bool = False  # a sentence inside a paragraph, not a whole unit


@dataclass(frozen=True)
class _Pair:
    old: _Unit
    new: _Unit
    similarity: float


def find_moves(old: str, new: str, changes: list[Change], plain: PlainDiff) -> list[Change]:
    """``changes`` (the plain word diff of ``old`` and ``new``) with moved paragraphs made
    moves, each followed by the edits inside it; ``changes`` itself when nothing moved.

    ``plain`` is the word diff without move detection, used inside windows and pairs."""
    if not _may_move(changes):
        return changes
    # One Places per text: placing a 100 KB text is most of what a diff without moves pays.
    places = (Places(old), Places(new))
    old_units = _candidates(places[0], changes, old_side=True)
    new_units = _candidates(places[1], changes, old_side=False)
    align = _Alignment(changes)
    pairs = _pair(old_units, new_units, align) if old_units and new_units else []
    pairs = _with_sentences(places, changes, align, pairs, old_units, new_units)
    for round_ in range(_ROUNDS + 1):
        if not pairs:
            return changes
        result = _build(old, new, changes, pairs, plain)
        if result is None:
            return changes  # never expected: a result that would not rebuild is not given
        in_place = _in_place(new, result, pairs)
        if not in_place:
            return result
        if round_ == _ROUNDS:
            pairs = [p for k, p in enumerate(pairs) if k not in in_place]
        else:
            # Two paragraphs swapped and both edited read as two moves that each cross
            # only the other: drop the weaker one, and the other crosses an edited
            # paragraph, so it stays a move.
            weakest = min(in_place, key=lambda k: (pairs[k].similarity, -k))
            pairs = [p for k, p in enumerate(pairs) if k != weakest]
    return changes


def _with_sentences(places, changes, align, pairs, old_units, new_units) -> list[_Pair]:
    """``pairs`` and the sentences that moved: split off a paragraph into one of their
    own, merged into another paragraph, or moved from one paragraph into another.

    The candidates are the sentences of the paragraphs that changes touch (other than
    those already paired) and the unpaired candidate paragraphs themselves; a pair of two
    whole paragraphs was already weighed, so only pairs with a sentence on one side are
    new."""
    paired_old = {p.old.start for p in pairs}
    paired_new = {p.new.start for p in pairs}
    old_sentences = _sentence_units(places[0], changes, True, paired_old)
    new_sentences = _sentence_units(places[1], changes, False, paired_new)
    if not old_sentences and not new_sentences:
        return pairs
    olds = [u for u in old_units if u.start not in paired_old] + old_sentences
    news = [u for u in new_units if u.start not in paired_new] + new_sentences
    taken = ([(p.old.start, p.old.end) for p in pairs], [(p.new.start, p.new.end) for p in pairs])
    more = _pair(olds, news, align, taken, sentences=True)
    return sorted(pairs + more, key=lambda p: p.new.start) if more else pairs


def _sentence_units(
    places: Places, changes: list[Change], old_side: bool, paired: set[int]
) -> list[_Unit]:
    """Sentences with enough words, most of them changed, in paragraphs of more than one
    sentence that a change touches. A sentence's span takes the spaces after it, the last
    one the spaces before it, so cutting it out leaves its neighbours as they read."""
    text = places.text
    ranges = _ranges(changes, old_side)
    found = []
    for start, end in _touched_units(places, ranges):
        if start in paired:
            continue
        spans = places.sentences(start, end)
        if len(spans) < 2:
            continue
        for n, (s, e) in enumerate(spans):
            span = (s, spans[n + 1][0]) if n + 1 < len(spans) else (spans[n - 1][1], e)
            unit = _unit(text, span[0], span[1], ranges, sentence=True)
            if unit is not None:
                found.append(unit)
    return found


def _ranges(changes: list[Change], old_side: bool) -> list[tuple[int, int]]:
    ranges = [(c.old.start, c.old.end) if old_side else (c.new.start, c.new.end) for c in changes]
    return [r for r in ranges if r[1] > r[0]]


def _unit(text: str, start: int, end: int, ranges, sentence: bool = False) -> _Unit | None:
    """The unit text[start:end] when it has enough words, most of them changed."""
    words = _WORD.findall(text, start, end)
    if len(words) < MIN_WORDS:
        return None
    total = sum(map(len, words))
    changed = 0
    at = bisect_left(ranges, (start, start))
    at = max(at - 1, 0)
    while at < len(ranges) and ranges[at][0] < end:
        lo, hi = max(ranges[at][0], start), min(ranges[at][1], end)
        if hi > lo:
            changed += sum(map(len, _WORD.findall(text, lo, hi)))
        at += 1
    if changed < CHANGED_SHARE * total:
        return None
    return _Unit(start, end, Counter(word.lower() for word in words), len(words), sentence)


def _may_move(changes: list[Change]) -> bool:
    """Cheap test first: a move needs a change deleting and one inserting some words."""
    deletes = inserts = False
    for change in changes:
        deletes = deletes or change.old.end - change.old.start >= 2 * MIN_WORDS
        inserts = inserts or change.new.end - change.new.start >= 2 * MIN_WORDS
        if deletes and inserts:
            return True
    return False


def _candidates(places: Places, changes: list[Change], old_side: bool) -> list[_Unit]:
    """Units of ``text`` with enough words, most of them changed by the word diff."""
    ranges = _ranges(changes, old_side)
    if not ranges:
        return []
    found = []
    for start, end in _touched_units(places, ranges):
        unit = _unit(places.text, start, end, ranges)
        if unit is not None:
            found.append(unit)
    return found


def _touched_units(places: Places, ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The (start, end) of each unit of the text that one of ``ranges`` reaches into, in
    order, each once."""
    units = places.units()
    starts = [s for s, _ in units]
    touched: dict[int, None] = {}
    for lo, hi in ranges:
        k = max(bisect_left(starts, lo + 1) - 1, 0)
        while k < len(units) and units[k][0] < hi:
            touched[k] = None
            k += 1
    return [units[k] for k in sorted(touched)]


def similarity(a: Counter[str], b: Counter[str], size_a: int, size_b: int) -> float:
    """Dice's coefficient of two word multisets."""
    if len(a) > len(b):
        a, b = b, a
    shared = sum(min(n, b[w]) for w, n in a.items() if w in b)
    return 2 * shared / (size_a + size_b)


def _pair(
    old_units: list[_Unit],
    new_units: list[_Unit],
    align: _Alignment,
    taken: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], []),
    sentences: bool = False,
) -> list[_Pair]:
    """Best-first pairs above the threshold, each unit in at most one pair and none
    overlapping a unit already paired (``taken``), in the order of their new places.
    With ``sentences``, a pair needs a sentence on one side at least."""
    index: dict[str, list[int]] = defaultdict(list)
    for k, unit in enumerate(old_units):
        for word in unit.words:
            index[word].append(k)
    scored = []
    for j, unit in enumerate(new_units):
        votes: Counter[int] = Counter()
        for word in unit.words:
            holders = index.get(word)
            if holders and len(holders) <= RARE:
                votes.update(holders)
        proposed = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[:PROPOSALS]
        for k, _ in proposed:
            other = old_units[k]
            small, large = sorted((other.size, unit.size))
            if 2 * small / (small + large) < THRESHOLD:
                continue  # too different in length to reach the threshold
            if sentences and not (other.sentence or unit.sentence):
                continue
            score = similarity(other.words, unit.words, other.size, unit.size)
            if score >= THRESHOLD and not align.lines_up(other, unit):
                scored.append((-score, unit.start, other.start, k, j))
    scored.sort()
    used_old = _Spans(taken[0])
    used_new = _Spans(taken[1])
    pairs = []
    for neg, _ns, _os, k, j in scored:
        a, b = old_units[k], new_units[j]
        if used_old.overlaps(a.start, a.end) or used_new.overlaps(b.start, b.end):
            continue
        used_old.add(a.start, a.end)
        used_new.add(b.start, b.end)
        pairs.append(_Pair(a, b, -neg))
    pairs.sort(key=lambda p: p.new.start)
    return pairs


class _Spans:
    """Disjoint spans of one text, asked whether a span overlaps any of them."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)

    def overlaps(self, start: int, end: int) -> bool:
        k = bisect_left(self.spans, (start, start))
        before = self.spans[k - 1] if k else None
        after = self.spans[k] if k < len(self.spans) else None
        return bool(
            (before is not None and before[1] > start) or (after is not None and after[0] < end)
        )

    def add(self, start: int, end: int) -> None:
        insort(self.spans, (start, end))


class _Alignment:
    """Where a point of one text falls in the other, by a diff's changes (in order)."""

    def __init__(self, changes: Sequence[Change] | Sequence[Edit]) -> None:
        edits = [
            (c.old.start, c.old.end, c.new.start, c.new.end) if isinstance(c, Change) else c
            for c in changes
        ]
        self.edits = edits
        self.old_ends = [e[1] for e in edits]
        self.new_ends = [e[3] for e in edits]

    def window_old(self, start: int, end: int) -> tuple[int, int, int, int]:
        """The smallest aligned window (old lo, old hi, new lo, new hi) holding old[start:end]
        and every change it touches."""
        lo = self._lo(start, self.old_ends, 0)
        hi = self._hi(end, 0)
        return lo[0], hi[0], lo[1], hi[1]

    def window_new(self, start: int, end: int) -> tuple[int, int, int, int]:
        lo = self._lo(start, self.new_ends, 2)
        hi = self._hi(end, 2)
        return lo[0], hi[0], lo[1], hi[1]

    def _lo(self, pos: int, ends: list[int], side: int) -> tuple[int, int]:
        other = 2 - side
        k = bisect_left(ends, pos)
        if k < len(self.edits) and self.edits[k][side] <= pos:
            edit = self.edits[k]
            return edit[0], edit[2]
        return self._equal(pos, k - 1, side, other)

    def _hi(self, pos: int, side: int) -> tuple[int, int]:
        other = 2 - side
        starts_before = self._last_starting_at_or_before(pos, side)
        if starts_before >= 0 and self.edits[starts_before][side + 1] >= pos:
            edit = self.edits[starts_before]
            return edit[1], edit[3]
        return self._equal(pos, starts_before, side, other)

    def _last_starting_at_or_before(self, pos: int, side: int) -> int:
        ends = self.old_ends if side == 0 else self.new_ends
        k = bisect_left(ends, pos)  # first edit ending at or after pos
        # The edit before k ends before pos; k itself may start at or before pos, and
        # zero-width edits at pos may follow it.
        last = k - 1
        while k < len(self.edits) and self.edits[k][side] <= pos:
            last = k
            k += 1
        return last

    def _equal(self, pos: int, before: int, side: int, other: int) -> tuple[int, int]:
        """``pos`` lies in unchanged text after edit ``before`` (-1: none)."""
        if before < 0:
            mapped = pos
        else:
            edit = self.edits[before]
            mapped = pos - edit[side + 1] + edit[other + 1]
        return (pos, mapped) if side == 0 else (mapped, pos)

    def lines_up(self, old_unit: _Unit, new_unit: _Unit) -> bool:
        """The diff already aligns the old unit with the new one: an edit in place."""
        _o0, _o1, n0, n1 = self.window_old(old_unit.start, old_unit.end)
        return n0 < new_unit.end and new_unit.start < n1 or n0 == n1 == new_unit.start

    def point(self, pos: int, side: int) -> int:
        """Where a boundary ``pos`` (never inside an edit) falls in the other text: before
        any zero-width edit there."""
        other = 2 - side
        ends = self.old_ends if side == 0 else self.new_ends
        k = bisect_left(ends, pos)
        if k < len(self.edits) and self.edits[k][side] <= pos:
            edit = self.edits[k]
            return edit[other] if edit[side] == pos else edit[other + 1]
        return self._equal(pos, k - 1, side, other)[1 if side == 0 else 0]


def _build(
    old: str, new: str, changes: list[Change], pairs: list[_Pair], plain: PlainDiff
) -> list[Change] | None:
    """The changes with ``pairs`` as moves: windows around them diffed again."""
    align = _Alignment(changes)
    windows = []
    for number, pair in enumerate(pairs):
        windows.append((align.window_old(pair.old.start, pair.old.end), number, "old"))
        windows.append((align.window_new(pair.new.start, pair.new.end), number, "new"))
    windows.sort(key=lambda w: (w[0][0], w[0][2]))
    merged: list[list] = []  # [o0, o1, n0, n1, [(number, side), ...]]
    for (o0, o1, n0, n1), number, side in windows:
        if merged and (o0 <= merged[-1][1] or n0 <= merged[-1][3]):
            last = merged[-1]
            last[1], last[3] = max(last[1], o1), max(last[3], n1)
            last[4].append((number, side))
        else:
            merged.append([o0, o1, n0, n1, [(number, side)]])
    top: list[Change] = []
    moves: dict[int, list[int]] = {}  # pair number -> [old place in new, new place in old]
    kept = iter(changes)
    pending = next(kept, None)
    for o0, o1, n0, n1, members in merged:
        while pending is not None and pending.old.end <= o0 and pending.new.end <= n0:
            top.append(pending)
            pending = next(kept, None)
        while pending is not None and not (pending.old.start >= o1 and pending.new.start >= n1):
            pending = next(kept, None)  # inside the window: diffed again below
        olds = sorted(((pairs[n].old, n) for n, s in members if s == "old"), key=_at)
        news = sorted(((pairs[n].new, n) for n, s in members if s == "new"), key=_at)
        top.extend(_window(old, new, (o0, o1, n0, n1), olds, news, plain, moves))
    while pending is not None:
        top.append(pending)
        pending = next(kept, None)
    result: list[Change] = []
    for change in top:
        if change.kind != "move":
            result.append(change)
            continue
        number = change.index
        pair = pairs[number]
        p, q = moves[number]
        result.append(
            Change(
                0,
                "move",
                Span(pair.old.start, pair.old.end, old[pair.old.start : pair.old.end]),
                Span(pair.new.start, pair.new.end, new[pair.new.start : pair.new.end]),
                old_place_in_new=p,
                new_place_in_old=q,
            )
        )
    result = _numbered(result, old, new, plain)
    return result if accounts(old, new, result) else None


def _at(item: tuple[_Unit, int]) -> int:
    return item[0].start


def _window(old, new, window, olds, news, plain, moves) -> list[Change]:
    """The changes inside one aligned window, its moved units cut out and diffed again;
    each move appears once, as a placeholder whose index is its pair's number."""
    o0, o1, n0, n1 = window
    old_rest, old_cuts = _cut(old, o0, o1, [u for u, _ in olds])
    new_rest, new_cuts = _cut(new, n0, n1, [u for u, _ in news])
    edits = [(c.old.start, c.old.end, c.new.start, c.new.end) for c in plain(old_rest, new_rest)]
    edits = _split(edits, old_cuts, 0)
    edits = _split(edits, new_cuts, 2)
    align = _Alignment(edits)
    items = []
    for seq, e in enumerate(edits):
        items.append(((e[0], e[2], 2, seq), "edit", e))
    for seq, (r, (unit, number)) in enumerate(zip(old_cuts, olds, strict=True)):
        items.append(((r, align.point(r, 0), 0, seq), "out", (unit, number, r)))
    for seq, (r, (unit, number)) in enumerate(zip(new_cuts, news, strict=True)):
        items.append(((align.point(r, 2), r, 1, seq), "in", (unit, number, r)))
    items.sort(key=lambda item: item[0])
    shift_old, shift_new = o0, n0
    out: list[Change] = []
    for _key, what, data in items:
        if what == "edit":
            a, b, c, d = data
            a, b, c, d = a + shift_old, b + shift_old, c + shift_new, d + shift_new
            kind = "replace" if b > a and d > c else ("delete" if b > a else "insert")
            out.append(Change(0, kind, Span(a, b, old[a:b]), Span(c, d, new[c:d])))
        elif what == "out":
            unit, number, r = data
            moves.setdefault(number, [0, 0])[0] = align.point(r, 0) + shift_new
            shift_old += unit.end - unit.start
        else:
            unit, number, r = data
            moves.setdefault(number, [0, 0])[1] = align.point(r, 2) + shift_old
            shift_new += unit.end - unit.start
            # The move is listed at its new place, where a reader meets it.
            out.append(Change(number, "move", Span(0, 0, ""), Span(unit.start, unit.end, "")))
    return out


def _cut(text: str, lo: int, hi: int, units: list[_Unit]) -> tuple[str, list[int]]:
    """text[lo:hi] without the units, and where each unit was cut out of it."""
    parts = []
    cuts = []
    at = lo
    length = 0
    for unit in units:
        parts.append(text[at : unit.start])
        length += unit.start - at
        cuts.append(length)
        at = unit.end
    parts.append(text[at:hi])
    return "".join(parts), cuts


def _split(edits: list[Edit], cuts: list[int], side: int) -> list[Edit]:
    """Split edits that a cut falls strictly inside (on ``side``: 0 old, 2 new), so each
    cut is a boundary; the other side's text goes with the first piece."""
    if not cuts:
        return edits
    out = []
    for edit in edits:
        lo, hi = edit[side], edit[side + 1]
        inside = sorted({r for r in cuts if lo < r < hi})
        if not inside:
            out.append(edit)
            continue
        a, b, c, d = edit
        for r in inside:
            if side == 0:
                out.append((a, r, c, d))
                a, c = r, d
            else:
                out.append((a, b, c, r))
                a, c = b, r
        out.append((a, b, c, d))
    return out


def _numbered(top: list[Change], old: str, new: str, plain: PlainDiff) -> list[Change]:
    """Index in reading order of the new text (a deletion by the point where it falls),
    each move followed by the edits inside it."""
    top = sorted(top, key=lambda c: (c.new.start, c.new.end, c.old.start, c.old.end))
    result: list[Change] = []
    for change in top:
        index = len(result) + 1
        result.append(replace(change, index=index))
        if not change.is_move:
            continue
        o, n = change.old.start, change.new.start
        for inner in plain(change.old.text, change.new.text):
            a, b = inner.old.start + o, inner.old.end + o
            c, d = inner.new.start + n, inner.new.end + n
            result.append(
                Change(
                    len(result) + 1,
                    inner.kind,
                    Span(a, b, old[a:b]),
                    Span(c, d, new[c:d]),
                    within=index,
                )
            )
    return result


def _in_place(new: str, changes: list[Change], pairs: list[_Pair]) -> set[int]:
    """Numbers of the pairs whose move crosses neither unchanged text of the new text nor
    another moved paragraph (in a redraft, moves cross only each other)."""
    covered = sorted(
        (c.new.start, c.new.end)
        for c in changes
        if c.within is None and not c.is_move and c.new.end > c.new.start
    )
    by_start = {p.new.start: k for k, p in enumerate(pairs)}
    found = set()
    for change in changes:
        if not change.is_move:
            continue
        lo, hi = sorted((change.old_place_in_new or 0, change.new.start))
        if change.old_place_in_new is not None and change.old_place_in_new > change.new.start:
            lo = change.new.end
        if not _unchanged_stretch(new, lo, hi, covered):
            found.add(by_start[change.new.start])
    return found


def _unchanged_stretch(text: str, lo: int, hi: int, covered: list[tuple[int, int]]) -> bool:
    """Whether text[lo:hi] holds unchanged text that a reader would see the move cross:
    a whole line (a heading, a paragraph) or ``MIN_WORDS`` words in a row outside every
    change. A few words the diff kept equal inside a rewritten paragraph do not count."""
    at = lo
    k = max(bisect_left(covered, (lo, lo)) - 1, 0)
    while at < hi:
        while k < len(covered) and covered[k][1] <= at:
            k += 1
        stop = min(covered[k][0], hi) if k < len(covered) else hi
        if stop > at and (
            len(_WORD.findall(text, at, stop)) >= MIN_WORDS or _whole_line(text, at, stop)
        ):
            return True
        at = max(stop, covered[k][1] if k < len(covered) else hi)
    return False


def _whole_line(text: str, start: int, end: int) -> bool:
    """text[start:end] holds a whole line with a word in it."""
    line = start if start == 0 or text[start - 1] in "\r\n" else None
    at = start
    while at < end:
        if line is None:
            newline = _LINE_BREAK.search(text, at, end)
            if newline is None:
                return False
            line = at = newline.end()
            continue
        newline = _LINE_BREAK.search(text, line, end)
        stop = newline.start() if newline else (end if end == len(text) else None)
        if stop is None:
            return False
        if _WORD.search(text, line, stop):
            return True
        if newline is None:
            return False
        line = at = newline.end()
    return False


# -- the rebuild rule ---------------------------------------------------------------------


def flattened(changes: Sequence[Change]) -> list[Change]:
    """The changes as a view that knows no moves draws them: each move as a deletion at its
    old place and an insertion at its new place (both keeping the move's index, so its
    note stays theirs), the edits inside it left out, in the order of both texts."""
    out = []
    for change in changes:
        if change.within is not None:
            continue
        if change.is_move and change.old_place_in_new is not None:
            p, q = change.old_place_in_new, change.new_place_in_old or 0
            out.append(replace(change, kind="delete", new=Span(p, p, "")))
            out.append(replace(change, kind="insert", old=Span(q, q, "")))
        else:
            out.append(change)
    out.sort(key=lambda c: (c.old.start, c.old.end, c.new.start))
    return out


def accounts(old: str, new: str, changes: Sequence[Change]) -> bool:
    """True when ``old`` plus ``changes`` is exactly ``new`` (docs/storage-format.md,
    "Rebuilding a text"); ``rebuild_problem`` says why not."""
    return rebuild_problem(old, new, changes) is None


def rebuild_problem(old: str, new: str, changes: Sequence[Change]) -> str | None:
    """Why ``old`` plus ``changes`` is not exactly ``new``, or None when it is.

    The changes without ``within`` are applied in old order; a move counts as a deletion
    of its old text at the point ``old_place_in_new`` and an insertion of its new text at
    the point ``new_place_in_old``. Each edit inside a move must lie inside it and,
    applied to the move's old text, give its new text. Linear: slice comparisons only.
    """
    steps: list[Edit] = []
    moves: dict[int, Change] = {}
    inner: dict[int, list[Change]] = defaultdict(list)
    for change in changes:
        o0, o1, n0, n1 = change.anchor
        if min(o0, n0) < 0 or o1 < o0 or n1 < n0:
            return f"change {change.index} has a range that ends before it starts"
        if old[o0:o1] != change.old.text or new[n0:n1] != change.new.text:
            return f"change {change.index}'s text is not the text at its offsets"
        if change.within is not None:
            inner[change.within].append(change)
        elif change.is_move:
            p, q = change.old_place_in_new, change.new_place_in_old
            if p is None or q is None or not (0 <= p <= len(new) and 0 <= q <= len(old)):
                return f"move {change.index} lacks its places in the other text"
            moves[change.index] = change
            steps.append((o0, o1, p, p))
            steps.append((q, q, n0, n1))
        else:
            steps.append((o0, o1, n0, n1))
    for index, edits in inner.items():
        move = moves.get(index)
        if move is None:
            return f"change {edits[0].index} is said to be inside change {index}, not a move"
        if not _rebuilds_move(move, edits):
            return f"the edits inside move {index} do not turn its old text into its new text"
    steps.sort()
    old_pos = new_pos = 0
    for a, b, c, d in steps:
        if a < old_pos or c < new_pos or a - old_pos != c - new_pos:
            return f"the changes overlap or leave text out near offset {a} of the old text"
        if old[old_pos:a] != new[new_pos:c]:
            return f"the text between the changes differs near offset {a} of the old text"
        old_pos, new_pos = b, d
    if old[old_pos:] != new[new_pos:]:
        return "the text after the last change differs"
    return None


def _rebuilds_move(move: Change, edits: list[Change]) -> bool:
    """The edits inside a move lie inside it and turn its old text into its new text."""
    o, n = move.old.start, move.new.start
    old_text, new_text = move.old.text, move.new.text
    old_pos = new_pos = 0
    for edit in sorted(edits, key=lambda e: (e.old.start, e.old.end, e.new.start)):
        a, b = edit.old.start - o, edit.old.end - o
        c, d = edit.new.start - n, edit.new.end - n
        if a < old_pos or c < new_pos or b > len(old_text) or d > len(new_text):
            return False
        if a - old_pos != c - new_pos or old_text[old_pos:a] != new_text[new_pos:c]:
            return False
        old_pos, new_pos = b, d
    return old_text[old_pos:] == new_text[new_pos:]
