"""Provides the write side of a store: init, record a revision atomically, later notes.

Recording writes objects first and moves the branch last, with a compare-and-swap
``git update-ref``: a process killed at any point leaves either the old branch or the
complete new revision (at worst some unreachable objects, which ``git gc`` removes).
Nothing here runs ``git commit``, so no hook of the repository ever runs.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from tracker.diff import diff_texts
from tracker.errors import (
    DirtyStoreError,
    GitError,
    NoteError,
    RecordRefusedError,
    ReviewRefusedError,
    SigningError,
    TrackerError,
)
from tracker.git import cmd as gitcmd
from tracker.git.maintenance import keep_commit_graph
from tracker.git.notes_tree import set_notes
from tracker.git.write import commit_tree, signing, write_with_journal
from tracker.identity import FUTURE_TOLERANCE, Identity, now_iso, refuse_future, same_editor
from tracker.lock import store_lock
from tracker.model import APPROVED, EVERY_OTHER_CHANGE, FLAGGED, Change, Note, NoteInput
from tracker.notes import (
    NOTES_REF,
    compose_later,
    compose_message,
    current_ids,
    later_entry,
    matches_change,
    validate_note,
)
from tracker.policy import REFUSE, Preset, lint, preset
from tracker.reviews import REVIEWS_REF, entries_of_stored, stored_entries
from tracker.store import (
    CONFIG_PATH,
    Store,
    StoreConfig,
    require_tracker_store,
    require_work_tree,
)
from tracker.text.decode import decode_document, not_text_kind

# -- init --------------------------------------------------------------------------------


def init_store(
    path: str | os.PathLike[str],
    identity: Identity | None = None,
    date: str | None = None,
    require_notes: bool = False,
    categories: tuple[str, ...] | None = None,
    warnings: list[str] | None = None,
    require_approval: bool = False,
    policy: str = "",
) -> Store:
    """Create (or adopt) a git repository as a tracker store, committing its config.

    ``policy`` names the corrections policy (tracker/policy.py); "" leaves it unsaid.
    Problems after the setup commit (the commit point) are appended to ``warnings``."""
    root = Path(path)
    if identity is None:
        from tracker.identity import default_identity

        # Before anything is made: a refused init must leave no half-made store behind.
        identity = default_identity(root if root.is_dir() else Path.cwd())
    made_folder = not root.exists()
    if not (root / ".git").exists() and (root / "HEAD").is_file() and (root / "objects").is_dir():
        # A bare repository (or a .git folder): refused before git init touches it.
        try:
            existing: Store | None = Store.open(root)
        except TrackerError:
            existing = None  # not a repository after all: init makes one inside it
        if existing is not None:
            require_work_tree(existing, "make it a store")
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        try:
            gitcmd.run(root, "init", "--quiet", "--initial-branch=main")
        except BaseException:
            # A git init stopped half-way (a full disk) leaves a .git that git cannot
            # open, and every later init there would fail: leave nothing instead.
            import shutil

            shutil.rmtree(root / ".git", ignore_errors=True)
            if made_folder:
                with contextlib.suppress(OSError):
                    root.rmdir()
            raise
    store = Store.open(root)
    require_work_tree(store, "make it a store")
    signing(store)  # refuse signing settings it cannot honour before changing anything
    # A power loss must not leave empty object files behind.
    gitcmd.run(store.root, "config", "core.fsync", "all")
    gitcmd.run(store.root, "config", "core.fsyncMethod", "fsync")
    if store.read_blob("HEAD", CONFIG_PATH) is not None:
        return store  # already a tracker store: init is idempotent
    config = StoreConfig(
        require_notes=require_notes,
        created_by_tracker=True,
        require_approval=require_approval,
        policy=policy,
    )
    if categories:
        config.categories = tuple(categories)
    data = (json.dumps(config.to_json(), indent=2) + "\n").encode()
    with store_lock(store.git_dir):
        # Again under the lock: another init may have set the store up meanwhile (and
        # written the settings file, which is then the tracker's, not a stranger's).
        store.refresh()
        if store.read_blob("HEAD", CONFIG_PATH) is not None:
            return store
        _refuse_foreign_settings_file(store)
        _commit_file(
            store,
            CONFIG_PATH,
            data,
            "Set up tracker store\n\nrequire_notes="
            f"{str(require_notes).lower()}"
            # Said only when on, as in the settings file: a store set up without it keeps
            # the setup commit (and so every commit id) it always had.
            + ("; require_approval=true" if require_approval else "")
            + "; the tracker keeps its settings here so that "
            "every clone enforces the same rules.\n",
            identity,
            date or now_iso(),
            event="setup",
            from_disk=False,  # the settings file is written after its commit
            warnings=warnings,
        )
        # The store is set up: the commit holds the settings. Putting them in the work
        # tree too is housekeeping, which must not turn the set-up store into a failure.
        target = store.root / CONFIG_PATH
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as error:
            if warnings is not None:
                warnings.append(
                    f"set up, but {target} could not be written ({error.strerror}); "
                    f"restore it with 'git checkout -- {CONFIG_PATH}'"
                )
    store.refresh()
    return store


def _refuse_foreign_settings_file(store: Store) -> None:
    """Refuse, before anything is written, a ``.tracker`` that is not the tracker's.

    The branch has no settings yet, so a ``.tracker`` file, or an untracked
    ``.tracker/config.json``, in the work tree belongs to someone else: writing the
    settings would overwrite it, or fail after the store was already set up.
    """
    folder = store.root / CONFIG_PATH.split("/")[0]
    target = store.root / CONFIG_PATH
    if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
        what = f"{folder} already exists and is not a folder"
    elif os.path.lexists(target):
        what = f"{target} already exists and is not the tracker's"
    else:
        return
    raise DirtyStoreError(
        f"{what}; the tracker keeps its settings there",
        "move it away, then run 'tracker init' again; nothing was written",
    )


# -- recording ---------------------------------------------------------------------------


def record(
    store: Store,
    document: str,
    summary: str,
    reason: str = "",
    notes: dict[int, NoteInput] | None = None,
    identity: Identity | None = None,
    date: str | None = None,
    warnings: list[str] | None = None,
    check_changes: Callable[[list[Change]], None] | None = None,
    committer: Identity | None = None,
) -> str:
    """Record the document's current bytes as a new revision; return the commit id.

    ``committer`` is who logged the revision when it is not its author (the editor who
    logs a reporter's article); the journal names the committer, who did the recording.

    Once the revision is recorded nothing raises; what went wrong in the housekeeping
    after it is appended to ``warnings``. ``check_changes`` sees the changes computed
    from the bytes that will be recorded, under the lock, and may refuse them by raising
    (a screen whose notes were written for other changes)."""
    notes = notes or {}
    if not summary.strip():
        raise RecordRefusedError("the summary is empty", "say what the revision does with -m")
    if identity is None:
        from tracker.identity import default_identity

        identity = default_identity(store.root)
    date = date or now_iso()
    refuse_future(date)  # also for callers of the API that did not go through check_date
    with store_lock(store.git_dir):
        # The branch as read when the store was opened may be stale: another writer may
        # have recorded between then and this lock. Read it again, now that it cannot move.
        store.refresh()
        head = store.head()
        _refuse_staged_changes(store, head, document)
        _refuse_earlier_date(store, head, date)
        data = store.work_bytes(document)
        new_text = decode_document(data, document)
        old_blob = store.read_blob(head, document) if head else None
        existed = old_blob is not None
        # A last revision that is not text (bytes put there with plain git) has no text to
        # diff against: the corrected text is recorded as a new baseline, which repairs it.
        baseline = not existed or not_text_kind(old_blob or b"") is not None
        old_text = "" if baseline else decode_document(old_blob or b"", document)
        if existed and not baseline and old_text == new_text:
            raise RecordRefusedError(
                f"{document} has no changes since the last revision",
                "edit it first, then record",
            )
        # The bytes just read are the ones recorded and the ones diffed: reading the file
        # again could number changes of a different text.
        if existed and baseline:
            why = "NUL bytes" if b"\x00" in (old_blob or b"") else "bytes that are not UTF-8"
            repair = (
                f"The last revision ({(head or '')[:12]}) of {document} held {why}, not text; "
                "this revision replaces it as a new baseline."
            )
            reason = f"{reason.strip()}\n\n{repair}" if reason.strip() else repair
        changes = [] if baseline else diff_texts(old_text, new_text)
        if check_changes is not None:
            check_changes(changes)
        changes = _attach_notes(store, document, changes, notes, identity, date, warnings)
        # A document's first revision is its baseline: it has no changes to explain.
        message = compose_message(summary, reason, document, changes, initial=baseline)
        return _commit_file(
            store, document, data, message, identity, date, warnings=warnings, committer=committer
        )


def refuse_before_revision(date: str, rev: str, revision_date: str, what: str) -> None:
    """A note or review dated before the revision it is about cannot be true. (The
    clocks of two machines that share a store may disagree by the same few minutes that
    refuse_future allows.)"""
    if datetime.fromisoformat(date) + FUTURE_TOLERANCE < datetime.fromisoformat(revision_date):
        raise RecordRefusedError(
            f"the date {date} is before revision {rev[:12]} itself ({revision_date})",
            f"a {what} comes after its revision: give a later --date, or none for now",
        )


def _refuse_earlier_date(store: Store, head: str | None, date: str) -> None:
    """A revision dated before its parent would read as history rewritten (verify's check)."""
    if head is None or not store.documents(head):
        return  # the setup commit holds settings only; backdated imports may follow it
    parent_date = store.git("show", "-s", "--format=%cI", head)
    if datetime.fromisoformat(date) < datetime.fromisoformat(parent_date):
        raise RecordRefusedError(
            f"the date {date} is before the last revision's ({parent_date})",
            "give a later --date, or none for now",
        )


def _refuse_staged_changes(store: Store, head: str | None, document: str) -> None:
    """Refuse when another program staged changes: a revision must hold only its document.

    The document's own index entry is exempt: recording resets it, and it is stale after
    a process that died just past the commit point.
    """
    if head is None:
        return
    names = store.git("diff-index", "--cached", "--name-only", "-z", head, "--")
    staged = [n for n in names.split("\x00") if n and n != document]
    staged = [n for n in staged if not _stale_entry_of_ours(store, head, n)]
    if staged:
        listed = ", ".join(staged)[:200]
        raise DirtyStoreError(
            f"the git index has changes staged by another program ({listed})",
            "commit or unstage them (git restore --staged .) before recording",
        )


def _stale_entry_of_ours(store: Store, head: str, path: str) -> bool:
    """True for an index entry the tracker itself left behind, which it then repairs.

    When ``.git/index.lock`` was held after a commit point, the tracker warned and left
    the entry of the file it had committed as it was before that commit. That is no
    other program's staged change, and refusing every later record of another document
    for it blamed "another program" for the tracker's own housekeeping. Such an entry
    holds exactly the file's state before the last commit that changed it, a commit the
    journal names as the tracker's for that file.
    """
    from tracker.git.journal import read_journal

    last = store.git("log", "-1", "--format=%H", head, "--", path)
    if not last or not any(
        e.get("commit") == last and e.get("document") == path for e in read_journal(store)
    ):
        return False
    listing = store.git("ls-files", "-s", "-z", "--", path).split("\x00")[0]
    staged = listing.split()[1] if listing else None
    if staged != store.ref(f"{last}^:{path}"):
        return False
    # The entry is stale, not someone's work (the file on disk is untouched either way):
    # bring it in step with the branch, as the warning said. Best effort, as after commit.
    now = store.git("ls-tree", "-z", "--end-of-options", head, "--", path)
    if now:
        mode, _kind, rest = now.split(" ", 2)
        args = ["--add", "--cacheinfo", f"{mode},{rest.split(chr(9))[0]},{path}"]
    else:
        args = ["--force-remove", "--", path]
    gitcmd.run(store.root, "update-index", *args, check=False)
    return True


def _attach_notes(
    store: Store,
    document: str,
    changes: list[Change],
    notes: dict[int, NoteInput],
    identity: Identity,
    date: str,
    warnings: list[str] | None = None,
) -> list[Change]:
    categories = store.config.categories
    known = {change.index for change in changes}
    for index in sorted(notes):
        if index != EVERY_OTHER_CHANGE and index not in known:
            raise NoteError(
                f"there is no change {index} in {document}"
                f" ({len(changes)} pending change{'s' if len(changes) != 1 else ''})",
                "see the numbers with 'tracker status'",
            )
        validate_note(notes[index].text, notes[index].category, categories)
    result = []
    for change in changes:
        given = notes.get(change.index, notes.get(EVERY_OTHER_CHANGE))
        note = None
        if given is not None:
            note = Note(
                given.text.strip(), given.category, given.source.strip(), str(identity), date,
                **given.reader_fields(),
            )  # fmt: skip
        result.append(change.with_note(note))
    policy = preset(store.config.policy)
    for change in result:
        if change.note is not None:  # before anything is written
            checked_by_policy(
                change.note, policy, f"change {change.index}", RecordRefusedError, warnings
            )
    if store.config.require_notes:
        missing = [c for c in result if c.note is None]
        if missing:
            listed = "; ".join(f"{c.index}: {_brief(c)}" for c in missing[:10])
            more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
            raise RecordRefusedError(
                f"this store requires a note on every change; unexplained: {listed}{more}",
                "add --note N=TEXT for each",
            )
    return result


def checked_by_policy(
    note: Note,
    policy: Preset,
    where: str,
    error: type[TrackerError],
    warnings: list[str] | None,
    corrected: str = "",
) -> None:
    """Refuse a note the store's policy forbids (``error``, naming ``where`` and the rule:
    nothing is written); what it only flags is appended to ``warnings``."""
    problems = lint(note, policy, corrected)
    refused = [p for p in problems if p.severity == REFUSE]
    if refused:
        first = refused[0]
        raise error(
            f"{where}: {first.message} (policy {policy.name}, rule {first.rule})",
            "give the change the notice the policy asks (--notice, --significance), or see "
            "'tracker config policy'; nothing was written",
        )
    if warnings is not None:
        warnings.extend(
            f"{where}: {p.message} (policy {policy.name}, rule {p.rule})" for p in problems
        )


def _brief(change: Change) -> str:
    def cut(text: str) -> str:
        flat = " ".join(text.split()) or repr(text)[1:-1]  # whitespace alone: show escapes
        return flat if len(flat) <= 30 else flat[:27] + "..."

    if change.is_move:
        return f"moved {cut(change.old.text)!r}"
    if change.kind == "insert":
        return f"+{cut(change.new.text)!r}"
    if change.kind == "delete":
        return f"-{cut(change.old.text)!r}"
    return f"{cut(change.old.text)!r} -> {cut(change.new.text)!r}"


def _commit_file(
    store: Store,
    path: str,
    data: bytes,
    message: str,
    identity: Identity,
    date: str,
    event: str = "record",
    from_disk: bool = True,
    warnings: list[str] | None = None,
    details: dict | None = None,
    committer: Identity | None = None,
) -> str:
    """Write a commit that sets one file, then move the branch to it (compare-and-swap),
    journaling it in the same transaction. Problems after the commit point are appended
    to ``warnings``, never raised."""
    branch = _current_branch(store)
    head = store.head()
    blob = store.git("hash-object", "-w", "--no-filters", "--stdin", input=data)
    mode = _mode_of(store, head, path)
    tree = _tree_with(store, head, {path: (mode, blob)})
    commit = commit_tree(store, tree, head, message, identity, date, committer)
    # Last look before the commit point: if another program rewrote the file while we
    # worked, the numbered changes (and their notes) may no longer be the ones on disk.
    # (work_bytes again: a file swapped for a FIFO or a link meanwhile is refused, not read.)
    if from_disk and store.work_bytes(path) != data:
        raise DirtyStoreError(
            f"{path} changed on disk while it was being recorded (another program?)",
            "nothing was recorded; check the changes with 'tracker status' and record again",
        )
    journaled = {"event": event, "document": path, **(details or {})}
    advance_ref(store, branch, commit, head, journaled, committer or identity, date)
    # The revision is recorded. What follows is housekeeping: it may fail, but it must not
    # turn a recorded revision into a reported failure.
    _update_index(store, mode, blob, path, warnings)
    # The commit-graph (with Bloom filters) kept close to the branch, a layer every few
    # records: `git log -- FILE` on a store of 100,000 revisions then skips the commits
    # that did not touch the file without reading their trees.
    keep_commit_graph(store, now=event == "setup")
    return commit


def _update_index(
    store: Store, mode: str, blob: str, path: str, warnings: list[str] | None
) -> None:
    """Keep plain git's view in step: the index entry of ``path`` now matches the revision.

    Best effort, after the commit point. ``.git/index.lock`` may be held by another
    program (an editor running ``git status`` in a loop) or left behind by a crash; a few
    tries over a second ride out the first, and the second becomes a warning. A stale
    entry is harmless: the next record resets it, and git shows the file as changed.
    """
    deadline = time.monotonic() + 1.0
    while True:
        try:
            gitcmd.run(store.root, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}")
            return
        except GitError as error:
            if time.monotonic() >= deadline:
                lock = store.git_dir / "index.lock"
                why = (
                    f"{lock} is held by another program or was left by a crash"
                    if lock.exists()
                    else error.message
                )
                if warnings is not None:
                    warnings.append(
                        f"recorded, but the git index could not be updated ({why}); "
                        f"'git status' may list {path} as changed until you run "
                        f"'git reset -q -- {path}'"
                    )
                return
        time.sleep(0.05)  # index.lock is held: wait for its holder to finish


# -- Ctrl-C after the commit point -----------------------------------------------------------

# Set while a command that writes runs under interrupts_deferred_at_commit().
_guard = threading.local()


@contextlib.contextmanager
def interrupts_deferred_at_commit() -> Iterator[None]:
    """Let Ctrl-C stop a write before its commit point, but not after.

    Once the branch is about to move, the revision will be recorded; an interrupt then
    would report a failure for a revision that exists. Inside this block, the write path
    ignores SIGINT from just before the commit point until the block ends (after the
    command has reported). Ignored, not handled: the git processes started meanwhile
    inherit the ignoring, so the Ctrl-C a terminal sends to the whole process group
    cannot kill them either. Only the main thread can handle signals: elsewhere (the
    app's workers) this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    _guard.armed = True
    _guard.committed = False
    try:
        yield
    finally:
        _guard.armed = False
        signal.signal(signal.SIGINT, previous)


def past_commit_point() -> bool:
    """True once a write under interrupts_deferred_at_commit() has moved its ref: from
    then on, a failure (even writing the command's own output) must not be reported as
    if nothing had been done."""
    return getattr(_guard, "committed", False)


def _defer_interrupts() -> None:
    if getattr(_guard, "armed", False) and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def advance_ref(
    store: Store,
    ref: str,
    new: str,
    old: str | None,
    event: dict,
    identity: Identity,
    date: str,
) -> None:
    """Move ``ref`` to ``new`` only if it still points at ``old``: the commit point.

    The journal entry for ``event`` moves in the same transaction (tracker/git/write.py).
    """
    _defer_interrupts()
    write_with_journal(store, ref, new, old, event, identity, date)
    _guard.committed = True


def _current_branch(store: Store) -> str:
    proc = gitcmd.run(store.root, "symbolic-ref", "-q", "HEAD", check=False)
    ref = proc.stdout.decode().strip()
    if proc.returncode != 0 or not ref:
        raise DirtyStoreError(
            "HEAD is detached (not on a branch)", "check out the store's branch first"
        )
    return ref


def _mode_of(store: Store, head: str | None, path: str) -> str:
    if head:
        listing = store.git("ls-tree", "-z", "--end-of-options", head, "--", path)
        if listing:
            return listing.split(" ", 1)[0]
    return "100644"


def _tree_with(store: Store, base: str | None, entries: dict[str, tuple[str, str]]) -> str:
    """A tree like ``base`` with some paths set, built in a private index file."""
    index = store.git_dir / f"tracker-index.{os.getpid()}"
    env = {"GIT_INDEX_FILE": str(index)}
    try:
        if base:
            gitcmd.run(store.root, "read-tree", base, env=env)
        for path, (mode, blob) in entries.items():
            gitcmd.run(
                store.root, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}", env=env
            )
        return gitcmd.output(store.root, "write-tree", env=env)
    finally:
        index.unlink(missing_ok=True)


# -- later notes -------------------------------------------------------------------------


def add_later_note(
    store: Store,
    rev_name: str,
    index: int,
    note: NoteInput,
    identity: Identity | None = None,
    date: str | None = None,
    warnings: list[str] | None = None,
) -> str:
    """Add or correct the note of a past change without rewriting its revision.

    Returns the id of the notes commit that holds it. A note the store's policy forbids
    is refused (NoteError); what the policy flags is appended to ``warnings``.
    """
    if identity is None:
        from tracker.identity import default_identity

        identity = default_identity(store.root)
    date = date or now_iso()
    revision = store.revision(rev_name)
    validate_note(note.text, note.category, store.config.categories)
    change = next((c for c in revision.changes if c.index == index), None)
    if change is None:
        count = len(revision.changes)
        raise NoteError(
            f"revision {revision.rev[:12]} has no change {index} ({count} change"
            f"{'s' if count != 1 else ''})",
            f"see them with 'tracker show {revision.rev[:12]}'",
        )
    written = Note(
        note.text.strip(), note.category, note.source.strip(), str(identity), date,
        **note.reader_fields(),
    )  # fmt: skip
    checked_by_policy(
        written, preset(store.config.policy), f"change {index} of {revision.rev[:12]}",
        NoteError, warnings, revision.date,
    )  # fmt: skip
    with store_lock(store.git_dir):
        entries = store.later_notes(revision.rev)
        # The wordings this one replaces: every current one (two, after concurrent
        # corrections met in a sync; this note resolves them).
        seen = current_ids([e for e in entries if matches_change(e, change)])
        entries.append(later_entry(change, written, seen))
        verb = "Correct" if change.note is not None else "Add"
        message = (
            f"{verb} note on {revision.rev[:12]} change {index} [{note.category}]\n\n"
            f"{note.text.strip()}\n"
        )
        return write_note_document(
            store,
            NOTES_REF,
            revision.rev,
            compose_later(entries),
            message,
            {"event": "note", "revision": revision.rev, "change": index},
            identity,
            date,
        )


def add_review(
    store: Store,
    rev_name: str,
    status: str,
    comment: str = "",
    identity: Identity | None = None,
    date: str | None = None,
) -> str:
    """Record a review (approve or flag) of a revision; returns the reviews commit.

    Append-only entries in ``refs/notes/tracker-reviews``, read by tracker/reviews.py."""
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
    sign_off = status == APPROVED and store.config.require_approval
    if sign_off and same_editor(str(identity), revision.author):
        # A flag by the author stays allowed: pointing out one's own mistake is welcome.
        raise ReviewRefusedError(
            "you wrote this revision; another editor must approve it",
            "this store requires a second editor's approval (see 'tracker config');"
            " nothing was written",
        )
    signed = sign_off and bool(signing(store))  # refuses signing settings it cannot honour
    with store_lock(store.git_dir):
        # Appended to the entries as stored (entries are append-only: one edited by
        # hand is kept as it is, never rewritten by the next review).
        stored = stored_entries(store.note(REVIEWS_REF, revision.rev))
        # The reviews this one follows: every current one (an approval and a flag that
        # met in a sync are both current; this review resolves them).
        seen = current_ids(entries_of_stored(stored))
        entries = [*stored, {"status": status, "comment": comment.strip(),
                             "author": str(identity), "date": date, "seen": seen}]  # fmt: skip
        verb = "Approve" if status == APPROVED else "Flag"
        message = f"{verb} {revision.rev[:12]}: {revision.summary}\n\n{comment.strip()}\n"
        try:
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
        except GitError as error:
            if not signed:
                raise
            # Under sign-off an approval is the second editor's word: with signing on,
            # it is signed or not written at all. (git fails here only before the commit
            # point: both commits are written before the one update-ref moves anything.)
            raise SigningError(
                f"the approval could not be signed ({error.message})",
                "check user.signingKey and that your signing program can sign; nothing was written",
            ) from None


# -- settings ------------------------------------------------------------------------------

# The settings ``tracker config`` changes: its name for each, and the key in the file.
SETTINGS = {
    "require-approval": "require_approval",
    "require-notes": "require_notes",
    "policy": "policy",
    "senior-editors": "senior_editors",
}


def change_setting(
    store: Store,
    name: str,
    value: bool | str | tuple[str, ...],
    identity: Identity | None = None,
    warnings: list[str] | None = None,
) -> str | None:
    """Turn a store setting on or off, name its corrections policy or its senior editors
    (a tuple of "Name <email>", checked by the caller; empty: none): a commit of the
    settings file on the branch, journaled as a ``config`` event (verify accepts it, and
    flags a change made any other way). Returns the commit, or None when the setting
    already had that value."""
    require_tracker_store(store)
    key = SETTINGS.get(name)
    if key is None:
        raise TrackerError(
            f"there is no setting {name!r}", "the settings are: " + ", ".join(SETTINGS)
        )
    if identity is None:
        from tracker.identity import default_identity

        identity = default_identity(store.root)
    date = now_iso()
    with store_lock(store.git_dir):
        store.refresh()
        head = store.head()
        _refuse_staged_changes(store, head, CONFIG_PATH)
        _refuse_earlier_date(store, head, date)
        raw = store.read_blob(head, CONFIG_PATH) if head else None
        try:
            data = json.loads(raw or b"")
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            raise DirtyStoreError(
                f"{CONFIG_PATH} on the branch is not a settings file the tracker can read",
                "restore it from the store's history (git log -- .tracker/config.json)",
            ) from None
        current = StoreConfig.from_json(data)
        if key == "policy":
            value = str(value)  # an explicit "ap" is written: the desk chose it
        if key == "senior_editors":
            value = tuple(value) if isinstance(value, (tuple, list)) else ()
        if getattr(current, key) == value:
            return None
        target = store.root / CONFIG_PATH
        if target.exists() and target.read_bytes() != raw:
            raise DirtyStoreError(
                f"{CONFIG_PATH} in the work tree differs from the branch (edited by hand?)",
                f"restore it with 'git checkout -- {CONFIG_PATH}', then change settings with"
                " 'tracker config'; nothing was written",
            )
        # The file as the branch holds it, keys this tracker does not know kept; a
        # require_approval that is off is no key at all, as init writes it; nor is an
        # empty list of senior editors.
        if key in ("require_approval", "senior_editors") and not value:
            data.pop(key, None)
        else:
            data[key] = list(value) if isinstance(value, tuple) else value
        new = (json.dumps(data, indent=2) + "\n").encode()
        if key == "policy":
            chosen = preset(str(value))
            message = (
                f"Follow the {chosen.name} corrections policy\n\npolicy={chosen.name}, set "
                f"with 'tracker config'; from now on notes are checked against {chosen.title}'s "
                "rules (docs/corrections.md).\n"
            )
        elif key == "senior_editors":
            named = "; ".join(value) or "none"
            means = (
                "counts only their approvals" if value else "publishes none until some are named"
            )
            message = (
                ("Name the senior editors" if value else "Name no senior editors")
                + f"\n\nsenior_editors={named}, set with 'tracker config'; from now on a "
                f"policy that lets only senior editors issue corrections (reuters) {means} "
                "(docs/corrections.md).\n"
            )
        else:
            word = "on" if value else "off"
            message = (
                f"Turn {name} {word}\n\n{key}={str(value).lower()}, set with 'tracker "
                f"config'; {_SETTING_MEANS[key][bool(value)]}\n"
            )
        commit = _commit_file(
            store, CONFIG_PATH, new, message, identity, date, event="config",
            from_disk=False, warnings=warnings,
            details={"setting": key, "value": list(value) if isinstance(value, tuple) else value},
        )  # fmt: skip
        try:  # housekeeping after the commit point, as in init
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(new)
        except OSError as error:
            if warnings is not None:
                warnings.append(
                    f"changed, but {target} could not be written ({error.strerror}); "
                    f"restore it with 'git checkout -- {CONFIG_PATH}'"
                )
    store.refresh()
    return commit


_SETTING_MEANS = {
    "require_approval": {
        True: "from now on a revision counts as approved only when an editor other than"
        " its author approves it.",
        False: "from now on an author's own approval counts again.",
    },
    "require_notes": {
        True: "from now on every change needs a note.",
        False: "from now on changes may be recorded without a note.",
    },
}


def write_note_document(
    store: Store,
    ref: str,
    rev: str,
    document: str,
    message: str,
    event: dict,
    identity: Identity,
    date: str,
) -> str:
    """Set the note of ``rev`` in the notes ref ``ref`` with a commit of our own, journaled.

    Returns the new notes commit. The caller holds the store lock.
    """
    blob = store.git("hash-object", "-w", "--stdin", input=document.encode("utf-8"))
    old = store.ref(ref)
    # Only the trees on the way to this note are read and written (fan-out past 256).
    tree = set_notes(store, store.reader.oid_of(old, "tree") if old else None, {rev: blob})
    commit = commit_tree(store, tree, old, message, identity, date)
    advance_ref(store, ref, commit, old, event, identity, date)
    return commit


# -- publishing ----------------------------------------------------------------------------


def record_publish(
    store: Store,
    document: str,
    refuse: Callable[[str], list[str]],
    identity: Identity | None = None,
    date: str | None = None,
) -> tuple[str, dict]:
    """Journal a ``publish`` event of ``document``; returns the journal commit and the
    event. ``refuse(date)`` runs under the store lock, with everything read afresh: it
    raises to write nothing (a flag that came meanwhile counts), or returns the
    revisions (full ids) the event names."""
    from tracker.git.write import append_journal

    require_tracker_store(store)
    if identity is None:
        from tracker.identity import default_identity

        identity = default_identity(store.root)
    date = date or now_iso()
    with store_lock(store.git_dir):
        store.refresh()
        revisions = refuse(date)
        event = {
            "v": 1,
            "event": "publish",
            "document": document,
            "revisions": revisions,
            "date": date,
            "author": str(identity),
        }
        return append_journal(store, event, identity, date), event
