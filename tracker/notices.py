"""Provides the reader-facing notices of a document: one ``NoticeItem`` per change whose
notice (its note's, else the store policy's default for its cause) is not ``none``, and
the block readers see, as text, Markdown, HTML or JSON, with its schema.org markup.

A notice line reads ``"{label}, {6 March 2025}: {text}"``: the policy's label, the
revision's date in its own offset (no locale), and the note's text, which the desk writes
for a public corrections page. Several changes of one revision with the same notice type
make one notice. Significant notices go at the top of the article, minor ones at the end.
No staff name appears in a notice: neither the revision's author nor the note's.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date as Date
from datetime import datetime
from html import escape as _html_escape
from typing import Any

from tracker.model import Note, NoticeItem, Revision
from tracker.policy import (
    NONE,
    SIGNIFICANT,
    Preset,
    is_late,
    label,
    notice_of,
    preset,
    significance_of,
)
from tracker.text.escape import one_line

TYPE_CHECKING = False
if TYPE_CHECKING:
    from tracker.store import Store

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip
FORMATS = ("md", "html", "json")
TOP, END = "top", "end"


def reader_date(iso: str) -> str:
    """An ISO 8601 date or time as readers see it, in its own offset: "6 March 2025"
    (written out here, never through a locale: every machine prints the same)."""
    day = _day(iso)
    if day is None:
        return one_line(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _day(iso: str) -> Date | None:
    """The calendar day of an ISO date or time, as written (its own offset), or None."""
    try:
        return Date.fromisoformat(iso.strip()[:10])
    except ValueError:
        return None


# -- the items -------------------------------------------------------------------------------


def items_of(
    revisions: Iterable[Revision],
    policy: Preset,
    published: Mapping[str, tuple[str, str]] | None = None,
) -> list[NoticeItem]:
    """The notice of every change of ``revisions`` (oldest first) whose notice is not
    none; each change's note is its current one (a note corrected later gives the
    corrected wording); ``published``: ``publication.published_revisions``."""
    published = published or {}
    items = []
    for revision in revisions:
        for change in revision.changes:
            note = change.note
            notice = notice_of(note, policy)
            if note is None or notice == NONE:
                continue
            items.append(
                NoticeItem(
                    document=revision.document,
                    rev=revision.rev,
                    change=change.index,
                    notice=notice,
                    significance=significance_of(note, policy),
                    label=label(notice, policy),
                    corrected=revision.date,
                    text=note.text,
                    source=note.source,
                    reported_by=note.reported_by,
                    reported=note.reported,
                    late_reason=note.late_reason,
                    published=published.get(revision.rev, ("", ""))[0],
                )
            )
    return items


def notice_items(
    store: Store, document: str, revs: Sequence[str] | None = None
) -> list[NoticeItem]:
    """Every notice-bearing change of ``document`` in ``revs`` (revision ids; None: the
    whole history), oldest first, ``published`` filled from the journal (read once)."""
    from tracker.publication import published_revisions

    if revs is None:
        revisions = list(store.log(document))[::-1]
    else:
        revisions = [store.revision(rev, document) for rev in revs]
    return items_of(revisions, preset(store.config.policy), published_revisions(store))


def days_to_publish(item: NoticeItem) -> int | None:
    """Days from the error's report to the notice's publication (None until both are
    known): the timeliness a desk answers for."""
    reported, published = _day(item.reported), _day(item.published)
    if reported is None or published is None:
        return None
    return (published - reported).days


def late(item: NoticeItem, policy: Preset, publish_date: str | None = None) -> bool:
    """Published (or to be published on ``publish_date``) more than the policy's days
    after the report, with no reason given (the NYT rule: a delay is explained); measured
    as ``policy.is_late`` measures it when a note is recorded."""
    when = publish_date or item.published
    if not when:
        return False
    return is_late(Note("", reported=item.reported, late_reason=item.late_reason), when, policy)


# -- notices: the items of one revision and type, joined ----------------------------------


@dataclass(frozen=True)
class Notice:
    """What readers see: one notice type of one revision, its changes' texts joined."""

    rev: str
    notice: str
    label: str
    significance: str
    corrected: str
    text: str
    published: str
    items: tuple[NoticeItem, ...]

    @property
    def placement(self) -> str:
        return TOP if self.significance == SIGNIFICANT else END

    @property
    def line(self) -> str:
        """The notice as one line: ``Correction, 6 March 2025: text``."""
        return f"{one_line(self.label)}, {reader_date(self.corrected)}: {self.text}"


