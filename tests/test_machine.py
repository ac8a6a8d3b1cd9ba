"""The suite is independent of the machine: its git config, its HOME, its identity.

Each test here guards a part of the isolation in conftest.py; see docs/testing.md.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

import tracker

from conftest import GITCONFIG, REPO_ROOT, cli_env, git, remove_git_identity

# What a hostile machine could have in ~/.gitconfig or /etc/gitconfig: each line would
# break or change some test's plain git if it were read.
HOSTILE = """\
[user]
\tuseConfigOnly = true
[commit]
\tgpgSign = true
[gpg]
\tprogram = false
[core]
\tautocrlf = true
\thooksPath = {hooks}
\tquotePath = false
[init]
\tdefaultBranch = trunk
[color]
\tui = always
[log]
\tshowSignature = true
[diff]
\tnoprefix = true
[merge]
\tff = false
"""


@pytest.fixture(scope="module")
def home_seen_by_module_fixture() -> str:
    """What a store built once per module sees as HOME (before any test's own)."""
    return os.environ["HOME"]


def _origins(cwd: Path) -> set[str]:
    listing = git(cwd, "config", "--list", "--show-origin", "--show-scope")
    return {line.split("\t")[1] for line in listing.splitlines()}


def test_git_in_tests_reads_only_the_file_the_fixture_wrote(tmp_path):
    home = Path(os.environ["HOME"])
    # Every config git reads outside a repository comes from that file: no system file
    # (this machine's /etc/gitconfig names a credential helper), not the real ~/.gitconfig.
    assert _origins(tmp_path) == {f"file:{home / '.gitconfig'}"}
    assert (home / ".gitconfig").read_text() == GITCONFIG
    assert os.environ.get("GIT_CONFIG_GLOBAL") == str(home / ".gitconfig")
    assert os.environ.get("GIT_CONFIG_NOSYSTEM") == "1"
    assert git(tmp_path, "config", "user.name") == "Ann Editor\n"


def test_module_fixtures_see_an_isolated_home_too(home_seen_by_module_fixture):
    assert home_seen_by_module_fixture != pwd.getpwuid(os.getuid()).pw_dir  # the real one
    assert Path(home_seen_by_module_fixture).name.startswith("session-home")


def test_remove_git_identity_empties_git_and_tracker_alike(monkeypatch, tmp_path):
    home = remove_git_identity(monkeypatch)
    assert os.environ["HOME"] == str(home)
    assert os.environ["GIT_CONFIG_GLOBAL"] == str(home / ".gitconfig")
    proc = subprocess.run(
        ["git", "config", "user.name"], cwd=tmp_path, capture_output=True, check=False
    )
    assert proc.returncode == 1 and proc.stdout == b""  # no identity: key not set


def test_a_hostile_machine_git_config_changes_nothing(tmp_path):
    """Part of the suite, in a child pytest whose "machine" has a hostile ~/.gitconfig
    and /etc/gitconfig (GIT_CONFIG_SYSTEM) and no identity: it passes all the same.
    (.ci/elsewhere runs the whole suite so.)"""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "pre-commit").write_text("#!/bin/sh\necho machine hook ran >&2\nexit 1\n")
    (hooks / "pre-commit").chmod(0o755)
    machine_home = tmp_path / "machine-home"
    machine_home.mkdir()
    (machine_home / ".gitconfig").write_text(HOSTILE.format(hooks=hooks))
    system = tmp_path / "system-gitconfig"
    system.write_text(HOSTILE.format(hooks=hooks))
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GIT_", "PYTEST_", "EMAIL"))
    }
    env.update(
        HOME=str(machine_home),
        GIT_CONFIG_SYSTEM=str(system),
        GIT_CONFIG_GLOBAL=str(machine_home / ".gitconfig"),
        PYTHONPATH=str(REPO_ROOT),
    )
    # The control: plain git on this "machine" is broken by it.
    control = subprocess.run(
        ["git", "init", "-q", str(tmp_path / "control")], env=env, capture_output=True, check=True
    )
    assert control.returncode == 0
    (tmp_path / "control" / "a.txt").write_text("a\n")
    subprocess.run(["git", "add", "a.txt"], cwd=tmp_path / "control", env=env, check=True)
    committed = subprocess.run(
        ["git", "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-qm", "x"],
        cwd=tmp_path / "control",
        env=env,
        capture_output=True,
        check=False,
    )
    assert committed.returncode != 0  # the hook (or the signing) refuses it

    child = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:randomly",
            "-o", "addopts=-q -rs", "-n", "0",
            "tests/test_foreign_trees.py", "tests/test_logjson.py", "tests/test_new_user.py",
            "tests/test_machine.py::test_git_in_tests_reads_only_the_file_the_fixture_wrote",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert child.returncode == 0, child.stdout[-4000:] + child.stderr[-2000:]
    assert " passed" in child.stdout and "failed" not in child.stdout


def test_the_tracker_under_test_is_this_trees(tmp_path):
    """In the test process and in ``run_cli``'s subprocesses (started anywhere), ``import
    tracker`` is this tree's, not an installed copy from another checkout."""
    assert Path(tracker.__file__) == REPO_ROOT / "tracker" / "__init__.py"
    probe = subprocess.run(
        [sys.executable, "-c", "import tracker; print(tracker.__file__)"],
        cwd=tmp_path,
        env=cli_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == str(REPO_ROOT / "tracker" / "__init__.py")
