"""Provides ``blame``: for each unit of a document (a sentence, heading, list item, table
row or line of code; or a paragraph, or a line), the revision that last changed its
words, and the note that says why.

The history is walked newest first, carrying each unit not yet explained back through
every revision's changes, until a change claims it: one whose new text overlaps it, or a
cut that took words out of it (a cut of whole units next to it never does: ``_Cuts``).
A moved paragraph is followed to its old place, so its units are credited to the
revision that wrote their words, and remember the move. One pass, linear in units plus
changes per revision; no diff is computed for a recorded revision. The rules are in
docs/auditing.md ("Blame: which change a unit is credited to").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace

from tracker.git.read import BlobReader, RecentReads
from tracker.model import BlameUnit, Change, Revision
from tracker.notes import apply_later
from tracker.region import changed_region, changes_between
from tracker.store import Store
from tracker.text.decode import decode_document
from tracker.where import structure

# A sentence ends after . ! ? or … (and any closing quotes or brackets), before whitespace,
# unless the period ends an abbreviation such as "U.S." or "Dr.".
_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"'”’)\]]*)\s+|\n\s*\n")
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|No|Inc|Co|Corp|Gen|Sen|Rep)\.)$"
)
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A cut that holds one of these (with the unit's edge character it touches) took out a
# whole unit or the break between two: it changed the text between units, not the unit
# it happens to touch. By sentence: a sentence's end, a blank line or a line that starts
# a heading, item, row or fence; by paragraph, a blank line; by line (and for a unit that
# is one line: a heading, a row, a line of code), any line break.
_BOUNDARIES = {
    "sentence": re.compile(
        r"[.!?…][\"'”’)\]]*\s|[\r\n][ \t]*(?:[\r\n]|#|[-*+][ \t]|\d{1,9}[.)][ \t]|\||```|~~~)"
    ),
    "paragraph": re.compile(r"[\r\n][ \t]*[\r\n]"),
    "line": re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c\x1c-\x1e]"),
}
UNIT_KINDS = ("sentence", "paragraph", "line")


def units(text: str, by: str = "sentence") -> list[tuple[int, int]]:
    """Split text into non-blank units, as (start, end) ranges without edge whitespace.

    By sentence (the default), units follow the document's structure (``structure``): a
    heading, a list item, a table row and each line of a code block is one unit, and
    prose is cut into sentences."""
    return [(start, end) for start, end, _one_line in _units(text, by)]


def _units(text: str, by: str) -> list[tuple[int, int, bool]]:
    """``units``, each with whether it is one line by nature (a line, a heading, a table
    row, a line of code): a line break next to it is then a boundary."""
    if by == "sentence":
        result: list[tuple[int, int, bool]] = []
        for block in structure(text):
            if block.kind == "prose":
                result += [(s, e, False) for s, e in _sentences(text, block.start, block.end)]
            else:
                result.append((block.start, block.end, block.kind != "item"))
        return result
    if by == "line":
        pieces, pos = [], 0
        for line in text.splitlines(keepends=True):
            pieces.append((pos, pos + len(line)))
            pos += len(line)
        return [(s, e, True) for s, e in _trim(text, pieces)]
    pieces, pos = [], 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        pieces.append((pos, match.start()))
        pos = match.end()
    pieces.append((pos, len(text)))
    return [(s, e, False) for s, e in _trim(text, pieces)]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The sentences of ``text[start:end]`` (a prose block)."""
    pieces, pos = [], start
    for match in _SENTENCE_END.finditer(text, start, end):
        before = text[max(pos, match.start() - 12) : match.start()]
        if "\n" not in match.group() and _ABBREVIATION.search(before):
            continue
        # The closing quotes or brackets belong to the sentence they close.
        cut = match.end(1) if match.group(1) else match.start()
        pieces.append((pos, cut))
        pos = match.end()
    pieces.append((pos, end))
    return _trim(text, pieces)


