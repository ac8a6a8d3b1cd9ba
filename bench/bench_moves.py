"""Moved paragraphs: precision and recall on a labelled set, and what finding them costs.

The labelled set is built from the real paragraphs of the shared corpora
(/work/shared/corpora, each revision's text as it was):

* **moves** (label: the paragraph's old start and its new start): a paragraph of at least
  ``MIN_WORDS`` words is cut from a real revision and pasted two or more paragraphs
  away, with 0-30% of its words edited (replaced by words of the same document, deleted,
  or a word inserted);
* **no move, synthetic**: the same revisions with a paragraph edited in place (up to 50%
  of its words), deleted, replaced by a paragraph of another revision, a new paragraph
  inserted, or a paragraph deleted and another, different one inserted elsewhere (the
  case a careless pairing calls a move);
* **real adjacent revisions**: every pair of consecutive revisions of both corpora. They
  carry no label of their own: an exact oracle marks those where an unchanged paragraph
  visibly changed places, and the others are counted as "no move"; every move reported
  on them is listed with its commit subject, to be read.

A reported move is right when its old and new ranges each overlap the labelled ones by
more than half of both.
Costs: ``diff_texts`` (with moves) beside ``word_changes`` (the same diff without them),
interleaved in one run, medians, on a 100 KB document with a few edits, with one moved
and edited paragraph, and with all its paragraphs shuffled (a redraft).

    python bench/bench_moves.py [--quick] [--threshold=0.5] [--no-cost]
"""

from __future__ import annotations

import gzip
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tracker import diff as engine  # noqa: E402
from tracker import moves  # noqa: E402
from tracker.moves import _WORD, MIN_WORDS  # noqa: E402
from tracker.where import Places  # noqa: E402

CORPORA = Path("/work/shared/corpora")
NAMES = ("system-design-primer.README", "pep-0008")


