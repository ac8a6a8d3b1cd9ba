"""``tracker log`` and ``log --json`` on histories the tracker did not write, beside git.

For each history (markdown_history() and the two shared corpora), in one interleaved run:

* cold: the change cache removed before each run, against
  ``git log -p --word-diff=porcelain --first-parent -- FILE`` (target 1.5 times);
* warm: the cache filled by an earlier run, against ``tracker --version`` plus a
  metadata-only ``git log`` (target 1.5 times that sum);
* ``log -n 20``, cold, against the same git listing of 20 revisions.

    python bench/bench_log_foreign.py [--runs 5] [--only markdown]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from histories import corpus, markdown_history  # noqa: E402
from timing import TRACKER, plain_git_env  # noqa: E402

META = "--format=%H%x00%P%x00%an%x00%ae%x00%aI%x00%B%x00%N%x00"


def _cache(repo: Path) -> Path:
    return repo / ".git" / "tracker" / "cache"


def measure(repo: Path, doc: str, runs: int) -> dict[str, float]:
    env = plain_git_env()
    git_p = ["git", "log", "-p", "--word-diff=porcelain", "--first-parent", "--", doc]
    git_meta = ["git", "log", "--first-parent", "--notes=refs/notes/tracker", META, "--", doc]
    commands: dict[str, tuple[list[str], bool]] = {  # name -> (argv, cold)
        "git log -p --word-diff": (git_p, False),
        "git log (metadata)": (git_meta, False),
        "tracker --version": ([*TRACKER, "--version"], False),
        "log --json, cold": ([*TRACKER, "log", "--json", doc], True),
        "log, cold": ([*TRACKER, "log", doc], True),
        "log --json, warm": ([*TRACKER, "log", "--json", doc], False),
        "log, warm": ([*TRACKER, "log", doc], False),
        "git log -n 20 -p --word-diff": ([*git_p[:2], "-n", "20", *git_p[2:]], False),
        "log -n 20, cold": ([*TRACKER, "log", "-n", "20", doc], True),
        "log -n 20 --json, cold": ([*TRACKER, "log", "-n", "20", "--json", doc], True),
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, (argv, cold) in commands.items():
            if cold:
                shutil.rmtree(_cache(repo), ignore_errors=True)
            elif name.endswith("warm"):
                subprocess.run(argv, cwd=repo, stdout=subprocess.DEVNULL, check=True, env=env)
            start = time.perf_counter()
            # stderr: git warns that refs/notes/tracker does not exist in such a history.
            subprocess.run(
                argv,
                cwd=repo,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=True,
                env=env,
            )
            times[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in times.items()}


def report(title: str, m: dict[str, float]) -> None:
    peer_cold = m["git log -p --word-diff"]
    peer_warm = m["tracker --version"] + m["git log (metadata)"]
    peer_20 = m["git log -n 20 -p --word-diff"]
    print(f"\n### {title}\n")
    print("| command | median ms | ratio | against |")
    print("|---|---|---|---|")
    for name, value in m.items():
        if name.startswith(("git", "tracker --version")):
            print(f"| `{name}` | {value:.1f} | | |")
    for name, peer, against in (
        ("log --json, cold", peer_cold, "git log -p --word-diff"),
        ("log, cold", peer_cold, "git log -p --word-diff"),
        ("log --json, warm", peer_warm, "--version + git log (metadata)"),
        ("log, warm", peer_warm, "--version + git log (metadata)"),
        ("log -n 20, cold", peer_20, "git log -n 20 -p --word-diff"),
        ("log -n 20 --json, cold", peer_20, "git log -n 20 -p --word-diff"),
    ):
        print(f"| `tracker {name}` | {m[name]:.1f} | {m[name] / peer:.2f} | {against} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    histories = {
        "markdown-660 (GUIDE.md, 660 revisions, 130 KB)": markdown_history,
        "system-design-primer README.md (208 revisions)": lambda: corpus(
            "system-design-primer.README"
        ),
        "pep-0008 (150 revisions)": lambda: corpus("pep-0008"),
    }
    for title, build in histories.items():
        if args.only and args.only not in title:
            continue
        repo, doc = build()
        report(title, measure(repo, doc, args.runs))


if __name__ == "__main__":
    main()


def corpus_with_merges(name: str, repo: Path) -> tuple[Path, str, dict[str, dict[str, str]]]:
    """A shared corpus rebuilt with its merges as real merge commits: each merge's side
    branch starts at the first parent and has one commit per entry of ``merged`` (its
    author, date and message), which together make the merge's text, a share of the
    changed lines each. Returns (repository, document, what each merge should show:
    {merge subject: {"author": first branch commit's author, "merged_by": ...}})."""
    import difflib
    import gzip
    import json

    from histories import SHARED, _commit, _fast_import

    with gzip.open(SHARED / f"{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    stream: list[bytes] = []
    expected: dict[str, dict[str, str]] = {}
    previous = ""
    for index, r in enumerate(records):
        message = r["subject"] + ("\n\n" + r["body"] if r.get("body") else "") + "\n"
        who = f"{r['author_name']} <{r['author_email']}>"
        if r["is_merge"] and r["merged"] and previous:
            branch = f"refs/heads/pr{index}"
            stream.append(f"reset {branch}\nfrom refs/heads/main\n\n".encode())
            old, new = previous.splitlines(True), r["text"].splitlines(True)
            edits = [
                op
                for op in difflib.SequenceMatcher(None, old, new).get_opcodes()
                if op[0] != "equal"
            ]
            side = r["merged"]
            first_author = ""
            for k, commit in enumerate(side):
                applied = edits[: max(1, len(edits) * (k + 1) // len(side))]
                text, at = [], 0
                for _tag, i1, i2, j1, j2 in applied:
                    text += old[at:i1] + new[j1:j2]
                    at = i2
                text = "".join(text + old[at:]) if k < len(side) - 1 else r["text"]
                side_who = f"{commit['author_name']} <{commit['author_email']}>"
                side_message = commit["subject"] + (
                    "\n\n" + commit["body"] if commit.get("body") else ""
                )
                if not first_author and text != previous:
                    first_author = side_who
                stream.append(
                    _commit(
                        side_who, commit["author_date"], side_message + "\n", r["path"], text
                    ).replace(b"refs/heads/main", branch.encode(), 1)
                )
            merge = _commit(who, r["author_date"], message, r["path"], r["text"])
            merge = merge.replace(b"\ndeleteall\n", f"\nmerge {branch}\ndeleteall\n".encode(), 1)
            stream.append(merge)
            expected[r["subject"]] = {"author": first_author or who, "merged_by": who}
        else:
            stream.append(_commit(who, r["author_date"], message, r["path"], r["text"]))
        previous = r["text"]
    return _fast_import(repo, b"".join(stream)), records[-1]["path"], expected
