"""Generated notices, publishing after sign-off, timeliness (issue 11, parts 2, 5, 6).

One small store serves most tests: a baseline, a revision (dated in another offset than
UTC) that corrects a fact and clarifies a sentence, a style revision with no notice, and a
later note that corrects the first correction's wording.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker import porcelain, publication
from tracker.errors import PublishRefusedError
from tracker.model import NoteInput, NoticeItem
from tracker.notices import (
    days_to_publish,
    late,
    notice_items,
    notice_text,
    notices,
    reader_date,
)
from tracker.policy import PRESETS
from tracker.publication import published_revisions
from tracker.recording import add_later_note, add_review, record

from conftest import ANN, BOB, run_cli

CAROL = "Carol Desk <carol@example.org>"

BASE = "Storm hits coast\n\nThe storm hit Dover on Monday. Ten homes were damaged.\n"
FIXED = (
    "Storm hits coast\n\nThe storm hit Folkestone on Monday. Twelve homes were damaged, "
    "the council said.\n"
)
STYLED = FIXED.replace("Storm hits coast", "Storm hits the coast")


def _record(store, text: str, summary: str, notes: dict, when: str, who=ANN) -> str:
    (store.root / "a.txt").write_text(text, encoding="utf-8")
    return record(store, "a.txt", summary, "", notes, who, when)


@pytest.fixture
def desk(store, monkeypatch):
    """A store with three revisions of a.txt (see the module docstring); the current
    folder is the store's, as for a user who runs the commands there."""
    from tracker.recording import record as rec

    monkeypatch.chdir(store.root)
    (store.root / "a.txt").write_text(BASE, encoding="utf-8")
    rec(store, "a.txt", "Baseline", "", {}, ANN, "2025-06-05T11:00:00+01:00")
    fix = _record(
        store,
        FIXED,
        "Correct the town and the count",
        {
            1: NoteInput(
                "An earlier version misstated where the storm hit. It hit Folkestone.",
                "factual",
                notice="correction",
                significance="significant",
                reported_by="A reader",
                reported="2025-06-01",
            ),
            2: NoteInput(
                "An earlier version gave the wrong number of homes damaged. It was 12.",
                "factual",
            ),
            3: NoteInput("The count is the council's.", "sourcing", "Council statement"),
        },
        # 23:30 at UTC-5 is already 7 June in UTC: the notice says the revision's own day.
        "2025-06-06T23:30:00-05:00",
    )
    style = _record(
        store, STYLED, "Headline style", {0: NoteInput("House style.", "style")},
        "2025-06-08T09:00:00+01:00",
    )  # fmt: skip
    store.refresh()
    return store, fix, style


def test_wording_dates_grouping_and_placement(desk):
    store, fix, _style = desk
    items = notice_items(store, "a.txt")
    # The style change has notice none (never shown); three changes bear notices.
    assert [(i.rev, i.change, i.notice) for i in items] == [
        (fix, 1, "correction"),
        (fix, 2, "correction"),
        (fix, 3, "clarification"),
    ]
    text = notice_text(items)
    # Two corrections of one revision join into one notice; significant at the top,
    # the minor clarification at the end; the date is the revision's own day.
    assert text == (
        "At the top of the article:\n\n"
        "Correction, 6 June 2025: An earlier version misstated where the storm hit. It hit "
        "Folkestone. An earlier version gave the wrong number of homes damaged. It was 12.\n\n"
        "At the end of the article:\n\n"
        "Clarification, 6 June 2025: The count is the council's.\n"
    )
    # No staff names: neither the revision's author nor the notes' reach readers.
    assert "Ann" not in text and "example.org" not in text


def test_a_later_note_gives_the_corrected_wording(desk):
    store, fix, _style = desk
    add_later_note(
        store, fix, 3,
        NoteInput("The count of 12 homes is the council's.", "sourcing", "Council statement"),
        BOB, "2025-06-09T10:00:00+01:00",
    )  # fmt: skip
    store.refresh()
    items = notice_items(store, "a.txt", [fix])
    assert items[-1].text == "The count of 12 homes is the council's."
    assert "The count is the council's." not in notice_text(items)


