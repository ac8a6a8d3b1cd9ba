"""Provides the tracker's append-only journal: ``refs/tracker/journal``.

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

from tracker import gitcmd
from tracker.commits import commit_tree
from tracker.errors import DirtyStoreError
from tracker.identity import Identity
from tracker.store import Store

JOURNAL_REF = "refs/tracker/journal"
ZERO = "0" * 40
EVENT_PREFIX = "Tracker-Event: "


def _empty_tree(store: Store) -> str:
    return store.git("mktree", input=b"")


def write_with_journal(
    store: Store,
    ref: str,
    new: str,
    old: str | None,
    event: dict[str, Any],
    identity: Identity,
    date: str,
) -> None:
    """Move ``ref`` from ``old`` to ``new`` and append ``event`` to the journal, atomically.

    Both refs move in one transaction, each only if it still holds the value read, so a
    crash or a concurrent writer leaves either both updates or neither.
    """
    journal_old = store.ref(JOURNAL_REF)
    record = {"v": 1, **event, "ref": ref, "commit": new, "previous": old}
    summary = f"{event['event']} {new[:12]} on {ref}"
    message = f"{summary}\n\n{EVENT_PREFIX}{json.dumps(record, sort_keys=True)}\n"
    journal_new = commit_tree(store, _empty_tree(store), journal_old, message, identity, date)
    transaction = (
        "start\n"
        f"update {ref} {new} {old or ZERO}\n"
        f"update {JOURNAL_REF} {journal_new} {journal_old or ZERO}\n"
        "prepare\n"
        "commit\n"
    )
    proc = gitcmd.run(
        store.root, "update-ref", "-m", "tracker", "--stdin", input=transaction.encode(),
        check=False,
    )  # fmt: skip
    store.refresh()
    if proc.returncode != 0:
        raise DirtyStoreError(
            f"{ref} moved while the tracker was writing (another program changed it)",
            "nothing was recorded; run the command again",
        )


def read_journal(store: Store) -> list[dict[str, Any]]:
    """Journal events, oldest first ([] when the store has no journal)."""
    if store.ref(JOURNAL_REF) is None:
        return []
    out = store.git("log", "--reverse", "--format=%H%x00%B%x00", JOURNAL_REF)
    events = []
    fields = out.split("\x00")
    for journal_commit, body in zip(fields[0::2], fields[1::2], strict=False):
        line = next((ln for ln in body.splitlines() if ln.startswith(EVENT_PREFIX)), None)
        if line is None:
            continue
        try:
            event = json.loads(line[len(EVENT_PREFIX) :])
        except ValueError:
            continue
        if isinstance(event, dict):
            event["journal_commit"] = journal_commit.strip()
            events.append(event)
    return events
