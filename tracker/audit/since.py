"""Provides ``verify --since REV``: the checks of ``verify`` on what is new since a point
an earlier verify passed at, so a newsroom's daily check reads one day, not ten years.

What is new since REV (an ancestor of HEAD):

* the revisions on the branch after it (first parent): each record against its texts,
  notes where required, later notes anchored, a linear history, dates that do not go
  backwards from REV's;
* the journal events after REV's own (``refs/tracker/journal`` read newest first, and
  only until REV's event and the last event that wrote each notes ref are found): every
  new revision journaled, every revision journaled since still on the branch, each notes
  ref where the journal last put it, the later notes those events added anchored;
* signatures of the new revisions and notes commits;
* the new objects hashed again (in place of ``git fsck``, which reads every object of
  the store: the full ``verify`` runs it).

What is older than REV is what the earlier verify checked; it is not read again.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import closing

from tracker.audit.approval_checks import check_approvals
from tracker.audit.notice_checks import check_notices
from tracker.audit.policy_checks import check_policy
from tracker.audit.replay_checks import check_replays
from tracker.audit.settings_history import last_on_branch
from tracker.errors import TrackerError, UnknownDocumentError
from tracker.git import cmd as gitcmd
from tracker.git.journal import JOURNAL_REF, event_of
from tracker.git.read import stream_records
from tracker.model import VerifyReport
from tracker.notes import NOTES_REF
from tracker.store import CONFIG_PATH, Store, StoreConfig

from .verify import (
    REVIEWS_REF,
    _check_dates,
    _check_later_notes,
    _check_linear,
    _check_revision,
    _check_signatures,
    _shallow,
)

_NOTES_REFS = (NOTES_REF, REVIEWS_REF)
# Events that put a commit on the branch: a revision, the setup, a settings change.
_BRANCH_EVENTS = ("record", "setup", "config")
_UNSET = object()


def verify_since(store: Store, since: str, require_signatures: bool = False) -> VerifyReport:
    """``verify`` restricted to what was written after ``since`` (see the module)."""
    rev = store.resolve(since)
    head = store.head()
    ancestor = head is not None and (
        rev == head
        or gitcmd.run(store.root, "merge-base", "--is-ancestor", rev, head, check=False).returncode
        == 0
    )
    if not ancestor:
        raise TrackerError(
            f"{since} ({rev[:12]}) is not an ancestor of HEAD, so nothing is 'since' it",
            "name a revision of this branch (see 'tracker log'), or run 'tracker verify'",
        )
    report = VerifyReport(since=rev)
    if _shallow(store):
        report.add(
            "shallow",
            "this is a shallow clone: the history before its oldest commit is missing; "
            "run 'git fetch --unshallow' (and fetch refs/tracker/*) and verify again",
        )
        return report
    store.prefetch(since=rev)  # a partial clone: the new blobs in one fetch
    chain = _chain(store, rev)
    try:
        _check_config_since(store, rev, report)
        _check_linear(store, chain[1:], report)
        _check_dates(store, chain, report, first_checked=True)
        new = [commit for commit, *_ in chain[1:]]
        previous: dict[str, tuple[str, str] | None] = {}
        replays = []  # revisions sync replayed since REV (Tracker-Replay-Of)
        for commit in new:
            for document in _changed_documents(store, commit):
                revision = store.revision(commit, document)
                if revision.replay_of is not None:
                    replays.append(commit)
                previous[document] = _check_revision(
                    store, document, revision, previous.get(document), report
                )
        events = _check_journal_since(store, rev, set(new), report, replays)
        # A note added since REV to an older revision: its policy, as the full verify
        # checks it (the revisions recorded since were checked whole above).
        noted = {str(e.get("revision")) for e in events if e.get("event") == "note"}
        for commit in sorted(noted - set(new)):
            if store.ref(commit) is not None:
                check_policy(store, store.revision(commit), report)
        _check_signatures(store, chain[1:], events, require_signatures, report)
        check_approvals(store, report, events)
        check_notices(store, report, events, whole=False)  # the publish events since REV
        _rehash(store, rev, events, report)
    except TrackerError as error:
        report.add("integrity", f"the store could not be read to the end: {error.one_line()}")
    return report


def _chain(store: Store, rev: str) -> list[tuple[str, list[str], str, str]]:
    """(commit, parents, author date, committer date) of REV, then of the first-parent
    commits after it, oldest first."""
    fields = "--format=%H%x00%P%x00%aI%x00%cI"
    out = store.git("log", "-1", fields, rev) + "\n"
    out += store.git("log", "--first-parent", "--reverse", fields, f"{rev}..HEAD")
    chain = []
    for line in out.splitlines():
        if line:
            commit, parents, adate, cdate = line.split("\x00")
            chain.append((commit, parents.split(), adate, cdate))
    return chain


def _changed_documents(store: Store, commit: str) -> list[str]:
    """The documents of HEAD that a commit changed against its first parent: the two
    trees compared down the folders that differ (a few trees, however big the store),
    or git's own listing where that comparison cannot say (a deletion, a submodule)."""
    parsed = store.reader.commit(commit)
    if parsed is None:
        raise UnknownDocumentError(f"revision {commit[:12]} cannot be read", "")
    old = store.reader.commit(parsed.parents[0]).tree if parsed.parents else None
    changed: list[str] = []
    if not store._changed_paths(old, parsed.tree, b"", changed):
        listing = store.git(
            "diff-tree", "-r", "-z", "--name-only", "--no-commit-id", "--root",
            *gitcmd.NO_DRIVERS, commit,
        )  # fmt: skip
        changed = [name for name in listing.split("\x00") if name]
    return [name for name in changed if store._is_document(name)]