def test_policy_labels_and_reuters(desk):
    store, fix, _style = desk
    from tracker.export import revisions_in_range
    from tracker.notices import items_of

    revisions = revisions_in_range(store, "a.txt")
    reuters = notice_text(items_of(revisions, PRESETS["reuters"]))
    assert reuters.startswith("At the top of the article:\n\nCORRECTED, 6 June 2025: ")
    assert "CLARIFIED, 6 June 2025: The count" in reuters


@given(st.dates(date(1900, 1, 1), date(2199, 12, 31)), st.sampled_from(["+14:00", "-12:00", "Z"]))
@settings(max_examples=60, deadline=None)
def test_reader_dates_are_the_day_as_written(day, offset):
    shown = reader_date(f"{day.isoformat()}T23:59:59{offset}")
    number, month, year = shown.split(" ")
    # Read back: the same calendar day, whatever the offset and the machine's locale.
    months = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]  # fmt: skip
    assert date(int(year), months.index(month) + 1, int(number)) == day


def test_untrusted_text_stays_text():
    item = NoticeItem(
        "a.txt", "r" * 40, 1, "correction", "significant", "Correction",
        "2025-03-06T10:00:00+01:00", "Bad \x1b[31mred\x1b[0m\nline <b>x</b> & *y*",
    )  # fmt: skip
    text = notice_text([item])
    assert "\x1b" not in text and text.count("\n") == 3  # one line per notice
    from tracker.notices import notice_html, notice_markdown

    html = notice_html([item])
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html
    assert "\\*y\\*" in notice_markdown([item]) and "\\<b\\>" in notice_markdown([item])


def test_one_note_for_every_change_is_said_once():
    items = [
        NoticeItem(
            "a.txt",
            "r" * 40,
            n,
            "update",
            "minor",
            "Update",
            "2025-03-06T10:00:00+01:00",
            "New figures came in",
        )  # fmt: skip
        for n in (1, 2, 3)
    ]
    (notice,) = notices(items)
    assert notice.line == "Update, 6 March 2025: New figures came in."


# -- publishing -------------------------------------------------------------------------------


def test_publish_is_refused_without_a_second_editors_sign_off(desk):
    store, fix, _style = desk
    # No review at all, then the author's own approval: neither is a sign-off.
    with pytest.raises(PublishRefusedError, match="no second editor's approval"):
        porcelain.publish(store, "a.txt", author=CAROL, date="2025-06-09T12:00:00+01:00")
    add_review(store, fix, "approved", "", ANN, "2025-06-09T10:00:00+01:00")
    store.refresh()
    journal_before = store.git("rev-parse", "refs/tracker/journal")
    with pytest.raises(PublishRefusedError, match=fix[:12]):
        porcelain.publish(store, "a.txt", author=CAROL, date="2025-06-09T12:00:00+01:00")
    assert store.git("rev-parse", "refs/tracker/journal") == journal_before  # nothing written
    assert published_revisions(store) == {}


def test_publish_after_sign_off_and_published_dates(desk, monkeypatch):
    store, fix, style = desk
    add_review(store, fix, "approved", "", BOB, "2025-06-09T10:00:00+01:00")
    store.refresh()
    done = porcelain.publish(store, "a.txt", author=CAROL, date="2025-06-09T12:00:00+01:00")
    # The baseline and the style revision have no notice: they need no sign-off, and
    # are published with the rest of the range (oldest first).
    assert done.revisions[1:] == (fix, style) and done.notices == 3
    events = [
        json.loads(line.partition("Tracker-Event: ")[2])
        for line in store.git("log", "-1", "--format=%B", "refs/tracker/journal").splitlines()
        if line.startswith("Tracker-Event: ")
    ]
    assert events == [
        {
            "v": 1,
            "event": "publish",
            "document": "a.txt",
            "revisions": list(done.revisions),
            "date": "2025-06-09T12:00:00+01:00",
            "author": CAROL,
        }  # fmt: skip
    ]
    # The journal read through the reader, or by one git log (a long journal): the same.
    walked = published_revisions(store)
    assert set(walked) == set(done.revisions)
    monkeypatch.setattr(publication, "WALK_LIMIT", 0)
    assert published_revisions(store) == walked
    # Publishing again names nothing new, and writes nothing.
    again = porcelain.publish(store, "a.txt", author=CAROL, date="2025-06-10T12:00:00+01:00")
    assert again.revisions == () and again.journal_commit == ""
    items = notice_items(store, "a.txt")
    assert {i.published for i in items} == {"2025-06-09T12:00:00+01:00"}
    # Reported 1 June, published 9 June: 8 days.
    assert [days_to_publish(i) for i in items] == [8, None, None]
    assert not porcelain.verify(store).findings


