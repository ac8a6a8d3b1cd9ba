"""Provides the words both faces show for the tracker's concepts, as plain text parts.

A change's one-line summary, a note's lines, a review's label, a revision's outline and
verify's verdict are each worded here once; the CLI (rich) and the app (Textual) only
style the parts, by their role. Every part is already safe to show: untrusted text
(document text, notes, names) has passed through ``visible``/``one_line``, so it can
neither be read as markup (parts are never markup) nor move the cursor.
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

from tracker.model import (
    APPROVED,
    BlameUnit,
    Change,
    Note,
    NoticeSheet,
    Review,
    Revision,
    SyncResult,
    VerifyReport,
)
from tracker.policy import NONE, NOTICE_TYPES, SIGNIFICANCE, notice_of, preset, significance_of
from tracker.text.escape import one_line, visible


class Part(NamedTuple):
    """A piece of a line and what it is, for the face to style.

    Roles: "" (plain), "deleted", "inserted", "whitespace", "category", "source", "dim",
    "notice" (a notice readers get), "absent" (no note), "approved", "flagged", "warning"
    (also a conflict), "error", "ok".
    """

    text: str
    role: str = ""


Line = list[Part]


def plain(line: Line) -> str:
    """The line's text without styles (for a report, a test, a log)."""
    return "".join(part.text for part in line)


# -- changes ------------------------------------------------------------------------------


def whitespace_change(change: Change) -> str | None:
    """What a change of whitespace alone did ("line ending: CRLF → LF"), else None."""
    from tracker.diff import describe_whitespace_change  # the diff engine loads on demand

    return describe_whitespace_change(change.old.text, change.new.text)


def move_places(change: Change, old_text: str, new_text: str) -> tuple[int, int]:
    """A move's paragraph numbers: where it was in the old text, where it is in the new."""
    from tracker.where import Places

    return (
        Places(old_text).paragraph_of(change.old.start),
        Places(new_text).paragraph_of(change.new.start),
    )


def change_summary(
    change: Change, limit: int | None = None, places: tuple[int, int] | None = None
) -> Line:
    """The change in one line: ``⟨what whitespace did⟩``, or ``−old → +new``, or for a
    move ``moved from ¶3 to ¶7: “its first words…”`` (``places`` from ``move_places``;
    without them, ``moved: …``).

    Invisible characters (a BOM, a zero-width space) are marked, since they may be the
    whole change. ``limit`` cuts each side to that many characters."""
    if change.is_move:
        where = f" from ¶{places[0]} to ¶{places[1]}" if places else ""
        words = " ".join(visible(change.new.text, True).split())
        cut = limit if limit is not None else 60
        quoted = words if len(words) <= cut else words[: max(cut - 1, 1)] + "…"
        return [Part(f"moved{where}: ", "category"), Part(f"“{quoted}”")]
    ws = whitespace_change(change)
    if ws:
        return [Part(f"⟨{ws}⟩", "whitespace")]
    old = " ".join(visible(change.old.text, True).split())
    new = " ".join(visible(change.new.text, True).split())
    if limit is not None:
        old, new = old[:limit], new[:limit]
    line: Line = []
    if change.old.text:
        line.append(Part("−" + old, "deleted"))
    if change.old.text and change.new.text:
        line.append(Part(" → "))
    if change.new.text:
        line.append(Part("+" + new, "inserted"))
    return line


def change_place(change: Change) -> Line:
    """Where the change is: ``¶3: … words before [here] words after …`` (or ``line 12``
    in code, a list or a table); empty when the change carries no place."""
    place = change.place
    if place is None:
        return []
    if change.is_move:
        return [Part(f"now at {place.label}", "dim")]  # the paragraph at its new place
    if not place.before and not place.after:
        return [Part(place.label, "dim")]  # a whole paragraph or line: its number says it
    line: Line = [Part(f"{place.label}: ", "dim")]
    if place.before:
        line.append(Part(f"… {_context(place.before)} "))
    line.append(Part("[here]", "dim"))
    if place.after:
        line.append(Part(f" {_context(place.after)} …"))
    return line


def _context(words: str) -> str:
    """Context words on one line, invisible characters marked as in the change itself."""
    return " ".join(visible(words, True).split())


