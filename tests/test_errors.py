"""Bad input: one line on stderr naming the problem and what to do, a non-zero exit,
no traceback, and the repository and the user's files exactly as they were."""

from __future__ import annotations

import os

import pytest

from conftest import git, run_cli, snapshot


@pytest.fixture
def doc_store(tmp_path):
    root = tmp_path / "s"
    assert run_cli("-C", str(root.parent), "init", "s").code == 0
    (root / "article.txt").write_text("The red fox.\n", encoding="utf-8")
    assert run_cli("-C", str(root), "add", "article.txt").code == 0
    (root / "article.txt").write_text("The green fox.\n", encoding="utf-8")
    return root


def assert_clean_failure(result, *words):
    assert result.code != 0
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("tracker: error: "), lines[0]
    assert "Traceback" not in result.err and "Traceback" not in result.out
    for word in words:
        assert word in lines[0], (word, lines[0])


def test_not_a_git_repository(tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    result = run_cli("-C", str(empty), "log")
    assert_clean_failure(result, "not in a git repository", "tracker init")
    assert list(empty.iterdir()) == []


CASES = {
    "unknown revision": (["show", "deadbeef"], ["unknown revision", "tracker log"]),
    "option-like revision": (["show", "--", "--output=x"], ["not a revision name"]),
    "option-like revision in diff": (["diff", "--", "--output=x"], []),
    "unknown document": (["log", "missing.txt"], ["not a document", "tracker add"]),
    "path outside the store": (["log", "/etc/passwd"], ["outside the store"]),
    "empty note": (["record", "article.txt", "-m", "x", "--note", "1=  "], ["note is empty"]),
    "note on a missing change": (
        ["record", "article.txt", "-m", "x", "--note", "7=why"],
        ["no change 7", "tracker status"],
    ),
    "unknown category": (
        ["record", "article.txt", "-m", "x", "--note", "1=why", "--category", "1=gossip"],
        ["unknown category", "factual"],
    ),
    "malformed note flag": (["record", "article.txt", "-m", "x", "--note", "why"], ["N=VALUE"]),
    "later note on a missing change": (["note", "HEAD", "3", "why"], ["no change 3"]),
    "later empty note": (["note", "HEAD", "1", ""], []),
    "bad author": (["record", "article.txt", "-m", "x", "--author", "nobody"], ["author"]),
    "bad date": (["record", "article.txt", "-m", "x", "--date", "yesterday"], ["not a date"]),
    "unknown option": (["log", "--output=x"], ["unrecognized arguments"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_changes_nothing(doc_store, case):
    args, words = CASES[case]
    before = snapshot(doc_store)
    result = run_cli("-C", str(doc_store), *args)
    assert_clean_failure(result, *words)
    assert snapshot(doc_store) == before


@pytest.mark.parametrize(
    "data, words",
    [(b"\x89PNG\r\n\x1a\n\x00\x00binary", ["binary"]), (b"caf\xe9 latin-1\n", ["not valid UTF-8"])],
)
def test_binary_or_non_utf8_file(doc_store, data, words):
    (doc_store / "article.txt").write_bytes(data)
    before = snapshot(doc_store)
    for args in (["record", "article.txt", "-m", "x"], ["status"], ["diff"]):
        assert_clean_failure(run_cli("-C", str(doc_store), *args), *words)
    (doc_store / "other.bin").write_bytes(data)
    assert_clean_failure(run_cli("-C", str(doc_store), "add", "other.bin"), *words)
    before["files"]["other.bin"] = data
    assert snapshot(doc_store) == before


def test_locked_store(doc_store):
    # A live process holds the lock: this test's own parent, which is certainly alive.
    (doc_store / ".git" / "tracker.lock").write_text(str(os.getppid()))
    before = snapshot(doc_store)
    result = run_cli("-C", str(doc_store), "record", "article.txt", "-m", "x")
    assert_clean_failure(result, "locked by another tracker process", "tracker.lock")
    assert snapshot(doc_store) == before


def test_stale_lock_of_a_dead_process_is_taken_over(doc_store):
    (doc_store / ".git" / "tracker.lock").write_text("999999999")
    result = run_cli("-C", str(doc_store), "record", "article.txt", "-m", "Fix")
    assert result.code == 0, result.err
    assert not (doc_store / ".git" / "tracker.lock").exists()


def test_index_changed_by_another_program(doc_store):
    (doc_store / "other.txt").write_text("staged by git\n")
    git(doc_store, "add", "other.txt")
    before = snapshot(doc_store)
    result = run_cli("-C", str(doc_store), "record", "article.txt", "-m", "x")
    assert_clean_failure(result, "staged by another program", "git restore --staged")
    assert snapshot(doc_store) == before


def test_several_documents_need_a_name(doc_store):
    (doc_store / "b.txt").write_text("b\n")
    assert run_cli("-C", str(doc_store), "add", "b.txt").code == 0
    before = snapshot(doc_store)
    assert_clean_failure(run_cli("-C", str(doc_store), "log"), "2 documents", "article.txt")
    assert snapshot(doc_store) == before


def test_markup_and_escapes_in_messages_are_shown_literally(doc_store):
    evil = "[bold red]boom[/] \x1b]52;c;ZXZpbA==\x07 \x1b[2J \u202eevil"
    result = run_cli(
        "-C", str(doc_store), "record", "article.txt", "-m", evil, "--note", f"1={evil}",
        "--author", "Eve [link=http://x]me[/link] <eve@example.org>",
    )  # fmt: skip
    assert result.code == 0, result.err
    for args in (["log"], ["show", "HEAD"], ["diff", "HEAD~1", "HEAD"]):
        out = run_cli("-C", str(doc_store), *args, env={"TERM": "xterm-256color"}).out
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
        assert "␛" in out
    out = run_cli("-C", str(doc_store), "show", "HEAD").out
    assert "[bold red]boom[/]" in out and "⟨RLO⟩" in out
    assert "[link=http://x]me[/link]" in out
