"""Provides the HTML corrections report: one self-contained file, inline CSS, no scripts."""

from __future__ import annotations

from html import escape as _escape

from tracker.model import Review
from tracker.notices import (
    END,
    TOP,
    days_to_publish,
    jsonld,
    jsonld_script,
    notice_html,
    placed,
    reader_date,
)
from tracker.notices import headline as title_line
from tracker.policy import preset
from tracker.present import move_places, notice_words, plain
from tracker.text.escape import show_whitespace, visible

TYPE_CHECKING = False  # the report types only annotate: no import back into the package
if TYPE_CHECKING:
    from tracker.export import Report, RevisionReport

CSS = """
body { font: 16px/1.5 Georgia, 'Times New Roman', serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1d1d1d; background: #fff; }
h1, h2, h3 { font-family: system-ui, sans-serif; }
nav ol { columns: 2; }
table { border-collapse: collapse; width: 100%; }
td, th { border: 1px solid #ccc; padding: .4rem .6rem; vertical-align: top; }
.meta { color: #555; font-size: .9rem; }
.change { margin: 1rem 0 1.5rem; }
.side td { width: 50%; white-space: pre-wrap; }
del { background: #fde2e1; color: #8a1c13; text-decoration: line-through; }
ins { background: #dcf5e3; color: #11602d; text-decoration: underline; }
.note { border-left: 4px solid #3a6ea5; padding: .2rem .8rem; background: #f4f7fb; }
.category { font: bold .8rem system-ui, sans-serif; text-transform: uppercase;
            background: #3a6ea5; color: #fff; padding: .05rem .4rem; border-radius: .2rem; }
.unexplained { background: #b3261e; }
.review-approved { color: #11602d; } .review-flagged { color: #b3261e; }
.notices { border: 2px solid #1d1d1d; padding: .2rem 1rem; margin: 1rem 0; background: #fffbea; }
.unpublished { color: #8a5a00; font-style: italic; }
@media print { nav { display: none; } }
"""


def esc(text: str) -> str:
    """Text as HTML text: tags escaped, controls and bidi overrides made visible."""
    return _escape(visible(text), quote=True)


def _side(item: RevisionReport, hunk, old: bool) -> str:
    text = item.old_text if old else item.new_text
    pieces = hunk.old_pieces(text) if old else hunk.new_pieces(text)
    tag = "del" if old else "ins"
    out = []
    for piece in pieces:
        if piece.change is None:
            out.append(esc(piece.text))
        elif piece.text:
            shown = visible(show_whitespace(piece.text), show_invisible=True)
            out.append(f'<{tag} data-change="{piece.change}">{_escape(shown)}</{tag}>')
    return "".join(out)


def _review(status: Review | None) -> str:
    if not status:
        return '<span class="review-none">awaiting review</span>'
    kind = "approved" if status.status == "approved" else "flagged"
    # An author's own approval is said to be one, as log, show and the app say it.
    said = "self-approved" if kind == "approved" and status.by_author else kind
    comment = f": {esc(status.comment)}" if status.comment else ""
    shown = (
        f'<span class="review-{kind}">{said} by {esc(status.author)}, '
        f"{esc(status.date)}{comment}</span>"
    )
    if status.conflict:
        # Reviews that did not see each other: both verdicts, neither picked.
        others = "; ".join(_review(other) for other in status.conflict)
        shown = f'<span class="review-conflict">conflicting reviews:</span> {shown}; {others}'
    return shown