def change_head(change: Change) -> Line:
    """``  3 replace `` : the change's number and kind, in columns; an edit inside a
    move says which (``  4 replace in 3``)."""
    head = [Part(f"  {change.index:>3} {change.kind:<8}")]
    if change.within is not None:
        head.append(Part(f"in {change.within} ", "dim"))
    return head


# -- notes --------------------------------------------------------------------------------


def category_label(category: str) -> Part:
    return Part(f"[{visible(category)}] ", "category")


def note_lines(
    note: Note | None,
    indent: str = "      ",
    label: str = "",
    origin: bool = False,
    policy: str | None = None,
) -> list[Line]:
    """A note as its category and text, its source, its notice, and who wrote it when.

    ``label`` heads the first line (whose note it is); ``origin`` says "added later" of a
    note added after its revision (where the reader cannot tell it otherwise); ``policy``
    (the store's policy name, "" for the default) adds the notice readers get (a view
    that does not know the store's policy leaves it out)."""
    if note is None:
        return [[Part(indent + "(no note)", "absent")]]
    head = [Part(indent), category_label(note.category), Part(one_line(note.text))]
    if label:
        head.insert(1, Part(one_line(label), "dim"))
    lines: list[Line] = [head]
    if note.source:
        lines.append([Part(indent + "source: " + one_line(note.source), "source")])
    if policy is not None:
        lines.append([Part(indent + "notice: "), *notice_words(note, policy)])
        reported = report_words(note)
        if reported:
            lines.append([Part(indent + reported, "dim")])
    by = f"{indent}by {one_line(note.author)} {one_line(note.date)}".rstrip()
    if origin and note.origin == "later":
        by += " (added later)"
    if note.edited:
        by += f" (edited; {len(note.history)} earlier wording(s), see notes-history)"
    lines.append([Part(by, "dim")])
    if note.conflict:
        lines += note_conflict_lines(note, indent)
    return lines


def notice_words(note: Note | None, policy: str = "") -> Line:
    """``correction, significant``: the notice readers get for a change and its
    significance; what the note leaves unsaid is derived from its cause by the store's
    policy, and marked so (``correction (ap policy)``) so a reader can tell."""
    chosen = preset(policy)
    marked = f" ({chosen.name} policy)"
    notice = notice_of(note, chosen)
    significance = significance_of(note, chosen)
    given_notice = note is not None and note.notice in NOTICE_TYPES
    given_significance = note is not None and note.significance in SIGNIFICANCE
    words = notice_word(notice)
    if given_notice == given_significance:
        return [
            Part(f"{words}, {significance}", "notice" if notice != NONE else "dim"),
            *([] if given_notice else [Part(marked, "dim")]),
        ]
    return [
        Part(words, "notice" if notice != NONE else "dim"),
        *([] if given_notice else [Part(marked, "dim")]),
        Part(f", {significance}"),
        *([] if given_significance else [Part(marked, "dim")]),
    ]


# How a notice type reads in a view of the store (the reader-facing labels are the
# policy's: tracker.policy.label).
NOTICE_WORDS = {
    NONE: "no notice",
    "correction": "correction",
    "clarification": "clarification",
    "editors-note": "editor's note",
    "update": "update",
    "withdrawal": "withdrawal",
}


def notice_word(notice: str) -> str:
    """How a notice type reads in a view of the store (one from elsewhere: as written)."""
    return NOTICE_WORDS.get(notice, one_line(notice))


def report_words(note: Note) -> str:
    """``reported by A reader, 2025-03-06; late: ...``: who reported the error and when,
    and why the correction came late, when the note says; "" when it says none."""
    parts = []
    if note.reported_by or note.reported:
        by = f" by {one_line(note.reported_by)}" if note.reported_by else ""
        when = f", {one_line(note.reported)}" if note.reported else ""
        parts.append(f"reported{by}{when}")
    if note.late_reason:
        parts.append(f"late: {one_line(note.late_reason)}")
    return "; ".join(parts)


def notice_counts(revision: Revision, policy: str = "") -> str:
    """The notices a revision's changes get, with counts: ``correction 2, editor's note``
    (silent fixes left out); "" when none gets one."""
    chosen = preset(policy)
    counts = Counter(notice_of(c.note, chosen) for c in revision.changes if c.note is not None)
    counts.pop(NONE, None)
    return ", ".join(
        f"{notice_word(n)} {k}" if k > 1 else notice_word(n) for n, k in sorted(counts.items())
    )


