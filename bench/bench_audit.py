"""tracker verify and tracker blame on 10,000 revisions of a 100 KB document, beside
git fsck --full and git blame --porcelain on the same store, in the same run; and verify
on histories the tracker did not write, where it must say so at once.

    python bench/bench_audit.py [RUNS]
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
from timing import plain_git_env  # noqa: E402

# Bytecode cached, as in an installed tracker (see bench_export_blame.py).
OURS = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def interleaved_s(commands: dict[str, list[str]], cwd: Path, runs: int) -> dict[str, float]:
    """Medians in seconds of whole processes run in turn, after one unmeasured round."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, argv in commands.items():
            env = plain_git_env() if argv[0] == "git" else OURS
            start = time.perf_counter()
            subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=env)  # fmt: skip
            if round_:
                times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    py = sys.executable
    store = build(HERE / "out" / "audit-10k", 10_000, 100_000, seed=13)
    got = interleaved_s(
        {
            "git fsck --full": ["git", "fsck", "--full"],
            "tracker verify --json": [py, "-m", "tracker", "verify", "--json"],
            "git blame --porcelain": ["git", "blame", "--porcelain", "doc.txt"],
            "tracker blame --json": [py, "-m", "tracker", "blame", "doc.txt", "--json"],
        },
        store,
        runs,
    )
    ok = subprocess.run([py, "-m", "tracker", "verify"], cwd=store, capture_output=True, text=True)
    print(f"10,000 revisions of a 100 KB document; medians of {runs} runs, whole processes")
    fsck, gblame = got["git fsck --full"], got["git blame --porcelain"]
    for name, seconds in got.items():
        peer = fsck if "verify" in name else gblame if "tracker blame" in name else None
        ratio = f"   ratio {seconds / peer:5.2f}" if peer else ""
        print(f"  {name:28} {seconds:7.2f} s{ratio}")
    print("  verify says:", ok.stdout.strip().splitlines()[0] if ok.stdout else ok.stderr.strip())
    print(f"\nverify on histories the tracker did not write; medians of {runs} runs")
    for repo, _doc in (
        markdown_history(),
        corpus("system-design-primer.README"),
        corpus("pep-0008"),
    ):
        got = interleaved_s(
            {
                "git fsck --full": ["git", "fsck", "--full"],
                "tracker --version": [py, "-m", "tracker", "--version"],
                "tracker verify --json": [py, "-m", "tracker", "verify", "--json"],
            },
            repo,
            runs,
        )
        said = subprocess.run([py, "-m", "tracker", "verify"], cwd=repo, capture_output=True,
                              text=True)  # fmt: skip
        finding = said.stdout.splitlines()[1].strip()[:40]
        times = ", ".join(f"{k} {v:.2f} s" for k, v in got.items())
        print(f"  {repo.name}: {times}; exit {said.returncode}: {finding}...")


if __name__ == "__main__":
    main()
