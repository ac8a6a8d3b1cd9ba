"""End to end: the real ``tracker`` command in a real terminal (tmux), keys and screen."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO_ROOT, git, run_cli

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

SESSION = ""  # set per test: its own tmux server, so tests never race each other's
_numbers = itertools.count()


def tmux(*args: str) -> str:
    return subprocess.run(
        # -f /dev/null: no ~/.tmux.conf or /etc/tmux.conf of the machine's (a status line,
        # base-index, another default-shell) changes what the screen shows.
        ["tmux", "-f", os.devnull, "-L", SESSION, *args],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def screen() -> str:
    return tmux("capture-pane", "-p", "-t", SESSION)


def wait_for(text: str, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < deadline:
        shown = screen()
        if text in shown:
            return shown
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; the screen was:\n{shown}")


def wait_gone(text: str, timeout: float = 20.0) -> str:
    """Wait until ``text`` is no longer on the screen; fail with the screen if it stays."""
    deadline = time.monotonic() + timeout
    shown = screen()
    while text in shown and time.monotonic() < deadline:
        time.sleep(0.1)
        shown = screen()
    assert text not in shown, f"{text!r} never went away; the screen was:\n{shown}"
    return shown


def keys(*names: str) -> None:
    """Send keys with no pause between them: the app must not depend on a typist's pace."""
    for name in names:
        tmux("send-keys", "-t", SESSION, name)


# What a pane prints when its command ends. The pane then waits for input rather than
# closing (a closed last pane ends the tmux server), so a test can wait for the exit to
# show instead of sleeping: ``read`` blocks until the server is killed.
EXITED = "[pane command exited with status "


def this_trees_bin(tmp_path: Path) -> Path:
    """A folder to put first on PATH: ``tracker`` and ``python`` run this tree's code.

    The installed ``tracker`` may be another checkout's (an editable install of main, a
    CI clone); PYTHONPATH in ``pane_env`` puts REPO_ROOT first, and these wrappers make
    ``python`` the interpreter running the tests."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for name, body in (
        ("tracker", f'exec {sys.executable} -m tracker "$@"'),
        ("python", f'exec {sys.executable} "$@"'),
    ):
        script = folder / name
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(0o755)
    return folder


def pane_env(tmp_path: Path, **extra: str) -> str:
    """``env -i`` and the variables a pane's command gets, as one shell word list."""
    env = {
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "PATH": f"{this_trees_bin(tmp_path)}:{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(REPO_ROOT),
        **extra,
    }
    return "env -i " + " ".join(f"{k}={v!r}" for k, v in env.items())


# Panes start in the test's tmp folder: in the repository, ``python -m`` would import
# the tracker from the current folder whatever PYTHONPATH says, hiding a wrong one.
def pane_command(command: str) -> str:
    """``command``, then its exit status on the screen, then a wait that keeps the pane."""
    return f'{command}; echo "{EXITED}$?]"; read -r _'


@pytest.fixture
def terminal(tmp_path):
    """A 160x45 tmux terminal running ``tracker demo`` as the README's first command does."""
    global SESSION
    SESSION = f"tracker-e2e-{os.getpid()}-{next(_numbers)}"
    tmux(
        "new-session", "-d", "-s", SESSION, "-x", "160", "-y", "45", "-c", str(tmp_path),
        pane_command(f"{pane_env(tmp_path)} tracker demo --path {tmp_path / 'demo'}"),
    )  # fmt: skip
    try:
        yield tmp_path / "demo"
    finally:
        subprocess.run(["tmux", "-L", SESSION, "kill-server"], capture_output=True, check=False)


def quit_app() -> None:
    """Press q and wait until the pane shows that the tracker exited, with status 0."""
    keys("q")
    wait_for(f"{EXITED}0]")


def test_the_terminal_runs_this_trees_tracker(tmp_path):
    """The pane's ``tracker`` is this tree's code, not whatever is installed."""
    global SESSION
    SESSION = f"tracker-e2e-{os.getpid()}-{next(_numbers)}"
    probe = tmp_path / "probe.sh"
    probe.write_text(
        "command -v tracker\n"
        "python -c 'import tracker; print(\"module\", tracker.__file__)'\n"
        "tracker --version\n"
    )
    tmux(
        "new-session", "-d", "-s", SESSION, "-x", "160", "-y", "45", "-c", str(tmp_path),
        pane_command(f"{pane_env(tmp_path)} sh -e {probe}"),
    )  # fmt: skip
    try:
        shown = wait_for(f"{EXITED}0]")
    finally:
        subprocess.run(["tmux", "-L", SESSION, "kill-server"], capture_output=True, check=False)
    lines = shown.splitlines()
    assert str(tmp_path / "bin" / "tracker") in lines
    assert f"module {REPO_ROOT / 'tracker' / '__init__.py'}" in lines
    assert run_cli("--version").out.strip() in lines


