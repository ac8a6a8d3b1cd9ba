"""Rows that line up: every unchanged paragraph starts on the same row on both sides.

The rule (issue 9, as on Wikipedia's diff page) is checked against the changes alone:
which paragraphs no change touches is worked out here, from the texts and the changes'
ranges, not from the row builder's own alignment. Random paragraph edits (hypothesis),
hand-made moves, and real revisions of PEP 8 (tests/fixtures; the shared corpus too when
it is there, a bounded sample) go through both layouts at widths 40, 80 and 160, folded
and unfolded. Both layouts must also hold the whole new text, in order, once.
"""

from __future__ import annotations

import gzip
import json
import lzma
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.diff import diff_texts
from tracker.model import Change, Span
from tracker.rows import (
    CONTINUED,
    DELETED,
    EQUAL,
    INSERTED,
    MOVED,
    MOVED_FROM,
    MOVED_TO,
    Row,
    inline,
    side_by_side,
    wrap,
)
from tracker.text.cells import text_width
from tracker.text.escape import visible

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "pep-0008.cut.jsonl.xz"
SHARED = ROOT.parent / "shared" / "corpora" / "system-design-primer.README.jsonl.gz"
WIDTHS = (40, 80, 160)
EVERYTHING = frozenset(range(10_000))  # every fold open


# -- what the rows must show, worked out from the texts and the changes ---------------------------


def _paragraphs(text: str) -> list[tuple[int, int, int]]:
    """(first line number, start offset, end offset) of each run of non-blank lines."""
    out = []
    offset = 0
    current: list[int] | None = None
    for number, line in enumerate(text.split("\n")):
        end = offset + len(line)
        if line.strip():
            if current is None:
                current = [number, offset, end]
            else:
                current[2] = end
        elif current is not None:
            out.append(tuple(current))
            current = None
        offset = end + 1
    if current is not None:
        out.append(tuple(current))
    return out  # type: ignore[return-value]


def _ranges(changes: list[Change]) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """What each side's text loses or gains, a move counting as a deletion plus an insertion."""
    old_side, new_side = [], []
    for c in changes:
        if c.within is not None:
            continue
        if c.is_move:
            old_side += [(c.old.start, c.old.end), (c.new_place_in_old, c.new_place_in_old)]
            new_side += [(c.old_place_in_new, c.old_place_in_new), (c.new.start, c.new.end)]
        else:
            old_side.append((c.old.start, c.old.end))
            new_side.append((c.new.start, c.new.end))
    return old_side, new_side


