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

from tracker.model import BlameUnit, Change, Revision
from tracker.store import Store

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
    Most sentences are settled within a few revisions, so the work shrinks as it goes.
    """
    history = list(store.log(document))  # newest first
    if not history:
        return "", []
    text = store.text_at(history[0].rev, document)
    spans = units(text, by)
    found = attribute(history, spans)
    result = []
    for number, (start, end) in enumerate(spans):
        revision, change = found.get(number, (None, None))
        result.append(BlameUnit(start, end, text[start:end], revision, change))
    return text, result


def attribute(
    history: list[Revision], spans: list[tuple[int, int]]
) -> dict[int, tuple[Revision, Change | None]]:
    """For each span of the newest text (by number), the revision and change behind it.

    ``history`` is newest first, each revision with its changes against its parent.
    """
    # [unit number, start, end] in the coordinates of the revision being looked at.
    pending = [[number, start, end] for number, (start, end) in enumerate(spans)]
    found: dict[int, tuple[Revision, Change | None]] = {}
    for revision in history:
        if not pending:
            break
        # Text before a revision that is not text, or before a repair of one, cannot be
        # traced further back: the revision that brought the text in is its source.
        if revision.initial or revision.parent is None or _no_text(revision):
            for number, _s, _e in pending:
                found[number] = (revision, None)
            break
        if not revision.changes:
            continue
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
        pending = still
    return found


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
