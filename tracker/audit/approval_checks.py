"""Provides verify's checks of approvals (one call from verify.py): who approved what.

Two findings, each naming the reviewed revision:

* ``self-approved``: under ``require_approval`` (second-editor sign-off), a revision whose
  latest review is an approval by its own author. The tracker refuses to write one, so it
  was written with plain git, or before the setting was turned on; either way the
  revision is not signed off until another editor approves it.
* ``approval-author``: a commit of ``refs/notes/tracker-reviews`` that adds an approval
  in someone else's name: the entry's author is not the commit's. The tracker writes
  both from one identity, so an approval whose two names differ was forged or edited by
  hand. (A signed approval thus proves who approved: the signature covers the commit
  whose author the entry must name.)

Editors are compared as sign-off compares them (``identity.same_editor``): by email,
case-insensitive, or by name when an email is missing.
"""

from __future__ import annotations

import json
from collections import Counter

from tracker.git import cmd as gitcmd
from tracker.identity import same_editor
from tracker.model import APPROVED, VerifyReport
from tracker.reviews import REVIEWS_REF, entries_of
from tracker.store import Store

_ZERO = "0" * 40


def check_approvals(store: Store, report: VerifyReport, events: list[dict] | None = None) -> None:
    """Add the approval findings of ``store`` to ``report``; with ``events`` (the journal
    after a verified point, ``verify --since``), only of the reviews those events wrote."""
    if store.ref(REVIEWS_REF) is None:
        return
    if events is None:
        _check_approval_authors(store, report, [REVIEWS_REF])
        if store.config.require_approval:
            _check_self_approvals(store, report)
        return
    reviews = [e for e in events if e.get("event") == "review"]
    commits = [str(e.get("commit")) for e in reviews if e.get("commit")]
    if commits:
        _check_approval_authors(store, report, ["--no-walk=unsorted", *commits])
    if store.config.require_approval:
        revisions = sorted({str(e.get("revision")) for e in reviews if e.get("revision")})
        latest = {rev: store.review_status(rev) for rev in revisions}
        _report_self_approvals(
            store,
            {rev: r.author for rev, r in latest.items() if r is not None and r.status == APPROVED},
            report,
        )


def _read_all(store: Store, oids: list[str]) -> dict[str, bytes]:
    """Many objects' contents from one ``git cat-file --batch``, all asked at once: a
    newsroom's reviews ref holds an approval per revision, too many for a round trip
    each."""
    wanted = list(dict.fromkeys(oids))
    if not wanted:
        return {}
    out = gitcmd.run(store.root, "cat-file", "--batch", input="\n".join(wanted).encode() + b"\n")
    found: dict[str, bytes] = {}
    data, position = out.stdout, 0
    for oid in wanted:
        end = data.index(b"\n", position)
        header = data[position:end].split()
        position = end + 1
        if len(header) != 3:  # "<oid> missing"
            continue
        size = int(header[2])
        found[oid] = data[position : position + size]
        position += size + 1
    return found


def _authors_of(store: Store, revs: list[str]) -> dict[str, str]:
    """Each commit's author as ``Name <email>``, as git prints it (one process)."""
    if not revs:
        return {}
    out = gitcmd.run(
        store.root, "log", "--no-walk=unsorted", "--ignore-missing", "--stdin",
        "--format=%H%x00%an <%ae>", input="\n".join(revs).encode() + b"\n",
    )  # fmt: skip
    authors = {}
    for line in out.stdout.decode("utf-8", "replace").splitlines():
        rev, _, author = line.partition("\x00")
        authors[rev] = author
    return authors


def _check_self_approvals(store: Store, report: VerifyReport) -> None:
    listing = store.git("ls-tree", "-r", "-z", REVIEWS_REF).split("\x00")
    notes = {}  # reviewed revision -> its note's blob
    for line in listing:
        meta, _, path = line.partition("\t")
        if meta.endswith(tuple("0123456789abcdef")) and " blob " in meta:
            notes[path.replace("/", "")] = meta.split()[2]
    blobs = _read_all(store, list(notes.values()))
    approvals = {}
    for rev, blob in notes.items():
        entries = entries_of(blobs.get(blob))
        if entries and entries[-1].get("status") == APPROVED:
            approvals[rev] = entries[-1]["author"]
    _report_self_approvals(store, approvals, report)


def _report_self_approvals(store: Store, approvals: dict[str, str], report: VerifyReport) -> None:
    """``approvals``: each revision's latest approval, by its reviewer."""
    authors = _authors_of(store, sorted(approvals))
    for rev in sorted(approvals):
        author = authors.get(rev)
        if author is not None and same_editor(approvals[rev], author):
            report.add(
                "self-approved",
                f"approved only by its author ({approvals[rev]}), but this store "
                "requires a second editor's approval; another editor must approve it",
                rev,
            )


def _canonical(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False)


def _check_approval_authors(store: Store, report: VerifyReport, which: list[str]) -> None:
    """Each approval a reviews commit adds must name that commit's author.

    One ``git log --raw`` lists, for every commit of the ref that is not a merge (a
    sync's merge of two editors' reviews adds no entry of its own), the notes it changed;
    the entries a commit added are those of the new note not in the old one. ``which``:
    the ref, or ``--no-walk`` and the commits the journal names since a verified point."""
    out = store.git(
        "log", "--no-merges", "--root", "-r", "--raw", "--no-abbrev", "--no-renames",
        "--format=%x01%H%x00%an <%ae>", *which, "--",
    )  # fmt: skip
    changed: list[tuple[str, str, str, str, str]] = []  # commit, author, rev, old, new
    for block in out.split("\x01")[1:]:
        head, _, raw = block.partition("\n")
        commit, _, committed_by = head.partition("\x00")
        moved_from: dict[str, str] = {}  # rev -> the blob its note had at another path
        written: list[tuple[str, str, str]] = []
        for line in raw.splitlines():
            meta, _, path = line.partition("\t")
            fields = meta.split()
            if len(fields) < 4 or not line.startswith(":"):
                continue  # not a note
            rev = path.replace("/", "")
            if fields[3] == _ZERO:
                moved_from[rev] = fields[2]  # deleted here: added nothing
            else:
                written.append((rev, fields[2], fields[3]))
        for rev, old, new in written:
            # A tree fanned out (or flattened) moves each note to a new path in one
            # commit: what it held at the old path is what it held before.
            if old == _ZERO:
                old = moved_from.get(rev, _ZERO)
            changed.append((commit, committed_by, rev, old, new))
    blobs = _read_all(store, [b for *_, old, new in changed for b in (old, new) if b != _ZERO])
    for commit, committed_by, rev, old_blob, new_blob in changed:
        before = entries_of(blobs.get(old_blob)) if old_blob != _ZERO else []
        after = entries_of(blobs.get(new_blob))
        if after is None:
            continue  # unreadable: the notes checks name it
        seen = Counter(_canonical(e) for e in before or [])
        for entry in after:
            key = _canonical(entry)
            if seen[key]:
                seen[key] -= 1
                continue
            if entry.get("status") == APPROVED and not same_editor(entry["author"], committed_by):
                report.add(
                    "approval-author",
                    f"an approval in the name of {entry['author']} was written by "
                    f"{committed_by} (reviews commit {commit[:12]}): the tracker writes "
                    "both from one identity, so it was forged or edited by hand",
                    rev,
                )
