"""The bounded engine (issue 9): large gaps anchored, clusters kept whole, answers kept.

test_diff.py proves every diff rebuilds its texts; these pin what issue 9 changed: a
redraft or a long one-line rewrite is anchored instead of searched whole, and still
rebuilds, stays deterministic and keeps a one-word edit one change; no change boundary
falls inside a grapheme cluster (checked against ``unicodedata``, not the tokenizer's
own table); the linear cleanup gives what the quadratic one gave; and adjacent
revisions of a real history never leave the exact path, so their changes are the same
as before issue 9.
"""

from __future__ import annotations

import json
import lzma
import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_diff import rebuild

from tracker import diff as engine
from tracker.diff import diff_texts, word_changes
from tracker.text import clusters
from tracker.text.tokens import _clustered_tokens, tokenize

from conftest import REPO_ROOT

# --- grapheme clusters -----------------------------------------------------------------

_ZWJ = "\u200d"
_CONTROLS = {"\r", "\n", "\t", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028"}


def _extends(char: str) -> bool:
    """Extend or SpacingMark for UAX #29, from unicodedata (independent of clusters.py)."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Mn", "Me", "Mc")
        or char in ("\u200c", _ZWJ)
        or 0x1F3FB <= code <= 0x1F3FF
        or 0xE0020 <= code <= 0xE007F
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _inside_cluster(text: str, at: int) -> bool:
    """Whether ``at`` cuts a grapheme cluster of ``text`` (GB3, GB4/5, GB9, GB11, GB12/13)."""
    if at <= 0 or at >= len(text):
        return False
    before, char = text[at - 1], text[at]
    if before == "\r" and char == "\n":
        return True  # GB3
    if before in _CONTROLS:
        return False  # GB4
    if _extends(char):
        return True  # GB9, GB9a
    if before == _ZWJ and unicodedata.category(char) == "So":
        # GB11: an emoji, its extenders, ZWJ, an emoji (every emoji below is So).
        k = at - 2
        while k >= 0 and _extends(text[k]) and text[k] != _ZWJ:
            k -= 1
        return k >= 0 and unicodedata.category(text[k]) == "So"
    if _regional(char) and _regional(before):
        run = 0
        while at - run - 1 >= 0 and _regional(text[at - run - 1]):
            run += 1
        return run % 2 == 1  # GB12, GB13: a flag is two indicators
    return False


_cluster_pieces = st.sampled_from(
    ["e", "e\u0301", "e\u0300", "\u00e8", "\u0301", " ", "\n", "\r\n", "word", "caf",
     "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\U0001f468\u200d\U0001f469",
     "\U0001f44d", "\U0001f3fd", "\U0001f3ff", "\u263a\ufe0f", "\ufe0f", "\U0001f1eb",
     "\U0001f1f7", "\U0001f1e9\U0001f1ea", "\u0939\u093f\u0928\u094d\u0926\u0940", "\u200d",
     ".", "’", "s", "1\ufe0f\u20e3", " \u0301", "\U000e0067"]
)  # fmt: skip
cluster_text = st.lists(_cluster_pieces, max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(cluster_text, cluster_text)
def test_no_change_boundary_falls_inside_a_grapheme_cluster(old, new):
    changes = word_changes(old, new)
    assert rebuild(old, new, changes) == (old, new)
    for change in changes:
        for text, span in ((old, change.old), (new, change.new)):
            assert not _inside_cluster(text, span.start), (text, span)
            assert not _inside_cluster(text, span.end), (text, span)


@settings(max_examples=200, deadline=None)
@given(cluster_text)
def test_tokens_end_only_between_clusters_and_the_fast_path_agrees(text):
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert tokens == _clustered_tokens(text)  # the windowed split = the whole-text one
    at = 0
    for token in tokens[:-1]:
        at += len(token)
        assert not _inside_cluster(text, at), (text, tokens)


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        # An accent changed: the whole letter, combining or precomposed.
        ("caf e\u0301 noir", "caf e\u0300 noir", ("e\u0301", "e\u0300")),
        ("d\u00e9j\u00e0 vu", "de\u0301j\u00e0 vu", ("d\u00e9j\u00e0", "de\u0301j\u00e0")),
        # A member of a ZWJ family, a skin tone, a flag: the whole emoji.
        (
            "we \U0001f468\u200d\U0001f469\u200d\U0001f467 here",
            "we \U0001f468\u200d\U0001f469\u200d\U0001f466 here",
            (
                "\U0001f468\u200d\U0001f469\u200d\U0001f467",
                "\U0001f468\u200d\U0001f469\u200d\U0001f466",
            ),
        ),
        ("ok \U0001f44d\U0001f3fd!", "ok \U0001f44d\U0001f3ff!",
         ("\U0001f44d\U0001f3fd", "\U0001f44d\U0001f3ff")),
        ("in \U0001f1eb\U0001f1f7\U0001f1e9\U0001f1ea",
         "in \U0001f1eb\U0001f1f7\U0001f1ee\U0001f1f9",
         ("\U0001f1e9\U0001f1ea", "\U0001f1ee\U0001f1f9")),
        # A variation selector added: the symbol with it.
        ("smile \u263a now", "smile \u263a\ufe0f now", ("\u263a", "\u263a\ufe0f")),
        # A mark after a space joins the space, not the word after it.
        ("a \u0301b", "a \u0300b", (" \u0301", " \u0300")),
    ],
)  # fmt: skip
def test_a_changed_cluster_is_changed_whole(old, new, changed):
    (change,) = diff_texts(old, new)
    assert (change.old.text, change.new.text) == changed


def test_a_mark_after_a_line_break_is_its_own_cluster():
    # GB4: nothing joins a line break, so the mark stands alone and the CRLF stays whole.
    assert tokenize("a\r\n\u0301b") == ["a", "\r\n", "\u0301", "b"]
    assert tokenize("x\u200d\U0001f600") == ["x\u200d", "\U0001f600"]  # GB11 needs an emoji


def test_the_mark_table_is_this_unicode_s_marks():
    """clusters.MARKS is every Mn, Me and Mc character of its Unicode version."""
    if unicodedata.unidata_version != clusters.UNICODE_VERSION:
        # A newer Unicode only adds marks; every listed one must still be a mark.
        for first, last in clusters.MARKS:
            for code in (first, last):
                assert unicodedata.category(chr(code)) in ("Mn", "Me", "Mc"), hex(code)
        pytest.skip(f"table is Unicode {clusters.UNICODE_VERSION}; regenerate it for this one")
    assert list(clusters.MARKS) == clusters._marks_now()


# --- large gaps are anchored -----------------------------------------------------------


def _words(rng: random.Random, count: int, vocabulary: list[str]) -> list[str]:
    return [rng.choice(vocabulary) for _ in range(count)]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return sorted({"".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(size)})


def test_a_one_word_edit_in_a_long_rewritten_line_is_one_change():
    """One line of 5,000 words: a new opening sentence and one word changed far inside.
    The gap is the whole line (neither end is shared), far over the exact budget; the
    anchors must still find the one word."""
    rng = random.Random(7)
    words = _words(rng, 5000, _vocabulary(rng, 3000))
    old = " ".join(words) + "\n"
    edited = list(words)
    edited[3000] = "CHANGED"
    new = "A brand new opening sentence here. " + " ".join(edited) + "\n"
    changes = word_changes(old, new)
    assert rebuild(old, new, changes) == (old, new)
    assert [(c.kind, c.old.text, c.new.text) for c in changes] == [
        ("insert", "", "A brand new opening sentence here. "),
        ("replace", words[3000], "CHANGED"),
    ]


def _redraft(seed: int, shuffle: bool) -> tuple[str, str]:
    """Paragraphs (shuffled or not), some cut or merged, a quarter of the words replaced."""
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, 600)
    paragraphs = [" ".join(_words(rng, rng.randint(20, 60), vocabulary)) for _ in range(60)]
    redrafted: list[str] = []
    for para in rng.sample(paragraphs, len(paragraphs)) if shuffle else paragraphs:
        tokens = para.split()
        tokens = [rng.choice(vocabulary) if rng.random() < 0.25 else t for t in tokens]
        if rng.random() < 0.1:
            continue
        if redrafted and rng.random() < 0.15:
            redrafted[-1] += " " + " ".join(tokens)
        else:
            redrafted.append(" ".join(tokens))
    return "\n\n".join(paragraphs) + "\n", "\n\n".join(redrafted) + "\n"


@pytest.mark.parametrize(("seed", "shuffle"), [(1, True), (2, False)])
def test_a_redraft_takes_the_anchored_path_and_rebuilds_deterministically(
    seed, shuffle, monkeypatch
):
    old, new = _redraft(seed, shuffle)
    anchored = []
    real = engine._anchor_runs
    monkeypatch.setattr(engine, "_anchor_runs", lambda *a: anchored.append(1) or real(*a))
    changes = word_changes(old, new)  # the engine alone: moves are found after it
    assert anchored, "a redraft of 2,500 words should be over the exact budget"
    assert rebuild(old, new, changes) == (old, new)
    assert [c.anchor for c in word_changes(old, new)] == [c.anchor for c in changes]
    if not shuffle:
        # Readable: with three words in four kept in place, most of the text is shown
        # unchanged (a paragraph moved out of order is a deletion and an insertion).
        changed = sum(len(c.new.text) for c in changes)
        assert changed < 0.5 * len(new)


def test_adjacent_revisions_of_a_real_history_stay_on_the_exact_path(monkeypatch):
    """The PEP 8 fixture's adjacent pairs never reach the anchors, so their changes are
    diff-match-patch's as before issue 9 (bench/compare_engines.py checks the shared
    corpora the same way, against main)."""
    path = REPO_ROOT / "tests" / "fixtures" / "pep-0008.cut.jsonl.xz"
    with lzma.open(path, "rt", encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line in handle]

    def refuse(*args: object) -> list:
        raise AssertionError("an adjacent pair left the exact path")

    monkeypatch.setattr(engine, "_anchor_runs", refuse)
    for old, new in zip(texts, texts[1:], strict=False):
        word_changes(old, new)


def test_the_heaviest_chain_prefers_more_words_over_more_runs():
    # (start in a, start in b, length, words): one long run crossed by two short ones.
    runs = [(0, 10, 2, 2), (2, 12, 2, 2), (5, 0, 9, 5)]
    assert engine._heaviest_chain(sorted(runs)) == [(5, 0, 9)]
    runs = [(0, 0, 3, 2), (3, 3, 3, 2), (1, 10, 2, 3)]
    assert engine._heaviest_chain(sorted(runs)) == [(0, 0, 3), (3, 3, 3)]


# --- the cleanup: linear, and the same as the quadratic walk -------------------------


def _reference_cleanup(diffs, weight):  # type: ignore[no-untyped-def]
    """The cleanup as it was before issue 9 (diff-match-patch's walk, in words)."""
    diffs = [list(d) for d in diffs]
    changed = False
    equalities: list[int] = []
    last_equality = None
    before_ins = before_del = after_ins = after_del = 0
    i = 0
    while i < len(diffs):
        op, chars = diffs[i]
        if op == 0:
            equalities.append(i)
            before_ins, before_del, after_ins, after_del = after_ins, after_del, 0, 0
            last_equality = chars
        else:
            if op == 1:
                after_ins += weight(chars)
            else:
                after_del += weight(chars)
            if last_equality is not None and weight(last_equality) < min(
                max(before_ins, before_del), max(after_ins, after_del)
            ):
                at = equalities.pop()
                diffs[at] = [-1, last_equality]
                diffs.insert(at + 1, [1, last_equality])
                if equalities:
                    equalities.pop()
                i = equalities[-1] if equalities else -1
                before_ins = before_del = after_ins = after_del = 0
                last_equality = None
                changed = True
        i += 1
    result = [(op, chars) for op, chars in diffs]
    if changed:
        engine._DMP.diff_cleanupMerge(result)
    return result


_segment = st.tuples(st.sampled_from([-1, 0, 1]), st.text("abcAB ", min_size=1, max_size=6))


@settings(max_examples=200, deadline=None)
@given(st.lists(_segment, max_size=30))
def test_the_linear_cleanup_gives_what_the_quadratic_walk_gave(diffs):
    # Well-formed like diff-match-patch's output: no two equalities in a row.
    merged: list[tuple[int, str]] = []
    for op, chars in diffs:
        if merged and merged[-1][0] == op == 0:
            merged[-1] = (0, merged[-1][1] + chars)
        else:
            merged.append((op, chars))

    def weight(chars: str) -> int:
        return sum(1 for c in chars if c.islower())  # lower-case letters are "words"

    assert engine._semantic_cleanup(merged, weight) == _reference_cleanup(merged, weight)


def _adversarial(shape: str) -> tuple[str, str]:
    rng = random.Random(5)
    if shape == "reversed pairs":  # every anchor crosses every other
        pairs = [f"w{2 * i} w{2 * i + 1}" for i in range(800)]
        return " ".join(pairs), " ".join(reversed(pairs))
    if shape == "twenty words":  # no token rare enough to anchor on
        vocabulary = [f"w{i}" for i in range(20)]
        return (
            " ".join(rng.choice(vocabulary) for _ in range(3000)),
            " ".join(rng.choice(vocabulary) for _ in range(3000)),
        )
    return "a b " * 1500, "b a " * 1500  # a shift by one word: two edits


@pytest.mark.parametrize("shape", ["reversed pairs", "twenty words", "shift"])
def test_gaps_with_no_good_anchor_still_rebuild(shape):
    old, new = _adversarial(shape)
    changes = word_changes(old, new)
    assert rebuild(old, new, changes) == (old, new)
    if shape == "shift":
        assert [(c.kind, c.old.text, c.new.text) for c in changes] == [
            ("delete", "a ", ""),
            ("insert", "", "a "),
        ]