def _check_config_since(store: Store, rev: str, report: VerifyReport) -> None:
    """The settings may not have been loosened since REV (as the full check, from REV's,
    or from the last change 'tracker config' journaled since: that one is decided)."""
    events, _expected, _anchor = _journal_tail(store, rev)
    changes = [str(e.get("commit")) for e in events if e.get("event") == "config"]
    raw = store.read_blob(last_on_branch(store, changes) or rev, CONFIG_PATH)
    if raw is None:
        return
    try:
        before = StoreConfig.from_json(json.loads(raw))
    except ValueError:
        return
    current = store.config
    loosened = current.require_approval < before.require_approval
    if not current.created_by_tracker:
        report.add("config", f"{CONFIG_PATH} was deleted after {rev[:12]}")
    elif current.require_notes < before.require_notes:
        report.add("config", f"require_notes was switched off after {rev[:12]}")
    if loosened and current.created_by_tracker:
        report.add("config", "require_approval was switched off without the journal")
    if not current.created_by_tracker or current.require_notes < before.require_notes or loosened:
        store._config = before  # audit by the rules in force at REV


def _writes(event: dict, ref: str) -> object:
    """The value an event sets ``ref`` to (None: deletes it), or _UNSET when it does not."""
    if event.get("event") in ("note", "review") and event.get("ref") == ref:
        return event.get("commit")
    refs = event.get("refs") if event.get("event") == "sync" else None
    if isinstance(refs, dict) and ref in refs:
        return refs[ref]
    return _UNSET


def _journal_tail(store: Store, rev: str) -> tuple[list[dict], dict[str, object], str | None]:
    """(events after REV's own, oldest first; the value the journal last gave each notes
    ref; REV's journal commit or None), reading the journal newest first only as far as
    needed."""
    if store.ref(JOURNAL_REF) is None:
        return [], {}, None
    tail: list[tuple[str, bool, dict | None]] = []  # newest first, until REV's event
    expected: dict[str, object] = {}
    anchor = None
    listing = stream_records(
        store.root, "log", "--topo-order", "--format=%H%x00%P%x00%B%x00", JOURNAL_REF, fields=3
    )
    with closing(listing):
        for raw_commit, parents, body in listing:
            commit = raw_commit.decode("ascii").strip()
            event = event_of(body)
            if event is not None:
                event["journal_commit"] = commit
                for ref in _NOTES_REFS:
                    if ref not in expected and (value := _writes(event, ref)) is not _UNSET:
                        expected[ref] = value
                is_anchor = event.get("event") in _BRANCH_EVENTS and event.get("commit") == rev
                if anchor is None and is_anchor:
                    anchor = commit
            if anchor is None:
                tail.append((commit, len(parents.split()) > 1, event))
            if anchor is not None and len(expected) == len(_NOTES_REFS):
                break
    if anchor is not None and any(merge for _c, merge, _e in tail):
        # Joined journals (sync): what REV's event does not contain, in verify's order.
        events = []
        for _h, _p, body in stream_records(
            store.root, "log", "--reverse", "--topo-order", "--format=%H%x00%P%x00%B%x00",
            JOURNAL_REF, f"^{anchor}", fields=3,
        ):  # fmt: skip
            event = event_of(body)
            if event is not None:
                event["journal_commit"] = _h.decode("ascii").strip()
                events.append(event)
        return events, expected, anchor
    return [e for _c, _m, e in reversed(tail) if e is not None], expected, anchor


