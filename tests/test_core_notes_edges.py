"""The note layout at its edges: the commit message round trip and later-note binding.

Written to kill mutants that survived bench/mutate.py (see bench/README.md): each test
states what a reader of the history relies on, not how notes.py computes it.
"""

from __future__ import annotations

import json

import pytest

from tracker.errors import NoteError
from tracker.model import DEFAULT_CATEGORIES, Change, Note, Span
from tracker.notes import (
    apply_later,
    changes_from_record,
    compose_later,
    compose_message,
    later_entry,
    parse_later,
    parse_message,
    validate_note,
)


def _change(index: int, kind: str, old: tuple, new: tuple, note: Note | None = None) -> Change:
    return Change(index, kind, Span(*old), Span(*new), note)


REPLACE = _change(
    1, "replace", (4, 9, "Zetas"), (4, 9, "Tren "), Note("Mexican, not Venezuelan.", "factual")
)
INSERT = _change(2, "insert", (20, 20, ""), (20, 25, "très "), None)
DELETE = _change(
    3, "delete", (30, 36, "quite "), (35, 35, ""), Note("cut", "style", source="https://x.org")
)


def test_validate_note_refuses_blank_and_unknown_category():
    validate_note("why", "factual", DEFAULT_CATEGORIES)
    with pytest.raises(NoteError):
        validate_note("  \n", "factual", DEFAULT_CATEGORIES)
    with pytest.raises(NoteError):
        validate_note("why", "gossip", DEFAULT_CATEGORIES)


def test_message_round_trips_every_field():
    message = compose_message(
        "  Fix   the\norigin ",
        "\nBecause it was wrong.\n",
        "dir/a\u00e9.txt",
        [REPLACE, INSERT, DELETE],
    )
    summary, reason, document, record = parse_message(message)
    assert summary == "Fix the origin"
    assert reason == "Because it was wrong."
    assert document == "dir/a\u00e9.txt"
    # The trailer shows the name as it is, not as JSON escapes (docs/storage-format.md).
    assert "\nTracker-Document: dir/a\u00e9.txt\n" in message
    assert record is not None and record["v"] == 1 and "initial" not in record
    assert changes_from_record(record) == [REPLACE, INSERT, DELETE]
    # The readable part: one line per change with its category and quoted text.
    assert 'Change 1 [factual] "Zetas" -> "Tren "' in message
    assert 'Change 2 [no note] inserted "très "' in message  # as it reads, not escaped
    assert 'Change 3 [style] deleted "quite "' in message
    assert "  Note: cut\n  Source: https://x.org" in message
    assert message.endswith("\n") and not message.endswith("\n\n")
    # The record is ASCII-only JSON whose last key is "changes" (logjson passes it through).
    record_line = message.rstrip("\n").splitlines()[-1]
    assert record_line.isascii()
    assert list(json.loads(record_line.split(": ", 1)[1])) == ["v", "reason", "changes"]


def test_initial_revision_is_marked_and_has_no_reason_paragraph():
    message = compose_message("Baseline", "   ", "a.txt", [], initial=True)
    assert message.split("\n\n")[1].startswith("Tracker-Document: a.txt")
    summary, reason, document, record = parse_message(message)
    assert (summary, reason, document) == ("Baseline", "", "a.txt")
    assert record["initial"] is True and record["changes"] == []


def test_long_change_text_is_shortened_in_the_readable_line_only():
    long_old = "word " * 30
    change = _change(1, "replace", (0, len(long_old), long_old), (0, 3, "new"))
    message = compose_message("s", "", "a.txt", [change])
    line = next(ln for ln in message.splitlines() if ln.startswith("Change 1"))
    quoted = line.split("] ", 1)[1].split(" -> ")[0]
    assert len(quoted) == 60 and quoted.endswith('..."')
    # Exactly 60 characters once quoted is kept whole.
    exact = "x" * 58
    change = _change(1, "delete", (0, 58, exact), (0, 0, ""))
    assert f'deleted "{exact}"' in compose_message("s", "", "a.txt", [change])
    _, _, _, record = parse_message(message)
    assert changes_from_record(record)[0].old.text == long_old


