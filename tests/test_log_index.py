"""The documents' index of a big store gives exactly the log ``git log`` gives, kept up
to date as the branch moves on, and built again when it is rewritten.

The threshold is patched to 0 so that a small store uses the index.
"""

from __future__ import annotations

import pytest

import tracker.git.docindex as logindex
from tracker import porcelain
from tracker.logjson import log_json
from tracker.model import NoteInput
from tracker.recording import add_later_note, record
from tracker.store import Store

from conftest import ANN, DATE, git


def _logs(store: Store, monkeypatch, minimum: int) -> tuple[list, str]:
    monkeypatch.setattr(logindex, "MIN_COMMITS", minimum)
    store.refresh()
    logs = [[r.to_json() for r in porcelain.log(store, document=d)] for d in ("a.txt", "b.txt")]
    return logs, "".join(log_json(store, "a.txt", limit=2))


def _same(store: Store, monkeypatch) -> None:
    indexed = _logs(store, monkeypatch, 0)
    assert (store.git_dir / "tracker" / "cache" / "documents-v1.sqlite").exists()
    assert indexed == _logs(store, monkeypatch, 10**9)


@pytest.fixture
def history(store):
    for i, word in enumerate(["one", "two", "three"]):
        for doc in ("a.txt", "b.txt"):
            (store.root / doc).write_text(f"The {doc} says {word}.\n")
            record(store, doc, f"{doc} {i}", identity=ANN, date=DATE)
    return store


def test_the_index_gives_the_log_git_gives(history, monkeypatch):
    store = history
    rev = store.head()
    add_later_note(store, rev, 1, NoteInput("Checked.", "factual"), ANN, DATE)
    _same(store, monkeypatch)


def test_new_revisions_are_added_and_a_rewrite_builds_it_again(history, monkeypatch):
    store = history
    _same(store, monkeypatch)
    (store.root / "a.txt").write_text("The a.txt says four.\n")
    record(store, "a.txt", "a 3", identity=ANN, date=DATE)
    _same(store, monkeypatch)
    git(store.root, "reset", "-q", "--hard", "HEAD~3")  # history rewritten behind it
    (store.root / "b.txt").write_text("The b.txt says five.\n")
    record(store, "b.txt", "b again", identity=ANN, date=DATE)
    _same(store, monkeypatch)


def test_a_damaged_index_is_not_used_and_the_log_is_the_same(history, monkeypatch):
    store = history
    folder = store.git_dir / "tracker" / "cache"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "documents-v1.sqlite").write_bytes(b"not a database")
    monkeypatch.setattr(logindex, "MIN_COMMITS", 0)
    damaged = [r.to_json() for r in porcelain.log(store, document="a.txt")]
    monkeypatch.setattr(logindex, "MIN_COMMITS", 10**9)
    store.refresh()
    assert damaged == [r.to_json() for r in porcelain.log(store, document="a.txt")]


def test_the_commit_graph_count_is_read_from_its_files(history):
    store = history
    count = int(git(store.root, "rev-list", "--all", "--count").strip())
    git(store.root, "commit-graph", "write", "--reachable")
    assert logindex.commit_graph_commits(store.git_dir) == count


def test_records_write_a_commit_graph_layer_every_few_records(store, monkeypatch):
    """init writes the graph; then a record adds a layer once RECORDS_PER_LAYER lack it."""
    import tracker.git.maintenance as maintenance

    monkeypatch.setattr(maintenance, "RECORDS_PER_LAYER", 3)
    graphs = store.git_dir / "objects" / "info" / "commit-graphs"

    def in_graph() -> int:
        return logindex.commit_graph_commits(store.git_dir)

    assert in_graph() == 2  # the setup commit and its journal commit
    counts = []
    for word in ("one", "two", "three", "four"):
        (store.root / "a.txt").write_text(f"The text says {word}.\n")
        record(store, "a.txt", word, identity=ANN, date=DATE)
        counts.append(in_graph())
    assert counts == [2, 2, 8, 8]  # the third record wrote the six commits since
    assert (graphs / "commit-graph-chain").exists()


def test_notes_folders_read_from_the_cache_give_the_same_log(history, monkeypatch):
    """With fanned-out notes, a big store's log takes what each notes folder holds from
    the cache once it has read it; the log is the same, cold or warm, and a note added
    since (its folder is a new tree) shows at once."""
    import sqlite3

    import tracker.git.notes_tree as notes_tree
    from tracker.recording import add_review

    from conftest import BOB

    monkeypatch.setattr(notes_tree, "FANOUT_THRESHOLD", 2)
    store = history
    revs = store.git("rev-list", "HEAD").split()
    for rev in revs[:4]:
        add_later_note(store, rev, 1, NoteInput(f"Checked {rev[:6]}.", "factual"), ANN, DATE)
    add_review(store, revs[0], "approved", "", BOB, DATE)
    top = store.git("ls-tree", "refs/notes/tracker")
    assert "tree" in top  # fanned out: folders, as a newsroom store has
    cold = _logs(store, monkeypatch, 0)
    cache = store.git_dir / "tracker" / "cache" / "documents-v1.sqlite"
    with sqlite3.connect(cache) as db:
        assert db.execute("SELECT COUNT(*) FROM notes_in").fetchone()[0] > 0
    assert _logs(store, monkeypatch, 0) == cold == _logs(store, monkeypatch, 10**9)
    add_later_note(store, revs[1], 1, NoteInput("Checked again.", "sourcing"), ANN, DATE)
    warm = _logs(store, monkeypatch, 0)
    assert "Checked again." in str(warm) and warm == _logs(store, monkeypatch, 10**9)