def _touched(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    # An overlap, or a point strictly inside (an edit at either edge leaves it whole).
    return any((s < end and e > start) or (s == e and start < s < end) for s, e in ranges)


def unchanged_paragraphs(old: str, new: str, changes: list[Change]) -> list[tuple[int, int]]:
    """(old line, new line) of the first line of every paragraph no change touches."""
    old_side, new_side = _ranges(changes)
    shifts = sorted(zip(new_side, old_side, strict=True))
    old_starts = {start: line for line, start, _ in _paragraphs(old)}
    found = []
    for line, start, end in _paragraphs(new):
        if _touched(start, end, new_side):
            continue
        # Where it was: its offset, less what the edits before it added.
        delta = sum((ne - ns) - (oe - os_) for (ns, ne), (os_, oe) in shifts if ne <= start)
        at = start - delta
        same = at in old_starts and old[at : at + end - start] == new[start:end]
        if same and not _touched(at, at + end - start, old_side):
            found.append((old_starts[at], line))
    return found


def _side(cells: tuple) -> str:
    """A side's text on a row, without the continuation mark of a wrapped line."""
    return "".join(c.text for c in cells if c.kind != CONTINUED)


_NOT_TEXT = re.compile(r"⟨indent\s*[^⟩]*⟩|\s|[↵·→]|\[-|-\]|\{\+|\+\}")


def _bare(text: str) -> str:
    """Text without blanks and the diff's own marks, to compare what rows hold."""
    return _NOT_TEXT.sub("", text)


def check_rows(old: str, new: str, changes: list[Change], widths=WIDTHS, marks=False) -> int:
    """Every property of the rows for one pair; returns how many paragraphs were aligned."""
    expected = unchanged_paragraphs(old, new, changes)
    new_lines = new.split("\n")
    indices = {c.index for c in changes}
    has_moves = any(c.is_move for c in changes)
    aligned = 0
    for width in widths:
        for expanded in (frozenset(), EVERYTHING):
            rows = side_by_side(old, new, changes, width, expanded, marks)
            first_old = {r.old_line: n for n, r in enumerate(rows) if r.old_line is not None}
            first_new = {r.new_line: n for n, r in enumerate(rows) if r.new_line is not None}
            for old_line, new_line in expected:
                shown = old_line in first_old, new_line in first_new
                assert shown[0] == shown[1], (old_line, new_line, width)
                if expanded:
                    assert all(shown), (old_line, new_line, "missing unfolded")
                if shown[0]:
                    row = rows[first_old[old_line]]
                    assert first_old[old_line] == first_new[new_line], (old_line, width)
                    # The line the row claims to start is the one it shows (its first word,
                    # or as much of it as fits).
                    first_word = visible(new_lines[new_line].split()[0])
                    assert first_word.startswith(_side(row.right).split()[0])
                    aligned += 1
            assert indices <= {i for r in rows for i in r.changes}, "a change not shown"
            assert all(_width(r.left) <= width and _width(r.right) <= width for r in rows)
            if expanded:
                right = "".join(_side(r.right) for r in rows if not r.mark)
                assert _bare(right) == _bare(visible(new)), "the right column is the new text"
                if not has_moves:
                    left = "".join(_side(r.left) for r in rows if not r.mark)
                    assert _bare(left) == _bare(visible(old)), "the left column is the old text"
            lines = inline(old, new, changes, width, expanded, marks)
            assert indices <= {i for r in lines for i in r.changes}, "a change not shown inline"
            if expanded:
                kept = "".join(
                    c.text
                    for r in lines
                    if not r.mark
                    for c in r.left
                    if c.kind in (EQUAL, INSERTED, MOVED)
                )
                assert _bare(kept) == _bare(visible(new)), "inline holds the new text, once"
    return aligned


def _width(cells: tuple) -> int:
    return sum(text_width(c.text) for c in cells)


# -- random paragraph edits ----------------------------------------------------------------------

WORDS = ["alpha", "beta", "gamma", "delta", "the", "of", "a", "long", "word", "x", "東京", "🦊"]


@st.composite
def paragraph_edits(draw) -> tuple[str, str]:
    count = draw(st.integers(1, 7))
    ids = iter(range(100))
    paragraphs = [
        f"p{next(ids)} " + " ".join(draw(st.lists(st.sampled_from(WORDS), max_size=30)))
        for _ in range(count)
    ]
    new = list(paragraphs)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["delete", "insert", "change", "move"]))
        at = draw(st.integers(0, max(len(new) - 1, 0)))
        if op == "delete" and new:
            del new[at]
        elif op == "insert":
            words = draw(st.lists(st.sampled_from(WORDS), max_size=20))
            new.insert(at, f"p{next(ids)} " + " ".join(words))
        elif op == "change" and new:
            words = new[at].split(" ")
            spot = draw(st.integers(0, len(words) - 1))
            words[spot] = draw(st.sampled_from(WORDS))
            new[at] = " ".join(words)
        elif op == "move" and len(new) > 1:
            paragraph = new.pop(at)
            new.insert(draw(st.integers(0, len(new))), paragraph)
    end = draw(st.sampled_from(["", "\n"]))
    return "\n\n".join(paragraphs) + end, "\n\n".join(new) + end


