"""Provides corrections reports: the revisions of a range, each change with its note.

``build_report`` gathers the data once; ``json``, ``markdown`` and ``html`` only format it.
Every format escapes document and note text for its own syntax.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tracker.errors import NotTextError, TrackerError
from tracker.hunks import Hunk, hunks
from tracker.model import Revision
from tracker.store import Store

FORMATS = ("html", "md", "json")


@dataclass(frozen=True)
class RevisionReport:
    revision: Revision
    old_text: str
    new_text: str
    hunks: tuple[Hunk, ...]


@dataclass
class Report:
    document: str
    store: str
    range: str
    generated: str
    revisions: list[RevisionReport] = field(default_factory=list)

    @property
    def categories(self) -> Counter:
        return Counter(
            change.note.category if change.note else "unexplained"
            for item in self.revisions
            for change in item.revision.changes
        )


def build_report(store: Store, document: str, rev_range: str | None = None) -> Report:
    """Revisions oldest first: all of them, one (``REV``), or ``A..B`` (after A, up to B)."""
    history = list(reversed(list(store.log(document))))
    chosen = history
    if rev_range:
        if "..." in rev_range:
            raise TrackerError(f"{rev_range!r} is not a range here", "write A..B (two dots)")
        if ".." in rev_range:
            start, _, end = rev_range.partition("..")
            first = store.resolve(start) if start else None
            last = store.resolve(end or "HEAD")
            order = [r.rev for r in history]
            if last not in order or (first is not None and first not in order):
                raise TrackerError(
                    f"{rev_range} does not name revisions of {document}",
                    "see 'tracker log' for the revisions",
                )
            begin = order.index(first) + 1 if first else 0
            chosen = history[begin : order.index(last) + 1]
            if not chosen:
                raise TrackerError(
                    f"{rev_range} selects no revisions",
                    "write the older revision first: OLDER..NEWER",
                )
        else:
            rev = store.resolve(rev_range)
            chosen = [r for r in history if r.rev == rev]
            if not chosen:
                raise TrackerError(
                    f"{rev_range} is not a revision of {document}", "see 'tracker log'"
                )
    report = Report(
        document=document,
        store=str(store.root),
        range=rev_range or "all",
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    for revision in chosen:
        try:
            old = store.text_at(revision.parent, document) if revision.parent else ""
            new = store.text_at(revision.rev, document)
        except NotTextError:
            old = new = ""  # bytes put there with plain git: the revision says so (not_text)
        report.revisions.append(
            RevisionReport(revision, old, new, tuple(hunks(old, new, revision.changes)))
        )
    return report


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        from tracker.export.json_report import render_json

        return render_json(report)
    if fmt == "md":
        from tracker.export.markdown import render_markdown

        return render_markdown(report)
    if fmt == "html":
        from tracker.export.html import render_html

        return render_html(report)
    raise TrackerError(f"unknown format {fmt!r}", f"use one of: {', '.join(FORMATS)}")
