"""Corrections reports at their edges: ranges, reviews, notes and escaping in each format.

Written to kill mutants that survived bench/mutate.py (see bench/README.md). One small
store is built per module through the core (reports only read it); the reports are
rendered in-process, the way `tracker export` renders them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tracker.errors import TrackerError
from tracker.export import build_report, render
from tracker.recording import APPROVED, FLAGGED, NoteInput, add_review, init_store, record
from tracker.store import Store

from conftest import ANN, BOB

D1, D2, D3, D4 = (f"2001-01-0{d}T10:00:00+00:00" for d in (5, 6, 7, 8))


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    """Four revisions: baseline, noted + unnoted changes (approved), a flagged one, a delete."""
    store = init_store(tmp_path_factory.mktemp("export") / "s", ANN, D1)
    doc = store.root / "doc.txt"
    doc.write_text("The red fox jumps.\n\nA quiet dog sleeps.\n", encoding="utf-8")
    record(store, "doc.txt", "Add the article", identity=ANN, date=D1)
    doc.write_text("The green fox leaps.\n\nA quiet dog sleeps.\n", encoding="utf-8")
    notes = {1: NoteInput("Colour <fixed> & *checked*", "factual", "https://src.example/a?b=1")}
    record(store, "doc.txt", "Fix the colour", "Reader mail [1]", notes, identity=ANN, date=D2)
    add_review(store, "HEAD", APPROVED, "Looks | right", identity=BOB, date=D3)
    doc.write_text("The green fox leaps.\n\nA dog sleeps.\n", encoding="utf-8")
    record(store, "doc.txt", "Trim", "", {1: NoteInput("Shorter", "style")}, ANN, D3)
    add_review(store, "HEAD", FLAGGED, "Too short", identity=BOB, date=D4)
    doc.write_text("The green fox leaps.\n\nA dog sleeps. More.\n", encoding="utf-8")
    record(store, "doc.txt", "Add more", identity=ANN, date=D4)
    return Store.open(store.root)


def _summaries(store: Store, rev_range: str | None) -> list[str]:
    return [item.revision.summary for item in build_report(store, "doc.txt", rev_range).revisions]


def test_ranges_select_the_revisions_after_a_up_to_b(store):
    everything = ["Add the article", "Fix the colour", "Trim", "Add more"]
    assert _summaries(store, None) == everything
    assert _summaries(store, "HEAD~3..HEAD~1") == ["Fix the colour", "Trim"]
    assert _summaries(store, "HEAD~2..") == ["Trim", "Add more"]
    assert _summaries(store, "..HEAD~2") == ["Add the article", "Fix the colour"]
    assert _summaries(store, "HEAD~1") == ["Trim"]
    assert build_report(store, "doc.txt", "HEAD~1").range == "HEAD~1"
    assert build_report(store, "doc.txt").range == "all"

    # Any range git accepts: a symmetric difference, a negation, ends that did not touch
    # the document (the config commit of init): the document's revisions within it.
    assert _summaries(store, "HEAD~1...HEAD") == ["Add more"]
    assert _summaries(store, "^HEAD~2 HEAD~1") == ["Trim"]
    first = store.git("rev-list", "--max-parents=0", "HEAD").strip()
    assert first not in {item.revision.rev for item in build_report(store, "doc.txt").revisions}
    assert _summaries(store, f"{first}..HEAD~2") == ["Add the article", "Fix the colour"]


@pytest.mark.parametrize("bad", ["HEAD..HEAD~1", "HEAD..HEAD", "HEAD~9", "HEAD~9..", "--all"])
def test_bad_ranges_are_refused(store, bad):
    with pytest.raises(TrackerError):
        build_report(store, "doc.txt", bad)


def test_a_single_revision_that_did_not_touch_the_document_is_refused(store):
    # The config commit of init is on the branch but is not a revision of doc.txt.
    first = store.git("rev-list", "--max-parents=0", "HEAD").strip()
    with pytest.raises(TrackerError, match="is not a revision of doc.txt"):
        build_report(store, "doc.txt", first)


def test_report_pairs_each_revision_with_its_texts(store):
    items = build_report(store, "doc.txt").revisions
    assert items[0].old_text == "" and items[0].new_text.startswith("The red fox")
    assert items[1].old_text == items[0].new_text
    assert [len(item.hunks) for item in items] == [0, 1, 1, 1]
    assert build_report(store, "doc.txt").categories == {
        "factual": 1,
        "unexplained": 2,
        "style": 1,
    }


def test_unknown_format_is_refused(store):
    with pytest.raises(TrackerError):
        render(build_report(store, "doc.txt"), "pdf")


def test_json_report_carries_reviews_notes_and_categories(store):
    data = json.loads(render(build_report(store, "doc.txt"), "json"))
    assert data["range"] == "all" and data["document"] == "doc.txt"
    assert data["store"] == str(store.root)
    assert data["categories"] == {"factual": 1, "style": 1, "unexplained": 2}
    assert list(data["categories"]) == sorted(data["categories"])
    colour = data["revisions"][1]
    assert colour["review"]["status"] == "approved"
    assert colour["changes"][0]["note"]["source"] == "https://src.example/a?b=1"
    assert data["revisions"][2]["review"]["status"] == "flagged"
    assert render(build_report(store, "doc.txt"), "json").isascii()


def test_markdown_report_reads_as_a_corrections_page(store):
    text = render(build_report(store, "doc.txt"), "md")
    lines = text.splitlines()
    assert lines[0] == "# Corrections: doc.txt"
    assert lines[2].startswith("4 revision(s); range all; generated ")
    assert "| factual | 1 |" in lines and "| unexplained | 2 |" in lines
    assert lines[lines.index("| unexplained | 2 |") + 1] == ""  # the table ends
    # The revisions' headings (the notices for readers have their own, before them).
    headings = [ln for ln in lines if ln.startswith("## ") and ln != "## Notices for readers"]
    # Newest first, dated by the revision's day.
    assert headings == [
        "## 2001-01-08: Add more",
        "## 2001-01-07: Trim",
        "## 2001-01-06: Fix the colour",
        "## 2001-01-05: Add the article",
    ]
    bob = "Bob Checker \\<bob@example.org\\>"
    assert f"; approved by {bob}, 2001-01-07: Looks \\| right.*" in text
    assert f"; flagged by {bob}, 2001-01-08: Too short.*" in text
    assert "awaiting review.*" in text
    assert "Reader mail \\[1\\]" in lines
    assert lines.count("First version of the document.") == 1
    # Each revision ends with a blank line, so the next heading starts a new block.
    assert all(lines[i - 1] == "" for i, ln in enumerate(lines) if ln.startswith("## "))
    assert (
        "- **factual**, ¶1, “… The \\[here\\] fox leaps. …”: was “red”; now “green”. Colour"
        " \\<fixed\\> \\& \\*checked\\* Source: https://src.example/a?b=1."
        " Notice: correction, significant (ap policy)." in lines
    )
    assert (
        "- **unexplained**, ¶1, “… The green fox \\[here\\] . …”: was “jumps”; now “leaps”."
        " No note was recorded." in lines
    )
    assert (
        "- **style**, ¶2, “… A \\[here\\] dog sleeps. …”: was “quiet”; now nothing. Shorter"
        " Notice: no notice, minor (ap policy)." in lines
    )
    assert (
        "- **unexplained**, ¶2, “… A dog sleeps. \\[here\\]”: was nothing; now “More.”."
        " No note was recorded." in lines
    )


def test_html_report_marks_changes_notes_and_reviews(store):
    html = render(build_report(store, "doc.txt"), "html")
    assert html.startswith("<!DOCTYPE html>\n") and html.endswith("</body></html>\n")
    assert '<p class="meta">4 revision(s), range all, generated ' in html
    assert "<tr><td>factual</td><td>1</td></tr>" in html
    assert "<tr><td>unexplained</td><td>2</td></tr>" in html
    assert html.count('<li><a href="#r-') == 4
    assert "Colour &lt;fixed&gt; &amp; *checked*<br>Source: https://src.example/a?b=1" in html
    assert '<p class="reason">Reader mail [1]</p>' in html
    assert html.count("First version of the document: the baseline.") == 1
    bob = "Bob Checker &lt;bob@example.org&gt;"
    assert f'<span class="review-approved">approved by {bob}, {D3}: Looks | right</span>' in html
    assert f'<span class="review-flagged">flagged by {bob}, {D4}: Too short</span>' in html
    assert "</table>\n<nav><h2>Contents</h2><ol>\n<li>" in html
    assert "</li>\n</ol></nav>\n<section" in html
    assert html.count("</div>") == html.count('<div class="change"') == 4
    assert html.count("</section>") == html.count('<section class="revision"') == 4
    assert html.count('<span class="review-none">awaiting review</span>') == 2
    assert '<del data-change="1">red</del>' in html and '<ins data-change="1">green</ins>' in html
    assert "No note was recorded for this change." in html
    assert html.count("<h3>Change 1 (replace)</h3>") == 1
    assert "<h3>Change 2 (replace)</h3>" in html and "<h3>Change 1 (delete)</h3>" in html
    assert "<h3>Change 1 (insert)</h3>" in html
    # The unchanged context of a hunk is shown, escaped, once per hunk.
    assert (
        '<td>The <del data-change="1">red</del> fox <del data-change="2">jumps</del>.</td>' in html
    )
    assert '<td>A <del data-change="1">quiet </del>dog sleeps.</td><td>A dog sleeps.</td>' in html
    assert '<td>A dog sleeps.<ins data-change="1"> More.</ins></td>' in html


def test_two_changes_in_one_paragraph_share_one_before_after_table(tmp_path):
    store = init_store(tmp_path / "s", ANN, D1)
    (store.root / "d.txt").write_text("one two three\n", encoding="utf-8")
    record(store, "d.txt", "Add", identity=ANN, date=D1)
    (store.root / "d.txt").write_text("ONE two THREE\n", encoding="utf-8")
    record(store, "d.txt", 'Caps "now"', identity=ANN, date=D2)
    html = render(build_report(store, "d.txt", "HEAD"), "html")
    # Quotes are escaped too, so untrusted text is safe even inside an attribute.
    assert "<h2>Caps &quot;now&quot;</h2>" in html
    assert html.count('<table class="side">') == 1
    assert html.count('<div class="change"') == 2
    assert (Path(store.root) / "d.txt").exists()


def test_invisible_and_non_ascii_changes_stay_visible_and_safe(tmp_path):
    store = init_store(tmp_path / "s", ANN, D1)
    (store.root / "d.txt").write_text("café one\n", encoding="utf-8")
    record(store, "d.txt", "Add", identity=ANN, date=D1)
    (store.root / "d.txt").write_text("café\u200bone\n", encoding="utf-8")
    record(store, "d.txt", "Zero width in café", identity=ANN, date=D2)
    report = build_report(store, "d.txt", "HEAD")
    # A changed zero-width space is named where it changed, so a reviewer can see it.
    assert '<del data-change="1">·</del>' in render(report, "html")
    assert '<ins data-change="1">⟨ZWSP⟩</ins>' in render(report, "html")
    text = render(report, "json")
    assert text.isascii() and "\\u200b" in text and "caf\\u00e9" in text
    assert '\n  "document": "d.txt",\n' in text  # indented for a person reading it
