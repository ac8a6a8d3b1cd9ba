"""Disjoint edits of one paragraph by two editors: how many merge, and where they land.

Generated cases (fixed seed): a real paragraph of prose, as one line (the paragraphs of
the shared corpora's last texts, ../shared/corpora, with its line breaks turned into
spaces; synthetic prose from prose.py when the corpora are absent). Two editors each
make one to three edits an editor makes: a word replaced, a phrase of two or three words
replaced, a word deleted (with its space), a word inserted. The two editors' edits touch
different words, with at least one unchanged word between any two of them. Both sides'
changes are what the engine finds (``diff_texts``), as they would be recorded.

Three merges of the same cases:

* **token** (``tracker/sync/threeway.py`` and the replay's faithfulness check, exactly
  what sync runs, without git);
* **line**: ``git merge-file`` (a line-level three-way merge, MediaWiki's granularity);
* **dmp**: diff-match-patch's ``patch_apply`` of the remote's patch to our text.

For each: the share merged automatically, and the share merged *wrongly* (the merge said
it succeeded, but the text is not both edit sets applied: a correction in the wrong place
or lost). A second set is adversarial, the issue's case: one editor changes a word
(a number) in one sentence, the other deletes that sentence, and the same word occurs in
another sentence; the right answer is a refusal.

The cost of a replay with real git: three local revisions (a word or two each) of a
130 KB document replayed onto a remote tip that changed five other paragraphs
(``replay_onto``: objects only), beside ``git rebase`` of the same three commits (the
plain-git peer, which neither checks disjointness nor carries a record), interleaved,
medians of 5.

    python bench/bench_threeway.py [--cases=N] [--no-replay]
"""

from __future__ import annotations

import gzip
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from diff_match_patch import diff_match_patch
from prose import VOCABULARY, make_text

from tracker.diff import diff_texts, word_changes
from tracker.sync.replay import _faithful
from tracker.sync.threeway import Merged, merge

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
CORPORA = ("pep-0008", "system-design-primer.README")
NEW_WORDS = ("seven", "reported", "federal", "Tuesday", "officials", "twelve", "regional")


def paragraphs() -> list[str]:
    """Prose paragraphs of 25 to 200 words, each as one line."""
    texts = []
    for name in CORPORA:
        path = SHARED / f"{name}.jsonl.gz"
        if path.exists():
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                *_, last = (json.loads(line) for line in handle)
            texts.append(last["text"])
    if not texts:
        texts.append(make_text(60_000))
    found = []
    for text in texts:
        for block in re.split(r"\n\s*\n", text):
            if block.lstrip().startswith(("#", "|", "```", "-", "*", ">", "    ", "<", "[")):
                continue  # headings, tables, code, lists, quotes: not a paragraph of prose
            line = " ".join(block.split())
            if 25 <= len(line.split(" ")) <= 200:
                found.append(line)
    return found


def edit(words: list[str], at: int, kind: str, rng: random.Random) -> tuple[int, int, str]:
    """One edit as (first word, end word, replacement words joined)."""
    new = rng.choice(NEW_WORDS)
    if kind == "replace":
        return at, at + 1, new
    if kind == "phrase":
        return at, at + rng.randint(2, 3), " ".join(rng.sample(NEW_WORDS, 2))
    if kind == "delete":
        return at, at + 1, ""
    return at, at, new  # insert before word ``at``


def apply_words(words: list[str], edits: list[tuple[int, int, str]]) -> str:
    out, at = [], 0
    for start, end, new in sorted(edits):
        out += words[at:start]
        out += new.split(" ") if new else []
        at = end
    out += words[at:]
    return " ".join(out)


