"""``verify`` at its edges: each finding from one minimal tampering, and the counts.

Written to kill mutants that survived bench/mutate.py (see bench/README.md). One clean
store is built per module; each test tampers with its own copy, the way an auditor's
adversary would (plain git), and reads the findings through the core.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tracker.audit.verify import verify
from tracker.git.journal import JOURNAL_REF
from tracker.notes import NOTES_REF, compose_message
from tracker.recording import NoteInput, add_later_note, add_review, init_store, record
from tracker.store import Store

from conftest import ANN, BOB, git

D = [f"2001-01-{d:02d}T10:00:00+00:00" for d in range(5, 12)]


def _plain(root: Path, *args: str, date: str = D[6], input: bytes | None = None) -> str:
    """git as another program runs it: its own identity and a fixed date."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Other",
        "GIT_AUTHOR_EMAIL": "o@x",
        "GIT_COMMITTER_NAME": "Other",
        "GIT_COMMITTER_EMAIL": "o@x",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    proc = subprocess.run(
        ["git", *args], cwd=root, env=env, input=input, capture_output=True, check=True
    )
    return proc.stdout.decode().strip()


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    """A store with three revisions of doc.txt, two of four changes noted, a later note
    and a review: verify passes on it."""
    store = init_store(tmp_path_factory.mktemp("audit") / "s", ANN, D[0])
    doc = store.root / "doc.txt"
    doc.write_text("one two three\n", encoding="utf-8")
    record(store, "doc.txt", "Add", identity=ANN, date=D[0])
    doc.write_text("ONE two THREE\n", encoding="utf-8")
    record(store, "doc.txt", "Caps", notes={1: NoteInput("why")}, identity=ANN, date=D[1])
    add_later_note(store, "HEAD", 2, NoteInput("later"), BOB, D[2])
    doc.write_text("ONE 2 THREE four\n", encoding="utf-8")
    record(store, "doc.txt", "Digits", identity=ANN, date=D[3])
    add_review(store, "HEAD", "approved", identity=BOB, date=D[4])
    return store.root


@pytest.fixture
def copy(clean, tmp_path) -> Path:
    target = tmp_path / "copy"
    shutil.copytree(clean, target, symlinks=True)
    return target


def _kinds(root: Path, **kwargs) -> list[str]:
    return [f.kind for f in verify(Store.open(root), **kwargs).findings]


def test_a_clean_store_passes_with_its_counts(clean):
    report = verify(Store.open(clean))
    assert report.ok and report.findings == []
    assert report.checked_revisions == 3
    assert (report.changes, report.explained, report.signed) == (4, 2, 0)
    data = report.to_json()
    assert data["ok"] is True and data["revisions"] == 3 and data["explained"] == 2


def test_a_merge_on_the_branch_is_history(copy):
    base = git(copy, "rev-parse", "HEAD~1").strip()
    tree = git(copy, "rev-parse", "HEAD^{tree}").strip()
    merge = _plain(copy, "commit-tree", tree, "-p", "HEAD", "-p", base, "-m", "Merge")
    git(copy, "update-ref", "refs/heads/main", merge)
    assert "history" in _kinds(copy)


def test_a_backdated_plain_commit(copy):
    (copy / "doc.txt").write_text("ONE 2 THREE five\n", encoding="utf-8")
    _plain(copy, "commit", "-qam", "Sneak", date="2001-01-06T09:00:00+00:00")
    kinds = _kinds(copy)
    assert {"dates", "unrecorded", "unjournaled"} <= set(kinds)
    assert "future-date" not in kinds


def test_a_commit_dated_in_the_future(copy):
    (copy / "doc.txt").write_text("ONE 2 THREE five\n", encoding="utf-8")
    _plain(copy, "commit", "-qam", "Later", date="2099-01-01T00:00:00+00:00")
    kinds = _kinds(copy)
    assert "future-date" in kinds and "dates" not in kinds


def test_a_note_forged_with_plain_git(copy):
    _plain(copy, "notes", f"--ref={NOTES_REF}", "add", "-f", "-m", "{}", "HEAD~1")
    assert "notes-rewritten" in _kinds(copy)


def test_a_review_forged_with_plain_git(copy):
    _plain(copy, "notes", "--ref=refs/notes/tracker-reviews", "add", "-f", "-m", "{}", "HEAD")
    # The ref moved behind the journal, and the review that was there vanished (issue 10).
    assert _kinds(copy) == ["notes-rewritten", "notes-edited"]


