"""Provides the log of histories the tracker did not write: one git listing that also
names each revision's blobs, a diff that skips what two texts share, and a cache of
computed changes keyed by blob ids.

Why each part:

* ``git log --raw`` names the document's old and new blob in the same process that lists
  the commits, so each text is read once (by id, through one ``cat-file --batch``) and
  a revision whose blobs were diffed before is not diffed again.
* Most edits touch one paragraph of a long text. Cutting the lines both texts share at
  their start and end (found by slice comparisons, in C) before the diff engine splits
  and anchors lines gives the same changes, shifted, for a fraction of the work.
* Changes depend only on the two texts and on the diff engine, so they are cached in the
  repository's private area (``<git common dir>/tracker/cache/``), one line per blob
  pair with a checksum, in a file named after the engine's source. Never in a ref or the
  work tree: nothing is shared, nothing shows in ``git status``. A missing, damaged or
  unwritable cache is rebuilt or simply not used; the output is the same.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from tracker.git.read import stream_fields

CACHE_VERSION = "1"
_ZERO = frozenset(b"0")


# -- one listing with blob ids ------------------------------------------------------------


def stream_log(cwd: Path | str, *args: str, fields: int) -> Iterator[list[bytes]]:
    """Run ``git log -z --raw`` whose format ends every field with NUL, and yield each
    commit's ``fields`` fields followed by the old and new blob ids of the (one) file it
    lists, ``b""`` where there is none.

    After a commit's fields, git writes its raw diff lines as ``:meta`` NUL ``path`` NUL
    (two paths for a rename or copy). A commit id never starts with ``:``, so the next
    commit's first field ends the raw part without counting anything in it.
    """
    record: list[bytes] = []
    blobs: tuple[bytes, bytes] | None = None
    paths_due = 0  # path fields still to come after a raw line
    with contextlib.closing(stream_fields(cwd, *args)) as listing:
        for field in listing:
            if len(record) < fields:
                record.append(field if record else field.lstrip(b"\n"))
                continue
            if paths_due:
                paths_due -= 1
                continue
            raw = field.lstrip(b"\n")
            if not raw:
                continue  # the commit's own terminator
            if raw.startswith(b":"):
                if blobs is None:  # the first file listed is the document
                    blobs = _raw_blobs(raw)
                status = raw.rsplit(b" ", 1)[-1][:1]
                paths_due = 2 if status in (b"R", b"C") else 1
                continue
            yield [*record, *(blobs or (b"", b""))]
            record, blobs = [raw], None
    if len(record) == fields:
        yield [*record, *(blobs or (b"", b""))]


def _raw_blobs(raw: bytes) -> tuple[bytes, bytes]:
    """(old, new) blob ids of a raw diff line; ``b""`` for git's all-zero "none"."""
    parts = raw.split(b" ")
    if len(parts) < 5:
        return b"", b""
    old, new = parts[2], parts[3]
    return (b"" if set(old) <= _ZERO else old), (b"" if set(new) <= _ZERO else new)


# -- the diff of two texts, without the lines they share at both ends ---------------------


def diff_json_ready(old: str, new: str) -> list:
    """The word-level changes from ``old`` to ``new``, exactly as ``diff_texts`` finds
    them, computed on the lines between what the texts share at both ends (region.py)."""
    from tracker.region import changes_between  # loads the engine only when needed

    return [] if old == new else changes_between(old, new)


# -- the cache ----------------------------------------------------------------------------


def _engine_tag() -> str:
    """A name for the diff engine's current source: a changed engine gets a new cache file,
    so changes computed by an older one are never served."""
    here = Path(__file__).resolve().parent
    crc = 0
    for name in ("diff.py", "moves.py", "where.py", "text/tokens.py", "model.py"):
        try:
            crc = zlib.crc32((here / name).read_bytes(), crc)
        except OSError:
            return ""
    return f"{crc:08x}"


def common_git_dir(git_dir: Path) -> Path:
    """The directory every work tree of the repository shares (``git rev-parse
    --git-common-dir``), found without a git process: a linked work tree's git
    directory names it in its ``commondir`` file."""
    try:
        pointer = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return git_dir
    return (git_dir / pointer).resolve() if pointer else git_dir


