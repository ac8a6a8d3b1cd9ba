"""Provides every typed result the core returns: spans, changes, notes, revisions, reviews,
diffs, comparisons, blame units and verify reports.

The faces (CLI and TUI) read only these types; none of them carries git or Store state.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from tracker.entry_ids import entry_id, seen_of

if TYPE_CHECKING:
    from tracker.where import Place

CHANGE_KINDS = ("insert", "delete", "replace", "move")
DEFAULT_CATEGORIES = (
    "factual",
    "sourcing",
    "balance",
    "clarity",
    "style",
    "structure",
    "legal",
    "other",
)


# The review statuses: a reviewer approves a revision, or flags it with a comment.
APPROVED, FLAGGED = "approved", "flagged"
# A note given for "change 0" is the note of every change that has none of its own.
EVERY_OTHER_CHANGE = 0


@dataclass(frozen=True)
class NoteInput:
    """A note as the user gives it, before it is anchored to a change. The reader-facing
    fields (``notice`` ... ``late_reason``) are those of ``Note``; "" leaves them unsaid."""

    text: str
    category: str = "other"
    source: str = ""
    notice: str = ""
    significance: str = ""
    reported_by: str = ""
    reported: str = ""
    late_reason: str = ""

    def reader_fields(self) -> dict[str, str]:
        """The reader-facing fields that were given, in their stored order."""
        return {key: getattr(self, key) for key in NOTICE_FIELDS if getattr(self, key)}


# What a note may say for readers (issue 11; docs/corrections.md), stored after "date" and
# only when given, so every record and entry written before them keeps its bytes:
# ``notice`` (tracker.policy.NOTICE_TYPES), ``significance`` (minor, significant),
# ``reported_by`` and ``reported`` (who reported the error, and when: ISO 8601), and
# ``late_reason`` (why a correction came more than the policy's days after the report).
NOTICE_FIELDS = ("notice", "significance", "reported_by", "reported", "late_reason")


@dataclass(frozen=True)
class NoticeItem:
    """One change's reader-facing notice, as tracker/notices.py builds it from a note and
    the store's policy (docs/corrections.md); the feed lists these across documents."""

    document: str
    rev: str  # the revision that made the change (full id)
    change: int  # its index in that revision
    notice: str  # tracker.policy.NOTICE_TYPES, never "none"
    significance: str  # minor, significant
    label: str  # as the policy labels the notice ("Correction", Reuters' "CORRECTED")
    corrected: str  # when the change was made: the revision's date (ISO 8601)
    text: str  # what readers are told (from the note)
    source: str = ""
    reported_by: str = ""
    reported: str = ""
    late_reason: str = ""
    published: str = ""  # when a publish event made it public; "" while it is not

    @property
    def placement(self) -> str:
        """Where it goes: a significant notice at the top (due prominence), else the end."""
        return "top" if self.significance == "significant" else "end"

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "rev": self.rev,
            "change": self.change,
            "notice": self.notice,
            "significance": self.significance,
            "label": self.label,
            "corrected": self.corrected,
            "text": self.text,
            "source": self.source or None,
            "reported_by": self.reported_by or None,
            "reported": self.reported or None,
            "late_reason": self.late_reason or None,
            "published": self.published or None,
            "placement": self.placement,
        }


