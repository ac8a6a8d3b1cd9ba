"""Provides replay: this clone's revisions rewritten onto the remote's tip, so the branch
stays linear when two editors recorded from the same head.

Each local revision (oldest first) is carried onto the tip built so far: the same
document, the same changes with only their offsets moved (``threeway.py`` decides that
the two sides touched disjoint tokens), the same notes, author, date, summary and reason.
Its message is the original's, with the record's offsets rewritten and the trailer
``Tracker-Replay-Of: <original>`` before ``Tracker-Document``; the committer is the
editor who syncs, now. Nothing here moves a ref: sync (``run.py``) moves the branch and
keeps each original at ``refs/tracker/originals/<id>``, in one transaction.

A replay must be faithful: the engine's own changes between the new parent's text and
the new text must be exactly the mapped record (what verify checks). Anything else
(overlapping changes, a record with moves on a document the remote changed, the same
document added on both sides, a commit the tracker did not record) is refused before
anything is written: ``ConcurrentEditError`` with the three versions (``ThreeWay``).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn

from tracker.diff import diff_texts, word_changes
from tracker.errors import ConcurrentEditError, NotTextError, SyncRefusedError
from tracker.git.write import write_commit
from tracker.identity import Identity, now_iso
from tracker.model import Change, Note, ThreeWay
from tracker.moves import accounts, flattened
from tracker.notes import changes_from_record, parse_message, with_replay_trailer
from tracker.recording import _mode_of, _tree_with
from tracker.store import Store
from tracker.sync.threeway import Merged, apply, merge, overlaps
from tracker.text.decode import decode_document
from tracker.where import Places

_AUTHOR = re.compile(rb"^(?P<name>.*) <(?P<email>[^<>]*)> (?P<stamp>\d+) (?P<zone>[+-]\d{4})$")
# The two routes (docs/collaboration.md, "Settling an overlap"). A revision recorded here
# on top does not settle it: sync replays this clone's revisions one by one, the refused
# one first.
_RESOLVE = (
    "nothing was written; see the three versions side by side in the app (S); to settle "
    "it here, run 'tracker sync --settle': the remote's revisions are taken, yours is kept "
    "aside with its notes, and its wording is left in the file for you to edit and record"
)


def replay_onto(
    store: Store, local: list[str], onto: str, identity: Identity
) -> list[tuple[str, str]]:
    """Replay ``local`` (first-parent revisions after the merge base, oldest first) onto
    ``onto``; return (original, new) pairs, the last new commit being the new tip.

    Writes objects only (blobs, trees, commits); raises ConcurrentEditError (or
    SyncRefusedError for a commit the tracker did not record) before any ref moves."""
    if not local:
        return []
    replay = _Replay(store, onto, identity, now_iso())
    return [replay.one(original) for original in local]


@dataclass(frozen=True)
class Settled:
    """A replay that set overlapping revisions aside rather than refusing (``sync
    --settle``): the revisions carried, the originals set aside (oldest first), and per
    set-aside document the draft its file gets (the remote's text with this clone's
    wording: see ``draft``)."""

    replayed: list[tuple[str, str]]
    set_aside: list[str]
    drafts: dict[str, bytes]
    settings: list[str] = field(default_factory=list)  # set-aside settings changes


def replay_or_set_aside(store: Store, local: list[str], onto: str, identity: Identity) -> Settled:
    """Like ``replay_onto``, but a revision that overlaps the remote's is set aside, with
    every later local revision of its document (each was written on top of it), and the
    other documents' revisions are still replayed. A settings change is set aside too
    (made again on the shared branch). Still refuses what no editor can settle by
    editing: a commit the tracker did not record."""
    replay = _Replay(store, onto, identity, now_iso())
    pairs: list[tuple[str, str]] = []
    set_aside: list[str] = []
    settings: list[str] = []
    documents: set[str] = set()
    for original in local:
        document = _document_of(store, original)
        if _changes_settings(store, original):
            # Not carried onto the remote's branch: the editor makes it again there.
            set_aside.append(original)
            settings.append(original)
            continue
        if document in documents:
            set_aside.append(original)
            continue
        try:
            pairs.append(replay.one(original))
        except ConcurrentEditError as error:
            set_aside.append(original)
            documents.add(error.three_way.document if error.three_way else document)
    base = store.first_parent(local[0]) if local else None
    mine = local[-1] if local else onto
    drafts = {doc: draft(store, base, mine, onto, doc) for doc in sorted(documents)}
    return Settled(pairs, set_aside, drafts, settings)


def draft(store: Store, base: str | None, mine: str, theirs: str, document: str) -> bytes:
    """What a set-aside document's file holds after ``sync --settle``: the remote's text
    with this clone's changes since the merge base put in, its own wording winning
    where the two overlap (the remote's overlapping changes are left out: the editor
    reads the three versions and writes the agreed wording before recording)."""
    texts = [
        _text(store.reader.blob_at(rev, document) if rev else None, document)
        for rev in (base, mine, theirs)
    ]
    base_text, our_text, their_text = texts
    if store.reader.blob_at(theirs, document) is None:
        return our_text.encode("utf-8")
    ours = word_changes(base_text, our_text)
    remote = word_changes(base_text, their_text)
    clashing = {theirs_index for _mine, theirs_index in overlaps(base_text, ours, remote)}
    kept = [change for change in remote if change.index not in clashing]
    return apply(base_text, [*ours, *kept]).encode("utf-8")


def _changes_settings(store: Store, commit: str) -> bool:
    parent = store.first_parent(commit)
    touched = _touched(store, parent, commit) if parent else []
    return bool(touched) and all(name.startswith(".tracker/") for name in touched)


def _document_of(store: Store, commit: str) -> str | None:
    found = store.reader.commit(commit)
    if found is None:
        return None
    return parse_message(found.message.decode("utf-8", "replace"))[2]


@dataclass
class _Replay:
    store: Store
    onto: str
    identity: Identity
    date: str
    tip: str = ""
    # Per document, the steps (each a list of changes, old -> new) from the merge base's
    # text to the tip built so far: the remote's revisions, then our replays. They carry
    # the remote's notes onto the changes a ThreeWay shows.
    steps: dict[str, list[list[Change]]] = field(default_factory=dict)
    base: str | None = None

    def __post_init__(self) -> None:
        self.tip = self.onto

    def one(self, original: str) -> tuple[str, str]:
        store = self.store
        commit = store.reader.commit(original)
        if commit is None or len(commit.parents) != 1:
            raise SyncRefusedError(
                f"cannot replay {original[:12]} onto the remote: it is "
                + ("missing" if commit is None else "a merge or a root commit"),
                "nothing was written; make the history linear with the remote's first",
            )
        parent = commit.parents[0]
        if self.base is None:
            self.base = parent  # the merge base: the first local revision's parent
        message = commit.message.decode("utf-8", "replace")
        _summary, _reason, document, record = parse_message(message)
        touched = _touched(store, parent, original)
        if record is None and touched and all(name.startswith(".tracker/") for name in touched):
            raise SyncRefusedError(
                f"cannot replay {original[:12]} onto the remote: it changes the store's "
                "settings, and a settings change is made once, on the shared branch",
                "nothing was written; run 'tracker sync --settle' (your settings change is "
                "kept aside), then make it again with 'tracker config' and sync",
            )
        if record is None or document is None or touched != [document] or not commit.plain():
            raise SyncRefusedError(
                f"cannot replay {original[:12]} onto the remote: it was not recorded by the "
                "tracker (made with plain git?), so its changes cannot be carried",
                "nothing was written; put it on the remote's revisions by hand (git rebase)"
                " and record it again",
            )
        old = store.reader.blob_at(parent, document)
        mine = store.reader.blob_at(original, document)
        theirs = store.reader.blob_at(self.tip, document)
        if mine is None:
            raise SyncRefusedError(
                f"cannot replay {original[:12]}: it deletes {document}",
                "nothing was written; the tracker never deletes a document",
            )
        if (old and old[0]) == (theirs and theirs[0]):
            # The remote left the document as our revision found it: the same blob and
            # the same record (offsets unchanged), moves and baselines included.
            new_record = record
            blob = mine[0]
        elif record.get("initial"):
            self._refuse_baseline(original, parent, document, old, mine, theirs)
        else:
            blob, new_record = self._merged(original, parent, document, record, old, mine, theirs)
        mode = _mode_of(store, original, document)
        tree = _tree_with(store, self.tip, {document: (mode, blob)})
        new_message = with_replay_trailer(message, original, new_record)
        new = self._commit(tree, new_message, commit.header(b"author") or b"")
        self.tip = new
        return (original, new)

    # -- the text merge ---------------------------------------------------------------

    def _merged(
        self,
        original: str,
        parent: str,
        document: str,
        record: dict,
        old: tuple[str, bytes] | None,
        mine: tuple[str, bytes],
        theirs: tuple[str, bytes] | None,
    ) -> tuple[str, dict]:
        if theirs is None:
            raise self._conflict(
                original, parent, document, "the remote deleted it", [], [], (), None
            )
        try:
            base_text = decode_document(old[1] if old else b"", document)
            our_text = decode_document(mine[1], document)
            their_text = decode_document(theirs[1], document)
        except NotTextError as error:
            raise SyncRefusedError(
                f"cannot replay {original[:12]}: {error.message}", "nothing was written"
            ) from None
        recorded = changes_from_record(record)
        texts = (base_text, our_text, their_text)
        if any(c.is_move or c.within is not None for c in recorded):
            raise self._conflict(
                original, parent, document,
                "it moves a paragraph, and the remote changed the document too",
                recorded, word_changes(base_text, their_text), (), texts,
            )  # fmt: skip
        if not accounts(base_text, our_text, recorded):
            raise SyncRefusedError(
                f"cannot replay {original[:12]}: its record does not rebuild its text "
                "(verify names it)",
                "nothing was written",
            )
        # The remote's changes as the plain word diff (no moves): a moved paragraph is a
        # deletion and an insertion, which is all the disjointness test needs.
        remote = word_changes(base_text, their_text)
        result = merge(base_text, recorded, remote)
        if not isinstance(result, Merged):
            raise self._conflict(
                original, parent, document, "the same words", recorded, remote, result.pairs,
                texts,
            )  # fmt: skip
        if not _faithful(their_text, result):
            raise self._conflict(
                original, parent, document,
                "words next to each other, so the replayed revision would not read as the "
                "same changes",
                recorded, remote, _nearest(recorded, remote), texts,
            )  # fmt: skip
        self._step(document, list(result.changes))
        new_record = copy.deepcopy(record)
        for item, change in zip(new_record["changes"], result.changes, strict=True):
            item["old"]["start"], item["old"]["end"] = change.old.start, change.old.end
            item["new"]["start"], item["new"]["end"] = change.new.start, change.new.end
        blob = self.store.git(
            "hash-object", "-w", "--no-filters", "--stdin", input=result.text.encode("utf-8")
        )
        return blob, new_record

    def _refuse_baseline(self, original, parent, document, old, mine, theirs) -> NoReturn:
        texts = tuple(
            _text(found, document) for found in (old, mine, theirs)
        )  # fmt: skip
        what = (
            "the remote added a document of the same name"
            if old is None
            else "the remote changed it since"
        )
        raise self._conflict(original, parent, document, what, [], [], (), texts)

    # -- refusals ------------------------------------------------------------------------

    def _conflict(
        self,
        original: str,
        parent: str,
        document: str,
        what: str,
        ours: Sequence[Change],
        theirs: Sequence[Change],
        pairs: Sequence[tuple[int, int]],
        texts: tuple[str, str, str] | None,
    ) -> ConcurrentEditError:
        base_text, our_text, their_text = texts or ("", "", "")
        if texts is None:
            base_text = _text(self.store.reader.blob_at(parent, document), document)
            our_text = _text(self.store.reader.blob_at(original, document), document)
        where = ""
        if pairs:
            first = next(c for c in ours if c.index == pairs[0][0])
            place = Places(base_text).place(first.old.start, first.old.end)
            near = f' near "{place.before} {first.old.text}"'.replace('" ', '"')
            where = f" at {place.label}{near if len(near) < 80 else ''}"
        if ours:
            # As the original shows them: with the notes written on it later, too.
            ours = self.store.revision(original, document).changes
        three_way = ThreeWay(
            document=document,
            base_rev=parent,
            ours_rev=original,
            theirs_rev=self.tip,
            base_text=base_text,
            ours_text=our_text,
            theirs_text=their_text,
            ours_changes=tuple(ours),
            theirs_changes=tuple(self._with_remote_notes(document, list(theirs))),
            overlaps=tuple(pairs),
        )
        return ConcurrentEditError(
            f"cannot replay {original[:12]} onto the remote: it and the remote's revisions "
            f"both changed {document}{where} ({what})",
            _RESOLVE,
            three_way=three_way,
        )

    # -- the remote's notes on a ThreeWay -------------------------------------------------

    def _with_remote_notes(self, document: str, theirs: list[Change]) -> list[Change]:
        """The remote's changes since the base, each with the note of the remote
        revision's change that made it (its span carried forward, offsets only, through
        the later revisions); the latest note wins where several fall in one change."""
        spans: list[tuple[int, int, Note]] = []
        for step in self._steps(document):
            spans = [(_forward(a, step, "start"), _forward(b, step, "end"), n) for a, b, n in spans]
            spans += [(c.new.start, c.new.end, c.note) for c in step if c.note is not None]
        noted = []
        for change in theirs:
            hits = [
                note
                for a, b, note in spans
                if a <= change.new.end and change.new.start <= b and change.note is None
            ]
            noted.append(change.with_note(hits[-1]) if hits else change)
        return noted

    def _steps(self, document: str) -> list[list[Change]]:
        if document not in self.steps:
            self.steps[document] = []
        remote: list[list[Change]] = []
        if self.base is not None:
            revs = self.store.git(
                "rev-list", "--first-parent", "--reverse", f"{self.base}..{self.onto}",
                "--", document,
            ).split()  # fmt: skip
            for rev in revs:
                try:
                    changes = self.store.revision(rev, document).changes
                except Exception:  # noqa: BLE001 - a ThreeWay shows what it can read
                    changes = ()
                remote.append(flattened(changes))
        return remote + self.steps[document]

    def _step(self, document: str, changes: list[Change]) -> None:
        self.steps.setdefault(document, []).append(changes)

    # -- writing ------------------------------------------------------------------------

    def _committed(self) -> str:
        """Now, or the new parent's commit time when a clock ahead of ours wrote it: a
        revision committed before its parent reads as history rewritten (verify)."""
        parent = self.store.reader.commit(self.tip)
        match = _AUTHOR.match(parent.header(b"committer") or b"") if parent else None
        if match is None:
            return self.date
        stamp = int(match["stamp"])
        if datetime.fromisoformat(self.date).timestamp() >= stamp:
            return self.date
        return f"@{stamp} {match['zone'].decode()}"

    def _commit(self, tree: str, message: str, author: bytes) -> str:
        """The replayed commit: the original's author and date as stored, the syncing
        editor as committer, now; signed when the editor signs commits."""
        match = _AUTHOR.match(author)
        if match is None:
            raise SyncRefusedError(
                "cannot replay a revision whose author line git alone can read",
                "nothing was written",
            )
        env = {
            "GIT_AUTHOR_NAME": match["name"].decode("utf-8", "replace"),
            "GIT_AUTHOR_EMAIL": match["email"].decode("utf-8", "replace"),
            "GIT_AUTHOR_DATE": f"@{match['stamp'].decode()} {match['zone'].decode()}",
            "GIT_COMMITTER_NAME": self.identity.name,
            "GIT_COMMITTER_EMAIL": self.identity.email,
            "GIT_COMMITTER_DATE": self._committed(),
        }
        return write_commit(self.store, tree, [self.tip], message, env)


def _faithful(their_text: str, merged: Merged) -> bool:
    """The check verify makes, made before writing: the mapped record rebuilds the new
    text from the new parent's, and the engine finds exactly those changes there."""
    if not accounts(their_text, merged.text, merged.changes):
        return False
    engine = diff_texts(their_text, merged.text)
    return [_shape(c) for c in engine] == [_shape(c) for c in merged.changes]


