"""Provides the documents' index of a big store: which first-parent revisions changed each
document, so ``tracker log ARTICLE`` reads ten commits, not a walk of 100,000.

``git log -- FILE`` visits every commit of the branch, even with the commit-graph's
Bloom filters: on a newsroom store (10,000 articles, 100,000 revisions) that walk is
most of a log's time, for the ten revisions one article has. This index keeps, per
document, the first-parent commits that changed it (against their first parent, as
``git log --first-parent -- FILE`` selects them), in the repository's private area
(``<git common dir>/tracker/cache/documents-v1.sqlite``), with the branch head it
describes. When the head moved on, only the commits since are listed and added; when
it was rewritten (reset, rebase), the index is built again. Nothing is shared, nothing
shows in ``git status``; a missing, damaged or unwritable index is rebuilt or not used,
and the log is the same.

Only stores big enough to need it use it (``MIN_COMMITS`` in the commit-graph): every
smaller store keeps reading ``git log`` as before. ``maintenance.write_commit_graph``
(after init, record and sync) brings it up to date too, so the first ``log`` after a
sync does not pay for the commits the sync brought.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.git.read import stream_fields

if TYPE_CHECKING:
    from sqlite3 import Connection

MIN_COMMITS = 20_000  # below this, git log -- FILE is fast enough on its own
_VERSION = "1"


def common_git_dir(git_dir: Path) -> Path:
    """The directory every work tree of the repository shares (a linked work tree's git
    directory names it in its ``commondir`` file): no process."""
    try:
        pointer = (git_dir / "commondir").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return git_dir
    return (git_dir / pointer).resolve() if pointer else git_dir


def big(git_dir: Path) -> bool:
    """Whether the repository is big enough for the index (from its commit-graph)."""
    return commit_graph_commits(git_dir) >= MIN_COMMITS


def commit_graph_commits(git_dir: Path) -> int:
    """How many commits the commit-graph holds (every layer of a split graph), read from
    the files' headers: no process. 0 without a commit-graph."""
    info = common_git_dir(git_dir) / "objects" / "info"
    single = _graph_commits(info / "commit-graph")
    if single:
        return single  # git reads this one when it is there, and the chain only if not
    chain: list[str] = []
    with contextlib.suppress(OSError):
        chain = (info / "commit-graphs" / "commit-graph-chain").read_text().split()
    return sum(_graph_commits(info / "commit-graphs" / f"graph-{n}.graph") for n in chain)


def _graph_commits(path: Path) -> int:
    """The commit count of one commit-graph file (its OID fanout's last entry)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
            if len(head) < 8 or head[:4] != b"CGPH":
                return 0
            chunks = head[6]
            table = handle.read(12 * (chunks + 1))
            for at in range(0, 12 * chunks, 12):
                if table[at : at + 4] == b"OIDF":
                    handle.seek(int.from_bytes(table[at + 4 : at + 12], "big") + 255 * 4)
                    return int.from_bytes(handle.read(4), "big")
    except OSError:
        pass
    return 0


class DocumentIndex:
    """The index of one repository (see the module). ``revisions`` answers from it,
    bringing it up to ``head`` first; None where it cannot (then read git log)."""

    def __init__(self, root: Path, git_dir: Path) -> None:
        self.root = root
        folder = common_git_dir(git_dir) / "tracker" / "cache"
        self.path = folder / f"documents-v{_VERSION}.sqlite"
        self._folder = folder

    def revisions(self, head: str, document: str, limit: int | None) -> list[str] | None:
        """The first-parent commits up to ``head`` that changed ``document``, newest first
        (at most ``limit``); None when the index cannot be used here."""
        import sqlite3  # only for big stores: a small store's log never loads it

        try:
            with self._open() as db:
                if not self._up_to(db, head):
                    return None
                query = "SELECT rev FROM touched WHERE doc = ? ORDER BY seq DESC"
                args: tuple = (document,)
                if limit is not None:
                    query += " LIMIT ?"
                    args = (document, max(limit, 0))
                return [row[0] for row in db.execute(query, args)]
        except (sqlite3.Error, OSError):
            return None

    def update(self, head: str) -> bool:
        """Bring the index up to ``head`` (False where it cannot be kept here)."""
        return self.revisions(head, "", 0) is not None

    @contextlib.contextmanager
    def _open(self) -> Iterator[Connection]:
        import sqlite3

        # A folder or file planted as a symbolic link would make the index live elsewhere.
        for part in (self._folder.parent, self._folder, self.path):
            if part.is_symlink():
                raise OSError(f"{part} is a symbolic link")
        self._folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        try:
            db.execute("CREATE TABLE IF NOT EXISTS touched (seq INTEGER, doc TEXT, rev TEXT)")
            db.execute("CREATE INDEX IF NOT EXISTS by_doc ON touched (doc, seq)")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS notes_in"
                " (folder TEXT, name TEXT, blob TEXT, PRIMARY KEY (folder, name))"
            )
            yield db
        finally:
            db.close()

    def _up_to(self, db: Connection, head: str) -> bool:
        """Bring the index to ``head``: nothing when it is there, the commits since its
        own head when that is on ``head``'s first-parent line, else everything again."""
        row = db.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
        known = row[0] if row else None
        if known == head:
            return True
        db.execute("BEGIN IMMEDIATE")  # one writer at a time; readers wait for it
        try:
            row = db.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
            known = row[0] if row else None
            if known != head:
                self._add(db, head, known)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return True

    def _add(self, db: Connection, head: str, known: str | None) -> None:
        listing = list(_first_parent_changes(self.root, head, known))
        if known is not None and (not listing or listing[0][1] != known):
            # The head the index describes is not on this line any more: start again.
            listing = list(_first_parent_changes(self.root, head, None))
            known = None
        if known is None:
            db.execute("DELETE FROM touched")
            start = 0
        else:
            row = db.execute("SELECT MAX(seq) FROM touched").fetchone()
            start = (row[0] or 0) + 1
        db.executemany(
            "INSERT INTO touched (seq, doc, rev) VALUES (?, ?, ?)",
            (
                (start + number, name, commit)
                for number, (commit, _parent, names) in enumerate(listing)
                for name in names
            ),
        )
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('head', ?)", (head,))


