"""Provides the join of two clones' later notes (or reviews): a JSON-aware union of the
entries of every revision, written as one merge commit whose parents are both sides.

``git notes merge`` cannot do this: its strategies see lines, not entries, and turn two
JSON documents into one that is not JSON (``cat_sort_uniq``) or into two documents in
one file (``union``). Here each revision's document is parsed, and the merged document
holds every entry of both sides exactly once (an entry's identity is its canonical
JSON), in an order that does not depend on which clone merges: the entries of the
merge base's document first, as they were, then the new ones of both sides sorted by
(date, author, canonical JSON). The layout is the writers' (``compose_later``), so a
merged document reads, and is written to, like any other.

Nothing here moves a ref: ``merge_notes_ref`` writes objects and returns the commit the
local ref should point at; tracker/sync/run.py moves the refs in one transaction.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracker.entry_ids import canonical
from tracker.errors import SyncRefusedError
from tracker.git import cmd as gitcmd
from tracker.git.read import BlobReader
from tracker.git.write import commit_tree
from tracker.identity import Identity
from tracker.notes import compose_later, heads
from tracker.reviews import REVIEWS_REF

if TYPE_CHECKING:
    from tracker.store import Store

# The layout versions of a notes or reviews document this tracker can join.
DOCUMENT_VERSIONS = (1,)


class UnreadableDocument(ValueError):
    """A side's document is not a notes document this tracker can read."""

    def __init__(self, side: str, why: str) -> None:
        super().__init__(f"{side}: {why}")
        self.side = side
        self.why = why


def parse_document(data: bytes | None, side: str = "") -> list[Any]:
    """The entries of a notes or reviews document ([] when absent or empty).

    Raises UnreadableDocument for anything else: a merge must never guess at entries."""
    if data is None or not data.strip():
        return []
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise UnreadableDocument(side, f"not JSON ({_first_line(str(error))})") from None
    if not isinstance(document, dict):
        raise UnreadableDocument(side, "not a JSON object")
    version = document.get("v", 1)
    if version not in DOCUMENT_VERSIONS or type(version) is not int:
        raise UnreadableDocument(side, f"layout version {version!r}, written by a newer tracker?")
    entries = document.get("entries", [])
    if not isinstance(entries, list):
        raise UnreadableDocument(side, '"entries" is not a list')
    return entries


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else text


def merge_entries(base: Sequence[Any], ours: Sequence[Any], theirs: Sequence[Any]) -> list[Any]:
    """Every entry of both sides once (as a multiset: an entry both sides hold twice is
    kept twice), base entries first in their order, then the rest in ``order_key`` order."""
    ours_count = Counter(canonical(e) for e in ours)
    theirs_count = Counter(canonical(e) for e in theirs)
    left = ours_count | theirs_count  # the larger count of each entry
    # One entry may be written with its keys in another order on each side (by hand):
    # the same entry, kept as one of them, chosen alike in every clone.
    by_key: dict[str, Any] = {}
    for entry in (*ours, *theirs):
        key = canonical(entry)
        if key not in by_key or _as_written(entry) < _as_written(by_key[key]):
            by_key[key] = entry
    merged = []
    for entry in base:
        key = canonical(entry)
        if left[key] > 0:
            left[key] -= 1
            merged.append(by_key[key])
    rest = [by_key[key] for key, count in left.items() for _ in range(count)]
    return merged + sorted(rest, key=order_key)


def _as_written(entry: Any) -> str:
    return json.dumps(entry, ensure_ascii=False)


def order_key(entry: Any) -> tuple[str, str, str, str]:
    """(moment in UTC, date as written, author, canonical JSON): a total order, the same
    in every clone, that puts entries in the order they were written when clocks agree."""
    fields = entry if isinstance(entry, dict) else {}
    date = _text(fields.get("date"))
    try:
        when = datetime.fromisoformat(date)
        moment = when.astimezone(UTC).isoformat() if when.tzinfo else date
    except ValueError:
        moment = date
    return (moment, date, _text(fields.get("author")), canonical(entry))


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else canonical(value)


