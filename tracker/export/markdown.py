"""Provides the Markdown corrections report, in the style of a corrections page."""

from __future__ import annotations

import re

from tracker.model import Review
from tracker.notices import END, TOP, days_to_publish, placed, reader_date
from tracker.policy import preset
from tracker.present import move_places, notice_words, plain, whitespace_change
from tracker.text.escape import one_line
from tracker.where import Places

TYPE_CHECKING = False  # the report types only annotate: no import back into the package
if TYPE_CHECKING:
    from tracker.export import Report

# Characters that Markdown (CommonMark, and GitHub's tables) could read as syntax inside
# a line: emphasis, code, links and images, raw HTML, entities, table cells.
_SPECIAL = re.compile(r"[\\`*_{}\[\]<>|~&]")


def escape(text: str) -> str:
    """One line of text, shown literally in Markdown: markup and controls neutralised."""
    return _SPECIAL.sub(lambda m: "\\" + m.group(), one_line(text))


def _review(status: Review | None) -> str:
    if not status:
        return "awaiting review"
    what = "approved" if status.status == "approved" else "flagged"
    # An author's own approval is said to be one, as log, show and the app say it.
    what = "self-approved" if what == "approved" and status.by_author else what
    comment = f": {escape(status.comment)}" if status.comment else ""
    text = f"{what} by {escape(status.author)}, {escape(status.date[:10])}{comment}"
    if status.conflict:
        # Reviews that did not see each other: both verdicts, neither picked.
        others = "; ".join(_review(other) for other in status.conflict)
        text = f"conflicting reviews: {text}; {others}"
    return text


def render_markdown(report: Report) -> str:
    lines = [
        f"# Corrections: {escape(report.document)}",
        "",
        f"{len(report.revisions)} revision(s); range {escape(report.range)}; "
        f"generated {report.generated}.",
        "",
        "| Category | Changes |",
        "| --- | --- |",
    ]
    lines += [f"| {escape(cat)} | {n} |" for cat, n in sorted(report.categories.items())]
    lines.append("")
    lines += _notices(report, TOP)
    for item in reversed(report.revisions):  # newest first, as a corrections page reads
        r = item.revision
        lines += [
            f"## {r.date[:10]}: {escape(r.summary)}",
            "",
            f"*Revision {r.rev[:12]} by {escape(r.author)}, {r.date}; {_review(r.review)}.*",
            "",
        ]
        if r.reason:
            lines += [escape(r.reason), ""]
        if r.initial:
            lines += ["First version of the document.", ""]
        if r.not_text:
            lines += [escape(r.not_text.message), ""]
        places = Places(item.new_text) if r.changes else None
        for change in r.changes:
            was = f"“{escape(change.old.text)}”" if change.old.text.strip() else "nothing"
            now = f"“{escape(change.new.text)}”" if change.new.text.strip() else "nothing"
            note = change.note
            category = f"**{escape(note.category)}**" if note else "**unexplained**"
            reason = escape(note.text) if note else "No note was recorded."
            # A change of only line endings or spaces prints as nothing: name it instead,
            # or the page would tell its reader that nothing became nothing.
            ws = whitespace_change(change)
            what = escape(ws) if ws else f"was {was}; now {now}"
            if change.is_move:
                ends = move_places(change, item.old_text, item.new_text)
                what = f"moved from ¶{ends[0]} to ¶{ends[1]}: {now}"
            elif change.within is not None:
                what = f"in the moved paragraph (change {change.within}), {what}"
            # Where: ¶N (or line N), and a few words either side of the change; a move
            # already names both of its ends.
            place = None
            if places and not change.is_move:
                place = places.place(change.new.start, change.new.end)
            where = ""
            if place:
                where = f", {escape(place.label)}"
                if place.before or place.after:
                    before = f"… {escape(place.before)} " if place.before else ""
                    after = f" {escape(place.after)} …" if place.after else ""
                    where += f", “{before}\\[here\\]{after}”"
            line = f"- {category}{where}: {what}. {reason}"
            if note and note.source:
                line += f" Source: {escape(note.source)}."
            if note:
                line += f" Notice: {escape(plain(notice_words(note, report.policy)))}."
            lines.append(line)
        lines.append("")
    lines += _notices(report, END)
    return "\n".join(lines)


_WHERE = {TOP: "at the top of the article", END: "at the end of the article"}


def _notices(report: Report, where: str) -> list[str]:
    """The notices readers see ``where`` (significant at the top, minor at the end), and
    with the top ones, the timeliness of those reported or published."""
    if not report.notices:
        return []  # a report with no notice says nothing of them
    lines = []
    if where == TOP:
        which = "published notices" if report.published_only else "notices"
        lines += [
            "## Notices for readers",
            "",
            f"{len(report.notices)} change(s) with a notice ({which}; policy: "
            f"{escape(preset(report.policy).title)}).",
            "",
        ]
    shown = placed(report.notices)[where]
    if shown:
        lines += [f"### Notices {_WHERE[where]}", ""]
        for notice in shown:
            lines += [escape(notice.line), ""]
    if where == TOP and any(i.reported or i.published for i in report.notices):
        for item in [i for i in report.notices if i.reported or i.published]:
            reported = escape(reader_date(item.reported)) if item.reported else "not said"
            if item.reported_by:
                reported += f" by {escape(item.reported_by)}"
            published = reader_date(item.published) if item.published else "not yet published"
            days = days_to_publish(item)
            timing = f"; {days} day(s) from report" if days is not None else ""
            why = f" ({escape(item.late_reason)})" if item.late_reason else ""
            lines.append(
                f"- {escape(item.label)}, revision {item.rev[:12]} change {item.change}: "
                f"reported {reported}; {escape(published)}{timing}{why}."
            )
        lines.append("")
    return lines
