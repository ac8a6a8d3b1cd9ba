"""``tracker sync`` beside plain git over each transport (file, git daemon, http, ssh).

The store: one article with 100 recorded revisions, later notes and reviews, pushed to a
bare repository that every server serves. Two measurements per transport, medians of
``--runs`` interleaved runs (tracker, git, tracker, git...):

* up to date: ``tracker sync`` with nothing new, beside ``git fetch`` of the same refs
  into the same places plus ``git push --atomic`` of the same refs (both no-ops);
* one revision: a second clone records one revision and syncs (sends it), beside plain
  git committing and running the same fetch + push.

    python bench/bench_sync.py --runs 5
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "tests")]

from servers import bare, git_daemon, http_backend, sshd, sshd_missing  # noqa: E402

from tracker import porcelain  # noqa: E402
from tracker.model import NoteInput  # noqa: E402
from tracker.recording import init_store  # noqa: E402

TRACKER = [sys.executable, "-m", "tracker"]
REFS = ["refs/notes/tracker", "refs/notes/tracker-reviews", "refs/tracker/journal"]


def build(root: Path, url: str) -> Path:
    store = init_store(root / "writer", None, None)
    path = store.root / "article.md"
    words = [f"word{i}" for i in range(400)]
    path.write_text(" ".join(words) + "\n")
    porcelain.add_document(store, str(path))
    for n in range(100):
        words[(n * 7) % len(words)] = f"edit{n}"
        path.write_text(" ".join(words) + "\n")
        rev = porcelain.record_revision(
            store, "article.md", f"edit {n}", notes={1: NoteInput(f"why {n}")}
        ).rev
        if n % 10 == 0:
            porcelain.note(store, rev, 1, f"later {n}")
            porcelain.review(store, rev, "approved")
    porcelain.remote_add(store, "origin", url)
    porcelain.sync(store)
    return store.root


def peer_command(url: str) -> list[str]:
    fetch = " ".join(
        f"+{ref}:refs/peer/{ref.removeprefix('refs/')}" for ref in ["refs/heads/main", *REFS]
    )
    push = " ".join(f"{ref}:{ref}" for ref in ["refs/heads/main", *REFS])
    return [
        "sh",
        "-c",
        f"git fetch -q --no-tags {url} {fetch} && git push -q --atomic {url} {push}",
    ]


def timed(argv: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    return (time.perf_counter() - start) * 1000


def measure(root: Path, url: str, peer_url: str, runs: int) -> dict[str, float]:
    """``url`` is the tracker's repository, ``peer_url`` a copy of it for plain git."""
    writer = build(root, url)
    every = [f"{r}:{r}" for r in ["refs/heads/main", *REFS]]
    subprocess.run(["git", "push", "-q", peer_url, *every], cwd=writer, check=True)
    reader, plain = root / "reader", root / "plain"
    subprocess.run(["git", "clone", "-q", url, str(reader)], check=True)
    subprocess.run(["git", "clone", "-q", peer_url, str(plain)], check=True)
    subprocess.run(["git", "fetch", "-q", peer_url, *[f"{r}:{r}" for r in REFS]], cwd=plain,
                   check=True)  # fmt: skip
    subprocess.run([*TRACKER, "-C", str(reader), "sync"], check=True, capture_output=True)
    times: dict[str, list[float]] = {"sync": [], "git": [], "sync+1": [], "git+1": []}
    for n in range(runs):
        times["sync"].append(timed([*TRACKER, "sync"], reader))
        times["git"].append(timed(peer_command(peer_url), plain))
        # One revision sent: recorded (untimed), then synced; plain git commits and pushes.
        (reader / "article.md").write_text((reader / "article.md").read_text() + f"more{n}\n")
        subprocess.run(
            [*TRACKER, "record", "article.md", "-m", f"more {n}"], cwd=reader, check=True,
            capture_output=True,
        )  # fmt: skip
        times["sync+1"].append(timed([*TRACKER, "sync"], reader))
        (plain / "article.md").write_text((plain / "article.md").read_text() + f"more{n}\n")
        subprocess.run(["git", "commit", "-qam", f"more {n}"], cwd=plain, check=True)
        times["git+1"].append(timed(peer_command(peer_url), plain))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--transports", default="file,git,http,ssh")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        config = home / ".gitconfig"
        config.write_text("[user]\n\tname = Bench\n\temail = bench@example.org\n")
        for key in [k for k in os.environ if k.startswith("GIT_")]:
            del os.environ[key]
        os.environ.update(HOME=str(home), GIT_CONFIG_GLOBAL=str(config), GIT_CONFIG_NOSYSTEM="1")
        print(f"load before: {os.getloadavg()[0]:.2f}")
        for kind in args.transports.split(","):
            root = Path(tmp) / kind
            root.mkdir()
            bare(root, "desk.git")
            bare(root, "peer.git")
            with contextlib.ExitStack() as stack:
                if kind == "file":
                    url, peer = (root / "desk.git").as_uri(), (root / "peer.git").as_uri()
                elif kind == "git":
                    server = stack.enter_context(git_daemon(root))
                    url, peer = server.url("desk.git"), server.url("peer.git")
                elif kind == "http":
                    server = stack.enter_context(http_backend(root))
                    url, peer = server.url("desk.git"), server.url("peer.git")
                else:
                    if sshd_missing():
                        print(f"ssh: skipped ({sshd_missing()})")
                        continue
                    server = stack.enter_context(sshd(root, root / "keys"))
                    config.write_text(
                        config.read_text() + f"[core]\n\tsshCommand = {server.ssh_command}\n"
                    )
                    url, peer = server.url("desk.git"), server.url("peer.git")
                figures = measure(root, url, peer, args.runs)
            print(
                f"{kind:5} up to date: sync {figures['sync']:.0f} ms, git fetch+push "
                f"{figures['git']:.0f} ms; one revision: sync {figures['sync+1']:.0f} ms, "
                f"git {figures['git+1']:.0f} ms"
            )
        print(f"load after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
