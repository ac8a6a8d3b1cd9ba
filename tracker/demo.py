"""Provides the bundled demo: builds a store from revisions/ with fixed identities and dates.

revisions/manifest.toml lists the revisions in order. Each names its text file, author
(and, when someone else logged it, its committer), date, summary and reason, the second
editor's approval, and a note for every change. A note finds its changes either by
``match`` (fragments of text that occur in the change's old or new text) or by
``changes`` (change numbers as ``tracker status`` shows them), and says what readers are
told (notice, significance) and, optionally, who reported the error and when; a note may
carry later notes (a corrected wording, its history kept). The manifest may name the
store's corrections policy. Because identities, dates and the diff are all fixed, building
twice gives the same commit ids. revisions/README.md documents every key.
"""

from __future__ import annotations

import json
import os
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.errors import TrackerError
from tracker.identity import Identity, check_date
from tracker.model import APPROVED, Change
from tracker.recording import (
    NoteInput,
    add_later_note,
    add_review,
    init_store,
    record,
    record_publish,
)
from tracker.store import Store

REVISIONS_DIR = Path(__file__).resolve().parent.parent / "revisions"


def default_demo_path() -> Path:
    """A per-user data folder, as the XDG base directory spec places it."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tracker" / "demo"


# The keys of a manifest note that become the recorded note (NoteInput's fields).
NOTE_KEYS = ("text", "category", "source", "notice", "significance", "reported_by", "reported")


@dataclass(frozen=True)
class NoteSpec:
    note: NoteInput
    match: tuple[str, ...]
    changes: tuple[int, ...]
    later: tuple[dict[str, Any], ...] = ()  # later notes: author, date and what they change

    @classmethod
    def of(cls, entry: dict[str, Any]) -> NoteSpec:
        fields = {key: str(entry[key]) for key in NOTE_KEYS if key in entry}
        return cls(
            NoteInput(**fields),
            tuple(entry.get("match", ())),
            tuple(entry.get("changes", ())),
            tuple(entry.get("later", ())),
        )

    @property
    def text(self) -> str:
        return self.note.text

    def selects(self, change: Change) -> bool:
        if change.index in self.changes:
            return True
        return any(f in change.old.text or f in change.new.text for f in self.match)


def load_manifest(folder: Path = REVISIONS_DIR) -> dict[str, Any]:
    path = folder / "manifest.toml"
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise TrackerError(
            f"the bundled revisions are missing ({path})",
            "run tracker from a checkout of the project (pip install -e .)",
        ) from None


# In the git directory: "building" while the demo is built, then BUILT when it is complete.
MARKER = "tracker-demo"
BUILDING = "building\n"
BUILT = "built by tracker demo\n"


def build_demo(
    target: Path | None = None, folder: Path = REVISIONS_DIR, reset: bool = False
) -> Store:
    """The demo store at ``target``: reopened when built before, else built now."""
    return open_demo(target, folder, reset)[0]


def open_demo(
    target: Path | str | None = None, folder: Path = REVISIONS_DIR, reset: bool = False
) -> tuple[Store, bool]:
    """Reopen the demo store at ``target`` as it is, or build it; True when built now.

    A demo store is where people try recording, notes and reviews: that work is never
    deleted unless asked for with ``reset``. Any other non-empty folder is never touched.
    """
    target = Path(target or default_demo_path())
    manifest = load_manifest(folder)
    state = _demo_state(target)
    if state == "built" and not reset:
        return Store.open(target), False
    if state == "building" and not reset:
        raise TrackerError(
            f"{target} holds a demo store whose building was interrupted",
            "run 'tracker demo --reset' to build it afresh",
        )
    if state in ("built", "building"):
        shutil.rmtree(target)  # reset: the user asked for a fresh demo
    return _build(target, manifest, folder), True


def _build(target: Path, manifest: dict[str, Any], folder: Path) -> Store:
    setup = manifest["setup"]
    store = init_store(
        target,
        Identity.parse(setup["author"]),
        check_date(setup["date"]),
        require_notes=bool(manifest.get("require_notes", True)),
        policy=str(manifest.get("policy", "")),
    )
    (store.git_dir / MARKER).write_text(BUILDING)
    document = manifest["document"]
    later: list[tuple[str, int, dict[str, Any], NoteInput]] = []
    for number, entry in enumerate(manifest["revision"], start=1):
        data = (folder / entry["file"]).read_bytes()
        (store.root / document).write_bytes(data)
        specs = [NoteSpec.of(n) for n in entry.get("note", [])]
        changes = store.pending(document) if number > 1 else []
        notes = _assign_notes(number, entry["file"], changes, specs)
        rev = record(
            store,
            document,
            entry["summary"],
            entry.get("reason", ""),
            notes,
            Identity.parse(entry["author"]),
            check_date(entry["date"]),
            committer=Identity.parse(entry["committer"]) if "committer" in entry else None,
        )
        if "approved_by" in entry:
            # The second editor's sign-off, written by the same code as 'tracker review'.
            add_review(
                store,
                rev,
                APPROVED,
                entry.get("approval", ""),
                Identity.parse(entry["approved_by"]),
                check_date(entry["approved"]),
            )
        if "published" in entry:
            # Its notices made public once approved: the journal's publish event, as
            # 'tracker publish' writes it (verify checks the sign-off and the timing).
            record_publish(
                store,
                document,
                lambda _when, rev=rev: [rev],
                Identity.parse(entry.get("published_by", entry["approved_by"])),
                check_date(entry["published"]),
            )
        later += [
            (rev, index, extra, spec.note)
            for spec in specs
            for extra in spec.later
            for index in sorted(i for i, n in notes.items() if n is spec.note)
        ]
    # Later notes go last, in date order: each is dated after its revision, and may be
    # dated after revisions that came later (a source corrected days afterwards).
    for rev, index, extra, note in sorted(later, key=lambda each: each[2]["date"]):
        fields = {key: str(extra.get(key, getattr(note, key))) for key in NOTE_KEYS}
        add_later_note(
            store,
            rev,
            index,
            NoteInput(**fields),
            Identity.parse(extra["author"]),
            check_date(extra["date"]),
        )
    (store.git_dir / MARKER).write_text(BUILT)
    return store


def _assign_notes(
    number: int, file: str, changes: list[Change], specs: list[NoteSpec]
) -> dict[int, NoteInput]:
    notes: dict[int, NoteInput] = {}
    for change in changes:
        chosen = [spec for spec in specs if spec.selects(change)]
        where = f"revision {number} ({file}) change {change.index}"
        shown = json.dumps([change.old.text[:80], change.new.text[:80]], ensure_ascii=False)
        if not chosen:
            raise TrackerError(f"{where} has no note: {shown}", "add a note that matches it")
        if len(chosen) > 1:
            raise TrackerError(f"{where} matches {len(chosen)} notes: {shown}", "narrow them")
        notes[change.index] = chosen[0].note
    unused = [spec for spec in specs if not any(spec.selects(c) for c in changes)]
    if unused:
        raise TrackerError(
            f"revision {number} ({file}) has a note matching no change: {unused[0].text[:60]!r}",
            "fix its match",
        )
    return notes


def _demo_state(target: Path) -> str:
    """The folder's state: new (absent or empty), built, or building (interrupted)."""
    if target.exists() and not target.is_dir():
        raise TrackerError(
            f"{target} is a file, not a folder", "pass --path with a new or empty folder"
        )
    if not target.exists() or not any(target.iterdir()):
        return "new"
    marker = target / ".git" / MARKER
    if marker.is_file() and (target / ".git").is_dir():
        return "building" if marker.read_text(errors="replace") == BUILDING else "built"
    raise TrackerError(
        f"{target} is not empty and is not a demo store",
        "pass --path with a new or empty folder",
    )


