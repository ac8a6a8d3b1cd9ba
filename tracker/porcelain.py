"""Provides the operations that both faces (CLI and TUI) call. Returns data; never prints."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import (
    DirtyStoreError,
    NotTextError,
    TrackerError,
    UnknownDocumentError,
)
from tracker.git.read import BlobReader
from tracker.identity import Identity, check_date
from tracker.model import Change, Revision
from tracker.notes import NOTES_REF, parse_later
from tracker.recording import NoteInput, add_later_note, init_store, record
from tracker.store import WORKTREE, Store, require_tracker_store, require_work_tree
from tracker.text.decode import not_text_kind

__all__ = [
    "WORKTREE",
    "DiffResult",
    "NoteInput",
    "Store",
    "ChangeKey",
    "ChangesMovedError",
    "add_document",
    "change_key",
    "diff",
    "init",
    "note",
    "notes_history",
    "open_store",
    "record_bound",
    "record_revision",
    "require_tracker_store",
    "review",
    "show",
    "status",
    "write_report",
]


def open_store(path: str | Path = ".") -> Store:
    return Store.open(path)


def init(
    path: str | Path,
    require_notes: bool = False,
    author: str | None = None,
    warnings: list[str] | None = None,
) -> Store:
    """Make ``path`` a store; problems after its setup commit are appended to ``warnings``."""
    target = Path(path)
    # Check before anything is created, so that a wrong argument leaves no folder behind.
    for folder in (target, *target.absolute().parents):
        if folder.exists():
            if not folder.is_dir():
                raise TrackerError(
                    f"{folder} is a file, not a folder",
                    "name a folder (new or existing) for the store: tracker init DIR",
                )
            break
    identity = Identity.parse(author) if author else None
    return init_store(path, identity, require_notes=require_notes, warnings=warnings)


def _identity(author: str | None) -> Identity | None:
    return Identity.parse(author) if author else None


def add_document(
    store: Store,
    path: str,
    summary: str | None = None,
    author: str | None = None,
    date: str | None = None,
    warnings: list[str] | None = None,
) -> str:
    """Record a document's first revision (its baseline).

    Problems after the revision was recorded are appended to ``warnings``."""
    require_tracker_store(store)
    rel = store.relpath(path)
    if rel in store.documents():
        raise TrackerError(
            f"{rel} is already tracked", f"record changes with 'tracker record {rel}'"
        )
    if rel.startswith(".tracker/"):
        raise TrackerError(f"{rel} is the tracker's own file", "name a document")
    store.work_bytes(rel)  # a clear error when it does not exist
    return record(
        store,
        rel,
        summary or f"Add {rel}",
        "",
        {},
        _identity(author),
        check_date(date) if date else None,
        warnings,
    )


def status(store: Store, path: str | None = None) -> dict[str, list[Change] | None]:
    """Pending (unrecorded) changes per document; None for a document missing on disk."""
    require_work_tree(store, "list pending changes")
    docs = [store.document(path)] if path is not None else store.documents()
    result: dict[str, list[Change] | None] = {}
    for doc in docs:
        if not (store.root / doc).exists():
            result[doc] = None  # deleted from the work tree: nothing the tracker can record
            continue
        changes = store.pending(doc)
        if changes or path is not None:
            result[doc] = changes
    return result


def record_revision(
    store: Store,
    document: str,
    summary: str,
    reason: str = "",
    notes: dict[int, NoteInput] | None = None,
    author: str | None = None,
    date: str | None = None,
    warnings: list[str] | None = None,
) -> Revision:
    """Record a document (named relative to the store, as ``store.documents()`` lists it).

    Problems after the revision was recorded (the commit point) are appended to
    ``warnings``: the revision is recorded all the same."""
    require_tracker_store(store)
    if document not in store.documents():
        raise UnknownDocumentError(
            f"{document} is not a document of this store", "run 'tracker add FILE' first"
        )
    rev = record(
        store, document, summary, reason, notes or {}, _identity(author),
        check_date(date) if date else None, warnings,
    )  # fmt: skip
    return store.revision(rev, document)


# What a note is written for: the change's kind, its old and new words, and where it
# starts in the last recorded text (which does not move while the work tree is edited).
ChangeKey = tuple[str, str, str, int]


def change_key(change: Change) -> ChangeKey:
    return (change.kind, change.old.text, change.new.text, change.old.start)


class ChangesMovedError(DirtyStoreError):
    """The pending changes are not the ones the notes were written for."""

    def __init__(self, message: str, hint: str, changes: list[Change]) -> None:
        super().__init__(message, hint)
        self.changes = changes


def record_bound(
    store: Store,
    document: str,
    summary: str,
    reason: str,
    notes: dict[ChangeKey, NoteInput],
    expected: Sequence[ChangeKey],
    author: str | None = None,
    date: str | None = None,
    warnings: list[str] | None = None,
) -> Revision:
    """Record with each note bound to the change it was written for, not to a number.

    A screen shows the pending changes, and its user writes notes for them; the file can
    change meanwhile (another program, a second editor), and change 2 may then be other
    words. The changes are read again here: unless they are exactly the ``expected`` ones,
    nothing is recorded and ChangesMovedError carries the changes as they are now.
    """
    require_tracker_store(store)
    if document not in store.documents():
        raise UnknownDocumentError(
            f"{document} is not a document of this store", "run 'tracker add FILE' first"
        )
    store.refresh()  # the branch may have moved too: the changes are against its tip

    def same_as_on_screen(changes: list[Change]) -> None:
        if [change_key(c) for c in changes] != list(expected):
            raise ChangesMovedError(
                f"{document} changed while its notes were being written; nothing was recorded",
                "the changes were read again: check that each note is on its change, then record",
                changes,
            )

    # Checked twice: here, so that notes are numbered against the changes on screen, and
    # inside record, under the store lock, against the very bytes that are recorded.
    changes = store.pending(document)
    same_as_on_screen(changes)
    by_index = {c.index: notes[change_key(c)] for c in changes if change_key(c) in notes}
    rev = record(
        store, document, summary, reason, by_index, _identity(author),
        check_date(date) if date else None, warnings, check_changes=same_as_on_screen,
    )  # fmt: skip
    return store.revision(rev, document)


def show(store: Store, rev: str, path: str | None = None) -> Revision:
    doc = store.document(path) if path is not None else None
    return store.revision(rev, doc)


@dataclass(frozen=True)
class DiffResult:
    document: str
    old_rev: str
    new_rev: str
    old_text: str
    new_text: str
    changes: list[Change]
    # Set when one side is not text (binary or not UTF-8): why no changes can be shown.
    not_text: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"document": self.document, "from": self.old_rev, "to": self.new_rev}
        if self.not_text:
            data["not_text"] = self.not_text
        data["changes"] = [c.to_json() for c in self.changes]
        return data


def diff(
    store: Store, old: str | None = None, new: str | None = None, path: str | None = None
) -> DiffResult:
    """Like git: no revision compares HEAD with the work tree; one compares it with the
    work tree; two compare them. When the second is the first's child, its notes show."""
    doc = store.document(path)
    old_rev = store.resolve(old) if old else store.resolve("HEAD")
    new_rev = store.resolve(new) if new else WORKTREE
    try:
        texts = store.text_at(old_rev, doc), store.text_at(new_rev, doc)
    except NotTextError as error:
        if new_rev == WORKTREE and not_text_kind(store.work_bytes(doc)):
            raise  # the file on disk is what the user is working on: refused, as by record
        # A stored revision that is not text (put there with plain git): like git's
        # "Binary files differ", say why there is nothing to show, and succeed.
        return DiffResult(doc, old_rev, new_rev, "", "", [], f"{error.message}: no text diff")
    changes = store.diff(old_rev, new_rev, doc)
    # Only a child of the first revision can carry notes for this pair: asking the
    # parent first spares diffing any other revision against its own parent.
    if new_rev != WORKTREE and store.first_parent(new_rev) == old_rev:
        revision = store.revision(new_rev, doc)
        if revision.parent == old_rev and revision.recorded:
            changes = list(revision.changes)
    return DiffResult(doc, old_rev, new_rev, *texts, changes)


