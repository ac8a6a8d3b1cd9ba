"""Recording is atomic: a process killed mid-way leaves the old state or the whole new one."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tracker.recording import init_store, record

from conftest import ANN, DATE, git, run_cli

# The child process records with one step of the write path replaced by SIGKILL, the
# harshest way a process can die: no finally blocks, no cleanup.
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from tracker import recording
    from tracker.git import cmd as gitcmd
    from tracker.identity import Identity
    from tracker.store import Store

    step = sys.argv[2]
    real_run = gitcmd.run

    def dying_run(cwd, *args, **kwargs):
        if args and args[0] == step:
            os.kill(os.getpid(), signal.SIGKILL)
        return real_run(cwd, *args, **kwargs)

    real_advance = recording.advance_ref

    def advance_then_die(*args, **kwargs):
        real_advance(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    if step == "advance_ref":
        recording.advance_ref = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    elif step == "after_ref":
        recording.advance_ref = advance_then_die
    else:
        gitcmd.run = dying_run
        recording.gitcmd.run = dying_run
    store = Store.open(sys.argv[1])
    recording.record(
        store, "doc.txt", "Edit", "", {1: recording.NoteInput("why", "factual")},
        Identity("Ann", "ann@example.org"), "2025-07-01T00:00:00+00:00",
    )
    """
)


@pytest.mark.parametrize("step", ["hash-object", "commit-tree", "advance_ref"])
def test_killed_before_the_branch_moves_leaves_the_old_state(tmp_path, step):
    store = init_store(tmp_path / "s", ANN, DATE, require_notes=True)
    (store.root / "doc.txt").write_text("Old words here.\n")
    old = record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    (store.root / "doc.txt").write_text("New words here.\n")
    proc = subprocess.run([sys.executable, "-c", CHILD, str(store.root), step])
    assert proc.returncode == -9, "the child must really have been killed"
    assert git(store.root, "rev-parse", "HEAD").strip() == old
    git(store.root, "fsck", "--full", "--no-dangling")
    # The lock of the dead process does not block the next user, and the retry works.
    result = run_cli("-C", str(store.root), "record", "doc.txt", "-m", "Edit", "--note", "1=why")
    assert result.code == 0, result.err
    assert git(store.root, "rev-parse", "HEAD~1").strip() == old


def test_killed_after_the_branch_moves_leaves_the_complete_revision(tmp_path):
    store = init_store(tmp_path / "s", ANN, DATE, require_notes=True)
    (store.root / "doc.txt").write_text("Old words here.\n")
    old = record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    (store.root / "doc.txt").write_text("New words here.\n")
    # Dying right after the commit point, before the index is brought in step.
    proc = subprocess.run([sys.executable, "-c", CHILD, str(store.root), "after_ref"])
    assert proc.returncode == -9
    head = git(store.root, "rev-parse", "HEAD").strip()
    assert head != old and git(store.root, "rev-parse", "HEAD~1").strip() == old
    revision = store.revision(head)
    assert [(c.old.text, c.new.text, c.note.text) for c in revision.changes] == [
        ("Old", "New", "why")
    ]
    git(store.root, "fsck", "--full")
    assert run_cli("-C", str(store.root), "status", "--json").code == 0
    (store.root / "doc.txt").write_text("Newer words here.\n")
    result = run_cli("-C", str(store.root), "record", "doc.txt", "-m", "Again", "--note", "1=w")
    assert result.code == 0, result.err
    assert git(store.root, "status", "--porcelain") == ""


def test_a_file_rewritten_during_recording_is_not_recorded(tmp_path, monkeypatch):
    """Another program writes the document between reading it and the commit point."""
    from tracker import recording
    from tracker.errors import DirtyStoreError
    from tracker.recording import NoteInput

    store = init_store(tmp_path / "s", ANN, DATE)
    doc = store.root / "doc.txt"
    doc.write_text("Old words here.\n")
    old = record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    doc.write_text("New words here.\n")
    real_commit_tree = recording.commit_tree

    def meddling_commit_tree(*args, **kwargs):
        commit = real_commit_tree(*args, **kwargs)
        doc.write_text("Something else entirely.\n")  # the other program strikes
        return commit

    monkeypatch.setattr(recording, "commit_tree", meddling_commit_tree)
    with pytest.raises(DirtyStoreError, match="changed on disk"):
        record(store, "doc.txt", "Edit", notes={1: NoteInput("why")}, identity=ANN)
    assert git(store.root, "rev-parse", "HEAD").strip() == old
    assert doc.read_text() == "Something else entirely.\n"