class NoteFolders:
    """Which note each looked-up revision has in a notes folder: ``(folder tree, name) ->
    blob`` (``""``: none), kept beside the documents' index.

    A log of sixty revisions looks up each one's note and review in a folder of 400
    entries (the 2/38 fan-out), and git reading those 120 trees is most of the log's
    time. A tree's id names its content, so what is found in one never goes stale:
    only a folder that changed since (a new note in it) is read again. Rows of folders
    that neither notes ref holds any more are dropped when new ones are written."""

    def __init__(self, index: DocumentIndex) -> None:
        self._index = index

    def lookup(self, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The known answers among ``pairs`` ((folder, name)); {} where it cannot say."""
        import sqlite3

        if not pairs:
            return {}
        found: dict[tuple[str, str], str] = {}
        try:
            with self._index._open() as db:
                folders = sorted({folder for folder, _name in pairs})
                for at in range(0, len(folders), 500):  # under sqlite's variable limit
                    chunk = folders[at : at + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = db.execute(
                        f"SELECT folder, name, blob FROM notes_in WHERE folder IN ({marks})",
                        chunk,
                    )
                    found.update(((folder, name), blob) for folder, name, blob in rows)
        except (sqlite3.Error, OSError):
            return {}
        wanted = set(pairs)
        return {pair: blob for pair, blob in found.items() if pair in wanted}

    def remember(self, facts: dict[tuple[str, str], str], current: set[str]) -> None:
        """Keep ``facts`` ((folder, name) -> blob or ""); ``current``: the folders the
        notes refs hold now (the others' rows are dropped)."""
        import sqlite3

        if not facts:
            return
        try:
            with self._index._open() as db:
                db.execute("BEGIN IMMEDIATE")
                try:
                    stale = [
                        folder
                        for (folder,) in db.execute("SELECT DISTINCT folder FROM notes_in")
                        if folder not in current
                    ]
                    db.executemany("DELETE FROM notes_in WHERE folder = ?", ((f,) for f in stale))
                    db.executemany(
                        "INSERT OR REPLACE INTO notes_in (folder, name, blob) VALUES (?, ?, ?)",
                        ((folder, name, blob) for (folder, name), blob in facts.items()),
                    )
                    db.execute("COMMIT")
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
        except (sqlite3.Error, OSError):
            return  # a cache that cannot be written is only slower


def _first_parent_changes(
    root: Path, head: str, since: str | None
) -> Iterator[tuple[str, str | None, list[str]]]:
    """(commit, first parent, names it changed against it), oldest first, for the
    first-parent commits of ``head`` after ``since`` (all when None)."""
    span = [head, f"^{since}"] if since else [head]
    fields = stream_fields(
        root,
        "log", "--first-parent", "--reverse", "--root", "--no-renames",
        "--diff-merges=first-parent", "--format=%x01%H%x00%P", "-z", "--name-only",
        *span, "--",
    )  # fmt: skip
    current: tuple[str, str | None, list[str]] | None = None
    expect_parents = False
    with contextlib.closing(fields):
        for raw in fields:
            field = raw.lstrip(b"\n")
            if field.startswith(b"\x01"):
                if current is not None:
                    yield current
                current = (field[1:].decode("ascii"), None, [])
                expect_parents = True
            elif expect_parents and current is not None:
                parents = field.decode("ascii").split()
                current = (current[0], parents[0] if parents else None, current[2])
                expect_parents = False
            elif field and current is not None:
                current[2].append(os.fsdecode(field))
    if current is not None:
        yield current