@dataclass(frozen=True)
class Span:
    """A range of characters (Unicode code points) in one text, and the text it covers."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Note:
    """Why a change was made."""

    text: str
    category: str = "other"
    source: str = ""
    author: str = ""
    date: str = ""
    # Where the note comes from: "revision" (recorded inside the commit) or "later"
    # (added afterwards in refs/notes/tracker).
    origin: str = "revision"
    # Earlier wordings of this note, oldest first, when it was corrected later.
    history: tuple[Note, ...] = ()
    # Other current wordings, written without seeing this one (two editors corrected the
    # note in their clones, and sync joined them): a conflict, shown until a newer note
    # resolves it. This note is the newest of them.
    conflict: tuple[Note, ...] = ()
    # For readers (NOTICE_FIELDS), as the writer gave them; "" where the note does not
    # say: the store's policy then derives notice and significance from the category
    # (tracker/policy.py), so a note written before these existed still reads.
    notice: str = ""
    significance: str = ""
    reported_by: str = ""
    reported: str = ""
    late_reason: str = ""

    @property
    def edited(self) -> bool:
        return bool(self.history)

    def reader_fields(self) -> dict[str, str]:
        """The reader-facing fields the note gives, in their stored order."""
        return {key: getattr(self, key) for key in NOTICE_FIELDS if getattr(self, key)}

    def to_json(self) -> dict[str, Any]:
        # Exactly the keys (and order) of the record stored in commit messages, so that
        # `tracker log --json` can pass a stored record through without re-encoding it.
        data: dict[str, Any] = {
            "text": self.text,
            "category": self.category,
            "source": self.source or None,
            "author": self.author,
            "date": self.date,
        }
        data.update(self.reader_fields())
        if self.origin != "revision":
            data["origin"] = self.origin
        if self.history:
            data["edited"] = True
            data["history"] = [earlier.to_json() for earlier in self.history]
        if self.conflict:
            data["conflict"] = [other.to_json() for other in self.conflict]
        return data


@dataclass(frozen=True)
class Change:
    """One contiguous edit between two texts: a deletion, an insertion or a replacement."""

    index: int  # 1-based, in reading order
    kind: str
    old: Span
    new: Span
    note: Note | None = None
    # A move (kind "move"): ``old`` is the paragraph at its old place and ``new`` the
    # paragraph at its new place. The two points below make it rebuildable as a deletion
    # plus an insertion: where its old place falls in the new text, and where its new
    # place falls in the old text (docs/storage-format.md, "Rebuilding a text").
    old_place_in_new: int | None = None
    new_place_in_old: int | None = None
    # An edit inside a moved paragraph: the index of that move. Its ranges lie inside the
    # move's ranges; a rebuild skips it, since the move carries the moved text whole.
    within: int | None = None
    # Where the change sits in the new text (¶N or line N, and a few words around it),
    # given by the commands that show changes to a reader (show, diff). Never recorded:
    # a record holds what changed, and where is worked out from the text.
    place: Place | None = None

    def with_note(self, note: Note | None) -> Change:
        return replace(self, note=note)

    @property
    def is_move(self) -> bool:
        return self.kind == "move"

    @property
    def anchor(self) -> tuple[int, int, int, int]:
        """Old and new character ranges: what a note is anchored to."""
        return (self.old.start, self.old.end, self.new.start, self.new.end)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "note": self.note.to_json() if self.note else None,
            # Only moves and the edits inside them carry these, so a record without a
            # move reads exactly as before moves existed.
            **(
                {
                    "old_place_in_new": self.old_place_in_new,
                    "new_place_in_old": self.new_place_in_old,
                }
                if self.is_move
                else {}
            ),
            **({"within": self.within} if self.within is not None else {}),
            **({"place": self.place.to_json()} if self.place is not None else {}),
        }


@dataclass(frozen=True)
class LaterNote:
    """A note added or corrected after its revision: one entry of ``refs/notes/tracker``.

    ``old``/``new`` are the anchor (character ranges) the entry was written for; an entry
    without them (written by hand) is matched by ``change`` number instead."""

    change: int | None
    text: str
    category: str = "other"
    source: str = ""
    author: str = ""
    date: str = ""
    # As stored: lists of two ints when written by the tracker (anything, by hand).
    old: Any = None
    new: Any = None
    # The entry's id (tracker.notes.entry_id) and the ids of the entries it was written
    # after ("seen"; None for an entry without it, which follows every entry before it).
    id: str = field(default="", compare=False)
    seen: tuple[str, ...] | None = field(default=None, compare=False)
    # The reader-facing fields the entry gives (NOTICE_FIELDS), as stored.
    reader: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_entry(cls, entry: dict[str, Any]) -> LaterNote:
        """An entry as stored (JSON written by the tracker, or by hand with ``git notes``)."""
        return cls(
            change=entry.get("change"),
            text=str(entry.get("text", "")),
            category=str(entry.get("category", "other")),
            source=str(entry.get("source", "") or ""),
            author=str(entry.get("author", "")),
            date=str(entry.get("date", "")),
            old=entry.get("old"),
            new=entry.get("new"),
            id=entry_id(entry),
            seen=seen_of(entry),
            reader=tuple((key, str(entry[key])) for key in NOTICE_FIELDS if entry.get(key)),
        )

    @property
    def anchored(self) -> bool:
        return isinstance(self.old, list) and isinstance(self.new, list)

    @property
    def anchor(self) -> tuple[Any, ...]:
        """The old and new ranges, as Change.anchor has them (empty parts when absent)."""
        parts = [v if isinstance(v, (list, tuple)) else () for v in (self.old, self.new)]
        return (*parts[0], *parts[1])

    def note(self) -> Note:
        note = Note(self.text, self.category, self.source, self.author, self.date, "later")
        return replace(note, **dict(self.reader)) if self.reader else note


@dataclass(frozen=True)
class Review:
    """A revision's latest review (approved or flagged) and how many came before it."""

    status: str
    comment: str
    author: str
    date: str
    history: int = 0
    # The entry as stored, keys in their stored order (an entry edited by hand may carry
    # more): ``--json`` prints it as it is, so scripts see what the ref holds.
    stored: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # Other current reviews with another verdict, written without seeing this one (an
    # approval and a flag made in two clones and joined by sync): a conflict, shown until
    # a newer review resolves it. This review is the newest of them.
    conflict: tuple[Review, ...] = ()
    # The review was written by the revision's own author (identity.same_editor): an
    # approval then is a self-approval, which sign-off does not count. (Last: reviews.py
    # builds a Review from its fields in order.)
    by_author: bool = False

    @property
    def approved(self) -> bool:
        """Approved, and not contradicted by a concurrent flag."""
        return self.status == APPROVED and not self.conflict

    @property
    def self_approved(self) -> bool:
        """An approval by the revision's own author."""
        return self.approved and self.by_author

    @property
    def signed_off(self) -> bool:
        """Approved by an editor other than the revision's author (second-editor sign-off)."""
        return self.approved and not self.by_author

    def to_json(self) -> dict[str, Any]:
        data = dict(self.stored) or {
            "status": self.status,
            "comment": self.comment,
            "author": self.author,
            "date": self.date,
        }
        data["history"] = self.history
        if self.conflict:
            data["conflict"] = [other.to_json() for other in self.conflict]
        if self.self_approved:
            # Said only when true, as the app and show say "self-approved": scripts that
            # count approvals must not count this one as a second editor's.
            data["self_approved"] = True
        return data


