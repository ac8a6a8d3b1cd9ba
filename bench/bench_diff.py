"""Word diff speed: tracker's engine in-process vs ``git diff --no-index --word-diff``."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prose import change_n_words, change_words, make_text  # noqa: E402

from tracker import diff as engine  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
RUNS = 7


def median_ms(fn, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def tracker_diff(old: str, new: str) -> int:
    engine._changes_cached.cache_clear()  # measure the work, not the cache
    return len(engine.diff_texts(old, new))


def git_word_diff(a: Path, b: Path) -> None:
    subprocess.run(
        ["git", "diff", "--no-index", "--word-diff=porcelain", str(a), str(b)],
        stdout=subprocess.DEVNULL,
        check=False,
    )


def case(name: str, old: str, new: str) -> None:
    OUT.mkdir(exist_ok=True)
    a, b = OUT / f"{name}.old.txt", OUT / f"{name}.new.txt"
    a.write_text(old, encoding="utf-8")
    b.write_text(new, encoding="utf-8")
    changes = tracker_diff(old, new)
    ours = median_ms(lambda: tracker_diff(old, new))
    git = median_ms(lambda: git_word_diff(a, b))
    print(
        f"{name:<28} {len(old) / 1e6:5.2f} MB  {changes:5d} changes   tracker {ours:8.1f} ms"
        f"   git word-diff {git:7.1f} ms   ratio {ours / git:5.2f}"
    )


def main() -> None:
    print(f"medians of {RUNS} runs; tracker in-process, git as a whole process")
    mb = make_text(1_000_000)
    case("1MB-1%", mb, change_words(mb, 0.01))
    case("1MB-0.1%", mb, change_words(mb, 0.001))
    kb = make_text(100_000, seed=5)
    case("100KB-10words", kb, change_n_words(kb, 10))


if __name__ == "__main__":
    main()
