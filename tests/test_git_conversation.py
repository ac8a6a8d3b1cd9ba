"""``show`` and ``diff`` talk to git in at most three processes (issue 8), and what the
store reads from git objects itself is what git would print.

The three: the config snapshot the hardening needs (``git config --list``), the
``rev-parse`` that finds the repository, and one ``git cat-file --batch`` through which
names are resolved and commits, trees, blobs and notes are read.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess

import pytest
from git_processes import git_starts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.demo import build_demo
from tracker.notes import NOTES_REF
from tracker.store import LOG_FIELDS, LOG_FORMAT, Store

from conftest import git, run_cli

BUDGET = 3


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = build_demo(tmp_path_factory.mktemp("conversation") / "demo").root
    # A later note and a review, so that show and diff have notes refs to look in.
    for args in (
        ["note", "HEAD~2", "1", "Reworded reason.", "--author", "Rita Reviewer <r@example.org>"],
        ["review", "HEAD", "--approve", "--author", "Rita Reviewer <r@example.org>"],
    ):
        assert run_cli("-C", str(root), *args).code == 0
    return root


def _commit_all(repo, message: str, when: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Pat Plain",
        "GIT_AUTHOR_EMAIL": "pat@example.org",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_NAME": "Pat Plain",
        "GIT_COMMITTER_EMAIL": "pat@example.org",
        "GIT_COMMITTER_DATE": when,
    }
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    subprocess.run(["git", "commit", "-qm", message], cwd=repo, check=True, env=env)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """A plain git history of one document in a folder, with a second file beside it."""
    repo = tmp_path_factory.mktemp("plain") / "repo"
    (repo / "docs").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    texts = [
        "The quick brown fox jumps over the lazy dog.\n",
        "The quick red fox jumps over the sleepy dog.\n\nA second paragraph.\n",
        "The quick red fox leaps over the sleepy dog.\n\nA second, longer paragraph.\n",
        "A red fox leaps over the sleepy dog.\n\nA second, longer paragraph here.\n",
    ]
    for number, text in enumerate(texts):
        (repo / "docs" / "guide.md").write_text(text)
        (repo / "other.txt").write_text("Another file, written once.\n")
        _commit_all(repo, f"Edit {number}\n\nWhy: step {number}.", f"170000000{number} +0100")
    return repo


SHOW_AND_DIFF = {
    "demo": [
        ("show", "HEAD"),
        ("show", "--json", "HEAD~2"),
        ("show", "HEAD~1", "article.txt"),
        ("diff", "HEAD~3", "HEAD", "article.txt"),
        ("diff", "--json", "HEAD~1", "HEAD"),
        ("diff", "--json", "HEAD~9", "HEAD"),
        ("diff", "HEAD", "article.txt"),  # against the work tree
    ],
    "plain": [
        ("show", "HEAD"),
        ("show", "--json", "HEAD~1", "docs/guide.md"),
        ("diff", "HEAD~1", "HEAD", "docs/guide.md"),
        ("diff", "--json", "HEAD~3", "HEAD", "docs/guide.md"),
        ("diff", "docs/guide.md"),
    ],
}


@pytest.mark.parametrize(
    ("where", "args"), [(w, a) for w, cases in SHOW_AND_DIFF.items() for a in cases]
)
def test_show_and_diff_start_at_most_three_git_processes(where, args, demo, plain, tmp_path):
    repo = demo if where == "demo" else plain
    result, starts = git_starts(tmp_path / "bin", *args, cwd=repo)
    assert result.code == 0, result.err
    assert len(starts) <= BUDGET, "\n".join(starts)
    # Every object went through one reader, not one process per object.
    assert sum(" cat-file " in f" {s} " for s in starts) <= 1, "\n".join(starts)


def test_the_count_fails_when_a_command_starts_more(demo, tmp_path):
    """The counter sees every process: a command known to take more is counted as such."""
    result, starts = git_starts(tmp_path / "bin", "log", "-S", "Aragua", "article.txt", cwd=demo)
    assert result.code == 0, result.err
    assert any("-S" in s for s in starts)  # the pickaxe is its own git log


def test_show_prints_what_git_prints_of_a_commit(plain):
    """Author, date, parents and message come from the commit object: compare with git."""
    for rev in ("HEAD", "HEAD~1", "HEAD~3"):
        shown = json.loads(run_cli("-C", str(plain), "show", "--json", rev, "docs/guide.md").out)
        fields = git(plain, "show", "-s", "--format=%H%x00%P%x00%an <%ae>%x00%aI", rev)
        oid, parents, author, date = fields.rstrip("\n").split("\x00")
        assert (shown["rev"], shown["author"], shown["date"]) == (oid, author, date)
        assert (shown["parent"] or "") == (parents.split() or [""])[0]


def _commit_tree(repo, tree: str, author: str, message: bytes, parent: str | None) -> str:
    raw = f"tree {tree}\n" + (f"parent {parent}\n" if parent else "")
    raw += f"author {author}\ncommitter {author}\n\n"
    proc = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin"],
        cwd=repo,
        input=raw.encode() + message,
        capture_output=True,
        check=True,
    )
    return proc.stdout.decode().strip()


@pytest.fixture(scope="module")
def empty_tree_repo(tmp_path_factory):
    repo = tmp_path_factory.mktemp("idents") / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    tree = git(repo, "hash-object", "-t", "tree", "-w", "/dev/null").strip()
    return repo, tree


NAMES = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="<>"),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=NAMES,
    stamp=st.integers(min_value=0, max_value=4_000_000_000),
    sign=st.sampled_from("+-"),
    hours=st.integers(min_value=0, max_value=14),
    minutes=st.sampled_from([0, 15, 30, 45, 59]),
    message=st.binary(max_size=40).filter(lambda m: b"\x00" not in m),
)
def test_commit_fields_round_trip_as_git_prints_them(
    empty_tree_repo, name, stamp, sign, hours, minutes, message
):
    """%an, %ae, %aI, %P and %B made from the object equal git's for any such commit
    (a commit the fast path cannot read is shown through git: also equal)."""
    repo, tree = empty_tree_repo
    author = f"{name} <mail@example.org> {stamp} {sign}{hours:02d}{minutes:02d}"
    oid = _commit_tree(repo, tree, author, message, None)
    store = Store.open(repo)
    try:
        ours = store._log_fields(store.reader.commit(oid))
    finally:
        store.close()
    proc = subprocess.run(
        ["git", "show", "-s", f"--notes={NOTES_REF}", f"--format={LOG_FORMAT}", oid],
        cwd=repo,
        capture_output=True,
    )
    if proc.returncode != 0:  # a date git refuses (before 1970 in its zone): left to git
        assert ours is None
    elif ours is not None:
        theirs = proc.stdout.split(b"\x00")[:LOG_FIELDS]
        # git 2.45 and later write UTC as "Z"; the store reads both as "+00:00".
        if theirs[4].endswith(b"Z"):
            theirs[4] = theirs[4][:-1] + b"+00:00"
        assert ours == theirs


def test_notes_are_found_in_a_fanned_out_notes_tree(plain):
    """git splits a large notes tree into folders (ab/cdef...); the reader follows any
    split, and finds what ``git notes show`` finds."""
    head = git(plain, "rev-parse", "HEAD").strip()
    first = git(plain, "rev-parse", "HEAD~3").strip()
    note = '{"v": 1, "entries": [{"change": 1, "text": "Fanned out."}]}\n'
    blob = git(plain, "hash-object", "-w", "--stdin", input=note.encode()).strip()
    inner = git(plain, "mktree", input=f"100644 blob {blob}\t{head[4:]}\n".encode()).strip()
    middle = git(plain, "mktree", input=f"040000 tree {inner}\t{head[2:4]}\n".encode()).strip()
    flat = f"100644 blob {blob}\t{first}\n040000 tree {middle}\t{head[:2]}\n"
    root = git(plain, "mktree", input=flat.encode()).strip()
    commit = git(plain, "commit-tree", root, "-m", "notes").strip()
    ref = "refs/notes/fanout-test"
    git(plain, "update-ref", ref, commit)
    try:
        assert git(plain, "notes", f"--ref={ref}", "show", head) == note  # git agrees
        store = Store.open(plain)
        assert store.note(ref, head) == note.encode()
        assert store.note(ref, first) == note.encode()
        assert store.note(ref, git(plain, "rev-parse", "HEAD~1").strip()) is None
        store.close()
    finally:
        git(plain, "update-ref", "-d", ref)


def test_a_file_name_with_a_newline_is_read_through_the_trees(tmp_path, monkeypatch):
    """The batch protocol is line-based; paths are looked up in trees, so a name with a
    newline is read like any other."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    name = "two\nlines.txt"
    (repo / name).write_text("First words here.\n")
    _commit_all(repo, "One", "1700000000 +0100")
    (repo / name).write_text("First few words here.\n")
    _commit_all(repo, "Two", "1700000100 +0100")
    store = Store.open(repo)
    try:
        assert store.read_blob("HEAD~1", name) == b"First words here.\n"
        changes = store.diff(store.resolve("HEAD~1"), store.resolve("HEAD"), name)
        assert len(changes) == 1 and "few" in changes[0].new.text
        monkeypatch.chdir(repo)
        assert store.document(name) == name
    finally:
        store.close()


def test_a_reader_killed_by_a_signal_is_started_again(plain):
    """A Ctrl-C sent to the terminal's process group, deferred by a write past its commit
    point, must not leave the store unable to read: the reader runs in its own group, and
    one killed all the same is replaced."""
    store = Store.open(plain)
    try:
        first = store.read_blob("HEAD", "docs/guide.md")
        proc = store.reader._proc
        assert proc is not None and os.getpgid(proc.pid) != os.getpgid(0)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert store.read_blob("HEAD~1", "docs/guide.md") != first
        assert store.read_blob("HEAD", "docs/guide.md") == first
    finally:
        store.close()
