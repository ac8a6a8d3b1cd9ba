"""Blame at its edges: how text is cut into units, and who a cut or an edge belongs to.

Written to kill mutants that survived bench/mutate.py (see bench/README.md); the
property test in test_blame_property.py checks agreement with a forward replay, these
pin the exact units and attributions a reader sees.
"""

from __future__ import annotations

import pytest

from tracker.audit.blame import attribute, blame, units
from tracker.diff import diff_texts
from tracker.model import Revision
from tracker.recording import NoteInput, init_store, record
from tracker.store import Store

from conftest import ANN, BOB

D = [f"2001-01-{d:02d}T10:00:00+00:00" for d in range(5, 10)]


def _texts(text: str, by: str) -> list[str]:
    return [text[s:e] for s, e in units(text, by)]


def test_sentences_end_after_stops_and_closing_quotes_not_abbreviations():
    text = "Dr. Smith met the U.S. envoy. “Was it late?” He said no! Then…  Next.\n\nNew para"
    assert _texts(text, "sentence") == [
        "Dr. Smith met the U.S. envoy.",
        "“Was it late?”",
        "He said no!",
        "Then…",
        "Next.",
        "New para",
    ]
    assert _texts("  lead and trail  ", "sentence") == ["lead and trail"]
    assert units("", "sentence") == [] and units(" \n\n ", "sentence") == []
    # A line break ends a sentence even after an abbreviation-like word.
    assert _texts("See No.\n\nNext one.", "sentence") == ["See No.", "Next one."]


def test_paragraphs_and_lines():
    text = "One. Two.\nStill one.\n\n  Two here.\n\n\nThree\n"
    assert _texts(text, "paragraph") == ["One. Two.\nStill one.", "Two here.", "Three"]
    assert _texts(text, "line") == ["One. Two.", "Still one.", "Two here.", "Three"]
    assert units("a\nb", "line") == [(0, 1), (2, 3)]
    assert units("no end", "line") == [(0, 6)]


def _history(versions: list[str]) -> list[Revision]:
    revisions = [Revision("r0", None, "a", "d", "s0", "", initial=True)]
    for n in range(1, len(versions)):
        changes = tuple(diff_texts(versions[n - 1], versions[n]))
        revisions.append(
            Revision(f"r{n}", f"r{n - 1}", "a", "d", f"s{n}", "", changes=changes, recorded=True)
        )
    return list(reversed(revisions))


def _who(versions: list[str], by: str = "sentence") -> list[str]:
    spans = units(versions[-1], by)
    found = attribute(_history(versions), versions[-1], by)
    return [found[n][0].rev for n in range(len(spans))]


def test_a_cut_inside_a_sentence_belongs_to_the_revision_that_cut():
    versions = ["One two three. Four five.", "One three. Four five."]
    assert _who(versions) == ["r1", "r0"]
    # Text cut at a sentence's very start and end still belongs to that sentence.
    assert _who(["One. Two extra. Three.", "One. Two. Three."]) == ["r0", "r1", "r0"]
    assert _who(["One. Extra two. Three.", "One. two. Three."]) == ["r0", "r1", "r0"]


def test_a_paragraph_cut_before_another_does_not_blame_the_next_one():
    versions = ["First para.\n\nCut para.\n\nLast para.\n", "First para.\n\nLast para.\n"]
    assert _who(versions) == ["r0", "r0"]
    assert _who(versions, "paragraph") == ["r0", "r0"]


def test_edits_before_a_sentence_shift_it_back_to_its_origin():
    versions = [
        "Alpha one. Beta two. Gamma three.",
        "Alpha one one one. Beta two. Gamma three.",
        "Alpha. Beta two. Gamma three!",
    ]
    assert _who(versions) == ["r2", "r0", "r2"]
    versions = ["A b. C d. E f.", "A b. C d. E f. G h.", "X b. C d. E f. G h."]
    assert _who(versions) == ["r2", "r0", "r0", "r1"]


def test_a_revision_with_no_changes_is_skipped_and_text_traces_to_the_baseline():
    history = _history(["Same. Text.", "Same. Text! More."])
    empty = Revision("rx", "r1", "a", "d", "empty", "", changes=(), recorded=True)
    history.insert(0, empty)
    found = attribute(history, "Same. Text! More.")
    assert [found[n][0].rev for n in range(3)] == ["r0", "r1", "r1"]
    assert found[0][1] is None and found[1][1].new.text == "! More"


@pytest.fixture(scope="module")
def blamed(tmp_path_factory) -> Store:
    store = init_store(tmp_path_factory.mktemp("blame") / "s", ANN, D[0])
    doc = store.root / "doc.txt"
    doc.write_text("The fox runs. The dog sleeps.\n", encoding="utf-8")
    record(store, "doc.txt", "Add", identity=ANN, date=D[0])
    doc.write_text("The fox runs. The cat sleeps.\n", encoding="utf-8")
    record(store, "doc.txt", "Cat", notes={1: NoteInput("a cat", "factual")}, identity=BOB,
           date=D[1])  # fmt: skip
    return Store.open(store.root)


def test_blame_names_the_revision_change_and_note(blamed):
    text, result = blame(blamed, "doc.txt")
    assert text == "The fox runs. The cat sleeps.\n"
    first, second = (unit.to_json() for unit in result)
    assert first["text"] == "The fox runs." and first["summary"] == "Add"
    assert first["change"] is None and first["note"] is None
    assert (first["start"], first["end"]) == (0, 13)
    assert second["summary"] == "Cat" and second["change"] == 1
    assert second["note"]["text"] == "a cat" and second["author"] == "Bob Checker <bob@example.org>"
    assert second["date"] == D[1] and len(second["rev"]) == 40
    assert blame(blamed, "missing.txt") == ("", [])
    _, lines = blame(blamed, "doc.txt", by="line")
    assert [u.revision.summary for u in lines] == ["Cat"]
