"""Provides ``verify``: what an auditor can check from the store alone.

Checks, each finding naming the revision, the change and what is wrong:

* object integrity (``git fsck --full``);
* each document's history is a linear first-parent chain (no merges);
* every recorded change is a change that really exists between the revision and its
  parent, and every real change is in the record (nothing changed silently);
* every later note is anchored to a change that exists;
* notes where the store requires them (otherwise the share of explained changes);
* dates that do not go backwards;
* the journal (``refs/tracker/journal``) against the branch and the notes refs: a
  journaled revision no longer on the branch, a revision the journal never saw, a notes
  ref that moved without the journal;
* signatures of signed revisions and notes commits (``--require-signatures``: all).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker import gitcmd
from tracker.diff import diff_texts
from tracker.errors import TrackerError
from tracker.journal import JOURNAL_REF, read_journal
from tracker.notes import NOTES_REF
from tracker.store import Store
from tracker.textio import decode_document

REVIEWS_REF = "refs/notes/tracker-reviews"


@dataclass(frozen=True)
class Finding:
    kind: str
    message: str
    revision: str | None = None
    change: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "revision": self.revision,
            "change": self.change,
            "message": self.message,
        }


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    checked_revisions: int = 0
    changes: int = 0
    explained: int = 0
    signed: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, kind: str, message: str, revision: str | None = None, change: int | None = None):
        self.findings.append(Finding(kind, message, revision, change))

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "findings": [f.to_json() for f in self.findings],
            "revisions": self.checked_revisions,
            "changes": self.changes,
            "explained": self.explained,
            "signed": self.signed,
        }


def verify(store: Store, require_signatures: bool = False) -> Report:
    report = Report()
    _check_objects(store, report)
    if store.head() is None:
        return report
    try:
        journal = read_journal(store)
        branch_commits = _first_parent_chain(store)
        _check_linear(store, branch_commits, report)
        for document in store.documents():
            _check_document(store, document, report)
        _check_dates(store, branch_commits, report)
        _check_journal(store, journal, branch_commits, report)
        _check_signatures(store, branch_commits, journal, require_signatures, report)
    except TrackerError as error:
        # A damaged repository can stop git itself; that is a finding, not a crash.
        report.add("integrity", f"the store could not be read to the end: {error.one_line()}")
    return report


def _check_objects(store: Store, report: Report) -> None:
    proc = gitcmd.run(
        store.root, "fsck", "--full", "--strict", "--no-dangling", "--no-progress", check=False
    )
    problems = [
        line
        for line in (proc.stderr + proc.stdout).decode("utf-8", "replace").splitlines()
        if line.strip() and not line.startswith(("Checking", "notice:"))
    ]
    if proc.returncode != 0 or problems:
        for line in problems[:20] or ["git fsck failed"]:
            report.add("integrity", f"git fsck: {line.strip()}")


def _first_parent_chain(store: Store) -> list[tuple[str, list[str], str, str]]:
    """(commit, parents, author date, committer date), oldest first."""
    out = store.git("log", "--first-parent", "--reverse", "--format=%H%x00%P%x00%aI%x00%cI", "HEAD")
    chain = []
    for line in out.splitlines():
        commit, parents, adate, cdate = line.split("\x00")
        chain.append((commit, parents.split(), adate, cdate))
    return chain


def _check_linear(store: Store, chain, report: Report) -> None:
    for commit, parents, _a, _c in chain:
        if len(parents) > 1:
            report.add("history", "a merge commit on the branch: the history is not linear", commit)


def _check_dates(store: Store, chain, report: Report) -> None:
    previous = None
    for commit, _parents, _adate, cdate in chain:
        when = datetime.fromisoformat(cdate)
        if previous is not None and when < previous:
            report.add(
                "dates",
                f"committed {cdate}, before its parent ({previous.isoformat()}): "
                "the clock went backwards or history was rewritten",
                commit,
            )
        previous = when


def _check_document(store: Store, document: str, report: Report) -> None:
    config = store.config
    reader = gitcmd.BlobReader(store.root)
    try:
        for revision in store.log(document, with_changes=False):
            report.checked_revisions += 1
            if revision.extra.get("initial"):
                continue
            old_blob = reader.read(f"{revision.parent}:{document}") if revision.parent else b""
            new_blob = reader.read(f"{revision.rev}:{document}") or b""
            try:
                old = decode_document(old_blob or b"", document)
                new = decode_document(new_blob, document)
            except Exception as error:  # a non-text revision is a finding, not a crash
                report.add("text", str(error), revision.rev)
                continue
            actual = diff_texts(old, new)
            if not revision.recorded:
                report.changes += len(actual)
                if config.created_by_tracker:
                    report.add(
                        "unrecorded",
                        f"changes {document} without the tracker's record "
                        f"({len(actual)} change(s), no notes): made with plain git?",
                        revision.rev,
                    )
                continue
            _compare_record(revision, actual, old, new, report)
            for entry in revision.extra.get("_later", []):
                anchor = (*entry.get("old", ()), *entry.get("new", ()))
                if not any(c.anchor == tuple(anchor) for c in revision.changes):
                    report.add(
                        "orphan-note",
                        f"a later note points at text that is not a change of this revision "
                        f"({entry.get('old')} -> {entry.get('new')})",
                        revision.rev,
                        entry.get("change"),
                    )
            for change in revision.changes:
                report.changes += 1
                if change.note is not None:
                    report.explained += 1
                elif config.require_notes:
                    report.add(
                        "unexplained",
                        "the store requires a note on every change; this one has none",
                        revision.rev,
                        change.index,
                    )
    finally:
        reader.close()


def _compare_record(revision, actual, old: str, new: str, report: Report) -> None:
    recorded = {c.anchor: c for c in revision.changes}
    real = {c.anchor: c for c in actual}
    for anchor, change in recorded.items():
        if anchor not in real:
            report.add(
                "orphan-note",
                f"the record names a change {change.old.text[:40]!r} -> {change.new.text[:40]!r} "
                "that is not in the revision's text",
                revision.rev,
                change.index,
            )
        elif old[change.old.start : change.old.end] != change.old.text or (
            new[change.new.start : change.new.end] != change.new.text
        ):
            report.add("orphan-note", "recorded text differs from the revision's text",
                       revision.rev, change.index)  # fmt: skip
    for anchor, change in real.items():
        if anchor not in recorded:
            report.add(
                "silent-change",
                f"a change that the record does not list: {change.old.text[:40]!r} -> "
                f"{change.new.text[:40]!r}",
                revision.rev,
                change.index,
            )


def _check_journal(store: Store, journal, chain, report: Report) -> None:
    if not journal:
        if store.config.created_by_tracker:
            report.add("journal", f"{JOURNAL_REF} is missing: the tracker's journal was deleted")
        return
    on_branch = {commit for commit, *_ in chain}
    # A repository adopted by `tracker init` had history before the journal began: the
    # commits before the setup commit are its pre-tracker past, not unjournaled edits.
    setup = next((e["commit"] for e in journal if e.get("event") == "setup"), None)
    order = [commit for commit, *_ in chain]
    before_setup = set(order[: order.index(setup)]) if setup in order else set()
    journaled = set(before_setup)
    for event in journal:
        if event.get("event") in ("record", "setup"):
            journaled.add(event["commit"])
            if event["commit"] not in on_branch:
                report.add(
                    "rewritten",
                    "a revision the tracker recorded is no longer on the branch "
                    "(history was rewritten: reset, rebase or amend)",
                    event["commit"],
                )
    for commit, *_ in chain:
        if commit not in journaled:
            report.add(
                "unjournaled",
                "a commit on the branch that the tracker's journal never saw "
                "(made or rewritten outside the tracker)",
                commit,
            )
    for ref, kind in ((NOTES_REF, "note"), (REVIEWS_REF, "review")):
        events = [e for e in journal if e.get("event") == kind]
        head = gitcmd.run(store.root, "rev-parse", "--verify", "--quiet", ref, check=False)
        value = head.stdout.decode().strip() or None
        expected = events[-1]["commit"] if events else None
        if value != expected:
            report.add(
                "notes-rewritten",
                f"{ref} is at {(value or 'nothing')[:12]}, but the journal last wrote "
                f"{(expected or 'nothing')[:12]}: notes were added, edited or deleted "
                "outside the tracker",
            )


def _check_signatures(store: Store, chain, journal, require: bool, report: Report) -> None:
    commits = [commit for commit, *_ in chain]
    commits += [e["commit"] for e in journal if e.get("event") in ("note", "review")]
    if not commits:
        return
    out = gitcmd.run(
        store.root, "log", "--no-walk=unsorted", "--format=%H %G?", *commits, check=False
    ).stdout.decode()
    for line in out.splitlines():
        commit, _, status = line.partition(" ")
        if status in ("G", "U"):
            report.signed += 1
        elif status == "N":
            if require:
                report.add("unsigned", "not signed (--require-signatures)", commit)
        elif status in ("B", "X", "Y", "R", "E"):
            meaning = {
                "B": "a bad signature",
                "X": "a good signature that has expired",
                "Y": "a good signature by an expired key",
                "R": "a good signature by a revoked key",
                "E": "a signature that cannot be checked (missing key?)",
            }[status]
            if status in ("B", "R") or require:
                report.add("signature", f"{meaning}", commit)