def test_a_late_correction_needs_its_reason(desk):
    store, fix, _style = desk
    add_review(store, fix, "approved", "", BOB, "2025-06-09T10:00:00+01:00")
    store.refresh()
    # Reported 1 June (midnight UTC): 30 days later is allowed, a minute more is late.
    item = notice_items(store, "a.txt")[0]
    policy = PRESETS["nyt"]
    assert not late(item, policy, "2025-07-01T01:00:00+01:00")
    assert late(item, policy, "2025-07-01T01:01:00+01:00")
    with pytest.raises(PublishRefusedError, match="more than 30 days .* does not say why"):
        porcelain.publish(store, "a.txt", author=CAROL, date="2025-07-02T09:00:00+01:00")
    add_later_note(
        store, fix, 1,
        NoteInput(item.text, "factual", notice="correction", significance="significant",
                  reported_by="A reader", reported="2025-06-01",
                  late_reason="The council confirmed the count only on 1 July."),
        BOB, "2025-07-01T10:00:00+01:00",
    )  # fmt: skip
    store.refresh()
    done = porcelain.publish(store, "a.txt", author=CAROL, date="2025-07-02T09:00:00+01:00")
    assert fix in done.revisions


# -- the CLI ----------------------------------------------------------------------------------


def test_cli_formats_and_published(desk):
    store, fix, _style = desk
    root = store.root
    md = run_cli("notice", "a.txt", cwd=root)
    assert md.code == 0 and md.out.startswith("**At the top of the article:**\n\nCorrection, ")
    data = json.loads(run_cli("notice", "a.txt", "--format", "json", cwd=root).out)
    assert [n["change"] for n in data["notices"]] == [1, 2, 3]
    assert data["notices"][0]["days_to_publish"] is None  # not yet published
    assert data["top"][0].startswith("Correction, 6 June 2025: ")
    # A range as export takes it (the only document implied): only the style revision,
    # which has no notice.
    only_style = run_cli("notice", "HEAD", "--format", "json", cwd=root)
    assert json.loads(only_style.out)["notices"] == []
    # Nothing is published yet: --published shows no notice at all.
    empty = run_cli("notice", "a.txt", "--published", cwd=root)
    assert empty.code == 0 and empty.out == "" and "No notices" in empty.err
    refused = run_cli("publish", "a.txt", cwd=root)
    assert refused.code == 1 and refused.err.count("\n") == 1 and "Traceback" not in refused.err
    assert "no second editor's approval" in refused.err
    add_review(store, fix, "approved", "", BOB, "2025-06-09T10:00:00+01:00")
    done = run_cli(
        "publish", "a.txt", "--author", CAROL, "--date", "2025-06-09T12:00:00+01:00", "--json",
        cwd=root,
    )  # fmt: skip
    assert done.code == 0 and json.loads(done.out)["author"] == CAROL
    shown = run_cli("notice", "a.txt", "--published", "--format", "html", cwd=root).out
    assert '<aside class="notices notices-top">' in shown and "application/ld+json" in shown


