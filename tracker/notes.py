"""Provides the note layout: the block inside each revision's commit message, and later
notes kept in ``refs/notes/tracker``.

A revision's own notes live in its commit message (so its hash and signature cover
them). The message reads well in plain ``git log`` and ends with two trailers that carry
the exact record::

    Correct the origin of Los Zetas

    The article called Los Zetas a Venezuelan gang; it is Mexican.

    Change 1 [factual] "Los Zetas" -> "Tren de Aragua"
      Note: Los Zetas is a Mexican criminal organization.
      Source: https://example.org/zetas

    Tracker-Document: article.txt
    Tracker-Record: {"v": 1, "reason": "...", "changes": [...]}

Notes added or corrected later are appended, never replaced, to a JSON document per
revision in the notes ref; see docs/storage-format.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from tracker.entry_ids import entry_id, seen_of
from tracker.errors import NoteError
from tracker.model import CHANGE_KINDS, NOTICE_FIELDS, Change, LaterNote, Note, Span

NOTES_REF = "refs/notes/tracker"
# The record's layout: 1 for every record without a move, so stores written before moves
# existed (and records written since without one) stay byte for byte what they were;
# 2 for a record that holds a move (its changes may carry "old_place_in_new",
# "new_place_in_old" and "within"). docs/storage-format.md has both.
RECORD_VERSION = 1
MOVES_VERSION = 2
READ_VERSIONS = (1, 2)
DOCUMENT_TRAILER = "Tracker-Document: "
RECORD_TRAILER = "Tracker-Record: "
# A revision replayed onto another editor's tip by sync names its original on the line
# just before Tracker-Document (docs/collaboration.md, "Replay").
REPLAY_TRAILER = "Tracker-Replay-Of: "


def validate_note(text: str, category: str, categories: tuple[str, ...] | list[str]) -> None:
    if not text.strip():
        raise NoteError("the note is empty", "write why the change was made")
    if category not in categories:
        raise NoteError(f"unknown category {category!r}", f"use one of: {', '.join(categories)}")


def compose_message(
    summary: str, reason: str, document: str, changes: list[Change], initial: bool = False
) -> str:
    """The commit message of a recorded revision: readable text, then the exact record.

    ``initial`` marks a document's first revision, its baseline, which has no changes.
    """
    summary = " ".join(summary.split())
    parts = [summary]
    if reason.strip():
        parts.append(reason.strip())
    lines = []
    for change in changes:
        lines.append(f"Change {change.index} {_category(change)}{_quote_change(change)}")
        if change.note is not None:
            lines.append(f"  Note: {' '.join(change.note.text.split())}")
            if change.note.source:
                lines.append(f"  Source: {' '.join(change.note.source.split())}")
    if lines:
        parts.append("\n".join(lines))
    # Key order matters: "changes" comes last, and the record is ASCII-only JSON, so that
    # a reader can pass the changes array through verbatim (see tracker/logjson.py).
    version = MOVES_VERSION if any(c.is_move or c.within is not None for c in changes) else 1
    record: dict[str, Any] = {"v": version, "reason": reason.strip()}
    if initial:
        record["initial"] = True
    # A change's place is for the reader of show and diff, never part of the record.
    record["changes"] = [replace(c, place=None).to_json() for c in changes]
    trailers = DOCUMENT_TRAILER + json.dumps(document, ensure_ascii=False)[1:-1]
    trailers += "\n" + RECORD_TRAILER + json.dumps(record, ensure_ascii=True)
    parts.append(trailers)
    return "\n\n".join(parts) + "\n"


def _category(change: Change) -> str:
    return f"[{change.note.category}] " if change.note else "[no note] "


def _short(text: str, limit: int = 60) -> str:
    flat = json.dumps(text, ensure_ascii=False)
    return flat if len(flat) <= limit else flat[: limit - 4] + '..."'


def _quote_change(change: Change) -> str:
    if change.is_move:
        return f"moved {_short(change.old.text.strip())}"
    prefix = f"(in change {change.within}) " if change.within is not None else ""
    return prefix + _quote_edit(change)


def _quote_edit(change: Change) -> str:
    if change.kind == "insert":
        return f"inserted {_short(change.new.text)}"
    if change.kind == "delete":
        return f"deleted {_short(change.old.text)}"
    return f"{_short(change.old.text)} -> {_short(change.new.text)}"


def parse_message(message: str) -> tuple[str, str, str | None, dict[str, Any] | None]:
    """Split a commit message into (summary, reason, document, record).

    For a commit the tracker did not write, the record is None and the reason is the
    message body, so foreign histories read naturally.
    """
    message = message.replace("\r\n", "\n")
    summary, _, body = message.partition("\n")
    body = body.strip("\n")
    document = None
    record = None
    _head, sep, tail = body.rpartition("\n" + DOCUMENT_TRAILER)
    if not sep and body.startswith(DOCUMENT_TRAILER):
        sep, tail = DOCUMENT_TRAILER, body[len(DOCUMENT_TRAILER) :]
    if sep:
        doc_line, _, rest = tail.partition("\n")
        if rest.startswith(RECORD_TRAILER):
            try:
                record = json.loads(rest[len(RECORD_TRAILER) :].split("\n", 1)[0])
                document = json.loads('"' + doc_line + '"')
            except ValueError:
                record = None
    if record is None or not isinstance(record, dict):
        return summary.strip(), body.strip(), None, None
    return summary.strip(), str(record.get("reason", "")), document, record


def replay_of(message: str) -> str | None:
    """The original a replayed revision names (``Tracker-Replay-Of``), or None.

    Read only in the trailer paragraph, on the line just before ``Tracker-Document``, and
    only when the message carries a record: a reason that quotes the trailer names
    nothing."""
    if REPLAY_TRAILER not in message:
        return None  # nearly every revision: one scan, nothing copied
    message = message.replace("\r\n", "\n")
    head, sep, tail = message.rpartition("\n" + DOCUMENT_TRAILER)
    if not sep or RECORD_TRAILER not in tail:
        return None
    line = head.rpartition("\n")[2]
    if not line.startswith(REPLAY_TRAILER):
        return None
    value = line[len(REPLAY_TRAILER) :].strip()
    if len(value) not in (40, 64) or any(c not in "0123456789abcdef" for c in value):
        return None
    return value if parse_message(message)[3] is not None else None


def with_replay_trailer(message: str, original: str, record: dict[str, Any]) -> str:
    """A recorded revision's message with its record replaced by ``record`` and the
    trailer ``Tracker-Replay-Of: original`` just before ``Tracker-Document`` (an older
    ``Tracker-Replay-Of`` line, of a revision replayed twice, replaced): the readable
    text above the trailers stays as the original's."""
    message = message.replace("\r\n", "\n")
    head, sep, tail = message.rpartition("\n" + DOCUMENT_TRAILER)
    if not sep:
        raise ValueError("the message has no Tracker-Document trailer")
    above, _, last = head.rpartition("\n")
    if last.startswith(REPLAY_TRAILER):
        head = above
    doc_line, _, _rest = tail.partition("\n")
    return (
        f"{head}\n{REPLAY_TRAILER}{original}\n{DOCUMENT_TRAILER}{doc_line}\n"
        f"{RECORD_TRAILER}{json.dumps(record, ensure_ascii=True)}\n"
    )


