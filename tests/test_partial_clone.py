"""A blobless partial clone (``git clone --filter=blob:none``) works for every command,
and the blobs a command reads come in one batch, not one lazy fetch per blob.

Each fetch from a promisor remote leaves one ``.promisor`` pack: counting them counts the
fetches, git's own lazy ones included (those start git from its exec path, where a
counting wrapper on PATH would not see them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from git_processes import git_starts

from tracker import porcelain
from tracker.model import APPROVED, NoteInput
from tracker.recording import add_later_note, add_review, record
from tracker.store import Store

from conftest import ANN, BOB, DATE, git


def _undated(report: str) -> str:
    """A report without the time it was made (the two runs may fall in two seconds)."""
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", "WHEN", report)


def _fetches(clone: Path) -> int:
    return len(list((clone / ".git" / "objects" / "pack").glob("*.promisor")))


@pytest.fixture(scope="module")
def remote(tmp_path_factory) -> tuple[Path, Path]:
    """(the full store, a bare copy of it that serves partial clones)."""
    from tracker.recording import init_store

    base = tmp_path_factory.mktemp("partial")
    store = init_store(base / "store", ANN, DATE)
    texts = ["The mayor said five.\n\nA second paragraph here.\n"]
    texts += [texts[0].replace("five", word) for word in ("six", "seven", "eight", "nine")]
    revs = []
    for i, text in enumerate(texts):
        for doc in ("a.txt", "b.txt"):
            (store.root / doc).write_text(text.replace("mayor", f"mayor {doc}"))
            revs.append(record(store, doc, f"Edit {i} of {doc}", identity=ANN, date=DATE))
    # a.txt's revisions are revs[0::2]: a note and a review there, a note on b.txt too.
    add_later_note(store, revs[2], 1, NoteInput("Checked.", "factual"), ANN, DATE)
    add_review(store, revs[4], APPROVED, identity=BOB, date=DATE)
    add_later_note(store, revs[5], 1, NoteInput("Checked b.", "factual"), ANN, DATE)
    bare = base / "remote.git"
    git(base, "clone", "-q", "--mirror", "--no-local", str(store.root), str(bare))
    git(bare, "config", "uploadpack.allowFilter", "true")
    git(bare, "config", "uploadpack.allowAnySHA1InWant", "true")
    return store.root, bare


@pytest.fixture
def clones(remote, tmp_path) -> tuple[Path, Path]:
    """(the full store, a fresh blobless clone of it with the tracker's refs fetched)."""
    full, bare = remote
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--filter=blob:none", bare.as_uri(), str(clone))
    refs = ("refs/notes/*:refs/notes/*", "refs/tracker/*:refs/tracker/*")
    git(clone, "fetch", "-q", "origin", *refs)
    return full, clone


def test_log_fetches_its_notes_and_reviews_in_one_batch(clones, tmp_path):
    full, clone = clones
    before = _fetches(clone)
    result, starts = git_starts(tmp_path / "bin", "log", "a.txt", cwd=clone)
    assert result.code == 0, result.err
    assert _fetches(clone) - before == 1  # the note and the review, together
    assert [line for line in starts if " fetch " in f" {line} "].__len__() == 1
    assert result.out == porcelain_log_text(full)
    # Everything is here now: the next log fetches nothing.
    again, _starts = git_starts(tmp_path / "bin", "log", "a.txt", cwd=clone)
    assert again.out == result.out and _fetches(clone) - before == 1


def porcelain_log_text(root: Path) -> str:
    from conftest import run_cli

    return run_cli("log", "a.txt", cwd=root).out


def test_every_command_reads_the_same_as_in_the_full_store_one_fetch_each(clones, monkeypatch):
    full, clone = clones
    a, b = Store.open(full), Store.open(clone)
    commands = [
        ("show", lambda s: porcelain.show(s, "HEAD~2").to_json()),
        ("diff", lambda s: porcelain.diff(s, "HEAD~8", "HEAD~6", "b.txt").changes),
        ("blame", lambda s: porcelain.blame(s, "b.txt").to_json()),
        ("export", lambda s: _undated(porcelain.export(s, "a.txt", fmt="md"))),
        ("app", lambda s: [r.to_json() for r in porcelain.open_session(s, "b.txt").load_history()]),
        ("verify", lambda s: porcelain.verify(s).to_json()),
    ]
    fetched = []
    for name, run in commands:
        monkeypatch.chdir(full)  # names of documents are taken from the folder, as typed
        expected = run(a)
        monkeypatch.chdir(clone)
        before = _fetches(clone)
        assert run(b) == expected, name
        fetched.append(_fetches(clone) - before)
        b.refresh()
    # show, diff, blame and export each needed blobs the clone lacked, in one fetch each.
    assert fetched[:4] == [1, 1, 1, 1] and max(fetched) == 1, fetched


def test_outside_a_partial_clone_nothing_is_fetched_or_started(remote, tmp_path):
    full, _bare = remote
    result, starts = git_starts(tmp_path / "bin", "log", "a.txt", cwd=full)
    assert result.code == 0
    assert not [line for line in starts if "rev-list" in line or " fetch " in f" {line} "]