@dataclass(frozen=True)
class NotText:
    """Why a revision has no text changes: its bytes, or its parent's, are not text."""

    kind: str  # "binary" (NUL bytes) or "undecodable" (not UTF-8)
    rev: str  # the revision whose bytes are not text
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "rev": self.rev, "message": self.message}


@dataclass(frozen=True)
class MergedCommit:
    """A commit of a merged branch that changed the document."""

    rev: str
    author: str
    date: str
    summary: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rev": self.rev,
            "author": self.author,
            "date": self.date,
            "summary": self.summary,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Merge:
    """What a merge commit on the first-parent line brought in (a pull request): who
    merged it, the merge's own message, and the branch's commits that changed the
    document. ``attribution`` says whose the revision's author and reason are:
    "merged-branch", or "merge" when no branch commit changed the document."""

    merged_by: str
    reason: str
    commits: tuple[MergedCommit, ...]

    @property
    def attribution(self) -> str:
        return "merged-branch" if self.commits else "merge"

    def to_json(self) -> dict[str, Any]:
        return {
            "merged_by": self.merged_by,
            "reason": self.reason,
            "commits": [commit.to_json() for commit in self.commits],
        }


@dataclass(frozen=True)
class Revision:
    """One commit that changed a document, as the tracker reads it."""

    rev: str
    parent: str | None
    author: str
    date: str
    summary: str
    reason: str
    document: str = ""
    changes: tuple[Change, ...] = ()
    # True when the commit carries the tracker's structured block (it was recorded
    # by the tracker); False for commits of foreign repositories.
    recorded: bool = False
    # The document's first revision: its baseline text, no changes.
    initial: bool = False
    review: Review | None = None
    later_notes: tuple[LaterNote, ...] = ()
    not_text: NotText | None = None
    # Set by ``show`` when the revision leaves the document as its parent had it.
    unchanged: bool = False
    # Set by ``log`` on a merged pull request of a history the tracker did not write.
    merge: Merge | None = None
    # A revision sync replayed onto another editor's tip: the full id of its original
    # (kept at refs/tracker/originals/<id>), whose later notes and reviews it shows too.
    replay_of: str | None = None

    @property
    def note_count(self) -> int:
        return sum(1 for change in self.changes if change.note is not None)

    @property
    def later_note_count(self) -> int:
        return len(self.later_notes)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rev": self.rev,
            "parent": self.parent,
            "author": self.author,
            "date": self.date,
            "summary": self.summary,
            "reason": self.reason,
            "document": self.document,
            "recorded_by_tracker": self.recorded,
            "notes": self.note_count,
        }
        # The key order of the contract: a recorded baseline says "initial" before its
        # review; a foreign one learns it is the baseline only once its texts are read.
        if self.initial and self.recorded:
            data["initial"] = True
        data["review"] = self.review.to_json() if self.review else None
        if self.initial and not self.recorded:
            data["initial"] = True
        if self.not_text is not None:
            data["not_text"] = self.not_text.to_json()
        if self.unchanged:
            data["unchanged"] = True
        if self.replay_of is not None:
            data["replay_of"] = self.replay_of
        if self.merge is not None:
            data["attribution"] = self.merge.attribution
            data["merge"] = self.merge.to_json()
        data["changes"] = [change.to_json() for change in self.changes]
        return data


