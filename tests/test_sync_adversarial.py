"""Remotes and repositories that try to make sync lose or hide something: a rewound
branch, notes ref or journal on the remote; notes joined by hand with ``git notes merge``
or edited by hand and pushed; a repository whose config names programs to run.

Each is refused by ``sync`` (nothing merged, one line) or named by ``verify``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from servers import bare, sshd, sshd_missing, use_ssh_command
from sync_helpers import Desk, record

from tracker import porcelain
from tracker.errors import SyncRefusedError
from tracker.store import Store

from conftest import BOB, git, run_cli

SHARED = ("refs/heads/", "refs/notes/", "refs/tracker/journal", "refs/tracker/remotes/")


@pytest.fixture
def desk(tmp_path) -> Desk:
    return Desk(tmp_path, bare(tmp_path, "remote.git").as_uri())


def shared_refs(store: Store) -> str:
    return git(store.root, "for-each-ref", "--format=%(refname) %(objectname)", *SHARED)


def findings(store: Store) -> set[str]:
    return {f.kind for f in porcelain.verify(Store.open(store.root)).findings}


@pytest.mark.parametrize(
    ("ref", "what"),
    [
        ("refs/heads/main", "rewound"),
        ("refs/notes/tracker", "rewound"),
        ("refs/tracker/journal", "deleted"),
    ],
)
def test_a_rewound_or_deleted_remote_ref_is_refused_and_named(
    desk: Desk, tmp_path: Path, ref: str, what: str
) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    rev = record(ann, "5 percent", "7 percent", note="census")
    porcelain.note(ann, rev, 1, "census 2024")
    porcelain.note(ann, rev, 1, "census of 2024")
    porcelain.sync(ann)
    porcelain.sync(bob)
    remote = tmp_path / "remote.git"
    if what == "deleted":
        git(remote, "update-ref", "-d", ref)
    else:  # someone forced the remote back to an older value
        git(remote, "update-ref", ref, git(remote, "rev-parse", f"{ref}~1").strip())
    before = shared_refs(bob)
    with pytest.raises(SyncRefusedError, match=f"the remote's {ref} was {what}"):
        porcelain.sync(bob)
    assert shared_refs(bob) == before  # nothing merged, tracking refs untouched
    assert "remote-rewound" in findings(bob)
    cli = run_cli("-C", str(bob.root), "sync")
    assert cli.code == 1 and cli.out == ""
    errors = [line for line in cli.err.splitlines() if line.startswith("tracker: error:")]
    assert len(errors) == 1 and f"{ref} was {what}" in errors[0]
    assert shared_refs(bob) == before


def test_notes_joined_by_hand_with_cat_sort_uniq_are_refused_by_sync_and_named_by_verify(
    desk: Desk,
) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    rev = record(ann, "5 percent", "7 percent", note="census")
    porcelain.sync(ann)
    porcelain.sync(bob)
    porcelain.note(ann, rev, 1, "census, table 2")
    porcelain.note(bob, rev, 1, "census of 2024", author=str(BOB))
    porcelain.sync(bob)
    # What a git user reaches for when the push of refs/notes/tracker is rejected.
    git(ann.root, "fetch", "-q", "origin", "refs/notes/tracker:refs/notes/theirs")
    git(ann.root, "notes", "--ref=refs/notes/tracker", "merge", "-q", "-s", "cat_sort_uniq",
        "refs/notes/theirs")  # fmt: skip
    git(ann.root, "push", "-q", "origin", "refs/notes/tracker")

    def kept() -> list[str]:  # every ref but the fetch's scratch area (incoming)
        listed = git(bob.root, "for-each-ref", "--format=%(refname) %(objectname)")
        return [line for line in listed.splitlines() if "/incoming/" not in line]

    before = kept()
    # Taking the hand merge, even as a fast-forward, would hide both editors' notes of
    # that revision from every reader: refused, naming the revision and the ref.
    with pytest.raises(SyncRefusedError) as refused:
        porcelain.sync(bob)
    assert f"revision {rev[:12]} in refs/notes/tracker on the remote are not readable" in str(
        refused.value
    )
    assert kept() == before  # nothing merged: tracking refs and bob's own unchanged
    cli = run_cli("-C", str(bob.root), "sync")
    assert cli.code != 0 and "not readable" in cli.err and "Traceback" not in cli.err
    assert "notes-unreadable" in findings(ann)  # where the hand merge was made


def test_a_notes_entry_edited_by_hand_and_pushed_is_named_by_verify(desk: Desk) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    rev = record(ann, "5 percent", "7 percent", note="census")
    porcelain.note(ann, rev, 1, "census, table 2")
    porcelain.sync(ann)
    porcelain.sync(bob)
    entry = git(ann.root, "notes", "--ref=refs/notes/tracker", "show", rev)
    forged = entry.replace("census, table 2", "an anonymous source")
    git(ann.root, "notes", "--ref=refs/notes/tracker", "add", "-f", "-m", forged, rev)
    git(ann.root, "push", "-q", "origin", "refs/notes/tracker")
    cli = run_cli("-C", str(bob.root), "sync")
    assert cli.code == 0
    assert "tracker: warning: origin's refs/notes/tracker was changed outside" in cli.err
    assert "notes-rewritten" in findings(bob)


def _trap(directory: Path, name: str) -> tuple[str, Path]:
    """A script that leaves a marker file when run, and the marker."""
    marker = directory / f"{name}.ran"
    script = directory / f"{name}.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    script.chmod(0o755)
    return str(script), marker


def test_a_repository_config_that_names_programs_runs_none_of_them(
    desk: Desk, tmp_path: Path
) -> None:
    ann = desk.first("ann")
    bob = desk.join("bob")
    traps = tmp_path / "traps"
    traps.mkdir()
    markers = []
    for key in (
        "remote.origin.uploadpack",
        "remote.origin.receivepack",
        "core.sshCommand",
        "credential.helper",
        "core.fsmonitor",
        "core.alternateRefsCommand",
    ):
        script, marker = _trap(traps, key.replace(".", "-"))
        git(bob.root, "config", key, script)
        markers.append(marker)
    record(ann, "Monday", "Tuesday")
    porcelain.sync(ann)
    rev = git(bob.root, "rev-parse", "HEAD").strip()
    porcelain.review(bob, rev, "approved", author=str(BOB))
    result = porcelain.sync(bob)
    assert result.taken == 1 and result.pushed
    assert [m.name for m in markers if m.exists()] == []


def test_the_repository_cannot_choose_the_ssh_program(tmp_path: Path) -> None:
    """Over ssh, the ssh command is the user's global one, never the repository's."""
    if why := sshd_missing():
        pytest.skip(why)
    with sshd(tmp_path / "served", tmp_path / "keys") as server:
        bare(server.root, "news.git")
        use_ssh_command(server.ssh_command)
        desk = Desk(tmp_path, server.url("news.git"))
        ann = desk.first("ann")
        script, marker = _trap(tmp_path, "ssh")
        git(ann.root, "config", "core.sshCommand", script)
        record(ann, "Monday", "Tuesday")
        assert porcelain.sync(ann).pushed
        assert not marker.exists()
        assert os.path.exists(server.root / "news.git")
