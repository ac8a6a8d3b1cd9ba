"""Newsroom scale (issue 10, part 5), on the store bench/make_newsroom.py builds.

    python bench/bench_newsroom.py log      # tracker log ARTICLE vs git log -- ARTICLE
    python bench/bench_newsroom.py note     # new-object bytes of one later note
    python bench/bench_newsroom.py record   # what the commit-graph (and index) add to a record
    python bench/bench_newsroom.py day      # a day of 100 revisions, then verify --since
    python bench/bench_newsroom.py full     # the full verify's time (long: minutes)
    python bench/bench_newsroom.py partial  # a blobless clone of a 200-revision store

Everything runs in bench/out/newsroom/clone, a fresh clone of the bare copy with the
tracker's refs fetched and the commit-graph written as after a sync (made on first use).
Each figure is printed with the machine's load average.
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from make_newsroom import OUT, build  # noqa: E402
from timing import TRACKER, interleaved_ms, plain_git_env  # noqa: E402

RUNS = 7
REFS = ("refs/notes/*:refs/notes/*", "refs/tracker/*:refs/tracker/*")


def load() -> str:
    return "load " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=plain_git_env()
    ).stdout


def fresh_clone(bare: Path, target: Path, *, filter_blobs: bool = False) -> Path:
    """A clone of ``bare`` with the tracker's refs, the commit-graph written as sync does."""
    from tracker.git.maintenance import write_commit_graph
    from tracker.store import Store

    if target.exists():
        shutil.rmtree(target)
    args = ["clone", "-q", *(["--filter=blob:none"] if filter_blobs else []), bare.as_uri()]
    git(target.parent, *args, str(target))
    git(target, "fetch", "-q", "origin", *REFS)
    git(target, "config", "user.name", "Bench Editor")
    git(target, "config", "user.email", "bench@newsroom.example")
    write_commit_graph(Store.open(target))
    return target


def newsroom_clone() -> tuple[Path, dict]:
    import json

    out = build(OUT, 10_000, 100_000)
    meta = json.loads((out / "meta.json").read_text())
    clone = out / "clone"
    if not (clone / ".git" / "tracker-bench-ready").exists():
        started = time.perf_counter()
        fresh_clone(out / "newsroom.git", clone)
        (clone / ".git" / "tracker-bench-ready").write_text("ok\n")
        print(f"clone + refs + commit-graph + index: {time.perf_counter() - started:.1f} s")
    return clone, meta


