"""A newcomer's machine: no git identity at all, and the first commands they type.

The shared fixture gives every test a HOME of its own; these tests empty it, so what
they see is what a person sees on a fresh machine where ``git config user.name`` was
never run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import git, remove_git_identity, run_cli, snapshot


@pytest.fixture
def no_identity(monkeypatch) -> Path:
    """A HOME with no git configuration whatsoever (and no name for git to guess)."""
    return remove_git_identity(monkeypatch)


def test_the_demo_needs_no_identity(no_identity, tmp_path):
    result = run_cli("demo", "--path", str(tmp_path / "demo"), "--no-tui")
    assert result.code == 0, result.err
    log = json.loads(run_cli("-C", str(tmp_path / "demo"), "log", "--json").out)
    assert len(log["revisions"]) >= 7


def test_writing_without_identity_says_how_to_set_one_and_changes_nothing(no_identity, tmp_path):
    root = tmp_path / "store"
    refused = run_cli("init", str(root))
    assert refused.code != 0
    assert refused.err.count("\n") == 1 and "Traceback" not in refused.err
    assert "no author identity" in refused.err and "--author" in refused.err
    assert "user.email" in refused.err  # both settings named, not just the name

    made = run_cli("init", str(root), "--author", "Ann Editor <ann@example.org>")
    assert made.code == 0, made.err
    (root / "a.txt").write_text("First draft.\n")
    assert run_cli("add", "a.txt", "--author", "Ann Editor <ann@example.org>", cwd=root).code == 0
    (root / "a.txt").write_text("Second draft.\n")
    before = snapshot(root)
    refused = run_cli("record", "a.txt", "-m", "Redraft", cwd=root)
    assert refused.code != 0 and "no author identity" in refused.err
    assert snapshot(root) == before
    recorded = run_cli(
        "record", "a.txt", "-m", "Redraft", "--author", "Bob <bob@example.org>", cwd=root
    )
    assert recorded.code == 0, recorded.err
    assert git(root, "log", "-1", "--format=%an <%ae>").strip() == "Bob <bob@example.org>"


def test_a_refused_init_leaves_no_half_made_store(no_identity, tmp_path):
    target = tmp_path / "new-store"
    assert run_cli("init", str(target)).code != 0
    assert not target.exists()
