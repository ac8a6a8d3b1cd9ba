"""Provides ``tracker log --json`` as a stream of JSON text, fast on long histories.

A revision the tracker recorded carries its changes as ASCII JSON in the
``Tracker-Record:`` trailer, in exactly the shape the log prints. Re-decoding and
re-encoding ten thousand of them costs more than git takes to list them, so when a
record is well-formed, ASCII and has no later notes, its changes array is passed through
verbatim. Every other revision (foreign commits, later notes, anything odd) goes the
ordinary way, through :class:`~tracker.model.Revision`, so the output is the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from tracker.logcache import ForeignChanges
from tracker.model import CHANGE_KINDS, Revision
from tracker.notes import RECORD_TRAILER, REPLAY_TRAILER
from tracker.store import Store, payload_of, with_merged_branch, with_payload

_encode = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
_CHANGES_KEY = '"changes": '


def log_json(
    store: Store,
    document: str,
    search: str | None = None,
    limit: int | None = None,
    unreviewed: bool = False,
) -> Iterator[str]:
    """Yield the log as JSON text pieces; joined, they form one JSON document."""
    document_json = _encode(document)
    yield '{"document": ' + document_json + ', "revisions": ['
    first = True
    if search or unreviewed:
        # Filtering reads each revision anyway: the ordinary path does it.
        for index, revision in enumerate(store.log(document, search, limit, unreviewed=unreviewed)):
            entry = json.dumps(revision.to_json(), ensure_ascii=True)
            yield entry if index == 0 else ", " + entry
        yield "]}\n"
        return
    # One cat-file process (started when first needed) reads the reviews, the texts of
    # unrecorded revisions and merged branches.
    foreign: ForeignChanges | None = store.foreign_changes()
    # Each revision's reviews looked up through the fan-out, not every review read first.
    reviews = store.review_entries
    blobs = not store.written_by_tracker(foreign.read_object)
    try:
        for raw in store.log_records(document, limit, blobs):
            entry = _fast_entry(raw, document_json, reviews)
            if entry is None:
                revision = store.parse_log_record(raw, document)
                if revision is None:
                    continue
                if revision.recorded:
                    entry = json.dumps(revision.to_json(), ensure_ascii=True)
                else:
                    foreign = foreign or store.foreign_changes()
                    revision = with_merged_branch(revision, raw, foreign)
                    entry = _foreign_entry(revision, payload_of(revision, raw, foreign))
            yield entry if first else ", " + entry
            first = False
    finally:
        if foreign is not None:
            foreign.close()
    yield "]}\n"


_NO_CHANGES = '"changes": []}'


def _foreign_entry(revision: Revision, payload: str) -> str:
    """The entry of an unrecorded revision: its changes list (cached or just computed,
    and already in the printed form) goes into the text as it is, unless later notes
    must be merged into it."""
    if payload.startswith("[") and not revision.later_notes:
        text = json.dumps(revision.to_json(), ensure_ascii=True)
        if text.endswith(_NO_CHANGES):  # the changes are the last key (Revision.to_json)
            return text[: -len(_NO_CHANGES)] + '"changes": ' + payload + "}"
    return json.dumps(with_payload(revision, payload).to_json(), ensure_ascii=True)


_TRAILER = b"\n" + RECORD_TRAILER.encode()
_REPLAY = b"\n" + REPLAY_TRAILER.encode()
_scan = json.JSONDecoder().scan_once  # one JSON value from a position, in C


def _fast_entry(
    fields: list[bytes], document_json: str, reviews: Callable[[str], list | None]
) -> str | None:
    """The entry's JSON text straight from a well-formed record, or None to go the slow way."""
    if len(fields) < 7 or fields[6].strip():
        return None  # malformed, or later notes to merge: the ordinary path handles it
    message = fields[5]
    if _REPLAY in message:
        return None  # a replay shows its original's notes and reviews: the ordinary path
    at = message.rfind(_TRAILER)
    if at < 0:
        return None
    record_bytes = message[at + len(_TRAILER) :].split(b"\n", 1)[0]
    # ASCII only: no C1 or bidi character can pass through raw. Control characters
    # inside strings are refused by the strict decoder; the line holds no newline.
    if not record_bytes.isascii():
        return None
    text = record_bytes.decode("ascii").rstrip()
    try:
        record, end = _scan(text, 0)
    except (ValueError, StopIteration):
        return None
    if end != len(text):
        return None
    # Only the layout the tracker writes: {"v", "reason", ["initial",] "changes"}.
    if type(record) is not dict or record.get("v") != 1:
        return None
    keys = list(record)
    if keys != ["v", "reason", "changes"] and keys != ["v", "reason", "initial", "changes"]:
        return None
    reason, changes = record["reason"], record["changes"]
    if type(reason) is not str or type(changes) is not list:
        return None
    if record.get("initial", True) is not True:
        return None
    notes = 0
    for change in changes:
        if type(change) is not dict or change.get("kind") not in CHANGE_KINDS:
            return None  # a forged kind: the ordinary path reads the commit as foreign
        if change.get("note"):
            notes += 1
    # A JSON string cannot hold a raw quote, so the first '"changes": ' is the key.
    changes_text = text[text.index(_CHANGES_KEY) + len(_CHANGES_KEY) : -1]
    rev = fields[0].decode("ascii", "replace")
    parent = fields[1].split(b" ", 1)[0].decode("ascii", "replace")
    author = (
        fields[2].decode("utf-8", "replace") + " <" + fields[3].decode("utf-8", "replace") + ">"
    )
    summary = message.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    return "".join(
        (
            '{"rev": "', rev,
            '", "parent": ', ('"' + parent + '"') if parent else "null",
            ', "author": ', _encode(author),
            ', "date": "', fields[4].decode("ascii", "replace"),
            '", "summary": ', _encode(summary),
            ', "reason": ', _encode(reason),
            ', "document": ', document_json,
            ', "recorded_by_tracker": true, "notes": ', str(notes),
            ', "initial": true' if len(keys) == 4 else "",
            ', "review": ', _review_json(reviews(rev), author),
            ', "changes": ', changes_text, "}",
        )
    )  # fmt: skip


def _review_json(entries: list | None, author: str) -> str:
    if not entries:
        return "null"
    from tracker.reviews import status_of
    from tracker.store import as_reviewed

    # Marked as the slow path marks it: an approval by the revision's own author.
    review = as_reviewed(status_of(entries), author)
    return json.dumps(review.to_json() if review else None, ensure_ascii=True)
