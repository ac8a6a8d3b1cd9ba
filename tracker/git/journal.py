"""Reads the tracker's append-only journal: ``refs/tracker/journal`` (git/write.py writes it).

Every revision, later note and review the tracker writes is also recorded as one commit
on this ref, moved in the same atomic ``git update-ref --stdin`` transaction as the ref it
concerns. ``tracker verify`` compares the journal with the branch and the notes refs: a
recorded revision that is no longer on the branch, or a commit on the branch the journal
never saw, means history was changed behind the tracker's back.

Each journal commit has an empty tree and a message whose last line is the event as
JSON, so plain ``git log refs/tracker/journal`` reads it.
"""

from __future__ import annotations

import json
from typing import Any

from tracker.git.repo import Repository

JOURNAL_REF = "refs/tracker/journal"
ZERO = "0" * 40
EVENT_PREFIX = "Tracker-Event: "


def read_journal(store: Repository) -> list[dict[str, Any]]:
    """Journal events, oldest first in topological order ([] when the store has none)."""
    if store.ref(JOURNAL_REF) is None:
        return []
    # Topological order: two clones' journals joined by a sync are a merge, and every
    # event must come after everything it could have seen (a merge after both parents).
    out = store.git("log", "--reverse", "--topo-order", "--format=%H%x00%B%x00", JOURNAL_REF)
    events = []
    fields = out.split("\x00")
    for journal_commit, body in zip(fields[0::2], fields[1::2], strict=False):
        event = event_of(body)
        if event is not None:
            event["journal_commit"] = journal_commit.strip()
            events.append(event)
    return events


def event_of(message: str | bytes) -> dict[str, Any] | None:
    """The event a journal commit's message carries (its ``Tracker-Event:`` line), or
    None where it has none or it is not a JSON object (every reader of the journal skips
    such a commit the same way)."""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    line = next((ln for ln in text.splitlines() if ln.startswith(EVENT_PREFIX)), None)
    if line is None:
        return None
    try:
        event = json.loads(line[len(EVENT_PREFIX) :])
    except ValueError:
        return None
    return event if isinstance(event, dict) else None
