"""``tracker status`` and ``tracker diff`` on the 8,000-word redraft, end to end.

    python bench/bench_engine_e2e.py [--profile]

A store with the article recorded and its redraft in the work tree; each command runs as
a whole process, interleaved with ``git diff --no-index --word-diff=porcelain`` on the
same two texts, medians of 5. ``--profile`` prints where one ``tracker diff`` spends its
time (cProfile, in-process), by stage.
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import diffcases  # noqa: E402
from timing import TRACKER, interleaved_ms, plain_git_env  # noqa: E402


def build(root: Path) -> Path:
    old, new = diffcases.redraft(8000)
    store = root / "store-redraft-8k"
    if store.exists():
        subprocess.run(["rm", "-rf", str(store)], check=True)
    store.mkdir(parents=True)
    run = {"cwd": store, "check": True, "env": plain_git_env(), "stdout": subprocess.DEVNULL}
    who = "Bench Editor <bench@example.org>"
    subprocess.run([*TRACKER, "init", "--author", who], **run)
    (store / "article.md").write_text(old, encoding="utf-8")
    subprocess.run([*TRACKER, "add", "--author", who, "article.md"], **run)
    (store / "article.md").write_text(new, encoding="utf-8")
    (root / "redraft-8k.old.md").write_text(old, encoding="utf-8")
    return store


def main() -> None:
    root = HERE / "out"
    store = build(root)
    old = str(root / "redraft-8k.old.md")
    new = str(store / "article.md")
    print(f"load average: {os.getloadavg()[0]:.2f}")
    times = interleaved_ms(
        {
            "tracker status": [*TRACKER, "status"],
            "tracker diff": [*TRACKER, "diff"],
            "tracker --version": [*TRACKER, "--version"],
            "git diff --no-index --word-diff=porcelain": [
                "git",
                "diff",
                "--no-index",
                "--word-diff=porcelain",
                old,
                new,
                "--exit-code",
            ][:-1],
        },
        store,
        check=False,
    )
    for name, ms in times.items():
        print(f"| {name} | {ms:.0f} |")
    if "--profile" in sys.argv:
        os.chdir(store)
        from tracker.cli.main import main as cli_main

        profile = cProfile.Profile()
        sys.stdout = io.StringIO()
        try:
            profile.runcall(cli_main, ["diff"])
        except SystemExit:
            pass
        finally:
            sys.stdout = sys.__stdout__
        stats = io.StringIO()
        pstats.Stats(profile, stream=stats).sort_stats("cumulative").print_stats(25)
        print(stats.getvalue())


if __name__ == "__main__":
    main()
