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
from bisect import bisect_left
from dataclasses import dataclass
from typing import Any

from tracker.model import Change, Revision
from tracker.store import Store

# A sentence ends after . ! ? or … (and any closing quotes or brackets), before whitespace,
# unless the period ends an abbreviation such as "U.S." or "Dr.".
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+|\n\s*\n")
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|No|Inc|Co|Corp|Gen|Sen|Rep)\.)$"
)
UNIT_KINDS = ("sentence", "paragraph", "line")


@dataclass(frozen=True)
class Unit:
    start: int
    end: int
    text: str
    revision: Revision | None
    change: Change | None

    def to_json(self) -> dict[str, Any]:
        note = self.change.note.to_json() if self.change and self.change.note else None
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "rev": self.revision.rev if self.revision else None,
            "author": self.revision.author if self.revision else None,
            "date": self.revision.date if self.revision else None,
            "summary": self.revision.summary if self.revision else None,
            "change": self.change.index if self.change else None,
            "note": note,
        }


# A segment: [start, end, revision position in history, change index or None]
Segment = list


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
            pieces.append((pos, match.start()))
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


def _apply(segments: list[Segment], changes: tuple[Change, ...], position: int, old_len: int):
    """The segments of the new text, given those of the old text and the changes."""
    out: list[Segment] = []
    starts = [s[0] for s in segments]

    def copy(lo: int, hi: int, shift: int) -> None:
        i = max(bisect_left(starts, lo) - 1, 0)
        while i < len(segments) and segments[i][0] <= hi:
            s, e, rev, ch = segments[i]
            if s == e:  # a deletion mark
                if lo < s < hi or (s == lo == hi):
                    out.append([s + shift, s + shift, rev, ch])
            elif e > lo and s < hi:
                out.append([max(s, lo) + shift, min(e, hi) + shift, rev, ch])
            i += 1

    pos, shift = 0, 0
    for change in changes:
        copy(pos, change.old.start, shift)
        if change.new.end > change.new.start:
            out.append([change.new.start, change.new.end, position, change.index])
        else:
            out.append([change.new.start, change.new.start, position, change.index])
        pos = change.old.end
        shift = change.new.end - change.old.end
    copy(pos, old_len, shift)
    # Merge neighbours from the same change, so the list stays as short as the history.
    merged: list[Segment] = []
    for seg in out:
        if merged and merged[-1][2:] == seg[2:] and merged[-1][1] == seg[0] and seg[0] != seg[1]:
            merged[-1][1] = seg[1]
        else:
            merged.append(seg)
    return merged


def blame(store: Store, document: str, by: str = "sentence") -> tuple[str, list[Unit]]:
    """The current text (at HEAD) and its units, each with the revision that last changed it."""
    history = list(reversed(list(store.log(document))))  # oldest first
    if not history:
        return "", []
    text_len = None
    segments: list[Segment] = []
    for position, revision in enumerate(history):
        if revision.extra.get("initial") or text_len is None:
            text = store.text_at(revision.rev, document)
            text_len = len(text)
            segments = [[0, text_len, position, None]]
            continue
        new_len = text_len
        for change in revision.changes:
            new_len += (change.new.end - change.new.start) - (change.old.end - change.old.start)
        segments = _apply(segments, revision.changes, position, text_len)
        text_len = new_len
    text = store.text_at(history[-1].rev, document)
    result = []
    seg_starts = [s[0] for s in segments]
    for start, end in units(text, by):
        best = None
        i = max(bisect_left(seg_starts, start) - 1, 0)
        while i < len(segments) and segments[i][0] <= end:
            s, e, pos, ch = segments[i]
            inside = (s < end and e > start) if s != e else (start <= s < end)
            if inside and (best is None or pos > best[0]):
                best = (pos, ch)
            i += 1
        revision = history[best[0]] if best else None
        change = None
        if revision is not None and best[1] is not None:
            change = next((c for c in revision.changes if c.index == best[1]), None)
        result.append(Unit(start, end, text[start:end], revision, change))
    return text, result