def note(
    store: Store,
    rev: str,
    index: int,
    text: str,
    category: str = "other",
    source: str = "",
    author: str | None = None,
    date: str | None = None,
) -> str:
    """Add or correct the note of a past change (a later note, kept beside the history)."""
    require_tracker_store(store)
    return add_later_note(
        store,
        rev,
        index,
        NoteInput(text, category, source),
        _identity(author),
        _check_date_after(store, rev, date, "note"),
    )


def _check_date_after(store: Store, rev: str, date: str | None, what: str) -> str | None:
    """A ``--date`` for a note or review: not in the future, and not before its revision."""
    if not date:
        return None  # now: after the revision, but for the clock skew that is allowed
    from tracker.recording import refuse_before_revision

    checked = check_date(date)
    revision = store.revision(rev)
    refuse_before_revision(checked, revision.rev, revision.date, what)
    return checked


def review(
    store: Store,
    rev: str,
    status: str,
    comment: str = "",
    author: str | None = None,
    date: str | None = None,
) -> str:
    """Approve or flag a revision; returns the reviews commit."""
    from tracker.recording import add_review as write_review

    require_tracker_store(store)
    return write_review(
        store,
        rev,
        status,
        comment,
        _identity(author),
        _check_date_after(store, rev, date, "review"),
    )


