"""Every CLI command, driven as a user would run it, with the JSON contract checked."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from conftest import git, run_cli, run_cli_ok


@pytest.fixture
def edited(tmp_path):
    """A store with one document, one noted revision, and a pending edit."""
    root = tmp_path / "store"
    root.mkdir()
    assert run_cli("init", "--require-notes", cwd=root).code == 0
    (root / "article.txt").write_text("The red fox jumps over the dog.\n", encoding="utf-8")
    assert run_cli("add", "article.txt", "--date", "2025-06-01T09:00:00+01:00", cwd=root).code == 0
    (root / "article.txt").write_text("The green fox leaps over the dog.\n", encoding="utf-8")
    return root


def load(result):
    assert result.code == 0, result.err
    return json.loads(result.out)


def check_change(change):
    assert set(change) >= {"index", "kind", "old", "new", "note"}
    assert change["kind"] in {"insert", "delete", "replace"}
    for side in ("old", "new"):
        assert set(change[side]) >= {"start", "end", "text"}
    if change["note"] is not None:
        assert set(change["note"]) >= {"text", "category", "source", "author", "date"}


def test_init_add_status_record_log_show_diff(edited):
    root = edited
    status = load(run_cli("status", "--json", cwd=root))
    (doc,) = status["documents"]
    assert doc["document"] == "article.txt"
    assert [(c["old"]["text"], c["new"]["text"]) for c in doc["changes"]] == [
        ("red", "green"),
        ("jumps", "leaps"),
    ]
    human = run_cli("status", cwd=root)
    assert "2 pending change(s)" in human.out and "red" in human.out

    result = run_cli(
        "record", "article.txt", "-m", "Fix the fox", "--reason", "Checked the photo.",
        "--note", "1=The photo shows a green fox", "--category", "1=factual",
        "--source", "1=https://example.org/photo", "--note", "2=Plainer verb",
        "--category", "2=style", "--author", "Bob Checker <bob@example.org>",
        "--date", "2025-06-02T10:00:00+01:00", "--json", cwd=root,
    )  # fmt: skip
    recorded = load(result)
    assert recorded["summary"] == "Fix the fox" and recorded["notes"] == 2

    log = load(run_cli("log", "--json", cwd=root))
    assert log["document"] == "article.txt"
    newest, first = log["revisions"]
    for entry in log["revisions"]:
        assert set(entry) >= {"rev", "parent", "author", "date", "summary", "reason", "changes"}
        assert datetime.fromisoformat(entry["date"]).utcoffset() is not None
    assert newest["parent"] == first["rev"]
    assert newest["author"] == "Bob Checker <bob@example.org>"
    assert newest["date"] == "2025-06-02T10:00:00+01:00"
    assert newest["reason"] == "Checked the photo."
    for change in newest["changes"]:
        check_change(change)
    assert newest["changes"][0]["note"]["source"] == "https://example.org/photo"
    assert first["changes"] == []

    shown = load(run_cli("show", newest["rev"][:8], "--json", cwd=root))
    # show adds where each change is (a "place"); every other key is the record's.
    places = [change.pop("place") for change in shown["changes"]]
    assert shown["rev"] == newest["rev"] and shown["changes"] == newest["changes"]
    assert places[0] == {
        "label": "¶1", "paragraph": 1, "line": 1, "before": "The", "after": "fox leaps over the",
    }  # fmt: skip
    assert "Fix the fox" in run_cli("show", "HEAD", cwd=root).out

    diff = load(run_cli("diff", "HEAD~1", "HEAD", "--json", cwd=root))
    assert (diff["from"], diff["to"]) == (first["rev"], newest["rev"])
    assert [c["note"]["category"] for c in diff["changes"]] == ["factual", "style"]
    side = run_cli("diff", "HEAD~1", "HEAD", "--side-by-side", "--width", "80", cwd=root).out
    assert "[-red-]" in side and "{+green+}" in side
    assert max(len(line) for line in side.splitlines()) <= 80
    inline = run_cli("diff", "HEAD~1", "HEAD", "article.txt", "--inline", cwd=root).out
    assert "[-red-]{+green+}" in inline and "Notes" in inline
    assert git(root, "status", "--porcelain") == ""


def test_diff_defaults_compare_work_tree_like_git(edited):
    root = edited
    pending = load(run_cli("diff", "--json", cwd=root))
    assert pending["to"] == "WORKTREE" and len(pending["changes"]) == 2
    against_head = load(run_cli("diff", "HEAD", "article.txt", "--json", cwd=root))
    assert against_head["changes"] == pending["changes"]


def test_log_search_and_limit(edited):
    root = edited
    run_cli_ok("record", "article.txt", "-m", "Edit", "--note", "1=a", "--note", "2=b", cwd=root)
    (root / "article.txt").write_text("The green fox leaps over the cat.\n", encoding="utf-8")
    run_cli_ok("record", "article.txt", "-m", "Cat", "--note", "1=c", cwd=root)

    def summaries(*a):
        return [r["summary"] for r in load(run_cli("log", *a, "--json", cwd=root))["revisions"]]

    assert summaries() == ["Cat", "Edit", "Add article.txt"]
    assert summaries("-S", "dog") == ["Cat", "Add article.txt"]
    assert summaries("-S", "leaps") == ["Edit"]
    assert summaries("-n", "1") == ["Cat"]
    assert "Cat" in run_cli("log", "-S", "cat", cwd=root).out


def test_note_and_notes_history(edited):
    root = edited
    run_cli_ok("record", "article.txt", "-m", "Edit", "--note", "1=first wording",
               "--category", "1=factual", "--note", "2=verb", cwd=root)  # fmt: skip
    result = run_cli("note", "HEAD", "1", "corrected wording", "--source", "https://x.example",
                     "--author", "Bob Checker <bob@example.org>", cwd=root)  # fmt: skip
    assert result.code == 0 and "Noted change 1" in result.out
    shown = load(run_cli("show", "HEAD", "--json", cwd=root))
    note = shown["changes"][0]["note"]
    assert (note["text"], note["category"], note["edited"]) == (
        "corrected wording",
        "factual",
        True,
    )
    assert note["history"][0]["text"] == "first wording"
    history = load(run_cli("notes-history", "HEAD", "--json", cwd=root))["history"]
    assert [(h["change"], h["text"], h["origin"]) for h in history] == [
        (1, "first wording", "revision"),
        (2, "verb", "revision"),
        (1, "corrected wording", "later"),
    ]
    out = run_cli("notes-history", "HEAD", cwd=root).out
    assert "first wording" in out and "corrected wording" in out


def test_dash_c_selects_the_store_like_git(edited, tmp_path):
    result = run_cli("-C", str(edited), "log", "article.txt", "--json", cwd=tmp_path)
    assert len(load(result)["revisions"]) == 1


def test_python_dash_m_and_version():
    result = run_cli("--version")
    assert result.code == 0 and result.out.startswith("tracker ")


def test_human_output_without_a_terminal_has_no_escape_codes(edited):
    out = run_cli("diff", cwd=edited, env={"NO_COLOR": "", "TERM": "xterm-256color"}).out
    assert "\x1b" not in out


def test_whitespace_only_change_is_shown_as_such(tmp_path):
    root = tmp_path / "s"
    root.mkdir()
    run_cli_ok("init", cwd=root)
    (root / "a.txt").write_bytes(b"one\r\ntwo\r\n")
    run_cli_ok("add", "a.txt", cwd=root)
    (root / "a.txt").write_bytes(b"one\ntwo")
    out = run_cli("status", cwd=root).out
    assert "line endings CRLF -> LF" in out and "CRLF removed" in out


def test_a_record_describes_only_its_own_document(edited):
    root = edited
    run_cli_ok("record", "article.txt", "-m", "Edit", "--note", "1=a", "--note", "2=b", cwd=root)
    (root / "other.txt").write_text("Other text.\n", encoding="utf-8")
    run_cli_ok("add", "other.txt", cwd=root)
    (root / "article.txt").write_text("The green fox leaps over the cat.\n", encoding="utf-8")
    run_cli_ok("record", "article.txt", "-m", "Cat", "--note", "1=c", cwd=root)
    # HEAD changed article.txt only: for other.txt there is nothing between HEAD~1 and HEAD.
    other = load(run_cli("diff", "HEAD~1", "HEAD", "other.txt", "--json", cwd=root))
    assert other["changes"] == []
    shown = load(run_cli("show", "HEAD", "other.txt", "--json", cwd=root))
    assert shown["changes"] == [] and shown["recorded_by_tracker"] is False


def test_a_date_before_the_last_revision_is_refused(edited):
    result = run_cli("record", "article.txt", "-m", "x", "--note", "1=a", "--note", "2=b",
                     "--date", "2020-01-01T00:00:00+00:00", cwd=edited)  # fmt: skip
    assert result.code == 1 and "before the last revision" in result.err


def test_status_names_a_document_missing_from_the_work_tree(edited):
    (edited / "article.txt").unlink()
    data = load(run_cli("status", "--json", cwd=edited))
    assert data["documents"] == [{"document": "article.txt", "missing": True, "changes": []}]
    assert "missing from the work tree" in run_cli("status", cwd=edited).out


@pytest.mark.parametrize("target", ["nowhere/x.html", "."])
def test_export_to_a_bad_path_is_a_clear_error(edited, target):
    result = run_cli("export", "-o", target, cwd=edited)
    assert result.code == 1 and result.err.startswith("tracker: error: ")


@pytest.mark.parametrize("args", [["log", "-n", "-1"], ["diff", "--width", "0"]])
def test_nonsense_numbers_are_usage_errors(edited, args):
    result = run_cli(*args, cwd=edited)
    assert result.code == 2 and len(result.err.strip().splitlines()) == 1


def test_one_note_for_every_other_change(tmp_path):
    root = tmp_path / "s"
    root.mkdir()
    run_cli_ok("init", "--require-notes", cwd=root)
    (root / "a.txt").write_bytes(b"one\ntwo\nthree\nfour\n")
    run_cli_ok("add", "a.txt", cwd=root)
    (root / "a.txt").write_bytes(b"One\r\ntwo\r\nthree\r\nfour\r\n")
    result = run_cli("record", "a.txt", "-m", "Windows line endings",
                     "--note", "1=Capital letter", "--category", "1=style",
                     "--note", "*=Line endings converted for the print system",
                     "--category", "*=other", "--json", cwd=root)  # fmt: skip
    revision = load(result)
    notes = [(c["note"]["text"], c["note"]["category"]) for c in revision["changes"]]
    assert notes[0] == ("Capital letter", "style")
    assert len(notes) > 2
    assert set(notes[1:]) == {("Line endings converted for the print system", "other")}


def test_notes_history_shows_a_note_rewritten_by_hand(edited):
    root = edited
    run_cli_ok("record", "article.txt", "-m", "Edit", "--note", "1=a", "--note", "2=b", cwd=root)
    run_cli_ok("note", "HEAD", "1", "first later wording", cwd=root)
    rev = git(root, "rev-parse", "HEAD").strip()
    git(root, "notes", "--ref=tracker", "add", "-f", "-m", '{"v": 1, "entries": []}', rev)
    history = load(run_cli("notes-history", "HEAD", "--json", cwd=root))["history"]
    assert [h["origin"] for h in history] == ["revision", "revision", "later", "rewritten"]
    assert "changed or removed" in run_cli("notes-history", "HEAD", cwd=root).out
