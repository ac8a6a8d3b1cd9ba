"""Timing for the benchmarks: medians of whole processes, ours beside git's, same run."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

TRACKER = [sys.executable, "-m", "tracker"]


def plain_git_env() -> dict[str, str]:
    """An environment in which git reads no user or system configuration (the peer)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return env


def median_ms(argv: list[str], cwd: Path, runs: int = 5, env: dict | None = None) -> float:
    """The median wall time of ``runs`` runs of one command, in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, check=True, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def interleaved_ms(
    commands: dict[str, list[str]], cwd: Path, runs: int = 5, check: bool = True
) -> dict[str, float]:
    """Medians of several commands run in turn (A B C A B C ...), so a machine that
    speeds up or slows down during the run weighs on every command alike. ``check``:
    fail on a non-zero exit (off for ``git diff``, which exits 1 when texts differ)."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, check=check)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}
