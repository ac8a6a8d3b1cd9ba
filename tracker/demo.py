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
from tracker.store import CONFIG_PATH, Store

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


def build_demo(target: Path | None = None, folder: Path = REVISIONS_DIR) -> Store:
    """Build the bundled article's store at ``target`` (replacing an earlier demo there)."""
    target = Path(target or default_demo_path())
    manifest = load_manifest(folder)
    _clear_earlier_demo(target)
    setup = manifest["setup"]
    store = init_store(
        target,
        Identity.parse(setup["author"]),
        check_date(setup["date"]),
        require_notes=bool(manifest.get("require_notes", True)),
    )
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
    (store.git_dir / "tracker-demo").write_text("built by tracker demo\n")
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


def _clear_earlier_demo(target: Path) -> None:
    """Remove a demo store built earlier; refuse to touch any other non-empty folder."""
    if not target.exists() or not any(target.iterdir()):
        return
    if (target / ".git" / "tracker-demo").is_file() and (target / CONFIG_PATH).is_file():
        shutil.rmtree(target)
        return
    raise TrackerError(
        f"{target} is not empty and is not a demo store",
        "pass --path with a new or empty folder",
    )