def merge_documents(
    base: bytes | None | Callable[[], bytes | None], ours: bytes | None, theirs: bytes | None
) -> bytes:
    """One revision's joined document. When one side already holds every entry of the
    other, that side's bytes are returned as they are (nothing to join). ``base`` may be
    a function that reads it: it is read only when both sides added entries.

    Raises UnreadableDocument (``side`` "ours" or "theirs") when a side is not readable."""
    ours_entries = parse_document(ours, "ours")
    theirs_entries = parse_document(theirs, "theirs")
    if [canonical(e) for e in ours_entries] == [canonical(e) for e in theirs_entries]:
        # The same entries in the same order: either side's bytes, chosen alike anywhere.
        return min(ours or b"", theirs or b"")
    ours_count = Counter(canonical(e) for e in ours_entries)
    theirs_count = Counter(canonical(e) for e in theirs_entries)
    if ours_count != theirs_count:
        if theirs_count <= ours_count:
            return ours or b""
        if ours_count <= theirs_count:
            return theirs or b""
    try:
        base_entries = parse_document(base() if callable(base) else base, "base")
    except UnreadableDocument:
        base_entries = []  # the base only orders; both sides were readable
    merged = merge_entries(base_entries, ours_entries, theirs_entries)
    return compose_later(merged).encode("utf-8")


# -- conflicts ------------------------------------------------------------------------------


def conflicting_entries(entries: Sequence[Any], reviews: bool) -> int:
    """How many entries are concurrent, unresolved and disagreeing: two corrections of one
    change's note that did not see each other, or an approval and a flag of one revision."""
    groups: dict[str, list[Any]] = {}
    for entry in entries:
        if isinstance(entry, dict):
            groups.setdefault("" if reviews else _target(entry), []).append(entry)
    count = 0
    for group in groups.values():
        current = [group[i] for i in heads(group)]
        if len({_verdict(e, reviews) for e in current}) > 1:
            count += len(current)
    return count


def _target(entry: dict[str, Any]) -> str:
    """Which change a later note is about: its anchor, else (by hand) its number."""
    old, new = entry.get("old"), entry.get("new")
    if isinstance(old, list) and isinstance(new, list):
        return canonical(["anchor", old, new])
    return canonical(["change", entry.get("change")])


def _verdict(entry: dict[str, Any], reviews: bool) -> str:
    if reviews:
        return _text(entry.get("status"))
    return canonical([entry.get("text"), entry.get("category"), entry.get("source") or ""])


# -- the notes ref ----------------------------------------------------------------------------


def merge_notes_ref(
    store: Store,
    ref: str,
    ours: str | None,
    theirs: str | None,
    identity: Identity,
    date: str,
) -> tuple[str | None, int]:
    """The commit ``ref`` should point at after joining ``theirs`` (a fetched notes
    commit) into ``ours`` (the local one), and how many conflicting entries the documents
    it brought hold (concurrent entries, shown until a new entry resolves them).

    A fast-forward when one contains the other, else one merge commit with parents
    (ours, theirs). Objects only: no ref moves. A document on either side that is not
    readable refuses the join (SyncRefusedError naming the revision and the ref)."""
    reviews = ref == REVIEWS_REF
    if theirs is None or theirs == ours:
        return ours, 0
    if ours is None:
        # A clone's first notes: taken as they are, as git clone would (reading every
        # document of a newsroom's ref would cost seconds; verify checks them).
        return theirs, 0
    # One merge-base answers all three questions: fast-forward, behind, or a join.
    base = _merge_base(store, ours, theirs)
    if base == ours:
        return theirs, _conflicts_brought(store, ref, ours, theirs, reviews)
    if base == theirs:
        return ours, 0
    changed = _changed_notes(store, ours, theirs)
    joined: dict[str, str] = {}  # revision -> blob of its joined document
    to_write: dict[str, bytes] = {}  # revision -> a joined document that is new
    conflicts = 0
    sides: dict[str, tuple[int, int]] = {}
    with BlobReader(store.root) as reader:
        base_tree = reader.oid_of(base, "tree") if base else None
        for rev, (ours_blob, theirs_blob) in sorted(changed.items()):
            ours_data = reader.read(ours_blob) if ours_blob else None
            theirs_data = reader.read(theirs_blob) if theirs_blob else None
            try:
                merged = merge_documents(
                    lambda rev=rev: reader.note_in(base_tree, rev) if base_tree else None,
                    ours_data,
                    theirs_data,
                )
            except UnreadableDocument as error:
                raise _unreadable(ref, rev, error.side, error.why, reviews) from None
            if merged != (ours_data or b""):
                if merged == theirs_data:
                    joined[rev] = theirs_blob
                else:
                    to_write[rev] = merged
            entries = parse_document(merged)
            conflicts += conflicting_entries(entries, reviews)
            sides[rev] = (len(parse_document(ours_data)), len(parse_document(theirs_data)))
    joined.update(zip(to_write, _write_blobs(store, list(to_write.values())), strict=True))
    tree = _tree_with_notes(store, ours, joined)
    message = _merge_message(ref, ours, theirs, sides)
    return commit_tree(store, tree, (ours, theirs), message, identity, date), conflicts


