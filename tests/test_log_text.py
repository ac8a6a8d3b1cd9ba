"""``tracker log`` is drawn without rich (tracker/cli/log_text.py): its only escape
sequences are its own styles, on a terminal or with FORCE_COLOR, and none under
NO_COLOR or in a pipe; untrusted names, summaries and reasons stay text."""

from __future__ import annotations

import re

from tracker.identity import Identity
from tracker.recording import record

from conftest import DATE, run_cli

OURS = re.compile(r"\x1b\[[0-9;]*m")
HOSTILE = Identity("Eve \x1b[2J\x1b]0;pwned\x07 [bold]Mallory[/bold]", "eve@example.org")


def _store_with_hostile_text(store):
    (store.root / "a.txt").write_text("One two three.\n")
    record(store, "a.txt", "Start [red]here[/red]", "Why: \x1b[31mred\x1b[0m", identity=HOSTILE,
           date=DATE)  # fmt: skip
    return store


def test_styles_only_where_they_reach_a_reader_and_only_our_own(store) -> None:
    _store_with_hostile_text(store)
    coloured = run_cli("-C", str(store.root), "log", env={"NO_COLOR": "", "FORCE_COLOR": "1",
                                                          "TERM": "xterm-256color"})  # fmt: skip
    assert coloured.code == 0, coloured.err
    assert "\x1b[33m" in coloured.out  # the revision id, yellow as before
    leftover = OURS.sub("", coloured.out)
    assert "\x1b" not in leftover and "\x07" not in leftover
    assert "[bold]Mallory[/bold]" in leftover and "Start [red]here[/red]" in leftover
    plain = run_cli("-C", str(store.root), "log", env={"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b" not in plain.out and plain.out == leftover
    dumb = run_cli("-C", str(store.root), "log", env={"NO_COLOR": "", "TERM": "dumb"})
    assert dumb.out == plain.out