class ChangeCache:
    """Changes of revisions the tracker did not record, by (old blob, new blob).

    Each entry is one line: ``OLD NEW CRC32 JSON``, the JSON being the changes exactly
    as ``log --json`` prints them (notes none: later notes are applied on top). A line
    whose checksum does not match (a torn write, a damaged disk, an edit) is ignored; the
    file is rewritten without it the next time something is added.
    """

    def __init__(self, git_dir: Path) -> None:
        tag = _engine_tag()
        common = common_git_dir(git_dir)
        self.folder = common / "tracker" / "cache"
        self.path = self.folder / f"changes-v{CACHE_VERSION}-{tag}.txt" if tag else None
        # A repository copied from elsewhere may hold anything in .git: a folder that is a
        # symbolic link would make the cache read and write (and clean) somewhere else.
        if any(p.is_symlink() for p in (common / "tracker", self.folder)):
            self.path = None
        self._entries: dict[tuple[bytes, bytes], str] | None = None
        self._new: list[bytes] = []
        self._damaged = False

    def _load(self) -> dict[tuple[bytes, bytes], str]:
        entries: dict[tuple[bytes, bytes], str] = {}
        self._entries = entries
        if self.path is None:
            return entries
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as handle:
                # A device or FIFO planted under that name could be endless or block.
                data = handle.read() if stat.S_ISREG(os.fstat(fd).st_mode) else b""
        except OSError:  # missing, unreadable, a directory, a link: as if empty
            return entries
        for line in data.split(b"\n"):
            if not line:
                continue
            parts = line.split(b" ", 3)
            # Printable ASCII only: what this code writes (ASCII JSON) has no control byte.
            if len(parts) != 4 or not parts[3].isascii():
                self._damaged = True
                continue
            old, new, crc, raw = parts
            payload = raw.decode("ascii")
            if (
                crc != b"%08x" % zlib.crc32(raw)
                or not payload.isprintable()
                or (old, new) in entries
            ):
                self._damaged = True  # rewritten without it (or the copy) on the next save
                continue
            entries[old, new] = payload
        return entries

    def get(self, old: bytes, new: bytes) -> str | None:
        entries = self._entries if self._entries is not None else self._load()
        return entries.get((old, new))

    def put(self, old: bytes, new: bytes, payload: str) -> None:
        entries = self._entries if self._entries is not None else self._load()
        if (old, new) in entries:
            if entries[old, new] == payload:
                return
            self._damaged = True  # a wrong entry: rewrite the file without it
        entries[old, new] = payload
        raw = payload.encode("ascii")
        self._new.append(b"%s %s %08x %s\n" % (old, new, zlib.crc32(raw), raw))

    def save(self) -> None:
        """Write what was added (the whole file again when a line was damaged); silently
        nothing where the repository is read-only."""
        if not (self._new or self._damaged) or self.path is None:
            return
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            if self._damaged or not self.path.is_file():
                self._rewrite()
            else:
                self._append()
            self._drop_stale()
        self._new = []

    def _append(self) -> None:
        assert self.path is not None
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK)
        try:
            size = os.fstat(fd).st_size
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return
            # A torn last line (a crash mid-write) must not swallow the next entry.
            if size and os.pread(fd, 1, size - 1) != b"\n":
                os.write(fd, b"\n")
            os.write(fd, b"".join(self._new))
        finally:
            os.close(fd)

    def _rewrite(self) -> None:
        assert self.path is not None and self._entries is not None
        lines = []
        for (old, new), payload in self._entries.items():
            raw = payload.encode("ascii")
            lines.append(b"%s %s %08x %s\n" % (old, new, zlib.crc32(raw), raw))
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            # Created new, never through a link planted under that name.
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
            fd = os.open(temporary, flags, 0o644)
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"".join(lines))
            os.replace(temporary, self.path)
        finally:
            with contextlib.suppress(OSError):
                temporary.unlink()
        self._damaged = False

    def _drop_stale(self) -> None:
        """Remove caches of older engines: they can never be read again."""
        assert self.path is not None
        for other in self.folder.glob("changes-v*.txt"):
            if other.name != self.path.name:
                with contextlib.suppress(OSError):
                    other.unlink()


def changes_payload(changes: list) -> str:
    """The changes as ``log --json`` prints them (ASCII JSON, notes none)."""
    return json.dumps([change.to_json() for change in changes], ensure_ascii=True)


