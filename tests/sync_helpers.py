"""A desk for the sync tests: one bare remote and the editors' clones of it.

The first editor makes the store and pushes it with ``tracker sync``; every other editor
starts from a plain ``git clone`` of the remote (what a new editor does) and syncs.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tracker import porcelain
from tracker.recording import init_store
from tracker.store import Store

from conftest import ANN, git

DOC = "article.md"
TEXT = (
    "The council met on Monday. It approved the budget of five million.\n\n"
    "Turnout was 5 percent higher than last year.\n\n"
    "The mayor said the vote was close.\n"
)


def plain_clone(url: str, path: Path) -> Path:
    """``git clone URL`` as an editor would run it (the global config of the test:
    its ssh command, its identity)."""
    subprocess.run(["git", "clone", "-q", url, str(path)], check=True, capture_output=True)
    return path


@dataclass
class Desk:
    """A remote and the clones that share it."""

    root: Path
    url: str
    clones: dict[str, Store] = field(default_factory=dict)

    def first(self, name: str = "ann") -> Store:
        """The editor who makes the store, adds the article and pushes it."""
        store = init_store(self.root / name, ANN, None)
        (store.root / DOC).write_text(TEXT)
        porcelain.add_document(store, str(store.root / DOC), author=str(ANN))
        porcelain.remote_add(store, "origin", self.url)
        porcelain.sync(store)
        self.clones[name] = store
        return store

    def join(self, name: str) -> Store:
        """A new editor: a plain git clone of the remote, then a sync."""
        plain_clone(self.url, self.root / name)
        store = Store.open(self.root / name)
        porcelain.sync(store)
        self.clones[name] = store
        return store

    def refs(self, name: str) -> dict[str, str]:
        """The shared refs of a clone (what every clone must agree on after syncs)."""
        out = git(
            self.clones[name].root,
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/heads/",
            "refs/notes/",
            "refs/tracker/journal",
            "refs/tracker/originals/",
        )
        return dict(line.split(" ") for line in out.splitlines())


def edit(store: Store, old: str, new: str, document: str = DOC) -> None:
    path = store.root / document
    text = path.read_text()
    assert old in text, f"{old!r} is not in {document}"
    path.write_text(text.replace(old, new, 1))


def record(store: Store, old: str, new: str, note: str = "", document: str = DOC) -> str:
    """Edit and record one change (with a note), as the editor would."""
    from tracker.model import NoteInput

    edit(store, old, new, document)
    notes = {1: NoteInput(note)} if note else None
    return porcelain.record_revision(store, document, f"{old} -> {new}", notes=notes).rev
