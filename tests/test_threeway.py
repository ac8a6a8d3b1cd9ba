"""The token-level three-way merge under replay: disjoint edits of one paragraph merge,
every correction lands on its own tokens, and overlapping edits are refused."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from tracker.diff import word_changes
from tracker.model import Change, Span
from tracker.sync.threeway import Merged, Overlaps, TokenRanges, apply, conflict, merge
from tracker.text.tokens import tokenize

# Base words and inserted words never share a token, so the engine cannot align a new
# word with an old one and the remote's diff is exactly the edits made.
BASE_WORDS = ["prices", "rose", "five", "percent", "in", "May", "the", "mayor", "said"]
NEW_WORDS = ["seven", "governor", "June", "fell", "reported", "NEW"]


def edits_to_changes(base: str, edits: list[tuple[int, int, str]]) -> tuple[str, list[Change]]:
    """Apply (start, end, new text) character edits, sorted and disjoint; return the new
    text and the changes as a record holds them (old in base, new in the new text)."""
    changes, pieces, at, shift = [], [], 0, 0
    for index, (start, end, text) in enumerate(sorted(edits), start=1):
        pieces += [base[at:start], text]
        kind = "replace" if end > start and text else ("delete" if end > start else "insert")
        new_start = start + shift
        changes.append(
            Change(
                index,
                kind,
                Span(start, end, base[start:end]),
                Span(new_start, new_start + len(text), text),
            )
        )
        shift += len(text) - (end - start)
        at = end
    pieces.append(base[at:])
    return "".join(pieces), changes


def _spans(changes) -> list[tuple[int, int, str]]:
    return [(c.old.start, c.old.end, c.new.text) for c in changes]


@st.composite
def paragraph_and_two_edit_sets(draw):
    """A one-line paragraph and edits of two editors at disjoint word ranges, each
    separated from the next by at least two unchanged words."""
    words = draw(st.lists(st.sampled_from(BASE_WORDS), min_size=6, max_size=40))
    base = " ".join(words) + "."
    word_starts, at = [], 0
    for word in words:
        word_starts.append(at)
        at += len(word) + 1
    at, ours, theirs = 0, [], []
    while True:
        at += draw(st.integers(2, 6))
        if at >= len(words):
            break
        size = draw(st.integers(0, min(3, len(words) - at)))
        new = " ".join(draw(st.lists(st.sampled_from(NEW_WORDS), max_size=3)))
        start = word_starts[at]
        if size == 0 and not new:
            continue
        if size == 0:
            edit = (start, start, new + " ")  # an insertion before a word
        elif not new:
            end = word_starts[at + size] if at + size < len(words) else len(base) - 1
            edit = (start, end, "")  # words deleted, with the space after them
        else:
            last = at + size - 1
            edit = (start, word_starts[last] + len(words[last]), new)
        (ours if draw(st.booleans()) else theirs).append(edit)
        at += size
    return base, ours, theirs


@settings(max_examples=60, deadline=None)
@given(paragraph_and_two_edit_sets())
# Runs of one word, where the engine records the remote's edit on another copy.
@example(("prices prices prices prices prices prices prices.", [(35, 42, "")], [(14, 21, "")]))
@example(("prices " * 7 + "prices.", [(35, 42, "")], [(14, 21, "")]))
@example(
    (
        "prices prices prices prices prices prices prices prices prices prices prices in in "
        "prices.",
        [(83, 83, "seven ")],
        [(28, 35, ""), (56, 76, "seven")],
    )
)
# The remote's cut six characters after ours: the text beside ours is compared only up to it.
@example(
    ("prices prices prices prices prices prices in in prices.", [(21, 42, "")], [(48, 54, "")])
)
def test_disjoint_edits_of_one_paragraph_merge_and_land_on_their_own_tokens(case):
    base, our_edits, their_edits = case
    ours_text, ours = edits_to_changes(base, our_edits)
    theirs_text, _exact = edits_to_changes(base, their_edits)
    theirs = word_changes(base, theirs_text)  # the remote's changes, as sync computes them
    result = merge(base, ours, theirs)
    both, _ = edits_to_changes(base, our_edits + their_edits)
    if _spans(theirs) != _spans(_exact):
        # A run of the same word ("prices prices prices"): the engine may record the
        # remote's cut on another copy of it, next to one of ours. Which copy was meant
        # cannot be read from the texts, so a refusal is right; a merge must still give
        # exactly both editors' texts (the positions inside the run are not comparable).
        if isinstance(result, Merged):
            assert result.text == both
        return
    assert isinstance(result, Merged), (base, our_edits, their_edits)
    assert result.text == both
    assert [(c.index, c.kind, c.old.text, c.new.text) for c in result.changes] == [
        (c.index, c.kind, c.old.text, c.new.text) for c in ours
    ]
    for mine, moved in zip(ours, result.changes, strict=True):
        # Same texts at the moved offsets, in the remote's text and in the merged one.
        assert theirs_text[moved.old.start : moved.old.end] == mine.old.text
        assert result.text[moved.new.start : moved.new.end] == mine.new.text
        # And the same place: the text on each side is that of our own text, as far as
        # the remote left it alone (up to 8 characters, never into the remote's nearest
        # edit), so no correction lands in the wrong place.
        before = min(
            [8] + [mine.old.start - t.old.end for t in theirs if t.old.end <= mine.old.start]
        )
        after = min(
            [8] + [t.old.start - mine.old.end for t in theirs if t.old.start >= mine.old.end]
        )
        left = ours_text[: mine.new.start]
        assert result.text[: moved.new.start].endswith(left[len(left) - before :])
        assert result.text[moved.new.end :].startswith(ours_text[mine.new.end :][:after])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(BASE_WORDS), min_size=4, max_size=20),
    st.data(),
)
def test_edits_sharing_a_token_or_a_point_are_refused(words, data):
    base = " ".join(words)
    tokens = tokenize(base)
    starts = [0]
    for token in tokens:
        starts.append(starts[-1] + len(token))
    a = data.draw(st.integers(0, len(tokens) - 1))
    b = data.draw(st.integers(a + 1, len(tokens)))
    # Theirs touches [a, b): the same point, a token inside, or an end of it.
    kind = data.draw(st.sampled_from(["inside", "start", "end", "same"]))
    k = data.draw(st.integers(a, b - 1))
    if kind == "inside":
        their_edit = (starts[k], starts[k + 1], "NEW")
    elif kind == "start":
        their_edit = (starts[a], starts[a], "NEW ")
    elif kind == "end":
        their_edit = (starts[b], starts[b], " NEW")
    else:
        their_edit = (starts[a], starts[b], "fell")
    _ours_text, ours = edits_to_changes(base, [(starts[a], starts[b], "seven")])
    _theirs_text, theirs = edits_to_changes(base, [their_edit])
    result = merge(base, ours, theirs)
    assert isinstance(result, Overlaps)
    assert result.pairs == ((1, 1),)


def test_the_diff_match_patch_case_is_refused_not_applied_elsewhere():
    # One editor corrects "5" to "7" in the first sentence; the other deleted that
    # sentence. patch_apply changed the "5 percent" of another sentence and said it
    # succeeded; the token merge sees the correction's tokens are gone and refuses.
    base = "Prices rose 5 percent in May. The mayor said so. Rents rose 5 percent too."
    ours_text = base.replace("5", "7", 1)
    theirs_text = base.replace("Prices rose 5 percent in May. ", "")
    ours = word_changes(base, ours_text)
    theirs = word_changes(base, theirs_text)
    result = merge(base, ours, theirs)
    assert isinstance(result, Overlaps)
    assert result.pairs == ((1, 1),)


def test_adjacent_replacements_merge_but_an_insertion_touching_a_range_does_not():
    base = "the mayor said so"
    starts = TokenRanges(base)
    mayor = starts.of(4, 9)
    said = starts.of(10, 14)
    space = starts.of(9, 10)
    assert not conflict(mayor, space) and not conflict(space, said)
    assert conflict(starts.of(9, 9), mayor)  # an insertion right after "mayor"
    assert conflict(starts.of(4, 4), mayor)  # ... or right before it
    assert not conflict(starts.of(4, 4), said)
    assert conflict(starts.of(4, 4), starts.of(4, 4))  # two insertions at one point
    assert conflict(starts.of(5, 5), mayor)  # an insertion inside a word covers it
    ours = [Change(1, "replace", Span(4, 9, "mayor"), Span(4, 12, "governor"))]
    theirs = [Change(1, "replace", Span(10, 14, "said"), Span(10, 17, "claimed"))]
    result = merge(base, ours, theirs)
    assert isinstance(result, Merged)
    assert result.text == "the governor claimed so"
    assert apply(base, theirs) == "the mayor claimed so"


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="ab \n\t.,'é\u0301\u200d👍", max_size=40),
    st.integers(0, 40),
    st.integers(0, 40),
)
def test_widening_by_the_stretch_around_a_range_matches_the_whole_text(text, i, j):
    # Tokenizing only the stretch around a range must give the edges the whole text has.
    start, end = sorted((min(i, len(text)), min(j, len(text))))
    edges = [0]
    for token in tokenize(text):
        edges.append(edges[-1] + len(token))
    a, b = TokenRanges(text).of(start, end)
    if start == end and start in edges:
        assert (a, b) == (start, start)
    else:
        assert a == max(e for e in edges if e <= start)
        assert b == min(e for e in edges if e >= end)
