"""The bundled history passes the standards desk (issue 11; ../shared/desk/standards-review.md):
sources that existed on the revision's date, a second editor's approval on every
correction, the reporter as the baseline's author, notes the store's policy accepts, no
correction language in the body, and notices composed from the notes, not by hand."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest

from tracker import policy, porcelain
from tracker.audit.verify import verify
from tracker.demo import REVISIONS_DIR, build_demo, final_text, load_manifest
from tracker.identity import same_editor
from tracker.model import Note
from tracker.store import Store

MANIFEST = load_manifest()
NOTES = [
    (entry, note) for entry in MANIFEST["revision"] for note in entry.get("note", [])
]  # fmt: skip
# A notice line as readers get it: "Correction, 3 March 2025: ..." (the policy's labels).
NOTICE_LINE = re.compile(r"^(Correction|Clarification|Editor's note|Update|Withdrawn), \d")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Store:
    return build_demo(tmp_path_factory.mktemp("bundled") / "store")


def _day(iso: str) -> date:
    return datetime.fromisoformat(iso).date()


def _editors() -> set[str]:
    """Everyone who edited or approved a correction, or logged the baseline."""
    first, *rest = MANIFEST["revision"]
    return {first["committer"]} | {e["author"] for e in rest} | {e["approved_by"] for e in rest}


@pytest.mark.parametrize(
    "entry, note", NOTES, ids=[f"{e['file']}:{n['text'][:30]}" for e, n in NOTES]
)
def test_no_note_cites_a_source_dated_after_its_revision(entry: dict, note: dict) -> None:
    """Every cited source has a date (the latest of several), on or before the revision;
    a later note's source is on or before the later note."""
    assert "LSB11295" not in note.get("source", "")  # dated 28 April 2025 (review, problem 5)
    if note.get("source"):
        assert _day(note["source_date"] + "T00:00:00+00:00") <= _day(entry["date"])
    for later in note.get("later", ()):
        assert datetime.fromisoformat(later["date"]) > datetime.fromisoformat(entry["date"])
        if later.get("source"):
            assert _day(later["source_date"] + "T00:00:00+00:00") <= _day(entry["date"])


def test_every_correction_is_approved_by_a_second_editor(demo: Store) -> None:
    revisions = list(reversed(list(demo.log(MANIFEST["document"]))))
    assert len(revisions) == len(MANIFEST["revision"])
    for revision in revisions[1:]:
        review = revision.review
        assert review is not None and review.status == "approved", revision.summary
        assert not same_editor(review.author, revision.author), revision.summary
        assert review.date > revision.date


def test_the_baseline_is_the_reporters_and_was_logged_by_an_editor(demo: Store) -> None:
    first = MANIFEST["revision"][0]
    assert not any(same_editor(first["author"], editor) for editor in _editors())
    baseline = list(demo.log(MANIFEST["document"]))[-1]
    assert baseline.initial and same_editor(baseline.author, first["author"])
    committer = demo.git("show", "-s", "--format=%cn <%ce>", baseline.rev)
    assert committer == first["committer"] != first["author"]


@pytest.mark.parametrize(
    "entry, note", NOTES, ids=[f"{e['file']}:{n['text'][:30]}" for e, n in NOTES]
)
def test_every_note_says_its_notice_and_the_policy_accepts_it(entry: dict, note: dict) -> None:
    assert note["notice"] in policy.NOTICE_TYPES and note["significance"] in policy.SIGNIFICANCE
    recorded = Note(note["text"], note["category"], note.get("source", ""), "", "",
                    notice=note["notice"], significance=note["significance"])  # fmt: skip
    # Nothing refused, and nothing flagged either: verify names what the policy flags.
    assert policy.lint(recorded, policy.preset(MANIFEST["policy"]), entry["date"]) == []
    if note["notice"] != policy.NONE:  # what readers read is worded for them
        assert note["text"].startswith("An earlier version of this article ")


def test_the_store_keeps_the_manifests_policy(demo: Store) -> None:
    assert demo.config.policy == MANIFEST["policy"] == "nyt"


@pytest.mark.parametrize("entry", MANIFEST["revision"], ids=lambda e: e["file"])
def test_no_body_text_holds_correction_language(entry: dict[str, Any]) -> None:
    """ "An earlier version" belongs in a notice, never in the article's own paragraphs."""
    text = (REVISIONS_DIR / entry["file"]).read_text(encoding="utf-8")
    body = [p for p in text.split("\n\n") if not NOTICE_LINE.match(p)]
    assert not [p for p in body if "earlier version" in p.lower()]


def test_notes_are_written_for_readers_not_the_desk() -> None:
    for entry, note in NOTES:
        for shorthand in ("revisions 2 to 9", "antecedent", "hedged", "merged"):
            assert shorthand not in note["text"], (entry["file"], shorthand)


def test_the_last_revision_is_the_notices_composed_from_the_notes() -> None:
    """Revision 10 is generated (python -m tracker.demo), never edited by hand."""
    last = REVISIONS_DIR / MANIFEST["revision"][-1]["file"]
    text = last.read_text(encoding="utf-8")
    assert text == final_text()
    notices = [p for p in text.split("\n\n") if NOTICE_LINE.match(p)]
    significant = sum(
        1 for _, n in NOTES if n["notice"] != "none" and n["significance"] == "significant"
    )
    assert len(notices) == sum(1 for _, n in NOTES if n["notice"] != "none")
    # The significant ones at the top, under the title; the minor ones at the end.
    paragraphs = text.split("\n\n")
    assert all(NOTICE_LINE.match(p) for p in paragraphs[1 : 1 + significant])
    assert not NOTICE_LINE.match(paragraphs[1 + significant])
    assert NOTICE_LINE.match(paragraphs[-1])


def test_verify_passes_and_a_later_note_keeps_its_history(demo: Store) -> None:
    report = verify(demo)
    assert report.ok, report.findings
    designations = next(r for r in demo.log(MANIFEST["document"]) if "designations" in r.summary)
    (later,) = designations.later_notes
    assert "FR Doc. 2025-02873" in later.source and later.date > designations.date
    first, current = porcelain.notes_history(demo, designations.rev)
    assert first["origin"] == "revision" and "2025-02873" not in first["source"]  # kept
    assert current["source"] == later.source == designations.changes[0].note.source
