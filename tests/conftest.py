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
DATE = "2026-01-05T10:00:00+01:00"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Each test gets its own HOME and git identity, so nothing reads the developer's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    (home / ".gitconfig").write_text("[user]\n\tname = Ann Editor\n\temail = ann@example.org\n")
    for key in list(os.environ):
        if key.startswith("GIT_"):
            monkeypatch.delenv(key)


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


def run_cli(*args: str, cwd: Path | str | None = None, env: dict | None = None) -> Result:
    """Run the real ``tracker`` command (as ``python -m tracker``) and capture its output."""
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)


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