class UnknownRecordVersion(ValueError):
    """A record of a layout this tracker cannot read (written by a newer tracker)."""


def record_version(record: dict[str, Any]) -> Any:
    """The record's layout version as stored; a record without one is version 1."""
    return record.get("v", 1)


def changes_from_record(record: dict[str, Any]) -> list[Change]:
    """The changes (with their notes) stored in a revision's record."""
    version = record_version(record)
    if version not in READ_VERSIONS or type(version) is not int:
        raise UnknownRecordVersion(f"record version {version!r}")
    changes = []
    for item in record.get("changes", []):
        old, new, raw = item["old"], item["new"], item.get("note")
        note = None
        if raw:
            note = Note(
                text=str(raw.get("text", "")),
                category=str(raw.get("category", "other")),
                source=str(raw.get("source") or ""),
                author=str(raw.get("author", "")),
                date=str(raw.get("date", "")),
                **{key: str(raw[key]) for key in NOTICE_FIELDS if raw.get(key)},
            )
        if item["kind"] not in CHANGE_KINDS:
            # Not written by the tracker: the record is forged or damaged (its readers
            # then compute the changes from the texts), and the kind is never shown.
            raise ValueError(f"unknown change kind {item['kind']!r}")
        changes.append(
            Change(
                int(item["index"]),
                str(item["kind"]),
                Span(int(old["start"]), int(old["end"]), str(old["text"])),
                Span(int(new["start"]), int(new["end"]), str(new["text"])),
                note,
                old_place_in_new=_optional_int(item.get("old_place_in_new")),
                new_place_in_old=_optional_int(item.get("new_place_in_old")),
                within=_optional_int(item.get("within")),
            )
        )
    return changes


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


# -- later notes ---------------------------------------------------------------------


def later_entry(change: Change, note: Note, seen: Sequence[str] | None = None) -> dict[str, Any]:
    """One appended entry of the notes ref's JSON for a revision. ``seen``: the ids of the
    entries for the same change that were current when it was written (``heads``); None
    leaves it out (the entry then follows every entry before it, as entries did before)."""
    entry = {
        "change": change.index,
        "old": [change.old.start, change.old.end],
        "new": [change.new.start, change.new.end],
        "old_text": change.old.text,
        "new_text": change.new.text,
        "text": note.text,
        "category": note.category,
        "source": note.source,
        "author": note.author,
        "date": note.date,
        **note.reader_fields(),
    }
    if seen is not None:
        entry["seen"] = sorted(seen)
    return entry


