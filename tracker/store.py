"""Provides the read side of a store: open a repository, resolve names, read documents,
list and show revisions.

A store is any git work tree. One the tracker created has ``.tracker/config.json`` in its
branch; any other repository of prose is read as it is, with no import step. A bare
repository, or the git directory of a work tree, can be read too (log, show, diff...),
never written.

Everything a command reads from git goes through one ``git cat-file --batch`` per store
(``Store.reader``): names are resolved, commits, trees and notes parsed from the objects,
each object read once. A command such as ``show`` or ``diff`` thus starts three git
processes: the config snapshot the hardening needs, the ``rev-parse`` that finds the
repository, and the reader.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from tracker.errors import (
    GitError,
    NotAStoreError,
    NotTextError,
    UnknownDocumentError,
    UnknownRevisionError,
)
from tracker.git import cmd as gitcmd
from tracker.git.read import BlobReader, Commit, stream_records
from tracker.identity import same_editor
from tracker.logcache import (
    ForeignChanges,
    changes_from_payload,
    diff_json_ready,
    merge_payload,
    stream_log,
)
from tracker.model import (
    DEFAULT_CATEGORIES,
    Change,
    LaterNote,
    Merge,
    MergedCommit,
    NotText,
    Review,
    Revision,
)
from tracker.notes import (
    NOTES_REF,
    apply_later,
    changes_from_record,
    parse_later,
    parse_message,
    reanchored,
    replay_of,
)
from tracker.text.decode import decode_document, not_text_kind

CONFIG_PATH = ".tracker/config.json"
WORKTREE = "WORKTREE"  # pseudo-revision: the file as it is on disk now
_UNKNOWN = object()  # a cached value not read yet

LOG_FORMAT = "%H%x00%P%x00%an%x00%ae%x00%aI%x00%B%x00%N%x00"
LOG_FIELDS = 7
_FILE_MODES = (b"100644", b"100755")  # regular files; not links, folders or submodules
_DIFFS_KEPT = 8


@dataclass
class StoreConfig:
    """The store's settings, kept in ``.tracker/config.json`` on the branch so that every
    clone enforces the same rules. ``require_approval``: a revision counts as approved
    only when an editor other than its author approved it (second-editor sign-off)."""

    require_notes: bool = False
    categories: tuple[str, ...] = DEFAULT_CATEGORIES
    created_by_tracker: bool = False
    require_approval: bool = False
    # The corrections policy (tracker/policy.py preset name); "" reads as the default.
    policy: str = ""
    # Who may issue what only senior editors may (a policy's ``senior-issues`` rule):
    # "Name <email>" each, matched by email (tracker.identity.named_in).
    senior_editors: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict) -> StoreConfig:
        categories = data.get("categories") or list(DEFAULT_CATEGORIES)
        return cls(
            require_notes=bool(data.get("require_notes", False)),
            categories=tuple(str(c) for c in categories),
            created_by_tracker=True,
            require_approval=bool(data.get("require_approval", False)),
            policy=str(data.get("policy") or ""),
            senior_editors=_strings(data.get("senior_editors")),
        )

    def to_json(self) -> dict:
        data: dict = {
            "v": 1,
            "require_notes": self.require_notes,
            "categories": list(self.categories),
        }
        # Written only when on: every store made before the setting existed (the demo
        # among them) keeps its settings file, and so its commit ids, byte for byte.
        if self.require_approval:
            data["require_approval"] = True
        if self.policy:  # likewise written only once a desk chose one
            data["policy"] = self.policy
        if self.senior_editors:  # and once a desk named them
            data["senior_editors"] = list(self.senior_editors)
        return data


def _strings(value: object) -> tuple[str, ...]:
    """A list of strings from a settings file (anything else, as by a hand edit: none)."""
    if not isinstance(value, list):
        return ()
    return tuple(item for item in value if isinstance(item, str))


@dataclass
class Store:
    """An open store: a git work tree and what the tracker knows about it."""

    root: Path
    git_dir: Path
    _config: StoreConfig | None = field(default=None, repr=False)
    _head: object = field(default=None, repr=False)
    _reviews: dict | None = field(default=None, repr=False)
    # False for a bare repository or a git directory: nothing on disk to read or write.
    work_tree: bool = True

    def __post_init__(self) -> None:
        self._head = _UNKNOWN
        self._reader: BlobReader | None = None
        # Diffs by the blob ids of their sides: a command never diffs the same pair twice
        # (``diff A B`` diffs the pair, then shows B against its parent A).
        self._diffs: OrderedDict[tuple[str, str], list[Change]] = OrderedDict()
        self._notes_trees: dict[str, str | None] = {}  # notes ref -> its tree, until refresh

    @property
    def reader(self) -> BlobReader:
        """The store's one ``git cat-file --batch``, started on first use and closed by
        close() or at exit; other modules read objects through it too."""
        if self._reader is None:
            self._reader = BlobReader(self.root)
            weakref.finalize(self, self._reader.close)
        return self._reader

    def close(self) -> None:
        """Stop the store's reader (a later read starts another)."""
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.close()

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str] = ".") -> Store:
        where = Path(path)
        if not where.is_dir():
            raise NotAStoreError(f"{where} is not a directory", "pass -C with a store's folder")
        # One process finds the git directory, whether there is a work tree, and where
        # (in a bare repository or a git directory --show-toplevel fails: it comes last).
        # HEAD is read later, through the store's reader.
        proc = gitcmd.run(
            where,
            "rev-parse",
            "--absolute-git-dir",
            "--is-inside-work-tree",
            "--show-toplevel",
            check=False,
        )
        # fsdecode, not "replace": a folder whose name is not UTF-8 must name the same
        # folder again (as a lone surrogate), or every later git call runs nowhere.
        lines = [os.fsdecode(line) for line in proc.stdout.splitlines()]
        if len(lines) >= 2 and lines[1] == "false":
            # A bare repository (repo.git) or the .git folder itself: readable, with no
            # work tree. Paths on the command line are taken from the folder named.
            return cls(where.resolve(), Path(lines[0]), work_tree=False)
        if len(lines) >= 3:
            lines = [lines[2], lines[0]]
        if len(lines) < 2 and b"dubious ownership" in proc.stderr:
            # git's safe.directory check: a repository another user owns (a copy from a
            # USB stick, a shared folder). Only the user may decide to trust it.
            shown = where.resolve()
            raise NotAStoreError(
                f"{shown} is a git repository owned by another user, which git refuses",
                f"if you trust it: git config --global --add safe.directory {shown}",
            )
        if len(lines) < 2 and (where / ".git").exists():
            # Half-made or damaged: 'run tracker init there' would fail the same way.
            said = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise NotAStoreError(
                f"{where.resolve() / '.git'} is there but git cannot open it"
                + (f" ({said[0]})" if said else ""),
                "it may be half-made or damaged: if it holds nothing you need, move it away"
                " and run 'tracker init' again",
            )
        if len(lines) < 2:
            raise NotAStoreError(
                f"{where.resolve()} is not in a git repository",
                "run 'tracker init' there, or pass -C with a store's folder",
            )
        return cls(Path(lines[0]), Path(lines[1]))

    def refresh(self) -> None:
        """Forget what was read from the branch: call after anything moves it."""
        self._head = _UNKNOWN
        self._config = None
        self._reviews = None
        self._notes_trees.clear()

    def review_status(self, rev: str, originals: tuple[str, ...] = ()) -> Review | None:
        """The latest review of a revision (approved or flagged), or None. A replayed
        revision's ``originals`` (oldest first) lend it their reviews, before its own."""
        from tracker.reviews import status_of

        if not originals:
            return status_of(self.review_entries(rev))
        entries = [e for r in (*originals, rev) for e in self.review_entries(r) or []]
        return status_of(entries)

    def review_entries(self, rev: str) -> list[dict] | None:
        """A revision's review entries (oldest first), or None when it has none.

        One lookup in the reviews ref's tree through its fan-out (the reader keeps the
        trees it read), no process of its own: a log of a few revisions must not read a
        newsroom's 100,000 reviews. The tree is the ref's as first read, until refresh()."""
        from tracker.reviews import REVIEWS_REF, entries_of

        if self._reviews is not None:
            return self._reviews.get(rev)
        if REVIEWS_REF not in self._notes_trees:
            self._notes_trees[REVIEWS_REF] = self.reader.oid_of(REVIEWS_REF, "tree")
        tree = self._notes_trees[REVIEWS_REF]
        return entries_of(tree and self.reader.note_in(tree, rev))

    def replay_chain(self, original: str) -> list[tuple[str, list[Change]]]:
        """A replayed revision's originals, nearest first (an original may itself be a
        replay), each with its recorded changes; the chain stops at an original that is
        missing or has no readable record (verify names that)."""
        chain: list[tuple[str, list[Change]]] = []
        next_original: str | None = original
        while next_original and len(chain) < _REPLAY_DEPTH:
            if any(rev == next_original for rev, _ in chain):
                break
            commit = self.reader.commit(next_original)
            if commit is None:
                break
            message = commit.message.decode("utf-8", "replace")
            _summary, _reason, _document, record = parse_message(message)
            if record is None:
                break
            try:
                changes = changes_from_record(record)
            except (KeyError, TypeError, ValueError, AttributeError):
                break
            chain.append((next_original, changes))
            next_original = replay_of(message)
        return chain

    def carried_notes(
        self, chain: list[tuple[str, list[Change]]], changes: list[Change]
    ) -> list[dict]:
        """The later notes written on a replay's originals (oldest original first),
        re-anchored onto the replay's ``changes``: the same changes, offsets moved, so
        nothing written about the original is lost or hidden (docs/collaboration.md)."""
        carried: list[dict] = []
        for original, original_changes in chain:
            data = self.note(NOTES_REF, original)
            entries = parse_later(data.decode("utf-8", "replace")) if data is not None else []
            carried[:0] = reanchored(entries, original_changes, changes)
        return carried

    def note(self, ref: str, rev: str) -> bytes | None:
        """The note a notes ref holds now for a commit (given by its full id), or None.

        The ref is read afresh on every call (the reader sees refs as they are on disk):
        a note is read under the store lock before another is added to it."""
        tree = self.reader.oid_of(ref, "tree")
        return None if tree is None else self.reader.note_in(tree, rev)

    def reviews(self, read: Callable[[str], bytes | None] | None = None) -> dict:
        """Every revision's review entries, read once until refresh() (through ``read``,
        a ``cat-file --batch`` reader the caller has, when given)."""
        from tracker.reviews import reviews_of

        if self._reviews is None:
            self._reviews = reviews_of(self, read)
        return self._reviews

    def git(self, *args: str, **kwargs) -> str:
        return gitcmd.output(self.root, *args, **kwargs)

    # -- partial clones -------------------------------------------------------------------

    def prefetch(
        self,
        document: str | None = None,
        *,
        revs: Sequence[str] | None = None,
        texts: bool = True,
        since: str | None = None,
    ) -> int:
        """In a partial clone (``git clone --filter=blob:none``), fetch in one batch the
        blobs a command is about to read, rather than one lazy fetch per blob: the texts
        of ``document``'s first-parent history (every document's when None; only after
        ``since`` when given), or of ``revs`` and their parents only; and the later notes
        and reviews of those revisions. Returns how many blobs were asked for; outside a
        partial clone nothing happens (no process)."""
        from tracker.git.partial import fetch_missing, promisor_remote
        from tracker.reviews import REVIEWS_REF

        if promisor_remote(self.root) is None or self.head() is None:
            return 0
        reader = self.reader
        missing: list[str] = []  # known to be missing (git said so)
        wanted: list[str] = []  # needed; fetched when not here
        spec = ["--", document] if document else []
        if revs is None:
            span = ["HEAD", f"^{since}"] if since else ["HEAD"]
            listed = self.git("log", "--first-parent", "--format=%H", *span, *spec).split()
            if texts:
                # --missing=print: git lists what is not here instead of fetching it.
                out = self.git(
                    "rev-list", "--objects", "--missing=print", "--first-parent", *span, *spec
                )
                missing += [line[1:].split()[0] for line in out.splitlines() if line[:1] == "?"]
        else:
            listed = [rev for rev in revs if rev != WORKTREE]
            for rev in listed:
                commit = self._commit(rev)
                doc = document or self._document_of(rev, commit)
                for one in (commit, *(self._commit(p) for p in commit.parents[:1])):
                    entry = reader.entry(one.tree, doc) if texts else None
                    if entry is not None and entry.mode in _FILE_MODES:
                        wanted.append(entry.oid)
        for ref in (NOTES_REF, REVIEWS_REF):
            tree = reader.oid_of(ref, "tree")
            if tree is not None:
                wanted += [oid for rev in listed if (oid := reader.note_blob(tree, rev))]
        return fetch_missing(self.root, self.git_dir, wanted, missing)

    # -- names --------------------------------------------------------------------------

    def ref(self, name: str) -> str | None:
        """The commit a ref points at, or None when it does not exist."""
        proc = gitcmd.run(self.root, "rev-parse", "--verify", "--quiet", name, check=False)
        return proc.stdout.decode().strip() or None

    def head(self) -> str | None:
        """The branch's newest commit (None before the first), read once until refresh()."""
        if self._head is _UNKNOWN:
            self._head = self.reader.oid_of("HEAD", "commit")
        return self._head  # type: ignore[return-value]

    def resolve(self, name: str) -> str:
        """The full commit id that ``name`` names, refusing names that look like options."""
        if not name or name.startswith("-") or "\n" in name or "\x00" in name:
            raise UnknownRevisionError(
                f"{name!r} is not a revision name",
                "name a commit id, a branch, a tag or HEAD~N",
            )
        # As ``git rev-parse --verify NAME^{commit}``, through the store's reader.
        rev = self.reader.oid_of(name, "commit")
        if not rev:
            raise UnknownRevisionError(
                f"unknown revision {name!r}", "see 'tracker log' for the revisions"
            )
        return rev

    def relpath(self, path: str | os.PathLike[str]) -> str:
        """The store-relative path of a document named on the command line."""
        text = os.fspath(path)
        if not text or text.startswith("-") or "\x00" in text:
            raise UnknownDocumentError(f"{text!r} is not a document path", "name a file")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # Python keeps undecodable bytes as lone surrogates; git, the commit record and
            # every report need UTF-8, so such a name cannot be tracked as it is.
            shown = os.fsencode(text).decode("utf-8", "backslashreplace")
            raise UnknownDocumentError(
                f"the file name {shown} is not valid UTF-8",
                "rename it to a UTF-8 name (e.g. with convmv -f LATIN1 -t UTF-8)",
            ) from None
        absolute = (Path.cwd() / text).resolve() if not Path(text).is_absolute() else Path(text)
        try:
            rel = absolute.resolve().relative_to(self.root.resolve())
        except ValueError:
            if (Path.cwd() / text).is_symlink():  # as named, before resolving
                raise UnknownDocumentError(
                    f"{text} is a symbolic link to a file outside the store",
                    "replace the link with the file itself",
                ) from None
            raise UnknownDocumentError(
                f"{text} is outside the store {self.root}",
                "name a file inside the store, or pass -C with its store",
            ) from None
        if rel.parts and rel.parts[0] == ".git":
            raise UnknownDocumentError(f"{text} is inside .git", "name a document")
        return rel.as_posix()

    # -- configuration and documents ----------------------------------------------------

    @property
    def config(self) -> StoreConfig:
        if self._config is None:
            raw = self.read_blob("HEAD", CONFIG_PATH) if self.head() else None
            if raw is None:
                self._config = StoreConfig()
            else:
                try:
                    self._config = StoreConfig.from_json(json.loads(raw))
                except ValueError:
                    self._config = StoreConfig(created_by_tracker=True)
        return self._config

    def documents(self, rev: str = "HEAD") -> list[str]:
        """Files of the branch that are documents (everything but the tracker's own).

        A name that is not UTF-8 (committed with plain git) is not a document: the tracker
        cannot add one, and read as text it named no file on disk ("missing") and no
        history. ``undecodable_names`` lists those, for verify to report."""
        names, _undecodable = self._tree_names(rev)
        return [n for n in names if not n.startswith(".tracker/")]

    def file_blobs(self, rev: str = "HEAD") -> dict[str, str]:
        """Each file of ``rev`` (regular files, as ``documents`` counts them) with its
        blob id, read through the store's reader (names not UTF-8 kept with escapes)."""
        if self.head() is None:
            return {}
        return {
            entry.name.decode("utf-8", "surrogateescape"): entry.oid
            for entry in self.reader.files(self._commit(rev).tree)
            if entry.mode in _FILE_MODES
        }

    def undecodable_names(self, rev: str = "HEAD") -> list[str]:
        """Files of the branch whose names are not UTF-8, shown with escapes (\\xe9)."""
        return self._tree_names(rev)[1]

    def _tree_names(self, rev: str) -> tuple[list[str], list[str]]:
        if self.head() is None:
            return [], []
        commit = self._commit(rev)
        names, undecodable = [], []
        # Blobs only: a submodule (a gitlink) or a symbolic link is not a text to diff.
        for entry in self.reader.files(commit.tree):
            if entry.mode not in _FILE_MODES:
                continue
            try:
                names.append(entry.name.decode("utf-8"))
            except UnicodeDecodeError:
                undecodable.append(entry.name.decode("utf-8", "backslashreplace"))
        return names, undecodable

    def _commit(self, rev: str) -> Commit:
        commit = self.reader.commit(rev)
        if commit is None:
            raise UnknownRevisionError(
                f"unknown revision {rev!r}", "see 'tracker log' for the revisions"
            )
        return commit

    def _is_document(self, rel: str) -> bool:
        """Whether ``rel`` is a document of the branch: one tree lookup, not a listing."""
        if rel.startswith(".tracker/") or self.head() is None:
            return False
        entry = self.reader.entry(self._commit("HEAD").tree, rel)
        return entry is not None and entry.mode in _FILE_MODES

    def document(self, path: str | None) -> str:
        """Pick the document a command is about: the one named, or the only one there is."""
        if path is not None:
            rel = self.relpath(path)
            if self._is_document(rel):
                return rel
            docs = self.documents()
            if rel not in docs:
                raise UnknownDocumentError(
                    f"{rel} is not a document of this store",
                    "run 'tracker add FILE' to track it, or name one of: "
                    + (", ".join(docs[:5]) or "(none yet)"),
                )
            return rel
        docs = self.documents()
        if len(docs) == 1:
            return docs[0]
        if not docs:
            raise UnknownDocumentError(
                "this store has no documents yet", "run 'tracker add FILE' first"
            )
        raise UnknownDocumentError(
            f"this store has {len(docs)} documents", "name one: " + ", ".join(docs[:8])
        )

    # -- reading text -------------------------------------------------------------------

    def read_blob(self, rev: str, path: str) -> bytes | None:
        """The file's bytes at a revision (a commit or any name of one), or None."""
        found = self.reader.blob_at(rev, path)
        return None if found is None else found[1]

    def text_at(self, rev: str, path: str) -> str:
        """The document's text at a revision ('' where it did not exist yet)."""
        if rev == WORKTREE:
            return decode_document(self.work_bytes(path), path)
        data = self.read_blob(rev, path)
        return "" if data is None else decode_document(data, f"{path} at {rev[:12]}")

    def work_bytes(self, path: str) -> bytes:
        """The document's bytes on disk: a regular file inside the store, or an error.

        A FIFO would block the read for ever and a device could be endless; a symlink
        could make the tracker read (and record) a file from outside the store. The file
        is opened without following a final symlink and without blocking, then checked.
        """
        if not self.work_tree:
            raise UnknownDocumentError(
                f"{self.root} is a bare repository (or a git folder): it has no work tree,"
                f" so there is no {path} on disk",
                "name two revisions (tracker diff A B FILE), or run it in a clone",
            )
        location = self.root / path
        try:
            real = location.resolve()
            if not real.is_relative_to(self.root.resolve()):  # the file or a folder is a link
                raise UnknownDocumentError(
                    f"{path} is a symbolic link (or in a linked folder) to a file outside"
                    " the store",
                    "replace the link with the file itself",
                )
            fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY)
        except FileNotFoundError:
            raise UnknownDocumentError(
                f"{path} does not exist in the work tree", "restore it or name another file"
            ) from None
        except IsADirectoryError:
            raise UnknownDocumentError(f"{path} is a directory", "name a file") from None
        except OSError as error:
            raise UnknownDocumentError(
                f"cannot read {path}: {error.strerror}", "check the file and its permissions"
            ) from None
        # Checked before fdopen, which itself refuses a directory with an error that names
        # the descriptor rather than the file.
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            if stat.S_ISDIR(mode):
                raise UnknownDocumentError(f"{path} is a directory", "name a file")
            raise UnknownDocumentError(
                f"{path} is not a regular file (a FIFO, socket or device)",
                "the tracker reads ordinary text files only",
            )
        with os.fdopen(fd, "rb") as handle:
            return handle.read()

    def write_work_bytes(self, path: str, data: bytes) -> None:
        """Replace the document's file in the work tree with ``data``, atomically (a
        temporary file beside it, renamed over it), keeping its permissions. Only a
        regular file inside the store is replaced, never a link or what a link names."""
        import tempfile  # only sync --settle writes a document: keep `tracker log` light

        location = self.root / path
        if not location.parent.resolve().is_relative_to(self.root.resolve()):
            raise UnknownDocumentError(
                f"{path} is in a linked folder outside the store", "replace the link"
            )
        try:
            mode = os.lstat(location).st_mode
        except FileNotFoundError:
            mode = stat.S_IFREG | 0o644
        if not stat.S_ISREG(mode):
            raise UnknownDocumentError(
                f"{path} is not a regular file", "move it away and sync again"
            )
        fd, temporary = tempfile.mkstemp(dir=location.parent, prefix=".tracker-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temporary, stat.S_IMODE(mode))
            os.replace(temporary, location)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)  # a half-written copy is litter, not the document
            raise

    # -- history ------------------------------------------------------------------------

    def log_records(
        self, document: str, limit: int | None = None, blobs: bool = True
    ) -> Iterator[list[bytes]]:
        """The raw ``git log`` records of a document's revisions, newest first, streamed
        from one git process (first-parent history, later notes included): the
        ``LOG_FIELDS`` fields and, with ``blobs``, the document's old and new blob ids
        (``b""`` where it did not exist), by which unrecorded changes are cached."""
        if self.head() is None:
            return
        args = ["log", "--first-parent", f"--notes={NOTES_REF}", f"--format={LOG_FORMAT}"]
        if blobs:
            # The document's blobs against the first parent, the root commit included.
            args += ["-z", "--raw", "--no-abbrev", "--root", "--diff-merges=first-parent"]
            args.append("--no-renames")
        if not blobs and (indexed := self._indexed_revisions(document, limit)) is not None:
            # A big store: the revisions from the documents' index, each commit read
            # through the reader, as `git log` would print it (git/docindex.py says why).
            notes_tree = self._read_ahead(indexed)
            for rev in indexed:
                fields = self._log_fields(self._commit(rev), notes_tree)
                if fields is None:  # a commit only git can interpret: let it print it
                    raw = gitcmd.run(
                        self.root, "show", "-s", f"--notes={NOTES_REF}",
                        f"--format={LOG_FORMAT}", rev,
                    ).stdout  # fmt: skip
                    fields = raw.split(b"\x00")[:LOG_FIELDS]
                yield fields
            return
        if limit is not None:
            args.append(f"--max-count={limit}")  # -n 0 means none, as with git
        tail = (*gitcmd.NO_DRIVERS, "HEAD", "--", document)
        if blobs:
            yield from stream_log(self.root, *args, *tail, fields=LOG_FIELDS)
        else:
            yield from stream_records(self.root, *args, *tail, fields=LOG_FIELDS)

    def _indexed_revisions(self, document: str, limit: int | None) -> list[str] | None:
        """The document's revisions from the documents' index of a big store (newest
        first); None for a store small enough for git log, or where the index cannot be
        used (a shallow or grafted history: only git knows the parents it shows)."""
        from tracker.git.docindex import DocumentIndex, big

        if not big(self.git_dir) or self._grafted():
            return None
        head = self.head()
        if head is None:
            return None
        return DocumentIndex(self.root, self.git_dir).revisions(head, document, limit)

    def written_by_tracker(self, read: Callable[[str], bytes | None]) -> bool:
        """Whether ``tracker init`` made this store (its revisions carry their changes, so
        a listing needs no blob ids), asked through a reader the caller has."""
        if self._config is not None:
            return self._config.created_by_tracker
        return read(f"HEAD:{CONFIG_PATH}") is not None

    def foreign_changes(self) -> ForeignChanges:
        """What computes (and caches) the changes of unrecorded revisions for one listing."""
        return ForeignChanges(self.root, self.git_dir, self.reader)

    def pickaxe(self, document: str, text: str) -> set[str]:
        """Commits where the number of occurrences of ``text`` changed (git log -S)."""
        if self.head() is None:
            return set()
        out = self.git(
            "log", "--first-parent", "--format=%H", f"-S{text}", *gitcmd.NO_DRIVERS,
            "HEAD", "--", document,
        )  # fmt: skip
        return set(out.split())

    def log(
        self,
        document: str,
        search: str | None = None,
        limit: int | None = None,
        with_changes: bool = True,
        unreviewed: bool = False,
    ) -> Iterator[Revision]:
        """Revisions of a document, newest first (``unreviewed``: only those awaiting review).

        ``search`` keeps the revisions that added or removed the text: those where git's
        pickaxe (``-S``) sees its number of occurrences change, and those with a word
        change whose old or new text holds it, which also finds a phrase moved from one
        sentence to another (the count stays the same, so ``-S`` alone misses it).
        """
        found = self.pickaxe(document, search) if search else set()
        foreign: ForeignChanges | None = None
        count = 0
        try:
            # Blob ids serve only to compute changes: without them (verify, the app's
            # first listing) a big store's log comes from its documents' index.
            blobs = False
            if with_changes:
                # One cat-file process for the reviews, the texts and the merged branches.
                foreign = self.foreign_changes()
                blobs = not self.written_by_tracker(foreign.read_object)
            filtered = search or unreviewed
            if limit is not None and limit <= 0:
                return
            for raw in self.log_records(document, None if filtered else limit, blobs):
                revision = self.parse_log_record(raw, document)
                if revision is None:
                    continue
                if unreviewed and self._reviewed(revision.review):
                    continue
                mentioned = revision.recorded and _mentions(revision.changes, search or "")
                if search and revision.rev not in found and not mentioned:
                    continue
                if with_changes and not revision.recorded:
                    foreign = foreign or self.foreign_changes()
                    revision = with_merged_branch(revision, raw, foreign)
                    revision = with_payload(revision, payload_of(revision, raw, foreign))
                yield revision
                count += 1
                if limit is not None and count >= limit:
                    return
        finally:
            if foreign is not None:
                foreign.close()

    def _reviewed(self, review: Review | None) -> bool:
        """Whether ``log --unreviewed`` leaves the revision out: it has a review; under
        ``require_approval``, only an approval by an editor other than its author."""
        if review is None or review.conflict:
            return False  # a conflicting review still awaits a decision
        return review.signed_off if self.config.require_approval else True

    def parse_log_record(self, fields: list[bytes], document: str) -> Revision | None:
        if len(fields) < LOG_FIELDS:
            return None
        rev, parents, name, email, date, message, later = (
            f.decode("utf-8", "replace") for f in fields[:7]
        )
        summary, reason, recorded_document, record = parse_message(message)
        if record is not None and recorded_document != document:
            # A record describes one document's changes; for any other file the commit
            # is read like a foreign one, its changes computed from the texts.
            record = None
            reason = message.partition("\n")[2].strip()
        author = f"{name} <{email}>"
        if date.endswith("Z"):
            date = date[:-1] + "+00:00"  # git 2.45+ writes UTC as "Z", older git as this
        changes: list[Change] = []
        if record is not None:
            try:
                changes = changes_from_record(record)
            except (KeyError, TypeError, ValueError, AttributeError):
                # A damaged or forged record: read the commit as a foreign one, so its
                # changes are computed from the texts themselves.
                record = None
                summary, reason = message.partition("\n")[0].strip(), ""
        stored = parse_later(later)
        replayed = replay_of(message) if record is not None else None
        chain = self.replay_chain(replayed) if replayed is not None else []
        if chain:
            stored = self.carried_notes(chain, changes) + stored
        entries = tuple(LaterNote.from_entry(entry) for entry in stored)
        changes = apply_later(changes, entries)
        return Revision(
            rev=rev,
            parent=parents.split()[0] if parents.strip() else None,
            author=author,
            date=date,
            summary=summary,
            reason=reason,
            document=document,
            changes=tuple(changes),
            recorded=record is not None,
            initial=bool(record and record.get("initial")),
            review=as_reviewed(
                self.review_status(rev, tuple(r for r, _ in reversed(chain))), author
            ),
            later_notes=entries,
            replay_of=replayed,
        )

    def with_computed_changes(self, revision: Revision, reader: BlobReader) -> Revision:
        new_blob = reader.blob_at(revision.rev, revision.document)
        old_blob = reader.blob_at(revision.parent, revision.document) if revision.parent else None
        new = new_blob[1] if new_blob else b""
        old = old_blob[1] if old_blob else None
        # Bytes that are not text (a plain-git commit with a NUL or Latin-1 byte) have no
        # changes to show: the revision says so, and the rest of the history reads on.
        for data, rev, whose in (
            (new, revision.rev, "this"),
            (old, revision.parent, "the previous"),
        ):
            if data is not None and rev and (kind := not_text_kind(data)):
                return mark_not_text(revision, kind, rev, f"{whose} revision")
        if old is None:
            # The document's first revision is its baseline, as for recorded stores.
            return replace(revision, initial=True)
        key = (old_blob[0] if old_blob else "", new_blob[0] if new_blob else "")
        changes = self._diff_pair(key, lambda: (old.decode("utf-8"), new.decode("utf-8")))
        changes = apply_later(changes, revision.later_notes)
        return _replace_changes(revision, changes)

    def _diff_pair(self, key: tuple[str, str], texts) -> list[Change]:
        """The changes between two blobs (by their ids), each pair diffed once."""
        cached = self._diffs.get(key)
        if cached is None:
            # Exactly diff_texts' changes, computed without the lines shared at both ends.
            cached = diff_json_ready(*texts())
            self._diffs[key] = cached
            while len(self._diffs) > _DIFFS_KEPT:
                self._diffs.popitem(last=False)
        else:
            self._diffs.move_to_end(key)
        return list(cached)

    def revision(self, name: str, document: str | None = None) -> Revision:
        """One revision with its changes and notes."""
        rev = self.resolve(name)
        commit = self._commit(rev)
        doc = document or self._document_of(rev, commit)
        fields = self._log_fields(commit)
        if fields is None:  # a commit only git can interpret: let it print the fields
            raw = gitcmd.run(
                self.root, "show", "-s", f"--notes={NOTES_REF}", f"--format={LOG_FORMAT}", rev
            ).stdout
            fields = raw.split(b"\x00")[:LOG_FIELDS]
        revision = self.parse_log_record(fields, doc)
        if revision is None:
            raise GitError(f"cannot read revision {name}")
        if not revision.recorded:
            revision = self.with_computed_changes(revision, self.reader)
        return revision

    def first_parent(self, rev: str) -> str | None:
        """A commit's first parent as ``git log`` shows it (None for a root commit)."""
        if self._grafted():  # the parents git shows are not the object's own
            out = self.git("rev-list", "--parents", "-n", "1", rev).split()
            return out[1] if len(out) > 1 else None
        parents = self._commit(rev).parents
        return parents[0] if parents else None

    def _read_ahead(self, revs: list[str]) -> str | None:
        """Read the commits of ``revs``, then their notes and reviews, in a few batches
        (tree by tree down the fan-out); returns the notes ref's tree."""
        from tracker.reviews import REVIEWS_REF

        reader = self.reader
        reader.read_many(revs)
        notes_tree = reader.oid_of(NOTES_REF, "tree")
        if REVIEWS_REF not in self._notes_trees:
            self._notes_trees[REVIEWS_REF] = reader.oid_of(REVIEWS_REF, "tree")
        trees = [t for t in (notes_tree, self._notes_trees[REVIEWS_REF]) if t is not None]
        tops = {tree: reader.tree(tree) for tree in trees}
        # What each folder holds, from the notes folders' cache: a folder git does not
        # have to read again (docindex.NoteFolders says why).
        from tracker.git.docindex import DocumentIndex, NoteFolders

        cache = NoteFolders(DocumentIndex(self.root, self.git_dir))
        folders_of = {
            tree: {e.name.decode("ascii", "replace"): e.oid for e in top if e.mode == b"40000"}
            for tree, top in tops.items()
        }
        # A note may sit at the top beside the folders (a tree git is fanning out): such a
        # revision is looked up as usual.
        at_top = {tree: {e.name for e in top} for tree, top in tops.items()}
        wanted = {
            (tree, rev): (folders[rev[:2]], rev[2:])
            for tree, folders in folders_of.items()
            for rev in revs
            if rev[:2] in folders and rev.encode() not in at_top[tree]
        }
        known = cache.lookup(list(wanted.values()))
        for (tree, rev), pair in wanted.items():
            if pair in known:
                reader.remember_note(tree, rev, known[pair] or None)
        reader.read_many(sorted({pair[0] for pair in wanted.values() if pair not in known}))
        learned = {}
        for (tree, rev), pair in wanted.items():
            if pair not in known:
                learned[pair] = reader.note_blob(tree, rev) or ""
        current = {oid for folders in folders_of.values() for oid in folders.values()}
        cache.remember(learned, current)
        reader.read_many([oid for t in trees for r in revs if (oid := reader.note_blob(t, r))])
        return notes_tree

    def _log_fields(self, commit: Commit, notes_tree: object = _UNKNOWN) -> list[bytes] | None:
        """The fields ``git show -s --format=LOG_FORMAT`` prints for a commit, made from the
        commit object and its note (in ``notes_tree`` when given: the notes ref's tree);
        None where git would print something else (another encoding, an unusual author
        line, a shallow or grafted history)."""
        author = commit.author()
        if author is None or not commit.plain() or self._grafted():
            return None
        if notes_tree is _UNKNOWN:
            note = self.note(NOTES_REF, commit.oid)
        else:
            note = notes_tree and self.reader.note_in(str(notes_tree), commit.oid)
        if note is not None and b"\x00" in note:
            return None
        name, email, date = author
        return [
            commit.oid.encode(),
            " ".join(commit.parents).encode(),
            name,
            email,
            date.encode(),
            commit.message,
            _as_git_prints_note(note),
        ]

    def _grafted(self) -> bool:
        """Whether git rewrites parents here (a shallow clone, grafts): then only git's
        own listing has the parents it shows."""
        common = self.git_dir
        with contextlib.suppress(OSError):  # a linked worktree keeps them in the common dir
            common = self.git_dir / (self.git_dir / "commondir").read_text().strip()
        return (common / "shallow").exists() or (common / "info" / "grafts").exists()

    def _document_of(self, rev: str, commit: Commit | None = None) -> str:
        """The document a commit changed: from its record, or the one it touched."""
        commit = commit or self._commit(rev)
        if commit.plain():
            message = commit.message.decode("utf-8", "replace").rstrip("\n")
        else:
            message = self.git("show", "-s", "--format=%B", rev)
        _s, _r, doc, _rec = parse_message(message)
        if doc:
            return doc
        if not self._grafted():
            touched = self._touched_documents(commit)
            if touched is not None and len(touched) == 1:
                return touched[0]
        parents = self.git("rev-list", "--parents", "-n", "1", rev).split()[1:]
        if parents:  # against the first parent, so that a merge names what it brought in
            listing = self.git("diff", "--name-only", "-z", *gitcmd.NO_DRIVERS, parents[0], rev)
        else:
            listing = self.git(
                "diff-tree", "--no-commit-id", "-r", "-z", "--name-only", "--root", rev
            )
        changed = listing.split("\x00")
        changed = [c for c in changed if c and not c.startswith(".tracker/")]
        docs = self.documents()
        touched = [c for c in changed if c in docs] or changed
        if len(touched) == 1:
            return touched[0]
        if not touched:
            raise UnknownDocumentError(
                f"revision {rev[:12]} changes no document", "name the document"
            )
        raise UnknownDocumentError(
            f"revision {rev[:12]} changes {len(touched)} files", "name the document"
        )

    def _touched_documents(self, commit: Commit) -> list[str] | None:
        """The documents a commit changed against its first parent, from the two trees;
        None where ``git diff --name-only`` could list other names (a deletion, which
        rename detection may pair; a submodule; a name that is not UTF-8)."""
        old = self._commit(commit.parents[0]).tree if commit.parents else None
        changed: list[str] = []
        if not self._changed_paths(old, commit.tree, b"", changed):
            return None
        changed = [c for c in changed if not c.startswith(".tracker/")]
        docs = set(self.documents())
        return [c for c in changed if c in docs] or changed

    def _changed_paths(self, old: str | None, new: str, prefix: bytes, out: list[str]) -> bool:
        """Append the files that differ between two trees; False where git may differ."""
        if old == new:
            return True
        before = {e.name: e for e in self.reader.tree(old)} if old else {}
        for entry in self.reader.tree(new):
            was = before.pop(entry.name, None)
            if was is not None and (was.oid, was.mode) == (entry.oid, entry.mode):
                continue
            if b"160000" in (entry.mode, was.mode if was else b""):
                return False
            name = prefix + entry.name
            if entry.mode == b"40000":
                if was is not None and was.mode != b"40000":
                    return False  # a file became a folder: leave it to git
                inner = was.oid if was is not None else None
                if not self._changed_paths(inner, entry.oid, name + b"/", out):
                    return False
                continue
            if was is not None and was.mode == b"40000":
                return False
            try:
                out.append(name.decode("utf-8"))
            except UnicodeDecodeError:
                return False
        return not before  # anything left was deleted

    def diff(self, old_rev: str, new_rev: str, document: str) -> list[Change]:
        """Changes between two revisions (or the work tree) of one document."""
        if WORKTREE in (old_rev, new_rev):
            from tracker.diff import diff_texts

            return diff_texts(self.text_at(old_rev, document), self.text_at(new_rev, document))
        old, new = self.reader.blob_at(old_rev, document), self.reader.blob_at(new_rev, document)
        key = (old[0] if old else "", new[0] if new else "")
        return self._diff_pair(
            key, lambda: (self.text_at(old_rev, document), self.text_at(new_rev, document))
        )

    def pending(self, document: str) -> list[Change]:
        """Changes in the work tree that are not recorded yet."""
        base = "HEAD" if self.head() else None
        data = self.read_blob(base, document) if base else None
        kind = not_text_kind(data) if data else None
        if kind:
            raise NotTextError(
                f"{document} in the last revision is {_NOT_TEXT[kind]}: "
                "there are no text changes to list",
                f"record the corrected UTF-8 text to replace it: tracker record {document} -m ...",
            )
        old = self.text_at(base, document) if base else ""
        from tracker.diff import diff_texts

        return diff_texts(old, self.text_at(WORKTREE, document))

    def later_notes(self, rev: str) -> list[dict]:
        """The later notes of a revision (a commit id or any name of one)."""
        commit = self.reader.oid_of(rev, "commit")
        data = self.note(NOTES_REF, commit) if commit else None
        return parse_later(data.decode("utf-8", "replace")) if data is not None else []


