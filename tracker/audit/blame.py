"""Provides ``blame``: for each sentence (or paragraph, or line) of a document, the
revision that last changed it, and the note that says why.

The document's history is replayed oldest first as a list of attributed segments: each
revision's changes replace the segments they cover with a new one of their own, and a
deletion leaves a zero-width mark where text went missing, so the sentence around it is
attributed to the revision that cut it. One pass, linear in segments plus changes per
revision; no diff is computed for a recorded revision.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from tracker.git.read import BlobReader, RecentReads
from tracker.model import BlameUnit, Change, Revision
from tracker.notes import apply_later
from tracker.region import changed_region, changes_between
from tracker.store import Store
from tracker.text.decode import decode_document

# A sentence ends after . ! ? or … (and any closing quotes or brackets), before whitespace,
# unless the period ends an abbreviation such as "U.S." or "Dr.".
_SENTENCE_END = re.compile(r"(?<=[.!?…])([\"'”’)\]]*)\s+|\n\s*\n")
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|No|Inc|Co|Corp|Gen|Sen|Rep)\.)$"
)
UNIT_KINDS = ("sentence", "paragraph", "line")


def units(text: str, by: str = "sentence") -> list[tuple[int, int]]:
    """Split text into non-blank units, as (start, end) ranges without edge whitespace."""
    if by == "line":
        pieces, pos = [], 0
        for line in text.splitlines(keepends=True):
            pieces.append((pos, pos + len(line)))
            pos += len(line)
    else:
        pattern = re.compile(r"\n\s*\n") if by == "paragraph" else _SENTENCE_END
        pieces, pos = [], 0
        for match in pattern.finditer(text):
            before = text[max(pos, match.start() - 12) : match.start()]
            if by == "sentence" and "\n" not in match.group() and _ABBREVIATION.search(before):
                continue
            # The closing quotes or brackets belong to the sentence they close.
            end = match.end(1) if by == "sentence" and match.group(1) else match.start()
            pieces.append((pos, end))
            pos = match.end()
        pieces.append((pos, len(text)))
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
    revision's changes: a unit is the last revision's whose change overlaps it (or cut
    text inside it); otherwise its position is mapped to the text before that revision.
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
        result.append(BlameUnit(start, end, text[start:end], revision, change))
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
        self._texts: tuple[str, str] | None = None  # (old, new) of the revision skip() read

    @property
    def pending(self) -> bool:
        return bool(self.numbers)

    def begin(self, newest: Revision, by: str) -> None:
        data = self.reader.read(f"{newest.rev}:{self.document}") or b""
        self.text = decode_document(data, f"{self.document} at {newest.rev[:12]}")
        self.spans = units(self.text, by)
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
        first = bisect_right(self.ends, start)  # the first unit ending after the start
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
        if revision.changes and not _ends_walk(revision):
            # Only units that reach into the span of the changes can be hit; those after
            # it move by the change in length, those before it stay where they are.
            low = min(c.new.start for c in revision.changes)
            high = max(c.new.end for c in revision.changes)
            first = bisect_right(self.ends, low)
            after = bisect_right(self.starts, high)
            shift = sum((c.old.end - c.old.start) - (c.new.end - c.new.start)
                        for c in revision.changes)  # fmt: skip
        window = zip(
            self.numbers[first:after], self.starts[first:after], self.ends[first:after],
            strict=True,
        )  # fmt: skip
        still = _step(revision, [list(item) for item in window], self.found)
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
    history: list[Revision], spans: list[tuple[int, int]]
) -> dict[int, tuple[Revision, Change | None]]:
    """For each span of the newest text (by number), the revision and change behind it.

    ``history`` is newest first, each revision with its changes against its parent.
    """
    # [unit number, start, end] in the coordinates of the revision being looked at.
    pending: list[list[int]] | None = [
        [number, start, end] for number, (start, end) in enumerate(spans)
    ]
    found: dict[int, tuple[Revision, Change | None]] = {}
    for revision in history:
        if not pending:
            break
        pending = _step(revision, pending, found)
    return found


def _step(
    revision: Revision, pending: list[list[int]], found: dict[int, tuple[Revision, Change | None]]
) -> list[list[int]] | None:
    """Carry the pending units back through one revision: those its changes overlap are
    found; the others, returned, move to the text before it (None: the walk ends here)."""
    if _ends_walk(revision):
        for number, _s, _e in pending:
            found[number] = (revision, None)
        return None
    if not revision.changes:
        return pending
    changes = sorted(revision.changes, key=lambda c: (c.new.start, c.new.end))
    still: list[list[int]] = []
    k = 0
    shift = 0  # old position minus new position, for text after changes[:k]
    for item in pending:  # pending stays sorted by start
        _number, start, end = item
        while k < len(changes) and _before(changes[k], start):
            change = changes[k]
            shift += (change.old.end - change.old.start) - (change.new.end - change.new.start)
            k += 1
        hit = None
        j = k
        while j < len(changes) and changes[j].new.start < end:
            if _overlaps(changes[j], start, end):
                hit = changes[j]  # the last one wins: any would do, all are this revision
            j += 1
        if hit is not None:
            found[item[0]] = (revision, hit)
        else:
            still.append([item[0], start + shift, end + shift])
    return still


def _ends_walk(revision: Revision) -> bool:
    """Text before a revision that is not text, or before a repair of one, cannot be
    traced further back: the revision that brought the text in is its source."""
    return revision.initial or revision.parent is None or _no_text(revision)


def _no_text(revision: Revision) -> bool:
    return revision.not_text is not None


def _before(change: Change, start: int) -> bool:
    """The change lies wholly before a unit starting at ``start`` (new-text coordinates)."""
    if change.new.end > change.new.start:
        return change.new.end <= start
    return change.new.start < start or _cut_ends_before(change, start)


def _overlaps(change: Change, start: int, end: int) -> bool:
    if change.new.end > change.new.start:
        return change.new.start < end and change.new.end > start
    if _cut_ends_before(change, start):
        return False
    return start <= change.new.start < end  # text was cut inside the unit


def _cut_ends_before(change: Change, start: int) -> bool:
    """A whole paragraph or line cut just before a unit belongs to what it ended, not to
    the untouched text that follows it."""
    return change.new.start == start and change.old.text.endswith(("\n", "\r"))
