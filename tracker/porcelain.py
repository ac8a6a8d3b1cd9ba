"""Provides the front door: every command as one function that both faces (CLI and TUI)
call, with keyword options, returning the typed results of tracker.model; never prints.

Import-light on purpose: ``log --json`` and the app's first frame go through here, so the
write side (recording, and with it the diff engine) loads only when a command writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from tracker.errors import (
    DirtyStoreError,
    NotTextError,
    PublishRefusedError,
    TrackerError,
    UnknownDocumentError,
)
from tracker.model import (
    APPROVED,
    NOTICE_FIELDS,
    Blame,
    Change,
    DiffResult,
    Feed,
    NoteInput,
    NoticeSheet,
    Publication,
    Revision,
    SyncResult,
    SyncStep,
    VerifyReport,
)
from tracker.notes import NOTES_REF, parse_later
from tracker.store import WORKTREE, Store, require_tracker_store, require_work_tree
from tracker.text.decode import not_text_kind

if TYPE_CHECKING:
    from tracker.identity import Identity
    from tracker.model import NoticeItem
    from tracker.policy import Preset
    from tracker.session import ReviewSession
    from tracker.where import Places

__all__ = [
    "WORKTREE",
    "ChangeKey",
    "ChangesMovedError",
    "NoteInput",
    "Store",
    "add_document",
    "blame",
    "categories",
    "change_key",
    "demo",
    "diff",
    "diff_words",
    "document",
    "documents",
    "export",
    "init",
    "interrupts_deferred",
    "log",
    "log_json",
    "note",
    "notes_history",
    "notice",
    "open_session",
    "open_store",
    "places",
    "publish",
    "relpath",
    "record_bound",
    "remote_add",
    "remotes",
    "record_revision",
    "require_tracker_store",
    "requires_notes",
    "resolve",
    "review",
    "set_setting",
    "settings",
    "show",
    "status",
    "sync",
    "verify",
    "write_report",
    "written",
]


def open_store(path: str | Path = ".") -> Store:
    return Store.open(path)


def init(
    path: str | Path,
    require_notes: bool = False,
    author: str | None = None,
    warnings: list[str] | None = None,
    *,
    require_approval: bool = False,
    policy: str = "",
) -> Store:
    """Make ``path`` a store; problems after its setup commit are appended to ``warnings``.
    ``policy`` names its corrections policy (tracker/policy.py; "" for the default)."""
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
    _check_policy(policy)
    from tracker.recording import init_store

    return init_store(
        path,
        _identity(author),
        require_notes=require_notes,
        warnings=warnings,
        require_approval=require_approval,
        policy=policy,
    )


def _check_policy(name: str) -> None:
    if not name:
        return
    from tracker.policy import PRESETS

    if name not in PRESETS:
        raise TrackerError(
            f"there is no corrections policy {name!r}", "the policies are: " + ", ".join(PRESETS)
        )


def settings(store: Store) -> dict[str, Any]:
    """The store's settings as ``tracker config`` lists them (names as the command takes
    them; ``categories`` is read only)."""
    from tracker.policy import preset

    config = store.config
    return {
        "require-approval": config.require_approval,
        "require-notes": config.require_notes,
        # The policy in force: the store's, or the default's name when it names none.
        "policy": preset(config.policy).name,
        # Who may issue what the policy keeps for senior editors ([] when none named).
        "senior-editors": list(config.senior_editors),
        "categories": list(config.categories),
    }


def policy_name(store: Store) -> str:
    """The name of the store's corrections policy ("ap" when it names none), for the
    views that say which notice each change gets (tracker.present.notice_words)."""
    from tracker.policy import preset

    return preset(store.config.policy).name


def notice_defaults(store: Store) -> dict[str, tuple[str, str]]:
    """Each of the store's categories with the (notice, significance) its policy gives a
    note that does not say (the Record screen preselects them)."""
    from tracker.policy import MINOR, NONE, preset

    policy = preset(store.config.policy)
    return {c: policy.defaults.get(c, (NONE, MINOR)) for c in store.config.categories}


def set_setting(
    store: Store,
    name: str,
    value: bool | str | Sequence[str],
    author: str | None = None,
    warnings: list[str] | None = None,
) -> str | None:
    """Turn a setting on or off, name the policy, or name the senior editors (a list of
    "Name <email>"; empty: none) (a journaled commit of the settings file); returns the
    commit, or None when it already had that value."""
    if name == "policy":
        _check_policy(str(value))
    if name == "senior-editors":
        value = _senior_editors(value)
    from tracker.recording import change_setting

    return change_setting(store, name, value, _identity(author), warnings)


def _senior_editors(value: object) -> tuple[str, ...]:
    """The senior editors as the settings file keeps them: each "Name <email>" (an email
    is what names an editor: reviews match by it), each email once, in the order given."""
    from tracker.identity import Identity

    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TrackerError(
            "senior-editors is a list of editors", 'write: tracker config senior-editors "Name'
            ' <email>" ...'
        )  # fmt: skip
    named: dict[str, str] = {}
    for text in value:
        editor = Identity.parse(str(text))
        if not editor.email or not str(editor).isprintable():
            raise TrackerError(
                f"{text!r} is not a senior editor the tracker can match",
                'write each as "Name <email@example.org>": approvals are matched by email',
            )
        named.setdefault(editor.email.casefold(), str(editor))
    return tuple(named.values())


def _identity(author: str | None) -> Identity | None:
    from tracker.identity import Identity

    return Identity.parse(author) if author else None


def _date(date: str | None) -> str | None:
    from tracker.identity import check_date

    return check_date(date) if date else None


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
    from tracker.recording import record

    return record(
        store,
        rel,
        summary or f"Add {rel}",
        "",
        {},
        _identity(author),
        _date(date),
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
    from tracker.recording import record

    notes = {
        index: _checked_reader(given, f"change {index}") for index, given in (notes or {}).items()
    }
    rev = record(
        store, document, summary, reason, notes, _identity(author), _date(date), warnings,
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
    from tracker.recording import record

    rev = record(
        store, document, summary, reason, by_index, _identity(author), _date(date), warnings,
        check_changes=same_as_on_screen,
    )  # fmt: skip
    return store.revision(rev, document)


def show(store: Store, rev: str, path: str | None = None) -> Revision:
    """One revision with its changes and notes (of ``path``, or the document it changed).

    A revision that leaves the document as its parent had it (it changed another file)
    comes back with ``unchanged`` set, so that a face can say so rather than show an
    empty list of changes as if the document had been checked and found the same."""
    doc = store.document(path) if path is not None else None
    store.prefetch(doc, revs=[store.resolve(rev)])  # a partial clone: its blobs in one fetch
    revision = store.revision(rev, doc)
    if (
        revision.parent is not None
        and not revision.changes
        and not revision.initial
        and revision.not_text is None
    ):
        # No changes against the parent: the texts are the same (a diff of two different
        # texts has at least one change), whatever the commit did elsewhere.
        revision = replace(revision, unchanged=True)
    if revision.changes:
        text = store.text_at(revision.rev, revision.document)
        revision = replace(revision, changes=tuple(_placed(text, revision.changes)))
    return revision


def _placed(text: str, changes: Sequence[Change]) -> list[Change]:
    """The changes, each with where it sits in ``text`` (the newer text): ¶N or line N,
    and a few words either side, so that a reader can find it without scrolling."""
    from tracker.where import Places

    places = Places(text)
    return [replace(c, place=places.place(c.new.start, c.new.end)) for c in changes]


def diff(
    store: Store, old: str | None = None, new: str | None = None, path: str | None = None
) -> DiffResult:
    """Like git: no revision compares HEAD with the work tree; one compares it with the
    work tree; two compare them. When the second is the first's child, its notes show."""
    doc = store.document(path)
    old_rev = store.resolve(old) if old else store.resolve("HEAD")
    new_rev = store.resolve(new) if new else WORKTREE
    store.prefetch(doc, revs=[old_rev, new_rev])  # a partial clone: the blobs in one fetch
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
    return DiffResult(doc, old_rev, new_rev, *texts, _placed(texts[1], changes))