def test_history_rewritten_behind_the_tracker(copy):
    git(copy, "reset", "-q", "--hard", "HEAD~1")
    kinds = _kinds(copy)
    assert "rewritten" in kinds and "unjournaled" not in kinds


def test_the_journal_deleted(copy):
    git(copy, "update-ref", "-d", JOURNAL_REF)
    # With no journal, nothing on the branch can be called unjournaled: one finding.
    assert _kinds(copy) == ["journal"]


def test_rules_loosened_after_setup(tmp_path):
    store = init_store(tmp_path / "strict", ANN, D[0], require_notes=True)
    (store.root / "d.txt").write_text("a b\n")
    record(store, "d.txt", "Add", identity=ANN, date=D[0])
    assert _kinds(store.root) == []
    config = store.root / ".tracker/config.json"
    config.write_text(json.dumps({"v": 1, "require_notes": False}) + "\n")
    _plain(store.root, "commit", "-qam", "Loosen", date=D[1])
    kinds = _kinds(store.root)
    assert "config" in kinds
    # Audited by the rules it was set up with: a change recorded without a note since.
    (store.root / "d.txt").write_text("a B\n")
    rev = record(store, "d.txt", "Unexplained", identity=ANN, date=D[1])
    unexplained = [f for f in verify(Store.open(store.root)).findings if f.kind == "unexplained"]
    assert [(f.revision, f.change) for f in unexplained] == [(rev, 1)]
    git(store.root, "rm", "-q", ".tracker/config.json")
    _plain(store.root, "commit", "-qm", "Delete", date=D[2])
    assert "config" in _kinds(store.root)


def test_a_forged_record_names_changes_that_are_not_there(copy):
    store = Store.open(copy)
    head = store.revision("HEAD")
    # Keep the text, but record one fewer change than there is and one that is not real.
    changes = list(head.changes)
    fake = changes[0].__class__(
        1, "replace", changes[0].old.__class__(0, 3, "ONX"), changes[0].new, None
    )
    message = compose_message("Digits", "", "doc.txt", [fake])
    tree = git(copy, "rev-parse", "HEAD^{tree}").strip()
    forged = _plain(copy, "commit-tree", tree, "-p", "HEAD~1", input=message.encode(), date=D[3])
    git(copy, "update-ref", "refs/heads/main", forged)
    kinds = _kinds(copy)
    assert {"orphan-note", "silent-change", "unjournaled", "rewritten"} <= set(kinds)


def test_only_the_forged_change_of_a_record_is_reported(copy):
    store = Store.open(copy)
    genuine, inserted = store.revision("HEAD").changes
    assert inserted.new.text == " four"
    forged = inserted.__class__(
        2, "insert", inserted.old, inserted.new.__class__(inserted.new.start,
        inserted.new.end, " five"), None,
    )  # fmt: skip
    message = compose_message("Digits", "", "doc.txt", [genuine, forged])
    tree = git(copy, "rev-parse", "HEAD^{tree}").strip()
    commit = _plain(copy, "commit-tree", tree, "-p", "HEAD~1", input=message.encode(), date=D[3])
    git(copy, "update-ref", "refs/heads/main", commit)
    findings = verify(Store.open(copy)).findings
    assert [(f.kind, f.change) for f in findings if f.kind == "orphan-note"] == [("orphan-note", 2)]


def test_a_binary_revision_is_a_text_finding_and_later_ones_are_still_checked(copy):
    (copy / "doc.txt").write_bytes(b"ONE\x00 2\n")
    _plain(copy, "commit", "-qam", "Binary", date=D[6])
    kinds = _kinds(copy)
    assert "text" in kinds and "unjournaled" in kinds and "unrecorded" not in kinds
    (copy / "doc.txt").write_text("ONE 2 text again\n")
    _plain(copy, "commit", "-qam", "After", date=D[6])
    report = verify(Store.open(copy))
    assert "unrecorded" in [f.kind for f in report.findings]
    assert report.checked_revisions == 5