# -- what an entry's writer had seen -----------------------------------------------------
#
# Several editors append to the same document in their own clones; sync joins the
# documents (tracker/sync/notes_merge.py). An entry names, in "seen", the entries for the
# same target (a change's note, a revision's review) that were current when it was
# written: a newer wording supersedes exactly those. Entries nobody has superseded are
# the current ones; two of them are concurrent, written without seeing each other, and
# are shown as a conflict until a new entry (which sees both) resolves them. An entry
# without "seen" (written before sync existed, or by hand) read as it always did: it
# supersedes every entry before it in the document. docs/storage-format.md has the rules.


def current_ids(entries: Sequence[Any]) -> list[str]:
    """The ids of the current entries among one target's entries: what a new entry for
    that target has seen (and so supersedes)."""
    return sorted({entry_id(entries[number]) for number in heads(entries)})


def matches_change(entry: dict[str, Any], change: Change) -> bool:
    """Whether a stored later-notes entry is about ``change`` (as ``apply_later`` binds it)."""
    return _matches(LaterNote.from_entry(entry), change)


def heads(entries: Sequence[Any]) -> list[int]:
    """The positions of the current entries among one target's ``entries`` (in document
    order): those no other entry has seen. More than one means concurrent writers."""
    return current_of([entry_id(e) for e in entries], [seen_of(e) for e in entries])


def current_of(ids: Sequence[str], seens: Sequence[tuple[str, ...] | None]) -> list[int]:
    """``heads`` from each entry's id and "seen" (None: it follows every entry before it)."""
    superseded: set[str] = set()
    for number, seen in enumerate(seens):
        superseded.update(ids[:number] if seen is None else seen)
    current: dict[str, int] = {}
    for number, entry_key in enumerate(ids):
        if entry_key not in superseded:
            current[entry_key] = number  # an entry stored twice counts once (its last place)
    return sorted(current.values())


def parse_later(blob: str | None) -> list[dict[str, Any]]:
    """The entries of a revision's later-notes document (oldest first); [] when absent."""
    if not blob or not blob.strip():
        return []
    try:
        data = json.loads(blob)
    except ValueError:
        return []
    entries = data.get("entries", []) if isinstance(data, dict) else []
    return [entry for entry in entries if isinstance(entry, dict)]


def compose_later(entries: list[dict[str, Any]]) -> str:
    return json.dumps({"v": RECORD_VERSION, "entries": entries}, ensure_ascii=False, indent=1)


def _matches(later: LaterNote, change: Change) -> bool:
    if later.anchored:
        return later.anchor == change.anchor
    return later.change == change.index


def reanchored(
    entries: list[dict[str, Any]], was: Sequence[Change], now: Sequence[Change]
) -> list[dict[str, Any]]:
    """Later-note entries written for the changes ``was`` (an original revision), moved
    onto the same changes ``now`` (its replay: same indices, offsets moved). An entry
    that matched no change of the original is kept as it was."""
    by_anchor = {change.anchor: change.index for change in was}
    by_index = {change.index: change for change in now}
    moved = []
    for entry in entries:
        later = LaterNote.from_entry(entry)
        target = None
        if later.anchored:
            try:
                index = by_anchor.get(later.anchor)
            except TypeError:  # written by hand with something unhashable in a range
                index = None
            target = by_index.get(index) if index is not None else None
        if target is None:
            moved.append(entry)
            continue
        old, new = target.old, target.new
        moved.append({**entry, "old": [old.start, old.end], "new": [new.start, new.end]})
    return moved


def apply_later(
    changes: list[Change], entries: Sequence[LaterNote | dict[str, Any]]
) -> list[Change]:
    """Attach later notes: the newest wording wins and the earlier ones become its history.

    ``entries`` are LaterNotes, or entries as stored (``parse_later``)."""
    if not entries:
        return changes
    notes = [e if isinstance(e, LaterNote) else LaterNote.from_entry(e) for e in entries]
    result = []
    for change in changes:
        matching = [later for later in notes if _matches(later, change)]
        result.append(change.with_note(_current_note(change.note, matching)))
    return result


def _current_note(note: Note | None, matching: list[LaterNote]) -> Note | None:
    """The note a change shows: the newest current wording, with the superseded ones as
    its history and any other current one that says something else as its conflict."""
    if not matching:
        return note
    ids = [later.id or f"#{number}" for number, later in enumerate(matching)]
    current = current_of(ids, [later.seen for later in matching])
    newest = matching[current[-1]]
    wording = (newest.text, newest.category, newest.source, newest.reader)
    # Concurrent wordings that agree are no conflict: the others go to its history.
    disagree = [
        n
        for n in current[:-1]
        if (matching[n].text, matching[n].category, matching[n].source, matching[n].reader)
        != wording
    ]
    shown = {current[-1], *disagree}
    earlier = [*note.history, replace(note, history=())] if note else []
    earlier += [later.note() for n, later in enumerate(matching) if n not in shown]
    conflict = tuple(matching[n].note() for n in disagree)
    return replace(newest.note(), history=tuple(earlier), conflict=conflict)
