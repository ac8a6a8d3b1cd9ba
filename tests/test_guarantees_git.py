"""The commit point is a compare-and-swap: a commit another program lands on the branch,
the notes ref or the journal between the tracker's ``commit-tree`` and its
``update-ref`` is never silently dropped.

The race is made deterministic: the tracker's commit point (``write_with_journal``, which
runs ``update-ref``) is wrapped so that, just before it, plain git writes to the ref.
The tracker must then fail with a clear error, record nothing, and leave the other
program's commit where it is.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tracker import recording
from tracker.errors import DirtyStoreError
from tracker.git import write as journal_writer
from tracker.git.journal import JOURNAL_REF, read_journal
from tracker.notes import NOTES_REF
from tracker.recording import NoteInput, add_later_note, init_store, record
from tracker.store import Store

from conftest import ANN, git

DATE1 = "2020-01-01T10:00:00+00:00"
DATE2 = "2020-01-02T10:00:00+00:00"


@pytest.fixture
def edited(tmp_path) -> Store:
    """A store with one recorded document and a pending change to it."""
    store = init_store(tmp_path / "store", ANN, DATE1)
    (store.root / "doc.txt").write_text("One two three.\n", encoding="utf-8")
    record(store, "doc.txt", "Add doc.txt", identity=ANN, date=DATE1)
    (store.root / "doc.txt").write_text("One TWO three.\n", encoding="utf-8")
    return store


def interloper_before_commit_point(monkeypatch, action: Callable[[Store, str], None]) -> list:
    """Run ``action(store, ref)`` once, after the tracker built its commit and just before
    its update-ref; returns the list of refs the action ran for."""
    original = recording.write_with_journal
    seen: list[str] = []

    def racing(store, ref, new, old, *args, **kwargs):
        if not seen:
            seen.append(ref)
            action(store, ref)
        return original(store, ref, new, old, *args, **kwargs)

    monkeypatch.setattr(recording, "write_with_journal", racing)
    return seen


def refs(root: Path) -> dict[str, str]:
    out = git(root, "for-each-ref", "--format=%(refname) %(objectname)")
    return dict(line.split(" ", 1) for line in out.splitlines())


def test_a_commit_landed_on_the_branch_during_a_record_is_kept(edited, monkeypatch):
    store = edited
    root = store.root

    def other_program(_store: Store, _ref: str) -> None:
        (root / "other.txt").write_text("Someone else's file.\n")
        git(root, "add", "other.txt")
        git(root, "commit", "-q", "-m", "Another program's commit")

    seen = interloper_before_commit_point(monkeypatch, other_program)
    journal_before = store.ref(JOURNAL_REF)
    with pytest.raises(DirtyStoreError) as raised:
        record(store, "doc.txt", "Capital", identity=ANN, date=DATE2)
    assert seen == ["refs/heads/main"]
    assert "moved while the tracker was writing" in raised.value.message
    # The other program's commit is the tip: nothing dropped it.
    assert git(root, "log", "-1", "--format=%s", "main").strip() == "Another program's commit"
    assert git(root, "log", "--format=%s", "main").splitlines()[1] == "Add doc.txt"
    # Nothing of the tracker's moved: the journal is where it was, the edit still pending.
    assert Store.open(root).ref(JOURNAL_REF) == journal_before
    assert (root / "doc.txt").read_text() == "One TWO three.\n"


def test_a_note_landed_on_the_notes_ref_during_a_later_note_is_kept(edited, monkeypatch):
    store = edited
    root = store.root
    record(store, "doc.txt", "Capital", identity=ANN, date=DATE2)
    assert store.ref(NOTES_REF) is None

    def other_program(_store: Store, ref: str) -> None:
        git(root, "notes", f"--ref={ref.removeprefix('refs/notes/')}", "add", "-m", "theirs",
            "HEAD~1")  # fmt: skip

    seen = interloper_before_commit_point(monkeypatch, other_program)
    with pytest.raises(DirtyStoreError):
        add_later_note(store, "HEAD", 1, NoteInput("Ours."), ANN, DATE2)
    assert seen == [NOTES_REF]
    assert git(root, "notes", "--ref=tracker", "show", "HEAD~1").strip() == "theirs"
    ours = subprocess.run(["git", "notes", "--ref=tracker", "show", "HEAD"], cwd=root,
                          capture_output=True)  # fmt: skip
    assert ours.returncode != 0  # ours was not written, and theirs was not replaced
    assert [e["event"] for e in read_journal(Store.open(root))] == ["setup", "record", "record"]


def test_a_journal_moved_during_a_record_moves_neither_ref(edited, monkeypatch):
    """Branch and journal move in one transaction, each by compare-and-swap. The journal's
    old value is read at the commit point; another writer that moves the journal after
    the tracker wrote its journal commit (just before update-ref) fails the whole record,
    and the branch stays."""
    store = edited
    root = store.root
    head = store.head()
    original = journal_writer.commit_tree

    def journal_commit_then_another_writer(*args, **kwargs) -> str:
        ours = original(*args, **kwargs)
        tree = git(root, "mktree", input=b"").strip()
        parent = git(root, "rev-parse", JOURNAL_REF).strip()
        theirs = git(root, "commit-tree", tree, "-p", parent, "-m", "another journal entry")
        git(root, "update-ref", JOURNAL_REF, theirs.strip(), parent)
        return ours

    monkeypatch.setattr(journal_writer, "commit_tree", journal_commit_then_another_writer)
    with pytest.raises(DirtyStoreError):
        record(store, "doc.txt", "Capital", identity=ANN, date=DATE2)
    assert refs(root)["refs/heads/main"] == head
    assert git(root, "log", "-1", "--format=%s", JOURNAL_REF).strip() == "another journal entry"


def test_without_a_race_the_same_record_goes_through(edited):
    """The control: the wrapper's absence is the only difference from the tests above."""
    store = edited
    rev = record(store, "doc.txt", "Capital", identity=ANN, date=DATE2)
    assert git(store.root, "rev-parse", "main").strip() == rev
