"""Moved paragraphs: found deterministically, rebuilt exactly, recorded and verified."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.diff import diff_texts, word_changes
from tracker.model import Span
from tracker.moves import accounts, flattened, rebuild_problem
from tracker.notes import changes_from_record, compose_message, parse_message
from tracker.region import changes_between

from conftest import git, run_cli

# Paragraphs of distinct words (so that only a moved paragraph is similar to its source).
_VOCAB = [f"{a}{b}" for a in ("ka", "lo", "mu", "ne", "pi", "ro", "su", "te") for b in "aeiou"]


def paragraph(seed: int, words: int = 14) -> str:
    rng = random.Random(seed)
    body = " ".join(rng.choice(_VOCAB) + str(seed) for _ in range(words))
    return body[0].upper() + body[1:] + "."


def article(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


def edit_words(text: str, share: float, seed: int) -> str:
    """``text`` with ``share`` of its words replaced by new ones."""
    rng = random.Random(seed)
    words = text.split(" ")
    for at in rng.sample(range(len(words)), round(share * len(words))):
        words[at] = f"new{at}x"
    return " ".join(words)


def moves_of(changes):
    return [c for c in changes if c.is_move]


# -- detection ----------------------------------------------------------------------------


@pytest.mark.parametrize("share", [0.0, 0.15, 0.3])
def test_a_moved_and_edited_paragraph_is_one_move_with_its_edits_inside(share):
    paras = [paragraph(n) for n in range(8)]
    moved = edit_words(paras[1], share, 7)
    old = article(paras)
    new = article(paras[:1] + paras[2:5] + [moved] + paras[5:])
    changes = diff_texts(old, new)
    assert accounts(old, new, changes)
    [move] = moves_of(changes)
    assert move.old.text.startswith(paras[1]) and move.new.text.startswith(moved)
    # The old place falls where the second paragraph began; the new one after ¶5.
    assert move.old_place_in_new == len(paras[0]) + 2
    assert move.new_place_in_old == old.index(paras[5])
    inner = [c for c in changes if c.within == move.index]
    assert len(inner) == len(changes) - 1  # nothing else changed
    assert all(move.new.start <= c.new.start <= c.new.end <= move.new.end for c in inner)
    assert bool(inner) == (share > 0)
    assert [c.index for c in changes] == list(range(1, len(changes) + 1))


def test_an_edit_in_place_is_not_a_move():
    paras = [paragraph(n) for n in range(6)]
    old = article(paras)
    new = article(paras[:2] + [edit_words(paras[2], 0.4, 3)] + paras[3:])
    changes = diff_texts(old, new)
    assert not moves_of(changes) and changes == word_changes(old, new)


def test_a_short_heading_never_moves():
    """A heading of two words at two places is a deletion and an insertion, not a move."""
    paras = [paragraph(n) for n in range(5)]
    old = article(["## Background", *paras])
    new = article([*paras[:3], "## Background", *paras[3:]])
    changes = diff_texts(old, new)
    assert not moves_of(changes)
    assert accounts(old, new, changes)


def test_unrelated_paragraphs_deleted_and_inserted_are_not_a_move():
    paras = [paragraph(n) for n in range(6)]
    old = article(paras)
    new = article(paras[:1] + paras[2:4] + [paragraph(99)] + paras[4:])
    assert not moves_of(diff_texts(old, new))


def test_best_first_pairing_gives_each_paragraph_its_closest_partner():
    """Two similar paragraphs deleted, their edited copies inserted in the other order: each
    pairs with its closer copy (a first-come scan would take the first above threshold)."""
    a = paragraph(1, 20)
    b = edit_words(a, 0.3, 5)  # a near twin of ``a``, itself a different paragraph
    a_moved, b_moved = edit_words(a, 0.1, 8), edit_words(b, 0.1, 9)
    rest = [paragraph(n) for n in range(10, 14)]
    old = article([a, b, *rest])
    new = article([*rest[:2], b_moved, a_moved, *rest[2:]])
    changes = diff_texts(old, new)
    assert accounts(old, new, changes)
    pairs = {(m.old.text.strip(), m.new.text.strip()) for m in moves_of(changes)}
    assert pairs == {(a, a_moved), (b, b_moved)}


def test_equal_candidates_tie_by_reading_order():
    """The same paragraph deleted once and inserted twice, unchanged: the first insertion
    in reading order is the move, the second stays an insertion."""
    paras = [paragraph(n) for n in range(6)]
    twin = paras[1]
    old = article(paras)
    new = article([paras[0], *paras[2:4], twin, paras[4], twin, paras[5]])
    changes = diff_texts(old, new)
    [move] = moves_of(changes)
    assert move.new.start == new.index(twin)
    assert accounts(old, new, changes)


def test_the_region_diff_finds_the_same_moves():
    paras = [paragraph(n) for n in range(9)]
    old = article(paras)
    new = article(paras[:2] + paras[3:7] + [edit_words(paras[2], 0.2, 1)] + paras[7:])
    assert changes_between(old, new) == diff_texts(old, new)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 30), min_size=1, max_size=9),
    st.randoms(use_true_random=False),
    st.sampled_from(["\n\n", "\n", "\r\n\r\n"]),
)
def test_shuffled_and_edited_paragraphs_rebuild_exactly(seeds, rng, sep):
    paras = [paragraph(s, 3 + s % 17) for s in seeds]
    shuffled = paras[:]
    rng.shuffle(shuffled)
    for k in range(len(shuffled)):
        if rng.random() < 0.3:
            shuffled[k] = edit_words(shuffled[k], 0.3 * rng.random(), k)
    if rng.random() < 0.3:
        shuffled.insert(rng.randint(0, len(shuffled)), paragraph(rng.randint(40, 60)))
    old, new = sep.join(paras) + "\n", sep.join(shuffled)
    changes = diff_texts(old, new)
    assert rebuild_problem(old, new, changes) is None
    # Deterministic: the same texts give the same changes, and so does the region diff.
    assert changes_between(old, new) == changes
    assert [c.index for c in changes] == list(range(1, len(changes) + 1))
    for change in changes:
        if change.within is not None:
            move = changes[change.within - 1]
            assert move.is_move and move.index < change.index


# -- the rebuild rule ---------------------------------------------------------------------


def _moved_example():
    paras = [paragraph(n) for n in range(7)]
    old = article(paras)
    new = article(paras[:1] + paras[2:6] + [edit_words(paras[1], 0.2, 4)] + paras[6:])
    return old, new, diff_texts(old, new)


def test_tampered_moves_do_not_rebuild():
    old, new, changes = _moved_example()
    [move] = moves_of(changes)
    at = changes.index(move)
    inner = next(c for c in changes if c.within == move.index)

    def swap(old_change, new_change):
        return [new_change if c is old_change else c for c in changes]

    assert rebuild_problem(old, new, changes) is None
    tampered = [
        swap(move, replace(move, new_place_in_old=move.new_place_in_old - 1)),
        swap(move, replace(move, old_place_in_new=None)),
        swap(inner, replace(inner, within=None)),
        swap(inner, replace(inner, within=at + 99)),
        swap(move, replace(move, old=Span(move.old.start + 1, move.old.end, move.old.text[1:]))),
        [c for c in changes if c is not inner],
    ]
    for changes_ in tampered:
        assert rebuild_problem(old, new, changes_) is not None


def test_a_record_with_a_move_is_version_2_and_reads_back():
    old, new, changes = _moved_example()
    message = compose_message("Move", "", "a.txt", changes)
    record = parse_message(message)[3]
    assert record is not None and record["v"] == 2
    assert changes_from_record(record) == changes
    plain = compose_message("Edit", "", "a.txt", word_changes(old, new))
    assert parse_message(plain)[3]["v"] == 1
    assert "moved " in message.split("\n\n")[1]


# -- through a real store -----------------------------------------------------------------


def tracker(root, *args: str):
    """The real command in the store, as an editor runs it."""
    if args[0] == "record":
        args = (*args, "--author", "Ann Editor <ann@example.org>")
    return run_cli(*args, cwd=root)


def _verify(root) -> dict:
    return json.loads(tracker(root, "verify", "--json").out)


def test_record_show_and_verify_a_move_with_notes(store):
    old, new, _ = _moved_example()
    doc = store.root / "a.txt"
    doc.write_text(old, encoding="utf-8")
    assert tracker(store.root, "add", "a.txt").code == 0
    doc.write_text(new, encoding="utf-8")
    recorded = tracker(
        store.root, "record", "a.txt", "-m", "Move the designation up",
        "--note", "1=Moved the designation up to the lede.", "--category", "1=structure",
        "--note", "2=The agency's own wording.", "--category", "2=factual",
    )  # fmt: skip
    assert recorded.code == 0, recorded.err
    shown = json.loads(tracker(store.root, "show", "HEAD", "--json").out)
    move, inner = shown["changes"][0], shown["changes"][1]
    assert move["kind"] == "move" and move["note"]["category"] == "structure"
    assert {"old_place_in_new", "new_place_in_old"} <= set(move)
    assert inner["within"] == 1 and inner["note"]["text"] == "The agency's own wording."
    assert '"v": 2' in git(store.root, "log", "-1", "--format=%B")
    assert _verify(store.root)["ok"], _verify(store.root)


def test_a_forged_move_and_a_newer_record_are_record_findings(store):
    """A record whose move does not rebuild the text is a finding; so is a record of a
    version this tracker cannot read, said as such (not forged, not plain git)."""
    old, new, changes = _moved_example()
    doc = store.root / "a.txt"
    doc.write_text(old, encoding="utf-8")
    assert tracker(store.root, "add", "a.txt").code == 0
    doc.write_text(new, encoding="utf-8")
    [move] = moves_of(changes)
    forged = [
        replace(c, new_place_in_old=c.new_place_in_old + 3) if c is move else c for c in changes
    ]
    git(store.root, "commit", "-qam", compose_message("Move", "", "a.txt", forged))
    doc.write_text(new.replace(".", "!", 1), encoding="utf-8")
    record = '{"v": 9, "reason": "", "changes": []}'
    git(store.root, "commit", "-qam", f"Edit\n\nTracker-Document: a.txt\nTracker-Record: {record}")
    result = tracker(store.root, "verify", "--json")
    assert "Traceback" not in result.err
    found = [f for f in json.loads(result.out)["findings"] if f["kind"] == "record"]
    assert len(found) == 2, found
    assert "do not rebuild" in found[0]["message"] and "version 9" in found[1]["message"]
    shown = tracker(store.root, "show", "HEAD", "--json")
    assert shown.code == 0 and json.loads(shown.out)["recorded_by_tracker"] is False


def test_the_same_moves_in_every_process():
    """No set or hash order decides a pair: two processes with different hash seeds find
    the same changes for a redraft with several moves and near-twin paragraphs."""
    script = (
        "import json, random, sys; sys.path.insert(0, 'tests');"
        "from test_moves import paragraph, edit_words, article;"
        "from tracker.diff import diff_texts;"
        "rng = random.Random(4); paras = [paragraph(n % 7, 12) for n in range(14)];"
        "new = [edit_words(p, 0.2, k) for k, p in enumerate(paras)]; rng.shuffle(new);"
        "print(json.dumps([c.to_json() for c in diff_texts(article(paras), article(new))]))"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        root = Path(__file__).resolve().parent.parent
        proc = subprocess.run(
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, check=True
        )
        outputs.add(proc.stdout)
    assert len(outputs) == 1 and b'"move"' in outputs.pop()


_SENTENCES = [
    "The committee met on Tuesday to review the budget figures again.",
    "Its chair said the numbers would be published within a week.",
    "Several members asked for an outside audit of the accounts first.",
]


@pytest.mark.parametrize("case", ["between paragraphs", "split off", "merged"])
def test_a_sentence_that_moved_is_a_move(case):
    p = [paragraph(n) for n in range(4)]
    one, two, three = _SENTENCES
    if case == "between paragraphs":
        old = article([p[0], f"{one} {two} {three}", p[1], p[2], p[3] + " Closing words here."])
        new = article([p[0], f"{one} {three}", p[1], p[2], f"{p[3]} {two} Closing words here."])
        moved = two
    elif case == "split off":
        old = article([p[0], f"{one} {two} {three}", p[1], p[2]])
        new = article([p[0], f"{one} {two}", p[1], three, p[2]])
        moved = three
    else:
        old = article([p[0], one, p[1], p[2], p[3]])
        new = article([p[0], p[1], p[2], f"{p[3]} {one}"])
        moved = one
    changes = diff_texts(old, new)
    assert accounts(old, new, changes)
    [move] = moves_of(changes)
    assert move.old.text.strip() == move.new.text.strip() == moved
    # Only the spaces around it changed inside it; nothing else changed anywhere.
    assert all(c.within == move.index and not c.old.text.strip() for c in changes[1:])


def test_flattened_changes_are_in_order_in_both_texts():
    """The view for a face that draws no moves yet: each move a deletion and an insertion
    under its own index, the inner edits left out, in the order of both texts."""
    old, new, changes = _moved_example()
    flat = flattened(changes)
    assert all(c.within is None and not c.is_move for c in flat)
    for a, b in zip(flat, flat[1:], strict=False):
        assert a.old.end <= b.old.start and a.new.end <= b.new.start
    assert accounts(old, new, flat)
    [move] = moves_of(changes)
    assert [c.kind for c in flat if c.index == move.index] in (
        ["delete", "insert"],
        ["insert", "delete"],
    )