@dataclass(frozen=True)
class DiffResult:
    """Two versions of one document and the changes between them (``tracker diff``)."""

    document: str
    old_rev: str
    new_rev: str
    old_text: str
    new_text: str
    changes: list[Change]
    # Set when one side is not text (binary or not UTF-8): why no changes can be shown.
    not_text: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"document": self.document, "from": self.old_rev, "to": self.new_rev}
        if self.not_text:
            data["not_text"] = self.not_text
        data["changes"] = [c.to_json() for c in self.changes]
        return data


@dataclass(frozen=True)
class Comparison:
    """Two versions of the document and the changes between them, as the app browses them."""

    old_rev: str | None
    new_rev: str
    old_text: str
    new_text: str
    changes: tuple[Change, ...]
    # Notes made by the revisions between old and new, each with the revision that made it.
    notes_between: tuple[tuple[Revision, Change], ...] = ()

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.old_rev, self.new_rev)

    def related_notes(self, change: Change | None) -> list[tuple[Revision, Change]]:
        """Notes made between the two revisions, those touching ``change``'s words first."""
        notes = list(self.notes_between)
        if change is None:
            return notes

        def touches(item: tuple[Revision, Change]) -> bool:
            noted = item[1]
            words = [w for w in (noted.new.text.strip(), noted.old.text.strip()) if w]
            return any(w in change.new.text or w in change.old.text for w in words)

        return sorted(notes, key=lambda item: not touches(item))


@dataclass(frozen=True)
class Churn:
    """Words a revision added and removed, and the characters, for a revision that
    changed punctuation or spacing alone (no word added or removed, yet not nothing)."""

    added: int
    removed: int
    chars_added: int = 0
    chars_removed: int = 0
    moved: int = 0  # paragraphs moved (their words are neither added nor removed)

    @property
    def words_unchanged(self) -> bool:
        """True when no word changed but some character did."""
        return not (self.added or self.removed) and bool(self.chars_added or self.chars_removed)

    @property
    def words(self) -> int:
        """Words added and removed: the size of a revision, for scaling churn bars."""
        return self.added + self.removed


@dataclass(frozen=True)
class BlameUnit:
    """A sentence (or paragraph, or line) of the text and the revision that last changed it."""

    start: int
    end: int
    text: str
    revision: Revision | None
    change: Change | None
    # The newest revision that moved the unit (and its move), when one did after
    # ``revision`` last changed its words: blame credits the words, and says it moved.
    moved_in: Revision | None = None
    move: Change | None = None

    def to_json(self) -> dict[str, Any]:
        note = self.change.note.to_json() if self.change and self.change.note else None
        moved = {}
        if self.moved_in is not None:
            moved = {
                "moved": {
                    "rev": self.moved_in.rev,
                    "author": self.moved_in.author,
                    "date": self.moved_in.date,
                    "change": self.move.index if self.move else None,
                    "note": self.move.note.to_json() if self.move and self.move.note else None,
                }
            }
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "rev": self.revision.rev if self.revision else None,
            "author": self.revision.author if self.revision else None,
            "date": self.revision.date if self.revision else None,
            "summary": self.revision.summary if self.revision else None,
            "change": self.change.index if self.change else None,
            "note": note,
            **moved,  # only for a unit that moved: every other unit reads as before
        }


