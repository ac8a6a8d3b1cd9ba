"""Notes trees fan out (git's 2/38 layout) past a threshold, and plain git reads them.

The threshold is patched small: a tree of 256+ notes is what a newsroom store has, but
the switch, the moves and the lookups are the same with five.
"""

from __future__ import annotations

import pytest

import tracker.git.notes_tree as notes_tree
from tracker.git.notes_tree import set_notes
from tracker.model import APPROVED, NoteInput
from tracker.recording import add_later_note, add_review, record
from tracker.store import Store

from conftest import ANN, BOB, DATE, git

REF = "refs/notes/probe"


def _commits(store: Store, count: int) -> list[str]:
    """``count`` distinct commits (empty trees), cheap to make."""
    empty = git(store.root, "mktree", input=b"").strip()
    return [git(store.root, "commit-tree", empty, "-m", f"c{i}").strip() for i in range(count)]


def _blob(store: Store, text: str) -> str:
    return git(store.root, "hash-object", "-w", "--stdin", input=text.encode()).strip()


def _commit_notes(store: Store, tree: str) -> None:
    """Point REF at a commit of ``tree``, so plain ``git notes`` can read it."""
    commit = git(store.root, "commit-tree", tree, "-m", "notes").strip()
    git(store.root, "update-ref", REF, commit)


def _top_names(store: Store, tree: str) -> list[str]:
    return git(store.root, "ls-tree", "--name-only", tree).split()


def test_flat_until_the_threshold_then_fanned_out_and_git_reads_every_note(store, monkeypatch):
    monkeypatch.setattr(notes_tree, "FANOUT_THRESHOLD", 5)
    commits = _commits(store, 6)
    tree = None
    for i, commit in enumerate(commits):
        tree = set_notes(store, tree, {commit: _blob(store, f"note {i}")})
        names = _top_names(store, tree)
        if i < 4:  # four notes or fewer: flat, as every small store is
            assert sorted(names) == sorted(commits[: i + 1])
        else:  # the fifth moved every note into its folder
            assert all(len(name) == 2 for name in names)
    assert tree is not None
    _commit_notes(store, tree)
    for i, commit in enumerate(commits):
        assert git(store.root, "notes", f"--ref={REF}", "show", commit) == f"note {i}"
    listed = git(store.root, "notes", f"--ref={REF}", "list").split()
    assert sorted(listed[1::2]) == sorted(commits)
    # Replacing a note in the fanned-out tree keeps one note per revision; None removes.
    tree = set_notes(store, tree, {commits[0]: _blob(store, "again"), commits[1]: None})
    _commit_notes(store, tree)
    assert git(store.root, "notes", f"--ref={REF}", "show", commits[0]) == "again"
    listed = git(store.root, "notes", f"--ref={REF}", "list").split()
    assert sorted(listed[1::2]) == sorted(commits[0:1] + commits[2:])
    # Only the changed folders were rewritten: the others keep their ids.
    paths = git(store.root, "ls-tree", "-r", "--name-only", tree).split()
    assert sorted(p.replace("/", "") for p in paths) == sorted(commits[0:1] + commits[2:])
    assert all(len(p.split("/")[0]) == 2 for p in paths)


def test_a_note_git_filed_deeper_is_replaced_not_doubled(store):
    """git's own ``ab/cd/ef...`` layout (very large trees): the new note replaces it."""
    commit, other = _commits(store, 2)
    old = _blob(store, "old")
    inner = git(store.root, "mktree", input=f"100644 blob {old}\t{commit[4:]}\n".encode())
    middle = git(
        store.root, "mktree", input=f"040000 tree {inner.strip()}\t{commit[2:4]}\n".encode()
    )
    keep = _blob(store, "kept")
    top = git(
        store.root,
        "mktree",
        input=(
            f"040000 tree {middle.strip()}\t{commit[:2]}\n100644 blob {keep}\t{other}\n"
            f"100644 blob {keep}\tREADME\n"
        ).encode(),
    ).strip()
    tree = set_notes(store, top, {commit: _blob(store, "new")})
    _commit_notes(store, tree)
    assert git(store.root, "notes", f"--ref={REF}", "show", commit) == "new"
    assert git(store.root, "notes", f"--ref={REF}", "show", other) == "kept"
    paths = git(store.root, "ls-tree", "-r", "--name-only", tree).split()
    # A folder means fan-out: the note moves to 2/38; the flat note and the stranger stay.
    assert sorted(paths) == sorted(["README", other, f"{commit[:2]}/{commit[2:]}"])


def test_later_notes_and_reviews_through_a_fanned_out_tree(store, monkeypatch):
    """The tracker's own writers and readers on a fanned-out ref: nothing else changes."""
    monkeypatch.setattr(notes_tree, "FANOUT_THRESHOLD", 3)
    (store.root / "a.txt").write_text("One two three.\n")
    revs = [record(store, "a.txt", "Add", identity=ANN, date=DATE)]
    for i, text in enumerate(["One two four.\n", "One five four.\n", "Six five four.\n"]):
        (store.root / "a.txt").write_text(text)
        revs.append(record(store, "a.txt", f"Edit {i}", identity=ANN, date=DATE))
    for number, rev in enumerate(revs[1:]):
        add_later_note(store, rev, 1, NoteInput("Checked.", "factual"), ANN, DATE)
        # Two reviewers: the review that fans the tree out moves the other's entries.
        add_review(store, rev, APPROVED, identity=BOB if number % 2 == 0 else ANN, date=DATE)
    add_later_note(store, revs[1], 1, NoteInput("Checked twice.", "factual"), ANN, DATE)
    for ref in ("refs/notes/tracker", "refs/notes/tracker-reviews"):
        assert all(len(n) == 2 for n in _top_names(store, f"{ref}^{{tree}}"))
    store.refresh()
    assert [e["text"] for e in store.later_notes(revs[1])] == ["Checked.", "Checked twice."]
    assert all(store.review_status(rev).status == APPROVED for rev in revs[1:])
    assert store.review_status(revs[0]) is None
    shown = git(store.root, "notes", "--ref=tracker", "show", revs[1])
    assert "Checked twice." in shown
    log = list(store.log("a.txt"))
    assert [r.changes[0].note.text for r in log[:-1]] == ["Checked."] * 2 + ["Checked twice."]
    assert len(store.reviews()) == 3
    # The commit that fanned each tree out moved every note to a new path: verify must
    # read that as a move, not as entries written anew (approvals forged in ANN's name).
    from tracker.audit.verify import verify

    kinds = {f.kind for f in verify(store).findings}
    assert not kinds & {"approval-author", "notes-edited", "notes-merge"}, kinds


@pytest.mark.parametrize("count", [0, 1])
def test_small_stores_keep_the_flat_layout(store, count):
    """Below the threshold nothing moves: the demo's (and every store's) hashes stay."""
    commits = _commits(store, count + 1)
    tree = None
    for commit in commits:
        tree = set_notes(store, tree, {commit: _blob(store, commit)})
    assert tree is not None
    assert sorted(_top_names(store, tree)) == sorted(commits)