def note(
    store: Store,
    rev: str,
    index: int,
    text: str,
    category: str | None = None,
    source: str | None = None,
    author: str | None = None,
    date: str | None = None,
    warnings: list[str] | None = None,
    *,
    notice: str | None = None,
    significance: str | None = None,
    reported_by: str | None = None,
    reported: str | None = None,
    late_reason: str | None = None,
) -> str:
    """Add or correct the note of a past change (a later note, kept beside the history).

    A correction keeps what it does not mention: without ``category`` or ``source``, the
    current note's are kept ("other" and none for a change without a note), and so are
    the reader-facing fields (``notice``, ``significance``, ``reported_by``, ``reported``,
    ``late_reason``; "" clears one). A note the store's policy forbids is
    refused; what it flags is appended to ``warnings``. Returns the notes commit."""
    require_tracker_store(store)
    current = next(
        (c.note for c in store.revision(rev).changes if c.index == index and c.note), None
    )
    if category is None:
        category = current.category if current else "other"
    if source is None:
        source = current.source if current else ""
    kept = current.reader_fields() if current else {}
    reader = (notice, significance, reported_by, reported, late_reason)
    given = {
        key: value for key, value in zip(NOTICE_FIELDS, reader, strict=True) if value is not None
    }
    fields = {key: value for key, value in {**kept, **given}.items() if value}
    from tracker.recording import add_later_note

    return add_later_note(
        store,
        rev,
        index,
        _checked_reader(NoteInput(text, category, source, **fields), f"change {index}"),
        _identity(author),
        _check_date_after(store, rev, date, "note"),
        warnings,
    )