CONFLICT_HINT = "written without seeing each other; a new note resolves it"


def note_conflict_lines(note: Note, indent: str = "      ") -> list[Line]:
    """The other wordings of a note two editors corrected concurrently, each with who wrote
    it when: both are shown, neither is silently picked."""
    count = len(note.conflict) + 1
    lines: list[Line] = [
        [Part(f"{indent}⚠ conflicting notes ({count}): {CONFLICT_HINT}", "warning")]
    ]
    for other in note.conflict:
        lines.append(
            [Part(f"{indent}also: "), category_label(other.category), Part(one_line(other.text))]
        )
        if other.source:
            lines.append([Part(f"{indent}  source: " + one_line(other.source), "source")])
        by = f"{indent}  by {one_line(other.author)} {one_line(other.date)}".rstrip()
        lines.append([Part(by, "dim")])
    return lines


def categories(revision: Revision) -> str:
    """The categories of a revision's notes, with counts: ``factual 2, style``."""
    counts = Counter(c.note.category for c in revision.changes if c.note)
    return ", ".join(one_line(f"{cat} {n}" if n > 1 else cat) for cat, n in sorted(counts.items()))


# -- revisions and reviews ----------------------------------------------------------------


def blame_moved(unit: BlameUnit) -> Line:
    """``moved in 1a2b3c4d5e 2025-03-12 Ann Editor``: the revision that last moved a unit
    whose words an older revision wrote (blame credits the words); empty if none did."""
    if unit.moved_in is None:
        return []
    who = one_line(unit.moved_in.author.split(" <")[0][:18])
    line: Line = [Part(f"moved in {unit.moved_in.rev[:10]} {unit.moved_in.date[:10]} {who}", "dim")]
    if unit.move is not None and unit.move.note is not None:
        line += [
            Part(": "),
            category_label(unit.move.note.category),
            Part(one_line(unit.move.note.text)),
        ]
    return line


def _review_words(review: Review) -> tuple[str, str, str]:
    """The mark, the verdict and the role of a review: an approval by the revision's own
    author is said to be one ("self-approved"), never passed off as a second editor's."""
    if review.status != APPROVED:
        return "⚑", one_line(review.status), "flagged"
    if review.by_author:
        return "✓", "self-approved", "warning"
    return "✓", "approved", "approved"


def review_label(review: Review | None) -> Line:
    """``approved by NAME: comment`` (``self-approved by`` when the author approved, or
    flagged; every verdict when reviews conflict); ``awaiting review`` when there is none."""
    if review is None:
        return [Part("awaiting review", "dim")]
    # Every field is untrusted text: the reviews ref can be written with plain git.
    line: Line = []
    if review.conflict:
        line.append(Part("⚠ conflicting reviews: ", "warning"))
    for number, each in enumerate((review, *review.conflict)):
        _mark, verdict, role = _review_words(each)
        if number:
            line.append(Part("; "))
        line.append(Part(f"{verdict} by {one_line(each.author)}", role))
        if review.conflict:
            line.append(Part(f" {one_line(each.date)}", "dim"))
        if each.comment:
            line.append(Part(": " + one_line(each.comment), role))
    if review.conflict:
        line.append(Part(f" ({REVIEW_CONFLICT_HINT})", "warning"))
    return line


REVIEW_CONFLICT_HINT = "written without seeing each other; a new review resolves it"


def review_badge(review: Review | None) -> Line:
    """The short mark a list of revisions shows before a reviewed revision's summary:
    who reviewed it and on which day (``✓ approved by Bob Checker 2025-06-05``, ``✓
    self-approved 2025-06-05``: the list names the author already); nothing when it
    awaits review."""
    if review is None:
        return []
    if review.conflict:
        return [Part("⚠ conflicting reviews ", "warning")]
    mark, verdict, role = _review_words(review)
    who = "" if review.by_author else f" by {one_line(review.author.split(' <')[0])[:14]}"
    when = f" {one_line(review.date[:10])}" if review.date else ""
    return [Part(f"{mark} {verdict}{who}{when} ", role)]


