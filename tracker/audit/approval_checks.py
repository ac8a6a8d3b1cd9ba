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

from tracker.identity import same_editor
from tracker.model import APPROVED, VerifyReport
from tracker.reviews import REVIEWS_REF, entries_of
from tracker.store import Store

_ZERO = "0" * 40


def check_approvals(store: Store, report: VerifyReport) -> None:
    """Add the approval findings of ``store`` to ``report``."""
    if store.ref(REVIEWS_REF) is None:
        return
    _check_approval_authors(store, report)
    if store.config.require_approval:
        _check_self_approvals(store, report)


def _author_of(store: Store, rev: str) -> str | None:
    """A commit's author as ``Name <email>``, or None when the commit is not here."""
    commit = store.reader.commit(rev)
    author = commit.author() if commit is not None else None
    if author is None:
        return None
    name, email, _date = author
    return f"{name.decode('utf-8', 'replace')} <{email.decode('utf-8', 'replace')}>"


def _check_self_approvals(store: Store, report: VerifyReport) -> None:
    for rev, entries in sorted(store.reviews().items()):
        if not entries or entries[-1].get("status") != APPROVED:
            continue
        author = _author_of(store, rev)
        if author is not None and same_editor(entries[-1]["author"], author):
            report.add(
                "self-approved",
                f"approved only by its author ({entries[-1]['author']}), but this store "
                "requires a second editor's approval; another editor must approve it",
                rev,
            )


def _canonical(entry: dict) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False)


def _check_approval_authors(store: Store, report: VerifyReport) -> None:
    """Each approval a reviews commit adds must name that commit's author.

    One ``git log --raw`` lists, for every commit of the ref that is not a merge (a
    sync's merge of two editors' reviews adds no entry of its own), the notes it changed;
    the entries a commit added are those of the new note not in the old one."""
    out = store.git(
        "log", "--no-merges", "--root", "-r", "--raw", "--no-abbrev", "--no-renames",
        "--format=%x01%H%x00%an <%ae>", REVIEWS_REF,
    )  # fmt: skip
    for block in out.split("\x01")[1:]:
        head, _, raw = block.partition("\n")
        commit, _, committed_by = head.partition("\x00")
        for line in raw.splitlines():
            meta, _, path = line.partition("\t")
            fields = meta.split()
            if len(fields) < 4 or not line.startswith(":"):
                continue
            old_blob, new_blob = fields[2], fields[3]
            if new_blob == _ZERO:
                continue  # a note deleted: no entry added
            rev = path.replace("/", "")
            before = entries_of(store.reader.read(old_blob)) if old_blob != _ZERO else []
            after = entries_of(store.reader.read(new_blob))
            if after is None:
                continue  # unreadable: the notes checks name it
            seen = Counter(_canonical(e) for e in before or [])
            for entry in after:
                key = _canonical(entry)
                if seen[key]:
                    seen[key] -= 1
                    continue
                if entry.get("status") == APPROVED and not same_editor(
                    entry["author"], committed_by
                ):
                    report.add(
                        "approval-author",
                        f"an approval in the name of {entry['author']} was written by "
                        f"{committed_by} (reviews commit {commit[:12]}): the tracker writes "
                        "both from one identity, so it was forged or edited by hand",
                        rev,
                    )