def _check_journal_since(
    store: Store, rev: str, new: set[str], report: VerifyReport, replays: list[str]
) -> list[dict]:
    """The journal after REV against the branch after REV and the notes refs; returns
    the events after REV (oldest first). ``replays``: the new revisions that say they
    replay an original (checked as the full verify checks them)."""
    events, expected, _anchor = _journal_tail(store, rev)
    if store.ref(JOURNAL_REF) is None:
        if store.config.created_by_tracker:
            report.add("journal", f"{JOURNAL_REF} is missing: the tracker's journal was deleted")
        return []
    # An original recorded since REV and replayed by a sync since REV left the branch with
    # the journal's consent: not rewritten, if the replay is vouched for and faithful.
    replayed = check_replays(store, events, report, replays)
    journaled: set[str] = set()
    for event in events:
        kind = event.get("event")
        if kind in _BRANCH_EVENTS:
            journaled.add(str(event.get("commit")))
            if event.get("commit") not in new and event.get("commit") not in replayed.originals:
                report.add(
                    "rewritten",
                    "a revision the tracker recorded is no longer on the branch "
                    "(history was rewritten: reset, rebase or amend)",
                    str(event.get("commit")),
                )
        elif kind == "sync":
            for pair in event.get("replayed") or []:
                if isinstance(pair, dict):
                    journaled.add(str(pair.get("commit")))
    for commit in sorted(new - journaled):
        report.add(
            "unjournaled",
            "a commit on the branch that the tracker's journal never saw "
            "(made or rewritten outside the tracker)",
            commit,
        )
    for ref in _NOTES_REFS:
        value = store.ref(ref)
        wrote = expected.get(ref)
        if value != wrote:
            report.add(
                "notes-rewritten",
                f"{ref} is at {(value or 'nothing')[:12]}, but the journal last wrote "
                f"{str(wrote or 'nothing')[:12]}: notes were added, edited or deleted "
                "outside the tracker",
            )
    # Later notes added since REV to revisions older than it: anchored to their changes.
    noted = {str(e.get("revision")) for e in events if e.get("event") == "note"}
    for older in sorted(noted - new):
        try:
            revision = store.revision(older)
        except TrackerError:
            report.add("orphan-note", "a later note names a revision this store does not have")
            continue
        _check_later_notes(revision, report)
    return events


def _rehash(store: Store, rev: str, events: list[dict], report: VerifyReport) -> None:
    """Hash again every object the branch gained after REV, and the journal and notes
    commits written since: an object whose bytes do not give its id is damaged."""
    listed = store.git("rev-list", "--objects", "--no-object-names", "HEAD", f"^{rev}")
    oids = listed.split()
    oids += [str(e["journal_commit"]) for e in events if e.get("journal_commit")]
    oids += [str(e["commit"]) for e in events if e.get("event") in ("note", "review")]
    reader = store.reader
    for oid in dict.fromkeys(oids):
        found = reader.object(oid)
        if found is None:
            report.add("integrity", f"object {oid} is missing", None)
            continue
        _oid, kind, data = found
        algorithm = "sha256" if len(oid) == 64 else "sha1"
        digest = hashlib.new(algorithm, b"%s %d\x00" % (kind.encode(), len(data)) + data)
        if digest.hexdigest() != oid:
            report.add("integrity", f"object {oid} is damaged: its bytes do not hash to its id")
