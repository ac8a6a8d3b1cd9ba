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

from tracker.entry_ids import canonical
from tracker.git import cmd as gitcmd
from tracker.notes import NOTES_REF
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
    changes = _changes(store, listing)
    what = _WHAT[ref]
    documents = _Documents(store)
    reported: set[tuple[str, str]] = set()  # (revision, blob) already named unreadable
    for line in listing.splitlines():
        commit, *parents = line.split()
        for rev, (blob, before) in sorted(changes.get(commit, {}).items()):
            have = documents.entries(blob)
            if isinstance(have, _Unreadable):
                if (rev, blob) not in reported:
                    reported.add((rev, blob))
                    report.add(
                        "notes-unreadable",
                        f"its {what} in {ref} (notes commit {commit[:12]}) are not readable "
                        f"JSON ({have}), so no reader shows them"
                        + (
                            ": a hand merge (git notes merge -s cat_sort_uniq or -s union?)"
                            if len(parents) > 1
                            else ""
                        ),
                        rev,
                    )
                continue
            sides = []
            for parent, parent_blob in zip(parents, before, strict=False):
                had = documents.entries(parent_blob)
                if not isinstance(had, _Unreadable):  # already named where it was made
                    sides.append((parent, had))
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


def _changes(store: Store, listing: str) -> dict[str, dict[str, tuple[str, list[str]]]]:
    """For each notes commit, the revisions whose document it changed against any parent:
    revision -> (its blob in the commit, its blob in each parent), "" where there is none.
    One ``git diff-tree --stdin`` for the whole ref, and no tree is read: a ref of a
    thousand notes commits costs one process, not a thousand tree walks."""
    out = gitcmd.run(
        store.root,
        "diff-tree", "--stdin", "-m", "-r", "--root", "--always", "--no-renames",
        "--no-abbrev", "-z",
        input=listing.encode("ascii") + b"\n",
    ).stdout.decode("utf-8", "surrogateescape")  # fmt: skip
    # One section per (commit, parent), in the parents' order (--always: even when empty).
    sections: dict[str, list[dict[str, list[str]]]] = {}
    fields = iter(out.split("\x00"))
    current: dict[str, list[str]] = {}
    for field in fields:
        if field.startswith(":"):
            _old_mode, _new_mode, old, new, _status = field[1:].split()
            name = next(fields, "").replace("/", "")
            # A note moved between a flat and a fan-out path shows as a deletion and an
            # addition of the same revision: one change, from the one blob to the other.
            sides = current.setdefault(name, ["", ""])
            if set(old) != {"0"}:
                sides[0] = old
            if set(new) != {"0"}:
                sides[1] = new
        elif field.strip():
            current = {}
            sections.setdefault(field.strip(), []).append(current)
    changes: dict[str, dict[str, tuple[str, list[str]]]] = {}
    for commit, parts in sections.items():
        found: dict[str, tuple[str, list[str]]] = {}
        for rev in {rev for part in parts for rev, (old, new) in part.items() if old != new}:
            blob = next(part[rev][1] for part in parts if rev in part)
            before = [part[rev][0] if rev in part else blob for part in parts]
            found[rev] = (blob, before)
        changes[commit] = found
    return changes


class _Documents:
    """Each document (by blob id) parsed once, as the multiset of its entries."""

    def __init__(self, store: Store) -> None:
        self.reader = store.reader
        self.parsed: dict[str, Counter[str] | _Unreadable] = {"": Counter()}

    def entries(self, blob: str) -> Counter[str] | _Unreadable:
        if blob not in self.parsed:
            entries = _parse(self.reader.read(blob))
            self.parsed[blob] = (
                entries
                if isinstance(entries, _Unreadable)
                else Counter(canonical(e) for e in entries)
            )
        return self.parsed[blob]


def _parse(data: bytes | None) -> list[Any] | _Unreadable:
    from tracker.sync.notes_merge import UnreadableDocument, parse_document

    try:
        return parse_document(data)
    except UnreadableDocument as error:
        return _Unreadable(error.why)
