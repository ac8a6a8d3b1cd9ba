"""The diff engine, tokenizer and hunks at their edges: exact results on small texts.

Written to kill mutants that survived bench/mutate.py (see bench/README.md). The
property tests in test_diff.py prove every diff rebuilds its texts; these pin *which*
changes a reader sees, which a plausible bug can alter while still rebuilding exactly.
"""

from __future__ import annotations

import pytest

from tracker.diff import describe_whitespace_change, diff_texts
from tracker.hunks import Hunk, Piece, hunks
from tracker.text.tokens import count_words, is_word, tokenize


def _pairs(old: str, new: str) -> list[tuple[str, str, str]]:
    return [(c.kind, c.old.text, c.new.text) for c in diff_texts(old, new)]


def test_tokens_keep_words_apostrophes_and_whitespace_runs_whole():
    assert tokenize("ICE’s agents don't  stop.\r\n") == [
        "ICE’s", " ", "agents", " ", "don't", "  ", "stop", ".", "\r\n"
    ]  # fmt: skip
    assert tokenize("a'") == ["a", "'"]
    assert is_word("_x") and is_word("9") and not is_word("") and not is_word(" ")
    assert not is_word("“")
    assert count_words("One, two  three.\n") == 3
    assert count_words("") == 0


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("\r\n", "\n", "line endings CRLF -> LF"),
        ("\n", "\r", "line endings LF -> CR"),
        ("\r", "\r\n", "line endings CR -> CRLF"),
        ("", "\n", "LF added"),
        ("", "\r\n", "CRLF added"),
        ("", "\r", "CR added"),
        ("", " ", "space added"),
        ("\n", "", "LF removed"),
        ("\r", "", "CR removed"),
        ("  ", "", "space removed"),
        ("\n", "\n\n", "whitespace changed"),
        (" ", "\t", "whitespace changed"),
        (" ", "\n", "line endings spaces -> LF"),
        ("a", "\n", None),
        ("\n", "b", None),
    ],
)
def test_whitespace_changes_are_named(old, new, expected):
    assert describe_whitespace_change(old, new) == expected


def test_replacement_reads_as_phrases_not_letters():
    # One changed word on each side of a lone space: one replacement.
    assert _pairs("The red fox", "A green fox") == [("replace", "The red", "A green")]
    # An unchanged word between two changes keeps them apart, each with its own note.
    assert _pairs("red fox jumps", "green fox leaps") == [
        ("replace", "red", "green"),
        ("replace", "jumps", "leaps"),
    ]
    # Changed line endings around an unchanged word do not swallow the word.
    assert _pairs("a\nword\n", "a\r\nword\r\n") == [
        ("replace", "\n", "\r\n"),
        ("replace", "\n", "\r\n"),
    ]


def test_a_rewritten_phrase_is_one_replacement_not_fragments():
    # Every word changed but one that recurs: the lone equal word is folded in, and the
    # fold is repeated until no short equality is left between edits.
    assert _pairs("jumps fox fox.", "red runs cat.") == [
        ("replace", "jumps fox fox", "red runs cat")
    ]
    assert _pairs("fox.", "big dog fox fox the.") == [("replace", "fox", "big dog fox fox the")]
    assert _pairs("runs green a.", "green fox green jumps cat the.") == [
        ("replace", "runs green a", "green fox green jumps cat the")
    ]


def test_small_edits_in_a_long_paragraph_stay_small():
    words = " ".join(f"w{i}" for i in range(200))
    old = f"Intro line.\n{words} end.\nOutro.\n"
    new = old.replace("w100 ", "CHANGED ").replace("w7 ", "").replace("end.", "end!")
    assert _pairs(old, new) == [
        ("delete", "w7 ", ""),
        ("replace", "w100", "CHANGED"),
        ("replace", ".", "!"),
    ]
    # Only the start and only the end of a paragraph changed.
    assert _pairs("alpha beta gamma", "ALPHA beta gamma") == [("replace", "alpha", "ALPHA")]
    assert _pairs("alpha beta gamma", "alpha beta GAMMA") == [("replace", "gamma", "GAMMA")]
    assert _pairs("alpha beta", "alpha beta gamma") == [("insert", "", " gamma")]
    assert _pairs("alpha beta gamma", "beta gamma") == [("delete", "alpha ", "")]


def test_paragraphs_edited_in_place_are_diffed_pairwise():
    old = "One a.\nTwo b.\nThree c.\n"
    new = "One A.\nTwo b.\nThree C.\n"
    changes = diff_texts(old, new)
    assert [(c.old.start, c.old.end, c.new.text) for c in changes] == [(4, 5, "A"), (20, 21, "C")]
    assert [c.index for c in changes] == [1, 2]
    old = "x 1\ny 2\nz 3\n"
    new = "x 9\ny 8\nz 7\n"
    assert _pairs(old, new) == [("replace", "1", "9"), ("replace", "2", "8"), ("replace", "3", "7")]