def review_detail(review: Review | None) -> Line:
    """The review in full, for a reader deciding whether to trust a revision: the mark,
    who reviewed it and when, the whole comment, and how many reviews came before."""
    if review is None:
        return [Part("awaiting review", "dim")]
    mark, verdict, role = _review_words(review)
    line = [Part(f"{mark} {verdict} by {one_line(review.author)}", role)]
    if review.date:
        line.append(Part(f" on {one_line(review.date)}", "dim"))
    if review.comment:
        line.append(Part(": " + visible(review.comment).strip()))
    if review.history:
        earlier = f"{review.history} earlier review{'s' if review.history != 1 else ''}"
        line.append(Part(f" ({earlier})", "dim"))
    if review.conflict:
        # The other verdicts, in full too: the reader must see both sides to decide.
        line.insert(0, Part(f"⚠ conflicting reviews ({REVIEW_CONFLICT_HINT}): ", "warning"))
        for other in review.conflict:
            mark, verdict, role = _review_words(other)
            line.append(Part("; "))
            line.append(Part(f"{mark} {verdict} by {one_line(other.author)}", role))
            if other.date:
                line.append(Part(f" on {one_line(other.date)}", "dim"))
            if other.comment:
                line.append(Part(": " + visible(other.comment).strip()))
    return line


BASELINE = "first revision (baseline)"


def revision_outline(revision: Revision, policy: str | None = None) -> Line | None:
    """What a revision did, in a line: the baseline, not text, or its changes and notes
    (and, given the store's ``policy``, the notices its changes get)."""
    if revision.initial:
        return [Part("(first revision: the baseline text)", "dim")]
    if revision.not_text is not None:
        return [Part(one_line(revision.not_text.message), "warning")]
    if revision.changes:
        summary = f"{len(revision.changes)} change(s), {revision.note_count} with a note"
        cats = categories(revision)
        line = [Part(summary + (f": {cats}" if cats else ""), "dim")]
        notices = notice_counts(revision, policy) if policy is not None else ""
        if notices:
            line.append(Part(f"; notices: {notices}", "dim"))
        return line
    return None


def replay_label(revision: Revision) -> str | None:
    """Said of a revision sync replayed onto another editor's revisions: which original
    it carries (kept at refs/tracker/originals/), whose later notes and reviews it shows."""
    if revision.replay_of is None:
        return None
    return (
        f"replays {revision.replay_of[:12]} (its original, kept at "
        f"refs/tracker/originals/{revision.replay_of}): same changes and notes, moved"
    )


def unchanged(revision: Revision) -> str:
    """Said of a revision that leaves its document as its parent had it."""
    return (
        f"{revision.rev[:12]} leaves {one_line(revision.document)} unchanged: "
        "the text is the same as in its parent"
    )


# -- verify -------------------------------------------------------------------------------


def verify_verdict(report: VerifyReport) -> Line:
    if report.ok:
        return [Part("OK: nothing was changed silently and the history is intact.", "ok")]
    return [Part(f"{len(report.findings)} finding(s):", "error")]


def finding_lines(report: VerifyReport) -> list[Line]:
    lines = []
    for finding in report.findings:
        where = f"{finding.revision[:12]} " if finding.revision else ""
        change = f"change {finding.change}: " if finding.change is not None else ""
        text = one_line(f"{where}{change}{finding.message}")
        lines.append([Part(f"[{finding.kind}] ", "error"), Part(text)])
    return lines


def verify_counts(report: VerifyReport) -> str:
    share = f"{report.explained}/{report.changes}" if report.changes else "0/0"
    since = f" since {report.since[:12]}" if report.since else ""
    return (
        f"{report.checked_revisions} revision(s) checked{since}; {share} changes explained; "
        f"{report.signed} signed commit(s)."
    )


# -- sync ---------------------------------------------------------------------------------


# The shared refs by what they hold, as an editor names them.
SHARED_NAMES = {
    "refs/notes/tracker": "notes",
    "refs/notes/tracker-reviews": "reviews",
    "refs/tracker/journal": "journal",
}


