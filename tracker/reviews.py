"""Provides review status: a reviewer approves a revision or flags it with a comment.

Reviews are kept like later notes, after the fact and without rewriting the revision: one
append-only JSON document per revision in ``refs/notes/tracker-reviews``, each entry with
its author and date, every change a journaled commit of that ref. The latest entry is
the revision's status; the earlier ones are its history.
"""

from __future__ import annotations

import json
from typing import Any

from tracker import gitcmd
from tracker.errors import TrackerError
from tracker.identity import Identity, now_iso
from tracker.lock import store_lock
from tracker.store import Store

REVIEWS_REF = "refs/notes/tracker-reviews"
APPROVED, FLAGGED = "approved", "flagged"


def review(
    store: Store,
    rev_name: str,
    status: str,
    comment: str = "",
    identity: Identity | None = None,
    date: str | None = None,
) -> str:
    """Record a review of a revision; returns the reviews commit."""
    from tracker.api import require_tracker_store
    from tracker.recording import write_note_document

    require_tracker_store(store)  # the app approves through here too
    if status not in (APPROVED, FLAGGED):
        raise TrackerError(f"unknown review status {status!r}", "use --approve or --flag TEXT")
    if status == FLAGGED and not comment.strip():
        raise TrackerError("a flag needs a comment", "say what is wrong: --flag TEXT")
    if identity is None:
        from tracker.identity import default_identity

        identity = default_identity(store.root)
    date = date or now_iso()
    revision = store.revision(rev_name)
    with store_lock(store.git_dir):
        entries = reviews_of(store).get(revision.rev, [])
        entries = [*entries, {"status": status, "comment": comment.strip(),
                              "author": str(identity), "date": date}]  # fmt: skip
        verb = "Approve" if status == APPROVED else "Flag"
        message = f"{verb} {revision.rev[:12]}: {revision.summary}\n\n{comment.strip()}\n"
        return write_note_document(
            store,
            REVIEWS_REF,
            revision.rev,
            json.dumps({"v": 1, "entries": entries}, ensure_ascii=False, indent=1),
            message,
            {"event": "review", "revision": revision.rev, "status": status},
            identity,
            date,
        )


def reviews_of(store: Store) -> dict[str, list[dict[str, Any]]]:
    """Every revision's review entries (oldest first), read with two git processes."""
    proc = gitcmd.run(store.root, "notes", f"--ref={REVIEWS_REF}", "list", check=False)
    pairs = [line.split() for line in proc.stdout.decode().splitlines() if line.strip()]
    result: dict[str, list[dict[str, Any]]] = {}
    if not pairs:
        return result
    with gitcmd.BlobReader(store.root) as reader:
        for blob, commit in pairs:
            data = reader.read(blob)
            try:
                entries = json.loads(data or b"{}").get("entries", [])
            except (ValueError, AttributeError):
                continue
            result[commit] = [e for e in entries if isinstance(e, dict)]
    return result


def status_of(entries: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The latest review of a revision, with how many came before it."""
    if not entries:
        return None
    latest = dict(entries[-1])
    latest["history"] = len(entries) - 1
    return latest