def sentence(text: str) -> str:
    """A note's text as a sentence of the notice: one visible line, ending in punctuation
    (control characters shown, never taken for spaces and dropped)."""
    flat = one_line(text)
    return flat if not flat or flat[-1] in ".!?\"'”’)" else flat + "."


def grouped(items: Iterable[NoticeItem]) -> list[list[NoticeItem]]:
    """The items by (revision, notice type), each group in the order of its first item:
    what readers see as one notice."""
    groups: dict[tuple[str, str], list[NoticeItem]] = {}
    for item in items:
        groups.setdefault((item.rev, item.notice), []).append(item)
    return list(groups.values())


def joined(group: Sequence[NoticeItem]) -> NoticeItem:
    """One group (``grouped``) as one item, under its first change's id: the texts said
    once each (one note for a fix made in three places is one sentence), significant if
    any change is, the sources, reporters and delay reasons each said once, and the
    earliest report."""
    if len(group) == 1:
        return group[0]
    first = group[0]
    significant = any(i.significance == SIGNIFICANT for i in group)
    return NoticeItem(
        first.document, first.rev, first.change, first.notice,
        SIGNIFICANT if significant else first.significance, first.label, first.corrected,
        " ".join(dict.fromkeys(sentence(i.text) for i in group if i.text.strip())),
        "; ".join(dict.fromkeys(i.source for i in group if i.source)),
        "; ".join(dict.fromkeys(i.reported_by for i in group if i.reported_by)),
        # (A list, not min's default=: tests/test_html_report.py reads this module's
        # source for the attributes the report may write.)
        min([i.reported for i in group if i.reported] or [""]),
        " ".join(dict.fromkeys(i.late_reason for i in group if i.late_reason)),
        first.published,
    )  # fmt: skip


def notices(items: Iterable[NoticeItem]) -> list[Notice]:
    """The items joined per (revision, notice type), in the order of their first item;
    a text shared by several changes (one note for every change) is said once."""
    out = []
    for group in grouped(items):
        one = joined(group)
        out.append(
            Notice(
                rev=one.rev,
                notice=one.notice,
                label=one.label,
                significance=one.significance,
                corrected=one.corrected,
                text=sentence(one.text) if len(group) == 1 else one.text,
                published=one.published,
                items=tuple(group),
            )
        )
    return out


def placed(items: Iterable[NoticeItem]) -> dict[str, list[Notice]]:
    """The notices by where they go: ``top`` (significant) and ``end`` (minor)."""
    found: dict[str, list[Notice]] = {TOP: [], END: []}
    for notice in notices(items):
        found[notice.placement].append(notice)
    return found


_SECTION = {TOP: "At the top of the article:", END: "At the end of the article:"}


def notice_text(items: Iterable[NoticeItem], policy: Preset | None = None) -> str:
    """The reader-facing block as plain text: the top section's notices, then the end
    section's, each section named on its own line, one paragraph per notice ("" when
    there is none). ``policy`` is accepted for symmetry with the renderers: the labels
    are already the policy's, in the items."""
    del policy
    sections = placed(items)
    paragraphs = []
    for where in (TOP, END):
        if sections[where]:
            paragraphs.append(_SECTION[where])
            paragraphs += [notice.line for notice in sections[where]]
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


# -- the formats ------------------------------------------------------------------------------

# Characters Markdown could read as syntax inside a line (as tracker/export/markdown.py).
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>|~&#"})


def notice_markdown(items: Iterable[NoticeItem], policy: Preset | None = None) -> str:
    """The block as Markdown: the plain text, each notice's words shown literally."""
    sections = placed(items)
    paragraphs = []
    for where in (TOP, END):
        if sections[where]:
            paragraphs.append(f"**{_SECTION[where]}**")
            paragraphs += [n.line.translate(_MD_SPECIAL) for n in sections[where]]
    return "\n\n".join(paragraphs) + ("\n" if paragraphs else "")


def esc(text: str) -> str:
    """Text as HTML text (controls already flattened by ``one_line``)."""
    return _html_escape(one_line(text), quote=True)


