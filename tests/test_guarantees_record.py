"""Note binding where a change's number, its rank among the notes given and its anchor
(the words and offsets it changes) disagree: a note lands on the change it was written
for, or nothing is recorded.

The document has five changes (ALPHA, GAMMA, EPSILON, ETA, IOTA); notes are given to
some of them only, so that "the second note given" and "change 2" are different changes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from guarantee_helpers import (
    AUTHOR,
    DOC,
    FIRST,
    SECOND,
    build_small_store,
    cli_ok,
    copy_store,
    found,
    kinds,
    plain_git,
    private_home,
    verify,
)

from tracker import porcelain
from tracker.recording import NoteInput
from tracker.store import Store

from conftest import run_cli

# The old word of each change of FIRST -> SECOND, by change number.
WORDS = {1: "Alpha", 2: "gamma", 3: "epsilon", 4: "eta", 5: "iota"}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A store whose last revision holds the five changes, each with note "why N"."""
    base = tmp_path_factory.mktemp("binding")
    env = private_home(base / "home")
    return build_small_store(base / "store", env, require_notes=False), env


@pytest.fixture
def baseline(recorded, tmp_path) -> tuple[Path, dict[str, str]]:
    """A copy of the store moved back to its baseline, with SECOND pending in the file."""
    root, env = recorded
    copy = copy_store(root, tmp_path / "store")
    plain_git(copy, "update-ref", "refs/heads/main", "HEAD~1", env=env)
    plain_git(copy, "reset", "-q", env=env)
    (copy / DOC).write_text(SECOND, encoding="utf-8")
    return copy, env


def notes_by_word(root: Path, env: dict[str, str], rev: str = "HEAD") -> dict[str, str | None]:
    shown = json.loads(cli_ok(root, "show", rev, "--json", env=env))
    return {c["old"]["text"]: (c["note"] or {}).get("text") for c in shown["changes"]}


def test_cli_notes_bind_to_their_change_numbers_not_their_rank(baseline):
    root, env = baseline
    status = json.loads(cli_ok(root, "status", "--json", env=env))
    (listed,) = status["documents"]
    pending = listed["changes"]
    assert [c["old"]["text"] for c in pending] == list(WORDS.values())
    # Given 5 first, then 2: neither the order given nor the rank (2 is the first
    # note by number, 5 the second) may decide where a note lands.
    cli_ok(root, "record", DOC, "-m", "Capitals", "--note", "5=for iota", "--note",
           "2=for gamma", "--category", "2=factual", "--date", "2020-01-02T10:00:00+00:00",
           env=env)  # fmt: skip
    assert notes_by_word(root, env) == {
        "Alpha": None, "gamma": "for gamma", "epsilon": None, "eta": None, "iota": "for iota",
    }  # fmt: skip
    shown = json.loads(cli_ok(root, "show", "HEAD", "--json", env=env))
    categories = {c["index"]: (c["note"] or {}).get("category") for c in shown["changes"]}
    assert categories[2] == "factual" and categories[5] != "factual"


def test_a_note_for_a_change_that_does_not_exist_records_nothing(baseline):
    root, env = baseline
    before = plain_git(root, "rev-parse", "HEAD", env=env)
    result = run_cli("-C", str(root), "record", DOC, "-m", "x", "--note", "6=no such change",
                     env=env)  # fmt: skip
    assert result.code != 0 and "no change 6" in result.err
    assert "Traceback" not in result.err
    assert plain_git(root, "rev-parse", "HEAD", env=env) == before


def test_bound_notes_land_on_the_change_they_were_written_for(baseline):
    """The app's path: notes keyed by each change's words and place, not by number."""
    root, env = baseline
    store = Store.open(root)
    pending = store.pending(DOC)
    keys = [porcelain.change_key(c) for c in pending]
    notes = {keys[4]: NoteInput("for iota"), keys[1]: NoteInput("for gamma", "factual")}
    revision = porcelain.record_bound(store, DOC, "Capitals", "", notes, keys, author=AUTHOR,
                                date="2020-01-02T10:00:00+00:00")  # fmt: skip
    placed = {c.old.text: c.note.text if c.note else None for c in revision.changes}
    assert placed == {"Alpha": None, "gamma": "for gamma", "epsilon": None, "eta": None,
                      "iota": "for iota"}  # fmt: skip