def make_case(paragraph: str, rng: random.Random, gap: int = 1):
    """(base, ours, theirs, both): two editors' disjoint edits of one paragraph, with at
    least ``gap`` untouched words between any two (0: next to each other, an insertion
    never right before or after another edit's words)."""
    words = paragraph.split(" ")
    kinds = ("replace", "replace", "phrase", "delete", "insert")
    count = rng.randint(2, 5)
    taken: list[tuple[int, int]] = []
    edits: list[tuple[int, int, str]] = []
    for _ in range(count * 5):
        if len(edits) == count:
            break
        at = rng.randrange(len(words) - 3)
        start, end, new = edit(words, at, rng.choice(kinds), rng)
        lo, hi = start - gap, end + gap
        if any(lo < e and s < hi or (start == end or s == e) and lo <= e and s <= hi
               for s, e in taken):  # fmt: skip
            continue
        taken.append((start, end))
        edits.append((start, end, new))
    if len(edits) < 2:
        return None
    rng.shuffle(edits)
    split = rng.randint(1, len(edits) - 1)
    ours, theirs = edits[:split], edits[split:]
    return (
        paragraph,
        apply_words(words, ours),
        apply_words(words, theirs),
        apply_words(words, edits),
    )


def adversarial_case(paragraph: str, rng: random.Random):
    """Ours changes a number in one sentence, theirs deletes that sentence, and the
    same number stands in another sentence."""
    sentences = re.split(r"(?<=\.) ", paragraph)
    if len(sentences) < 2:
        return None
    k = rng.randrange(len(sentences))
    other = (k + 1) % len(sentences)
    number = str(rng.randint(2, 9))
    sentences[k] = f"{sentences[k][:-1]} by {number} percent."
    sentences[other] = f"{sentences[other][:-1]} by {number} percent."
    base = " ".join(sentences)
    at = base.index(sentences[k]) + len(sentences[k]) - len(" percent.")
    ours = base[: at - 1] + str(int(number) + 2) + base[at:]
    theirs = " ".join(s for i, s in enumerate(sentences) if i != k)
    return base, ours, theirs, None


def token_merge(base: str, ours: str, theirs: str) -> str | None:
    result = merge(base, diff_texts(base, ours), word_changes(base, theirs))
    if not isinstance(result, Merged) or not _faithful(theirs, result):
        return None
    return result.text


def line_merge(base: str, ours: str, theirs: str, folder: Path) -> str | None:
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        (folder / name).write_text(text + "\n")
    proc = subprocess.run(
        ["git", "merge-file", "-p", "ours", "base", "theirs"],
        cwd=folder, capture_output=True, text=True,
    )  # fmt: skip
    return proc.stdout[:-1] if proc.returncode == 0 else None


def dmp_merge(base: str, ours: str, theirs: str) -> str | None:
    engine = diff_match_patch()
    patches = engine.patch_make(base, theirs)
    text, applied = engine.patch_apply(patches, ours)
    return text if all(applied) else None


def tally(cases, merge_of) -> tuple[int, int, float]:
    merged = wrong = 0
    start = time.perf_counter()
    for base, ours, theirs, both in cases:
        result = merge_of(base, ours, theirs)
        if result is None:
            continue
        merged += 1
        if both is None or result != both:
            wrong += 1
    return merged, wrong, (time.perf_counter() - start) * 1000 / max(len(cases), 1)


