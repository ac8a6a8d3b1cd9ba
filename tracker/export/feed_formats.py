"""Provides the corrections feed's formats: Atom 1.0 (RFC 4287), JSON Feed 1.1 and the
newsroom's corrections page in HTML, all from one ``Feed`` (tracker/export/feed.py).

Every text in them (notes, sources, document names) comes from people: it is escaped for
each syntax, and control, bidi and other characters XML cannot carry are made visible
(``tracker.text.escape.visible``), so a note holding ``]]>``, ``<script>`` or an ESC stays
text in every format. The output depends on the store alone (no "generated at" time), so
two runs give the same bytes and a feed reader sees no false news.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from html import escape as _escape
from typing import Any

from tracker.model import Feed, NoticeItem
from tracker.notices import days_to_publish, reader_date, sentence
from tracker.policy import LATE_AFTER_DAYS, preset
from tracker.text.escape import visible

AUTHOR = "The standards desk"  # a feed's author: the desk, never a member of staff
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_NS = "http://www.w3.org/2005/Atom"
# What XML 1.0 cannot hold at all (surrogates, U+FFFE, U+FFFF): the replacement character.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """Untrusted text made safe to show in any of the formats (still to be escaped)."""
    shown = visible(text)
    return shown if shown.isascii() else _NOT_XML.sub("\ufffd", shown)


@lru_cache(maxsize=1 << 14)
def day(text: str) -> str:
    """An ISO 8601 date as the article's notices give it ("6 March 2025",
    ``notices.reader_date``), safe for every format; remembered, since dates repeat."""
    return clean(reader_date(text))


# Labels, notice types and document names repeat from entry to entry: cleaned once each
# (a feed of 20,000 notices spent a third of its time cleaning the same few strings).
_short = lru_cache(maxsize=1 << 14)(clean)


def wording(item: NoticeItem) -> str:
    """The notice as readers see it, as the article shows it (tracker notice):
    "Correction, 6 March 2025: <the note's text, one line, ending as a sentence>"."""
    return f"{_short(item.label)}, {day(item.corrected)}: {clean(sentence(item.text))}"


def timeliness(item: NoticeItem) -> str:
    """From report to published correction, and why it took longer when it did."""
    if not item.reported:
        return ""
    said = f"Reported {day(item.reported)}"
    taken = days_to_publish(item)
    if taken is not None and taken >= 0:
        said += f"; corrected {taken} day{'s' if taken != 1 else ''} after the report"
        if taken > LATE_AFTER_DAYS and item.late_reason:
            said += f" ({clean(item.late_reason)})"
    return said + "."


def details(item: NoticeItem) -> list[str]:
    """The lines below a notice: its source, its timeliness, whether it is published."""
    lines = []
    if item.source:
        lines.append(f"Source: {clean(item.source)}")
    if when := timeliness(item):
        lines.append(when)
    lines.append(f"Published {day(item.published)}." if item.published else "Not yet published.")
    return lines


def title_of(feed: Feed, item: NoticeItem) -> str:
    """An entry's title: the notice's label and the document's headline (else its path)."""
    return f"{_short(item.label)}: {_short(feed.headline(item))}"


def _updated(item: NoticeItem) -> str:
    return item.published or item.corrected


def render_feed(feed: Feed, fmt: str) -> str:
    """The feed in ``fmt`` (atom, json, html)."""
    if fmt == "json":
        return render_json_feed(feed)
    if fmt == "html":
        return render_feed_html(feed)
    return render_atom(feed)


# -- Atom 1.0 --------------------------------------------------------------------------------


def _x(text: str) -> str:
    """Text as XML character data or an attribute value (quotes escaped too)."""
    return _escape(clean(text), quote=True)


_xs = lru_cache(maxsize=1 << 14)(_x)  # for the strings that repeat (labels, types)