def _checked_reader(given: NoteInput, where: str) -> NoteInput:
    """A note's reader-facing fields checked as the CLI checks its values (one line,
    nothing written): a known notice type and significance, an ISO 8601 ``reported``
    date (normalised as ``--date`` is, not in the future)."""
    from tracker.errors import NoteError
    from tracker.policy import NOTICE_TYPES, SIGNIFICANCE

    if given.notice and given.notice not in NOTICE_TYPES:
        raise NoteError(
            f"{where}: unknown notice type {given.notice!r}",
            "use one of: " + ", ".join(NOTICE_TYPES),
        )
    if given.significance and given.significance not in SIGNIFICANCE:
        raise NoteError(
            f"{where}: unknown significance {given.significance!r}", "use minor or significant"
        )
    if not given.reported:
        return given
    from tracker.identity import check_date

    try:
        reported = check_date(given.reported)
    except TrackerError as error:
        raise NoteError(f"{where}, reported date: {error.message}", error.hint) from None
    return replace(given, reported=reported)


def _check_date_after(store: Store, rev: str, date: str | None, what: str) -> str | None:
    """A ``--date`` for a note or review: not in the future, and not before its revision."""
    if not date:
        return None  # now: after the revision, but for the clock skew that is allowed
    from tracker.identity import check_date
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
    # Walk the notes ref oldest first (a merge after both its parents): each commit's new
    # entries are the ones none of its parents had. A merge made by sync adds none.
    from collections import Counter

    from tracker.entry_ids import canonical

    listing = (
        store.git(
            "log", "--reverse", "--topo-order", "--format=%H %P", NOTES_REF, "--", check=False
        ).splitlines()
        if store.ref(NOTES_REF)
        else []
    )
    seen: dict[str, Counter[str]] = {}  # notes commit -> its document's entries, by identity
    reader = store.reader  # the command's one cat-file --batch
    for line in listing:
        commit, *parents = line.split()
        tree = reader.oid_of(commit, "tree")
        blob = reader.note_in(tree, revision.rev) if tree else None
        entries = parse_later(blob.decode("utf-8", "replace") if blob else None)
        have = Counter(canonical(e) for e in entries)
        seen[commit] = have
        before: Counter[str] = Counter()
        for parent in parents:
            before |= seen.get(parent, Counter())
        if any(before[key] > have[key] for key in before):
            # The tracker (and sync) only append; anything else was done to the ref by hand.
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
        for entry in entries:
            key = canonical(entry)
            if before[key] > 0:
                before[key] -= 1
                continue
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
    return _mark_conflicts(history, revision)


def _mark_conflicts(history: list[dict[str, Any]], revision: Revision) -> list[dict[str, Any]]:
    """Mark the wordings that are in conflict now (written without seeing each other,
    not yet resolved by a newer note): ``"conflict": true``."""
    current = set()
    for change in revision.changes:
        if change.note is not None and change.note.conflict:
            for note in (change.note, *change.note.conflict):
                current.add((change.index, note.text, note.date, note.author))
    if not current:
        return history
    for item in history:
        key = (item["change"], item["text"], item["date"], item["author"])
        if item["origin"] == "later" and key in current:
            item["conflict"] = True
    return history


