"""Builds a newsroom-sized tracker store with one ``git fast-import``, as the tracker
writes it: 10,000 articles, 100,000 corrections, later notes and reviews, the journal.

What is in it, in the order a desk would have written it (one event every 30 s):

* the settings commit (``.tracker/config.json``), then each article's baseline (a record
  with ``"initial": true``) at ``SECTION/GROUP/NNNNN.txt``;
* corrections of one or two words with a note on each change, the ``Tracker-Record``
  computed by the tracker's own diff engine (``verify`` recomputes it and agrees); most
  go to the articles of the day, the rest anywhere;
* a later note on every correction (some get a second one), in ``refs/notes/tracker``:
  flat while it holds fewer than 256 notes, then git's 2/38 fan-out (tracker/git/
  notes_tree.py); a review (approval by another editor) on about a third;
* the journal: one commit per event, each naming the commit it wrote (the ids come from
  fast-import's ``get-mark`` as the import goes).

Deterministic (fixed seed). Built into bench/out/newsroom/: ``store`` (a work tree, with
a commit-graph), ``newsroom.git`` (a bare mirror with every ref, to clone from, partial
clones allowed) and ``meta.json`` (articles to measure). A finished build is reused.

    python bench/make_newsroom.py [--articles N] [--revisions N] [--out DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from prose import VOCABULARY, make_text  # noqa: E402
from timing import plain_git_env  # noqa: E402

from tracker.diff import diff_texts  # noqa: E402
from tracker.git.journal import EVENT_PREFIX  # noqa: E402
from tracker.model import Change, Note  # noqa: E402
from tracker.notes import compose_later, compose_message, later_entry  # noqa: E402
from tracker.store import CONFIG_PATH, StoreConfig  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "newsroom"
DONE = "built.json"
SECTIONS = ("politics", "world", "business", "metro", "science",
            "health", "sports", "culture", "opinion", "investigations")  # fmt: skip
CATEGORIES = ("factual", "sourcing", "balance", "clarity", "style")
EDITORS = tuple(f"Editor {i:02d} <editor{i:02d}@newsroom.example>" for i in range(24))
START = 1_704_175_200  # 2024-01-02 06:00 UTC
STEP = 30  # seconds between events
FANOUT_AT = 256  # tracker/git/notes_tree.py FANOUT_THRESHOLD
NOTES_REF = "refs/notes/tracker"
REVIEWS_REF = "refs/notes/tracker-reviews"
JOURNAL_REF = "refs/tracker/journal"
BRANCH = "refs/heads/main"


def article_path(number: int) -> str:
    section = SECTIONS[number % len(SECTIONS)]
    return f"{section}/{number // 10 // 20:03d}/{number:05d}.txt"


def _iso(stamp: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(stamp))


def _blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


class Importer:
    """One ``git fast-import`` fed commits; asks it each commit's id (``get-mark``)."""

    def __init__(self, repo: Path) -> None:
        read, self._write_end = os.pipe()
        self._answers = os.fdopen(read, "rb")
        self.proc = subprocess.Popen(
            ["git", "fast-import", "--quiet", "--done", f"--cat-blob-fd={self._write_end}"],
            cwd=repo,
            stdin=subprocess.PIPE,
            pass_fds=(self._write_end,),
            env=plain_git_env(),
        )
        os.close(self._write_end)
        assert self.proc.stdin is not None
        self.out = self.proc.stdin
        self.mark = 0
        self.commits = 0

    def commit(
        self,
        ref: str,
        who: str,
        stamp: int,
        message: str,
        files: list[tuple[str, bytes | str | None]],
    ) -> str:
        """Write one commit on ``ref`` setting paths to bytes or to an existing blob (its
        id, a str), or deleting them (None); returns the commit's id."""
        self.mark += 1
        msg = message.encode("utf-8")
        parts = [
            f"commit {ref}\nmark :{self.mark}\n".encode(),
            f"author {who} {stamp} +0000\ncommitter {who} {stamp} +0000\n".encode(),
            b"data %d\n%s\n" % (len(msg), msg),
        ]
        for path, data in files:
            if data is None:
                parts.append(f"D {path}\n".encode())
            elif isinstance(data, str):
                parts.append(f"M 100644 {data} {path}\n".encode())
            else:
                parts.append(f"M 100644 inline {path}\n".encode() + b"data %d\n" % len(data))
                parts.append(data + b"\n")
        parts.append(f"get-mark :{self.mark}\n".encode())
        self.out.write(b"".join(parts))
        self.out.flush()
        self.commits += 1
        return self._answers.readline().decode().strip()

    def close(self) -> None:
        self.out.write(b"done\n")
        self.out.close()
        if self.proc.wait() != 0:
            raise SystemExit("git fast-import failed")
        self._answers.close()


