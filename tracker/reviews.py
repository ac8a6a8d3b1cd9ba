"""Provides review status: a reviewer approves a revision or flags it with a comment.

Reviews are kept like later notes, after the fact and without rewriting the revision: one
append-only JSON document per revision in ``refs/notes/tracker-reviews``, each entry with
its author and date, every change a journaled commit of that ref. The latest entry is
the revision's status; the earlier ones are its history.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from tracker.git import cmd as gitcmd
from tracker.git.read import BlobReader
from tracker.model import Review
from tracker.notes import heads

REVIEWS_REF = "refs/notes/tracker-reviews"


class _Located(Protocol):
    """What reading reviews needs of a store: its folder. (Not Store itself: the store
    reads review status through this module, which must not import it back.)"""

    root: Path


def reviews_of(
    store: _Located, read: Callable[[str], bytes | None] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Every revision's review entries (oldest first), read with two git processes, or
    through ``read`` (a ``cat-file --batch`` reader a command already has) with none."""
    if read is not None:
        from tracker.logcache import hash_size, notes_pairs

        return _parse(notes_pairs(read, REVIEWS_REF, hash_size(store.root)), read)
    proc = gitcmd.run(store.root, "notes", f"--ref={REVIEWS_REF}", "list", check=False)
    pairs = [line.split() for line in proc.stdout.decode().splitlines() if line.strip()]
    if not pairs:
        return {}
    with BlobReader(store.root) as reader:
        return _parse(pairs, reader.read)


def _parse(
    pairs: list[list[str]] | list[tuple[str, str]], read: Callable[[str], bytes | None]
) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {}
    for blob, commit in pairs:
        entries = entries_of(read(blob) or b"{}")
        if entries is not None:
            result[commit] = entries
    return result


def entries_of(data: bytes | None) -> list[dict[str, Any]] | None:
    """The entries of one revision's reviews document (None when absent or unreadable)."""
    if data is None:
        return None
    try:
        entries = json.loads(data or b"{}").get("entries", [])
    except (ValueError, AttributeError):
        return None
    if not isinstance(entries, list):
        return None
    return entries_of_stored(entries)


def stored_entries(data: bytes | None) -> list[Any]:
    """The entries of a reviews document exactly as stored ([] when absent or unreadable):
    what a new review is appended to."""
    try:
        entries = json.loads(data or b"{}").get("entries", [])
    except (ValueError, AttributeError):
        return []
    return entries if isinstance(entries, list) else []


def entries_of_stored(entries: list[Any]) -> list[dict[str, Any]]:
    """Stored entries as the readers take them: the objects, with text fields."""
    return [_as_text(e) for e in entries if isinstance(e, dict)]


def _as_text(entry: dict[str, Any]) -> dict[str, Any]:
    """An entry whose fields are text: the ref can be written with plain git, and a number
    or a list where a name or a date belongs must not crash a command that shows it."""
    fields = {}
    for key in ("status", "comment", "author", "date"):
        value = entry.get(key)
        fields[key] = value if isinstance(value, str) else "" if value is None else str(value)
    return {**entry, **fields}


def status_of(entries: list[dict[str, Any]] | None) -> Review | None:
    """The latest review of a revision, with how many came before it; a current review
    with another verdict, written without seeing it, is its conflict."""
    if not entries:
        return None
    current = heads(entries)
    latest = entries[current[-1]]
    conflict = tuple(
        _review(entries[n], 0) for n in current[:-1] if entries[n]["status"] != latest["status"]
    )
    return _review(latest, len(entries) - 1 - len(conflict), conflict)


def _review(entry: dict[str, Any], history: int, conflict: tuple[Review, ...] = ()) -> Review:
    return Review(
        entry["status"], entry["comment"], entry["author"], entry["date"],
        history, dict(entry), conflict=conflict,
    )  # fmt: skip
