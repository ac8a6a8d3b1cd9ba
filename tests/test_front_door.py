"""The front door: every command is a porcelain function returning typed results, the
CLI is a registry of adapters over it, and the presenter words what both faces show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker import porcelain, present
from tracker.cli.commands import COMMANDS
from tracker.cli.parser import build_parser
from tracker.model import (
    Blame,
    Change,
    DiffResult,
    Note,
    Review,
    Revision,
    Span,
    VerifyReport,
)

from conftest import run_cli, run_cli_ok

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def two_documents(tmp_path) -> Path:
    """A store with a.txt and b.txt; the last revision changes b.txt only."""
    root = tmp_path / "s"
    root.mkdir()
    run_cli_ok("init", cwd=root)
    (root / "a.txt").write_text("One two.\n")
    (root / "b.txt").write_text("Alpha.\n")
    run_cli_ok("add", "a.txt", cwd=root)
    run_cli_ok("add", "b.txt", cwd=root)
    (root / "b.txt").write_text("Beta.\n")
    run_cli_ok("record", "b.txt", "-m", "Fix b", "--note", "1=Typo", cwd=root)
    run_cli_ok("review", "HEAD", "--approve", cwd=root)
    return root


def test_show_says_when_the_revision_leaves_the_file_unchanged(two_documents):
    result = run_cli("show", "HEAD", "a.txt", cwd=two_documents)
    assert result.code == 0
    assert "leaves a.txt unchanged: the text is the same as in its parent" in result.out
    data = json.loads(run_cli_ok("show", "HEAD", "a.txt", "--json", cwd=two_documents).out)
    assert data["unchanged"] is True and data["changes"] == []
    # The document the revision did change: no such line, and no such key.
    changed = run_cli_ok("show", "HEAD", "b.txt", cwd=two_documents).out
    assert "unchanged" not in changed and "−Alpha → +Beta" in changed
    assert "unchanged" not in json.loads(
        run_cli_ok("show", "HEAD", "b.txt", "--json", cwd=two_documents).out
    )


def test_every_command_of_the_grammar_has_an_adapter():
    parser = build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    assert commands == set(COMMANDS)


def test_cli_main_stays_under_a_hundred_lines():
    lines = (REPO_ROOT / "tracker" / "cli" / "main.py").read_text().splitlines()
    assert len(lines) < 100


def test_the_porcelain_returns_typed_results(two_documents, monkeypatch):
    monkeypatch.chdir(two_documents)
    store = porcelain.open_store(two_documents)
    log = porcelain.log(store, "b.txt")
    assert [type(r) for r in log] == [Revision, Revision]
    assert isinstance(log[0].review, Review) and log[0].review.approved
    assert log[1].initial and log[1].review is None
    assert isinstance(porcelain.diff(store, "HEAD~1", "HEAD", "b.txt"), DiffResult)
    assert isinstance(porcelain.blame(store, "b.txt"), Blame)
    assert isinstance(porcelain.verify(store), VerifyReport)
    assert porcelain.show(store, "HEAD", "a.txt").unchanged
    text = "".join(porcelain.log_json(store, "b.txt"))
    assert json.loads(text)["revisions"][0]["review"]["status"] == "approved"
    assert porcelain.export(store, "b.txt", fmt="md").startswith("# Corrections: b.txt")
    # note keeps the category it is not told: a correction changes only what it says.
    porcelain.note(store, "HEAD", 1, "A typo", category="style")
    porcelain.note(store, "HEAD", 1, "A typo, twice")
    assert porcelain.show(store, "HEAD", "b.txt").changes[0].note.category == "style"


def _change(old: str, new: str, note: Note | None = None) -> Change:
    return Change(1, "replace", Span(0, len(old), old), Span(0, len(new), new), note)


def test_the_presenter_words_a_change_once_and_safely():
    assert present.plain(present.change_summary(_change("Los Zetas", "Tren"))) == (
        "−Los Zetas → +Tren"
    )
    # Control characters in untrusted text arrive as visible placeholders, never raw.
    hostile = present.plain(present.change_summary(_change("a\x1b[2Jb", "c\x07")))
    assert "\x1b" not in hostile and "\x07" not in hostile
    assert present.change_summary(_change("\r\n", "\n"))[0].role == "whitespace"
    lines = present.note_lines(Note("[bold]x[/]", "factual", "http://s", "Ann", "2025"))
    assert [present.plain(line) for line in lines] == [
        "      [factual] [bold]x[/]",
        "      source: http://s",
        "      by Ann 2025",
    ]
    assert present.plain(present.review_label(None)) == "awaiting review"
    flagged = Review("flagged", "check\x1b]", "Bob", "2025")
    assert present.plain(present.review_label(flagged)) == "flagged by Bob: check␛]"
    assert present.verify_counts(VerifyReport()) == (
        "0 revision(s) checked; 0/0 changes explained; 0 signed commit(s)."
    )
