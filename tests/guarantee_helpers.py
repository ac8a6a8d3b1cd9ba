"""Helpers for the adversarial guarantee tests: small stores built with the real CLI, in a
HOME of their own, and verify's JSON read strictly.

Module-scoped fixtures run before the per-test HOME of conftest.py exists, so everything
here passes its own HOME and git settings explicitly instead of reading the machine's.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from conftest import run_cli

DOC = "doc.txt"
FIRST = "Alpha beta gamma delta epsilon zeta eta theta iota.\n"
# Five changes against FIRST, so that notes can be given to some numbers and not others.
SECOND = "ALPHA beta GAMMA delta EPSILON zeta ETA theta IOTA.\n"
AUTHOR = "Ann Editor <ann@example.org>"


def private_home(folder: Path, extra_config: str = "") -> dict[str, str]:
    """An environment whose HOME and global git config are ``folder``'s own."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / ".gitconfig"
    config.write_text("[user]\n\tname = Ann Editor\n\temail = ann@example.org\n" + extra_config)
    return {
        "HOME": str(folder),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "XDG_DATA_HOME": str(folder / "data"),
        "GIT_CONFIG_GLOBAL": str(config),
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def cli_ok(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """A set-up step through the real CLI: it must succeed, or the test fails here."""
    result = run_cli("-C", str(root), *args, env=env)
    assert result.code == 0, f"tracker {' '.join(args)} failed: {result.err}"
    return result.out


def plain_git(
    root: Path, *args: str, env: dict[str, str] | None = None, input: bytes | None = None
) -> str:
    """Plain git as another program would run it (checked: a failed step fails here)."""
    # Module fixtures run before conftest.py clears GIT_* for each test: clear them here.
    outer = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    full = {**outer, **(env or {})}
    proc = subprocess.run(
        ["git", *args], cwd=root, env=full, input=input, capture_output=True, check=True
    )
    return proc.stdout.decode("utf-8", "replace").strip()


def build_small_store(root: Path, env: dict[str, str], require_notes: bool = True) -> Path:
    """A store with one document: its baseline, then one revision of five noted changes.

    No later notes and no reviews: the notes refs do not exist, as in a fresh store.
    """
    root.mkdir(parents=True)
    plain_git(root, "init", "-q", "--initial-branch=main", env=env)
    cli_ok(root, "init", *(["--require-notes"] if require_notes else []), env=env)
    (root / DOC).write_text(FIRST, encoding="utf-8")
    cli_ok(root, "add", DOC, "--date", "2020-01-01T10:00:00+00:00", env=env)
    (root / DOC).write_text(SECOND, encoding="utf-8")
    notes = [arg for i in range(1, 6) for arg in ("--note", f"{i}=why {i}")]
    cli_ok(root, "record", DOC, "-m", "Capitals", *notes, "--date", "2020-01-02T10:00:00+00:00",
           env=env)  # fmt: skip
    return root


def copy_store(pristine: Path, dest: Path) -> Path:
    shutil.copytree(pristine, dest, symlinks=True)
    return dest


def verify(root: Path, *extra: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    """``tracker verify --json``: its exit code and its report (checked for shape)."""
    result = run_cli("-C", str(root), "verify", "--json", *extra, env=env)
    assert result.err == "" or result.code != 0, result.err
    data = json.loads(result.out)
    for finding in data["findings"]:
        assert set(finding) >= {"kind", "revision", "change", "message"}
    # The exit code and the verdict must agree: an auditor's script reads only the code.
    assert (result.code == 0) == data["ok"] == (data["findings"] == [])
    return result.code, data


def kinds(data: dict) -> set[str]:
    return {f["kind"] for f in data["findings"]}


def found(data: dict, kind: str) -> list[dict]:
    return [f for f in data["findings"] if f["kind"] == kind]
