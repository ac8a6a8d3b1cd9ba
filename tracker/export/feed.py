"""Provides the corrections feed's data: every notice of every document in a store, newest
first, as ``tracker feed`` lists it (docs/corrections.md, "The corrections feed").

The whole branch is read in one ``git log`` stream (records and later notes together) and
the journal once for the publish events, so the cost grows with the number of revisions,
never with a git process per document. ``feed_formats.py`` writes the Atom, JSON Feed
and HTML pages from the ``Feed`` built here.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from tracker.errors import TrackerError, UnknownDocumentError
from tracker.export.feed_headlines import document_headlines
from tracker.git import cmd as gitcmd
from tracker.git.read import stream_records
from tracker.model import CHANGE_KINDS, NOTICE_FIELDS, Feed, Note, NoticeItem
from tracker.notes import (
    DOCUMENT_TRAILER,
    NOTES_REF,
    READ_VERSIONS,
    RECORD_TRAILER,
    REPLAY_TRAILER,
    apply_later,
    changes_from_record,
    parse_later,
    replay_of,
)
from tracker.notices import grouped, joined
from tracker.policy import (
    NONE,
    NOTICE_TYPES,
    Preset,
    label,
    notice_of,
    preset,
    significance_of,
)
from tracker.store import Store

if TYPE_CHECKING:
    from tracker.export.feed_cache import Snapshot

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
    limit: int | None = None,
) -> Feed:
    """The store's notices, published ones only unless ``everything``; filtered by
    document, notice type and date (the published date; a pending notice's own date);
    the ``limit`` newest of them when given."""
    for notice in notices:
        if notice not in FEED_TYPES:
            raise TrackerError(
                f"unknown notice type {notice!r}", "use one of: " + ", ".join(FEED_TYPES)
            )
    low, high = _bound(since, "--since"), _bound(until, "--until")
    policy = preset(store.config.policy)
    # The journal is read while the branch is: two git processes, each on its own core.
    journal: dict[str, Any] = {}

    def read_journal() -> None:
        try:
            journal["dates"] = published_dates(store)
        except BaseException as error:  # raised below, in the command's own thread
            journal["error"] = error

    reading = threading.Thread(target=read_journal)
    reading.start()
    try:
        found, origin, tip_date = gather(store, policy)
    finally:
        reading.join()
    if "error" in journal:
        raise journal["error"]
    published: dict[str, str] = journal["dates"]
    chosen = set(documents)
    if chosen:
        named = {item.document for item in found}
        for document in sorted(chosen - named - set(store.documents())):
            # A typo must not read as "no notices": name what is not there.
            raise UnknownDocumentError(
                f"{document} is not a document of this store",
                "see 'tracker status' for its documents",
            )
    items = []
    # One notice per revision and notice type, as the article shows it (tracker notice).
    for item in map(joined, grouped(found)):
        if chosen and item.document not in chosen:
            continue
        if notices and item.notice not in notices:
            continue
        when = published.get(item.rev, "")
        if when:
            item = _published(item, when)
        elif not everything:
            continue
        if (low or high) and not _within(item.published or item.corrected, low, high):
            continue
        items.append(item)
    items.sort(key=_newest_first)
    if limit is not None:
        # A subscription feed's size: readers see the newest, as Atom feeds give them.
        items = items[:limit]
    newest = max((_instant(i.published or i.corrected) for i in items), default=None)
    updated = newest.isoformat() if newest is not None else tip_date
    headlines = document_headlines(store, {item.document for item in items})
    return Feed(
        id=_tag(origin),
        title=title or DEFAULT_TITLE,
        updated=updated,
        policy=policy.name,
        items=tuple(items),
        everything=everything,
        base_url=base_url,
        headlines=headlines,
    )


# -- gathering: the one function to swap for tracker/notices.py's reading --------------------


def gather(store: Store, policy: Preset) -> tuple[list[NoticeItem], _Origin, str]:
    """Every notice-bearing change on the branch (a revision's changes together), the
    branch's first commit, and the tip's date.

    Cold, one ``git log`` of the whole first-parent history reads every record with its
    later notes (``%N``): no process per document. What it found is kept in the
    repository's private area (feed_cache.py), so the next run reads only what changed
    since: the revisions recorded after the kept tip, and those whose later notes
    changed. This is the one function to swap for tracker/notices.py's reading, should
    that learn to read a whole store at once: it words nothing, it only finds notes."""
    from tracker.export.feed_cache import FeedCache, Snapshot

    head = store.head()
    if head is None:
        return [], _Origin("", "", ""), ""
    notes = store.ref(NOTES_REF)
    # Where git rewrites parents (shallow, grafts) the kept tip may not mean the same.
    cache = None if store._grafted() else FeedCache(store.git_dir)
    kept = cache.load(policy.name) if cache is not None else None
    snapshot = None
    if kept is not None:
        if kept.head == head and kept.notes == notes:
            return kept.items, _Origin(*kept.origin), kept.tip_date
        snapshot = _brought_up_to_date(store, policy, kept, head, notes)
    if snapshot is None:
        snapshot = Snapshot(head, notes, policy.name, ("", "", ""), "", [], [], [])
        _take(snapshot, _read(store, policy, ["HEAD"]))
        snapshot.head = head
    if cache is not None:
        cache.save(snapshot)
    return snapshot.items, _Origin(*snapshot.origin), snapshot.tip_date


@dataclass
class _Read:
    """One commit of a listing, with the notices of its changes."""

    rev: str
    parent: str
    email: str
    when: str
    recorded: bool
    replay: bool
    items: list[NoticeItem]


def _read(store: Store, policy: Preset, revs: list[str], walk: bool = True) -> list[_Read]:
    """The commits of one ``git log`` (the first-parent history of ``revs``; without
    ``walk``, exactly ``revs``, given on its standard input), newest first."""
    args = ["log", f"--notes={NOTES_REF}", f"--format={_FORMAT}", *gitcmd.NO_DRIVERS]
    if walk:
        records: Iterable[list[bytes]] = stream_records(
            store.root, *args, "--first-parent", *revs, "--", fields=6
        )
    else:
        data = "".join(f"{rev}\n" for rev in revs).encode()
        out = gitcmd.run(store.root, *args, "--no-walk=unsorted", "--stdin", input=data).stdout
        fields = out.split(b"\x00")
        records = (
            [fields[at].lstrip(b"\n"), *fields[at + 1 : at + 6]]
            for at in range(0, len(fields) - 5, 6)
        )
    found = []
    decide = _decider(policy)
    for rev_b, parents, email, when_b, message, later in records:
        rev, when = rev_b.decode(), when_b.decode()
        when = when[:-1] + "+00:00" if when.endswith("Z") else when
        recorded = _RECORD in message
        items = list(_notices_of(store, decide, rev, when, message, later)) if recorded else []
        found.append(
            _Read(
                rev,
                parents.split(b" ", 1)[0].decode(),
                email.decode("utf-8", "replace"),
                when,
                recorded,
                recorded and _REPLAY in message,
                items,
            )  # fmt: skip
        )
    return found


def _take(snapshot: Snapshot, reads: list[_Read], newer: bool = True) -> None:
    """Add a listing's commits to ``snapshot`` (``newer``: they come after its tip)."""
    items = [item for read in reads for item in read.items]
    recorded = [read.rev for read in reads if read.recorded]
    replays = [read.rev for read in reads if read.replay]
    if newer:
        snapshot.items[:0] = items
        snapshot.revs[:0] = recorded
        snapshot.replays[:0] = replays
        if reads:
            snapshot.tip_date = reads[0].when
            if not snapshot.origin[0]:
                last = reads[-1]  # a whole history: its last commit is the first one
                snapshot.origin = (last.rev, last.email, last.when)
    else:
        snapshot.items += items


def _brought_up_to_date(
    store: Store, policy: Preset, kept: Snapshot, head: str, notes: str | None
) -> Snapshot | None:
    """``kept`` with the revisions recorded since its tip and the revisions whose later
    notes changed since; None where that cannot be told apart from a rewritten history
    (the kept tip is not on the branch's first-parent line; the notes ref was replaced),
    and the whole history is read again."""
    snapshot = kept
    if kept.head != head:
        newer = _read(store, policy, [f"^{kept.head}", "HEAD"])
        if not newer or newer[-1].parent != kept.head:
            return None  # the branch moved back, or the kept tip is not its first parent
        _take(snapshot, newer)
        snapshot.head = head
    if kept.notes != notes:
        if kept.notes is None or notes is None:
            return None
        try:
            paths = gitcmd.output(
                store.root, "diff-tree", "-r", "--name-only", "--no-renames", kept.notes, notes
            ).split("\n")
        except TrackerError:
            return None  # the kept notes commit is gone (pruned): read everything
        changed = {path.replace("/", "") for path in paths if path}
        known = set(snapshot.revs)
        if snapshot.replays and not changed <= known:
            return None  # a replay's notes may come from an original's: read everything
        again = [rev for rev in snapshot.revs if rev in changed]
        if again:
            stale = set(again)
            snapshot.items = [item for item in snapshot.items if item.rev not in stale]
            _take(snapshot, _read(store, policy, again, walk=False), newer=False)
        snapshot.notes = notes
    return snapshot


# Only what the feed reads (store.LOG_FORMAT has names besides): the id, the parents (to
# tell the kept tip is the first parent), the author's address and date (the first
# commit's mint the feed's id), the message and the later notes.
_FORMAT = "%H%x00%P%x00%ae%x00%aI%x00%B%x00%N%x00"
_RECORD = RECORD_TRAILER.encode()
_DOCUMENT = b"\n" + DOCUMENT_TRAILER.encode()
_REPLAY = REPLAY_TRAILER.encode()
_NO_CHANGES = b'"changes": []}'  # "changes" is the record's last key (notes.py)


def _record_of(message: bytes) -> tuple[str, dict[str, Any]] | None:
    """The document and record of a commit message, read as ``parse_message`` reads them
    (the Tracker-Document line right before the Tracker-Record line), without decoding
    the rest of the message; None without one, or for a record without changes."""
    _head, sep, tail = message.rpartition(_DOCUMENT)
    if not sep:
        return None
    doc_line, _, rest = tail.partition(b"\n")
    if not rest.startswith(_RECORD):
        return None
    line = rest[len(_RECORD) :].split(b"\n", 1)[0]
    if line.endswith(_NO_CHANGES):
        return None  # a baseline (a third of a newsroom's records): nothing to parse
    try:
        record = json.loads(line.decode("utf-8"))
        # JSON escapes only quotes, backslashes and controls, each with a backslash: a
        # name without one is its own text (nearly every name; a third of the loads).
        if b"\\" in doc_line or b'"' in doc_line:
            document = json.loads(b'"' + doc_line + b'"')
        else:
            document = doc_line.decode("utf-8")
    except ValueError:  # UnicodeDecodeError among them
        return None
    if not isinstance(record, dict) or not isinstance(document, str):
        return None
    return document, record


def _notices_of(
    store: Store,
    decide: Callable[[str, str, str], tuple[str, str, str]],
    rev: str,
    when: str,
    message: bytes,
    later: bytes,
) -> Iterator[NoticeItem]:
    found = _record_of(message.replace(b"\r\n", b"\n") if b"\r" in message else message)
    if found is None:
        return
    document, record = found
    raw_changes = record.get("changes")
    if not raw_changes:
        return  # a baseline, or a revision without changes: nothing to tell readers
    stored = parse_later(later.decode("utf-8", "replace")) if later.strip() else []
    try:
        if _REPLAY in message or any(isinstance(entry.get("seen"), list) for entry in stored):
            raws = [
                (index, note.to_json())
                for index, note in _notes_in_full(store, message, record, stored)
            ]
        else:
            raws = _notes_fast(record, raw_changes, stored)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError):
        return  # a damaged record: verify names it; a feed cannot word its notes
    for index, raw in raws:
        text, category, source, notice, significance, by, reported, late = _wording(raw)
        notice, significance, shown = decide(notice, significance, category)
        if notice == NONE:
            continue  # a silent fix is never shown to readers
        yield NoticeItem(
            document, rev, index, notice, significance, shown, when, text, source, by,
            reported, late,
        )  # fmt: skip


def _notes_in_full(
    store: Store, message: bytes, record: dict[str, Any], stored: list[dict[str, Any]]
) -> list[tuple[int, Note]]:
    """Each change's current note as every reader of a revision finds it
    (``apply_later``): for a replayed revision (its originals' notes are its own) and for
    entries that say what they saw (concurrent wordings, joined by sync)."""
    changes = changes_from_record(record)
    original = replay_of(message.decode("utf-8", "replace"))
    if original is not None:
        stored = store.carried_notes(store.replay_chain(original), changes) + stored
    return [(c.index, c.note) for c in apply_later(changes, stored) if c.note is not None]


def _notes_fast(
    record: dict[str, Any], raw_changes: list[dict[str, Any]], stored: list[dict[str, Any]]
) -> list[tuple[int, dict[str, Any]]]:
    """Each change's current note, as ``apply_later`` finds it when no entry says what it
    saw (nearly every store): the last entry bound to the change wins, else the record's
    own note. Only the raw wording is found, none of its history (a feed shows none),
    which is what keeps 20,000 revisions under a second."""
    version = record.get("v", 1)
    if version not in READ_VERSIONS or type(version) is not int:
        raise ValueError(f"record version {version!r}")
    # Where each change's newest entry is: bound by its ranges, or (an entry written by
    # hand without them) by its number; the later in the document wins either way.
    by_anchor: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = {}
    by_index: dict[Any, tuple[int, dict[str, Any]]] = {}
    for position, entry in enumerate(stored):
        old, new = entry.get("old"), entry.get("new")
        if isinstance(old, list) and isinstance(new, list):
            try:
                by_anchor[(*old, *new)] = (position, entry)
            except TypeError:  # written by hand with something unhashable in a range
                continue
        else:
            try:
                by_index[entry.get("change")] = (position, entry)
            except TypeError:
                continue
    notes = []
    for item in raw_changes:
        if item["kind"] not in CHANGE_KINDS:
            raise ValueError(f"unknown change kind {item['kind']!r}")
        index = int(item["index"])
        if stored:
            old, new = item["old"], item["new"]
            anchor = (int(old["start"]), int(old["end"]), int(new["start"]), int(new["end"]))
            bound = max(by_anchor.get(anchor, _UNBOUND), by_index.get(index, _UNBOUND), key=_first)
            raw = bound[1] or item.get("note")
        else:
            raw = item.get("note")
        if raw:
            if not isinstance(raw, dict):
                raise TypeError("a note that is not an object")
            notes.append((index, raw))
    return notes


_UNBOUND: tuple[int, dict[str, Any]] = (-1, {})


def _first(pair: tuple[int, dict[str, Any]]) -> int:
    return pair[0]


def _wording(raw: dict[str, Any]) -> tuple[str, ...]:
    """A note's text, category, source and reader fields, from a record's note or a later
    entry, read as ``notes.py`` reads them into a ``Note`` (without building one)."""
    get = raw.get
    return (
        str(get("text", "")),
        str(get("category", "other")),
        str(get("source") or ""),
        *(str(value) if (value := get(key)) else "" for key in NOTICE_FIELDS),
    )


def _decider(policy: Preset) -> Callable[[str, str, str], tuple[str, str, str]]:
    """The notice, significance and label a note's own fields and category come to under
    ``policy`` (``notice_of``, ``significance_of``, ``label``), remembered per
    combination: a newsroom's 20,000 notes have a few dozen."""
    known: dict[tuple[str, str, str], tuple[str, str, str]] = {}

    def decide(notice: str, significance: str, category: str) -> tuple[str, str, str]:
        key = (notice, significance, category)
        if (done := known.get(key)) is None:
            note = Note("", category, notice=notice, significance=significance)
            kind = notice_of(note, policy)
            done = known[key] = (kind, significance_of(note, policy), label(kind, policy))
        return done

    return decide


def _published(item: NoticeItem, when: str) -> NoticeItem:
    """``item`` published at ``when`` (dataclasses.replace, spelled out: it cost a third
    of a second for 20,000 notices)."""
    return NoticeItem(
        item.document, item.rev, item.change, item.notice, item.significance, item.label,
        item.corrected, item.text, item.source, item.reported_by, item.reported,
        item.late_reason, published=when,
    )  # fmt: skip


def published_dates(store: Store) -> dict[str, str]:
    """When each revision's notices were published: the date of the first publish event
    in the journal that names it (tracker publish). Publish events only: git's --grep
    keeps the rest of a large journal out of Python. What was found is kept with the
    journal's tip (feed_cache.py), and a journal that only grew since, one commit after
    another, is read from there on."""
    from tracker.export.feed_cache import JournalCache
    from tracker.git.journal import JOURNAL_REF

    tip = store.ref(JOURNAL_REF)
    if tip is None:
        return {}
    cache = None if store._grafted() else JournalCache(store.git_dir)
    kept = cache.load() if cache is not None else None
    if kept is not None and kept[0] == tip:
        return kept[1]
    dates: dict[str, str] = {}
    since = None
    if kept is not None and _grew_linearly(store, kept[0], tip):
        dates, since = kept[1], kept[0]
    out = store.git(
        "log", "--reverse", "--topo-order", "-F", "--grep=publish", "--format=%B%x00",
        f"^{since}" if since else tip, tip,
    )  # fmt: skip
    _add_publish_events(out, dates)
    if cache is not None:
        cache.save(tip, dates)
    return dates


def _grew_linearly(store: Store, old: str, new: str) -> bool:
    """Whether ``new`` is ``old`` with commits added one after another (no merge: a
    sync's join could put an event before ones already read, and change which came
    first)."""
    try:
        listed = store.git("rev-list", "--parents", f"^{old}", new).split("\n")
    except TrackerError:
        return False  # the kept tip is gone
    chain = [line.split() for line in listed if line]
    if not chain or any(len(ids) != 2 for ids in chain):
        return False
    # Newest first: each commit's parent is the next one listed, the last one's is old.
    parents = [ids[1] for ids in chain]
    return parents == [ids[0] for ids in chain[1:]] + [old]


def _add_publish_events(out: str, dates: dict[str, str]) -> None:
    """Each revision a publish event in ``out`` (``git log --format=%B%x00``, oldest
    first) names, with the event's date, unless an earlier event named it: which events
    count, and which came first, as tracker/publication.py says (``published_in``)."""
    from tracker.git.journal import event_of
    from tracker.publication import published_in

    events = [event for body in out.split("\x00") if (event := event_of(body)) is not None]
    for rev, (when, _author) in published_in(events).items():
        dates.setdefault(rev, when)


# -- order, dates, ids ----------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _instant(text: str) -> datetime:
    """An ISO 8601 time as an instant (one without an offset read as UTC); the earliest
    time for one that cannot be read, so that it sorts last rather than failing.
    Remembered: a feed asks three times for each of its notices' dates."""
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


def _bound(text: str | None, flag: str) -> Bound:
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