@settings(
    max_examples=int(os.environ.get("ROWS_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(paragraph_edits(), st.booleans())
def test_random_paragraph_edits_keep_unchanged_paragraphs_on_one_row(pair, marks) -> None:
    old, new = pair
    check_rows(old, new, diff_texts(old, new), marks=marks)


# -- moves, made by hand as tracker/moves.py will make them ---------------------------------------


def _with_move(paragraphs: list[str], source: int, target: int, edit: int | None):
    """The texts and changes of moving paragraph ``source`` to place ``target`` (and, with
    ``edit``, replacing that word of it): a move and its inner edit, as in the model."""
    old = "\n\n".join(paragraphs)
    moved = paragraphs[source]
    words = moved.split(" ")
    if edit is not None:
        words[edit] = words[edit].upper() + "X"
    rewritten = " ".join(words)
    rest = paragraphs[:source] + paragraphs[source + 1 :]
    offsets = [sum(len(p) + 2 for p in paragraphs[:i]) for i in range(len(paragraphs))]
    if source < len(paragraphs) - 1:
        os_, oe = offsets[source], offsets[source] + len(moved) + 2
    else:
        os_, oe = offsets[source] - 2, offsets[source] + len(moved)
    remaining = old[:os_] + old[oe:]
    assert remaining == "\n\n".join(rest)
    rest_offsets = [sum(len(p) + 2 for p in rest[:i]) for i in range(len(rest))]
    if target < len(rest):
        at, piece = rest_offsets[target], rewritten + "\n\n"
    else:
        at, piece = len(remaining), "\n\n" + rewritten
    new = remaining[:at] + piece + remaining[at:]
    assert new == "\n\n".join(rest[:target] + [rewritten] + rest[target:])
    old_place_in_new = os_ if os_ <= at else os_ + len(piece)
    new_place_in_old = at if at < os_ else at + (oe - os_)
    move = Change(1, "move", Span(os_, oe, old[os_:oe]), Span(at, at + len(piece), piece),
                  old_place_in_new=old_place_in_new, new_place_in_old=new_place_in_old)  # fmt: skip
    changes = [move]
    if edit is not None:
        before = len(" ".join(words[:edit])) + (1 if edit else 0)
        o = offsets[source] + before
        n = new.index(rewritten) + before
        changes.append(
            Change(
                2,
                "replace",
                Span(o, o + len(moved.split(" ")[edit]), moved.split(" ")[edit]),
                Span(n, n + len(words[edit]), words[edit]),
                within=1,
            )  # fmt: skip
        )
    return old, new, changes


@settings(max_examples=int(os.environ.get("ROWS_EXAMPLES", 40)), deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=25), min_size=2, max_size=6),
    st.data(),
)
def test_a_moved_paragraph_is_marked_at_both_ends_and_the_rest_stays_aligned(words, data):
    paragraphs = [f"p{i} " + " ".join(w) for i, w in enumerate(words)]
    source = data.draw(st.integers(0, len(paragraphs) - 1))
    target = data.draw(st.integers(0, len(paragraphs) - 1).filter(lambda t: t != source))
    edit = data.draw(st.none() | st.integers(1, len(words[source])))
    old, new, changes = _with_move(paragraphs, source, target, edit)
    check_rows(old, new, changes, widths=(40, 160))
    for expanded in (frozenset(), EVERYTHING):
        for rows in (
            side_by_side(old, new, changes, 40, expanded),
            inline(old, new, changes, 80, expanded),
        ):
            ends = {r.mark: r for r in rows if r.mark}
            assert set(ends) == {MOVED_FROM, MOVED_TO}
            assert all(1 in r.changes for r in ends.values())  # the app jumps between them
            assert _side(ends[MOVED_TO].left) == f"⇢ moved to ¶{target + 1}"
            from_text = _side(ends[MOVED_FROM].right or ends[MOVED_FROM].left)
            assert from_text == f"⇠ moved from ¶{source + 1}"
            # The paragraph shows once, right after its "moved from" mark.
            after = rows[[r.mark for r in rows].index(MOVED_FROM) + 1]
            shown = _side(after.right or after.left)
            assert shown.startswith(f"p{source} ")
            if edit is not None:
                kinds = {c.kind for r in rows for c in (*r.left, *r.right) if c.change == 2}
                assert kinds == ({DELETED, INSERTED})


# -- real revisions --------------------------------------------------------------------------------


def _texts(path: Path, opener) -> list[str]:
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle]


