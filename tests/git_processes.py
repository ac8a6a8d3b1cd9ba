"""Counts the git processes one ``tracker`` command starts, as the operating system sees
them: a ``git`` first on PATH logs each start, then runs the real git.

Counting at the door (git/cmd.py) would miss a process started some other way; this
counts every one, whatever starts it.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

from conftest import Result, run_cli


def counting_path(folder: Path) -> tuple[dict[str, str], Path]:
    """An environment whose ``git`` logs its subcommand to a file; returns (env, log)."""
    real = shutil.which("git")
    assert real, "git must be installed"
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "git-starts.log"
    wrapper = folder / "git"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}, log


def git_starts(folder: Path, *args: str, cwd: Path) -> tuple[Result, list[str]]:
    """Run ``tracker ARGS`` and return its result and the git command lines it started
    (each as its arguments after the hardening options)."""
    env, log = counting_path(folder)
    log.unlink(missing_ok=True)
    result = run_cli(*args, cwd=cwd, env=env)
    lines = log.read_text().splitlines() if log.exists() else []
    return result, lines
