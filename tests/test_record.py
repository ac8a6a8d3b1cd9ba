"""Recording revisions: notes inside the commit, later notes, require_notes, byte fidelity."""

from __future__ import annotations

import json
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.errors import NoteError, RecordRefusedError
from tracker.recording import NoteInput, add_later_note, init_store, record
from tracker.store import Store

from conftest import ANN, BOB, DATE, git


def write(store: Store, name: str, data: bytes | str) -> None:
    path = store.root / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def test_record_puts_notes_in_the_commit_readable_with_plain_git(store):
    write(store, "a.txt", "The red fox jumps.\n")
    record(store, "a.txt", "Add a.txt", identity=ANN, date=DATE)
    write(store, "a.txt", "The green fox jumps!\n")
    rev = record(
        store, "a.txt", "Fix the fox", "The photo shows a green fox.",
        {1: NoteInput("Photo shows green", "factual", "https://example.org/photo"),
         2: NoteInput("Tone", "style")},
        identity=BOB, date="2025-06-06T09:00:00+00:00",
    )  # fmt: skip
    message = git(store.root, "log", "-1", "--format=%B", rev)
    assert message.startswith("Fix the fox\n\nThe photo shows a green fox.\n")
    assert 'Change 1 [factual] "red" -> "green"' in message
    assert "Note: Photo shows green" in message
    assert "Source: https://example.org/photo" in message
    revision = store.revision(rev)
    assert revision.recorded and revision.author == str(BOB)
    assert [(c.old.text, c.new.text, c.note.category) for c in revision.changes] == [
        ("red", "green", "factual"),
        (".", "!", "style"),
    ]
    assert revision.changes[0].note.author == str(BOB)
    assert revision.date == "2025-06-06T09:00:00+00:00"
    # The branch, not just a dangling commit, holds it, and the index matches.
    assert git(store.root, "rev-parse", "HEAD").strip() == rev
    assert git(store.root, "status", "--porcelain") == ""


def test_require_notes_refuses_and_lists_unexplained_changes(strict_store):
    store = strict_store
    write(store, "a.txt", "One two three.\n")
    record(store, "a.txt", "Add", identity=ANN, date=DATE)
    before = git(store.root, "rev-parse", "HEAD")
    write(store, "a.txt", "One 2 three!\n")
    with pytest.raises(RecordRefusedError) as err:
        record(store, "a.txt", "Edit", notes={1: NoteInput("digits", "style")}, identity=ANN)
    assert "2: '.' -> '!'" in err.value.message
    assert "1:" not in err.value.message.split("unexplained:")[1]
    assert git(store.root, "rev-parse", "HEAD") == before
    record(
        store, "a.txt", "Edit",
        notes={1: NoteInput("digits", "style"), 2: NoteInput("emphasis", "style")},
        identity=ANN,
    )  # fmt: skip
    assert git(store.root, "rev-parse", "HEAD") != before


def test_note_errors(store):
    write(store, "a.txt", "One.\n")
    record(store, "a.txt", "Add", identity=ANN, date=DATE)
    write(store, "a.txt", "Two.\n")
    with pytest.raises(NoteError, match="there is no change 5"):
        record(store, "a.txt", "Edit", notes={5: NoteInput("x")}, identity=ANN)
    with pytest.raises(NoteError, match="empty"):
        record(store, "a.txt", "Edit", notes={1: NoteInput("   ")}, identity=ANN)
    with pytest.raises(NoteError, match="unknown category"):
        record(store, "a.txt", "Edit", notes={1: NoteInput("why", "gossip")}, identity=ANN)