def _merge_message(ref: str, ours: str, theirs: str, sides: dict[str, tuple[int, int]]) -> str:
    what = "reviews" if ref == REVIEWS_REF else "notes"
    lines = [
        f"Join the {what} of {ref}: {ours[:12]} (here) and {theirs[:12]} (remote)",
        "",
        "Written by tracker sync: each revision's document holds every entry of both "
        "sides once (the union by content), so no editor's note or review is lost.",
        "",
    ]
    for rev, (mine, remote) in list(sides.items())[:50]:
        lines.append(f"{rev[:12]}: {mine} entr{'y' if mine == 1 else 'ies'} here, {remote} remote")
    if len(sides) > 50:
        lines.append(f"... and {len(sides) - 50} more revision(s)")
    return "\n".join(lines) + "\n"


def _merge_base(store: Store, ours: str, theirs: str) -> str | None:
    """The notes commit both sides last shared; None when they began apart (two clones
    that each added their first note before ever syncing)."""
    proc = gitcmd.run(store.root, "merge-base", ours, theirs, check=False)
    return proc.stdout.decode("ascii", "replace").strip() or None


def _is_object_name(name: str) -> bool:
    return len(name) in (40, 64) and all(c in "0123456789abcdef" for c in name)


def _changed_notes(store: Store, ours: str, theirs: str) -> dict[str, tuple[str, str]]:
    """The revisions whose note differs between two notes commits: rev -> (ours blob,
    theirs blob), "" where a side has none. (A note that only moved between a flat and a
    fan-out path is the same note.)"""
    out = gitcmd.run(
        store.root, "diff-tree", "-r", "-z", "--no-renames", "--no-ext-diff", ours, theirs
    ).stdout.decode("utf-8", "surrogateescape")
    fields = out.split("\x00")
    changed: dict[str, list[str]] = {}
    for head, path in zip(fields[0::2], fields[1::2], strict=False):
        if not head.startswith(":"):
            continue
        _old_mode, _new_mode, old, new, _status = head[1:].split()
        name = path.replace("/", "")
        if not _is_object_name(name):
            continue
        sides = changed.setdefault(name, ["", ""])
        if set(old) != {"0"}:
            sides[0] = old
        if set(new) != {"0"}:
            sides[1] = new
    return {rev: (o, t) for rev, (o, t) in changed.items() if o != t}


def _conflicts_brought(store: Store, ref: str, ours: str, theirs: str, reviews: bool) -> int:
    """The conflicting entries in the documents a fast-forward to ``theirs`` changes.

    A document it would bring that is not readable refuses it, as a merge would: readers
    skip such a document, so taking it would hide its entries (a remote where someone ran
    ``git notes merge -s cat_sort_uniq`` and pushed)."""
    count = 0
    with BlobReader(store.root) as reader:
        for rev, (_old, blob) in sorted(_changed_notes(store, ours, theirs).items()):
            try:
                entries = parse_document(reader.read(blob) if blob else None)
            except UnreadableDocument as error:
                raise _unreadable(ref, rev, "theirs", error.why, reviews) from None
            count += conflicting_entries(entries, reviews)
    return count


def _unreadable(ref: str, rev: str, side: str, why: str, reviews: bool) -> SyncRefusedError:
    where = "here" if side == "ours" else "on the remote"
    return SyncRefusedError(
        f"the {'reviews' if reviews else 'notes'} of revision {rev[:12]} in {ref} "
        f"{where} are not readable ({why})",
        "nothing was merged; repair that document (tracker verify names it) and sync again",
    )


def _write_blobs(store: Store, documents: list[bytes]) -> list[str]:
    """Write the documents as blobs with one git process (a process each cost 40 ms under
    load: most of a join's time), returning their ids in order."""
    if not documents:
        return []
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tracker-notes-", dir=store.git_dir) as folder:
        paths = []
        for number, data in enumerate(documents):
            path = Path(folder) / str(number)
            path.write_bytes(data)
            paths.append(str(path))
        out = gitcmd.output(
            store.root, "hash-object", "-w", "--no-filters", "--stdin-paths",
            input="\n".join(paths).encode("utf-8", "surrogateescape") + b"\n",
        )  # fmt: skip
    return out.split()


def _tree_with_notes(store: Store, ours: str, notes: dict[str, str]) -> str:
    """The tree of ``ours`` with the given notes set, in the layout the writer uses (one
    function builds every notes tree: git/notes_tree.py)."""
    from tracker.git.notes_tree import set_notes

    return set_notes(store, store.reader.oid_of(ours, "tree"), notes)