class Newsroom:
    """The state of the store being written: tips of the refs, notes, reviews."""

    def __init__(self, importer: Importer, rng: random.Random) -> None:
        self.git = importer
        self.rng = rng
        self.clock = START
        self.tips: dict[str, str | None] = {BRANCH: None, NOTES_REF: None, REVIEWS_REF: None}
        self.notes: dict[str, list[dict]] = {}  # revision -> later-note entries
        self.reviews: dict[str, list[dict]] = {}
        self.trees = {NOTES_REF: NotesTree(), REVIEWS_REF: NotesTree()}
        self.events = 0

    def tick(self) -> tuple[int, str]:
        self.clock += STEP
        return self.clock, _iso(self.clock)

    def _journal(self, who: str, stamp: int, ref: str, new: str, event: dict) -> None:
        """The journal commit for an event, as tracker/git/write.py writes it."""
        record = {"v": 1, **event, "ref": ref, "commit": new, "previous": self.tips[ref]}
        message = (
            f"{event['event']} {new[:12]} on {ref}\n\n"
            f"{EVENT_PREFIX}{json.dumps(record, sort_keys=True)}\n"
        )
        self.git.commit(JOURNAL_REF, who, stamp, message, [])
        self.tips[ref] = new
        self.events += 1

    def setup(self) -> str:
        stamp, _date = self.tick()
        config = StoreConfig(created_by_tracker=True)
        data = (json.dumps(config.to_json(), indent=2) + "\n").encode()
        message = (
            "Set up tracker store\n\nrequire_notes=false; the tracker keeps its settings here"
            " so that every clone enforces the same rules.\n"
        )
        who = EDITORS[0]
        new = self.git.commit(BRANCH, who, stamp, message, [(CONFIG_PATH, data)])
        self._journal(who, stamp, BRANCH, new, {"event": "setup", "document": CONFIG_PATH})
        return new

    def record(self, who: str, path: str, summary: str, reason: str, changes, data: bytes) -> str:
        stamp, _date = self.tick()
        message = compose_message(summary, reason, path, changes, initial=not changes)
        new = self.git.commit(BRANCH, who, stamp, message, [(path, data)])
        self._journal(who, stamp, BRANCH, new, {"event": "record", "document": path})
        return new

    def later_note(self, who: str, rev: str, change: Change) -> None:
        stamp, date = self.tick()
        text = f"Checked again against the source on {date[:10]}."
        category = self.rng.choice(CATEGORIES)
        note = Note(text, category, "https://example.org/desk/log", who, date)
        entries = [*self.notes.get(rev, []), later_entry(change, note)]
        self.notes[rev] = entries
        message = f"Correct note on {rev[:12]} change {change.index} [{category}]\n\n{text}\n"
        files = self.trees[NOTES_REF].set(rev, compose_later(entries).encode("utf-8"))
        new = self.git.commit(NOTES_REF, who, stamp, message, files)
        event = {"event": "note", "revision": rev, "change": change.index}
        self._journal(who, stamp, NOTES_REF, new, event)

    def review(self, who: str, rev: str, summary: str) -> None:
        stamp, date = self.tick()
        entries = [
            *self.reviews.get(rev, []),
            {"status": "approved", "comment": "", "author": who, "date": date},
        ]
        self.reviews[rev] = entries
        data = json.dumps({"v": 1, "entries": entries}, ensure_ascii=False, indent=1).encode()
        message = f"Approve {rev[:12]}: {summary}\n\n\n"
        files = self.trees[REVIEWS_REF].set(rev, data)
        new = self.git.commit(REVIEWS_REF, who, stamp, message, files)
        event = {"event": "review", "revision": rev, "status": "approved"}
        self._journal(who, stamp, REVIEWS_REF, new, event)


class NotesTree:
    """Where a notes ref keeps each revision's document, as tracker/git/notes_tree.py
    lays it out: flat below 256 notes, then 2/38 (every flat note moved once)."""

    def __init__(self) -> None:
        self.blobs: dict[str, str] = {}  # revision -> blob id of its document
        self.fanned = False

    def set(self, rev: str, data: bytes) -> list[tuple[str, bytes | str | None]]:
        """The file changes of a notes commit that sets ``rev``'s document to ``data``."""
        files: list[tuple[str, bytes | str | None]] = []
        if not self.fanned and len(self.blobs | {rev: ""}) >= FANOUT_AT:
            self.fanned = True
            for other, blob in self.blobs.items():
                files += [(other, None)]
                if other != rev:
                    files.append((f"{other[:2]}/{other[2:]}", blob))
        files.append((f"{rev[:2]}/{rev[2:]}" if self.fanned else rev, data))
        self.blobs[rev] = _blob_id(data)
        return files


def _edit(rng: random.Random, text: str) -> str:
    """The text with one or two words replaced (never across a paragraph break)."""
    words = text.split(" ")
    for _ in range(rng.choice((1, 1, 2))):
        while True:
            i = rng.randrange(len(words))
            if "\n" not in words[i] and words[i].isalpha():
                break
        choice = rng.choice(VOCABULARY)
        words[i] = choice if choice != words[i] else choice + "s"
    return " ".join(words)


