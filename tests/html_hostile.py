"""A store whose every user-written field holds hostile text, and its twin with plain text.

Both stores are built by the same steps from marker strings ``KEY-<payload>-KEY``; only the
payload differs. Their HTML reports must therefore have the same markup, and every marker
must come back, as text, where its field is shown. Used by tests/test_html_report.py and by
the browser test in tests/test_reports.py.
"""

from __future__ import annotations

from pathlib import Path

from tracker.identity import Identity
from tracker.recording import NoteInput, add_later_note, add_review, init_store, record

# Markup, a raw-text end tag, CDATA and comment openers, an entity look-alike (already
# escaped once), a real entity, attribute quotes, a BEL, an ANSI escape and a bidi override.
HOSTILE = (
    "< > & \" ' </style> <script>alert(1)</script> ]]> <!-- x --> &amp;lt; &lt; "
    '<b title="t">b</b> \x07\x1b[31m\u202e'
)
# The same, as a reader sees it: the report shows control and bidi characters as visible
# placeholders (tracker/text/escape.py) instead of dropping or obeying them.
HOSTILE_SHOWN = (
    "< > & \" ' </style> <script>alert(1)</script> ]]> <!-- x --> &amp;lt; &lt; "
    '<b title="t">b</b> ␇␛[31m⟨RLO⟩'
)
PLAIN = "plain words"
# Git strips "<", ">" and trailing punctuation from author names, so names get a payload
# that git keeps as typed (a BEL included) and that is still markup-significant.
NAME_HOSTILE = "& \"q\" 'e' &amp;lt; \x07 x"
NAME_SHOWN = "& \"q\" 'e' &amp;lt; ␇ x"
# A file name cannot hold "/" (nor, here, control characters).
FILE_HOSTILE = "< > & \" ' <script>alert(1)<script> ]]> <!-- x --> &amp;lt; &lt;"

# Long past, so that no clock date makes them "in the future" (refused).
DATE1 = "2001-01-05T10:00:00+01:00"
DATE2 = "2001-01-05T11:00:00+01:00"
DATE3 = "2001-01-05T12:00:00+01:00"
DATE4 = "2001-01-05T13:00:00+01:00"
DATE5 = "2001-01-05T14:00:00+01:00"

# Where each marker is written. The report test checks that each shows up in its section.
FIELDS = {
    "DOC": "document name",
    "CAT": "note category (a store's own category list)",
    "SUM1": "summary of the baseline revision",
    "SUM2": "summary of the correcting revision",
    "R2A": "reason, first paragraph",
    "R2B": "reason, second paragraph",
    "C1": "unchanged text before a deletion",
    "C2": "unchanged text after a deletion",
    "C3": "unchanged text before an insertion",
    "D1": "deleted text",
    "I1": "inserted text never explained",
    "I2": "inserted text explained only by a later note",
    "I3": "inserted text whose note was corrected later",
    "N1": "note recorded with the revision",
    "S1": "source of that note",
    "N2": "note recorded with the revision, later corrected",
    "E1": "the later correction of that note",
    "S2": "source of the later correction",
    "L1": "later note on a change recorded without one",
    "V1": "review comment",
    "A1": "author of the revisions",
    "A2": "author of the later notes",
    "A3": "reviewer",
}


def marker(key: str, payload: str) -> str:
    """A unique string around ``payload``: found by its key, compared in full."""
    return f"{key}-{payload}-{key}"


def build(root: Path, hostile: bool) -> Path:
    """Make the store (hostile or plain) under ``root`` and return its path."""
    payload = HOSTILE if hostile else PLAIN
    name = NAME_HOSTILE if hostile else PLAIN

    def m(key: str) -> str:
        return marker(key, payload)

    def who(key: str) -> Identity:
        return Identity(marker(key, name), f"{key.lower()}@example.org")

    category = marker("CAT", payload)
    store = init_store(root, who("A1"), DATE1, categories=("factual", "other", category))
    document = f"doc {marker('DOC', FILE_HOSTILE if hostile else PLAIN)}.txt"
    # Each changed paragraph keeps unchanged text on both sides of its change, so the
    # report's side-by-side table shows context that must be escaped like the rest.
    before = (
        f"Opening paragraph stays.\n\nThe claim {m('C1')} then {m('D1')} and {m('C2')} ends.\n\n"
        f"Middle paragraph stays.\n\nClosing {m('C3')} words.\n\nLast line.\n"
    )
    after = (
        f"Opening paragraph stays.\n\nThe claim {m('C1')} then and {m('C2')} ends.\n\n"
        f"Middle {m('I3')} paragraph stays.\n\nClosing {m('C3')} {m('I1')} words.\n\n"
        f"Last {m('I2')} line.\n"
    )
    path = store.root / document
    path.write_text(before, encoding="utf-8")
    record(store, document, m("SUM1"), identity=who("A1"), date=DATE1)
    path.write_text(after, encoding="utf-8")
    notes = {1: NoteInput(m("N1"), category, m("S1")), 2: NoteInput(m("N2"), "other")}
    reason = f"{m('R2A')}\n\n{m('R2B')}"
    record(store, document, m("SUM2"), reason, notes, identity=who("A1"), date=DATE2)
    add_later_note(store, "HEAD", 2, NoteInput(m("E1"), "other", m("S2")), who("A2"), DATE3)
    add_later_note(store, "HEAD", 4, NoteInput(m("L1"), "factual"), who("A2"), DATE4)
    add_review(store, "HEAD", "flagged", m("V1"), who("A3"), DATE5)
    return store.root
