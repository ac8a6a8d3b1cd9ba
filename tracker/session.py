"""Provides a review session: what an interactive face needs to browse a history fast.

It caches document texts and diffs per revision pair (both are immutable once a revision
exists), computes word counts for the history's churn, and gathers the notes made between
two revisions. Thread-safe, so a face can call it from background workers.
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from pathlib import Path

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
        self._reader: BlobReader | None = None
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
            if self._reader is None:
                self._reader = BlobReader(self.store.root)
            data = self._reader.read(f"{rev}:{self.document}")
            text = "" if data is None else decode_document(data, f"{self.document} at {rev[:12]}")
            self._texts[rev] = text
            while len(self._texts) > self._cache_size:
                self._texts.popitem(last=False)
            return text

    def close(self) -> None:
        with self._lock:
            if self._reader is not None:
                self._reader.close()
                self._reader = None

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
                for change in self.changes(revision):
                    if change.note is not None:
                        between.append((revision, change))
        return self._store(Comparison(old_rev, new_rev, old, new, changes, tuple(between)))

    def pending(self) -> Comparison:
        head = self.store.head()
        old = self.text(head) if head else ""
        from tracker.diff import diff_texts

        new = self.text(WORKTREE)
        return Comparison(head, WORKTREE, old, new, tuple(diff_texts(old, new)))

    def churn(self, revision: Revision) -> Churn | None:
        """Words added and removed, or None while a foreign revision's diff is not known."""
        if revision.recorded or revision.initial:
            return _count(revision.changes)
        return self._churn.get(revision.rev)

    def missing_churn(self) -> list[Revision]:
        """Foreign revisions whose word counts still need their diff (newest first)."""
        return [r for r in self.revisions if self.churn(r) is None]

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
    return Churn(
        sum(count_words(c.new.text) for c in changes),
        sum(count_words(c.old.text) for c in changes),
    )