@dataclass(frozen=True)
class Blame:
    """A document's text at HEAD, cut into units, each with the revision behind it."""

    document: str
    by: str  # "sentence", "paragraph" or "line"
    text: str
    units: tuple[BlameUnit, ...]

    def to_json(self) -> dict[str, Any]:
        return {"file": self.document, "by": self.by, "units": [u.to_json() for u in self.units]}


@dataclass(frozen=True)
class Finding:
    """One thing ``verify`` found wrong, naming the revision and change where it can."""

    kind: str
    message: str
    revision: str | None = None
    change: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "revision": self.revision,
            "change": self.change,
            "message": self.message,
        }


@dataclass
class VerifyReport:
    """What ``verify`` checked and found; ``ok`` when it found nothing."""

    findings: list[Finding] = field(default_factory=list)
    checked_revisions: int = 0
    changes: int = 0
    explained: int = 0
    signed: int = 0
    # verify --since: the revision after which everything was checked (None: everything).
    since: str | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

    def add(self, kind: str, message: str, revision: str | None = None, change: int | None = None):
        self.findings.append(Finding(kind, message, revision, change))

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "findings": [f.to_json() for f in self.findings],
            "revisions": self.checked_revisions,
            "changes": self.changes,
            "explained": self.explained,
            "signed": self.signed,
            **({"since": self.since} if self.since else {}),
        }


# -- sharing through a remote (tracker/sync) ------------------------------------------


@dataclass(frozen=True)
class SyncStep:
    """One step of a sync, for progress: ``fetch``, ``merge``, ``replay``, ``push`` or
    ``done``, with a line a person reads."""

    step: str
    detail: str


@dataclass(frozen=True)
class ThreeWay:
    """Overlapping changes of one document that sync refused to merge: the common base,
    this clone's version and the remote's, each side's changes against the base with
    their notes, and which of them overlap (pairs of indices: ours, theirs)."""

    document: str
    base_rev: str
    ours_rev: str
    theirs_rev: str
    base_text: str
    ours_text: str
    theirs_text: str
    ours_changes: tuple[Change, ...]
    theirs_changes: tuple[Change, ...]
    overlaps: tuple[tuple[int, int], ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "base": self.base_rev,
            "ours": self.ours_rev,
            "theirs": self.theirs_rev,
            "ours_changes": [c.to_json() for c in self.ours_changes],
            "theirs_changes": [c.to_json() for c in self.theirs_changes],
            "overlaps": [list(pair) for pair in self.overlaps],
        }


@dataclass(frozen=True)
class SyncResult:
    """What one ``tracker sync`` did. ``replayed`` pairs each replayed revision's
    original with its new id; ``notes_conflicts`` counts entries (later notes, reviews)
    that concurrent editors wrote without seeing each other, shown until resolved."""

    remote: str
    branch: str
    taken: int = 0  # revisions taken from the remote
    sent: int = 0  # revisions pushed to the remote
    replayed: tuple[tuple[str, str], ...] = ()
    merged_refs: tuple[str, ...] = ()  # notes refs / journal joined by a merge commit
    notes_conflicts: int = 0
    pushed: bool = False
    attempts: int = 1
    moved: tuple[str, ...] = ()  # the local refs this sync moved (branch, notes, journal)
    warnings: tuple[str, ...] = ()  # taken all the same; verify names each
    set_aside: tuple[str, ...] = ()  # originals sync --settle set aside (kept, not replayed)
    drafts: tuple[str, ...] = ()  # documents whose file holds a draft to settle and record

    def to_json(self) -> dict[str, Any]:
        return {
            "remote": self.remote,
            "branch": self.branch,
            "taken": self.taken,
            "sent": self.sent,
            "replayed": [{"original": o, "commit": n} for o, n in self.replayed],
            "merged_refs": list(self.merged_refs),
            "notes_conflicts": self.notes_conflicts,
            "pushed": self.pushed,
            "attempts": self.attempts,
            "moved": list(self.moved),
            "warnings": list(self.warnings),
            "set_aside": list(self.set_aside),
            "drafts": list(self.drafts),
        }


