"""tracker export and blame beside git, in the same run, on histories the tracker did not
write (bench/histories.py) and on a tracker store; figures for docs/performance.md
("export, blame, verify").

    python bench/bench_export_blame.py [RUNS]

Each command is a whole process; the commands of one history run in turn (A B C A B C
...), so a machine that slows down during the run weighs on all of them alike. Medians.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from histories import corpus, markdown_history  # noqa: E402
from make_store import build  # noqa: E402
from timing import TRACKER, plain_git_env  # noqa: E402

# An installed tracker has its bytecode cached; a shell that sets PYTHONDONTWRITEBYTECODE
# would make every run compile the package again (~0.1 s), which no user pays.
OURS = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def interleaved(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, float]:
    """Medians in ms; exit codes are not checked (verify exits 3 when it finds things).
    One unmeasured round first (bytecode, the page cache)."""
    env = plain_git_env()
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=env if argv[0] == "git" else OURS)  # fmt: skip
            if round_:
                times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def measure(label: str, repo: Path, doc: str, runs: int) -> None:
    git_log = ["git", "log", "-p", "--word-diff=porcelain", "--first-parent", "--", doc]
    git_blame = ["git", "blame", "--porcelain", doc]
    commands = {
        "git log -p --word-diff=porcelain": git_log,
        "git blame --porcelain": git_blame,
        "tracker --version": [*TRACKER, "--version"],
        "tracker export --format html": [*TRACKER, "export", "--file", doc, "--format", "html"],
        "tracker export --format md": [*TRACKER, "export", "--file", doc, "--format", "md"],
        "tracker export --format json": [*TRACKER, "export", "--file", doc, "--format", "json"],
        "tracker blame --json": [*TRACKER, "blame", doc, "--json"],
        "tracker blame": [*TRACKER, "blame", doc],
        "tracker verify --json": [*TRACKER, "verify", "--json"],
    }
    got = interleaved(commands, repo, runs)
    log, blame = got["git log -p --word-diff=porcelain"], got["git blame --porcelain"]
    print(f"\n{label} ({doc}), medians of {runs} runs, ms")
    for name, ms in got.items():
        peer = log if "export" in name else blame if "blame" in name else None
        ratio = f"  {ms / peer:5.2f}x" if peer and not name.startswith("git") else ""
        print(f"  {name:34} {ms:8.1f}{ratio}")


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    measure("markdown_history(): 660 revisions, 130 KB", *markdown_history(), runs)
    measure("corpus system-design-primer.README", *corpus("system-design-primer.README"), runs)
    measure("corpus pep-0008", *corpus("pep-0008"), runs)
    store = build(HERE / "out" / "store-660", 660, 130_000, seed=660)
    measure("tracker store: 660 recorded revisions, 130 KB", store, "doc.txt", runs)


if __name__ == "__main__":
    main()
