"""Provides a review session: what an interactive face needs to browse a history fast.

It caches document texts and diffs per revision pair (both are immutable once a revision
exists), computes word counts for the history's churn, and gathers the notes made between
two revisions. Thread-safe, so a face can call it from background workers.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

from tracker.errors import TrackerError
from tracker.git.read import BlobReader
from tracker.model import Change, Churn, Comparison, Revision
from tracker.store import WORKTREE, Store
from tracker.text.decode import decode_document
from tracker.text.tokens import count_words


class ReviewSession:
    """One document of one store, as a reviewer browses it."""

    def __init__(self, store: Store, document: str, cache_size: int = 64) -> None:
        self.store = store
        self.document = document
        self._lock = threading.RLock()
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._comparisons: OrderedDict[tuple[str | None, str], Comparison] = OrderedDict()
        self._cache_size = cache_size
        self._churn: dict[str, Churn] = {}  # small, so kept for every revision seen
        self.revisions: list[Revision] = []

    # -- history --------------------------------------------------------------------------

    def load_history(self, search: str | None = None, limit: int | None = None) -> list[Revision]:
        """Revisions newest first. Foreign commits get their changes lazily (see changes()).

        With ``limit``, only the newest ones: a first page to show before the rest loads.
        """
        revisions = list(
            self.store.log(self.document, search=search, limit=limit, with_changes=False)
        )
        if search is None and limit is None:
            self.revisions = revisions
        return revisions

    def reload(self) -> list[Revision]:
        self.store.refresh()
        with self._lock:
            self._comparisons.clear()
        return self.load_history()

    def head_stamp(self) -> tuple[str, ...]:
        """A fingerprint of the branch tip, read from files without running git (cheap
        enough to poll): when it changes, a revision was recorded or the branch moved."""
        git_dir = self.store.git_dir
        common = git_dir
        with contextlib.suppress(OSError):  # a linked worktree keeps its refs elsewhere
            common = git_dir / (git_dir / "commondir").read_text().strip()
        head = _read(git_dir / "HEAD")
        branch = _read(common / head[5:].strip()) if head.startswith("ref: ") else ""
        try:
            packed = str((common / "packed-refs").stat().st_mtime_ns)
        except OSError:
            packed = ""
        return (head, branch, packed)

    # -- texts ----------------------------------------------------------------------------

    def text(self, rev: str | None) -> str:
        """The document at a revision ('' before it existed); cached."""
        if rev is None:
            return ""
        if rev == WORKTREE:
            return self.store.text_at(WORKTREE, self.document)
        with self._lock:
            if rev in self._texts:
                self._texts.move_to_end(rev)
                return self._texts[rev]
            # The store's one cat-file --batch (thread-safe): a second would be a second
            # process reading the same repository.
            data = self.store.reader.read(f"{rev}:{self.document}")
            text = "" if data is None else decode_document(data, f"{self.document} at {rev[:12]}")
            self._texts[rev] = text
            while len(self._texts) > self._cache_size:
                self._texts.popitem(last=False)
            return text

    def close(self) -> None:
        """Stop the store's reader (a later read starts another)."""
        self.store.close()

    # -- diffs ----------------------------------------------------------------------------

    def revision_diff(self, revision: Revision) -> Comparison:
        """A revision against its parent, with its own notes."""
        key = (revision.parent, revision.rev)
        cached = self._cached(key)
        if cached is not None:
            return cached
        # A baseline's parent text is not shown (and may not be text: a repaired revision).
        old = self.text(revision.parent) if revision.parent and not revision.initial else ""
        new = self.text(revision.rev)
        if revision.recorded or revision.initial:
            changes = revision.changes
        else:
            from tracker.diff import diff_texts
            from tracker.notes import apply_later

            changes = tuple(apply_later(diff_texts(old, new), revision.later_notes))
        self._churn[revision.rev] = _count(changes)
        return self._store(Comparison(revision.parent, revision.rev, old, new, tuple(changes)))

    def changes(self, revision: Revision) -> tuple[Change, ...]:
        if revision.recorded or revision.initial:
            return revision.changes
        return self.revision_diff(revision).changes

    def compare(self, old_rev: str, new_rev: str) -> Comparison:
        """Any two revisions (older first), with every note made between them."""
        key = (old_rev, new_rev)
        cached = self._cached(key)
        if cached is not None:
            return cached
        from tracker.diff import diff_texts

        old, new = self.text(old_rev), self.text(new_rev)
        changes = tuple(diff_texts(old, new))
        between = []
        order = [r.rev for r in self.revisions]
        if old_rev in order and new_rev in order:
            start, end = order.index(new_rev), order.index(old_rev)
            for revision in reversed(self.revisions[start:end]):  # oldest first
                between.extend((revision, change) for change in self._noted(revision))
        return self._store(Comparison(old_rev, new_rev, old, new, changes, tuple(between)))

    def _noted(self, revision: Revision) -> list[Change]:
        """A revision's changes that carry a note, read from its record where it has one.

        Only a foreign revision with later notes is diffed (to find the words each note
        is about): one without notes contributes nothing, and diffing every revision
        between two far-apart marks took seconds on a long history."""
        foreign = not (revision.recorded or revision.initial)
        if foreign and not revision.later_note_count:
            return []
        return [change for change in self.changes(revision) if change.note is not None]

    def pending(self) -> Comparison:
        head = self.store.head()
        old = self.text(head) if head else ""
        from tracker.diff import diff_texts

        new = self.text(WORKTREE)
        return Comparison(head, WORKTREE, old, new, tuple(diff_texts(old, new)))

    def churn(self, revision: Revision) -> Churn | None:
        """Words added and removed, or None while a foreign revision's diff is not known."""
        churn = self._churn.get(revision.rev)
        if churn is None and (revision.recorded or revision.initial):
            # Kept too: the history list asks for every row's counts on each redraw.
            churn = self._churn[revision.rev] = _count(revision.changes)
        return churn

    def missing_churn(self) -> list[Revision]:
        """Foreign revisions whose word counts still need their diff (newest first)."""
        return [r for r in self.revisions if self.churn(r) is None]

    def count_churn(self, revisions: list[Revision]) -> Iterator[Revision]:
        """Count the words of foreign revisions, yielding each as its count is known.

        The diffs are made in a child process: diffing is pure Python, and in a thread
        of the app it held the interpreter's lock for seconds, keeping keys waiting
        100-500 ms each. Where no child can be started, they are made here."""
        todo = [r for r in revisions if self.churn(r) is None]
        if not todo:
            return
        child = None
        if sys.executable:
            package_home = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
            path = os.pathsep.join(filter(None, (package_home, os.environ.get("PYTHONPATH"))))
            with contextlib.suppress(OSError):
                child = subprocess.Popen(
                    [sys.executable, "-m", "tracker.session", self.store.root, self.document],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env={**os.environ, "PYTHONPATH": path},
                )
        if child is None or child.stdin is None or child.stdout is None:
            yield from self._count_here(todo)
            return
        by_rev = {r.rev: r for r in todo}
        try:
            request = "".join(f"{r.rev} {r.parent or '-'}\n" for r in todo).encode("ascii")
            feeder = threading.Thread(target=_feed, args=(child.stdin, request), daemon=True)
            feeder.start()
            for line in child.stdout:
                rev, *counts = line.decode("ascii", "replace").split()
                revision = by_rev.pop(rev, None)
                if revision is not None and len(counts) == 5 and all(map(str.isdigit, counts)):
                    self._churn[rev] = Churn(*map(int, counts))
                    yield revision
        finally:
            child.stdout.close()
            if child.poll() is None:
                child.kill()
            child.wait()
        # Whatever the child could not count (it died, or the text is not text): here.
        yield from self._count_here([r for r in todo if r.rev in by_rev])

    def _count_here(self, revisions: list[Revision]) -> Iterator[Revision]:
        for revision in revisions:
            try:
                self.revision_diff(revision)
            except TrackerError:
                continue  # a revision that cannot be diffed keeps its "?"
            yield revision

    def _cached(self, key: tuple[str | None, str]) -> Comparison | None:
        with self._lock:
            found = self._comparisons.get(key)
            if found is not None:
                self._comparisons.move_to_end(key)
            return found

    def _store(self, comparison: Comparison) -> Comparison:
        with self._lock:
            self._comparisons[comparison.key] = comparison
            while len(self._comparisons) > self._cache_size:
                self._comparisons.popitem(last=False)
        return comparison


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _count(changes) -> Churn:
    """Words added and removed. A move adds and removes none (its words are the same words
    at another place); the edits inside it count like any other. Characters too: a
    revision that changed commas or spaces alone counts no word, and "+0 −0" read as
    "changed nothing"; and the moves, which the history shows apart."""
    counted = [c for c in changes if not c.is_move]
    return Churn(
        sum(count_words(c.new.text) for c in counted),
        sum(count_words(c.old.text) for c in counted),
        sum(len(c.new.text) for c in counted),
        sum(len(c.old.text) for c in counted),
        len(changes) - len(counted),
    )


def _feed(pipe, data: bytes) -> None:
    with contextlib.suppress(OSError):  # the child died: what it did not count is counted here
        pipe.write(data)
        pipe.close()


def _count_in_child(root: str, document: str) -> None:
    """The child of ``count_churn``: reads "REV PARENT" lines (PARENT "-" for none), answers
    "REV ADDED REMOVED CHARS_ADDED CHARS_REMOVED MOVED" for each revision it could diff
    (nothing for one it could not)."""
    from tracker.diff import diff_texts

    reader = BlobReader(root)
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        rev, _, parent = line.decode("ascii").strip().partition(" ")
        try:
            texts = []
            for at in (parent, rev):
                data = reader.read(f"{at}:{document}") if at != "-" else None
                texts.append("" if data is None else decode_document(data, at))
            churn = _count(diff_texts(*texts))
        except TrackerError:
            continue
        counts = (churn.added, churn.removed, churn.chars_added, churn.chars_removed, churn.moved)
        out.write(f"{rev} {' '.join(map(str, counts))}\n".encode("ascii"))
        out.flush()
    reader.close()


if __name__ == "__main__":
    _count_in_child(sys.argv[1], sys.argv[2])