def test_find_the_note_of_the_change_that_removed_los_zetas(terminal):
    wait_for("History of article.txt")
    wait_for("Add a dated corrections notice")
    # Narrow the history to revisions that added or removed the phrase.
    keys("f")
    wait_for("author:NAME")  # type once the box is there, as a person would see it
    tmux("send-keys", "-t", SESSION, "-l", "text:Los Zetas")
    keys("Enter")
    wait_for("Correct who is who")
    # The filter runs git's -S in a worker: move only in the list it produces (a key
    # pressed before it arrives moves in the list it replaces).
    wait_gone("Copy edit")  # the filter narrowed the history
    # The narrowed list: the notice, then "Correct who is who". One press, then wait: a
    # loop that looks between presses overshoots on a slow machine, where the screen lags
    # the keys.
    keys("j")
    wait_for("d8d1d685 Correct who is who")
    keys("n", "N")  # jump to the next change and back to the first: the removal
    shown = wait_for("Change 1 (delete, ")
    assert "listed Los Zetas among Venezuelan gangs" in shown
    assert "factual" in shown
    quit_app()  # q quits the app


def reopen_with_an_appending_editor(terminal: Path, tmp_path: Path) -> None:
    """Open the store again, as Ed Itor, with an $EDITOR that appends one sentence."""
    (tmp_path / ".gitconfig").write_text("[user]\n\tname = Ed Itor\n\temail = ed@example.org\n")
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nprintf " One more sentence." >> "$1"\n')
    editor.chmod(0o755)
    exports = pane_env(tmp_path, EDITOR=str(editor))
    tmux(
        "new-window",
        "-t",
        SESSION,
        "-c",
        str(tmp_path),
        pane_command(f"{exports} tracker -C {terminal}"),
    )


def test_edit_suspends_for_the_editor_then_records_with_notes(terminal, tmp_path):
    """e hands the real terminal to $EDITOR; back in the app, the record screen asks."""
    wait_for("Add a dated corrections notice")
    quit_app()  # leave the demo's app; the same store opens again with an editor set
    reopen_with_an_appending_editor(terminal, tmp_path)
    wait_for("Add a dated corrections notice")
    keys("e")
    wait_for("Record a revision of article.txt")
    wait_for("One more sentence.")  # the screen paints its parts in turn: wait for each
    # The summary field has the focus; then the reason. Each step waits to be seen, so
    # that a slow machine cannot send keys ahead of the screen.
    tmux("send-keys", "-t", SESSION, "-l", "Add a closing sentence")
    wait_for("Add a closing sentence")
    keys("Tab")
    tmux("send-keys", "-t", SESSION, "-l", "The conclusion needed one more line")
    wait_for("The conclusion needed one more line")
    keys("C-s")
    wait_for("Not recorded")  # the store requires a note on every change: refused
    assert git(terminal, "log", "-1", "--format=%s") == "Add a dated corrections notice\n"
    # The refusal put the cursor in the note of the first unexplained change.
    tmux("send-keys", "-t", SESSION, "-l", "Adds a closing sentence")
    wait_for("Adds a closing sentence")
    keys("C-s")
    wait_for("Recorded ")  # the notice, back in the history
    wait_for("Add a closing sentence")  # the history, read again in a worker
    assert git(terminal, "log", "-1", "--format=%s") == "Add a closing sentence\n"
    assert "Adds a closing sentence" in git(terminal, "log", "-1", "--format=%B")
    assert (terminal / "article.txt").read_text(encoding="utf-8").endswith(" One more sentence.")


@pytest.mark.parametrize(
    "editor, notice",
    [
        ("/nonexistent/editor", "Could not start the editor"),
        ("sh -c 'exit 1'", "exited with status 1"),
    ],
)
def test_a_failing_editor_returns_to_an_intact_app(terminal, tmp_path, editor, notice):
    """An editor that cannot start, or fails, gives the terminal back with a notice."""
    wait_for("Add a dated corrections notice")
    quit_app()  # leave the demo's app; the same store opens again with the editor set
    exports = pane_env(tmp_path, EDITOR=editor)
    tmux(
        "new-window",
        "-t",
        SESSION,
        "-c",
        str(tmp_path),
        pane_command(f"{exports} tracker -C {terminal}"),
    )
    wait_for("Add a dated corrections notice")
    keys("e")
    shown = wait_for(notice)
    assert "History of article.txt" in shown, "the screen is drawn again, whole"
    keys("?")  # the app still answers keys
    wait_for("Key bindings")
    keys("Escape")
    # Wait for the help to close: an Escape and a q in one burst read as alt+q, and the
    # help covers "History of", so a test looking for that to vanish passed without a quit.
    wait_gone("Key bindings")
    quit_app()  # q still quits


