"""What verify's approval checks cost (issue 10, sign-off), beside git's own listing.

Builds, with ``git fast-import``, a store of N recorded-looking commits and a reviews ref
of N commits, each approving one revision as a second editor would (the entry's author is
the commit's), then times ``check_approvals`` (both checks: the store is under
``require_approval``) and, as the peer, the one ``git log --raw`` of the reviews ref it
reads, interleaved, medians of 5.

    python bench/bench_signoff.py [N ...]      (default: 1000 5000)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import plain_git_env  # noqa: E402
from tracker.audit.approval_checks import check_approvals  # noqa: E402
from tracker.model import VerifyReport  # noqa: E402
from tracker.store import Store  # noqa: E402

AUTHOR = b"Ann Editor <ann@example.org>"
REVIEWER = b"Bob Checker <bob@example.org>"


def build(root: Path, count: int) -> None:
    """N commits on main (Ann's), then N reviews commits (Bob's), one approval each."""
    subprocess.run(["git", "init", "-q", "--initial-branch=main", str(root)], check=True)
    config = {"v": 1, "require_notes": False, "categories": ["other"], "require_approval": True}
    stream = bytearray()
    when = 1_700_000_000

    def data(body: bytes) -> None:
        stream.extend(b"data %d\n" % len(body) + body + b"\n")

    settings = json.dumps(config, indent=2).encode() + b"\n"
    for number in range(count):
        stream.extend(b"commit refs/heads/main\nmark :%d\n" % (number + 1))
        stream.extend(b"author %s %d +0000\n" % (AUTHOR, when + number))
        stream.extend(b"committer %s %d +0000\n" % (AUTHOR, when + number))
        data(b"Revision %d\n" % number)
        if number == 0:
            stream.extend(b"M 100644 inline .tracker/config.json\n")
            data(settings)
        stream.extend(b"M 100644 inline a.txt\n")
        data(b"text %d\n" % number)
    for number in range(count):
        entry = {
            "status": "approved",
            "comment": "",
            "author": REVIEWER.decode(),
            "date": "2025-01-01T00:00:00+00:00",
        }
        stream.extend(b"commit refs/notes/tracker-reviews\n")
        stream.extend(b"committer %s %d +0000\n" % (REVIEWER, when + count + number))
        data(b"Approve %d\n" % number)  # fast-import continues the ref from its last commit
        stream.extend(b"N inline :%d\n" % (number + 1))
        data(json.dumps({"v": 1, "entries": [entry]}, indent=1).encode())
    subprocess.run(
        ["git", "fast-import", "--quiet"], cwd=root, input=bytes(stream), check=True,
        env=plain_git_env(),
    )  # fmt: skip
    subprocess.run(["git", "checkout", "-q", "main"], cwd=root, check=True)


def main(counts: list[int]) -> None:
    for count in counts:
        with tempfile.TemporaryDirectory() as folder:
            root = Path(folder) / "store"
            build(root, count)
            peer = [
                "git", "log", "--no-merges", "--root", "-r", "--raw", "--no-abbrev",
                "--format=%x01%H%x00%an <%ae>", "refs/notes/tracker-reviews",
            ]  # fmt: skip
            ours, git = [], []
            for _ in range(5):
                store = Store.open(root)
                report = VerifyReport()
                start = time.perf_counter()
                check_approvals(store, report)
                ours.append((time.perf_counter() - start) * 1000)
                assert report.findings == [], report.findings[:3]
                store.close()
                start = time.perf_counter()
                subprocess.run(peer, cwd=root, stdout=subprocess.DEVNULL, check=True)
                git.append((time.perf_counter() - start) * 1000)
            print(
                f"{count} approvals: check_approvals {statistics.median(ours):.0f} ms, "
                f"git log --raw of the reviews ref {statistics.median(git):.0f} ms"
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 5000])
