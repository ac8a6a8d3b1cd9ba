"""A user who keeps their git settings in ``GIT_CONFIG_GLOBAL`` gets them in the tracker.

The tracker clears every ``GIT_*`` variable before running git (a hostile environment
must not steer it), but the global config file is the user's own choice, as in git:
identity, signing keys and allowed signers live there.
"""

from __future__ import annotations

import json

from conftest import run_cli


def test_the_identity_in_git_config_global_signs_the_revision(tmp_path, monkeypatch):
    home = tmp_path / "home-without-config"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    elsewhere = tmp_path / "settings" / "gitconfig"
    elsewhere.parent.mkdir()
    elsewhere.write_text("[user]\n\tname = Gia Global\n\temail = gia@example.org\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(elsewhere))

    root = tmp_path / "store"
    made = run_cli("init", str(root))
    assert made.code == 0, made.err
    (root / "doc.txt").write_text("First words.\n", encoding="utf-8")
    added = run_cli("-C", str(root), "add", "doc.txt", "-m", "Add the text")
    assert added.code == 0, added.err
    (root / "doc.txt").write_text("First words, edited.\n", encoding="utf-8")
    recorded = run_cli("-C", str(root), "record", "doc.txt", "-m", "Edit", "--note", "1=why")
    assert recorded.code == 0, recorded.err
    log = json.loads(run_cli("-C", str(root), "log", "--json").out)
    assert {r["author"] for r in log["revisions"]} == {"Gia Global <gia@example.org>"}
