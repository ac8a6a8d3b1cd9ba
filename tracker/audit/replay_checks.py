"""Provides verify's check of replayed revisions (``Tracker-Replay-Of``, written by sync).

A replay rewrites a revision onto another editor's tip, so its original leaves the
branch. verify accepts that only when the journal says so and the replay is faithful:

* some sync event of the journal names the pair (``replayed``: original, commit);
* the original is kept at ``refs/tracker/originals/<id>`` (a signed original stays
  auditable);
* the replay has the original's author and date, summary, reason and document, and the
  same changes (index, kind, old and new text, note), only their offsets moved: each
  record rebuilds its own revision's text from its parent's.

Anything else is a ``replay`` finding. The originals accepted here are not reported as
``rewritten``, and the replays a sync event names count as journaled. So are the
originals ``sync --settle`` set aside (the event's ``set_aside``), once each is kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tracker.errors import NotTextError, TrackerError
from tracker.model import VerifyReport
from tracker.moves import accounts
from tracker.notes import REPLAY_TRAILER, changes_from_record, parse_message, replay_of
from tracker.store import Store
from tracker.sync.refs import original_ref


@dataclass
class Replays:
    """What the journal's sync events vouch for: originals that left the branch by a
    replay (not ``rewritten``), and replayed commits (journaled by their sync event)."""

    originals: set[str] = field(default_factory=set)
    commits: set[str] = field(default_factory=set)


def check_replays(
    store: Store,
    journal: list[dict[str, Any]],
    report: VerifyReport,
    commits: Iterable[str] | None = None,
) -> Replays:
    """Check the replayed revisions ``commits`` (by default every one on the branch)
    against the sync events of ``journal``; return what those events vouch for."""
    named = _named_pairs(journal)
    accepted = Replays()
    if commits is None:
        # One git process finds the replays: most stores have none, and a long history's
        # messages are not read one by one for them.
        commits = store.git(
            "log", "--first-parent", "--format=%H", "-E",
            f"--grep=^{REPLAY_TRAILER}[0-9a-f]{{40}}", "HEAD",
        ).split()  # fmt: skip
    for commit in commits:
        try:
            _check_one(store, commit, named, accepted, report)
        except TrackerError as error:
            report.add("replay", f"the replay could not be read: {error.one_line()}", commit)
    _check_set_aside(store, journal, accepted, report)
    return accepted


def _check_set_aside(
    store: Store, journal: list[dict[str, Any]], accepted: Replays, report: VerifyReport
) -> None:
    """Originals a ``sync --settle`` set aside (its event's ``set_aside``) left the branch
    with the journal's consent, if each is kept at ``refs/tracker/originals/<id>``."""
    for event in journal:
        if event.get("event") != "sync" or not isinstance(event.get("set_aside"), list):
            continue
        for original in map(str, event["set_aside"]):
            # Named once, as a replay's lost original is: not also as rewritten.
            accepted.originals.add(original)
            if store.ref(original_ref(original)) != original or not store.reader.commit(original):
                report.add(
                    "replay",
                    f"a sync set {original[:12]} aside, but it is not kept at "
                    f"{original_ref(original)}: fetch refs/tracker/originals/* from the "
                    "remote, or it was deleted",
                    original,
                )


def _named_pairs(journal: list[dict[str, Any]]) -> set[tuple[str, str]]:
    pairs = set()
    for event in journal:
        if event.get("event") != "sync" or not isinstance(event.get("replayed"), list):
            continue
        for item in event["replayed"]:
            if isinstance(item, dict):
                pairs.add((str(item.get("original")), str(item.get("commit"))))
    return pairs


def _check_one(
    store: Store,
    commit: str,
    named: set[tuple[str, str]],
    accepted: Replays,
    report: VerifyReport,
) -> None:
    replay = store.reader.commit(commit)
    if replay is None:
        return
    message = replay.message.decode("utf-8", "replace")
    original = replay_of(message)
    if original is None:
        return  # the grep matched a reason that quotes the trailer: not a replay
    if (original, commit) not in named:
        report.add(
            "replay",
            f"it says it replays {original[:12]}, but no sync event of the journal names "
            "that replay (rewritten outside the tracker?)",
            commit,
        )
    else:
        accepted.originals.add(original)
        accepted.commits.add(commit)
    kept = store.ref(original_ref(original))
    source = store.reader.commit(original)
    if kept != original or source is None:
        report.add(
            "replay",
            f"its original {original[:12]} is not kept at {original_ref(original)}"
            + ("" if source is not None else " and is missing")
            + ": fetch refs/tracker/originals/* from the remote, or it was deleted",
            commit,
        )
        if source is None:
            return
    problem = _unfaithful(store, commit, replay, original, source)
    if problem:
        report.add("replay", f"not a faithful replay of {original[:12]}: {problem}", commit)


def _unfaithful(store: Store, commit: str, replay, original: str, source) -> str | None:
    """What differs between a replay and its original, or None when it is faithful."""
    if replay.header(b"author") != source.header(b"author"):
        return "its author or date differs"
    new_summary, new_reason, new_doc, new_record = parse_message(
        replay.message.decode("utf-8", "replace")
    )
    old_summary, old_reason, old_doc, old_record = parse_message(
        source.message.decode("utf-8", "replace")
    )
    if new_record is None or old_record is None:
        return "one of the two has no readable record"
    if (new_summary, new_reason) != (old_summary, old_reason):
        return "its summary or reason differs"
    if new_doc != old_doc or new_doc is None:
        return "it changes another document"
    if bool(new_record.get("initial")) != bool(old_record.get("initial")):
        return "one of the two is a baseline and the other is not"
    try:
        new_changes = changes_from_record(new_record)
        old_changes = changes_from_record(old_record)
    except (KeyError, TypeError, ValueError, AttributeError):
        return "one of the two records cannot be read"
    if len(new_changes) != len(old_changes):
        return f"it has {len(new_changes)} change(s), the original {len(old_changes)}"
    for new, old in zip(new_changes, old_changes, strict=True):
        same = (new.index, new.kind, new.old.text, new.new.text, new.note) == (
            old.index, old.kind, old.old.text, old.new.text, old.note,
        )  # fmt: skip
        if not same:
            return f"change {old.index} differs (its kind, texts or note)"
        if (new.within, new.is_move) != (old.within, old.is_move):
            return f"change {old.index} differs (a move)"
    for rev, changes, initial in (
        (commit, new_changes, new_record.get("initial")),
        (original, old_changes, old_record.get("initial")),
    ):
        if initial:
            continue
        texts = _texts(store, rev, new_doc)
        if texts is None:
            return f"the texts of {rev[:12]} cannot be read"
        if not accounts(*texts, changes):
            which = "its" if rev == commit else "the original's"
            return f"{which} record does not rebuild its text from its parent's"
    same_blob = store.reader.blob_at(commit, new_doc) == store.reader.blob_at(original, new_doc)
    if new_record.get("initial") and not same_blob:
        return "its baseline text differs from the original's"
    return None


def _texts(store: Store, rev: str, document: str) -> tuple[str, str] | None:
    parent = store.first_parent(rev)
    try:
        old = store.text_at(parent, document) if parent else ""
        new = store.text_at(rev, document)
    except NotTextError:
        return None
    return old, new