# How many originals a replay's notes and reviews are followed through (a revision
# replayed again at each of a few syncs); a longer chain is cut, never looped.
_REPLAY_DEPTH = 32

_NOT_TEXT = {"binary": "a binary file (it contains NUL bytes)", "undecodable": "not valid UTF-8"}


def _as_git_prints_note(note: bytes | None) -> bytes:
    """A note as git's %N prints it: each line ended by one newline."""
    if not note:
        return b""
    body = note[:-1] if note.endswith(b"\n") else note
    return b"".join(line + b"\n" for line in body.split(b"\n"))


def mark_not_text(revision: Revision, kind: str, rev: str, which: str) -> Revision:
    """The revision with no changes and a ``not_text`` saying whose bytes are not text
    ("binary": NUL bytes; "undecodable": not UTF-8) and what that means."""
    message = (
        f"{revision.document} in {which} ({rev[:12]}) is {_NOT_TEXT[kind]}: "
        "its changes cannot be shown as text"
    )
    return replace(revision, changes=(), not_text=NotText(kind, rev, message))


def with_merged_branch(revision: Revision, raw: list[bytes], foreign: ForeignChanges) -> Revision:
    """A merge of a pull request (an unrecorded merge commit on the first-parent line) is
    the merged branch's work: its author and messages become the revision's author and
    reason; ``merge`` keeps who merged it, the merge commit's own message and the
    branch's commits (none when they did not change the document: the merge did)."""
    parents = raw[1].decode("ascii", "replace").split()
    if len(parents) < 2:
        return revision
    found = json.loads(merge_payload(foreign, revision.rev, parents, revision.document))
    commits = tuple(MergedCommit(**c) for c in found)
    merge = Merge(merged_by=revision.author, reason=revision.reason, commits=commits)
    if not commits:
        return replace(revision, merge=merge)
    reason = "\n\n".join(c.summary + ("\n\n" + c.reason if c.reason else "") for c in commits)
    return replace(revision, author=commits[0].author, reason=reason, merge=merge)