def test_repeated_and_moved_lines_anchor_on_unique_ones():
    old = "same\nunique A\nsame\nkeep\nsame\n"
    new = "same\nunique B\nsame\nkeep\nsame\nnew end\n"
    assert _pairs(old, new) == [("replace", "A", "B"), ("insert", "", "new end\n")]
    old = "h\n\nalpha\n\nbeta\n\ngamma\n"
    new = "h\n\ngamma\n\nalpha\n\nbeta\n"
    changes = diff_texts(old, new)
    assert "".join(c.old.text for c in changes).strip() == "gamma"
    assert "".join(c.new.text for c in changes).strip() == "gamma"


def test_change_kinds_and_offsets_in_the_middle():
    (change,) = diff_texts("keep this text", "keep text")
    assert (change.kind, change.old.start, change.old.end, change.new.start) == (
        "delete",
        5,
        10,
        5,
    )
    (change,) = diff_texts("keep text", "keep more text")
    assert (change.kind, change.new.start, change.new.end, change.old.start) == (
        "insert",
        5,
        10,
        5,
    )


def test_hunks_group_changes_by_paragraph_and_count_folded_text():
    old = "First para.\nSecond para here.\nThird.\nFourth one.\n"
    new = "First para.\nSecond PARA here now.\nThird.\nFourth two.\n"
    changes = diff_texts(old, new)
    assert len(changes) == 3
    result = hunks(old, new, changes)
    assert len(result) == 2
    first, second = result
    assert (old[first.old_start : first.old_end], new[first.new_start : first.new_end]) == (
        "Second para here.",
        "Second PARA here now.",
    )
    assert [c.index for c in first.changes] == [1, 2]
    assert first.folded_before == len("First para.\n")
    assert second.folded_before == len("\nThird.\n")
    assert new[second.new_start : second.new_end] == "Fourth two."
    assert first.new_pieces(new) == [
        Piece("Second "),
        Piece("PARA", 1),
        Piece(" here"),
        Piece(" now", 2),
        Piece("."),
    ]
    assert first.old_pieces(old) == [
        Piece("Second "),
        Piece("para", 1),
        Piece(" here"),
        Piece("", 2),
        Piece("."),
    ]


def test_hunk_at_the_very_start_and_end():
    (hunk,) = hunks("a b", "a b c", diff_texts("a b", "a b c"))
    assert (hunk.old_start, hunk.old_end, hunk.new_start, hunk.new_end) == (0, 3, 0, 5)
    assert hunk.folded_before == 0
    assert hunk.new_pieces("a b c") == [Piece("a b"), Piece(" c", 1)]
    assert hunks("x", "x", []) == []
    # A change at the very start of its hunk has no empty unchanged piece before it.
    (hunk,) = hunks("alpha beta", "ALPHA beta", diff_texts("alpha beta", "ALPHA beta"))
    assert hunk.new_pieces("ALPHA beta") == [Piece("ALPHA", 1), Piece(" beta")]
    assert (hunk.old_start, hunk.new_start, hunk.new_end) == (0, 0, 10)


def test_hunks_next_to_a_leading_blank_line():
    # The changed line starts right after a newline at position 0.
    (hunk,) = hunks("\nab cd", "\nAB cd", diff_texts("\nab cd", "\nAB cd"))
    assert (hunk.old_start, hunk.old_end, hunk.new_start, hunk.new_end) == (1, 6, 1, 6)
    # Text inserted before that newline: the hunk is the first line alone.
    (hunk,) = hunks("\nabc", "X\nabc", diff_texts("\nabc", "X\nabc"))
    assert (hunk.old_start, hunk.old_end, hunk.new_start, hunk.new_end) == (0, 0, 0, 1)
    empty = Hunk(0, 0, 0, 0, ())
    assert empty.old_pieces("") == [] and empty.new_pieces("") == []


def test_a_later_paragraph_with_two_changes_is_one_hunk():
    old = "First x.\nkeep\nThen y and z.\nkeep\nLast w.\n"
    new = "First X.\nkeep\nThen Y and Z.\nkeep\nLast W.\n"
    result = hunks(old, new, diff_texts(old, new))
    assert [[c.new.text for c in h.changes] for h in result] == [["X"], ["Y", "Z"], ["W"]]
    assert [h.folded_before for h in result] == [0, len("\nkeep\n"), len("\nkeep\n")]
    assert [new[h.new_start : h.new_end] for h in result] == [
        "First X.",
        "Then Y and Z.",
        "Last W.",
    ]
