"""One huge commit message: ``show``, ``log`` and ``log --json`` beside ``git log``.

The tests check that a huge field is shown whole; how long that takes is measured here,
by hand, as the guide asks of speed (never as timed tests, which fail under load). Two
regressions this catches: ``visible()`` looking at each character in a Python loop (a
20 MB message took seconds in ``show``), and a quadratic read of a long field in
``log --json`` (16 MB must cost about 8x 2 MB, not 64x).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
# The tracker of this tree, wherever the repository is run from.
ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
RUNS = 5


def make_repo(megabytes: int) -> Path:
    """A plain git repository whose one commit has a message of ``megabytes`` MB."""
    root = OUT / f"huge-field-{megabytes}mb"
    if (root / ".git").exists():
        return root
    root.mkdir(parents=True)
    run = dict(cwd=root, check=True, capture_output=True)
    subprocess.run(["git", "init", "-q"], **run)
    (root / "doc.txt").write_text("Text.\n")
    subprocess.run(["git", "add", "doc.txt"], **run)
    body = ("plain words " * (megabytes * 87_000)).encode()
    subprocess.run(
        ["git", "-c", "user.name=A", "-c", "user.email=a@x", "commit", "-q", "-F", "-"],
        input=b"Big message\n\n" + body,
        **run,
    )
    return root


def median_ms(argv: list[str], cwd: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, check=True, env=ENV)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    tracker = [sys.executable, "-m", "tracker"]
    print(f"{'MB':>4} {'git log':>9} {'log --json':>11} {'log':>9} {'show':>9}   (median ms)")
    for megabytes in (2, 16):
        root = make_repo(megabytes)
        figures = [
            median_ms(["git", "log", "--format=%B"], root),
            median_ms([*tracker, "log", "--json"], root),
            median_ms([*tracker, "log"], root),
            median_ms([*tracker, "show", "HEAD"], root),
        ]
        print(f"{megabytes:>4} " + " ".join(f"{f:>9.0f}" for f in figures))


if __name__ == "__main__":
    main()
