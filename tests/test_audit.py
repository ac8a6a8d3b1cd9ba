"""tracker verify: a clean store passes; each way of tampering with it is caught and named."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from tracker.demo import build_demo

from conftest import git, run_cli


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    store = build_demo(tmp_path_factory.mktemp("audit") / "demo")
    # A later note and two reviews, so that every ref the tracker writes exists.
    for args in (
        ["note", "HEAD~2", "1", "Reworded reason.", "--author", "Rita Reviewer <r@example.org>"],
        ["review", "HEAD", "--approve", "--author", "Rita Reviewer <r@example.org>"],
        ["review", "HEAD~1", "--flag", "Check the dates", "--author", "Rita Reviewer <r@x.org>"],
    ):
        assert run_cli("-C", str(store.root), *args).code == 0
    return store.root


@pytest.fixture
def demo(pristine, tmp_path):
    copy = tmp_path / "store"
    shutil.copytree(pristine, copy)
    return copy


def verify(root, *extra):
    result = run_cli("-C", str(root), "verify", "--json", *extra)
    data = json.loads(result.out)
    assert set(data) >= {"ok", "findings"}
    for finding in data["findings"]:
        assert set(finding) >= {"kind", "revision", "change", "message"}
    assert (result.code == 0) == data["ok"]
    return data


def kinds(data) -> set[str]:
    return {f["kind"] for f in data["findings"]}


def test_a_clean_store_passes_with_no_false_alarm(demo):
    data = verify(demo)
    assert data["ok"] and data["findings"] == []
    assert data["changes"] == data["explained"] > 40
    human = run_cli("-C", str(demo), "verify")
    assert human.code == 0 and "OK" in human.out


def test_rewriting_an_old_revision_with_rebase_is_caught(demo):
    old = git(demo, "rev-parse", "HEAD~3").strip()
    env = {**os.environ, "FILTER_BRANCH_SQUELCH_WARNING": "1"}
    subprocess.run(
        ["git", "filter-branch", "-f", "--tree-filter",
         "sed -i 's/Tocorón/Tocoron/g' article.txt", "HEAD~4..HEAD"],
        cwd=demo, env=env, capture_output=True, check=True,
    )  # fmt: skip
    data = verify(demo)
    assert not data["ok"]
    assert {"rewritten", "unjournaled"} <= kinds(data)
    assert any(f["revision"] == old and f["kind"] == "rewritten" for f in data["findings"])
    # The rewritten text no longer matches what the records say was changed.
    assert {"silent-change", "orphan-note"} & kinds(data)


def test_reset_hard_dropping_a_revision_is_caught(demo):
    dropped = git(demo, "rev-parse", "HEAD").strip()
    git(demo, "reset", "-q", "--hard", "HEAD~1")
    data = verify(demo)
    assert [f["kind"] for f in data["findings"]] == ["rewritten"]
    assert data["findings"][0]["revision"] == dropped


def test_a_commit_made_with_plain_git_is_caught(demo):
    article = demo / "article.txt"
    article.write_text(article.read_text(encoding="utf-8") + " Quietly added.", encoding="utf-8")
    git(demo, "commit", "-qam", "Small fix")
    sneaky = git(demo, "rev-parse", "HEAD").strip()
    data = verify(demo)
    found = {(f["kind"], f["revision"]) for f in data["findings"]}
    assert ("unjournaled", sneaky) in found and ("unrecorded", sneaky) in found


def test_a_forged_record_is_caught(demo):
    article = demo / "article.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("Mexican", "Venezuelan", 1),
                       encoding="utf-8")  # fmt: skip
    message = (
        "Typo\n\nTracker-Document: article.txt\n"
        'Tracker-Record: {"v": 1, "reason": "", "changes": []}'
    )
    git(demo, "commit", "-qam", message)
    data = verify(demo)
    assert "silent-change" in kinds(data) and "unjournaled" in kinds(data)
    assert any("Mexican" in f["message"] for f in data["findings"])


@pytest.mark.parametrize("how", ["remove", "edit"])
def test_deleting_or_editing_a_note_with_plain_git_is_caught(demo, how):
    rev = git(demo, "rev-parse", "HEAD~2").strip()
    if how == "remove":
        git(demo, "notes", "--ref=tracker", "remove", rev)
    else:
        git(demo, "notes", "--ref=tracker", "add", "-f", "-m", '{"v": 1, "entries": []}', rev)
    data = verify(demo)
    assert "notes-rewritten" in kinds(data)


def test_editing_a_review_with_plain_git_is_caught(demo):
    git(demo, "notes", "--ref=tracker-reviews", "remove", "HEAD~1")
    assert "notes-rewritten" in kinds(verify(demo))


def test_a_corrupt_object_is_caught(demo):
    blob = git(demo, "rev-parse", "HEAD:article.txt").strip()
    path = demo / ".git" / "objects" / blob[:2] / blob[2:]
    assert path.exists(), "the demo store keeps loose objects"
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    found = verify(demo)
    assert "integrity" in kinds(found)


def test_deleting_the_journal_is_caught(demo):
    git(demo, "update-ref", "-d", "refs/tracker/journal")
    assert "journal" in kinds(verify(demo))


def test_require_signatures_fails_on_unsigned_revisions(demo):
    data = verify(demo, "--require-signatures")
    assert "unsigned" in kinds(data) and data["signed"] == 0


def test_deleting_the_settings_does_not_switch_the_audit_off(demo):
    article = demo / "article.txt"
    article.write_text(article.read_text(encoding="utf-8").replace("Tren de Aragua", "TdA"),
                       encoding="utf-8")  # fmt: skip
    git(demo, "rm", "-q", ".tracker/config.json")
    git(demo, "commit", "-qam", "sneaky")
    git(demo, "update-ref", "-d", "refs/tracker/journal")
    data = verify(demo)
    assert {"config", "unrecorded", "journal"} <= kinds(data)


def test_a_repository_never_set_up_says_so(tmp_path):
    root = tmp_path / "plain"
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")
    (root / "a.md").write_text("One.\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "one")
    data = verify(root)
    assert kinds(data) == {"not-a-store"}
    # A later note written by the tracker does not turn old commits into "unjournaled".
    (root / "a.md").write_text("Two.\n")
    git(root, "commit", "-qam", "two")
    # The CLI refuses to write into a repository never set up (tracker init); the core can.
    from tracker.identity import Identity
    from tracker.recording import NoteInput, add_later_note
    from tracker.store import Store

    add_later_note(Store.open(root), "HEAD", 1, NoteInput("why"), Identity("A", "a@x"))
    assert "unjournaled" not in kinds(verify(root))