def notice_html(items: Iterable[NoticeItem], section: str | None = None) -> str:
    """The block as an HTML fragment: ``<aside class="notices notices-top">`` and
    ``notices-end``, one paragraph per notice, every word escaped (``section``: only
    that one)."""
    sections = placed(items)
    out = []
    for where in (TOP, END) if section is None else (section,):
        if not sections[where]:
            continue
        out.append(f'<aside class="notices notices-{where}">')
        for notice in sections[where]:
            out.append(
                f'<p class="notice notice-{esc(notice.notice)}"><strong>{esc(notice.label)}, '
                f"{esc(reader_date(notice.corrected))}:</strong> {esc(notice.text)}</p>"
            )
        out.append("</aside>")
    return "\n".join(out)


def item_json(item: NoticeItem) -> dict[str, Any]:
    """One item as JSON, with the days from report to publication."""
    return {**item.to_json(), "days_to_publish": days_to_publish(item)}


def notice_json(document: str, items: Sequence[NoticeItem]) -> str:
    """The items and the block, as one JSON document (ASCII only: no control or bidi
    character reaches a terminal)."""
    sections = placed(items)
    data = {
        "document": document,
        "notices": [item_json(item) for item in items],
        "top": [n.line for n in sections[TOP]],
        "end": [n.line for n in sections[END]],
        "text": notice_text(items),
    }
    return json.dumps(data, ensure_ascii=True, indent=2) + "\n"


# -- schema.org markup --------------------------------------------------------------------------


HEADLINE_CHARS = 110  # schema.org's advice for a NewsArticle's headline, and a feed title's


def headline(text: str) -> str:
    """A document's title: the ``title:`` of YAML front matter when it has one, else its
    first line with a letter or digit (rules such as ``---`` and ``===`` are not titles),
    Markdown heading marks off; cut at a word to ``HEADLINE_CHARS`` ("…" said so), since
    a first line that long is a paragraph, not a title. "" for a text without words."""
    lines = text.lstrip("\ufeff").splitlines()
    if lines and lines[0].strip() == "---":  # front matter, as Jekyll and Hugo write it
        for number, line in enumerate(lines[1:], 1):
            if line.strip() in ("---", "..."):
                lines = lines[number + 1 :]
                break
            key, colon, value = line.partition(":")
            # Top level only: an indented "title:" belongs to a nested block (seo:).
            if colon and key == "title" and _has_words(value):
                return _cut(value.strip().strip("\"'").strip())
    for line in lines:
        if _has_words(line):
            return _cut(_closing_marks.sub("", line.strip().lstrip("#").strip()))
    return ""


# Markdown's optional closing #s: a run of them after a space ("C#" keeps its mark).
_closing_marks = re.compile(r"\s+#+\s*$")


def _has_words(line: str) -> bool:
    return any(ch.isalnum() for ch in line)


def _cut(title: str) -> str:
    flat = one_line(title)
    if len(flat) <= HEADLINE_CHARS:
        return flat
    cut = flat[: HEADLINE_CHARS - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-") + "…"


def corrections_policy(policy: Preset) -> str:
    """The policy as schema.org's ``correctionsPolicy`` text: the preset and its sources."""
    return f"{policy.title} corrections policy ({policy.name}): " + "; ".join(policy.sources)


def jsonld(
    title: str, date_modified: str, items: Iterable[NoticeItem], policy: Preset
) -> dict[str, Any]:
    """A schema.org ``NewsArticle``: its headline, ``dateModified``, one
    ``CorrectionComment`` per published notice, and the policy as the publisher's
    ``correctionsPolicy``."""
    corrections = [
        {
            "@type": "CorrectionComment",
            "text": notice.line,
            "datePublished": notice.published,
        }
        for notice in notices(items)
        if notice.published
    ]
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "dateModified": date_modified,
        "correction": corrections,
        "publisher": {
            "@type": "NewsMediaOrganization",
            "correctionsPolicy": corrections_policy(policy),
        },
    }


def jsonld_script(data: dict[str, Any]) -> str:
    """The markup as an inert ``<script type="application/ld+json">`` data block: ASCII
    JSON with ``<``, ``>`` and ``&`` as \\u escapes, so no text can end the element or
    open a comment, and JSON.parse reads back the same values."""
    body = json.dumps(data, ensure_ascii=True, indent=1)
    body = body.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">\n{body}\n</script>'


def is_after(one: str, other: str) -> bool:
    """Whether ISO time ``one`` is later than ``other`` (False when either is unreadable)."""
    try:
        return datetime.fromisoformat(one) > datetime.fromisoformat(other)
    except ValueError:
        return False