def replay_cost(runs: int = 5) -> None:
    """Median milliseconds of replay_onto and of git rebase on the same divergence."""
    from tracker.identity import Identity
    from tracker.recording import init_store, record
    from tracker.store import Store
    from tracker.sync.replay import replay_onto

    ann, bob = Identity("Ann", "ann@example.org"), Identity("Bob", "bob@example.org")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        text = make_text(130_000)
        remote = init_store(root / "remote", ann, "2025-06-05T10:00:00+00:00")
        (remote.root / "doc.md").write_text(text)
        record(remote, "doc.md", "Add", identity=ann, date="2025-06-05T10:01:00+00:00")
        subprocess.run(["git", "clone", "-q", str(remote.root), str(root / "local")], check=True)
        local = Store.open(root / "local")
        parts = text.split("\n\n")
        theirs = list(parts)
        for k in range(5):
            at = 10 + 7 * k
            theirs[at] = theirs[at].replace(" ", " REMOTE ", 1)
        (remote.root / "doc.md").write_text("\n\n".join(theirs))
        record(remote, "doc.md", "Remote", identity=ann, date="2025-06-05T10:02:00+00:00")
        mine, revisions = list(parts), []
        for k in range(3):
            at = 60 + 9 * k
            mine[at] = mine[at].replace(" ", " LOCAL ", 1)
            (local.root / "doc.md").write_text("\n\n".join(mine))
            revisions.append(
                record(local, "doc.md", f"Local {k}", identity=bob,
                       date=f"2025-06-05T10:0{3 + k}:00+00:00")
            )  # fmt: skip
        git = ["git", "-C", str(local.root)]
        subprocess.run(
            [*git, "fetch", "-q", "origin", "+main:refs/remotes/origin/main"], check=True
        )
        onto = subprocess.run(
            [*git, "rev-parse", "refs/remotes/origin/main"], capture_output=True, text=True
        ).stdout.strip()
        times: dict[str, list[float]] = {"replay_onto": [], "git rebase": []}
        for _ in range(runs):
            start = time.perf_counter()
            replay_onto(local, revisions, onto, ann)
            times["replay_onto"].append((time.perf_counter() - start) * 1000)
            subprocess.run([*git, "checkout", "-q", "-B", "scratch", revisions[-1]], check=True)
            start = time.perf_counter()
            subprocess.run([*git, "rebase", "-q", onto], check=True, capture_output=True)
            times["git rebase"].append((time.perf_counter() - start) * 1000)
            subprocess.run([*git, "checkout", "-q", "main"], check=True)
        for name, values in times.items():
            print(f"{name:12} {statistics.median(values):8.1f} ms (median of {runs})")


def main(argv: list[str]) -> int:
    count = next((int(a.split("=", 1)[1]) for a in argv if a.startswith("--cases=")), 1000)
    rng = random.Random(10)
    pool = paragraphs()
    assert VOCABULARY  # synthetic prose stands in when the corpora are absent
    cases, adjacent, adversarial = [], [], []
    while len(cases) < count:
        case = make_case(rng.choice(pool), rng)
        if case is not None:
            cases.append(case)
    while len(adjacent) < count:
        case = make_case(rng.choice(pool), rng, gap=0)
        if case is not None:
            adjacent.append(case)
    while len(adversarial) < count // 5:
        case = adversarial_case(rng.choice(pool), rng)
        if case is not None:
            adversarial.append(case)
    with tempfile.TemporaryDirectory() as folder:
        merges = {
            "token (tracker)": token_merge,
            "line (git merge-file)": lambda b, o, t: line_merge(b, o, t, Path(folder)),
            "dmp patch_apply": dmp_merge,
        }
        print(f"{len(pool)} paragraphs; {len(cases)} cases a word apart, {len(adjacent)} "
              f"side by side, {len(adversarial)} adversarial")  # fmt: skip
        print(f"{'merge':22} {'apart':>7} {'wrong':>5} {'adjacent':>8} {'wrong':>5} "
              f"{'advers.':>7} {'wrong':>5} {'ms/case':>7}")  # fmt: skip
        for name, merge_of in merges.items():
            merged, wrong, ms = tally(cases, merge_of)
            near, near_wrong, _ = tally(adjacent, merge_of)
            adv_merged, adv_wrong, _ = tally(adversarial, merge_of)
            print(
                f"{name:22} {100 * merged / len(cases):6.1f}% {wrong:5d} "
                f"{100 * near / len(adjacent):7.1f}% {near_wrong:5d} "
                f"{100 * adv_merged / len(adversarial):6.1f}% {adv_wrong:5d} {ms:7.2f}"
            )
    if "--no-replay" not in argv:
        replay_cost()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
