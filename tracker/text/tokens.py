"""Provides the word tokenizer: words, runs of whitespace, and single punctuation marks.

Concatenating the tokens gives back the text exactly, whatever it holds (CRLF, lone CR,
non-BMP characters, a BOM), which is what lets the diff engine work on tokens and still
report exact character ranges. No token ends inside a grapheme cluster (clusters.py
says which rules of UAX #29 are kept), so no change can cut `é` or a family emoji apart.
"""

from __future__ import annotations

import re
from functools import cache

from tracker.text.clusters import (
    MARKS,
    OTHER_EXTEND,
    PICTOGRAPHIC,
    REGIONAL_INDICATORS,
    char_class,
)

# A word is a run of word characters, optionally joined by an apostrophe ("doesn't",
# "ICE’s") so that a possessive changes as one word. Whitespace runs stay whole, so a
# change of line endings is one token (and CR LF is never cut, GB3). Anything else is a
# token of one character. This is the whole rule for a text with no character that
# extends a cluster (most texts), and the fastest.
_PLAIN = re.compile(r"\w+(?:['’]\w+)*|\s+|.", re.DOTALL)

# With such characters, the same rule keeps each cluster whole. Every extending
# character but ZWJ and ZWNJ is first replaced by U+0300 (one for one, so offsets hold):
# a class of some 300 ranges written out six times made the pattern take 50 ms to
# compile. A word keeps its marks, even inside it (Indic vowel signs and viramas);
# marks after a space join it, but not after a line break or a tab (GB4, GB5, GB9); an
# emoji keeps its modifiers and the emoji joined to it by ZWJ (GB11); regional
# indicators pair into flags (GB12, GB13); any other character keeps its marks.
_X = "[\u0300\u200c\u200d]"
_CLUSTERED = (
    rf"\w+(?:{_X}+\w*)*(?:['’]\w+(?:{_X}+\w*)*)*"
    rf"|\s+(?:(?<=[^\S\x00-\x1f\x7f-\x9f\u2028\u2029]){_X}+)?"
    rf"|[{char_class(PICTOGRAPHIC)}]{_X}*(?:(?<=\u200d)[{char_class(PICTOGRAPHIC)}]{_X}*)*"
    rf"|[{char_class(REGIONAL_INDICATORS)}]{{2}}{_X}*"
    rf"|.{_X}*"
)


@cache
def _clustered() -> tuple[re.Pattern[str], re.Pattern[str], dict[int, int]]:
    """(finds a character that calls for cluster rules, the clustered token pattern, the
    table that maps extending characters to U+0300), built on first need."""
    extend = MARKS + OTHER_EXTEND
    special = re.compile(f"[{char_class(extend + REGIONAL_INDICATORS)}]")
    table = {
        code: 0x300
        for first, last in extend
        for code in range(first, last + 1)
        if code not in (0x200C, 0x200D)
    }
    return special, re.compile(_CLUSTERED, re.DOTALL), table


def tokenize(text: str) -> list[str]:
    """Split text into word, whitespace and punctuation tokens that join back to it."""
    if text.isascii():
        return _PLAIN.findall(text)
    special, pattern, table = _clustered()
    if special.search(text) is None:
        return _PLAIN.findall(text)
    ends = [match.end() for match in pattern.finditer(text.translate(table))]
    return [text[start:end] for start, end in zip([0, *ends], ends, strict=False)]


def may_extend(char: str) -> bool:
    """Whether ``char`` may belong to the grapheme cluster before it (a mark, a joiner,
    a regional indicator): a cut just before it could split a cluster."""
    return not char.isascii() and _clustered()[0].match(char) is not None


def is_word(token: str) -> bool:
    return bool(token) and (token[0].isalnum() or token[0] == "_")


def count_words(text: str) -> int:
    return sum(1 for token in tokenize(text) if is_word(token))