def bench_log() -> None:
    clone, meta = newsroom_clone()
    for which in ("typical", "hot"):
        article = meta[f"{which}_article"]
        commands = {
            "git log -- ARTICLE": ["git", "log", "--", article],
            "tracker log ARTICLE": [*TRACKER, "log", article],
            "tracker log --json": [*TRACKER, "log", "--json", article],
        }
        before = load()
        times = interleaved_ms(commands, clone, runs=RUNS)
        count = meta[f"{which}_revisions"]
        print(f"{which} article ({count} revisions), medians of {RUNS}, {before} / {load()}")
        peer = times["git log -- ARTICLE"]
        for name, ms in times.items():
            print(f"  {name:22} {ms:8.1f} ms   x{ms / peer:4.2f}")
    # The first log of each article after a sync (the index is up to date, as sync
    # leaves it, but no notes folder has been read yet): the folders' cache is cold.
    import sqlite3

    index = clone / ".git" / "tracker" / "cache" / "documents-v1.sqlite"
    for which in ("typical", "hot"):
        with sqlite3.connect(index) as db:
            db.execute("DELETE FROM notes_in")
        started = time.perf_counter()
        subprocess.run([*TRACKER, "log", meta[f"{which}_article"]], cwd=clone, check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        took = (time.perf_counter() - started) * 1000
        print(f"first log of the {which} article, notes folders not cached: {took:.1f} ms")
    # Without the documents' index (a clone whose first log builds it).
    index.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([*TRACKER, "log", meta["typical_article"]], cwd=clone, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    print(f"first log, building the index: {time.perf_counter() - started:.2f} s ({load()})")


def _loose(repo: Path) -> tuple[int, int]:
    """(count, bytes) of the loose objects."""
    count = size = 0
    objects = repo / ".git" / "objects"
    for folder in objects.iterdir():
        if len(folder.name) == 2 and folder.is_dir():
            for item in folder.iterdir():
                count += 1
                size += item.stat().st_size
    return count, size


def bench_note() -> None:
    clone, _meta = newsroom_clone()
    notes = int(git(clone, "notes", "--ref=tracker", "list").count("\n"))
    rev = git(clone, "log", "-1", "--format=%H", "HEAD~5").strip()
    before = _loose(clone)
    started = time.perf_counter()
    subprocess.run([*TRACKER, "note", rev, "1", "Checked once more.", "--category", "factual"],
                   cwd=clone, check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    took = time.perf_counter() - started
    after = _loose(clone)
    print(f"{notes} notes in refs/notes/tracker; one later note ({took:.2f} s, {load()}):")
    print(f"  new loose objects: {after[0] - before[0]}, {(after[1] - before[1]) / 1024:.1f} KB")
    # The flat layout's cost: one tree of every note, as the old writer wrote each time.
    listing = git(clone, "ls-tree", "-r", "refs/notes/tracker")
    flat = "".join(
        f"{line.split()[0]} blob {line.split()[2]}\t{line.split()[3].replace('/', '')}\n"
        for line in listing.splitlines()
    )
    scratch = Path(clone.parent / "flat-probe")
    if scratch.exists():
        shutil.rmtree(scratch)
    git(clone.parent, "init", "-q", str(scratch))
    made = subprocess.run(
        ["git", "mktree", "--missing"], cwd=scratch, input=flat, text=True,
        capture_output=True, check=True, env=plain_git_env(),
    )  # fmt: skip
    tree = made.stdout.strip()
    flat_bytes = (scratch / ".git" / "objects" / tree[:2] / tree[2:]).stat().st_size
    print(f"  the flat layout's one tree of {notes} notes: {flat_bytes / 1024 / 1024:.2f} MB")
    shutil.rmtree(scratch)


def _edit(path: Path, rng: random.Random) -> None:
    words = path.read_text().split(" ")
    i = rng.randrange(len(words))
    words[i] = words[i] + "s" if words[i].isalpha() else "and"
    path.write_text(" ".join(words))


def bench_record() -> None:
    """A record in-process, with a commit-graph layer (and the index) written after it
    or not, interleaved: what a layer costs (a record writes one every 16 records)."""
    import tracker.recording as recording
    from tracker import porcelain
    from tracker.git.maintenance import keep_commit_graph, write_commit_graph

    clone, meta = newsroom_clone()
    rng = random.Random(5)
    store = porcelain.open_store(clone)
    article = meta["typical_article"]
    times: dict[str, list[float]] = {"record + a graph layer": [], "record alone": []}
    for _ in range(5):
        for name in times:
            layer = "layer" in name
            recording.keep_commit_graph = lambda store, now=False, layer=layer: (
                write_commit_graph(store) if layer else None
            )
            _edit(clone / article, rng)
            started = time.perf_counter()
            porcelain.record_revision(store, article, "Bench edit", author=None)
            times[name].append((time.perf_counter() - started) * 1000)
    recording.keep_commit_graph = keep_commit_graph
    write_commit_graph(store)
    print(f"record of {article}, in-process, medians of 5 interleaved ({load()}):")
    for name, values in times.items():
        print(f"  {name:24} {statistics.median(values):8.1f} ms")
    layers = (clone / ".git/objects/info/commit-graphs/commit-graph-chain").read_text().split()
    print(f"  commit-graph layers now: {len(layers)}")


def bench_day() -> None:
    """A day of 100 revisions (with notes and reviews), then verify --since the morning."""
    from tracker import porcelain
    from tracker.model import APPROVED, NoteInput

    clone, meta = newsroom_clone()
    store = porcelain.open_store(clone)
    point = store.head()
    assert point is not None
    rng = random.Random(11)
    documents = [meta["typical_article"], meta["hot_article"]]
    documents += git(clone, "ls-files", "politics/00*").split()[:60]
    started = time.perf_counter()
    for number in range(100):
        article = rng.choice(documents)
        _edit(clone / article, rng)
        note = {1: NoteInput("Per the desk.", "factual")}
        revision = porcelain.record_revision(store, article, f"Day edit {number}", notes=note)
        if number % 3 == 0:
            porcelain.review(
                store, revision.rev, APPROVED, author="Desk Two <two@newsroom.example>"
            )
    print(f"a day of 100 revisions written in {time.perf_counter() - started:.1f} s")
    (clone.parent / "day-point").write_text(point + "\n")
    times = interleaved_ms({"verify --since": [*TRACKER, "verify", "--since", point]}, clone,
                           runs=5, check=False)  # fmt: skip
    print(f"verify --since the day's start: {times['verify --since']:.0f} ms (median of 5,"
          f" {load()})")  # fmt: skip
    result = subprocess.run([*TRACKER, "verify", "--since", point], cwd=clone,
                            capture_output=True, text=True)  # fmt: skip
    print("  " + result.stdout.strip().replace("\n", "\n  "))


def bench_full() -> None:
    clone, _meta = newsroom_clone()
    started = time.perf_counter()
    result = subprocess.run([*TRACKER, "verify"], cwd=clone, capture_output=True, text=True)
    took = time.perf_counter() - started
    print(f"full verify: {took:.0f} s ({load()}), exit {result.returncode}")
    print("  " + result.stdout.strip()[-400:].replace("\n", "\n  "))


def bench_partial() -> None:
    """log, show and blame on a blobless clone of a 200-revision store (each timed on a
    fresh clone, cold), beside the same on a full clone."""
    small = build(OUT.parent / "newsroom-200", 1, 199)
    bare = small / "newsroom.git"
    full = fresh_clone(bare, small / "full")
    article = "politics/000/00000.txt"
    commands = {
        "log": ["log", article],
        "show": ["show", "HEAD~100"],
        "blame": ["blame", article],
    }
    results: dict[str, list[float]] = {
        f"{n} {w}": [] for n in commands for w in ("full", "blobless")
    }
    fetches: dict[str, int] = {}
    for _ in range(5):
        for name, args in commands.items():
            for where in ("full", "blobless"):
                cwd = full
                if where == "blobless":
                    cwd = fresh_clone(bare, small / "blobless", filter_blobs=True)
                    packs = len(list((cwd / ".git/objects/pack").glob("*.promisor")))
                started = time.perf_counter()
                subprocess.run([*TRACKER, *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL)
                results[f"{name} {where}"].append((time.perf_counter() - started) * 1000)
                if where == "blobless":
                    after = len(list((cwd / ".git/objects/pack").glob("*.promisor")))
                    fetches[name] = after - packs
    print(f"200 revisions, cold blobless clone vs full clone, medians of 5 ({load()}):")
    for name in commands:
        full_ms = statistics.median(results[f"{name} full"])
        part_ms = statistics.median(results[f"{name} blobless"])
        print(f"  {name:6} full {full_ms:7.1f} ms   blobless {part_ms:7.1f} ms"
              f"   fetches {fetches[name]}")  # fmt: skip


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "log"
    {"log": bench_log, "note": bench_note, "record": bench_record, "day": bench_day,
     "full": bench_full, "partial": bench_partial}[what]()  # fmt: skip
