"""``tracker log --json`` over 10,000 revisions vs ``git log`` printing the same fields."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_store import build  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
RUNS = 5
FORMAT = "--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%B%x00%N%x1e"


def median_ms(argv: list[str], cwd: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    store = build(OUT / "log-10k", 10_000, 10_000)
    git = median_ms(
        [
            "git",
            "log",
            "--first-parent",
            "--notes=refs/notes/tracker",
            FORMAT,
            "HEAD",
            "--",
            "doc.txt",
        ],
        store,
    )
    ours = median_ms([sys.executable, "-m", "tracker", "log", "doc.txt", "--json"], store)
    count = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=store, capture_output=True, text=True
    ).stdout.strip()
    print(f"{count} revisions; medians of {RUNS} runs, whole processes")
    print(f"git log (same fields)   {git:8.1f} ms")
    print(f"tracker log --json      {ours:8.1f} ms   ratio {ours / git:5.2f}")


if __name__ == "__main__":
    main()
