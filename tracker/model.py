"""Provides the typed records that the core returns: spans, changes, notes, revisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

CHANGE_KINDS = ("insert", "delete", "replace")
DEFAULT_CATEGORIES = (
    "factual",
    "sourcing",
    "balance",
    "clarity",
    "style",
    "structure",
    "legal",
    "other",
)


@dataclass(frozen=True)
class Span:
    """A range of characters (Unicode code points) in one text, and the text it covers."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Note:
    """Why a change was made."""

    text: str
    category: str = "other"
    source: str = ""
    author: str = ""
    date: str = ""
    # Where the note comes from: "revision" (recorded inside the commit) or "later"
    # (added afterwards in refs/notes/tracker).
    origin: str = "revision"
    # Earlier wordings of this note, oldest first, when it was corrected later.
    history: tuple[Note, ...] = ()

    @property
    def edited(self) -> bool:
        return bool(self.history)

    def to_json(self) -> dict[str, Any]:
        # Exactly the keys (and order) of the record stored in commit messages, so that
        # `tracker log --json` can pass a stored record through without re-encoding it.
        data: dict[str, Any] = {
            "text": self.text,
            "category": self.category,
            "source": self.source or None,
            "author": self.author,
            "date": self.date,
        }
        if self.origin != "revision":
            data["origin"] = self.origin
        if self.history:
            data["edited"] = True
            data["history"] = [earlier.to_json() for earlier in self.history]
        return data


@dataclass(frozen=True)
class Change:
    """One contiguous edit between two texts: a deletion, an insertion or a replacement."""

    index: int  # 1-based, in reading order
    kind: str
    old: Span
    new: Span
    note: Note | None = None

    def with_note(self, note: Note | None) -> Change:
        return Change(self.index, self.kind, self.old, self.new, note)

    @property
    def anchor(self) -> tuple[int, int, int, int]:
        """Old and new character ranges: what a note is anchored to."""
        return (self.old.start, self.old.end, self.new.start, self.new.end)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "note": self.note.to_json() if self.note else None,
        }


@dataclass(frozen=True)
class Revision:
    """One commit that changed a document, as the tracker reads it."""

    rev: str
    parent: str | None
    author: str
    date: str
    summary: str
    reason: str
    document: str = ""
    changes: tuple[Change, ...] = ()
    # True when the commit carries the tracker's structured block (it was recorded
    # by the tracker); False for commits of foreign repositories.
    recorded: bool = False
    later_note_count: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def note_count(self) -> int:
        return sum(1 for change in self.changes if change.note is not None)

    def to_json(self) -> dict[str, Any]:
        data = {
            "rev": self.rev,
            "parent": self.parent,
            "author": self.author,
            "date": self.date,
            "summary": self.summary,
            "reason": self.reason,
            "document": self.document,
            "recorded_by_tracker": self.recorded,
            "notes": self.note_count,
        }
        # Keys starting with '_' are the core's own working data, not part of the contract.
        data.update({k: v for k, v in self.extra.items() if not k.startswith("_")})
        data["changes"] = [change.to_json() for change in self.changes]
        return data
