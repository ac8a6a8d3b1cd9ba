"""Provides corrections reports: the revisions of a range, each change with its note.

``build_report`` gathers the data once; ``json``, ``markdown`` and ``html`` only format it.
Every format escapes document and note text for its own syntax.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from tracker.errors import GitError, NotTextError, TrackerError, UnknownRevisionError
from tracker.git import cmd as gitcmd
from tracker.git.read import BlobReader, RecentReads, stream_records
from tracker.hunks import Hunk, hunks
from tracker.model import Note, NoticeItem, Revision
from tracker.notes import NOTES_REF, apply_later
from tracker.policy import label, notice_of, preset, significance_of
from tracker.region import changes_between
from tracker.store import LOG_FIELDS, LOG_FORMAT, Store
from tracker.text.decode import decode_document

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
    # The store's corrections policy by name ("" for the default): each change's notice
    # is said as the policy derives it where the note does not say.
    policy: str = ""
    # The notices of the revisions' changes (only the published ones with --published).
    notices: list[NoticeItem] = field(default_factory=list)
    published_only: bool = False

    def notice(self, note: Note | None) -> dict[str, object]:
        """A change's notice for a report: its type, significance and reader-facing label
        under the store's policy, and whether the policy derived it (the note did not say)."""
        chosen = preset(self.policy)
        notice = notice_of(note, chosen)
        return {
            "type": notice,
            "significance": significance_of(note, chosen),
            "label": label(notice, chosen) if notice != "none" else None,
            "derived": note is None or not (note.notice and note.significance),
        }

    @property
    def categories(self) -> Counter:
        return Counter(
            change.note.category if change.note else "unexplained"
            for item in self.revisions
            for change in item.revision.changes
        )


def build_report(
    store: Store, document: str, rev_range: str | None = None, published: bool = False
) -> Report:
    """Revisions oldest first: all of them, one (``REV``), or those of any range git
    accepts (``A..B``, ``A...B``, ``^A B``, ``HEAD~3..``; ends need not touch the document).
    With them, the notices of their changes (tracker/notices.py); ``published``: only
    those a publish event made public.

    One ``git log`` lists the revisions and one ``cat-file --batch`` reads every text, each
    once: a revision's new text is the next one's old text.
    """
    from tracker.notices import items_of
    from tracker.publication import published_revisions

    report = Report(
        document=document,
        store=str(store.root),
        range=rev_range or "all",
        generated=datetime.now(UTC).isoformat(timespec="seconds"),
        policy=store.config.policy,
        published_only=published,
    )
    reader = RecentReads(store.reader)
    for revision in revisions_in_range(store, document, rev_range, reader):
        old, new = _texts(reader, revision)
        report.revisions.append(
            RevisionReport(revision, old, new, tuple(hunks(old, new, revision.changes)))
        )
    items = items_of([i.revision for i in report.revisions], preset(report.policy),
                     published_revisions(store))  # fmt: skip
    report.notices = [i for i in items if i.published or not published]
    return report


def revisions_in_range(
    store: Store, document: str, rev_range: str | None = None, reader: BlobReader | None = None
) -> list[Revision]:
    """The document's revisions of a range as export takes it (all, ``REV``, ``A..B``,
    ``^A B``...), oldest first, with their changes and current notes."""
    words = rev_range.split() if rev_range else []
    single = len(words) == 1 and ".." not in words[0] and not words[0].startswith("^")
    # "..B" reads as "everything up to B" (git would read HEAD..B, which is empty or the
    # wrong way round: nobody means that); "A.." is git's A..HEAD.
    words = [(w[2:] or "HEAD") if w.startswith("..") and w[2:3] != "." else w for w in words]
    if words and not single:
        for word in words:
            if word.startswith("-") or "\x00" in word:
                raise UnknownRevisionError(
                    f"{word!r} is not a revision name", "name commits, e.g. A..B or ^A B"
                )
    reader = reader or RecentReads(store.reader)
    if single:
        rev = store.resolve(words[0])
        # The document's newest revision at REV: REV itself, or REV did not touch it.
        chosen = [r for r in _history(store, document, [rev], reader, 1) if r.rev == rev]
        if not chosen:
            raise TrackerError(f"{rev_range} is not a revision of {document}", "see 'tracker log'")
    else:
        chosen = list(_history(store, document, words or ["HEAD"], reader))
        if words and not chosen:
            raise TrackerError(
                f"{rev_range} selects no revisions of {document}",
                "write the older revision first (OLDER..NEWER), or widen the range;"
                " see 'tracker log'",
            )
    return chosen[::-1]


def _history(
    store: Store, document: str, revs: list[str], reader: BlobReader, limit: int | None = None
) -> list[Revision]:
    """The document's revisions in ``revs`` (git's range syntax), newest first, with
    their changes (computed from the texts for revisions the tracker did not record)."""
    args = ["log", "--first-parent", f"--notes={NOTES_REF}", f"--format={LOG_FORMAT}"]
    if limit is not None:
        args.append(f"--max-count={limit}")
    records = stream_records(
        store.root, *args, *gitcmd.NO_DRIVERS, "--end-of-options", *revs, "--", document,
        fields=LOG_FIELDS,
    )  # fmt: skip
    found = []
    try:
        for raw in records:
            revision = store.parse_log_record(raw, document)
            if revision is None:
                continue
            found.append(revision)
    except GitError as error:
        if "unknown revision" in error.message or "bad revision" in error.message:
            raise UnknownRevisionError(
                f"unknown revision in {' '.join(revs)!r}", "see 'tracker log' for the revisions"
            ) from None
        raise
    # Oldest first through the reader, so that each text read serves its child next.
    for number in range(len(found) - 1, -1, -1):
        if not found[number].recorded:
            found[number] = _with_changes(store, found[number], reader)
    return found


def _with_changes(store: Store, revision: Revision, reader: BlobReader) -> Revision:
    """``Store.with_computed_changes``, diffing only the lines between the texts' shared
    first and last lines (the same changes: tracker/region.py)."""
    path = revision.document
    new = reader.read(f"{revision.rev}:{path}") or b""
    old = reader.read(f"{revision.parent}:{path}") if revision.parent else None
    if old is None or b"\x00" in old or b"\x00" in new:
        # A first revision, or bytes that are not text: the store marks the revision so.
        return store.with_computed_changes(revision, reader)
    try:
        changes = changes_between(old.decode("utf-8"), new.decode("utf-8"))
    except UnicodeDecodeError:
        return store.with_computed_changes(revision, reader)
    return replace(revision, changes=tuple(apply_later(changes, revision.later_notes)))


def _texts(reader: BlobReader, revision: Revision) -> tuple[str, str]:
    """The document's text before and after a revision ('' for both if either is not
    text: the revision says so in ``not_text``)."""
    path = revision.document
    try:
        new = decode_document(reader.read(f"{revision.rev}:{path}") or b"", path)
        data = reader.read(f"{revision.parent}:{path}") if revision.parent else None
        old = decode_document(data or b"", path)
    except NotTextError:
        return "", ""
    return old, new


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