def _pairs(count: int, distant: int) -> list[tuple[int, int]]:
    """Every adjacent pair, and ``distant`` pairs far apart, the same on every run."""
    adjacent = [(i, i + 1) for i in range(count - 1)]
    far = [(i, count - 1 - i // 2) for i in range(0, 2 * distant, 2) if count - 1 - i // 2 > i + 5]
    return adjacent + far[:distant]


@pytest.mark.parametrize("half", [0, 1])
def test_every_adjacent_and_ten_distant_pairs_of_pep8_line_up(half: int) -> None:
    # In two halves, so that two workers share the sweep.
    texts = _texts(FIXTURE, lzma.open)
    aligned = 0
    for number, (a, b) in enumerate(_pairs(len(texts), 10)):
        if number % 2 != half:
            continue
        old, new = texts[a], texts[b]
        # One width per pair in turn, so every width meets every kind of edit in the sweep.
        width = WIDTHS[number % 3]
        aligned += check_rows(old, new, diff_texts(old, new), widths=(width,))
    assert aligned > 500


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/corpora is not here (a fresh clone)")
def test_a_sample_of_the_shared_corpus_lines_up() -> None:
    texts = _texts(SHARED, gzip.open)
    # Bounded (the CI budget): every 50th adjacent pair and two distant ones (~100 KB each).
    pairs = [(i, i + 1) for i in range(74, len(texts) - 1, 50)]
    pairs += [(80, 120), (100, len(texts) - 1)]
    for number, (a, b) in enumerate(pairs):
        old, new = texts[a], texts[b]
        check_rows(old, new, diff_texts(old, new), widths=(WIDTHS[number % 3],))


# -- small cases ----------------------------------------------------------------------------------


def _texts_of(rows: list[Row]) -> list[tuple[str, str]]:
    return [(_side(r.left), _side(r.right)) for r in rows]


def test_a_deleted_title_faces_blank_rows_and_the_next_paragraph_starts_level() -> None:
    old = "Title\n\nFirst paragraph stays.\n\nSecond one is edited."
    new = "First paragraph stays.\n\nSecond one was edited."
    rows = side_by_side(old, new, diff_texts(old, new), 40, EVERYTHING)
    assert _texts_of(rows) == [
        ("Title", ""),
        ("", ""),
        ("First paragraph stays.", "First paragraph stays."),
        ("", ""),
        ("Second one is edited.", "Second one was edited."),
    ]
    assert [c.kind for c in rows[0].left] == [DELETED] and rows[0].right == ()


def test_an_unchanged_line_never_faces_an_inserted_one() -> None:
    # The CLI drew `Strings` beside `+ Destructuring`: that reads as a replacement.
    old = "Strings\nNumbers\n"
    new = "Destructuring\nStrings\nNumbers\n"
    rows = side_by_side(old, new, diff_texts(old, new), 40, EVERYTHING)
    assert _texts_of(rows)[:2] == [("", "Destructuring"), ("Strings", "Strings")]


def test_a_wrapped_indented_line_keeps_its_indent_after_a_continuation_mark() -> None:
    rows = wrap([("    - an item long enough to wrap twice over here", EQUAL, None)], 24)
    texts = ["".join(c.text for c in row) for row in rows]
    assert texts == ["    - an item long", "    ↪ enough to wrap", "    ↪ twice over here"]
    assert rows[1][0].kind == CONTINUED
    # Prose wraps flush left, with no mark; a word longer than the row is cut.
    assert [len(r) for r in wrap([("a " * 10, EQUAL, None)], 8)] == [1, 1, 1]
    assert ["".join(c.text for c in r) for r in wrap([("abcdefghij", EQUAL, None)], 4)] == [
        "abcd",
        "efgh",
        "ij",
    ]


def test_re_indented_code_shows_indentation_not_runs_of_marks() -> None:
    old = "def f():\n    if x:\n        return 1\n"
    new = "def f():\n        if x:\n            return 1\n"
    changes = diff_texts(old, new)
    side = side_by_side(old, new, changes, 40, EVERYTHING, marks=True)
    assert ("    if x:", "        if x:") in _texts_of(side)
    lines = ["".join(c.text for c in r.left) for r in inline(old, new, changes, 60, EVERYTHING)]
    assert "        ⟨indent 4→8⟩ if x:" in lines
    assert not any("·" in t or "↵" in t for pair in _texts_of(side) for t in pair)


def test_a_line_break_alone_shows_as_a_mark_on_its_side() -> None:
    old, new = "One. Two.", "One.\nTwo."
    rows = side_by_side(old, new, diff_texts(old, new), 40, EVERYTHING, marks=True)
    assert _texts_of(rows) == [("One.[-·-]Two.", "One.{+↵+}"), ("", "Two.")]


def test_untrusted_text_stays_visible_text_in_every_cell() -> None:
    old = "Safe line.\n"
    new = "Safe line.\nEvil \x1b]52;c;aGk=\x07 and \u202eRTL.\n"
    for rows in (
        side_by_side(old, new, diff_texts(old, new), 40, EVERYTHING),
        inline(old, new, diff_texts(old, new), 40, EVERYTHING),
    ):
        text = "".join(r.text for r in rows)
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        assert "␛" in text and "⟨RLO⟩" in text
