"""tracker verify and tracker blame on 10,000 revisions of a 100 KB document, beside
git fsck --full and git blame --porcelain on the same store, in the same run."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_store import build  # noqa: E402

RUNS = 3


def median_s(argv: list[str], cwd: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    store = build(HERE / "out" / "audit-10k", 10_000, 100_000, seed=13)
    py = sys.executable
    fsck = median_s(["git", "fsck", "--full"], store)
    verify = median_s([py, "-m", "tracker", "verify", "--json"], store)
    gblame = median_s(["git", "blame", "--porcelain", "doc.txt"], store)
    tblame = median_s([py, "-m", "tracker", "blame", "doc.txt", "--json"], store)
    ok = subprocess.run([py, "-m", "tracker", "verify"], cwd=store, capture_output=True, text=True)
    print(f"10,000 revisions of a 100 KB document; medians of {RUNS} runs, whole processes")
    print(f"  git fsck --full              {fsck:7.2f} s")
    print(f"  tracker verify               {verify:7.2f} s   ratio {verify / fsck:5.2f}")
    print(f"  git blame --porcelain        {gblame:7.2f} s")
    print(f"  tracker blame --json         {tblame:7.2f} s   ratio {tblame / gblame:5.2f}")
    print("  verify says:", ok.stdout.strip().splitlines()[0] if ok.stdout else ok.stderr.strip())


if __name__ == "__main__":
    main()
