"""Provides the corrections feed's data: every notice of every document in a store, newest
first, as ``tracker feed`` lists it (docs/corrections.md, "The corrections feed").

The whole branch is read in one ``git log`` stream (records and later notes together) and
the journal once for the publish events, so the cost grows with the number of revisions,
never with a git process per document. ``feed_formats.py`` writes the Atom, JSON Feed
and HTML pages from the ``Feed`` built here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from tracker.errors import TrackerError
from tracker.git import cmd as gitcmd
from tracker.git.read import stream_records
from tracker.model import Feed, NoticeItem
from tracker.notes import (
    NOTES_REF,
    RECORD_TRAILER,
    apply_later,
    changes_from_record,
    parse_later,
    parse_message,
    replay_of,
)
from tracker.policy import NONE, NOTICE_TYPES, Preset, label, notice_of, preset, significance_of
from tracker.store import LOG_FIELDS, LOG_FORMAT, Store

FEED_TYPES = tuple(t for t in NOTICE_TYPES if t != NONE)  # what --notice may name
FORMATS = ("atom", "json", "html")
DEFAULT_TITLE = "Corrections"
# The tag URI's authority when the first commit's address cannot serve as one (RFC 4151
# wants a domain or an e-mail address; .invalid is reserved and can belong to nobody).
FALLBACK_AUTHORITY = "tracker.invalid"
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")
_EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Origin:
    """The branch's first commit: what the feed's tag URI is minted from."""

    rev: str
    email: str
    date: str  # ISO 8601


def build_feed(
    store: Store,
    *,
    documents: Sequence[str] = (),
    notices: Sequence[str] = (),
    since: str | None = None,
    until: str | None = None,
    everything: bool = False,
    title: str = DEFAULT_TITLE,
    base_url: str = "",
) -> Feed:
    """The store's notices, published ones only unless ``everything``; filtered by
    document, notice type and date (the published date; a pending notice's own date)."""
    for notice in notices:
        if notice not in FEED_TYPES:
            raise TrackerError(
                f"unknown notice type {notice!r}", "use one of: " + ", ".join(FEED_TYPES)
            )
    low, high = _bound(since, "--since", end=False), _bound(until, "--until", end=True)
    policy = preset(store.config.policy)
    found, origin, tip_date = gather(store, policy)
    published = published_dates(store)
    chosen = set(documents)
    items = []
    for item in _one_per_wording(found):
        when = published.get(item.rev, "")
        if when:
            item = replace(item, published=when)
        elif not everything:
            continue
        if chosen and item.document not in chosen:
            continue
        if notices and item.notice not in notices:
            continue
        if not _within(item.published or item.corrected, low, high):
            continue
        items.append(item)
    items.sort(key=_newest_first)
    newest = max((_instant(i.published or i.corrected) for i in items), default=None)
    updated = newest.isoformat() if newest is not None else tip_date
    return Feed(
        id=_tag(origin),
        title=title or DEFAULT_TITLE,
        updated=updated,
        policy=policy.name,
        items=tuple(items),
        everything=everything,
        base_url=base_url,
    )


# -- gathering: the one function to swap for tracker/notices.py's reading --------------------


def gather(store: Store, policy: Preset) -> tuple[list[NoticeItem], _Origin, str]:
    """Every notice-bearing change on the branch (newest revision first), the branch's
    first commit, and the tip's date: one ``git log`` of the whole first-parent history,
    the later notes printed beside each record (``%N``), so no process per document."""
    items: list[NoticeItem] = []
    origin = _Origin("", "", "")
    tip_date = ""
    if store.head() is None:
        return items, origin, tip_date
    args = ("log", "--first-parent", f"--notes={NOTES_REF}", f"--format={LOG_FORMAT}")
    for fields in stream_records(store.root, *args, *gitcmd.NO_DRIVERS, "HEAD", fields=LOG_FIELDS):
        rev, _parents, _name, email, when = (f.decode("utf-8", "replace") for f in fields[:5])
        when = when[:-1] + "+00:00" if when.endswith("Z") else when
        tip_date = tip_date or when
        origin = _Origin(rev, email, when)  # the last one read is the first commit
        if RECORD_TRAILER.encode() not in fields[5]:
            continue  # a commit the tracker did not record: it has no notes
        items.extend(_notices_of(store, policy, rev, when, fields))
    return items, origin, tip_date


def _notices_of(
    store: Store, policy: Preset, rev: str, when: str, fields: list[bytes]
) -> Iterator[NoticeItem]:
    message = fields[5].decode("utf-8", "replace")
    _summary, _reason, document, record = parse_message(message)
    if record is None or document is None or not record.get("changes"):
        return
    try:
        changes = changes_from_record(record)
    except (KeyError, TypeError, ValueError, AttributeError):
        return  # a damaged record: verify names it; a feed cannot word its notes
    stored = parse_later(fields[6].decode("utf-8", "replace"))
    original = replay_of(message)
    if original is not None:
        # A revision replayed by sync: the notes written on its originals are its own.
        stored = store.carried_notes(store.replay_chain(original), changes) + stored
    for change in apply_later(changes, stored):
        note = change.note
        notice = notice_of(note, policy)
        if note is None or notice == NONE:
            continue  # a silent fix is never shown to readers
        yield NoticeItem(
            document=document,
            rev=rev,
            change=change.index,
            notice=notice,
            significance=significance_of(note, policy),
            label=label(notice, policy),
            corrected=when,
            text=note.text,
            source=note.source,
            reported_by=note.reported_by,
            reported=note.reported,
            late_reason=note.late_reason,
        )


def _one_per_wording(items: list[NoticeItem]) -> Iterator[NoticeItem]:
    """One notice per wording in a revision: a revision whose several changes share one
    note (one fix made in three places) tells readers once, under its first change."""
    seen: set[tuple[str, str, str, str, str]] = set()
    for item in items:
        key = (item.rev, item.document, item.label, item.text, item.source)
        if key not in seen:
            seen.add(key)
            yield item


def published_dates(store: Store) -> dict[str, str]:
    """When each revision's notices were published: the date of the first publish event
    in the journal that names it (tracker publish). Publish events only: git's --grep
    keeps the rest of a large journal out of Python."""
    from tracker.git.journal import EVENT_PREFIX, JOURNAL_REF

    if store.ref(JOURNAL_REF) is None:
        return {}
    import json

    out = store.git(
        "log", "--reverse", "--topo-order", "-F", "--grep=publish", "--format=%B%x00",
        JOURNAL_REF,
    )  # fmt: skip
    dates: dict[str, str] = {}
    for body in out.split("\x00"):
        line = next((ln for ln in body.splitlines() if ln.startswith(EVENT_PREFIX)), None)
        if line is None:
            continue
        try:
            event = json.loads(line[len(EVENT_PREFIX) :])
        except ValueError:
            continue
        if not isinstance(event, dict) or event.get("event") != "publish":
            continue
        revisions = event.get("revisions")
        when = event.get("date")
        if not isinstance(revisions, list) or not isinstance(when, str):
            continue
        for rev in revisions:
            if isinstance(rev, str):
                dates.setdefault(rev, when)
    return dates


# -- order, dates, ids ----------------------------------------------------------------------


def _instant(text: str) -> datetime:
    """An ISO 8601 time as an instant (one without an offset read as UTC); the earliest
    time for one that cannot be read, so that it sorts last rather than failing."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return _EARLIEST
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _newest_first(item: NoticeItem) -> tuple:
    """The feed's order: notices awaiting publication first (the desk's own view), then
    the newest published, then the newest corrected; ties in a fixed order."""
    published = _instant(item.published) if item.published else None
    return (
        published is not None,
        -(published or _EARLIEST).timestamp(),
        -_instant(item.corrected).timestamp(),
        item.document,
        item.rev,
        item.change,
    )


Bound = tuple[str, date | datetime] | None


def _bound(text: str | None, flag: str, end: bool) -> Bound:
    """A --since/--until value: a day (YYYY-MM-DD, compared with each notice's own date
    as it is written, in its own offset) or a time with its offset (an instant)."""
    if not text:
        return None
    try:
        if len(text) == 10:
            return ("day", date.fromisoformat(text))
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise TrackerError(
            f"{flag} {text!r} is not a date",
            "give a day (2025-03-06) or a time with its offset (2025-03-06T09:00:00+00:00)",
        )
    return ("instant", value)


def _within(when: str, low: Bound, high: Bound) -> bool:
    for bound, later in ((low, True), (high, False)):
        if bound is None:
            continue
        kind, value = bound
        if kind == "day":
            try:
                mine: date | datetime = date.fromisoformat(when[:10])
            except ValueError:
                return False
        else:
            mine = _instant(when)
        if (mine < value) if later else (mine > value):  # type: ignore[operator]
            return False
    return True


def _tag(origin: _Origin) -> str:
    """The feed's id: a tag URI (RFC 4151) minted from the branch's first commit (its
    author's address and day, and its id), so every run and every clone names the store
    alike, and no two stores share it."""
    authority = origin.email if _EMAIL.fullmatch(origin.email) else FALLBACK_AUTHORITY
    day = origin.date[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}", origin.date[:10]) else "2000"
    return f"tag:{authority},{day}:tracker/{origin.rev or 'empty'}"
