"""Reads from git in bulk: one streaming listing, one long-lived ``cat-file --batch``.

Speed on long histories comes from talking to git once per job, not once per commit:
a listing streams NUL-separated records as git writes them, and every blob, tree and
commit a command needs goes through one ``git cat-file --batch`` process. Both start
through the hardened door (cmd.py) with the same environment and pinned settings.

The batch reader also stands in for ``rev-parse``, ``ls-tree``, ``show -s`` and
``notes show``: it resolves names, and commits, trees and notes are parsed here from the
objects themselves. Paths are looked up by walking trees, never sent as ``rev:path``
lines, so a file name holding a newline needs no process of its own.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from tracker.errors import GitError
from tracker.git.cmd import _not_started, _subcommand, git_argv, hardened_env, run


def stream_fields(cwd: Path | str, *args: str) -> Iterator[bytes]:
    """Run one git listing whose output ends every field with NUL, and yield the fields
    as they arrive (a failure of git is raised once its output is read).

    NUL is the one byte a commit message cannot hold, so no text in a field can be
    mistaken for a separator.
    """
    try:
        proc = subprocess.Popen(
            git_argv(args),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=hardened_env(cwd),
        )
    except FileNotFoundError as exc:
        raise _not_started(cwd) from exc
    assert proc.stdout is not None
    # The unfinished field as a list of pieces, joined once when its NUL arrives: growing
    # one bytes object chunk by chunk (and splitting it again each time) is quadratic in
    # the size of one huge field.
    pending: list[bytes] = []
    try:
        while chunk := proc.stdout.read1(1 << 16):
            *complete, rest = chunk.split(b"\x00")
            if complete and pending:
                complete[0] = b"".join((*pending, complete[0]))
                pending = []
            if rest:
                pending.append(rest)
            yield from complete
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read() if proc.stderr else b""
        code = proc.wait()
        if proc.stderr:
            proc.stderr.close()
    if code != 0:
        lines = stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {_subcommand(args)} failed: {lines[-1] if lines else code}")


def stream_records(cwd: Path | str, *args: str, fields: int) -> Iterator[list[bytes]]:
    """Run one git listing whose format ends every field with NUL, and yield its records
    (lists of ``fields`` fields) as they arrive; records are told apart by counting."""
    record: list[bytes] = []
    with contextlib.closing(stream_fields(cwd, *args)) as listing:
        for field in listing:
            # git puts a newline between commits: it lands before the first field.
            record.append(field if record else field.lstrip(b"\n"))
            if len(record) == fields:
                yield record
                record = []


class BlobReader:
    """Reads many objects through one ``git cat-file --batch`` process, started on the
    first read (a store keeps one for its lifetime: ``Store.reader``).

    Safe to share between threads: one request at a time goes through the pipe. Trees,
    commits and recently read blobs are kept by object id (objects never change), so a
    command never reads the same object twice.
    """

    # Bytes of objects kept: the texts of a few revisions of a large document, and trees.
    CACHE_BYTES = 48 << 20

    def __init__(self, cwd: Path | str) -> None:
        self._cwd = cwd
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.RLock()
        self._cache: OrderedDict[str, tuple[str, bytes]] = OrderedDict()
        self._note_blobs: dict[tuple[str, str], str | None] = {}  # (notes tree, commit)
        self._cached_bytes = 0
        self._closed = False
        self.hash_hex = 40  # hex digits of an object id: 64 in a SHA-256 repository

    def _started(self) -> subprocess.Popen[bytes]:
        if self._proc is None:
            try:
                self._proc = subprocess.Popen(
                    git_argv(["cat-file", "--batch"]),
                    cwd=self._cwd,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=hardened_env(self._cwd),
                    # Its own process group: a Ctrl-C that the command defers past its
                    # commit point must not kill the reader it still needs. It ends
                    # with the command all the same: its input closes.
                    start_new_session=True,
                )
            except FileNotFoundError as exc:
                raise _not_started(self._cwd) from exc
        return self._proc

    # -- raw objects ------------------------------------------------------------------

    def read(self, name: str) -> bytes | None:
        """The object's bytes, or None when it does not exist (e.g. a path not in a commit)."""
        found = self.object(name)
        return None if found is None else found[2]

    def object(self, name: str) -> tuple[str, str, bytes] | None:
        """(object id, type, bytes) of the object ``name`` names, or None if there is none."""
        if _OID.fullmatch(name) and len(name) == self.hash_hex:
            with self._lock:
                hit = self._cache.get(name)
                if hit is not None:
                    self._cache.move_to_end(name)
                    return name, hit[0], hit[1]
        if "\n" in name:
            # The batch protocol ends a name at a newline, but a file name may hold one:
            # resolve such a name to its object id with one git call of its own.
            proc = run(self._cwd, "rev-parse", "--verify", "--quiet", name, check=False)
            oid = proc.stdout.decode("ascii", "replace").strip()
            if proc.returncode != 0 or not oid or "\n" in oid:
                return None
            name = oid
        with self._lock:
            header = self._ask(name)
            if not header and self._proc is not None and (self._proc.poll() or 0) < 0:
                # The reader was killed by a signal (not by a damaged object): start
                # another and ask once more.
                self._proc = None
                header = self._ask(name)
            if not header:
                # cat-file exits when it cannot read an object: a damaged repository.
                raise GitError(
                    f"git could not read {name}: the repository may be damaged",
                    "run 'tracker verify' or 'git fsck --full'",
                )
            if header.endswith(b" missing\n") or header.endswith(b" ambiguous\n"):
                return None
            oid_b, kind_b, size_b = header.split()
            size = int(size_b)
            assert self._proc is not None and self._proc.stdout is not None
            data = self._proc.stdout.read(size + 1)[:-1]
            oid, kind = oid_b.decode("ascii"), kind_b.decode("ascii")
            self.hash_hex = len(oid)
            self._keep(oid, kind, data)
            return oid, kind, data

    def read_many(self, oids: list[str]) -> None:
        """Read objects (full ids) into the cache in batches: the requests are written
        together and answered in order, so a log of fifty revisions costs a few round
        trips to git, not three hundred. What is missing is left for ``object`` to say."""
        with self._lock:
            wanted = [o for o in dict.fromkeys(oids) if _is_oid(o) and o not in self._cache]
        # Under 64 KB of requests per batch: git answers while the pipe still takes them.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            with self._lock:
                proc = self._started()
                assert proc.stdin is not None and proc.stdout is not None
                try:
                    proc.stdin.write("".join(f"{oid}\n" for oid in chunk).encode("ascii"))
                    proc.stdin.flush()
                    for _oid in chunk:
                        header = proc.stdout.readline()
                        if not header:
                            self._proc = None  # gone: the next read starts another
                            return
                        if header.endswith((b" missing\n", b" ambiguous\n")):
                            continue
                        oid_b, kind_b, size_b = header.split()
                        data = proc.stdout.read(int(size_b) + 1)[:-1]
                        self._keep(oid_b.decode("ascii"), kind_b.decode("ascii"), data)
                except (BrokenPipeError, OSError, ValueError):
                    self._proc = None
                    return

    def _ask(self, name: str) -> bytes:
        """Send one name; the header line that answers it (b"" when the reader is gone)."""
        proc = self._started()
        assert proc.stdin is not None and proc.stdout is not None
        try:
            proc.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
            proc.stdin.flush()
            return proc.stdout.readline()
        except (BrokenPipeError, OSError, ValueError):
            return b""

    def _keep(self, oid: str, kind: str, data: bytes) -> None:
        if len(data) > self.CACHE_BYTES // 4:
            return  # one huge blob must not push out everything else
        if oid not in self._cache:
            self._cached_bytes += len(data)
        self._cache[oid] = (kind, data)
        while self._cached_bytes > self.CACHE_BYTES and self._cache:
            _oid, (_kind, dropped) = self._cache.popitem(last=False)
            self._cached_bytes -= len(dropped)

    def oid_of(self, name: str, kind: str = "commit") -> str | None:
        """The id of the ``kind`` object ``name`` names (peeling tags and commits to it),
        as ``git rev-parse --verify NAME^{KIND}`` would print it; None when there is none."""
        found = self.object(f"{name}^{{{kind}}}")
        return found[0] if found is not None else None

    # -- commits, trees, notes ----------------------------------------------------------

    def commit(self, name: str) -> Commit | None:
        """The commit ``name`` names, parsed; None when it names none."""
        found = self.object(name if _is_oid(name) else f"{name}^{{commit}}")
        if found is None or found[1] != "commit":
            return None
        return Commit.parse(found[0], found[2])

    def tree(self, oid: str) -> list[TreeEntry]:
        """The entries of a tree object, in git's order."""
        return parse_tree(self._tree_bytes(oid), self.hash_hex // 2)

    def _tree_bytes(self, oid: str) -> bytes:
        found = self.object(oid)
        if found is None or found[1] != "tree":
            raise GitError(
                f"git could not read the tree {oid}: the repository may be damaged",
                "run 'tracker verify' or 'git fsck --full'",
            )
        return found[2]

    def entry(self, tree: str, path: str | bytes) -> TreeEntry | None:
        """The entry at ``path`` (slash-separated) under a tree, or None."""
        raw = path.encode("utf-8", "surrogateescape") if isinstance(path, str) else path
        parts = raw.split(b"/")
        if not raw or any(not part for part in parts):
            return None
        current: TreeEntry | None = None
        for part in parts:
            if current is not None and current.mode != b"40000":
                return None  # a file where a folder is named
            entries = self.tree(current.oid if current else tree)
            current = next((e for e in entries if e.name == part), None)
            if current is None:
                return None
        return current

    def blob_at(self, commit: str, path: str) -> tuple[str, bytes] | None:
        """(blob id, bytes) of the file at ``path`` in a commit; None when it has none."""
        parsed = self.commit(commit)
        if parsed is None:
            return None
        found = self.entry(parsed.tree, path)
        if found is None or found.mode == b"40000" or found.mode == b"160000":
            return None
        blob = self.object(found.oid)
        return None if blob is None else (found.oid, blob[2])

    def files(self, tree: str, prefix: bytes = b"") -> Iterator[TreeEntry]:
        """Every file below a tree, as ``git ls-tree -r`` lists them (names with folders)."""
        for item in self.tree(tree):
            name = prefix + item.name
            if item.mode == b"40000":
                yield from self.files(item.oid, name + b"/")
            else:
                yield TreeEntry(item.mode, name, item.oid)

    def note(self, ref: str, commit: str) -> bytes | None:
        """The note that ``ref`` (a notes ref) holds for ``commit``, or None.

        Notes trees fan out (``ab/cdef...``) as they grow; the lookup follows whatever
        split the tree uses, as git does.
        """
        root = self.oid_of(ref, "tree")
        if root is None:
            return None
        return self.note_in(root, commit)

    def note_in(self, tree: str, commit: str) -> bytes | None:
        """The note for ``commit`` in a notes tree (see ``note``)."""
        oid = self.note_blob(tree, commit)
        blob = None if oid is None else self.object(oid)
        return None if blob is None else blob[2]

    def remember_note(self, tree: str, commit: str, blob: str | None) -> None:
        """Take ``note_blob``'s answer from elsewhere (the log's cache of notes folders)."""
        with self._lock:
            self._note_blobs[(tree, commit)] = blob

    def note_blob(self, tree: str, commit: str) -> str | None:
        """The id of the note blob for ``commit`` in a notes tree, found through whatever
        fan-out the tree uses, without reading the blob (a partial clone may lack it)."""
        key = (tree, commit)
        if key in self._note_blobs:
            return self._note_blobs[key]
        found = self._find_note(tree, commit)
        with self._lock:
            if len(self._note_blobs) > 4096:
                self._note_blobs.clear()
            self._note_blobs[key] = found
        return found

    def _find_note(self, tree: str, commit: str) -> str | None:
        rest = commit.encode("ascii")
        while rest:
            data = self._tree_bytes(tree)
            leaf = _child(data, rest, self.hash_hex // 2)
            if leaf is not None and leaf.mode != b"40000":
                return leaf.oid
            fanout = _child(data, rest[:2], self.hash_hex // 2)
            if fanout is None or fanout.mode != b"40000":
                return None
            tree, rest = fanout.oid, rest[2:]
        return None

    def close(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
            self._cache.clear()
            self._note_blobs.clear()
            self._cached_bytes = 0
        if proc is None:
            return
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        proc.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_OID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def _is_oid(name: str) -> bool:
    return bool(_OID.fullmatch(name))


class TreeEntry(NamedTuple):
    mode: bytes  # as git writes it in a tree: b"100644", b"40000", b"160000"...
    name: bytes
    oid: str


def parse_tree(data: bytes, hash_bytes: int) -> list[TreeEntry]:
    """A tree object's entries: ``MODE SP NAME NUL`` and the raw id, repeated."""
    entries = []
    at = 0
    while at < len(data):
        space = data.index(b" ", at)
        nul = data.index(b"\x00", space)
        oid = data[nul + 1 : nul + 1 + hash_bytes].hex()
        entries.append(TreeEntry(data[at:space], data[space + 1 : nul], oid))
        at = nul + 1 + hash_bytes
    return entries


_MODE = re.compile(rb"[0-7]{5,6}")
_TILED = {size: re.compile(rb"(?:[0-7]{5,6} [^\x00]+\x00.{%d})*" % size, re.S) for size in (20, 32)}


def _child(data: bytes, name: bytes, hash_bytes: int) -> TreeEntry | None:
    """The entry called ``name`` in a tree's bytes, without parsing the others: a log
    looks up sixty notes, each in its own folder of 400. The name is found by ``find``;
    a hit counts only where the bytes before it are whole entries from the tree's first
    byte (one C call), so a name is never matched inside another's name or id. An
    entry's form leaves one way to read a tree, so that entry is the tree's own."""
    needle = b" " + name + b"\x00"
    tiled = _TILED[hash_bytes]
    at = data.find(needle)
    while at != -1:
        for start in (at - 6, at - 5):  # "100644 name", "40000 name"
            if start >= 0 and _MODE.fullmatch(data, start, at) and tiled.fullmatch(data, 0, start):
                end = at + len(needle)
                if end + hash_bytes <= len(data):
                    return TreeEntry(data[start:at], name, data[end : end + hash_bytes].hex())
        at = data.find(needle, at + 1)
    return None


# ``Name <email> 1717581600 +0100``, as git writes an identity. Anything else (no email,
# a '<' in the name, a date git would have to guess at) is left to git to interpret.
_IDENT = re.compile(
    rb"([^<>\s](?:[^<>\n]*[^<>\s])?) <([^<>\n]*)> ([0-9]{1,11}) ([+-])([0-9]{2})([0-5][0-9])"
)


class Commit(NamedTuple):
    """A commit object, parsed: what ``git show -s --format=...`` would print of it."""

    oid: str
    tree: str
    parents: tuple[str, ...]
    headers: tuple[tuple[bytes, bytes], ...]  # every header, continuation lines joined
    message: bytes  # everything after the blank line (git's %B)

    @classmethod
    def parse(cls, oid: str, data: bytes) -> Commit:
        head, _blank, message = data.partition(b"\n\n")
        headers: list[tuple[bytes, bytes]] = []
        for line in head.split(b"\n"):
            if line.startswith(b" ") and headers:  # a continuation (a signature, a tag)
                key, value = headers[-1]
                headers[-1] = (key, value + b"\n" + line[1:])
            else:
                key, _space, value = line.partition(b" ")
                headers.append((key, value))
        values = dict(reversed(headers))  # the first of each key, as git reads them
        parents = tuple(v.decode("ascii") for k, v in headers if k == b"parent")
        return cls(oid, values.get(b"tree", b"").decode("ascii"), parents, tuple(headers), message)

    def header(self, key: bytes) -> bytes | None:
        return next((v for k, v in self.headers if k == key), None)

    def author(self) -> tuple[bytes, bytes, str] | None:
        """(name, email, strict ISO 8601 date) as git's %an, %ae and %aI print them; None
        when the author line is unusual enough that only git should interpret it."""
        raw = self.header(b"author")
        match = _IDENT.fullmatch(raw or b"")
        if match is None:
            return None
        from datetime import datetime, timedelta, timezone  # only where a date is shown

        name, email, stamp, sign, hours, minutes = match.groups()
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        if int(hours) > 23:
            return None
        zone = timezone(-offset if sign == b"-" else offset)
        try:
            when = datetime.fromtimestamp(int(stamp), zone)
        except (OverflowError, OSError, ValueError):
            return None
        if not 1970 <= when.year <= 9999:
            return None
        return name, email, when.isoformat()

    def plain(self) -> bool:
        """Whether git would print this commit's message and author as stored: UTF-8
        (no other ``encoding`` header) and no NUL byte, which would cut git's copy short."""
        encoding = self.header(b"encoding")
        if encoding is not None and encoding.lower() not in (b"utf-8", b"utf8"):
            return False
        return b"\x00" not in self.message


class RecentReads:
    """Reads through another reader (the store's one ``cat-file --batch``), keeping the
    last few objects read: walking a history newest first, a revision's old text is read
    again as the next revision's new text, and an exact diff reads both once more.

    Everything but ``read`` goes to the reader underneath; closing is the owner's job.
    """

    def __init__(self, reader: BlobReader, keep: int = 5) -> None:
        self._reader = reader
        self._keep = keep
        self._kept: dict[str, bytes | None] = {}

    def read(self, name: str) -> bytes | None:
        if name not in self._kept:
            if len(self._kept) >= self._keep:  # about two revisions' texts: enough, and small
                self._kept.pop(next(iter(self._kept)))
            self._kept[name] = self._reader.read(name)
        return self._kept[name]

    def __getattr__(self, name: str):
        return getattr(self._reader, name)
