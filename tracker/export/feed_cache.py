"""Provides the feed's cache: what ``tracker feed`` found on the branch, kept in the
repository's private area (``<git common dir>/tracker/cache/feed-v1.json``) with the tip
and notes commit it was read at, so the next run reads only what changed since.

The cache holds facts git can give again (each revision's notices, worded by nothing
yet), never a decision: a missing, damaged, foreign or stale file is read past and
rebuilt, and an unwritable folder only means every run reads the whole history. It is
keyed by the policy (which labels and defaults the notices) and the tracker's version
(which may word defaults differently), so neither change can show a stale notice.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import Any

from tracker import __version__
from tracker.git.docindex import common_git_dir
from tracker.model import NoticeItem

CACHE_VERSION = 1
_FIELDS = 12  # NoticeItem's fields before ``published`` (the journal's, never kept)


@dataclass
class Snapshot:
    """The branch as the feed read it: at ``head`` with the notes ref at ``notes``."""

    head: str
    notes: str | None
    policy: str
    origin: tuple[str, str, str]  # the first commit: id, author's address, date
    tip_date: str
    revs: list[str]  # the recorded revisions on the first-parent line, newest first
    replays: list[str]  # those that are replays (their notes may be an original's)
    items: list[NoticeItem]

    def to_json(self) -> dict[str, Any]:
        return {
            "v": CACHE_VERSION,
            "tracker": __version__,
            "head": self.head,
            "notes": self.notes,
            "policy": self.policy,
            "origin": list(self.origin),
            "tip_date": self.tip_date,
            "revs": self.revs,
            "replays": self.replays,
            "items": [_row(item) for item in self.items],
        }


def _row(item: NoticeItem) -> list[Any]:
    return [
        item.document, item.rev, item.change, item.notice, item.significance, item.label,
        item.corrected, item.text, item.source, item.reported_by, item.reported,
        item.late_reason,
    ]  # fmt: skip


class FeedCache:
    """The cache file of one repository (none where its folder is a link: a repository
    copied from elsewhere must not make the tracker read or write outside it)."""

    def __init__(self, git_dir: Path) -> None:
        common = common_git_dir(git_dir)
        self.folder = common / "tracker" / "cache"
        self.path: Path | None = self.folder / f"feed-v{CACHE_VERSION}.json"
        if any(p.is_symlink() for p in (common / "tracker", self.folder)):
            self.path = None

    def load(self, policy: str) -> Snapshot | None:
        """The kept snapshot for ``policy``, or None (none kept, or not one to trust)."""
        data = self.read()
        try:
            return _snapshot(data, policy)
        except (KeyError, TypeError, ValueError):
            return None

    def save(self, snapshot: Snapshot) -> None:
        """Keep ``snapshot`` (whole or not at all); silently nothing where the
        repository is read-only."""
        self.write(snapshot.to_json())

    def read(self) -> Any:
        """The file's JSON, or None (missing, unreadable, damaged, not a regular file)."""
        if self.path is None:
            return None
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as handle:
                # A device or FIFO planted under that name could be endless or block.
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    return None
                return json.loads(handle.read())
        except (OSError, ValueError):
            return None

    def write(self, data: Any) -> None:
        """Write the file whole or not at all, never through a link."""
        if self.path is None:
            return
        body = json.dumps(data, ensure_ascii=True, separators=(",", ":"))
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            try:
                # Created new, never through a link planted under that name.
                flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
                fd = os.open(temporary, flags, 0o644)
                with os.fdopen(fd, "w", encoding="ascii") as handle:
                    handle.write(body)
                os.replace(temporary, self.path)
            finally:
                with contextlib.suppress(OSError):
                    temporary.unlink()


def _snapshot(data: Any, policy: str) -> Snapshot | None:
    if not isinstance(data, dict) or data.get("v") != CACHE_VERSION:
        return None
    if data.get("tracker") != __version__ or data.get("policy") != policy:
        return None
    head, notes = data["head"], data["notes"]
    if not is_oid(head) or not (notes is None or is_oid(notes)):
        return None
    origin = tuple(str(part) for part in data["origin"])
    revs = [str(rev) for rev in data["revs"]]
    replays = [str(rev) for rev in data["replays"]]
    rows = data["items"]
    if not isinstance(rows, list) or not _well_typed(rows):
        return None
    items = [NoticeItem(*row) for row in rows]
    if len(origin) != 3:
        return None
    return Snapshot(head, notes, policy, origin, str(data["tip_date"]), revs, replays, items)  # type: ignore[arg-type]


def _well_typed(rows: list[Any]) -> bool:
    """Whether every row is a list of ``_FIELDS`` values, the change number an int and
    the rest strings. Told by whole columns in C (a loop per value took a quarter of a
    second on 20,000 rows, a third of a kept run)."""
    if set(map(type, rows)) - {list} or set(map(len, rows)) - {_FIELDS}:
        return False
    values = list(chain.from_iterable(rows))
    changes = values[2::_FIELDS]
    del values[2::_FIELDS]
    return not (set(map(type, changes)) - {int} or set(map(type, values)) - {str})


def is_oid(value: Any) -> bool:
    return (
        isinstance(value, str)
        and len(value) in (40, 64)
        and all(c in "0123456789abcdef" for c in value)
    )


class JournalCache:
    """The publish dates found in the journal, with the journal tip they were read at
    (``feed-journal-v1.json`` beside the snapshot; the same rules)."""

    def __init__(self, git_dir: Path) -> None:
        self.files = FeedCache(git_dir)
        if self.files.path is not None:
            self.files.path = self.files.folder / f"feed-journal-v{CACHE_VERSION}.json"

    def load(self) -> tuple[str, dict[str, str]] | None:
        data = self.files.read()
        if not isinstance(data, dict) or data.get("v") != CACHE_VERSION:
            return None
        if data.get("tracker") != __version__:  # a newer tracker may count events otherwise
            return None
        tip, dates = data.get("tip"), data.get("dates")
        if not is_oid(tip) or not isinstance(dates, dict):
            return None
        if not all(isinstance(v, str) for v in dates.values()):
            return None
        return tip, dates

    def save(self, tip: str, dates: dict[str, str]) -> None:
        self.files.write({"v": CACHE_VERSION, "tracker": __version__, "tip": tip, "dates": dates})
