"""End to end (issue 10): two editors, two clones of one remote, the real app in tmux.

Each editor opens ``tracker`` in a real terminal in their own ``git clone`` of a bare
remote (file://), edits the article through $EDITOR, records the correction with a note
on the app's Record screen, and presses S. After A, then B, then A again have synced,
each sees the other's correction in the history and its note beside it, and both clones
hold the same refs.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from test_e2e_tmux import EXITED, pane_command, pane_env

from tracker import porcelain

from conftest import git, run_cli

pytestmark = [
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(
        importlib.util.find_spec("tracker.sync.run") is None,
        reason="needs the sync core (tracker/sync/run.py)",
    ),
]

ARTICLE = (
    "Storm Closes Roads\n\n"
    "The mayor said 5 percent of roads were closed on Monday.\n\n"
    "Schools stay open, the council said.\n\n"
    "Crews worked through the night to clear the main routes.\n"
)
# Each editor's correction, to a different paragraph: the second sync replays B's.
EDITS = {
    "A": ("5 percent", "7 percent", "Correct the share of roads", "The council's figure is 7."),
    "B": ("main routes", "bus routes", "Name the routes cleared", "Crews cleared bus routes."),
}
IDENTITIES = {"A": ("Ann Editor", "ann@desk.example"), "B": ("Bob Checker", "bob@desk.example")}


class Terminal:
    """One editor's tmux session (both on one tmux server of the test's own)."""

    def __init__(self, server: str, name: str) -> None:
        self.server, self.name = server, name

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-f", os.devnull, "-L", self.server, *args],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{self.name}: {text!r} never appeared; the screen was:\n{shown}")

    def keys(self, *names: str) -> None:
        self.tmux("send-keys", "-t", self.name, *names)


def make_remote(tmp_path: Path) -> Path:
    """A bare remote holding a store with the article, every tracker ref included."""
    seed = tmp_path / "seed"
    store = porcelain.init(seed)
    (seed / "article.txt").write_text(ARTICLE, encoding="utf-8")
    porcelain.add_document(store, str(seed / "article.txt"), "First draft")
    remote = tmp_path / "desk.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(seed), str(remote)], check=True)
    return remote


def open_editor(tmp_path: Path, server: str, who: str, remote: Path) -> tuple[Terminal, Path]:
    """Clone the remote for editor ``who`` (own home, own git identity, an $EDITOR that
    makes their correction) and open the app there."""
    home = tmp_path / f"home-{who}"
    home.mkdir()
    name, email = IDENTITIES[who]
    (home / ".gitconfig").write_text(f"[user]\n\tname = {name}\n\temail = {email}\n")
    clone = tmp_path / f"clone-{who}"
    subprocess.run(["git", "clone", "-q", f"file://{remote}", str(clone)], check=True)
    old, new, _, _ = EDITS[who]
    editor = home / "editor.sh"
    editor.write_text(f"#!/bin/sh\nsed -i 's/{old}/{new}/' \"$1\"\n")
    editor.chmod(0o755)
    # The app records in the pane, and this test verifies and syncs from outside it: both
    # must read one clock (.ci/elsewhere runs the suite under faketime, which env -i drops).
    clock = {k: v for k, v in os.environ.items() if k in ("LD_PRELOAD", "FAKETIME")}
    env = pane_env(home, HOME=str(home), EDITOR=str(editor), **clock)
    terminal = Terminal(server, who)
    terminal.tmux(
        "new-session", "-d", "-s", who, "-x", "160", "-y", "45", "-c", str(home),
        pane_command(f"{env} tracker -C {clone}"),
    )  # fmt: skip
    return terminal, clone


def record_corrections(editors: dict[str, Terminal]) -> None:
    """e, then the Record screen: summary, reason, the change's note, ctrl+s; each step
    in both terminals before waiting for it in either (two editors at work at once)."""

    def step(send, expect) -> None:
        for who, terminal in editors.items():
            send(who, terminal)
        for who, terminal in editors.items():
            for text in expect(who):
                terminal.wait_for(text)

    def typed(text_of):
        return lambda who, t: t.tmux("send-keys", "-t", t.name, "-l", text_of(who))

    step(lambda who, t: t.keys("e"), lambda who: ["Record a revision of article.txt"])
    # The screen paints its parts in turn: wait for the change before typing.
    step(lambda who, t: None, lambda who: [EDITS[who][1]])
    step(typed(lambda who: EDITS[who][2]), lambda who: [EDITS[who][2]])
    step(lambda who, t: t.keys("Tab"), lambda who: [])
    step(typed(lambda who: "Checked before publishing"), lambda who: ["Checked before"])
    step(lambda who, t: t.keys("Tab"), lambda who: [])
    step(typed(lambda who: EDITS[who][3]), lambda who: [EDITS[who][3]])
    step(lambda who, t: t.keys("C-s"), lambda who: ["Recorded "])


def sync(terminal: Terminal) -> str:
    """S, and the one line that says what the sync did (it goes away after a while)."""
    terminal.keys("S")
    return terminal.wait_for("synced with origin")


def test_two_editors_sync_through_the_app_and_see_each_others_notes(tmp_path):
    server = f"tracker-e2e-sync-{os.getpid()}"
    remote = make_remote(tmp_path)
    try:
        a, clone_a = open_editor(tmp_path, server, "A", remote)
        b, clone_b = open_editor(tmp_path, server, "B", remote)
        for terminal in (a, b):
            terminal.wait_for("History of article.txt")
        record_corrections({"A": a, "B": b})
        assert "sent 1" in sync(a)
        shown = sync(b)  # B's correction, made from the same head, is replayed onto A's
        assert "took 1 revision" in shown and "replayed 1" in shown
        sync(a)
        # A: B's correction is the newest revision (listed once the history is read
        # again: a key pressed before moves in the list it replaces); its note beside it.
        a.wait_for("Name the routes cleared")
        a.keys("k")
        a.wait_for("Name the routes cleared")
        a.wait_for("Crews cleared bus routes.")
        # B: A's correction below B's own; its note beside its change.
        b.wait_for("Correct the share of roads")
        b.keys("j")
        b.wait_for("The council's figure is 7.")
        shown = b.wait_for("by Ann Editor")
        assert "7 percent" in shown
        for terminal in (a, b):
            terminal.keys("q")
        for terminal in (a, b):
            terminal.wait_for(f"{EXITED}0]")
    finally:
        subprocess.run(["tmux", "-L", server, "kill-server"], capture_output=True, check=False)
    # What sync shares (the branch, notes, reviews, journal, originals) is the same in both;
    # each clone's own bookkeeping of the remote (refs/tracker/remotes, incoming) is its own.
    shared = ("refs/heads/", "refs/notes/", "refs/tracker/journal", "refs/tracker/originals/")
    listings = [
        [line for line in git(c, "for-each-ref", "--format=%(refname) %(objectname)").splitlines()
         if line.startswith(shared)]
        for c in (clone_a, clone_b)
    ]  # fmt: skip
    assert listings[0] == listings[1]
    assert any(line.startswith("refs/tracker/originals/") for line in listings[0])
    for clone in (clone_a, clone_b):
        assert run_cli("verify", cwd=clone).code == 0