def revisions(name: str) -> list[dict]:
    with gzip.open(CORPORA / f"{name}.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def paragraphs(text: str) -> list[str]:
    """The text as its units (paragraph plus the blank line after it), as moves sees it."""
    return [text[s:e] for s, e in Places(text).units()]


def words_of(text: str) -> int:
    """Words as the detector counts them (runs of word characters)."""
    return len(_WORD.findall(text))


def edit(paragraph: str, share: float, rng: random.Random, vocabulary: list[str]) -> str:
    """Replace, delete or insert ``share`` of a paragraph's words (its line breaks kept)."""
    body = paragraph.rstrip("\n")
    tail = paragraph[len(body) :]
    words = body.split(" ")
    for _ in range(round(share * len(words))):
        at = rng.randrange(len(words))
        roll = rng.random()
        if roll < 0.6:
            words[at] = rng.choice(vocabulary)
        elif roll < 0.8 and len(words) > 1:
            del words[at]
        else:
            words.insert(at, rng.choice(vocabulary))
    return " ".join(words) + tail


def moves_of(changes) -> list:
    return [c for c in changes if c.is_move]


def positives(texts: list[str], count: int, rng: random.Random) -> list[tuple]:
    """(old, new, old range, new range, share) of synthetic moves."""
    cases = []
    while len(cases) < count:
        text = rng.choice(texts)
        units = paragraphs(text)
        eligible = [k for k, u in enumerate(units) if words_of(u) >= MIN_WORDS]
        if len(units) < 6 or not eligible:
            continue
        k = rng.choice(eligible)
        share = rng.choice([0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3])
        vocabulary = text.split()
        moved = edit(units[k], share, rng, vocabulary)
        if not moved.endswith("\n"):
            continue  # the last unit, without a line break: pasted elsewhere it would merge
        rest = units[:k] + units[k + 1 :]
        to = rng.choice([j for j in range(len(rest) + 1) if abs(j - k) >= 2])
        if to == len(rest) and not rest[-1].endswith("\n"):
            continue
        new_units = rest[:to] + [moved] + rest[to:]
        old_start = sum(map(len, units[:k]))
        new_start = sum(map(len, new_units[:to]))
        cases.append(
            ("".join(units), "".join(new_units), (old_start, old_start + len(units[k])),
             (new_start, new_start + len(moved)), share)
        )  # fmt: skip
    return cases


def negatives(texts: list[str], count: int, rng: random.Random) -> list[tuple[str, str, str]]:
    """(old, new, what) of synthetic revisions without a move."""
    cases = []
    kinds = ["edit in place", "delete", "replace", "insert", "delete and insert elsewhere"]
    while len(cases) < count:
        text = rng.choice(texts)
        units = paragraphs(text)
        if len(units) < 6:
            continue
        other = paragraphs(rng.choice(texts))
        stranger = rng.choice(other)
        if stranger in units or not stranger.endswith("\n"):
            continue
        k = rng.randrange(len(units) - 1)
        what = kinds[len(cases) % len(kinds)]
        new_units = units[:]
        if what == "edit in place":
            new_units[k] = edit(units[k], rng.uniform(0.05, 0.5), rng, text.split())
        elif what == "delete":
            del new_units[k]
        elif what == "replace":
            new_units[k] = stranger
        elif what == "insert":
            new_units.insert(k, stranger)
        else:
            del new_units[k]
            new_units.insert(rng.choice([j for j in range(len(new_units)) if abs(j - k) >= 2]),
                             stranger)  # fmt: skip
        cases.append(("".join(units), "".join(new_units), what))
    return cases


def exact_move(old: str, new: str) -> bool:
    """The oracle for real revisions: a paragraph found once, unchanged, in both texts
    whose order among such paragraphs changed."""
    a, b = paragraphs(old), paragraphs(new)
    once_a = {u for u in a if a.count(u) == 1 and words_of(u) >= MIN_WORDS}
    once_b = {u for u in b if b.count(u) == 1}
    common = once_a & once_b
    order_a = [u for u in a if u in common]
    order_b = [u for u in b if u in common]
    return engine._longest_increasing(
        sorted((i, order_b.index(u)) for i, u in enumerate(order_a))
    ) != list(zip(range(len(order_a)), [order_b.index(u) for u in order_a], strict=True))


def mostly(label: tuple[int, int], found: tuple[int, int]) -> bool:
    """The found range and the labelled one overlap by more than half of each: where the
    pasted paragraph meets its neighbours, a unit may start or end a line off."""
    shared = min(label[1], found[1]) - max(label[0], found[0])
    return shared * 2 > label[1] - label[0] and shared * 2 > found[1] - found[0]


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        engine._changes_cached.cache_clear()
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def costs(text: str, rng: random.Random, runs: int) -> list[tuple[str, float, float, int]]:
    units = paragraphs(text)
    big = [k for k, u in enumerate(units) if words_of(u) >= 20 and u.endswith("\n")]
    few = units[:]
    for k in rng.sample(range(len(units)), 5):
        few[k] = edit(units[k], 0.1, rng, text.split())
    k = big[len(big) // 3]
    moved = units[:k] + units[k + 1 :]
    moved.insert(len(moved) * 2 // 3, edit(units[k], 0.2, rng, text.split()))
    shuffled = units[:-1]
    rng.shuffle(shuffled)
    shuffled.append(units[-1])
    cases = {
        "5 paragraphs edited, no move": "".join(few),
        "1 paragraph moved, 20% edited": "".join(moved),
        "every paragraph shuffled (redraft)": "".join(shuffled),
    }
    rows = []
    for what, new in cases.items():
        alone: list[float] = []
        with_moves: list[float] = []
        # The redraft takes seconds a diff (issue 9, part 1): fewer runs of it.
        for _ in range(runs if "redraft" not in what else max(3, runs // 3)):  # A B A B ...
            alone += timed(lambda new=new: engine.word_changes(text, new), 1)
            with_moves += timed(lambda new=new: engine.diff_texts(text, new), 1)
        found = len(moves_of(engine.diff_texts(text, new)))
        rows.append((what, statistics.median(alone), statistics.median(with_moves), found))
    return rows


def main() -> None:
    quick = "--quick" in sys.argv
    for arg in sys.argv[1:]:
        if arg.startswith("--threshold="):  # to explore the trade-off, not the default
            moves.THRESHOLD = float(arg.partition("=")[2])
    if not CORPORA.exists():
        sys.exit(f"{CORPORA} is missing: the labelled set is built from the shared corpora")
    rng = random.Random(9)
    history = {name: revisions(name) for name in NAMES}
    texts = [r["text"] for recs in history.values() for r in recs[:: 6 if quick else 3]]
    texts = [t for t in texts if len(paragraphs(t)) >= 6]

    count = 100 if quick else 520
    right = reported = 0
    missed_by_share: dict[float, list[int]] = {}
    started = time.perf_counter()
    for old, new, old_range, new_range, share in positives(texts, count, rng):
        found = moves_of(engine.diff_texts(old, new))
        reported += len(found)
        hit = any(
            mostly(old_range, (m.old.start, m.old.end))
            and mostly(new_range, (m.new.start, m.new.end))
            for m in found
        )
        right += hit
        missed_by_share.setdefault(share, [0, 0])
        missed_by_share[share][0] += hit
        missed_by_share[share][1] += 1
    false_synthetic = 0
    by_kind: dict[str, list[int]] = {}
    negative_cases = negatives(texts, count, rng)
    for old, new, what in negative_cases:
        found = len(moves_of(engine.diff_texts(old, new))) > 0
        false_synthetic += found
        by_kind.setdefault(what, [0, 0])
        by_kind[what][0] += found
        by_kind[what][1] += 1
    real_pairs = real_false = oracle_moves = 0
    listed = []
    for name, recs in history.items():
        for before, after in zip(recs, recs[1:], strict=False):
            old, new = before["text"], after["text"]
            if old == new:
                continue
            real_pairs += 1
            found = moves_of(engine.diff_texts(old, new))
            if exact_move(old, new):
                oracle_moves += 1
            elif found:
                real_false += 1
            if found:
                listed.append((name, after["index"], after["subject"][:60], len(found)))
    elapsed = time.perf_counter() - started

    precision_base = reported + false_synthetic
    print(f"labelled set: {count} synthetic moves, {len(negative_cases)} synthetic revisions "
          f"without a move, {real_pairs} real adjacent revisions; {elapsed:.1f} s")  # fmt: skip
    print(f"recall    {right}/{count} = {right / count:.3f}")
    print(
        f"precision {right}/{precision_base} = {right / max(precision_base, 1):.3f} "
        "(moves reported on the moves and the synthetic no-move set)"
    )
    for share, (hit, total) in sorted(missed_by_share.items()):
        print(f"  {share:.0%} edited: {hit}/{total}")
    print(f"false moves, synthetic: {false_synthetic}/{len(negative_cases)} = "
          f"{false_synthetic / len(negative_cases):.2%}")  # fmt: skip
    for what, (found, total) in by_kind.items():
        print(f"  {what}: {found}/{total}")
    print(f"real revisions: {oracle_moves} with an exact move (oracle); moves reported on "
          f"{real_false} of the other {real_pairs - oracle_moves} "
          f"= {real_false / max(real_pairs - oracle_moves, 1):.2%}; all reported:")  # fmt: skip
    for name, index, subject, n in listed:
        print(f"  {name} #{index} ({n} move(s)): {subject}")

    if "--no-cost" in sys.argv:
        return
    text = max((r["text"] for r in history[NAMES[0]]), key=len)
    while len(text) < 100_000:
        text += "\n" + text
    text = text[:100_000]
    text = text[: text.rfind("\n\n") + 2]
    print(f"\ncost on a {len(text) // 1000} KB document (medians, ms, interleaved):")
    print(f"  {'case':38} {'diff alone':>10} {'with moves':>10} {'added':>8}  moves")
    for what, alone, with_moves, found in costs(text, random.Random(3), 3 if quick else 9):
        print(f"  {what:38} {alone:10.1f} {with_moves:10.1f} {with_moves - alone:8.1f}  {found}")


if __name__ == "__main__":
    main()