def payload_of(revision: Revision, raw: list[bytes], foreign: ForeignChanges) -> str:
    """The changes payload of an unrecorded revision: by blob ids when the listing has
    them, else by reading the texts by name."""
    if len(raw) >= LOG_FIELDS + 2:
        return foreign.payload(raw[-2], raw[-1])
    return foreign.payload_by_name(revision.rev, revision.parent, revision.document)


def with_payload(revision: Revision, payload: str) -> Revision:
    """The revision with the changes a ``ForeignChanges`` payload describes, later notes
    applied on top (see ``ForeignChanges`` for the three kinds of payload)."""
    if payload.startswith("["):
        changes = changes_from_payload(payload) or []
        return _replace_changes(revision, apply_later(changes, revision.later_notes))
    marker = json.loads(payload)
    if "initial" in marker:
        # The document's first revision is its baseline, as for recorded stores.
        return replace(revision, initial=True)
    if marker["which"] == "this":
        return mark_not_text(revision, marker["not_text"], revision.rev, "this revision")
    return mark_not_text(
        revision, marker["not_text"], revision.parent or "", "the previous revision"
    )


def as_reviewed(review: Review | None, author: str) -> Review | None:
    """The review (and any conflicting one) marked where its reviewer is the revision's
    own author."""
    if review is None:
        return None
    return replace(
        review,
        by_author=same_editor(review.author, author),
        conflict=tuple(
            replace(other, by_author=same_editor(other.author, author)) for other in review.conflict
        ),
    )