def _trim(text: str, pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result = []
    for start, end in pieces:
        chunk = text[start:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk) - len(chunk.rstrip())
            result.append((start + lead, end - trail))
    return result


def blame(store: Store, document: str, by: str = "sentence") -> tuple[str, list[BlameUnit]]:
    """The current text (at HEAD) and its units, each with the revision that last changed it.

    Walks the history newest first, carrying the units not yet explained back through each
    revision's changes: a unit is the revision's whose change claims it (``_step``);
    otherwise its position is mapped to the text before that revision.
    The walk stops when every unit is explained. A revision the tracker did not record is
    diffed only when the lines it changed hold a unit still unexplained; otherwise the
    units are only moved by its change in length (see ``changed_region``).
    """
    reader = RecentReads(store.reader)
    walk = _Walk(reader, document)
    for revision in store.log(document, with_changes=False):  # newest first
        if walk.spans is None:
            walk.begin(revision, by)
        if not walk.pending:
            break
        if revision.recorded or not walk.skip(revision):
            if not revision.recorded:
                revision = walk.exact(store, revision)
            if not walk.step(revision):
                break
    if walk.spans is None:
        return "", []
    text, found = walk.text, walk.found
    result = []
    for number, (start, end) in enumerate(walk.spans):
        revision, change = found.get(number, (None, None))
        moved_in, move = walk.moved.get(number, (None, None))
        result.append(BlameUnit(start, end, text[start:end], revision, change, moved_in, move))
    return text, result


class _Walk:
    """The units not yet explained, as parallel lists sorted by position (numbers, starts,
    ends) in the coordinates of the revision being looked at."""

    def __init__(self, reader: BlobReader, document: str) -> None:
        self.reader = reader
        self.document = document
        self.text = ""
        self.spans: list[tuple[int, int]] | None = None
        self.numbers: list[int] = []
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.found: dict[int, tuple[Revision, Change | None]] = {}
        self.moved: dict[int, tuple[Revision, Change]] = {}  # the newest move that carried it
        self.cuts = _Cuts("", [], "sentence")
        self._texts: tuple[str, str] | None = None  # (old, new) of the revision skip() read

    @property
    def pending(self) -> bool:
        return bool(self.numbers)

    def begin(self, newest: Revision, by: str) -> None:
        data = self.reader.read(f"{newest.rev}:{self.document}") or b""
        self.text = decode_document(data, f"{self.document} at {newest.rev[:12]}")
        found = _units(self.text, by)
        self.spans = [(start, end) for start, end, _one_line in found]
        self.cuts = _Cuts(self.text, found, by)
        self.numbers = list(range(len(self.spans)))
        self.starts = [start for start, _end in self.spans]
        self.ends = [end for _start, end in self.spans]

    def skip(self, revision: Revision) -> bool:
        """For a revision the tracker did not record: True when it changes no unit still
        unexplained (the units after its change are moved, and nothing else is needed)."""
        self._texts = None
        if revision.parent is None:
            return False
        new_bytes = self.reader.read(f"{revision.rev}:{self.document}") or b""
        old_bytes = self.reader.read(f"{revision.parent}:{self.document}")
        if old_bytes is None:
            return False  # the document's first revision: exact() marks it
        if old_bytes == new_bytes:
            return True
        try:
            old = old_bytes.decode("utf-8")
            new = new_bytes.decode("utf-8")
        except UnicodeDecodeError:
            return False  # exact() marks the revision as not text
        if "\x00" in old or "\x00" in new:
            return False
        start, end = changed_region(old, new)
        # The first unit ending at or after the start: a cut right at a unit's end claims it.
        first = bisect_left(self.ends, start)
        after = bisect_right(self.starts, end)  # the first unit starting after the end
        if first < after:
            self._texts = (old, new)
            return False
        shift = len(old) - len(new)
        if shift:
            self.starts[after:] = [s + shift for s in self.starts[after:]]
            self.ends[after:] = [e + shift for e in self.ends[after:]]
        return True

    def exact(self, store: Store, revision: Revision) -> Revision:
        """The revision with its changes, as ``Store.with_computed_changes`` gives them,
        diffing only the lines between the texts' common first and last lines."""
        if self._texts is None:
            return store.with_computed_changes(revision, self.reader)
        old, new = self._texts
        changes = apply_later(changes_between(old, new), revision.later_notes)
        return replace(revision, changes=tuple(changes))

    def step(self, revision: Revision) -> bool:
        """Attribute the pending units one revision changed; False when the walk ends."""
        self._texts = None
        first, after, shift = 0, len(self.numbers), 0
        edits = _plain_edits(revision.changes)
        if edits and not _ends_walk(revision):
            # Only units that reach into the span of the changes can be hit; those after
            # it move by the change in length, those before it stay where they are. A
            # move's two ends are both in the span, so the units it carries stay in it.
            low = min(e.new_start for e in edits)
            high = max(e.new_end for e in edits)
            # A unit ending right where a cut is (low) can be claimed by it (_Cuts).
            first = bisect_left(self.ends, low)
            after = bisect_right(self.starts, high)
            shift = sum((e.old_end - e.old_start) - (e.new_end - e.new_start) for e in edits)
        window = zip(
            self.numbers[first:after], self.starts[first:after], self.ends[first:after],
            strict=True,
        )  # fmt: skip
        still = _step(revision, [list(item) for item in window], self.cuts, self.found, self.moved)
        if still is None:
            self.numbers = []
            return False
        self.numbers[first:after] = [item[0] for item in still]
        self.starts[first:after] = [item[1] for item in still]
        self.ends[first:after] = [item[2] for item in still]
        if shift:
            after = first + len(still)
            self.starts[after:] = [s + shift for s in self.starts[after:]]
            self.ends[after:] = [e + shift for e in self.ends[after:]]
        return True


def attribute(
    history: list[Revision],
    text: str,
    by: str = "sentence",
    moved: dict[int, tuple[Revision, Change]] | None = None,
) -> dict[int, tuple[Revision, Change | None]]:
    """For each unit of the newest text (by number), the revision and change behind it
    (and in ``moved``, the newest move that carried it, if any).

    ``history`` is newest first, each revision with its changes against its parent.
    """
    found_units = _units(text, by)
    spans = [(start, end) for start, end, _one_line in found_units]
    cuts = _Cuts(text, found_units, by)
    # [unit number, start, end] in the coordinates of the revision being looked at.
    pending: list[list[int]] | None = [
        [number, start, end] for number, (start, end) in enumerate(spans)
    ]
    found: dict[int, tuple[Revision, Change | None]] = {}
    for revision in history:
        if not pending:
            break
        pending = _step(revision, pending, cuts, found, moved)
    return found


def _step(
    revision: Revision,
    pending: list[list[int]],
    cuts: _Cuts,
    found: dict[int, tuple[Revision, Change | None]],
    moved: dict[int, tuple[Revision, Change]] | None = None,
) -> list[list[int]] | None:
    """Carry the pending units back through one revision: those its changes claim are
    found; the others, returned, move to the text before it (None: the walk ends here).

    A change claims a unit when the text it wrote (its new range) overlaps the unit, or
    when it cut words out of the unit (``_Cuts``): a cut of whole units next to it, or of
    the break between two, never claims it. A unit
    inside a moved paragraph that no edit inside the move touched is followed to the
    move's old place, and the move is remembered in ``moved``."""
    if _ends_walk(revision):
        for number, _s, _e in pending:
            found[number] = (revision, None)
        return None
    if not revision.changes:
        return pending
    edits = _Edits(_plain_edits(revision.changes))
    inner: dict[int, list[Change]] = {}
    for change in revision.changes:
        if change.within is not None:
            inner.setdefault(change.within, []).append(change)
    still: list[list[int]] = []
    reordered = False
    for item in pending:  # pending stays sorted by start
        number, start, end = item
        hit = edits.claim(number, start, end, cuts)
        if hit is not None and hit.is_move and hit.new.start <= start and end <= hit.new.end:
            # Inside the moved paragraph: its own edits claim it, or it goes back to the
            # paragraph's old place, where an older revision wrote its words.
            within = _Edits(
                [_Edit.of(c) for c in sorted(inner.get(hit.index, []), key=_reading_order)],
                base=(hit.new.start, hit.old.start),
            )
            inner_hit = within.claim(number, start, end, cuts)
            if inner_hit is None:
                still.append([number, within.old(start, True), within.old(end, False)])
                if moved is not None:
                    moved.setdefault(number, (revision, hit))
                reordered = True
                continue
            hit = inner_hit
        if hit is not None:
            found[number] = (revision, hit)
        else:
            still.append([number, edits.old(start, True), edits.old(end, False)])
    if reordered:
        still.sort(key=lambda item: item[1])
    return still


def _reading_order(change: Change) -> tuple[int, int]:
    return (change.new.start, change.new.end)


class _Edit:
    """One change as a replacement of ``old`` by ``new`` (ranges); ``claims`` is False for
    the cut a move leaves at its old place, which never claims a unit."""

    __slots__ = ("new_start", "new_end", "old_start", "old_end", "change", "claims")

    def __init__(
        self, new: tuple[int, int], old: tuple[int, int], change: Change, claims: bool
    ) -> None:
        self.new_start, self.new_end = new
        self.old_start, self.old_end = old
        self.change = change
        self.claims = claims

    @classmethod
    def of(cls, change: Change) -> _Edit:
        return cls((change.new.start, change.new.end), (change.old.start, change.old.end),
                   change, True)  # fmt: skip


def _plain_edits(changes: tuple[Change, ...] | list[Change]) -> list[_Edit]:
    """A revision's changes as plain replacements in reading order: a move becomes a cut
    at its old place (which claims nothing) and an insertion at its new place, as a
    rebuild applies it; the edits inside a move are the move's business."""
    edits = []
    for change in changes:
        if change.within is not None:
            continue
        if change.is_move and change.old_place_in_new is not None:
            at_new = change.old_place_in_new
            at_old = change.new_place_in_old
            edits.append(_Edit((at_new, at_new), (change.old.start, change.old.end), change,
                               False))  # fmt: skip
            point = at_old if at_old is not None else change.old.start
            edits.append(_Edit((change.new.start, change.new.end), (point, point), change,
                               True))  # fmt: skip
        else:
            edits.append(_Edit.of(change))
    edits.sort(key=lambda e: (e.new_start, e.new_end, e.old_start))
    return edits


class _Cuts:
    """Whether a cut (a pure deletion) claims a unit it touches: only when it took words
    out of that unit, not whole units next to it.

    A cut strictly inside a unit claims it, even one that held a boundary: the unit is
    then two joined into one, which that revision made. A cut at the unit's start or end
    is read with the unit's first or last character, which no change has touched while the
    unit is still unexplained, and claims it only when that holds no boundary
    (``_BOUNDARIES``): "Extra " cut before "two." made "Extra two." into "two." (claims),
    but " Two." cut after "One." took a sentence (the "." and the space make a boundary:
    does not claim). A cut of spaces alone at an edge only changed the gap between units."""

    def __init__(self, text: str, found: list[tuple[int, int, bool]], by: str) -> None:
        self.firsts = [text[start : start + 1] for start, _end, _line in found]
        self.lasts = [text[end - 1 : end] for _start, end, _line in found]
        self.boundary = _BOUNDARIES.get(by, _BOUNDARIES["sentence"])
        self.one_line = [line for _start, _end, line in found]

    def claims(self, number: int, cut: str, at: int, start: int, end: int) -> bool:
        if start < at < end:
            return True
        if not cut.strip():
            return False
        probe = cut + self.firsts[number] if at == start else self.lasts[number] + cut
        if self.one_line[number] and _BOUNDARIES["line"].search(cut):
            return False
        return not self.boundary.search(probe)


class _Edits:
    """Edits in reading order, answering which one claims a unit and where a position
    of the new text was in the old one; ``base`` (new, old) places the first position
    of a moved paragraph at its old place."""

    def __init__(self, edits: list[_Edit], base: tuple[int, int] = (0, 0)) -> None:
        self.edits = edits
        self.starts = [e.new_start for e in edits]
        self.ends = [e.new_end for e in edits]
        self.base = base
        self.shifts = [0]  # old length minus new length of the first k edits
        for e in edits:
            self.shifts.append(
                self.shifts[-1] + (e.old_end - e.old_start) - (e.new_end - e.new_start)
            )

    def claim(self, number: int, start: int, end: int, cuts: _Cuts) -> Change | None:
        """The change that claims unit ``number`` at ``[start, end)`` (new text), if any:
        the last that does and has a note, else the last that does."""
        hit = None
        # Every edit that touches the unit: ends at or after its start, starts at or
        # before its end.
        for index in range(bisect_left(self.ends, start), bisect_right(self.starts, end)):
            e = self.edits[index]
            if e.new_end > e.new_start:
                claimed = e.new_start < end and e.new_end > start
            else:
                claimed = e.claims and cuts.claims(
                    number, e.change.old.text, e.new_start, start, end
                )
            # Any would do (all are this revision's); one with a note tells the reader why.
            if claimed and (hit is None or hit.note is None or e.change.note is not None):
                hit = e.change
        return hit

    def old(self, position: int, is_start: bool) -> int:
        """Where ``position`` of the new text (not inside an edit) was in the old text. A
        unit's start goes after a cut made at it, its end before one."""
        if is_start:
            count = bisect_right(self.ends, position)
        else:
            count = bisect_left(self.ends, position)
            while (
                count < len(self.edits)
                and self.edits[count].new_end == position
                and (self.edits[count].new_start < position)
            ):
                count += 1
        new_base, old_base = self.base
        return position - new_base + old_base + self.shifts[count]


def _ends_walk(revision: Revision) -> bool:
    """Text before a revision that is not text, or before a repair of one, cannot be
    traced further back: the revision that brought the text in is its source."""
    return revision.initial or revision.parent is None or _no_text(revision)


def _no_text(revision: Revision) -> bool:
    return revision.not_text is not None