def changes_from_payload(payload: str) -> list | None:
    """The changes of a cached entry, or None when it does not hold them."""
    from tracker.model import CHANGE_KINDS, Change, Span

    try:
        items = json.loads(payload)
        changes = []
        for item in items:
            old, new = item["old"], item["new"]
            if item["kind"] not in CHANGE_KINDS or item["note"] is not None:
                return None
            changes.append(
                Change(
                    int(item["index"]),
                    item["kind"],
                    Span(int(old["start"]), int(old["end"]), str(old["text"])),
                    Span(int(new["start"]), int(new["end"]), str(new["text"])),
                    old_place_in_new=_int_or_none(item.get("old_place_in_new")),
                    new_place_in_old=_int_or_none(item.get("new_place_in_old")),
                    within=_int_or_none(item.get("within")),
                )
            )
    except (ValueError, KeyError, TypeError):
        return None
    return changes


def _int_or_none(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


# -- changes of revisions the tracker did not record ---------------------------------------

_INITIAL = '{"initial": true}'
_NONE = b"none"  # the key's side for "no blob": the document did not exist there


def _computed(old: bytes | None, new: bytes) -> str:
    """The payload for two texts (``old`` None: the document is new)."""
    from tracker.text.decode import not_text_kind

    if kind := not_text_kind(new):
        return json.dumps({"not_text": kind, "which": "this"})
    if old is not None and (kind := not_text_kind(old)):
        return json.dumps({"not_text": kind, "which": "previous"})
    if old is None:
        return _INITIAL
    return changes_payload(diff_json_ready(old.decode("utf-8"), new.decode("utf-8")))


class ForeignChanges:
    """Finds the changes of unrecorded revisions from their blob ids: from the cache, or
    by reading both texts (each once) through one ``cat-file --batch`` and diffing them.

    A result is a *payload*: the changes' JSON list, ``{"initial": true}`` for a first
    revision, or ``{"not_text": KIND, "which": "this"|"previous"}`` for bytes that are
    not text. Call ``close()`` to stop the reader and write the new cache entries.
    """

    def __init__(self, root: Path, git_dir: Path, reader=None) -> None:
        self.root = root
        self.cache = ChangeCache(git_dir)
        # The store's own reader when given (one cat-file per command), closed by the store.
        self._reader = reader
        self._owned = reader is None
        self._blobs: dict[bytes, bytes | None] = {}  # the last few texts read, by id
        self.blobs_read = 0

    def payload(self, old_oid: bytes, new_oid: bytes) -> str:
        """The payload of a revision whose document went from blob ``old_oid`` to
        ``new_oid`` (``b""``: it did not exist there)."""
        key = (old_oid or _NONE, new_oid or _NONE)
        hit = self.cache.get(*key)
        if hit is not None and valid_payload(hit):
            return hit
        new = self._read(new_oid) if new_oid else b""
        old = self._read(old_oid) if old_oid else None
        payload = _computed(old, new or b"")
        if new is not None and (old is not None or not old_oid):
            self.cache.put(*key, payload)  # not when git could not read a blob (shallow)
        return payload

    def payload_by_name(self, rev: str, parent: str | None, document: str) -> str:
        """The payload of a revision listed without blob ids: both texts read by name,
        nothing cached (a commit made with plain git inside a tracker store)."""
        new = self.read_object(f"{rev}:{document}") or b""
        old = self.read_object(f"{parent}:{document}") if parent else None
        return _computed(old, new)

    def _read(self, oid: bytes) -> bytes | None:
        if oid in self._blobs:
            return self._blobs[oid]
        if self._reader is None:
            from tracker.git.read import BlobReader

            self._reader = BlobReader(self.root)
        data = self._reader.read(oid.decode("ascii"))
        self.blobs_read += 1
        # Newest first, a revision's old text is the next one's new text: keep a few.
        if len(self._blobs) >= 4:
            del self._blobs[next(iter(self._blobs))]
        self._blobs[oid] = data
        return data

    def read_object(self, name: str) -> bytes | None:
        """Any object by name (a commit, ``REV:PATH``), through the same reader."""
        if self._reader is None:
            from tracker.git.read import BlobReader

            self._reader = BlobReader(self.root)
        return self._reader.read(name)

    def close(self) -> None:
        if self._reader is not None and self._owned:
            self._reader.close()
        self._reader = None
        self.cache.save()

    def __enter__(self) -> ForeignChanges:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_FIXED_PAYLOADS = frozenset(
    [_INITIAL]
    + [
        json.dumps({"not_text": kind, "which": which})
        for kind in ("binary", "undecodable")
        for which in ("this", "previous")
    ]
)


def valid_payload(payload: str) -> bool:
    """True when a cached payload has the shape this code writes: one of the fixed
    markers, or a JSON list of changes without notes, in printable ASCII. A line edited
    by hand (its checksum fixed too) cannot put a control character into the output."""
    if payload in _FIXED_PAYLOADS:
        return True
    if not payload.startswith("["):  # (printable ASCII: ChangeCache loads nothing else)
        return False
    try:
        value, end = _scan(payload, 0)
    except (ValueError, StopIteration):
        return False
    return (
        end == len(payload)
        and type(value) is list
        and all(type(c) is dict and list(c) in _CHANGE_KEYS for c in value)
        and all(c["note"] is None and c["kind"] in _KINDS for c in value)
        and all(type(c.get(k, 0)) is int for c in value for k in [*_PLACE_KEYS, "within"])
    )


_scan = json.JSONDecoder().scan_once
_PLACE_KEYS = ["old_place_in_new", "new_place_in_old"]
# The keys of a change as Change.to_json writes them: a move adds its two places, an edit
# inside a move the move's index.
_CHANGE_KEYS = [
    ["index", "kind", "old", "new", "note"],
    ["index", "kind", "old", "new", "note", *_PLACE_KEYS],
    ["index", "kind", "old", "new", "note", "within"],
]
_KINDS = ("insert", "delete", "replace", "move")  # model.CHANGE_KINDS, without the model


# -- notes, through the same reader --------------------------------------------------------


def notes_pairs(
    read: Callable[[str], bytes | None], ref: str, size: int = 20
) -> list[tuple[str, str]]:
    """(note blob, commit) for every note of a notes ref, as ``git notes list`` gives
    them, read from the ref's trees (fanned out into folders or not) through ``read``:
    no process of its own. None when the ref does not exist."""
    tree = read(f"{ref}^{{tree}}")
    pairs: list[tuple[str, str]] = []
    stack = [("", tree)] if tree else []
    while stack:
        prefix, data = stack.pop()
        at = 0
        while at < len(data):
            space = data.find(b" ", at)
            nul = data.find(b"\x00", space)
            if space < 0 or nul < 0 or nul + 1 + size > len(data):
                break  # a damaged tree: what was read so far
            mode, name = data[at:space], data[space + 1 : nul].decode("ascii", "replace")
            oid = data[nul + 1 : nul + 1 + size].hex()
            at = nul + 1 + size
            path = prefix + name
            if not all(c in _HEX for c in name):
                continue  # not a note (git notes ignores such names too)
            if mode == b"40000":
                sub = read(oid)
                if sub:
                    stack.append((path, sub))
            elif len(path) == 2 * size:
                pairs.append((oid, path))
    return pairs


_HEX = frozenset("0123456789abcdef")


def hash_size(root: Path | str) -> int:
    """Bytes in an object id of the repository: 32 for SHA-256, 20 for SHA-1 (from the
    configuration the door has already read: no process)."""
    from tracker.git.cmd import config_value

    return 32 if (config_value(root, "extensions.objectformat") or "").lower() == "sha256" else 20


# -- merges of pull requests ---------------------------------------------------------------

_MERGE_KEY = b"merge"
_WALK_LIMIT = 2000  # commits read to find a merged branch's own commits, at most


def merge_payload(foreign: ForeignChanges, rev: str, parents: list[str], document: str) -> str:
    """What a merge brought in, as JSON: the merged branch's commits (oldest first) that
    changed the document, each with its author, date and message; cached by merge id."""
    key = (_MERGE_KEY, rev.encode("ascii"))
    hit = foreign.cache.get(*key)
    if hit is not None and _valid_merge(hit):
        return hit
    commits = _branch_commits(foreign, parents[0], parents[1:], document)
    payload = json.dumps(commits, ensure_ascii=True)
    foreign.cache.put(*key, payload)
    return payload


def _valid_merge(payload: str) -> bool:
    if not payload.startswith("[") or not payload.isprintable():
        return False
    try:
        value = json.loads(payload)
    except ValueError:
        return False
    return type(value) is list and all(
        type(c) is dict
        and list(c) == ["rev", "author", "date", "summary", "reason"]
        and all(type(v) is str for v in c.values())
        for c in value
    )


def _branch_commits(
    foreign: ForeignChanges, first: str, others: list[str], document: str
) -> list[dict[str, str]]:
    """The commits reachable from the other parents but not from the first one (git's
    ``first..other``), that changed the document, oldest first.

    Walked newest first by commit time, as git does: a commit reached from the first
    parent is marked, and so are its ancestors; the walk ends when only marked commits
    are left to visit."""
    import heapq

    commits: dict[str, _Commit] = {}
    marked: set[str] = set()  # reachable from the first parent
    queue: list[tuple[int, int, str]] = []
    counter = iter(range(1 << 62))

    def push(oid: str, from_first: bool) -> None:
        commit = commits.get(oid) or _read_commit(foreign, oid)
        if commit is None:
            return  # not in this copy (a shallow clone): nothing to follow
        commits[oid] = commit
        if from_first:
            marked.add(oid)
        heapq.heappush(queue, (-commit.time, next(counter), oid))

    push(first, True)
    for other in others:
        push(other, False)
    expanded: set[str] = set()
    expanded_marked: set[str] = set()
    branch: list[_Commit] = []
    while queue and len(expanded) + len(expanded_marked) < _WALK_LIMIT:
        if all(oid in marked for _, _, oid in queue):
            break
        _, _, oid = heapq.heappop(queue)
        commit = commits[oid]
        if oid in marked:
            if oid not in expanded_marked:
                expanded_marked.add(oid)
                for parent in commit.parents:
                    push(parent, True)
        elif oid not in expanded:
            expanded.add(oid)
            branch.append(commit)
            for parent in commit.parents:
                push(parent, parent in marked)
    touched = [c for c in branch if c.oid not in marked and _changes_document(foreign, c, document)]
    touched.sort(key=lambda c: c.time)
    return [c.to_json() for c in touched]


class _Commit:
    __slots__ = ("oid", "parents", "author", "date", "time", "summary", "reason")

    def __init__(self, oid: str, raw: bytes) -> None:
        head, _, message = raw.partition(b"\n\n")
        self.oid = oid
        self.parents: list[str] = []
        self.author = ""
        self.date = ""
        self.time = 0
        for line in head.split(b"\n"):
            name, _, value = line.partition(b" ")
            if name == b"parent":
                self.parents.append(value.decode("ascii", "replace"))
            elif name == b"author":
                self.author, self.date = _person(value)
            elif name == b"committer":
                self.time = _stamp(value)[0]
        text = message.decode("utf-8", "replace").replace("\r\n", "\n")
        summary, _, body = text.partition("\n")
        self.summary = summary.strip()
        self.reason = body.strip()

    def to_json(self) -> dict[str, str]:
        return {
            "rev": self.oid,
            "author": self.author,
            "date": self.date,
            "summary": self.summary,
            "reason": self.reason,
        }


def _read_commit(foreign: ForeignChanges, oid: str) -> _Commit | None:
    data = foreign.read_object(oid)
    return _Commit(oid, data) if data else None


def _stamp(value: bytes) -> tuple[int, str]:
    """(seconds, ISO 8601 date with the author's offset) from ``NAME <EMAIL> TS TZ``."""
    from datetime import datetime, timedelta, timezone

    parts = value.rsplit(b" ", 2)
    try:
        seconds = int(parts[-2])
        tz = parts[-1].decode("ascii")
        minutes = int(tz[1:3]) * 60 + int(tz[3:5])
        offset = timedelta(minutes=-minutes if tz.startswith("-") else minutes)
        return seconds, datetime.fromtimestamp(seconds, timezone(offset)).isoformat()
    except (ValueError, IndexError, OverflowError, OSError):
        return 0, ""


def _person(value: bytes) -> tuple[str, str]:
    """("Name <email>", ISO date) of an author line, as ``%an <%ae>`` and ``%aI`` give."""
    who = value.rsplit(b" ", 2)[0] if value.count(b" ") >= 2 else value
    return who.decode("utf-8", "replace"), _stamp(value)[1]


def _changes_document(foreign: ForeignChanges, commit: _Commit, document: str) -> bool:
    """Whether a commit's document differs from its first parent's (or it is new)."""
    mine = foreign.read_object(f"{commit.oid}:{document}")
    if not commit.parents:
        return mine is not None
    return mine != foreign.read_object(f"{commit.parents[0]}:{document}")