def build(out: Path, articles: int, revisions: int, seed: int = 10) -> Path:
    """Build the newsroom under ``out`` (reused when complete); returns ``out``."""
    if (out / DONE).exists():
        return out
    if out.exists():
        shutil.rmtree(out)
    store = out / "store"
    store.mkdir(parents=True)
    env = plain_git_env()
    subprocess.run(["git", "init", "-q", "--initial-branch=main", str(store)], check=True, env=env)
    started = time.perf_counter()
    rng = random.Random(seed)
    importer = Importer(store)
    room = Newsroom(importer, rng)
    room.setup()
    texts: dict[int, str] = {}
    total = articles + revisions
    due: list[tuple[int, int, str, tuple]] = []  # (step, order, kind, what): later work
    order = 0
    published = 0
    counts: dict[int, int] = {}
    # Later work gets room to run out after the last correction.
    for step in range(total + 400):
        while due and due[0][0] <= step:
            _, _, kind, what = heapq.heappop(due)
            if kind == "note":
                room.later_note(*what)
            else:
                room.review(*what)
        if step >= total:
            continue
        if step % 10_000 == 0:
            print(f"step {step}/{total}, {time.perf_counter() - started:.0f} s", flush=True)
        if published < articles and step * articles >= published * total:
            number = published
            published += 1
            text = make_text(rng.randint(1500, 4000), seed * 100_003 + number)
            texts[number] = text
            who = EDITORS[rng.randrange(len(EDITORS))]
            summary = f"Add article {number:05d}"
            room.record(who, article_path(number), summary, "", [], text.encode("utf-8"))
            counts[number] = 1
            continue
        # A correction: mostly to the day's articles (the last 40 published), else any.
        if rng.random() < 0.7:
            number = published - 1 - rng.randrange(min(40, published))
        else:
            number = rng.randrange(published)
        old = texts[number]
        new = _edit(rng, old)
        while new == old:  # two replacements that undid each other
            new = _edit(rng, old)
        who = EDITORS[rng.randrange(len(EDITORS))]
        _stamp, date = room.clock + STEP, _iso(room.clock + STEP)
        changes = [
            c.with_note(Note(f"Corrected per the desk's check {step}.", rng.choice(CATEGORIES),
                             "https://example.org/sources", who, date))
            for c in diff_texts(old, new)
        ]  # fmt: skip
        summary = f"Correct {article_path(number).rsplit('/', 1)[1]}"
        rev = room.record(who, article_path(number), summary, "Desk check.", changes, new.encode())
        texts[number] = new
        counts[number] += 1
        order += 1
        noter = EDITORS[rng.randrange(len(EDITORS))]
        heapq.heappush(due, (step + rng.randint(1, 300), order, "note", (noter, rev, changes[0])))
        if rng.random() < 0.05:
            order += 1
            later = (noter, rev, changes[-1])
            heapq.heappush(due, (step + rng.randint(300, 400), order, "note", later))
        if rng.random() < 0.3:
            order += 1
            reviewer = EDITORS[(EDITORS.index(who) + 1 + rng.randrange(23)) % len(EDITORS)]
            heapq.heappush(due, (step + rng.randint(1, 300), order, "review",
                                 (reviewer, rev, summary)))  # fmt: skip
    importer.close()
    imported = time.perf_counter() - started
    run = lambda *args, cwd=store: subprocess.run(args, cwd=cwd, check=True, env=env)  # noqa: E731
    run("git", "config", "core.fsync", "all")  # as tracker init sets them
    run("git", "config", "core.fsyncMethod", "fsync")
    run("git", "reset", "-q", "--hard", "main")
    run("git", "commit-graph", "write", "--reachable", "--changed-paths", "--split")
    bare = out / "newsroom.git"
    run("git", "clone", "-q", "--mirror", "--no-local", str(store), str(bare), cwd=out)
    run("git", "config", "uploadpack.allowFilter", "true", cwd=bare)
    run("git", "config", "uploadpack.allowAnySHA1InWant", "true", cwd=bare)
    run("git", "config", "--remove-section", "remote.origin", cwd=bare)
    ranked = sorted(counts, key=lambda n: (counts[n], n))
    typical = ranked[len(ranked) // 2]
    meta = {
        "articles": articles,
        "revisions": revisions,
        "commits": importer.commits,
        "annotated": len(room.notes),
        "reviewed": len(room.reviews),
        "journal_events": room.events,
        "typical_article": article_path(typical),
        "typical_revisions": counts[typical],
        "hot_article": article_path(ranked[-1]),
        "hot_revisions": counts[ranked[-1]],
        "import_seconds": round(imported, 1),
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    (out / DONE).write_text(json.dumps(meta) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--revisions", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    out = build(args.out.resolve(), args.articles, args.revisions)
    print((out / "meta.json").read_text(), end="")


if __name__ == "__main__":
    main()
