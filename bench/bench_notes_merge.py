"""Joining two clones' notes refs, and verify's walk of a notes ref, beside git's own.

    python bench/bench_notes_merge.py [NOTES] [COMMITS]

1. ``merge_notes_ref`` on a notes ref of NOTES annotated revisions (default 10,000, in
   git's fan-out layout) where each clone added 20 entries (10 on the same revisions),
   beside ``git notes merge -s union`` of the same two commits (the peer: same work for
   git, but a result that is not JSON). Interleaved, medians of 5.
2. verify's notes checks (``check_notes``) on a ref of COMMITS notes commits (default
   1,000; one note each, as ``tracker note`` writes them), beside ``git log -p`` of that
   ref (what an auditor would read by hand). Interleaved, medians of 5.

The refs are made with ``git fast-import``: the merge reads only notes trees, so the
annotated ids need not be real revisions.
"""

from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker.identity import Identity  # noqa: E402
from tracker.notes import NOTES_REF, compose_later  # noqa: E402
from tracker.store import Store  # noqa: E402

WHO = Identity("Bench", "bench@example.org")


def _id(n: int) -> str:
    return hashlib.sha1(f"revision {n}".encode()).hexdigest()


def _entry(n: int, text: str, minute: int) -> dict:
    return {"change": 1, "old": [0, 1], "new": [0, 1], "old_text": "a", "new_text": "b",
            "text": text, "category": "factual", "source": "", "author": "A <a@x>",
            "date": f"2025-01-01T10:{minute:02}:00+00:00", "seen": []}  # fmt: skip


def _path(rev: str, fanout: bool) -> str:
    return f"{rev[:2]}/{rev[2:]}" if fanout else rev


def _import(root: Path, commands: list[str]) -> None:
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, check=True,
                   input="".join(commands).encode())  # fmt: skip


def _commit(ref: str, parent: str | None, notes: dict[str, bytes], fanout: bool, n: int) -> str:
    out = [f"commit {ref}\ncommitter B <b@x> {1700000000 + n} +0000\ndata 2\nn\n"]
    if parent:
        out.append(f"from {parent}\n")
    for rev, data in notes.items():
        out.append(f"M 100644 inline {_path(rev, fanout)}\ndata {len(data)}\n")
        out.append(data.decode() + "\n")
    return "".join(out)


def build_merge_case(root: Path, count: int) -> tuple[str, str]:
    base = {_id(n): compose_later([_entry(n, f"base {n}", 0)]).encode() for n in range(count)}
    _import(root, [_commit("refs/notes/base", None, base, count >= 256, 0)])
    sides = []
    for side, minute in (("ours", 1), ("theirs", 2)):
        notes = {}
        for n in range(20):
            # Ten revisions both sides annotate, ten each side alone.
            k = n if n < 10 else n + (10 if side == "theirs" else 0)
            entries = [_entry(k, f"base {k}", 0), _entry(k, f"{side} {k}", minute)]
            notes[_id(k)] = compose_later(entries).encode()
        _import(root, [_commit(f"refs/notes/{side}", "refs/notes/base", notes, count >= 256, 1)])
        sides.append(_git(root, "rev-parse", f"refs/notes/{side}"))
    return sides[0], sides[1]


def build_walk_case(root: Path, commits: int) -> None:
    commands = []
    for n in range(commits):
        # One stream: each commit continues the ref (fast-import's own parent).
        document = compose_later([_entry(n, f"note {n}", 0)]).encode()
        commands.append(_commit(NOTES_REF, None, {_id(n): document}, False, n))
    _import(root, commands)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()  # fmt: skip


def _time(work) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    commits = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000
    from tracker.audit.notes_checks import check_notes
    from tracker.model import VerifyReport
    from tracker.sync.notes_merge import merge_notes_ref

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "store"
        root.mkdir()
        _git(root, "init", "-q")
        ours, theirs = build_merge_case(root, count)
        store = Store.open(root)
        env = {**os.environ, "GIT_AUTHOR_NAME": "B", "GIT_AUTHOR_EMAIL": "b@x",
               "GIT_COMMITTER_NAME": "B", "GIT_COMMITTER_EMAIL": "b@x"}  # fmt: skip
        ours_ms, peer_ms = [], []
        for _ in range(5):
            ours_ms.append(_time(lambda: merge_notes_ref(
                store, NOTES_REF, ours, theirs, WHO, "2025-01-02T00:00:00+00:00")))  # fmt: skip
            subprocess.run(["git", "update-ref", "refs/notes/peer", ours], cwd=root, check=True)
            start = time.perf_counter()
            subprocess.run(["git", "notes", "--ref=refs/notes/peer", "merge", "-q", "-s",
                            "union", theirs], cwd=root, check=True, env=env)  # fmt: skip
            peer_ms.append((time.perf_counter() - start) * 1000)
        print(f"merge, {count} annotated revisions, 20 entries per side: "
              f"merge_notes_ref {statistics.median(ours_ms):.0f} ms, "
              f"git notes merge -s union {statistics.median(peer_ms):.0f} ms")  # fmt: skip

        walk = Path(tmp) / "walk"
        walk.mkdir()
        _git(walk, "init", "-q")
        build_walk_case(walk, commits)
        walk_store = Store.open(walk)
        check_ms, log_ms = [], []
        for _ in range(5):
            check_ms.append(_time(lambda: check_notes(walk_store, VerifyReport())))
            start = time.perf_counter()
            subprocess.run(["git", "log", "-p", NOTES_REF], cwd=walk, check=True,
                           stdout=subprocess.DEVNULL)  # fmt: skip
            log_ms.append((time.perf_counter() - start) * 1000)
        print(f"verify's notes checks, {commits} notes commits: "
              f"check_notes {statistics.median(check_ms):.0f} ms, "
              f"git log -p {statistics.median(log_ms):.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