def render_atom(feed: Feed) -> str:
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang="en">',
        f"  <id>{_x(feed.id)}</id>",
        f'  <title type="text">{_x(feed.title)}</title>',
        f"  <updated>{_x(feed.updated)}</updated>",
        f"  <author><name>{_x(AUTHOR)}</name></author>",
        '  <generator uri="https://tracker.invalid/">tracker</generator>',
    ]
    if feed.base_url:
        out.append(f'  <link rel="alternate" type="text/html" href="{_x(feed.base_url)}"/>')
    for item in feed.items:
        # Each untrusted text is cleaned once, then escaped (html.escape is XML's too).
        said = _escape(wording(item))
        pending = "" if item.published else " (not yet published)"
        entry = [
            "  <entry>",
            f"    <id>{_x(feed.entry_id(item))}</id>",
            f'    <title type="text">{_escape(title_of(feed, item))}{pending}</title>',
            f"    <updated>{_xs(_updated(item))}</updated>",
        ]
        if item.published:
            entry.append(f"    <published>{_xs(item.published)}</published>")
        if link := feed.link(item):
            entry.append(f'    <link rel="alternate" type="text/html" href="{_x(link)}"/>')
        content = "\n".join([said, *(_escape(line) for line in details(item))])
        entry += [
            f'    <category term="{_xs(item.notice)}" label="{_xs(item.label)}"/>',
            f'    <category term="{_xs(item.significance)}" label="significance"/>',
            f'    <summary type="text">{said}</summary>',
            f'    <content type="text">{content}</content>',
            "  </entry>",
        ]
        out += entry
    out.append("</feed>")
    return "\n".join(out) + "\n"


# -- JSON Feed 1.1 ---------------------------------------------------------------------------


def json_feed(feed: Feed) -> dict[str, Any]:
    """The feed as a JSON Feed 1.1 document (https://jsonfeed.org/version/1.1); what only
    the tracker knows goes in ``_tracker`` objects, as the spec's extensions do."""
    data: dict[str, Any] = {"version": JSON_FEED_VERSION, "title": clean(feed.title)}
    if feed.base_url:
        data["home_page_url"] = feed.base_url
    data["authors"] = [{"name": AUTHOR}]
    data["language"] = "en"
    data["_tracker"] = {
        "id": feed.id,
        "updated": feed.updated or None,
        "policy": feed.policy,
        "all": feed.everything,
    }
    items = []
    for item in feed.items:
        entry: dict[str, Any] = {"id": feed.entry_id(item)}
        if link := feed.link(item):
            entry["url"] = link
        entry["title"] = title_of(feed, item)
        entry["content_text"] = "\n".join([wording(item), *details(item)])
        entry["summary"] = wording(item)
        if item.published:
            entry["date_published"] = item.published
        entry["date_modified"] = _updated(item)
        entry["tags"] = [item.notice, item.significance]
        # What only the tracker knows, as the notice's own JSON has it, less what a
        # public feed must not carry: who reported the error (a reader or a member of
        # staff) and the raw note (the entry's summary is the notice as worded).
        tracked = {k: v for k, v in item.to_json().items() if k not in _NOT_PUBLIC}
        entry["_tracker"] = {**tracked, "headline": feed.headlines.get(item.document) or None}
        items.append(entry)
    data["items"] = items
    return data


_NOT_PUBLIC = ("reported_by", "text")


def render_json_feed(feed: Feed) -> str:
    # ASCII-only: no raw control or bidi character reaches a terminal or a careless reader.
    return json.dumps(json_feed(feed), ensure_ascii=True, indent=2) + "\n"


# -- HTML: the corrections page --------------------------------------------------------------

CSS = """
body { font: 17px/1.55 Georgia, 'Times New Roman', serif; margin: 2rem auto; max-width: 46rem;
       padding: 0 1rem; color: #1d1d1d; background: #fff; }
h1 { font-family: system-ui, sans-serif; margin-bottom: .2rem; }
.meta { color: #555; font-size: .9rem; font-family: system-ui, sans-serif; }
ol.notices { list-style: none; padding: 0; }
.notice { border-top: 1px solid #ddd; padding: .8rem .6rem; }
.notice h2 { font: 600 1rem system-ui, sans-serif; margin: 0 0 .3rem; }
.label { font: bold .75rem system-ui, sans-serif; text-transform: uppercase; color: #fff;
         background: #3a6ea5; padding: .05rem .4rem; border-radius: .2rem; }
.significant .label { background: #8a1c13; }
.pending { background: #fff8e1; }
.pending-mark { font: bold .75rem system-ui, sans-serif; color: #7a5400; }
.text { margin: .2rem 0; }
@media print { .notice { break-inside: avoid; } }
"""