# -- the notices of the last revision ------------------------------------------------------
#
# Revision 10 of the bundled history adds the notices readers get, made from the notes of
# the revisions before it in the agreed wording ("{label}, {d Month YYYY}: {text}"): the
# significant ones at the top, under the title, the minor ones at the end. They are
# composed by tracker/notices.py, as `tracker notice` composes them, and the bundled file
# is checked against them (tests/test_bundled_history.py).


def notice_lines(store: Store, document: str) -> tuple[list[str], list[str]]:
    """The notices of every change of ``document`` as ``tracker notice`` words and places
    them (tracker/notices.py: one notice per revision and type, a note said once): the
    (top, end) lines."""
    from tracker.notices import notice_items, placed

    where = placed(notice_items(store, document))
    return [n.line for n in where["top"]], [n.line for n in where["end"]]


def with_notices(text: str, top: list[str], end: list[str]) -> str:
    """``text`` with the ``top`` notices after its title line and the ``end`` ones last."""
    title, _, body = text.partition("\n\n")
    return "\n\n".join([title, *top, body, *end])


def final_text(folder: Path = REVISIONS_DIR) -> str:
    """The last bundled revision's text as the notices make it: the revision before it,
    with the notices of every revision up to it (built in a scratch store)."""
    import tempfile

    manifest = load_manifest(folder)
    manifest["revision"] = manifest["revision"][:-1]
    with tempfile.TemporaryDirectory() as scratch:
        store = _build(Path(scratch) / "store", manifest, folder)
        top, end = notice_lines(store, manifest["document"])
        store.close()
    last = (folder / manifest["revision"][-1]["file"]).read_text(encoding="utf-8")
    return with_notices(last, top, end)


if __name__ == "__main__":  # python -m tracker.demo: rewrite the last revision's notices
    manifest = load_manifest()
    target = REVISIONS_DIR / manifest["revision"][-1]["file"]
    target.write_text(final_text(), encoding="utf-8", newline="\n")
    print(f"wrote {target}")
