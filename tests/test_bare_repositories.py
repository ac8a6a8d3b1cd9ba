"""A bare repository (``repo.git``) or a git folder (``repo/.git``) can be read: log,
show, diff, blame, export and verify print what they print in the work tree. Writing
commands refuse in one line, saying why, and change nothing."""

from __future__ import annotations

import json
import subprocess

import pytest

from tracker.demo import build_demo

from conftest import git, run_cli

READING = [
    ("log", "--json", "article.txt"),
    ("log", "article.txt"),
    ("show", "--json", "HEAD~2"),
    ("show", "HEAD", "article.txt"),
    ("diff", "--json", "HEAD~3", "HEAD", "article.txt"),
    ("blame", "--json", "article.txt"),
    ("export", "--format", "json", "--file", "article.txt"),
    ("verify", "--json"),
]


@pytest.fixture(scope="module")
def repos(tmp_path_factory):
    """The demo store, a bare mirror of it, and its own .git folder."""
    base = tmp_path_factory.mktemp("bare")
    root = build_demo(base / "demo").root
    for args in (
        ["note", "HEAD~2", "1", "Reworded reason.", "--author", "Rita Reviewer <r@example.org>"],
        ["review", "HEAD", "--approve", "--author", "Rita Reviewer <r@example.org>"],
    ):
        assert run_cli("-C", str(root), *args).code == 0
    bare = base / "demo.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(root), str(bare)], check=True)
    return root, bare


@pytest.mark.parametrize("args", READING, ids=lambda a: " ".join(a))
def test_a_bare_repository_reads_like_its_work_tree(repos, args):
    root, bare = repos
    expected = run_cli("-C", str(root), *args)
    got = run_cli("-C", str(bare), *args)
    assert got.err == expected.err
    assert got.code == expected.code == 0 and got.out
    if args[0] == "export":  # the report names where it was made, and when
        ours, theirs = json.loads(got.out), json.loads(expected.out)
        for key in ("store", "generated"):
            ours.pop(key), theirs.pop(key)
        assert ours == theirs
    else:
        assert got.out == expected.out


@pytest.mark.parametrize("args", READING[:5], ids=lambda a: " ".join(a))
def test_a_git_folder_reads_like_its_work_tree(repos, args):
    root, _bare = repos
    expected = run_cli("-C", str(root), *args)
    got = run_cli("-C", str(root / ".git"), *args)
    assert (got.code, got.out, got.err) == (expected.code, expected.out, expected.err)


def test_a_plain_bare_repository_reads(tmp_path):
    """A repository the tracker did not write, cloned bare: ``-C repo.git log README.md``."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    for text in ("A first line.\n", "A first, better line.\n"):
        (work / "README.md").write_text(text)
        git(work, "add", "README.md")
        git(work, "commit", "-qm", "Edit")
    bare = tmp_path / "repo.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    log = run_cli("-C", str(bare), "log", "README.md")
    assert log.code == 0 and "2 revision(s) of README.md" in log.out, log.err
    diff = run_cli("-C", str(bare), "diff", "--json", "HEAD~1", "HEAD", "README.md")
    assert diff.code == 0, diff.err
    changes = json.loads(diff.out)["changes"]
    assert changes and any("better" in json.dumps(c) for c in changes)


WRITING = [
    ("record", "article.txt", "-m", "x", "--author", "A <a@example.org>"),
    ("add", "other.txt", "--author", "A <a@example.org>"),
    ("note", "HEAD", "1", "A note.", "--author", "A <a@example.org>"),
    ("review", "HEAD", "--approve", "--author", "A <a@example.org>"),
    ("status",),
    ("diff", "HEAD", "article.txt"),  # against the work tree, which there is not
    ("init", "--author", "A <a@example.org>"),
]


def _refs(repo) -> str:
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)")


@pytest.mark.parametrize("args", WRITING, ids=lambda a: a[0] + (" HEAD" if a[0] == "diff" else ""))
def test_commands_that_need_a_work_tree_refuse_in_a_bare_repository(repos, args):
    _root, bare = repos
    before = _refs(bare)
    result = run_cli("-C", str(bare), *args)
    assert result.code != 0
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "bare repository" in result.err and "work tree" in result.err
    assert _refs(bare) == before


@pytest.mark.parametrize("args", WRITING[:4], ids=lambda a: a[0])
def test_writing_in_a_git_folder_names_the_work_tree(repos, args):
    root, _bare = repos
    before = _refs(root)
    result = run_cli("-C", str(root / ".git"), *args)
    assert result.code != 0 and result.err.count("\n") == 1
    assert f"run the command in {root}" in result.err
    assert _refs(root) == before