esc = _x  # HTML text and attribute values escape as XML's do


def json_ld(feed: Feed) -> dict[str, Any] | None:
    """The schema.org markup of the page: one NewsArticle per document with a
    CorrectionComment per published notice (``text``, ``datePublished``), and the policy
    the notices follow. The hook the export's markup (issue 11, part 4) shares: a
    document's article block is built here only until that lands on main."""
    articles: dict[str, dict[str, Any]] = {}
    policy = preset(feed.policy)
    for item in feed.items:
        if not item.published:
            continue  # only what readers have been told is marked up for them
        article = articles.setdefault(
            item.document,
            {
                "@type": "NewsArticle",
                "identifier": item.document,
                "headline": clean(feed.headline(item)),
                "correction": [],
            },
        )
        if link := feed.link(item):
            article["url"] = link
        article["dateModified"] = max(article.get("dateModified", ""), item.corrected)
        article["correction"].append(
            {"@type": "CorrectionComment", "text": wording(item), "datePublished": item.published}
        )
    if not articles:
        return None
    return {
        "@context": "https://schema.org",
        "@type": "ItemList",
        "name": clean(feed.title),
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": AUTHOR,
            "correctionsPolicy": {"@type": "CreativeWork", "name": policy.title},
        },
        "itemListElement": [
            {"@type": "ListItem", "position": n, "item": article}
            for n, article in enumerate(articles.values(), 1)
        ],
    }


def _script_safe(data: dict[str, Any]) -> str:
    """JSON inside a script element: no "<" (so no "</script>" or "<!--"), no "&", no
    ">" can end it or start markup; JSON readers read the escapes back."""
    text = json.dumps(data, ensure_ascii=True, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_feed_html(feed: Feed) -> str:
    count = len(feed.items)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # No script, no remote resource: the page works offline and runs nothing (the
        # JSON-LD block below is data, which no browser executes).
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(feed.title)}</title>",
        f"<style>{CSS}</style>",
    ]
    if (markup := json_ld(feed)) is not None:
        parts.append(f'<script type="application/ld+json">\n{_script_safe(markup)}\n</script>')
    parts.append("</head><body>")
    parts.append(f"<h1>{esc(feed.title)}</h1>")
    as_of = f", as of {day(feed.updated)}" if feed.updated else ""
    pending = " Notices not yet published are marked." if feed.everything else ""
    parts.append(
        f'<p class="meta">{count} notice{"s" if count != 1 else ""}{as_of}, newest first. '
        f"Corrections policy: {esc(preset(feed.policy).title)}.{pending}</p>"
    )
    parts.append('<ol class="notices">')
    for item in feed.items:
        classes = f"notice {esc(item.significance)}" + ("" if item.published else " pending")
        name = esc(feed.headline(item))
        link = feed.link(item)
        heading = f'<a href="{esc(link)}">{name}</a>' if link else name
        mark = "" if item.published else ' <span class="pending-mark">not yet published</span>'
        # A pending notice is marked in its heading already: no second "not yet".
        below = details(item)[: -1 if mark else None]
        if feed.headlines.get(item.document):
            below.insert(0, f"Document: {item.document}")  # the desk finds it by its path
        parts += [
            f'<li class="{classes}" id="n-{item.rev}-{item.change}">',
            f'<h2><span class="label">{esc(item.label)}</span> {heading}{mark}</h2>',
            f'<p class="text">{esc(wording(item))}</p>',
        ]
        if below:
            parts.append(f'<p class="meta">{"<br>".join(esc(line) for line in below)}</p>')
        parts.append("</li>")
    parts.append("</ol>")
    if not feed.items:
        parts.append("<p>No notices.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