@dataclass(frozen=True)
class Publication:
    """What ``tracker publish`` did: the revisions it named in its journal event (none
    when every revision of the range was published before: nothing was written)."""

    document: str
    revisions: tuple[str, ...]
    notices: int  # how many of the revisions' changes carry a notice
    date: str = ""
    author: str = ""
    journal_commit: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "revisions": list(self.revisions),
            "notices": self.notices,
            "date": self.date or None,
            "author": self.author or None,
            "journal_commit": self.journal_commit or None,
        }


@dataclass(frozen=True)
class NoticeSheet:
    """What a range of revisions will tell readers, and whether it may go out: the block
    exactly as ``tracker notice`` words it, its items, and each revision's review and
    publication (the app's Notices screen; ``porcelain.notice_sheet``)."""

    document: str
    rev_range: str  # as asked ("" for the whole history)
    text: str  # the notices as plain text ("" when no change carries a notice)
    items: tuple[NoticeItem, ...] = ()
    revisions: tuple[Revision, ...] = ()  # oldest first, each with its review
    # Each published revision of the range: (the first publish event's date, its author).
    published: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False)
    # Why publish would refuse the range by the policy's senior-editor rule ("" when it
    # would not): a revision can be signed off and still need a senior's approval.
    senior_refusal: str = ""

    def has_notice(self, rev: str) -> bool:
        """Whether a change of ``rev`` carries a notice for readers."""
        return any(item.rev == rev for item in self.items)

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "range": self.rev_range or None,
            "text": self.text,
            "items": [item.to_json() for item in self.items],
            "revisions": [
                {
                    "rev": r.rev,
                    "notice": self.has_notice(r.rev),
                    "signed_off": r.review is not None and r.review.signed_off,
                    "published": self.published.get(r.rev, ("", ""))[0] or None,
                }
                for r in self.revisions
            ],
            "senior_refusal": self.senior_refusal or None,
        }


@dataclass(frozen=True)
class Feed:
    """The corrections feed of a store (``tracker feed``): notices across every document,
    newest first. ``id`` is a tag URI (RFC 4151) naming the store, stable across runs and
    clones; each item's id extends it (``entry_id``)."""

    id: str
    title: str
    updated: str  # the newest date among the items (ISO 8601); the tip's date when none
    policy: str  # the preset the notices were labelled by (tracker.policy)
    items: tuple[NoticeItem, ...] = ()
    everything: bool = False  # --all: notices not yet published are included (marked)
    base_url: str = ""  # where the documents are published, for links; "" for none
    # Each document's title at the branch tip (tracker.notices.headline); a document
    # without one is named by its path.
    headlines: dict[str, str] = field(default_factory=dict)

    def headline(self, item: NoticeItem) -> str:
        """What a reader knows the document by: its headline, else its path."""
        return self.headlines.get(item.document) or item.document

    def entry_id(self, item: NoticeItem) -> str:
        """The stable id of one notice: the feed's, then its document, revision, change."""
        return f"{self.id}/{_in_uri(item.document)}/{item.rev}/{item.change}"

    def link(self, item: NoticeItem) -> str:
        """The document's address under ``base_url`` ("" without one)."""
        if not self.base_url:
            return ""
        return f"{self.base_url.rstrip('/')}/{_in_uri(item.document)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "updated": self.updated or None,
            "policy": self.policy,
            "all": self.everything,
            "base_url": self.base_url or None,
            "items": [
                {"id": self.entry_id(i), "headline": self.headline(i), **i.to_json()}
                for i in self.items
            ],
        }


_QUOTED: dict[str, str] = {}


def _in_uri(name: str) -> str:
    """A document's name as a URI path (percent-encoded), worked out once per name."""
    quoted = _QUOTED.get(name)
    if quoted is None:
        from urllib.parse import quote

        if len(_QUOTED) > 1 << 14:
            _QUOTED.clear()  # a bound, not a leak, in a long-lived app
        quoted = _QUOTED[name] = quote(name, safe="/", errors="surrogatepass")
    return quoted
