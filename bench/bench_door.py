"""Start-up through the front door: what going through porcelain costs a command.

Every command now goes through tracker.porcelain and cli/commands.py; the porcelain
imports the write side (and the diff engine) lazily so that --version, log --json and
show do not pay for them. This measures, on the demo store, medians of whole processes
run in turn: ``tracker --version``, ``log --json``, ``show HEAD --json`` and ``status``
beside ``git --version`` and ``git log``. With ``--base DIR`` (a checkout of another
commit, e.g. ``git archive BASE | tar -x -C DIR``) the same commands run with that tree
first on PYTHONPATH too, interleaved, for a before/after in the same run.

    python bench/bench_door.py [--runs 9] [--base /tmp/base-tree]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMANDS = {
    "--version": ["--version"],
    "log --json": ["log", "--json"],
    "show HEAD --json": ["show", "HEAD", "--json"],
    "status": ["status"],
}


def run_all(commands: dict[str, tuple[list[str], dict]], cwd: Path, runs: int) -> dict:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, env) in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, check=True, env=env)
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--base", type=Path, help="another tracker tree to compare with")
    options = parser.parse_args()
    here = dict(os.environ)
    with tempfile.TemporaryDirectory() as folder:
        demo = Path(folder) / "demo"
        subprocess.run(
            [sys.executable, "-m", "tracker", "demo", "--path", str(demo), "--no-tui"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        commands: dict[str, tuple[list[str], dict]] = {
            "git --version": (["git", "--version"], here),
            "git log": (["git", "log", "--format=%H %an %s", "--", "article.txt"], here),
        }
        trees = {"now": here}
        if options.base:
            trees["base"] = {**here, "PYTHONPATH": str(options.base.resolve())}
        for name, args in COMMANDS.items():
            for tree, env in trees.items():
                commands[f"tracker {name} ({tree})"] = (
                    [sys.executable, "-m", "tracker", *args],
                    env,
                )
        medians = run_all(commands, demo, options.runs)
    width = max(map(len, medians))
    for name, ms in medians.items():
        print(f"{name:<{width}}  {ms:8.1f} ms")


if __name__ == "__main__":
    main()
