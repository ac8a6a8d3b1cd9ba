"""Word diff speed: tracker's engine in-process vs ``git diff --no-index --word-diff``.

    python bench/bench_diff.py [CASE ...]      (default: every case; -k lists them)

The engine is ``word_changes`` (the word diff); the last column times ``diff_texts``,
which adds the moved paragraphs found after it (tracker/moves.py, not the engine). Each
case is timed in turns (ours, git, ours, git ...), so a machine that slows down during
the run weighs on both alike; medians of ``RUNS``, of wall time and of CPU time (which a
loaded machine disturbs less; git's from its process's rusage). The engine runs in
this process; git runs as a whole process on the same two files. The cases are built
in bench/diffcases.py and bench/prose.py (fixed seeds); the corpus cases need ../shared
and are skipped without it. Prints a Markdown table.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import diffcases  # noqa: E402
from prose import change_n_words, change_words, make_text  # noqa: E402

from tracker import diff as engine  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
RUNS = 7


def _mb() -> tuple[str, str]:
    text = make_text(1_000_000)
    return text, change_words(text, 0.01)


def _mb_tenth() -> tuple[str, str]:
    text = make_text(1_000_000)
    return text, change_words(text, 0.001)


def _kb() -> tuple[str, str]:
    text = make_text(100_000, seed=5)
    return text, change_n_words(text, 10)


SDP = "system-design-primer.README"
CASES: dict[str, tuple[str, Callable[[], tuple[str, str]], bool]] = {
    # name: (what it is, builder, needs ../shared)
    "redraft-2k": ("redraft, 2,000 words", lambda: diffcases.redraft(2000), True),
    "redraft-8k": ("redraft, 8,000 words", lambda: diffcases.redraft(8000), True),
    "redraft-16k": ("redraft, 16,000 words", lambda: diffcases.redraft(16000), True),
    "redraft-16k-line": (
        "redraft, 16,000 words on one line",
        lambda: diffcases.redraft(16000, one_line=True),
        True,
    ),
    "repro": ("issue 9's synthetic repro (1.5 KB -> 54 KB)", diffcases.synthetic_repro, False),
    "markdown-first-last": (
        "markdown_history(): first vs last of 660",
        lambda: diffcases.distant("markdown"),
        False,
    ),
    "sdp-70-last": (
        "System Design Primer: revision 70 (first at full length) vs last",
        lambda: diffcases.distant(SDP, 70),
        True,
    ),
    "pep8-first-last": (
        "PEP 8: 2001 plain text vs 2023 reST",
        lambda: diffcases.distant("pep-0008"),
        True,
    ),
    "1MB-1%": ("1 MB, 1% of words changed", _mb, False),
    "1MB-0.1%": ("1 MB, 0.1% of words changed", _mb_tenth, False),
    "100KB-10words": ("100 KB, 10 words changed", _kb, False),
}


def tracker_diff(old: str, new: str) -> int:
    """The word engine alone (moves are found after it, in tracker/moves.py)."""
    return len(engine.word_changes(old, new))


def tracker_diff_moves(old: str, new: str) -> int:
    """What ``diff_texts`` returns: the word diff, then moved paragraphs found in it."""
    engine._changes_cached.cache_clear()  # measure the work, not the cache
    return len(engine.diff_texts(old, new))


def git_word_diff(a: Path, b: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull)
    subprocess.run(
        ["git", "diff", "--no-index", "--word-diff=porcelain", str(a), str(b)],
        stdout=subprocess.DEVNULL,
        check=False,
        env=env,
    )


def case(name: str, label: str, old: str, new: str) -> None:
    OUT.mkdir(exist_ok=True)
    a, b = OUT / f"{name}.old.txt", OUT / f"{name}.new.txt"
    a.write_text(old, encoding="utf-8")
    b.write_text(new, encoding="utf-8")
    changes = tracker_diff(old, new)
    ours, git, ours_cpu, git_cpu, moves = [], [], [], [], []
    for _ in range(RUNS):
        start = time.perf_counter()
        tracker_diff_moves(old, new)
        moves.append((time.perf_counter() - start) * 1000)
        start, cpu = time.perf_counter(), time.process_time()
        tracker_diff(old, new)
        ours.append((time.perf_counter() - start) * 1000)
        ours_cpu.append((time.process_time() - cpu) * 1000)
        start, cpu = time.perf_counter(), _children_cpu()
        git_word_diff(a, b)
        git.append((time.perf_counter() - start) * 1000)
        git_cpu.append((_children_cpu() - cpu) * 1000)
    mine, theirs = statistics.median(ours), statistics.median(git)
    mine_cpu, theirs_cpu = statistics.median(ours_cpu), statistics.median(git_cpu)
    print(
        f"| {label} | {len(old) / 1000:.0f} -> {len(new) / 1000:.0f} KB "
        f"| {diffcases.word_count(old):,} | {changes:,} | {mine:.1f} | {theirs:.1f} "
        f"| {mine / theirs:.2f} | {mine_cpu:.0f} / {theirs_cpu:.0f} "
        f"| {mine_cpu / max(theirs_cpu, 1):.1f} | {statistics.median(moves):.0f} |",
        flush=True,
    )


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    chosen = [a for a in sys.argv[1:] if not a.startswith("-")] or list(CASES)
    if "-k" in sys.argv:
        print("\n".join(CASES))
        return
    print(f"medians of {RUNS} interleaved runs; tracker in-process, git as a whole process")
    print(f"load average at start: {os.getloadavg()[0]:.2f}\n")
    print(
        "| case | size | words (old) | changes | tracker (ms) | git (ms) | ratio "
        "| CPU ms, tracker / git | CPU ratio | with moves (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name in chosen:
        label, build, shared = CASES[name]
        if shared and not diffcases.SHARED.is_dir():
            print(f"| {label} | skipped: {diffcases.SHARED} is absent | | | | | | | | |")
            continue
        case(name, label, *build())
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
