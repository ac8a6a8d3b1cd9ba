"""Writes notes trees: the tree of a notes ref with some revisions' notes set or removed,
built from the trees it changes only, never from a listing of every note.

A notes tree names each note by the full id of the commit it annotates. While a ref holds
few notes they sit flat at the top of the tree (the layout every store written so far
has, so their hashes do not change). Once a flat tree would hold ``FANOUT_THRESHOLD``
notes (256, where ``git fast-import`` fans out too) it is rewritten in git's own fan-out
layout, ``ab/cdef...`` (two hex digits, then the rest), and stays fanned out: setting
one note then rewrites the top tree (at most 256 entries) and one folder (about 1/256 of
the notes) instead of a tree of every note. With 100,000 annotated revisions that is a
few tens of kilobytes of new objects per note, not megabytes.

Readers follow whatever split a tree uses, as git does (``BlobReader.note_in``,
``logcache.notes_pairs``, ``git notes show``). A note found at another depth (git's own
``ab/cd/ef...`` for very large trees, or a flat entry left in a fanned-out tree) is
removed and written again at the layout's place, so a revision never has two notes.

Trees are hashed here and all written by one ``git mktree -z --batch`` (children
before parents); the ids git prints are checked against the computed ones.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

from tracker.errors import GitError
from tracker.git import cmd as gitcmd
from tracker.git.read import BlobReader, TreeEntry

# A flat notes tree holds fewer notes than this; at this many it fans out (2/38).
FANOUT_THRESHOLD = 256

_TREE = b"40000"
_BLOB = b"100644"
_HEX = frozenset(b"0123456789abcdef")


class _Readable(Protocol):
    """What writing a notes tree needs of a store: its folder and its object reader."""

    root: Path

    @property
    def reader(self) -> BlobReader: ...


def set_notes(store: _Readable, base_tree: str | None, notes: Mapping[str, str | None]) -> str:
    """The id of a notes tree like ``base_tree`` (None: empty) in which each commit id of
    ``notes`` has the note blob given (already written), or none (``None`` removes it).

    Entries that are not notes (names that are not hex) are kept as they are. Only the
    trees on the way to a changed note are read and written."""
    reader = store.reader
    hash_hex = len(base_tree) if base_tree else _hash_hex(store.root)
    top = _entries(reader, base_tree)
    fanned = any(_is_fanout_dir(e) for e in top.values())
    if not fanned:
        count = sum(1 for e in top.values() if _is_note_leaf(e, hash_hex))
        count += sum(1 for r, b in notes.items() if b is not None and r.encode() not in top)
        fanned = count >= FANOUT_THRESHOLD
        if fanned:
            # Crossing the threshold: every flat note moves into its folder, once.
            moved = {
                e.name.decode("ascii"): e.oid for e in top.values() if _is_note_leaf(e, hash_hex)
            }
            notes = {**moved, **notes}
    writer = _TreeWriter(hash_hex)
    by_folder: dict[bytes, dict[bytes, str | None]] = {}
    for rev, blob in notes.items():
        name = rev.encode("ascii")
        top.pop(name, None)  # a flat entry of this revision: replaced (or moved) below
        if fanned:
            by_folder.setdefault(name[:2], {})[name[2:]] = blob
        else:
            _drop_deeper(reader, writer, top, name)  # a copy in a folder git made
            if blob is not None:
                top[name] = TreeEntry(_BLOB, name, blob)
    for folder, changes in sorted(by_folder.items()):
        existing = top.get(folder)
        sub = _entries(reader, existing.oid) if existing and existing.mode == _TREE else {}
        for rest, blob in changes.items():
            sub.pop(rest, None)
            _drop_deeper(reader, writer, sub, rest)
            if blob is not None:
                sub[rest] = TreeEntry(_BLOB, rest, blob)
        if sub:
            top[folder] = TreeEntry(_TREE, folder, writer.add(sub))
        else:
            top.pop(folder, None)
    root = writer.add(top)
    writer.write(store.root)
    return root


def _hash_hex(root: Path) -> int:
    """Hex digits of an object id here: 64 in a SHA-256 repository (from the config the
    door has already read: no process)."""
    kind = (gitcmd.config_value(root, "extensions.objectformat") or "").lower()
    return 64 if kind == "sha256" else 40


def _drop_deeper(
    reader: BlobReader, writer: _TreeWriter, entries: dict[bytes, TreeEntry], rest: bytes
) -> None:
    """Remove a note for ``rest`` kept one or more folder levels further down (``cd/ef...``
    inside ``ab/``), rewriting the folders on the way; empty folders disappear."""
    folder = entries.get(rest[:2])
    if folder is None or folder.mode != _TREE or len(rest) <= 2:
        return
    sub = _entries(reader, folder.oid)
    before = dict(sub)
    sub.pop(rest[2:], None)
    _drop_deeper(reader, writer, sub, rest[2:])
    if sub == before:
        return
    if sub:
        entries[rest[:2]] = TreeEntry(_TREE, rest[:2], writer.add(sub))
    else:
        del entries[rest[:2]]


def _entries(reader: BlobReader, tree: str | None) -> dict[bytes, TreeEntry]:
    return {} if tree is None else {e.name: e for e in reader.tree(tree)}


def _is_fanout_dir(entry: TreeEntry) -> bool:
    return entry.mode == _TREE and len(entry.name) == 2 and set(entry.name) <= _HEX


def _is_note_leaf(entry: TreeEntry, hash_hex: int) -> bool:
    return entry.mode != _TREE and len(entry.name) == hash_hex and set(entry.name) <= _HEX


class _TreeWriter:
    """Trees to write, hashed as they are added (so a parent can name its children), then
    written by one ``git mktree -z --batch`` in the order added."""

    def __init__(self, hash_hex: int) -> None:
        self._algorithm = "sha256" if hash_hex == 64 else "sha1"
        self._trees: list[tuple[str, dict[bytes, TreeEntry]]] = []

    def hash(self, entries: dict[bytes, TreeEntry]) -> str:
        body = b"".join(
            e.mode + b" " + e.name + b"\x00" + bytes.fromhex(e.oid)
            for e in sorted(entries.values(), key=_git_order)
        )
        return hashlib.new(self._algorithm, b"tree %d\x00" % len(body) + body).hexdigest()

    def add(self, entries: dict[bytes, TreeEntry]) -> str:
        oid = self.hash(entries)
        self._trees.append((oid, dict(entries)))
        return oid

    def write(self, cwd: Path) -> None:
        if not self._trees:
            return
        records = []
        for _oid, entries in self._trees:
            for e in sorted(entries.values(), key=_git_order):
                kind = b"tree" if e.mode == _TREE else b"commit" if e.mode == b"160000" else b"blob"
                mode = b"040000" if e.mode == _TREE else e.mode
                records.append(b"%s %s %s\t%s\x00" % (mode, kind, e.oid.encode(), e.name))
            records.append(b"\x00")  # an empty record ends one tree of the batch
        # --missing: the notes' blobs need not be here (a blobless clone fetches them
        # lazily, one process each); the trees are written in order, children first.
        written = gitcmd.output(
            cwd, "mktree", "-z", "--missing", "--batch", input=b"".join(records)
        )
        expected = [oid for oid, _entries in self._trees]
        if written.split() != expected:
            raise GitError(
                "git wrote a notes tree other than the one computed: the repository may be damaged",
                "run 'git fsck --full'; nothing was recorded",
            )


def _git_order(entry: TreeEntry) -> bytes:
    """git sorts a tree's entries by name, a folder's name as if it ended with '/'."""
    return entry.name + b"/" if entry.mode == _TREE else entry.name