def test_bound_notes_are_refused_when_the_same_numbers_now_name_other_words(baseline):
    """Five changes on screen, five changes on disk, but change 2 is other words now: a
    check by count or by number would put a note on words it was not written for."""
    root, env = baseline
    store = Store.open(root)
    keys = [porcelain.change_key(c) for c in store.pending(DOC)]
    head = store.head()
    (root / DOC).write_text(SECOND.replace("GAMMA", "GAMMAS"), encoding="utf-8")
    assert len(store.pending(DOC)) == len(keys)
    with pytest.raises(porcelain.ChangesMovedError) as caught:
        porcelain.record_bound(store, DOC, "Capitals", "", {keys[1]: NoteInput("for gamma")}, keys,
                         author=AUTHOR, date="2020-01-02T10:00:00+00:00")  # fmt: skip
    assert [c.new.text for c in caught.value.changes][1] == "GAMMAS"
    store.refresh()
    assert store.head() == head


# -- later notes -----------------------------------------------------------------------


@pytest.fixture
def noted(recorded, tmp_path) -> tuple[Path, dict[str, str]]:
    root, env = recorded
    return copy_store(root, tmp_path / "store"), env


def test_a_later_note_is_stored_with_the_anchor_of_the_change_it_names(noted):
    root, env = noted
    cli_ok(root, "note", "HEAD", "4", "Checked: eta.", "--author", AUTHOR,
           "--date", "2020-01-03T10:00:00+00:00", env=env)  # fmt: skip
    entries = json.loads(plain_git(root, "notes", "--ref=tracker", "show", "HEAD", env=env))
    (entry,) = entries["entries"]
    shown = json.loads(cli_ok(root, "show", "HEAD", "--json", env=env))
    four = next(c for c in shown["changes"] if c["index"] == 4)
    assert (entry["change"], entry["old_text"], entry["new_text"]) == (4, "eta", "ETA")
    assert entry["old"] == [four["old"]["start"], four["old"]["end"]]
    assert entry["new"] == [four["new"]["start"], four["new"]["end"]]
    assert notes_by_word(root, env) == {
        "Alpha": "why 1", "gamma": "why 2", "epsilon": "why 3", "eta": "Checked: eta.",
        "iota": "why 5",
    }  # fmt: skip
    code, data = verify(root, env=env)
    assert code == 0, data


def test_a_later_note_whose_number_disagrees_with_its_anchor_binds_by_anchor(noted):
    """An entry says "change 1" but is anchored on change 4's words (written by another
    program, or by an older tracker): the anchor is what the note was written for."""
    root, env = noted
    shown = json.loads(cli_ok(root, "show", "HEAD", "--json", env=env))
    four = next(c for c in shown["changes"] if c["index"] == 4)
    entry = {
        "change": 1, "old": [four["old"]["start"], four["old"]["end"]],
        "new": [four["new"]["start"], four["new"]["end"]], "old_text": "eta",
        "new_text": "ETA", "text": "About eta.", "category": "other", "source": "",
        "author": AUTHOR, "date": "2020-01-03T10:00:00+00:00",
    }  # fmt: skip
    blob = json.dumps({"v": 1, "entries": [entry]})
    plain_git(root, "notes", "--ref=tracker", "add", "-m", blob, "HEAD", env=env)
    placed = notes_by_word(root, env)
    assert placed["eta"] == "About eta." and placed["Alpha"] == "why 1"
    # The anchor is a real change: the only finding is the ref moved behind the journal.
    _code, data = verify(root, env=env)
    assert kinds(data) == {"notes-rewritten"} and not found(data, "orphan-note")


def test_a_later_note_anchored_on_no_change_attaches_to_none(noted):
    root, env = noted
    entry = {
        "change": 2, "old": [1, 2], "new": [1, 2], "old_text": "l", "new_text": "L",
        "text": "Misplaced.", "category": "other", "source": "", "author": AUTHOR,
        "date": "2020-01-03T10:00:00+00:00",
    }  # fmt: skip
    plain_git(root, "notes", "--ref=tracker", "add", "-m", json.dumps({"v": 1, "entries": [entry]}),
              "HEAD", env=env)  # fmt: skip
    assert "Misplaced." not in notes_by_word(root, env).values()
    assert [f["change"] for f in found(verify(root, env=env)[1], "orphan-note")] == [2]


def test_the_first_text_and_the_pending_words_are_what_the_tests_assume():
    """Guards the fixture itself: five one-word changes in this order."""
    from tracker.diff import diff_texts

    assert [c.old.text for c in diff_texts(FIRST, SECOND)] == list(WORDS.values())