def test_keys_typed_in_one_burst_after_e_land_in_their_fields(terminal, tmp_path):
    """A fast typist (or a paste) does not wait for the record screen to appear."""
    wait_for("Add a dated corrections notice")
    quit_app()
    reopen_with_an_appending_editor(terminal, tmp_path)
    wait_for("Add a dated corrections notice")
    # One tmux call: every key is in the terminal before the app has read the first.
    tmux(
        "send-keys", "-t", SESSION,
        "e", "Add a closing sentence", "Tab", "It ended abruptly", "Tab", "Adds one", "C-s",
    )  # fmt: skip
    wait_for("Recorded ")
    message = git(terminal, "log", "-1", "--format=%B")
    assert message.startswith("Add a closing sentence\n\nIt ended abruptly")
    assert "Adds one" in message


def moved_paragraph_store(root: Path) -> tuple[Path, int]:
    """A store whose second revision moved a paragraph from near the top to near the end
    (thirty paragraphs apart, so its two ends are never on one screen) and edited it on
    the way; the move has its own note, and so has the edit inside it. Returns the store
    and how many changes come before the move in reading order."""
    from tracker import porcelain
    from tracker.model import NoteInput

    filler = [f"Paragraph {i} of the port's report says what berth {i} handles." for i in range(30)]
    designation = (
        "The terminal was designated a strategic national asset by the transport ministry "
        "last year, which allowed its construction to bypass the usual planning review."
    )
    edited = designation.replace("transport ministry last year", "infrastructure ministry in 2023")
    head = ["Port Authority Opens New Container Terminal", "The port authority opened it."]
    store = porcelain.init(root)
    article = root / "article.txt"
    article.write_text("\n\n".join([*head, designation, *filler]) + "\n", encoding="utf-8")
    porcelain.add_document(store, str(article), "First draft")
    article.write_text("\n\n".join([*head, *filler, edited]) + "\n", encoding="utf-8")
    pending = porcelain.open_session(store, "article.txt").pending().changes
    move = next(c for c in pending if c.is_move)
    inner = next(c for c in pending if c.within == move.index)
    notes = {
        move.index: NoteInput("Moved the designation to the end: it is background.", "structure"),
        inner.index: NoteInput("The infrastructure ministry made the designation.", "factual"),
    }
    revision = porcelain.record_revision(
        store, "article.txt", "Move the designation down", "", notes
    )
    return root, [c.index for c in revision.changes].index(move.index)


@pytest.mark.skipif(
    not hasattr(__import__("tracker.rows").rows, "MOVED_FROM"),
    reason="needs the move-aware row builder (rows marking both ends of a move)",
)
def test_jump_between_the_two_ends_of_a_moved_paragraph_and_read_its_note(tmp_path):
    """The app on a store with a moved and edited paragraph: the move in focus, its note
    on screen, and m going from its new place to its old place and back."""
    global SESSION
    SESSION = f"tracker-e2e-{os.getpid()}-{next(_numbers)}"
    root, before_move = moved_paragraph_store(tmp_path / "port")
    tmux(
        "new-session", "-d", "-s", SESSION, "-x", "160", "-y", "45", "-c", str(tmp_path),
        pane_command(f"{pane_env(tmp_path)} tracker -C {root}"),
    )  # fmt: skip
    try:
        wait_for("Move the designation down")
        wait_for("change 1 of")
        # Every paragraph shown (z), so that the two ends are thirty paragraphs apart;
        # then n to the move, in one burst.
        keys("z", *["n"] * before_move)
        shown = wait_for("Moved the designation to the end: it is background.")
        assert "(move, moved from ¶3 to ¶33)" in shown.replace("\n", " ")
        keys("m")
        shown = wait_for("in 2023")  # its new place, thirty paragraphs down
        assert "moved from ¶3" in shown and "moved to ¶33" not in shown
        keys("m")
        shown = wait_for("moved to ¶33")  # back at the old place
        assert "in 2023" not in shown
        # The edit inside the move has its own note.
        keys("n")
        wait_for("The infrastructure ministry made the designation.")
        quit_app()
    finally:
        subprocess.run(["tmux", "-L", SESSION, "kill-server"], capture_output=True, check=False)
