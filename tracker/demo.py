"""Provides the bundled demo: builds a store from revisions/ with fixed identities and dates.

revisions/manifest.toml lists the revisions in order. Each names its text file, author,
date, summary and reason, and a note for every change. A note finds its changes either by
``match`` (fragments of text that occur in the change's old or new text) or by
``changes`` (change numbers as ``tracker status`` shows them). Because authors, dates and
the diff are all fixed, building twice gives the same commit ids.
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
from tracker.model import Change
from tracker.recording import NoteInput, init_store, record
from tracker.store import Store

REVISIONS_DIR = Path(__file__).resolve().parent.parent / "revisions"


def default_demo_path() -> Path:
    """A per-user data folder, as the XDG base directory spec places it."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "tracker" / "demo"


@dataclass(frozen=True)
class NoteSpec:
    text: str
    category: str
    source: str
    match: tuple[str, ...]
    changes: tuple[int, ...]

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
    )
    (store.git_dir / MARKER).write_text(BUILDING)
    document = manifest["document"]
    for number, entry in enumerate(manifest["revision"], start=1):
        data = (folder / entry["file"]).read_bytes()
        (store.root / document).write_bytes(data)
        specs = [
            NoteSpec(
                text=n["text"],
                category=n["category"],
                source=n.get("source", ""),
                match=tuple(n.get("match", ())),
                changes=tuple(n.get("changes", ())),
            )
            for n in entry.get("note", [])
        ]
        changes = store.pending(document) if number > 1 else []
        notes = _assign_notes(number, entry["file"], changes, specs)
        record(
            store,
            document,
            entry["summary"],
            entry.get("reason", ""),
            notes,
            Identity.parse(entry["author"]),
            check_date(entry["date"]),
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
        spec = chosen[0]
        notes[change.index] = NoteInput(spec.text, spec.category, spec.source)
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
