"""Provides joining two clones' journals, and the event that records a sync.

The journal (``refs/tracker/journal``, git/journal.py) is append-only on each clone; two
clones that both wrote have two tips. They are joined the way git joins histories: a
fast-forward when one contains the other, else one merge commit with parents (ours,
theirs), so every event of both stays in the history, and ``git log --topo-order``
reads each event after everything it could have seen. When a sync writes anything new
(a notes merge commit, a replayed revision, the join itself), the journal's new tip
carries one ``sync`` event naming what the sync left in each shared ref:

``{"v":1,"event":"sync","remote":NAME,"ref":"refs/heads/B","commit":<branch after>,
"previous":<branch before>,"refs":{"refs/notes/tracker":<after or null>,
"refs/notes/tracker-reviews":<after or null>},"replayed":[{"original":..,"commit":..}]}``,
with ``"set_aside":[<original>, ..]`` after them when ``sync --settle`` set revisions aside.
"""

from __future__ import annotations

import json
from typing import Any

from tracker.git.journal import EVENT_PREFIX, event_of
from tracker.git.repo import Repository
from tracker.git.write import commit_tree
from tracker.identity import Identity
from tracker.sync.transfer import contains


def join_kind(store: Repository, ours: str | None, theirs: str | None) -> str:
    """How two tips of one ref join: ``ours`` (nothing to take), ``theirs`` (a
    fast-forward to theirs) or ``merge`` (each has what the other lacks)."""
    if theirs is None or ours == theirs:
        return "ours"
    if ours is None:
        return "theirs"
    if contains(store, ours, theirs):
        return "ours"
    if contains(store, theirs, ours):
        return "theirs"
    return "merge"


def sync_event(
    remote: str,
    branch: str,
    before: str | None,
    after: str | None,
    notes: dict[str, str | None],
    replayed: list[tuple[str, str]],
    set_aside: list[str] | None = None,
) -> dict[str, Any]:
    """The journal event of one sync (the agreed shape, keys in a fixed order);
    ``set_aside`` (only when ``sync --settle`` set revisions aside) names the originals
    that left the branch without a replay."""
    event = {
        "v": 1,
        "event": "sync",
        "remote": remote,
        "ref": branch,
        "commit": after,
        "previous": before,
        "refs": dict(notes),
        "replayed": [{"original": o, "commit": n} for o, n in replayed],
    }
    if set_aside:
        event["set_aside"] = list(set_aside)
    return event


def join_journals(
    store: Repository,
    ours: str | None,
    theirs: str | None,
    event: dict[str, Any] | None,
    identity: Identity | None,
    date: str,
) -> str | None:
    """The journal's new tip: ``ours`` and ``theirs`` joined, with ``event`` on top.

    ``event`` is None when the sync wrote nothing new; a join that needs a merge commit
    always writes one (the caller passes the event then). Objects only: no ref moves."""
    kind = join_kind(store, ours, theirs)
    tip = theirs if kind == "theirs" else ours
    if kind != "merge" and event is None:
        return tip
    if event is None or identity is None:
        raise ValueError("a journal merge needs the sync's event and an identity")
    parents = [ours, theirs] if kind == "merge" else [tip]
    summary = f"sync {str(event.get('commit') or '')[:12]} with {event['remote']}"
    message = f"{summary}\n\n{EVENT_PREFIX}{json.dumps(event, sort_keys=True)}\n"
    empty_tree = store.git("mktree", input=b"")
    return commit_tree(store, empty_tree, [p for p in parents if p], message, identity, date)


def unexplained_notes(
    store: Repository,
    journal: str | None,
    since: str | None,
    moved: dict[str, str | None],
) -> list[str]:
    """The notes refs in ``moved`` (ref -> the remote's new value) whose value no event of
    the remote's journal (``since``..``journal``) explains: notes changed on the remote
    outside the tracker (``git notes merge`` or ``git notes edit`` by hand, then pushed).
    The last event in topological order that writes a ref names its value."""
    if not moved:
        return []
    expected: dict[str, str | None] = {}
    if journal is not None:
        spec = [journal] + ([f"^{since}"] if since else [])
        out = store.git("log", "--reverse", "--topo-order", "--format=%B%x00", *spec)
        for body in out.split("\x00"):
            event = event_of(body)
            if event is None:
                continue
            if event.get("event") in ("note", "review") and event.get("ref") in moved:
                expected[event["ref"]] = event.get("commit")
            elif event.get("event") == "sync" and isinstance(event.get("refs"), dict):
                for ref, value in event["refs"].items():
                    if ref in moved:
                        expected[ref] = value
    return [ref for ref, value in moved.items() if expected.get(ref, "") != value]
