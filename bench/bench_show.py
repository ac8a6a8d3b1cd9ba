"""``tracker show`` and ``tracker diff A B`` beside ``tracker --version`` + the git command.

Issue 8's target: any pair, ≤ 1.5 × (start-up + ``git diff --word-diff=porcelain A B --
FILE``), and for show ≤ 1.5 × (start-up + ``git show --word-diff=porcelain REV -- FILE``):
little beyond start-up. Measured on the 660-revision Markdown history and the
system-design-primer corpus (plain git histories the tracker did not write) and on a
tracker store (bench/make_store.py), for adjacent pairs and first-vs-last; every command
of one case runs in turn (interleaved), medians of RUNS runs. The git processes each
tracker command starts are counted too (target: at most 3).

    python bench/bench_show.py [--runs N] [--only NAME]
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from histories import OUT, corpus, markdown_history  # noqa: E402
from make_store import build  # noqa: E402
from timing import TRACKER, plain_git_env  # noqa: E402

TARGET = 1.5


def histories() -> dict[str, tuple[Path, str]]:
    return {
        "markdown-660": markdown_history(),
        "system-design-primer": corpus("system-design-primer.README"),
        "tracker-store-300": (build(OUT / "show-store-300", 300, 100_000), "doc.txt"),
    }


def revs(repo: Path, doc: str) -> list[str]:
    out = subprocess.run(
        ["git", "rev-list", "--first-parent", "HEAD", "--", doc],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
        env=plain_git_env(),
    ).stdout
    return out.split()  # newest first


def cases(repo: Path, doc: str) -> list[tuple[str, str, str]]:
    """(label, old, new) pairs: adjacent at the tip and in the middle, first vs last."""
    listed = revs(repo, doc)
    mid = len(listed) // 2
    return [
        ("adjacent, newest", listed[1], listed[0]),
        ("adjacent, middle", listed[mid + 1], listed[mid]),
        ("first vs last", listed[-1], listed[0]),
    ]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (usage.ru_utime + usage.ru_stime) * 1000


def timed(
    commands: dict[str, tuple[list[str], dict]], cwd: Path, runs: int
) -> tuple[dict[str, float], dict[str, float]]:
    """Medians of wall time and of CPU time (the command and every process it starts),
    the commands run in turn (A B C A B C ...). CPU time is what a busy machine changes
    least: wall times on a loaded machine mostly measure the other work."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, env) in commands.items():
            start, used = time.perf_counter(), _children_cpu()
            subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, check=True, env=env)
            times[name].append((time.perf_counter() - start) * 1000)
            cpu[name].append(_children_cpu() - used)
    return (
        {name: statistics.median(values) for name, values in times.items()},
        {name: statistics.median(values) for name, values in cpu.items()},
    )


def git_processes(argv: list[str], cwd: Path, env: dict) -> int:
    """How many git processes one tracker command starts (a logging git first on PATH)."""
    real = shutil.which("git")
    assert real
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "starts"
        wrapper = Path(folder) / "git"
        wrapper.write_text(f'#!/bin/sh\necho x >> "{log}"\nexec "{real}" "$@"\n')
        wrapper.chmod(0o755)
        env = {**env, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, check=True, env=env)
        return len(log.read_text().splitlines()) if log.exists() else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", help="one history by name")
    parser.add_argument(
        "--before", type=Path, help="another checkout's tree (e.g. main's) to time beside"
    )
    args = parser.parse_args()
    # As installed: with compiled modules (pip writes them). A PYTHONDONTWRITEBYTECODE
    # environment would otherwise compile every module from source on every run.
    compileall.compile_dir(str(HERE.parent / "tracker"), quiet=1)
    mine = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = None
    if args.before:
        compileall.compile_dir(str(args.before / "tracker"), quiet=1)
        before = {**mine, "PYTHONPATH": str(args.before.resolve())}
    plain = plain_git_env()
    print(f"medians of {args.runs} interleaved runs, ms; ratio = tracker / (version + git)")
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    header = f"{'history':<22} {'case':<18} {'command':<20} {'tracker':>8} {'version':>8}"
    print(f"{header} {'git':>7} {'ratio':>6}  {'cpu ratio':>9}  procs")
    for name, (repo, doc) in histories().items():
        if args.only and args.only != name:
            continue
        for label, old, new in cases(repo, doc):
            commands = {
                "diff": ([*TRACKER, "diff", old, new, doc], mine),
                "diff --json": ([*TRACKER, "diff", "--json", old, new, doc], mine),
                "version": ([*TRACKER, "--version"], mine),
                "git diff": (
                    ["git", "diff", "--word-diff=porcelain", old, new, "--", doc],
                    plain,
                ),
            }
            if label.startswith("adjacent"):
                commands["show"] = ([*TRACKER, "show", new, doc], mine)
                commands["show --json"] = ([*TRACKER, "show", "--json", new, doc], mine)
                commands["git show"] = (
                    ["git", "show", "--word-diff=porcelain", new, "--", doc],
                    plain,
                )
            if before is not None:
                for command in ("diff --json", "show --json"):
                    if command in commands:
                        commands[f"{command} (before)"] = (commands[command][0], before)
            got, cpu = timed(commands, repo, args.runs)
            for command, (argv, env) in commands.items():
                if not command.startswith(("diff", "show")):
                    continue
                git_name = "git show" if command.startswith("show") else "git diff"
                peer = got[git_name]
                ratio = got[command] / (got["version"] + peer)
                cpu_ratio = cpu[command] / (cpu["version"] + cpu[git_name])
                procs = git_processes(argv, repo, env)
                flag = "" if ratio <= TARGET else "  over target"
                print(
                    f"{name:<22} {label:<18} {command:<20} {got[command]:8.1f}"
                    f" {got['version']:8.1f} {peer:7.1f} {ratio:6.2f}  {cpu_ratio:9.2f}"
                    f"  {procs}{flag}"
                )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