def write_report(path: str | Path, text: str) -> None:
    """Write a report whole or not at all, only as a regular file or a new one."""
    from tracker.export.writer import write_report as write

    write(path, text)


# -- the commands that read ---------------------------------------------------------------


def _document(store: Store, path: str | None, document: str | None) -> str:
    """``document`` as the store names it (a face that holds one), else ``path`` as typed:
    relative to the current folder, or None for the store's only document."""
    return document if document is not None else store.document(path)


def document(store: Store, path: str | None = None) -> str:
    """The document ``path`` names (relative to the store), or the store's only one."""
    return store.document(path)


def relpath(store: Store, path: str) -> str:
    """A path on the command line (relative to the current folder) as the store names it."""
    return store.relpath(path)


def documents(store: Store) -> list[str]:
    """The store's documents, as ``tracker add`` named them."""
    return store.documents()


def categories(store: Store) -> tuple[str, ...]:
    """The note categories this store offers."""
    return tuple(store.config.categories)


def requires_notes(store: Store) -> bool:
    """Whether the store refuses a change without a note."""
    return store.config.require_notes


def resolve(store: Store, rev: str) -> str:
    """The full commit id a revision name stands for."""
    return store.resolve(rev)


def log(
    store: Store,
    path: str | None = None,
    *,
    document: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    unreviewed: bool = False,
) -> list[Revision]:
    """Revisions of a document, newest first."""
    doc = _document(store, path, document)
    _prefetch_log(store, doc, search)
    return list(store.log(doc, search, limit, unreviewed=unreviewed))


def _prefetch_log(store: Store, document: str, search: str | None) -> None:
    """A partial clone: the notes and reviews a log shows, in one fetch (and the texts
    when it computes changes or searches them)."""
    texts = search is not None or not store.config.created_by_tracker
    store.prefetch(document, texts=texts)


def log_json(
    store: Store,
    path: str | None = None,
    *,
    document: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    unreviewed: bool = False,
) -> Iterator[str]:
    """``log`` as JSON text, in pieces: scripts read long histories, and a record the
    tracker wrote passes through without being decoded and encoded again."""
    from tracker.logjson import log_json as stream

    _prefetch_log(store, _document(store, path, document), search)
    return stream(store, _document(store, path, document), search, limit, unreviewed)


def diff_words(store: Store, words: Sequence[str]) -> DiffResult:
    """``diff [REV_A [REV_B]] [FILE]`` as typed: a last word that names a document (or a
    word after ``--``) is the file; the others are revisions."""
    words = list(words)
    path = None
    if "--" in words:
        cut = words.index("--")
        words, rest = words[:cut], words[cut + 1 :]
        path = rest[0] if rest else None
    elif words and _is_document(store, words[-1]):
        path = words.pop()
    if len(words) > 2:
        raise TrackerError(
            "diff takes at most two revisions and a file", "see 'tracker diff --help'"
        )
    old = words[0] if words else None
    new = words[1] if len(words) > 1 else None
    return diff(store, old, new, path)


def _is_document(store: Store, word: str) -> bool:
    if word.startswith("-"):
        return False
    try:
        return store.relpath(word) in store.documents()
    except TrackerError:
        # A file that exists but cannot be a document (a symlink out of the store): say
        # so, rather than call it an unknown revision.
        import os

        return os.path.lexists(word)


def blame(
    store: Store, path: str | None = None, *, document: str | None = None, by: str = "sentence"
) -> Blame:
    """Each sentence (paragraph, line) of the text at HEAD with the revision behind it."""
    from tracker.audit.blame import blame as attribute

    doc = _document(store, path, document)
    store.prefetch(doc)  # a partial clone: every text and note blame reads, in one fetch
    text, units = attribute(store, doc, by)
    return Blame(doc, by, text, tuple(units))


def verify(
    store: Store, *, require_signatures: bool = False, since: str | None = None
) -> VerifyReport:
    """What an auditor can check from the store alone (``since``: only what was written
    after that revision, an ancestor of HEAD an earlier verify passed at)."""
    if since is not None:
        from tracker.audit.since import verify_since

        return verify_since(store, since, require_signatures)
    from tracker.audit.verify import verify as check

    store.prefetch()  # a partial clone: every text and note of the history, in one fetch
    return check(store, require_signatures)


