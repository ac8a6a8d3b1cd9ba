"""Shared fixtures: throwaway stores, a fixed identity, and the real CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tracker.identity import Identity
from tracker.recording import init_store
from tracker.store import Store

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
ANN = Identity("Ann Editor", "ann@example.org")
BOB = Identity("Bob Checker", "bob@example.org")
DATE = "2025-06-05T10:00:00+01:00"

# --update-golden: rewrite tests/golden/ from what the tracker prints now (tests/golden/README.md).
pytest_plugins = ["golden_plugin"]


# The one git identity tests write with. The file is also GIT_CONFIG_GLOBAL for the tests'
# own plain-git calls, so git in a test never reads the machine's ~/.gitconfig or
# /etc/gitconfig (a CI box with commit.gpgSign, core.autocrlf or init.defaultBranch=trunk
# must change nothing). The tracker keeps GIT_CONFIG_GLOBAL (the user's choice) and drops
# every other GIT_* variable.
GITCONFIG = "[user]\n\tname = Ann Editor\n\temail = ann@example.org\n"


def isolate(mp: pytest.MonkeyPatch, home: Path) -> None:
    """Point HOME, XDG and git's global config at ``home``; drop every other GIT_* variable."""
    home.mkdir(parents=True, exist_ok=True)
    for key in list(os.environ):
        if key.startswith("GIT_"):
            mp.delenv(key)
    # EMAIL is git's last fallback for an identity: a test without one must not find it.
    mp.delenv("EMAIL", raising=False)
    mp.setenv("HOME", str(home))
    mp.setenv("XDG_DATA_HOME", str(home / "data"))
    mp.setenv("XDG_CONFIG_HOME", str(home / "config"))
    (home / ".gitconfig").write_text(GITCONFIG)
    mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    mp.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(scope="session", autouse=True)
def _isolated_session(tmp_path_factory):
    """The same isolation for module- and session-scoped fixtures (a store built once per
    module is made before any test's own HOME exists)."""
    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, tmp_path_factory.mktemp("session-home"))
        yield


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Each test gets its own HOME and git identity, so nothing reads the developer's."""
    isolate(monkeypatch, tmp_path_factory.mktemp("home"))


def remove_git_identity(monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty HOME for a test that needs NO git identity; returns it.

    GIT_CONFIG_GLOBAL follows (to a file that does not exist), so the tests' own git
    calls see no identity either."""
    current = Path(os.environ["HOME"])
    home = current.with_name(current.name + "-bare")  # beside this test's own HOME
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for key in ("EMAIL", "GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.delenv(key, raising=False)
    return home


@pytest.fixture
def store(tmp_path) -> Store:
    """An empty tracker store (config committed, no documents)."""
    return init_store(tmp_path / "store", ANN, DATE)


@pytest.fixture
def strict_store(tmp_path) -> Store:
    """A store that requires a note on every change."""
    return init_store(tmp_path / "strict", ANN, DATE, require_notes=True)


@dataclass
class Result:
    code: int
    out: str
    err: str


def cli_env(env: dict | None = None) -> dict[str, str]:
    """The environment ``run_cli`` gives the tracker: ours, plain output, this tree first."""
    # PYTHONPATH: this tree's tracker, not an installed one from another checkout (the
    # subprocess may start in a store folder, where ``-m`` finds no tracker of its own).
    inherited = os.environ.get("PYTHONPATH")
    pythonpath = os.pathsep.join(p for p in (str(REPO_ROOT), inherited) if p)
    return {
        **os.environ,
        "PYTHONPATH": pythonpath,
        "NO_COLOR": "1",
        "COLUMNS": "100",
        **(env or {}),
    }


def run_cli(*args: str, cwd: Path | str | None = None, env: dict | None = None) -> Result:
    """Run the real ``tracker`` command (as ``python -m tracker``) and capture its output."""
    proc = subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=cli_env(env),
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


def run_cli_ok(*args: str, cwd: Path | str | None = None, env: dict | None = None) -> Result:
    """``run_cli`` for a set-up step: a failure stops the test here, showing stderr."""
    result = run_cli(*args, cwd=cwd, env=env)
    assert result.code == 0, f"tracker {' '.join(args)} exited {result.code}:\n{result.err}"
    return result


@pytest.fixture
def cli():
    return run_cli


def git(root: Path | str, *args: str, input: bytes | None = None) -> str:
    """Plain git, as an auditor or another program would run it."""
    proc = subprocess.run(["git", *args], cwd=root, input=input, capture_output=True, check=True)
    return proc.stdout.decode("utf-8", "replace")


def snapshot(root: Path) -> dict:
    """Everything a failed command must leave untouched: refs, index, and work-tree bytes."""
    refs = git(root, "for-each-ref", "--format=%(refname) %(objectname)")
    files = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }
    index = (root / ".git" / "index").read_bytes() if (root / ".git" / "index").exists() else b""
    return {"refs": refs, "files": files, "index": index}


# Reasons pytest gives a skip that names none: a skip must say what is missing.
_NO_REASON = {"", "Skipped", "unconditional skip"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Turn a skip without a reason into a failure, so every skip says why (``-rs``)."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        if reason.strip().removeprefix("Skipped:").strip() in _NO_REASON:
            report.outcome = "failed"
            report.longrepr = f"{item.nodeid} was skipped without a reason: say what is missing"


def pytest_terminal_summary(terminalreporter, config) -> None:
    """Print the random order's seed at the end: -q hides pytest-randomly's header line,
    and an order-dependent failure cannot be repeated without it."""
    seed = getattr(config.option, "randomly_seed", None)
    if isinstance(seed, int) and config.pluginmanager.hasplugin("randomly"):
        terminalreporter.write_line(f"random test order: repeat it with --randomly-seed={seed}")