def _mentions(changes: tuple[Change, ...], text: str) -> bool:
    return any(text in c.old.text or text in c.new.text for c in changes)


def _replace_changes(revision: Revision, changes: list[Change]) -> Revision:
    return replace(revision, changes=tuple(changes))


def require_work_tree(store: Store, what: str) -> None:
    """Refuse, in one line, what needs a work tree in a bare repository or a git folder."""
    if store.work_tree:
        return
    if gitcmd.config_value(store.root, "core.bare") == "true":
        raise NotAStoreError(
            f"{store.root} is a bare repository: the tracker reads it but cannot {what}"
            " (there is no work tree)",
            f"clone it and run the command in the clone: git clone {store.root}",
        )
    home = store.git_dir.parent if store.git_dir.name == ".git" else "its work tree"
    raise NotAStoreError(
        f"{store.root} is inside a git folder, not a work tree: the tracker reads it but"
        f" cannot {what} there",
        f"run the command in {home}",
    )


def require_tracker_store(store: Store) -> None:
    """Refuse to write into a repository that ``tracker init`` did not make a store.

    Reading any git repository is fine, but a folder inside someone's project must not
    have revisions, notes or reviews committed into that project's repository.
    A bare repository (or a git folder) is refused first: it has no work tree to record.
    """
    require_work_tree(store, "write to it")
    if store.config.created_by_tracker:
        return
    try:
        here = Path.cwd()
    except OSError:  # the folder the app was started in was deleted: still refuse, clearly
        here = store.root
    if here.resolve() == store.root.resolve():
        where, hint = "", "run 'tracker init' here to make it one; nothing was written"
    else:
        where = f" (the folder {here} is inside it)"
        hint = (
            f"run 'tracker init' to make a store here, or 'tracker -C {store.root} init'"
            " to make that repository one; nothing was written"
        )
    raise NotAStoreError(f"{store.root} is a git repository but not a tracker store{where}", hint)