def export(
    store: Store,
    path: str | None = None,
    *,
    document: str | None = None,
    rev_range: str | None = None,
    fmt: str = "html",
    published: bool = False,
) -> str:
    """A corrections report of a document's revisions (all, one, or any range git takes:
    ``A..B``, ``A...B``, ``^A B``...) as text. A last range word that names a document is
    the document (``tracker export GUIDE.md``), as with log and blame. ``published``:
    only the notices a publish event made public."""
    from tracker.export import build_report, render

    words = rev_range.split() if rev_range else []
    if path is None and document is None and words and _is_document(store, words[-1]):
        path = words.pop()
    chosen = _document(store, path, document)
    store.prefetch(chosen)  # a partial clone: the history's blobs in one fetch
    report = build_report(store, chosen, " ".join(words) or None, published=published)
    return render(report, fmt)


def _document_and_range(
    store: Store, path: str | None, rev_range: str | None, document: str | None = None
) -> tuple[str, str | None]:
    """``FILE [REV|A..B]`` as notice and publish take it: the document named by ``path``
    (or by any range word that names one; the only document when none does), and the
    rest as the range; ``document`` as the store names it (a face that holds one)."""
    if document is not None:
        return _document(store, None, document), rev_range or None
    words = rev_range.split() if rev_range else []
    if path is not None and not _is_document(store, path):
        words.insert(0, path)  # "tracker notice HEAD~2.." in a store of one document
        path = None
    if path is None:
        named = [w for w in words if _is_document(store, w)]
        if named:
            path = named[0]
            words.remove(path)
    return _document(store, path, None), " ".join(words) or None