def notes_history(store: Store, rev: str) -> list[dict[str, Any]]:
    """Every wording a revision's notes have had, oldest first, with where it is kept."""
    revision = store.revision(rev)
    history: list[dict[str, Any]] = []
    for change in revision.changes:
        first = change.note.history[0] if change.note and change.note.history else change.note
        if first is not None and first.origin == "revision":
            history.append(
                {
                    "change": change.index,
                    **first.to_json(),
                    "origin": "revision",
                    "stored_in": revision.rev,
                }
            )
    # Walk the notes ref oldest first: each commit's new entries are the ones it added.
    commits = (
        store.git("log", "--reverse", "--format=%H", NOTES_REF, "--", check=False).split()
        if store.ref(NOTES_REF)
        else []
    )
    previous: list[dict[str, Any]] = []
    with BlobReader(store.root) as reader:
        for commit in commits:
            blob = reader.read(f"{commit}:{revision.rev}")
            if blob is None:
                blob = reader.read(f"{commit}:{revision.rev[:2]}/{revision.rev[2:]}")
            entries = parse_later(blob.decode("utf-8", "replace") if blob else None)
            if entries[: len(previous)] != previous:
                # The tracker only appends; anything else was done to the ref by hand.
                history.append(
                    {
                        "change": None,
                        "text": "earlier entries were changed or removed in this notes commit",
                        "category": "",
                        "source": None,
                        "author": "",
                        "date": "",
                        "origin": "rewritten",
                        "stored_in": commit,
                    }
                )
                previous = []
            for entry in entries[len(previous) :]:
                history.append(
                    {
                        "change": entry.get("change"),
                        "text": entry.get("text", ""),
                        "category": entry.get("category", ""),
                        "source": entry.get("source") or None,
                        "author": entry.get("author", ""),
                        "date": entry.get("date", ""),
                        "origin": "later",
                        "stored_in": commit,
                    }
                )
            previous = entries
    return history


def write_report(path: str | Path, text: str) -> None:
    """Write a report whole or not at all, only as a regular file or a new one.

    What is already at ``path`` and is not a regular file stays as it is: replacing a
    FIFO, a device or a symlink would break whatever relied on it (or write through the
    link into someone else's file). The temporary file gets a fresh name (mkstemp), so
    nothing planted under a fixed name is followed either.
    """
    import errno
    import os
    import stat
    import tempfile

    target = Path(path).absolute()
    hints = {
        errno.ENOSPC: "the disk is full; free some space and try again",
        errno.EROFS: "the file system is read-only; write the report elsewhere",
        errno.EACCES: "check the permissions of the folder",
    }

    def failed(error: OSError) -> TrackerError:
        hint = hints.get(error.errno or 0, "check the path and try again")
        return TrackerError(f"cannot write {path}: {error.strerror or error}", hint)

    try:
        mode: int | None = os.lstat(target).st_mode  # lstat: a symlink is seen, not followed
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise failed(error) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise TrackerError(f"{path} is a folder", "move it away or write the report elsewhere")
    if mode is not None and not stat.S_ISREG(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
        raise TrackerError(
            f"{path} is {kind}", "a report replaces only a regular file; move it away"
        )
    try:
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tracker-export-")
    except OSError as error:
        raise failed(error) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        umask = os.umask(0)  # mkstemp makes the file private; a report is made to be read
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # a half-written report is litter, not a result
        raise failed(error) from None