def render_html(report: Report) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        # No script, no remote resource: the report must work offline and run nothing.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">",
        f"<title>Corrections: {esc(report.document)}</title>",
        f"<style>{CSS}</style>",
        *_markup(report),
        "</head><body>",
        f"<h1>Corrections report: {esc(report.document)}</h1>",
        f'<p class="meta">{len(report.revisions)} revision(s), range {esc(report.range)}, '
        f"generated {esc(report.generated)}.</p>",
        *_notices(report, TOP),
        '<h2 id="categories">Changes by category</h2>',
        "<table><tr><th>Category</th><th>Changes</th></tr>",
    ]
    for category, count in sorted(report.categories.items()):
        parts.append(f"<tr><td>{esc(category)}</td><td>{count}</td></tr>")
    parts.append("</table>")
    parts.append("<nav><h2>Contents</h2><ol>")
    for item in report.revisions:
        r = item.revision
        parts.append(f'<li><a href="#r-{r.rev}">{esc(r.date[:10])}: {esc(r.summary)}</a></li>')
    parts.append("</ol></nav>")
    for item in report.revisions:
        parts.append(_revision(item, report.policy))
    parts += _notices(report, END)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _revision(item: RevisionReport, policy: str = "") -> str:
    r = item.revision
    out = [
        f'<section class="revision" id="r-{r.rev}">',
        f"<h2>{esc(r.summary)}</h2>",
        f'<p class="meta">Revision <code>{r.rev[:12]}</code> by {esc(r.author)}, '
        f"{esc(r.date)}. Review: {_review(r.review)}</p>",
    ]
    if r.reason:
        out.append(f'<p class="reason">{esc(r.reason)}</p>')
    if r.initial:
        out.append("<p>First version of the document: the baseline.</p>")
    if r.not_text:
        out.append(f'<p class="not-text">{esc(r.not_text.message)}</p>')
    by_change = {}
    for hunk in item.hunks:
        for change in hunk.changes:
            by_change[change.index] = hunk
    shown_hunks = set()
    for change in r.changes:
        hunk = by_change.get(change.index)
        out.append(f'<div class="change" id="r-{r.rev}-c{change.index}">')
        out.append(f"<h3>Change {change.index} ({esc(change.kind)})</h3>")
        if change.is_move:
            was, now = move_places(change, item.old_text, item.new_text)
            out.append(f'<p class="move">Moved from ¶{was} to ¶{now}.</p>')
        elif change.within is not None:
            out.append(f'<p class="move">Inside the moved paragraph of change {change.within}.</p>')
        if hunk is not None and id(hunk) not in shown_hunks:
            shown_hunks.add(id(hunk))
            out.append(
                '<table class="side"><tr><th>Before</th><th>After</th></tr><tr>'
                f"<td>{_side(item, hunk, True)}</td><td>{_side(item, hunk, False)}</td>"
                "</tr></table>"
            )
        note = change.note
        if note is None:
            out.append('<p class="note"><span class="category unexplained">unexplained</span> '
                       "No note was recorded for this change.</p>")  # fmt: skip
        else:
            source = f"<br>Source: {esc(note.source)}" if note.source else ""
            edited = " (edited later)" if note.edited else ""
            notice = esc(plain(notice_words(note, policy)))
            out.append(
                f'<p class="note"><span class="category">{esc(note.category)}</span> '
                f'{esc(note.text)}{source}<br><span class="notice">Notice: {notice}</span>'
                f"<br><small>{esc(note.author)}, {esc(note.date)}{edited}</small></p>"
            )
        out.append("</div>")
    out.append("</section>")
    return "\n".join(out)


def _markup(report: Report) -> list[str]:
    """The schema.org JSON-LD of the article as of the report's last revision: a data
    block, which the page's Content-Security-Policy leaves inert (it runs no script)."""
    if not report.revisions:
        return []
    last = report.revisions[-1]
    data = jsonld(
        title_line(last.new_text), last.revision.date, report.notices, preset(report.policy)
    )
    return [jsonld_script(data)]


_WHERE = {TOP: "at the top of the article", END: "at the end of the article"}


def _notices(report: Report, where: str) -> list[str]:
    """The notices readers see ``where`` (significant at the top, minor at the end), and
    with the top ones, the timeliness of those reported or published: reported,
    published, the days between."""
    shown = placed(report.notices)[where]
    if not report.notices:
        return []  # a report with no notice says nothing of them
    if where == TOP:
        which = "published notices" if report.published_only else "notices"
        out = [
            '<h2 id="notices">Notices for readers</h2>',
            f'<p class="meta">{len(report.notices)} change(s) with a notice '
            f"({which}; policy: {esc(preset(report.policy).title)}).</p>",
        ]
    else:
        out = []
    if not shown:
        return out
    out.append(f'<h3 id="notices-{where}">Notices {_WHERE[where]}</h3>')
    out.append(notice_html(report.notices, where))
    if where == END or not any(i.reported or i.published for i in report.notices):
        return out
    out += [
        '<table class="timeliness"><tr><th>Notice</th><th>Revision</th><th>Reported</th>'
        "<th>Published</th><th>Days from report</th></tr>"
    ]
    # Timeliness, for the notices it can be said of: a report date or a publication.
    for item in [i for i in report.notices if i.reported or i.published]:
        reported = esc(reader_date(item.reported)) if item.reported else "not said"
        if item.reported_by:
            reported += f" by {esc(item.reported_by)}"
        published = (
            esc(reader_date(item.published))
            if item.published
            else '<span class="unpublished">not yet published</span>'
        )
        days = days_to_publish(item)
        late = f" ({esc(item.late_reason)})" if item.late_reason else ""
        out.append(
            f"<tr><td>{esc(item.label)}, change {item.change}</td>"
            f'<td><a href="#r-{item.rev}-c{item.change}"><code>{item.rev[:12]}</code></a></td>'
            f"<td>{reported}</td><td>{published}</td>"
            f"<td>{'' if days is None else days}{late}</td></tr>"
        )
    out.append("</table>")
    return out