def sync_summary(result: SyncResult) -> Line:
    """What a sync did, in a line, the same in the CLI and the app:
    ``main synced with origin: took 2 revisions; replayed 1; sent 1; joined notes``, or
    ``already up to date``."""

    def named(refs: tuple[str, ...] | list[str]) -> str:
        return ", ".join(SHARED_NAMES.get(ref, one_line(ref)) for ref in refs)

    parts = []
    if result.taken:
        parts.append(f"took {result.taken} revision{'s' if result.taken != 1 else ''}")
    if result.replayed:
        parts.append(f"replayed {len(result.replayed)}")
    if result.set_aside:
        parts.append(f"set aside {len(result.set_aside)}")
    if result.sent and result.pushed:
        parts.append(f"sent {result.sent}")
    if result.merged_refs:
        parts.append("joined " + named(result.merged_refs))
    taken = [ref for ref in result.moved if ref.startswith("refs/notes/")]
    if taken and not result.merged_refs:
        parts.append("took " + named(taken))
    if result.pushed and not parts:
        parts.append("sent notes, reviews and journal")
    what = "; ".join(parts) if parts else "already up to date"
    line = [Part(f"{one_line(result.branch)} synced with {one_line(result.remote)}: "), Part(what)]
    if result.notes_conflicts:
        n = result.notes_conflicts
        # Shown, not picked: the editor reads both and writes the entry that settles them.
        line.append(Part(f"; {n} conflicting note or review entr{'y' if n == 1 else 'ies'} to "
                         "resolve (a new note or review settles them)", "warning"))  # fmt: skip
    if result.drafts:
        names = ", ".join(one_line(name) for name in result.drafts)
        # The editor's next step: the draft is an unrecorded edit, nothing is settled yet.
        line.append(Part(f"; {names} holds your wording on theirs: edit it to the agreed "
                         "wording and record it", "warning"))  # fmt: skip
    return line


# -- the notices a range will carry, before publishing (the app's Notices screen) -------

NO_NOTICES = "No notices for readers in this range."
NO_NOTICE = "No notice for readers: no change of this revision carries one."
PLACES = {"top": "at the top of the article", "end": "at the end of the article"}


def notice_empty(sheet: NoticeSheet) -> str:
    """What a range with no notice says in words ("" when it has one)."""
    if sheet.items:
        return ""
    return NO_NOTICE if len(sheet.revisions) == 1 else NO_NOTICES


def notice_item_lines(sheet: NoticeSheet) -> list[Line]:
    """Each change's notice: ``34ea7a7f change 2: correction, significant, at the top of
    the article``, in the order the notices are generated (oldest first)."""
    lines = []
    for item in sheet.items:
        words = notice_word(item.notice)
        lines.append(
            [
                Part(f"{item.rev[:8]} change {item.change}: ", "dim"),
                Part(words, "notice"),
                Part(f", {one_line(item.significance)}, "),
                Part(PLACES.get(item.placement, one_line(item.placement))),
            ]
        )
    return lines


def publication_lines(sheet: NoticeSheet) -> list[Line]:
    """Each revision of the range, oldest first: whether it is signed off (approved by an
    editor other than its author; needed only by a revision with a notice) and whether
    and when it was published (the first publish event that named it)."""
    from tracker.notices import reader_date

    lines: list[Line] = []
    for revision in sheet.revisions:
        lines.append(
            [
                Part(revision.rev[:8], "category"),
                Part(f" {one_line(revision.date[:10])} ", "dim"),
                Part(one_line(revision.summary)),
            ]
        )
        review = revision.review
        if not sheet.has_notice(revision.rev):
            lines.append([Part("  no notice for readers: needs no sign-off", "dim")])
        elif review is not None and review.signed_off:
            lines.append([Part("  ✓ signed off: ", "approved"), *review_label(review)])
        else:
            lines.append(
                [
                    Part("  ✗ not signed off: ", "error"),
                    *review_label(review),
                    Part(" (an editor other than its author must approve it)", "dim"),
                ]
            )
        published = sheet.published.get(revision.rev)
        if published is None:
            lines.append([Part("  Not published", "warning")])
        else:
            when, who = published
            by = f" by {one_line(who)}" if who else ""
            lines.append(
                [
                    Part(f"  Published {reader_date(when)}", "ok"),
                    Part(f" ({one_line(when)}){by}", "dim"),
                ]
            )
    return lines