def _shape(change: Change) -> tuple:
    return (change.index, change.kind, change.old, change.new)


def _nearest(ours: Sequence[Change], theirs: Sequence[Change]) -> list[tuple[int, int]]:
    """For a replay refused as unfaithful: each of our changes with the remote change
    nearest it (the one the engine ran together with it)."""
    if not theirs:
        return []
    pairs = []
    for mine in ours:
        best = min(
            theirs,
            key=lambda t: max(t.old.start - mine.old.end, mine.old.start - t.old.end, 0),
        )
        pairs.append((mine.index, best.index))
    return pairs


def _forward(point: int, step: Sequence[Change], side: str) -> int:
    """Where ``point`` of a step's old text falls in its new text: moved by the changes
    before it; inside a change, that change's start (or end, for a span's end)."""
    shift = 0
    for change in step:
        if change.old.start < point < change.old.end:
            return change.new.start if side == "start" else change.new.end
        if change.old.end <= point:
            shift += len(change.new.text) - len(change.old.text)
    return point + shift


def _touched(store: Store, parent: str, commit: str) -> list[str]:
    out = store.git("diff-tree", "-r", "--no-renames", "--name-only", "-z", parent, commit)
    return [name for name in out.split("\x00") if name]


def _text(found: tuple[str, bytes] | None, document: str) -> str:
    if found is None:
        return ""
    try:
        return decode_document(found[1], document)
    except NotTextError:
        return ""
