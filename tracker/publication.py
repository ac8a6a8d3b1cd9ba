"""Provides what has been published: the ``publish`` events of the journal.

Publishing is an act (``tracker publish``), recorded as one journal event naming the
revisions it made public: ``{"v": 1, "event": "publish", "document": DOC, "revisions":
[full ids], "date": ISO, "author": "Name <email>"}``. A notice is published once a
publish event names its revision; its date is the first such event's.
"""

from __future__ import annotations

from typing import Any

from tracker.git.journal import read_journal
from tracker.git.repo import Repository

PUBLISH = "publish"


def publish_events(journal: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The well-formed publish events of a journal, in its order (one written by hand
    with a missing or odd field is skipped here; verify reads the journal itself)."""
    events = []
    for event in journal:
        if event.get("event") != PUBLISH:
            continue
        revisions = event.get("revisions")
        if not isinstance(revisions, list) or not isinstance(event.get("date"), str):
            continue
        events.append(event)
    return events


def published_in(journal: list[dict[str, Any]]) -> dict[str, tuple[str, str]]:
    """Each published revision: (the first publish event's date, its author)."""
    found: dict[str, tuple[str, str]] = {}
    for event in publish_events(journal):
        for rev in event["revisions"]:
            if isinstance(rev, str) and rev not in found:
                found[rev] = (event["date"], str(event.get("author") or ""))
    return found


def published_revisions(store: Repository) -> dict[str, tuple[str, str]]:
    """Each published revision of the store, read from the journal once:
    ``{rev: (date, author)}``, the date of the first publish event that named it."""
    return published_in(read_journal(store))