def test_later_notes_keep_every_wording_and_never_rewrite_the_revision(store):
    write(store, "a.txt", "Alpha beta.\n")
    record(store, "a.txt", "Add", identity=ANN, date=DATE)
    write(store, "a.txt", "Alpha gamma.\n")
    rev = record(store, "a.txt", "Edit", notes={1: NoteInput("first", "clarity")}, identity=ANN)
    add_later_note(
        store, rev, 1, NoteInput("second", "factual", "src"), BOB, "2025-07-01T00:00:00Z"
    )
    add_later_note(store, rev, 1, NoteInput("third", "factual"), ANN, "2025-07-02T00:00:00Z")
    assert git(store.root, "rev-parse", "HEAD").strip() == rev
    note = store.revision(rev).changes[0].note
    assert (note.text, note.origin, note.author) == ("third", "later", str(ANN))
    assert [n.text for n in note.history] == ["first", "second"]
    # Plain git shows the notes and their own history (one commit per edit).
    shown = json.loads(git(store.root, "notes", "--ref=tracker", "show", rev))
    assert [e["text"] for e in shown["entries"]] == ["second", "third"]
    assert len(git(store.root, "log", "--format=%H", "refs/notes/tracker").split()) == 2
    assert "second" in git(store.root, "log", "-1", "--notes=tracker", rev)


def test_later_note_on_missing_change(store):
    write(store, "a.txt", "Alpha.\n")
    rev = record(store, "a.txt", "Add", identity=ANN, date=DATE)
    with pytest.raises(NoteError, match="has no change 1"):
        add_later_note(store, rev, 1, NoteInput("why"), ANN)


def test_first_revision_is_a_baseline_without_changes(store):
    write(store, "a.txt", "Text.")
    rev = record(store, "a.txt", "Add", identity=ANN, date=DATE)
    revision = store.revision(rev)
    assert revision.changes == () and revision.initial is True


def test_nothing_to_record(store):
    write(store, "a.txt", "Text.")
    record(store, "a.txt", "Add", identity=ANN, date=DATE)
    with pytest.raises(RecordRefusedError, match="no changes"):
        record(store, "a.txt", "Again", identity=ANN)


def test_dates_keep_their_offset(store):
    write(store, "a.txt", "Text.")
    rev = record(store, "a.txt", "Add", identity=ANN, date="2025-08-01T09:30:00-05:00")
    assert store.revision(rev).date == "2025-08-01T09:30:00-05:00"


_texts = st.lists(
    st.sampled_from(["a", "word", " ", "\n", "\r\n", "\r", "\ufeff", "é", "😀", "\t", "“x”"]),
    max_size=30,
).map("".join)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(first=_texts, second=_texts)
def test_bytes_in_equal_bytes_out(tmp_path_factory, first, second):
    """CRLF, lone CR, BOM, final newline or none: stored and read back byte for byte."""
    store = init_store(tmp_path_factory.mktemp("rt"), ANN, DATE)
    write(store, "doc.txt", first)
    rev1 = record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    proc = subprocess.run(
        ["git", "cat-file", "blob", f"{rev1}:doc.txt"],
        cwd=store.root,
        capture_output=True,
        check=True,
    )
    assert proc.stdout == first.encode("utf-8")
    if second != first:
        write(store, "doc.txt", second)
        rev2 = record(store, "doc.txt", "Edit", identity=ANN, date=DATE)
        assert store.text_at(rev2, "doc.txt").encode("utf-8") == second.encode("utf-8")
        changes = store.revision(rev2).changes
        assert changes, "a change of line endings or final newline alone is still a change"


def test_a_write_between_the_screens_check_and_the_record_is_refused(store, monkeypatch):
    """record_bound checks the changes twice: the second check, under the lock, sees a
    write that lands after the first one (here: made by the first read itself)."""
    from tracker import porcelain

    write(store, "a.txt", "The red fox jumps.\n")
    record(store, "a.txt", "Add a.txt", identity=ANN, date=DATE)
    write(store, "a.txt", "The green fox jumps.\n")
    shown = store.pending("a.txt")
    keys = [porcelain.change_key(c) for c in shown]
    read_pending = store.pending

    def pending_then_another_program_writes(document: str):
        changes = read_pending(document)
        write(store, "a.txt", "The green fox leaps over the dog.\n")
        return changes

    monkeypatch.setattr(store, "pending", pending_then_another_program_writes)
    head = store.head()
    with pytest.raises(porcelain.ChangesMovedError):
        porcelain.record_bound(
            store, "a.txt", "Fix the fox", "", {keys[0]: NoteInput("Photo shows green")}, keys,
            author=str(ANN), date=DATE,
        )  # fmt: skip
    store.refresh()
    assert store.head() == head