def test_export_shows_notices_and_only_published_ones(desk):
    store, fix, _style = desk
    md = porcelain.export(store, "a.txt", fmt="md")
    assert "## Notices for readers" in md and "not yet published" in md
    # Significant at the top (before the revisions), minor at the end (after them).
    top, end = md.index("Correction, 6 June 2025"), md.index("Clarification, 6 June 2025")
    assert top < md.index("## 2025-06-08") < end
    assert "Notices for readers" not in porcelain.export(store, "a.txt", fmt="md", published=True)
    add_review(store, fix, "approved", "", BOB, "2025-06-09T10:00:00+01:00")
    porcelain.publish(store, "a.txt", author=CAROL, date="2025-06-09T12:00:00+01:00")
    store.refresh()
    html = porcelain.export(store, "a.txt", fmt="html", published=True)
    assert "Correction, 6 June 2025" in html and "9 June 2025" in html
    assert "<td>8</td>" in html  # reported to published, in days
    data = json.loads(porcelain.export(store, "a.txt", fmt="json", published=True))
    assert [n["days_to_publish"] for n in data["notices"]] == [8, None, None]


# -- verify -----------------------------------------------------------------------------------


def _journal_publish(store, revs: list[str], when: str) -> None:
    """A publish event written behind the tracker's back (as plain git could)."""
    from tracker.git.write import append_journal

    event = {"v": 1, "event": "publish", "document": "a.txt", "revisions": revs,
             "date": when, "author": CAROL}  # fmt: skip
    append_journal(store, event, ANN, when)
    store.refresh()


def test_verify_names_an_unapproved_and_a_late_notice(desk):
    store, fix, _style = desk
    _journal_publish(store, [fix], "2025-07-05T09:00:00+01:00")
    kinds = sorted(f.kind for f in porcelain.verify(store).findings)
    assert kinds == ["late-notice", "unapproved-notice"]
    found = {f.kind: f for f in porcelain.verify(store).findings}
    assert fix[:12] in found["unapproved-notice"].message
    assert "34 days" in found["late-notice"].message
    # verify --since checks the publish events written after the verified point too.
    since = sorted(f.kind for f in porcelain.verify(store, since="HEAD").findings)
    assert since == ["late-notice", "unapproved-notice"]


def test_verify_names_an_approval_given_only_after_publication(desk):
    store, fix, _style = desk
    _journal_publish(store, [fix], "2025-06-09T09:00:00+01:00")
    add_review(store, fix, "approved", "", BOB, "2025-06-10T10:00:00+01:00")
    store.refresh()
    (finding,) = porcelain.verify(store).findings
    assert finding.kind == "unapproved-notice" and "after it was published" in finding.message


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Storm hits coast ##\n\nBody.\n", "Storm hits coast"),
        ("\ufeff\n\nStorm hits coast\n=====\n", "Storm hits coast"),
        ('---\nlayout: post\ntitle: "Storm: day two"\n---\n# Other\n', "Storm: day two"),
        ("---\nlayout: post\n---\n\n***\nStorm hits coast\n", "Storm hits coast"),
        ("PEP: 8\nTitle: Style Guide\n", "PEP: 8"),
        ("# Why we moved to C#\n", "Why we moved to C#"),
        ("---\nseo:\n  title: SEO blurb\ntitle: Real title\n---\n", "Real title"),
        ("-- ==\n", ""),
        ("", ""),
    ],
)
def test_a_headline_is_the_title_a_reader_knows_the_article_by(text, title):
    from tracker.notices import headline

    assert headline(text) == title


@settings(max_examples=60, deadline=None)
@given(st.text())
def test_a_headline_is_one_short_visible_line_of_the_text(text):
    from tracker.notices import HEADLINE_CHARS, headline

    title = headline(text)
    assert len(title) <= HEADLINE_CHARS
    assert title == " ".join(title.split())  # one line, no stray whitespace
    assert not any(ch < " " or "\x7f" <= ch <= "\x9f" for ch in title)
    if not any(ch.isalnum() for ch in text):
        assert title == ""  # no words, no title (a rule or a blank page names none)


def test_a_paragraph_is_cut_at_a_word_and_says_so():
    from tracker.notices import HEADLINE_CHARS, headline

    title = headline("word " * 60)
    assert title.endswith("word…") and len(title) <= HEADLINE_CHARS