def test_a_record_with_the_wrong_old_text_at_the_right_place(copy):
    store = Store.open(copy)
    first, second = store.revision("HEAD").changes
    assert first.old.text == "two"
    wrong = first.__class__(1, "replace", first.old.__class__(4, 7, "TWO"), first.new, None)
    message = compose_message("Digits", "", "doc.txt", [wrong, second])
    tree = git(copy, "rev-parse", "HEAD^{tree}").strip()
    commit = _plain(copy, "commit-tree", tree, "-p", "HEAD~1", input=message.encode(), date=D[3])
    git(copy, "update-ref", "refs/heads/main", commit)
    findings = verify(Store.open(copy)).findings
    assert [(f.kind, f.change) for f in findings if f.kind == "orphan-note"] == [("orphan-note", 1)]


def test_a_record_listing_one_change_twice_is_checked_against_the_text(copy):
    store = Store.open(copy)
    first, _second = store.revision("HEAD").changes
    message = compose_message("Digits", "", "doc.txt", [first, first])
    tree = git(copy, "rev-parse", "HEAD^{tree}").strip()
    commit = _plain(copy, "commit-tree", tree, "-p", "HEAD~1", input=message.encode(), date=D[3])
    git(copy, "update-ref", "refs/heads/main", commit)
    assert "silent-change" in _kinds(copy)


def test_revisions_imported_with_earlier_dates_after_setup_pass(tmp_path):
    store = init_store(tmp_path / "s", ANN, D[3])
    (store.root / "d.txt").write_text("old text\n")
    record(store, "d.txt", "Imported", identity=ANN, date=D[0])  # before the setup commit
    assert _kinds(store.root) == []


def test_notes_required_later_finds_the_unexplained_changes(tmp_path):
    store = init_store(tmp_path / "s", ANN, D[0])
    (store.root / "d.txt").write_text("a b\n")
    record(store, "d.txt", "Add", identity=ANN, date=D[0])
    (store.root / "d.txt").write_text("A b\n")
    rev = record(store, "d.txt", "Caps", identity=ANN, date=D[1])
    config = store.root / ".tracker/config.json"
    config.write_text(json.dumps({"v": 1, "require_notes": True}) + "\n")
    _plain(store.root, "commit", "-qam", "Tighten", date=D[2])
    findings = verify(Store.open(store.root)).findings
    assert [(f.kind, f.revision, f.change) for f in findings if f.kind == "unexplained"] == [
        ("unexplained", rev, 1)
    ]


def test_rules_loosened_with_the_journal_gone_are_still_found(tmp_path):
    store = init_store(tmp_path / "strict", ANN, D[0], require_notes=True)
    (store.root / "d.txt").write_text("a b\n")
    record(store, "d.txt", "Add", identity=ANN, date=D[0])
    config = store.root / ".tracker/config.json"
    config.write_text(json.dumps({"v": 1, "require_notes": False}) + "\n")
    _plain(store.root, "commit", "-qam", "Loosen", date=D[1])
    git(store.root, "update-ref", "-d", JOURNAL_REF)
    assert "config" in _kinds(store.root)


def test_a_shallow_clone_says_so(clean, tmp_path):
    target = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{clean}", str(target))
    assert _kinds(target) == ["shallow"]


def test_a_damaged_object_is_an_integrity_finding(copy):
    # The empty tree of the journal's commits: no other check reads it, only fsck does.
    empty_tree = git(copy, "mktree", input=b"").strip()
    path = copy / ".git" / "objects" / empty_tree[:2] / empty_tree[2:]
    path.chmod(0o644)
    path.write_bytes(b"garbage")
    kinds = _kinds(copy)
    assert kinds and kinds[0] == "integrity"


def test_nothing_to_check_is_never_a_pass(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    git(empty, "init", "-q")
    assert _kinds(empty) == ["not-a-store"]
    plain = tmp_path / "plain"
    plain.mkdir()
    git(plain, "init", "-q")
    (plain / "a.txt").write_text("a\n")
    git(plain, "add", "a.txt")
    _plain(plain, "commit", "-qm", "A")
    assert _kinds(plain) == ["not-a-store"]


def test_a_store_whose_branch_is_not_checked_out(copy):
    git(copy, "checkout", "-q", "--orphan", "empty")
    assert _kinds(copy) == ["nothing-checked"]


def test_a_detached_head_on_an_older_revision(copy):
    git(copy, "checkout", "-q", "--detach", "HEAD~1")
    assert _kinds(copy) == ["detached"]


def test_unsigned_is_a_finding_only_when_signatures_are_required(copy):
    kinds = _kinds(copy, require_signatures=True)
    assert kinds and set(kinds) == {"unsigned"}
    assert len(kinds) == 4 + 2  # four commits on the branch, one note and one review
