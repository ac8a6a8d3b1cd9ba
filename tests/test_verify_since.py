"""``verify --since REV``: only what was written after a verified point is checked, and
what is wrong there is found as the full verify finds it."""

from __future__ import annotations

import pytest

from tracker import porcelain
from tracker.model import APPROVED, NoteInput
from tracker.recording import add_later_note, add_review, record
from tracker.store import Store

from conftest import ANN, BOB, DATE, git, run_cli


def _edit(store: Store, text: str, summary: str, doc: str = "a.txt") -> str:
    (store.root / doc).write_text(text)
    return record(store, doc, summary, identity=ANN, date=DATE)


@pytest.fixture
def day(store):
    """Two documents; a verified point; then a day: revisions, a later note on a revision
    from before the point, a review. Returns (store, point, revisions after it)."""
    _edit(store, "One two three.\n", "Add a", "a.txt")
    old = _edit(store, "One two four.\n", "Edit a")
    _edit(store, "Alpha beta.\n", "Add b", "b.txt")
    point = _edit(store, "Alpha gamma.\n", "Edit b", "b.txt")
    after = [
        _edit(store, "One five four.\n", "Edit a again"),
        _edit(store, "Alpha gamma delta.\n", "Edit b again", "b.txt"),
    ]
    add_later_note(store, old, 1, NoteInput("Checked.", "factual"), ANN, DATE)
    add_review(store, after[0], APPROVED, identity=BOB, date=DATE)
    return store, point, after


def test_a_clean_day_passes_and_only_the_new_revisions_are_read(day):
    store, point, after = day
    report = porcelain.verify(store, since=point)
    assert report.ok, report.findings
    assert report.checked_revisions == len(after)
    assert report.since == point
    assert report.to_json()["since"] == point
    assert porcelain.verify(store).ok  # the full verify agrees


def test_since_head_checks_nothing_new_and_passes(day):
    store, _point, _after = day
    report = porcelain.verify(store, since="HEAD")
    assert report.ok and report.checked_revisions == 0


def test_a_plain_git_commit_after_the_point_is_found(day):
    store, point, _after = day
    (store.root / "a.txt").write_text("One six four.\n")
    git(store.root, "commit", "-qam", "sneaky")
    store.refresh()
    kinds = {f.kind for f in porcelain.verify(store, since=point).findings}
    assert {"unjournaled", "unrecorded"} <= kinds


def test_notes_moved_outside_the_tracker_are_found(day):
    store, point, after = day
    git(store.root, "notes", "--ref=tracker", "add", "-m", "{}", after[1])
    store.refresh()
    kinds = [f.kind for f in porcelain.verify(store, since=point).findings]
    assert kinds == ["notes-rewritten"]


def test_a_record_forged_after_the_point_is_found(day):
    """A revision whose record does not match its text (made with commit-tree)."""
    store, point, _after = day
    head = store.head()
    message = git(store.root, "log", "-1", "--format=%B", head)
    blob = git(store.root, "hash-object", "-w", "--stdin", input=b"One seven four.\n").strip()
    tree = git(store.root, "mktree", input=git(store.root, "ls-tree", head).replace(
        git(store.root, "rev-parse", f"{head}:a.txt").strip(), blob).encode()).strip()  # fmt: skip
    forged = git(store.root, "commit-tree", tree, "-p", head, "-m", message).strip()
    git(store.root, "update-ref", "refs/heads/main", forged)
    store.refresh()
    kinds = {f.kind for f in porcelain.verify(store, since=point).findings}
    assert "unjournaled" in kinds


def test_a_revision_that_is_not_an_ancestor_is_refused_in_one_line(day):
    store, _point, _after = day
    empty = git(store.root, "mktree", input=b"").strip()
    stranger = git(store.root, "commit-tree", empty, "-m", "elsewhere").strip()
    result = run_cli("verify", "--since", stranger, cwd=store.root)
    assert result.code != 0 and result.code != 3
    assert len(result.err.strip().splitlines()) <= 2  # the message and its hint
    assert "is not an ancestor of HEAD" in result.err
    assert "Traceback" not in result.err
    result = run_cli("verify", "--since", "no-such-rev", cwd=store.root)
    assert result.code not in (0, 3) and "unknown revision" in result.err


def test_the_cli_says_what_was_checked(day):
    store, point, after = day
    result = run_cli("verify", "--since", point, cwd=store.root)
    assert result.code == 0, result.err
    assert f"{len(after)} revision(s) checked since {point[:12]}" in result.out
