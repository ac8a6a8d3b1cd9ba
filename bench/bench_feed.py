"""What ``tracker feed --format atom`` costs on a newsroom store, beside git's own listing.

The store is bench/make_newsroom.py's (10,000 articles, 20,000 corrections by default,
each correction's changes noted with a cause the default policy turns into a notice or
into a silent fix), copied once into bench/out/feed-newsroom/ and given, once, one publish
event per article in the journal (``tracker publish``'s event: every recorded revision of
the article, published an hour after its last one), so every notice is published.

Timed, interleaved, medians of 5 (whole processes): ``tracker feed --format atom`` cold
(its kept snapshot removed first: a first run, or one after a rewritten history) and
kept (a run after a publish event, or after nothing changed: the branch is not read
again), and, as the peer, ``git log --format=%H%x00%B`` over the branch (the one listing
a cold feed cannot do without). The load average is printed beside them.

    python bench/bench_feed.py [--articles N] [--revisions N] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from make_newsroom import build  # noqa: E402
from timing import TRACKER, interleaved_ms, plain_git_env  # noqa: E402

from tracker.git.journal import EVENT_PREFIX, JOURNAL_REF  # noqa: E402
from tracker.notes import parse_message  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
PUBLISHED = "published.json"
PUBLISHER = "Editor 23 <editor23@newsroom.example>"


def publish_everything(store: Path) -> int:
    """One publish event per article naming its recorded revisions (once per store);
    returns the number of events."""
    marker = store.parent / PUBLISHED
    if marker.exists():
        return int(json.loads(marker.read_text())["events"])
    env = plain_git_env()
    log = subprocess.run(
        ["git", "log", "--first-parent", "--reverse", "--format=%H%x00%at%x00%B%x00", "main"],
        cwd=store, capture_output=True, check=True, env=env,
    ).stdout.decode()  # fmt: skip
    fields = log.split("\x00")
    revisions: dict[str, list[str]] = {}
    last: dict[str, int] = {}
    for rev, stamp, body in zip(fields[0::3], fields[1::3], fields[2::3], strict=False):
        _summary, _reason, document, record = parse_message(body)
        if document is None or record is None or not record.get("changes"):
            continue
        revisions.setdefault(document, []).append(rev.strip())
        last[document] = int(stamp)
    tip = subprocess.run(
        ["git", "rev-parse", JOURNAL_REF], cwd=store, capture_output=True, check=True, env=env
    ).stdout.decode().strip()  # fmt: skip
    stream = bytearray()
    for number, (document, revs) in enumerate(
        sorted(revisions.items(), key=lambda kv: last[kv[0]])
    ):
        stamp = last[document] + 3600
        date = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(stamp))
        event = {"v": 1, "event": "publish", "document": document, "revisions": revs,
                 "date": date, "author": PUBLISHER}  # fmt: skip
        message = f"publish {document}\n\n{EVENT_PREFIX}{json.dumps(event, sort_keys=True)}\n"
        body = message.encode()
        name, email = PUBLISHER.split(" <")
        stream += f"commit {JOURNAL_REF}\n".encode()
        stream += f"committer {name} <{email} {stamp} +0000\n".encode()
        stream += b"data %d\n%s\n" % (len(body), body)
        if number == 0:
            stream += f"from {tip}\n".encode()
    subprocess.run(
        ["git", "fast-import", "--quiet", "--force"], cwd=store, input=bytes(stream),
        check=True, env=env,
    )  # fmt: skip
    marker.write_text(json.dumps({"events": len(revisions)}) + "\n")
    return len(revisions)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--revisions", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    out = build(OUT / "feed-newsroom", args.articles, args.revisions)
    store = out / "store"
    events = publish_everything(store)
    feed = [*TRACKER, "feed", "--format", "atom"]
    atom = subprocess.run(feed, cwd=store, capture_output=True, check=True).stdout
    entries = atom.count(b"<entry>")
    kept = store / ".git" / "tracker" / "cache"
    # Cold: the kept snapshot and publish dates removed first (as on the first run).
    cold = ["sh", "-c", f'rm -f "{kept}"/feed-*.json && exec "$@"', "cold", *feed]
    peer = ["git", "log", "--first-parent", "--format=%H%x00%B", "main"]
    load = os.getloadavg()
    times = interleaved_ms(
        {
            "tracker feed --format atom (cold)": cold,
            "tracker feed --format atom (kept)": feed,
            "git log --format=%H%x00%B (peer)": peer,
        },
        store,
        runs=args.runs,
    )
    print(f"{args.articles} articles, {args.revisions} corrections, {events} publish events")
    print(f"feed: {entries} entries, {len(atom) / 1e6:.1f} MB of Atom")
    for name, ms in times.items():
        print(f"  {name:40} {ms:8.0f} ms (median of {args.runs})")
    after = os.getloadavg()
    print(f"load average before {load[0]:.2f}, after {after[0]:.2f} (2 cores)")


if __name__ == "__main__":
    main()
