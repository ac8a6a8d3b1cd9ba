"""The word diff engine: exact reconstruction, whole words, determinism."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.diff import describe_whitespace_change, diff_texts
from tracker.text.tokens import tokenize


def rebuild(old: str, new: str, changes) -> tuple[str, str]:
    """Old = equal + deleted parts, new = equal + inserted parts, checked piece by piece."""
    old_out, new_out = [], []
    old_pos = new_pos = 0
    for change in changes:
        equal_old = old[old_pos : change.old.start]
        equal_new = new[new_pos : change.new.start]
        assert equal_old == equal_new, "text between changes must be equal on both sides"
        assert change.old.text == old[change.old.start : change.old.end]
        assert change.new.text == new[change.new.start : change.new.end]
        old_out += [equal_old, change.old.text]
        new_out += [equal_new, change.new.text]
        old_pos, new_pos = change.old.end, change.new.end
    assert old[old_pos:] == new[new_pos:]
    old_out.append(old[old_pos:])
    new_out.append(new[new_pos:])
    return "".join(old_out), "".join(new_out)


# Prose-like text: words, punctuation, all kinds of line endings, non-BMP characters,
# grapheme clusters (a combining accent, a ZWJ sequence, a skin tone, a flag).
_pieces = st.sampled_from(
    ["the", "red", "fox", "green", "ICE’s", "Zetas", " ", "  ", "\n", "\r\n", "\r", "\n\n",
     ",", ".", "“", "”", "😀", "𝒳", "é", "\u202e", "\t", "\ufeff", "Aragua",
     "e\u0301", "\u0301", "👨\u200d👩", "🏽", "🇫🇷"]
)  # fmt: skip
prose = st.lists(_pieces, max_size=60).map("".join)
anything = st.text(max_size=80)


@settings(max_examples=300, deadline=None)
@given(prose, prose)
def test_prose_rebuilds_exactly(old, new):
    changes = diff_texts(old, new)
    assert rebuild(old, new, changes) == (old, new)


@settings(max_examples=300, deadline=None)
@given(anything, anything)
def test_any_unicode_rebuilds_exactly(old, new):
    changes = diff_texts(old, new)
    assert rebuild(old, new, changes) == (old, new)
    assert [c.index for c in changes] == list(range(1, len(changes) + 1))
    for change in changes:
        assert change.kind == (
            "replace" if change.old.text and change.new.text
            else "delete" if change.old.text else "insert"
        )  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(prose, prose)
def test_changes_cover_whole_tokens(old, new):
    """No change starts or ends inside a word or punctuation token.

    (A run of whitespace may be split at a line break: lines are the anchoring unit.)
    """

    def inside_points(text):
        points, pos = set(), 0
        for token in tokenize(text):
            if not token.isspace():
                points.update(range(pos + 1, pos + len(token)))
            pos += len(token)
        return points

    old_in, new_in = inside_points(old), inside_points(new)
    for change in diff_texts(old, new):
        assert not {change.old.start, change.old.end} & old_in
        assert not {change.new.start, change.new.end} & new_in


@settings(max_examples=100, deadline=None)
@given(prose, prose)
def test_deterministic(old, new):
    from tracker import diff as engine

    first = [c.anchor for c in diff_texts(old, new)]
    engine._changes_cached.cache_clear()
    assert [c.anchor for c in diff_texts(old, new)] == first


def test_identical_and_empty_texts():
    assert diff_texts("", "") == []
    assert diff_texts("same\n", "same\n") == []
    (only,) = diff_texts("", "new text")
    assert (only.kind, only.new.text) == ("insert", "new text")
    (only,) = diff_texts("old text", "")
    assert (only.kind, only.old.text) == ("delete", "old text")


def test_a_replaced_word_is_one_change_of_one_word():
    (change,) = diff_texts("The red fox.", "The green fox.")
    assert (change.kind, change.old.text, change.new.text) == ("replace", "red", "green")
    assert (change.old.start, change.old.end, change.new.start, change.new.end) == (4, 7, 4, 9)


def test_word_inside_long_paragraph_stays_whole():
    old = "Many Venezuelan gangs, such as “Los Zetas” and “Tren de Aragua,” are notorious."
    new = "Criminal groups such as “Tren de Aragua,” are notorious."
    changes = diff_texts(old, new)
    rebuild(old, new, changes)
    for change in changes:
        for text in (change.old.text, change.new.text):
            assert not text or text[0] in " “,”" or text[0].isalnum()
    assert any("Zetas" in c.old.text for c in changes)


def test_crlf_and_final_newline_changes_are_reported_as_such():
    (change,) = diff_texts("one\r\ntwo\r\n", "one\r\ntwo\r\nthree")
    assert change.new.text == "three"
    changes = diff_texts("one\r\ntwo", "one\ntwo")
    assert [(c.old.text, c.new.text) for c in changes] == [("\r\n", "\n")]
    assert describe_whitespace_change("\r\n", "\n") == "line endings CRLF -> LF"
    (change,) = diff_texts("text", "text\n")
    assert (change.kind, change.new.text) == ("insert", "\n")
    assert describe_whitespace_change("", "\n") == "LF added"
    assert describe_whitespace_change("red", "green") is None


def test_non_bmp_offsets_are_code_points():
    (change,) = diff_texts("a 😀 b", "a 😀 c")
    assert (change.old.start, change.old.text, change.new.text) == (4, "b", "c")


def test_moved_paragraphs_and_repeated_lines_rebuild():
    old = "Title\n\nTitle\n\nA para.\n\nB para.\n\nC para.\n"
    new = "Title\n\nB para.\n\nA para changed.\n\nC para.\n"
    assert rebuild(old, new, diff_texts(old, new)) == (old, new)


def test_large_document_with_scattered_edits_is_exact():
    words = [f"word{i % 997}" for i in range(20000)]
    paragraphs = [" ".join(words[i : i + 100]) for i in range(0, 20000, 100)]
    old = "\n\n".join(paragraphs)
    changed = list(paragraphs)
    for i in range(0, len(changed), 7):
        changed[i] = changed[i].replace("word5 ", "WORD5 ", 1) + " added"
    new = "\n\n".join(changed)
    changes = diff_texts(old, new)
    assert rebuild(old, new, changes) == (old, new)
    assert all(len(c.old.text) < 50 and len(c.new.text) < 50 for c in changes)