def test_foreign_messages_read_as_plain_text():
    assert parse_message("Subject\r\n\r\nBody line\r\n") == ("Subject", "Body line", None, None)
    assert parse_message("Only a subject") == ("Only a subject", "", None, None)
    # A document trailer without a record, or a record that is not JSON, is plain text.
    body = "Tracker-Document: a.txt\nTracker-Record: {not json"
    assert parse_message("S\n\n" + body) == ("S", body, None, None)
    assert parse_message("S\n\nTracker-Document: a.txt\nno record") == (
        "S",
        "Tracker-Document: a.txt\nno record",
        None,
        None,
    )
    assert parse_message("S\n\nTracker-Document: a.txt\nTracker-Record: [1]")[3] is None


def test_record_trailer_directly_after_summary_is_read():
    message = 'S\n\nTracker-Document: b.txt\nTracker-Record: {"v": 1, "reason": "r", "changes": []}'
    assert parse_message(message) == ("S", "r", "b.txt", {"v": 1, "reason": "r", "changes": []})


def test_lines_after_the_record_do_not_hide_it():
    message = compose_message("S", "", "a.txt", [REPLACE]) + "Signed-off-by: X <x@y>\n"
    summary, _reason, document, record = parse_message(message)
    assert (summary, document) == ("S", "a.txt")
    assert changes_from_record(record) == [REPLACE]


def test_record_with_a_forged_kind_is_refused():
    record = {"changes": [{**REPLACE.to_json(), "kind": "rewrite"}]}
    with pytest.raises(ValueError):
        changes_from_record(record)
    assert changes_from_record({}) == []


def test_later_blob_that_is_not_entries_reads_as_none():
    assert parse_later(None) == []
    assert parse_later("  \n") == []
    assert parse_later("{broken") == []
    assert parse_later("[1, 2]") == []
    assert parse_later('{"entries": [1, {"change": 1}, "x"]}') == [{"change": 1}]
    entries = [later_entry(REPLACE, Note("a", "factual"))]
    assert parse_later(compose_later(entries)) == entries
    assert json.loads(compose_later(entries))["v"] == 1
    # `git notes show` reads the later notes as written, not as \u escapes.
    assert "très" in compose_later([later_entry(INSERT, Note("très bien"))])


def test_later_notes_bind_by_anchor_newest_wins_and_keep_history():
    first = later_entry(REPLACE, Note("first wording", "factual", author="A", date="d1"))
    second = later_entry(REPLACE, Note("second wording", "sourcing", source="s", author="B"))
    result = apply_later([REPLACE, INSERT], [first, second])
    note = result[0].note
    assert (note.text, note.category, note.source, note.origin) == (
        "second wording",
        "sourcing",
        "s",
        "later",
    )
    assert [h.text for h in note.history] == ["Mexican, not Venezuelan.", "first wording"]
    assert note.history[0].origin == "revision" and note.history[1].author == "A"
    assert result[1].note is None  # an entry binds to its own change only
    assert apply_later([REPLACE], []) == [REPLACE]


def test_later_note_anchor_beats_a_disagreeing_change_number():
    # The entry says change 2 but its stored anchor is change 1's: the anchor wins.
    entry = {**later_entry(REPLACE, Note("anchored", "factual")), "change": 2}
    result = apply_later([REPLACE, INSERT], [entry])
    assert result[0].note.text == "anchored" and result[1].note is None
    # Without an anchor (an older layout), the number binds.
    bare = {"change": 2, "text": "by number"}
    result = apply_later([REPLACE, INSERT], [bare])
    assert result[1].note.text == "by number" and result[1].note.category == "other"
    assert result[1].note.history == ()
    # Half an anchor is no anchor: the number binds.
    half = {"change": 1, "old": [4, 9], "text": "half"}
    assert apply_later([REPLACE, INSERT], [half])[0].note.text == "half"
