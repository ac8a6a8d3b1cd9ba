"""Provides verify's checks of the notes refs' own history (later notes and reviews).

Entries are append-only: the tracker adds an entry and never changes or removes one, and
sync joins two clones' documents by a union (tracker/sync/notes_merge.py). So, along
``refs/notes/tracker`` and ``refs/notes/tracker-reviews``:

* ``notes-unreadable``: a revision's document that is not readable JSON (readers skip
  it, so its entries would vanish unseen: ``git notes merge -s cat_sort_uniq`` or
  ``-s union`` run by hand leaves exactly this);
* ``notes-edited``: a notes commit in which an entry of its parent changed or vanished
  (a hand edit, ``git notes edit``/``add -f``);
* ``notes-merge``: a merge commit whose document of a revision lost an entry of one of
  its parents, or holds one that neither parent had.

Each finding names the revision whose notes it is about and the notes commit.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from tracker.git import cmd as gitcmd
from tracker.notes import NOTES_REF, canonical
from tracker.reviews import REVIEWS_REF

if TYPE_CHECKING:
    from tracker.model import VerifyReport
    from tracker.store import Store

_WHAT = {NOTES_REF: "later notes", REVIEWS_REF: "reviews"}


class _Unreadable(ValueError):
    pass


def check_notes(store: Store, report: VerifyReport) -> None:
    """Check every commit of both notes refs (see the module docstring)."""
    for ref in (NOTES_REF, REVIEWS_REF):
        if store.ref(ref) is not None:
            _check_ref(store, ref, report)


def _check_ref(store: Store, ref: str, report: VerifyReport) -> None:
    listing = store.git("rev-list", "--reverse", "--topo-order", "--parents", ref, "--")
    if not listing.strip():
        return
    changed = _changed_revisions(store, listing)
    what = _WHAT[ref]
    documents = _Documents(store)
    reported: set[tuple[str, str]] = set()  # (revision, blob) already named unreadable
    for line in listing.splitlines():
        commit, *parents = line.split()
        for rev in sorted(changed.get(commit, ())):
            blob, entries = documents.get(commit, rev)
            if isinstance(entries, _Unreadable):
                if (rev, blob) not in reported:
                    reported.add((rev, blob))
                    report.add(
                        "notes-unreadable",
                        f"its {what} in {ref} (notes commit {commit[:12]}) are not readable "
                        f"JSON ({entries}), so no reader shows them"
                        + (
                            ": a hand merge (git notes merge -s cat_sort_uniq or -s union?)"
                            if len(parents) > 1
                            else ""
                        ),
                        rev,
                    )
                continue
            have = Counter(canonical(e) for e in entries)
            sides = []
            for parent in parents:
                _blob, before = documents.get(parent, rev)
                if not isinstance(before, _Unreadable):  # already named where it was made
                    sides.append((parent, Counter(canonical(e) for e in before)))
            if len(parents) > 1:
                _check_merge(ref, what, commit, rev, have, sides, len(parents), report)
            elif sides and (lost := sides[0][1] - have):
                report.add(
                    "notes-edited",
                    f"notes commit {commit[:12]} of {ref} changed or removed "
                    f"{_count(lost)} of its {what} ({_first(lost)}): entries are "
                    "append-only, so this was done by hand",
                    rev,
                )


def _check_merge(
    ref: str,
    what: str,
    commit: str,
    rev: str,
    have: Counter[str],
    sides: list[tuple[str, Counter[str]]],
    parents: int,
    report: VerifyReport,
) -> None:
    joined: Counter[str] = Counter()
    for parent, before in sides:
        joined |= before
        lost = before - have
        if lost:
            report.add(
                "notes-merge",
                f"merge commit {commit[:12]} of {ref} lost {_count(lost)} of its {what} "
                f"that parent {parent[:12]} had ({_first(lost)}): not a union of the "
                "parents (a hand merge?)",
                rev,
            )
    if len(sides) == parents:  # every parent readable: whatever else it holds was added
        added = have - joined
        if added:
            report.add(
                "notes-merge",
                f"merge commit {commit[:12]} of {ref} holds {_count(added)} of its {what} "
                f"that no parent had ({_first(added)}): a merge adds no entry",
                rev,
            )


def _count(entries: Counter) -> str:
    total = sum(entries.values())
    return f"{total} entr{'y' if total == 1 else 'ies'}"


def _first(entries: Counter) -> str:
    """The first such entry, shortly: its text or status, who and when."""
    try:
        entry = json.loads(next(iter(entries)))
    except ValueError:
        return "?"
    if not isinstance(entry, dict):
        return repr(entry)[:60]
    said = entry.get("text", entry.get("status", ""))
    said = str(said)
    said = said if len(said) <= 50 else said[:47] + "..."
    return f"{said!r} by {entry.get('author', '?')} {entry.get('date', '')}".rstrip()


def _changed_revisions(store: Store, listing: str) -> dict[str, set[str]]:
    """For each notes commit, the revisions whose note it changed against any parent (one
    ``git diff-tree --stdin`` for the whole ref)."""
    out = gitcmd.run(
        store.root,
        "diff-tree", "--stdin", "-m", "-r", "--root", "--no-renames", "--no-abbrev", "-z",
        input=listing.encode("ascii") + b"\n",
    ).stdout.decode("utf-8", "surrogateescape")  # fmt: skip
    changed: dict[str, set[str]] = {}
    fields = iter(out.split("\x00"))
    current: set[str] = set()
    for field in fields:
        if field.startswith(":"):
            name = next(fields, "").replace("/", "")
            current.add(name)
        elif field:
            current = changed.setdefault(field.strip(), set())
    return changed


class _Documents:
    """Each revision's document in a notes commit, parsed once."""

    def __init__(self, store: Store) -> None:
        self.reader = store.reader
        self.trees: dict[str, str | None] = {}
        self.parsed: dict[str, list[Any] | _Unreadable] = {}

    def get(self, commit: str, rev: str) -> tuple[str, list[Any] | _Unreadable]:
        if commit not in self.trees:
            self.trees[commit] = self.reader.oid_of(commit, "tree")
        tree = self.trees[commit]
        entry = self._leaf(tree, rev) if tree else None
        if entry is None:
            return "", []
        if entry not in self.parsed:
            self.parsed[entry] = _parse(self.reader.read(entry))
        return entry, self.parsed[entry]

    def _leaf(self, tree: str, rev: str) -> str | None:
        """The blob id of ``rev``'s note in a notes tree (flat or fan-out)."""
        rest = rev.encode("ascii")
        while rest:
            entries = {e.name: e for e in self.reader.tree(tree)}
            leaf = entries.get(rest)
            if leaf is not None and leaf.mode != b"40000":
                return leaf.oid
            fanout = entries.get(rest[:2])
            if fanout is None or fanout.mode != b"40000":
                return None
            tree, rest = fanout.oid, rest[2:]
        return None


def _parse(data: bytes | None) -> list[Any] | _Unreadable:
    from tracker.sync.notes_merge import UnreadableDocument, parse_document

    try:
        return parse_document(data)
    except UnreadableDocument as error:
        return _Unreadable(error.why)
