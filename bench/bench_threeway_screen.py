"""The three-way screen's rows on a long document, beside the two diffs they are made of.

    python bench/bench_threeway_screen.py [--runs N] [--edits N]

The base is the last revision of ``markdown_history()`` (a 130 KB Markdown guide);
"ours" and "theirs" each change ``--edits`` paragraphs of it (a few words each, seeded,
one paragraph in common: the overlap). Timed in-process, interleaved run by run: the
two side-by-side diffs' rows (``rows.side_by_side`` twice: the peer, what the screen
cannot do with less) and ``rows.three_way`` (both diffs' rows, lined up, folded), at the
column width of a 160-cell terminal. The changes are computed once, outside the timing
(the core hands the screen a ThreeWay with its changes). Then the screen itself: pushed
on a 160x45 app, to the first repaint (rows, notes, layout of the text).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from histories import markdown_history  # noqa: E402
from timing import plain_git_env  # noqa: E402

from tracker.diff import diff_texts  # noqa: E402
from tracker.model import ThreeWay  # noqa: E402
from tracker.rows import side_by_side, three_way  # noqa: E402

COLUMN = 46  # (160 - two dividers - three gutters - padding) // 3, as the screen makes it


def edited(text: str, rng: random.Random, paragraphs: list[int]) -> str:
    blocks = text.split("\n\n")
    for at in paragraphs:
        words = blocks[at].split(" ")
        for _ in range(rng.randint(1, 3)):
            words[rng.randrange(len(words))] = rng.choice(["alpha", "beta", "gamma", "delta"])
        blocks[at] = " ".join(words)
    return "\n\n".join(blocks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--edits", type=int, default=12)
    args = parser.parse_args()
    repo, doc = markdown_history()
    base = subprocess.run(
        ["git", "show", f"HEAD:{doc}"], cwd=repo, capture_output=True, text=True,
        check=True, env=plain_git_env(),
    ).stdout  # fmt: skip
    rng = random.Random(10)
    count = len(base.split("\n\n"))
    picks = rng.sample(range(count), 2 * args.edits - 1)
    common = picks[0]
    ours = edited(base, rng, sorted([common, *picks[1 : args.edits]]))
    theirs = edited(base, rng, sorted([common, *picks[args.edits :]]))
    ours_changes, theirs_changes = diff_texts(base, ours), diff_texts(base, theirs)
    timings: dict[str, list[float]] = {"two side-by-side diffs": [], "three_way": []}
    for _ in range(args.runs):
        start = time.perf_counter()
        side_by_side(base, ours, ours_changes, COLUMN)
        side_by_side(base, theirs, theirs_changes, COLUMN)
        timings["two side-by-side diffs"].append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        stretches = three_way(base, ours, theirs, ours_changes, theirs_changes, COLUMN)
        timings["three_way"].append((time.perf_counter() - start) * 1000)
    changes = f"{len(ours_changes)} + {len(theirs_changes)} changes"
    print(f"{len(base):,} chars, {count} paragraphs; {changes}; {len(stretches)} stretches")
    for name, values in timings.items():
        print(f"  {name:24} median {statistics.median(values):8.1f} ms")
    conflict = ThreeWay("GUIDE.md", "1" * 40, "2" * 40, "3" * 40, base, ours, theirs,
                        tuple(ours_changes), tuple(theirs_changes), ((1, 1),))  # fmt: skip
    print(f"  {'the screen, open to paint':24} median {_screen_ms(conflict, args.runs):8.1f} ms")


def _screen_ms(conflict: ThreeWay, runs: int) -> float:
    """ThreeWayScreen pushed on a 160x45 app, to the first repaint after it is drawn."""
    import asyncio

    from textual.app import App

    from tracker.tui.screens.threeway import ThreeWayScreen

    times = []

    async def once() -> None:
        app = App()
        async with app.run_test(size=(160, 45)) as pilot:
            start = time.perf_counter()
            await app.push_screen(ThreeWayScreen(conflict, "both changed"))
            await pilot.pause()
            times.append((time.perf_counter() - start) * 1000)

    for _ in range(runs):
        asyncio.run(once())
    return statistics.median(times)


if __name__ == "__main__":
    main()