def notice(
    store: Store,
    path: str | None = None,
    *,
    rev_range: str | None = None,
    fmt: str = "md",
    published: bool = False,
) -> str:
    """The reader-facing notices of a document's changes in a range (all, ``REV``,
    ``A..B``, as export takes it), as ``md`` (plain paragraphs), ``html`` (a fragment
    with its schema.org JSON-LD) or ``json``; ``published``: only published ones."""
    from tracker.notices import (
        FORMATS,
        headline,
        jsonld,
        jsonld_script,
        notice_html,
        notice_json,
        notice_markdown,
    )

    if fmt not in FORMATS:
        raise TrackerError(f"unknown format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
    chosen, _words, revisions, policy, _published, items = _noticed(store, path, rev_range)
    if published:
        items = [item for item in items if item.published]
    if fmt == "json":
        return notice_json(chosen, items)
    if fmt == "md":
        return notice_markdown(items, policy)
    title, modified = "", ""
    if revisions:
        last = revisions[-1]
        title, modified = headline(store.text_at(last.rev, chosen)), last.date
    fragment = notice_html(items)
    script = jsonld_script(jsonld(title, modified, items, policy))
    return f"{fragment}\n{script}\n" if fragment else f"{script}\n"


class _NothingNew(Exception):
    """Every revision of the range was published before: nothing to write."""


def publish(
    store: Store,
    path: str | None = None,
    *,
    rev_range: str | None = None,
    author: str | None = None,
    date: str | None = None,
    document: str | None = None,
) -> Publication:
    """Publish the notices of a document's revisions in a range (all, ``REV``, ``A..B``):
    one journal event naming the revisions not published before. Refused, nothing
    written, when a revision with a notice lacks a second editor's sign-off, or a
    correction published more than the policy's days after its report lacks its reason."""
    from tracker.export import revisions_in_range
    from tracker.notices import items_of, late
    from tracker.policy import preset
    from tracker.publication import published_revisions
    from tracker.recording import record_publish

    require_tracker_store(store)
    chosen, words = _document_and_range(store, path, rev_range, document)
    store.prefetch(chosen)  # a partial clone: the history's blobs in one fetch
    revs = [r.rev for r in revisions_in_range(store, chosen, words)]
    found: dict[str, Any] = {}

    def refuse(when: str) -> list[str]:
        # Read again under the lock: a flag or a publish that came meanwhile counts.
        published = published_revisions(store)
        new = [rev for rev in revs if rev not in published]
        revisions = [store.revision(rev, chosen) for rev in new]
        policy = preset(store.config.policy)
        items = items_of(revisions, policy, published)
        found.update(new=new, items=items)
        noticed = {item.rev for item in items}
        unsigned = [r for r in revisions if r.rev in noticed and not _signed_off(r)]
        if unsigned:
            names = ", ".join(r.rev[:12] for r in unsigned[:3])
            more = f" and {len(unsigned) - 3} more" if len(unsigned) > 3 else ""
            raise PublishRefusedError(
                f"{names}{more} carr{'ies' if len(unsigned) == 1 else 'y'} a notice but no"
                " second editor's approval",
                "an editor other than the author must approve it first"
                " (tracker review REV --approve); nothing was published",
            )
        _refuse_without_senior(store, store.config.senior_editors, policy, revisions, items)
        overdue = [item for item in items if late(item, policy, when)]
        if overdue:
            item = overdue[0]
            raise PublishRefusedError(
                f"the {item.notice} of {item.rev[:12]} change {item.change} comes more than"
                f" {policy.late_after_days} days after the error was reported ({item.reported})"
                " and does not say why",
                f"add a later note that says why (tracker note {item.rev[:12]} {item.change}"
                " TEXT --late-reason WHY); nothing was published",
            )
        if not new:
            raise _NothingNew
        return new

    try:
        commit, event = record_publish(store, chosen, refuse, _identity(author), _date(date))
    except _NothingNew:
        return Publication(chosen, (), 0)
    return Publication(
        chosen, tuple(event["revisions"]), len(found["items"]), event["date"],
        event["author"], commit,
    )  # fmt: skip


class _Noticed(NamedTuple):
    """A document's revisions in a range with their notices, as notice, notice_sheet
    and the app read them."""

    document: str
    words: str | None
    revisions: list[Revision]
    policy: Preset
    published: dict[str, tuple[str, str]]  # publication.published_revisions
    items: list[NoticeItem]


def _noticed(
    store: Store, path: str | None, rev_range: str | None, document: str | None = None
) -> _Noticed:
    from tracker.export import revisions_in_range
    from tracker.notices import items_of
    from tracker.policy import preset
    from tracker.publication import published_revisions

    chosen, words = _document_and_range(store, path, rev_range, document)
    store.prefetch(chosen)  # a partial clone: the history's blobs in one fetch
    revisions = revisions_in_range(store, chosen, words)
    policy = preset(store.config.policy)
    published = published_revisions(store)
    return _Noticed(
        chosen, words, revisions, policy, published, items_of(revisions, policy, published)
    )


def notice_sheet(store: Store, document: str, rev_range: str | None = None) -> NoticeSheet:
    """What ``document``'s revisions in a range (all, ``REV``, ``A..B``) will tell
    readers, worded as ``notice`` words it (as plain text, the form a terminal shows:
    Markdown's marks and escapes would read as noise there), with each revision's review
    and publication: what the desk reads before ``publish``."""
    from tracker.notices import notice_text

    chosen, words, revisions, policy, published, items = _noticed(store, None, rev_range, document)
    waiting = [r for r in revisions if r.rev not in published]
    try:  # what publish would say, so "signed off" does not read as "may go out"
        _refuse_without_senior(
            store, store.config.senior_editors, policy, waiting,
            [item for item in items if item.rev not in published],
        )  # fmt: skip
        senior = ""
    except PublishRefusedError as refused:
        senior = refused.one_line()
    return NoticeSheet(
        chosen, words or "", notice_text(items, policy), tuple(items), tuple(revisions),
        {r.rev: published[r.rev] for r in revisions if r.rev in published}, senior,
    )  # fmt: skip


def _refuse_without_senior(
    store: Store,
    seniors: Sequence[str],
    policy: Preset,
    revisions: list[Revision],
    items: list[NoticeItem],
) -> None:
    """The policy's ``senior-issues`` rule (Reuters): a correction or a withdrawal is
    published only when a senior editor other than its author approved it (the revision
    is signed off already: its latest review is a second editor's approval; a senior's
    approval followed by another editor's still stands, as verify judges it). The
    approval, not the publish act, is what the desk head gives (docs/corrections.md,
    "Senior editors")."""
    from tracker.identity import named_in, same_editor
    from tracker.policy import needs_senior

    kept = [item for item in items if needs_senior(item.notice, policy)]
    if not kept:
        return
    if not seniors:
        raise PublishRefusedError(
            f"{kept[0].rev[:12]} carries a {kept[0].notice}, which the {policy.name} policy"
            " lets only a senior editor issue, and this store names no senior editors",
            'name them with tracker config senior-editors "Name <email>" ...; nothing was'
            " published",
        )
    authors = {r.rev: r.author for r in revisions}
    for item in kept:
        approvers = [
            str(e.get("author")) for e in store.review_entries(item.rev) or []
            if e.get("status") == APPROVED
            and not same_editor(str(e.get("author")), authors.get(item.rev, ""))
        ]  # fmt: skip
        if not any(named_in(approver, seniors) for approver in approvers):
            raise PublishRefusedError(
                f"{item.rev[:12]} carries a {item.notice}, which the {policy.name} policy lets"
                " only a senior editor issue, but no senior editor approved it",
                f"a senior editor ({', '.join(seniors[:3])}{', ...' if len(seniors) > 3 else ''})"
                f" must approve it first (tracker review {item.rev[:12]} --approve); nothing"
                " was published",
            )


def _signed_off(revision: Revision) -> bool:
    review = revision.review
    return review is not None and review.signed_off


def feed(
    store: Store,
    *,
    documents: Sequence[str] = (),
    notices: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    everything: bool = False,
    title: str = "Corrections",
    base_url: str = "",
    limit: int | None = None,
) -> Feed:
    """The corrections feed: every published notice of every document, newest first
    (``everything``: the notices not yet published too, marked). ``documents`` as typed
    (relative to the current folder), ``notices`` notice types, ``since``/``until`` a day
    or a time with its offset, ``limit`` the most it lists (the newest); docs/
    corrections.md, "The corrections feed"."""
    from tracker.export.feed import build_feed

    named = [store.relpath(path) for path in documents]
    return build_feed(
        store, documents=named, notices=notices, since=since, until=until,
        everything=everything, title=title, base_url=base_url, limit=limit,
    )  # fmt: skip


def render_feed(feed: Feed, fmt: str = "atom") -> str:
    """The feed as text: ``atom`` (Atom 1.0), ``json`` (JSON Feed 1.1) or ``html``."""
    from tracker.export.feed_formats import render_feed as render

    return render(feed, fmt)


def demo(path: str | Path | None = None, *, reset: bool = False) -> tuple[Store, bool]:
    """The bundled demo store, reopened as it is or built now (True when built now)."""
    from tracker.demo import open_demo

    return open_demo(path, reset=reset)


def open_session(store: Store, document: str) -> ReviewSession:
    """What the app browses one document (as ``documents`` names it) with: cached texts,
    diffs and word counts. Close it when done (it holds a git process)."""
    from tracker.session import ReviewSession as Session

    store.prefetch(document)  # a partial clone: the history's blobs in one fetch
    return Session(store, document)


def places(text: str) -> Places:
    """Where changes sit in ``text``: paragraph, line and a few words around them
    (tracker.where), for a face to say "¶4" beside a change."""
    from tracker.where import Places as Where

    return Where(text)


def interrupts_deferred() -> AbstractContextManager[None]:
    """Ctrl-C after a write's commit point waits until the write is done: a completed
    write must not be reported as failed."""
    from tracker.recording import interrupts_deferred_at_commit

    return interrupts_deferred_at_commit()


def written() -> bool:
    """Whether a write in this process has passed its commit point (its ref moved)."""
    import sys

    recording = sys.modules.get("tracker.recording")  # not loaded: nothing was written
    return bool(recording and recording.past_commit_point())


# -- sharing through a remote ----------------------------------------------------------


def remote_add(store: Store, name: str, url: str) -> None:
    """Name a remote to sync with (``tracker remote add NAME URL``)."""
    from tracker.sync.remotes import add_remote

    add_remote(store, name, url)


def remotes(store: Store) -> list[tuple[str, str]]:
    """The remotes this store can sync with: (name, url), by name."""
    from tracker.sync.remotes import list_remotes

    return list_remotes(store)


def sync(
    store: Store,
    remote: str | None = None,
    *,
    author: str | None = None,
    progress: Callable[[SyncStep], None] | None = None,
    settle: bool = False,
) -> SyncResult:
    """Fetch, merge and push the branch, the notes, the reviews and the journal.

    Raises SyncRefusedError (nothing changed) or ConcurrentEditError (with the three
    versions, for the app) when it will not merge. With ``settle``, overlapping local
    revisions are set aside instead, and their documents' files hold drafts to record."""
    from tracker.sync.run import sync as run_sync

    return run_sync(store, remote, identity=_identity(author), progress=progress, settle=settle)
