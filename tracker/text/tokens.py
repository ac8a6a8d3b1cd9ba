"""Provides the word tokenizer: words, runs of whitespace, and single punctuation marks.

Concatenating the tokens gives back the text exactly, whatever it holds (CRLF, lone CR,
non-BMP characters, a BOM), which is what lets the diff engine work on tokens and still
report exact character ranges. No token ends inside a grapheme cluster (clusters.py
says which rules of UAX #29 are kept), so no change can cut `é` or a family emoji apart.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cache
from itertools import accumulate

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
def _clustered() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], dict[int, int]]:
    """(finds an extending character of the BMP, finds any character beyond it, the
    clustered token pattern, the table that maps extending characters to U+0300), built
    on first need. The search is split because a class holding ranges beyond the BMP
    makes ``re`` test every character range by range: 30 times slower."""
    extend = MARKS + OTHER_EXTEND
    bmp = re.compile(f"[{char_class(tuple(r for r in extend if r[1] < 0x10000))}]")
    astral = re.compile("[\U00010000-\U0010ffff]")
    table = {
        code: 0x300
        for first, last in extend
        for code in range(first, last + 1)
        if code not in (0x200C, 0x200D)
    }
    return bmp, astral, re.compile(_CLUSTERED, re.DOTALL), table


_ASTRAL_EXTEND = tuple(
    sorted(r for r in MARKS + OTHER_EXTEND + REGIONAL_INDICATORS if r[1] >= 0x10000)
)
_ASTRAL_STARTS = [first for first, _ in _ASTRAL_EXTEND]


def _extends(code: int) -> bool:
    """Whether a code point beyond the BMP extends a cluster (or is a regional
    indicator, which pairs with the one before it)."""
    k = bisect_right(_ASTRAL_STARTS, code) - 1
    return k >= 0 and code <= _ASTRAL_EXTEND[k][1]


def _special(text: str) -> list[int]:
    """Offsets of the characters that call for the cluster rules, in order."""
    bmp, astral, _, _ = _clustered()
    hits = [match.start() for match in bmp.finditer(text)]
    far = [m.start() for m in astral.finditer(text) if _extends(ord(m.group()))]
    return sorted(hits + far) if far else hits


def tokenize(text: str) -> list[str]:
    """Split text into word, whitespace and punctuation tokens that join back to it."""
    tokens = _PLAIN.findall(text)
    if text.isascii():
        return tokens
    hits = _special(text)
    if not hits:
        return tokens
    if len(hits) > len(text) // 64:
        return _clustered_tokens(text)
    # Few such characters (a name with an accent, an emoji): re-split only the stretch
    # of non-space text around each, with the whitespace before it (a mark may join a
    # space). Where whitespace meets non-space is a token edge under both rules, so the
    # other tokens are the same either way.
    windows: list[list[int]] = []
    for at in hits:
        if windows and at < windows[-1][1]:
            continue
        start = at
        while start and not text[start - 1].isspace():
            start -= 1
        while start and text[start - 1].isspace():
            start -= 1
        end = at
        while end < len(text) and not text[end].isspace():
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    ends = list(accumulate(map(len, tokens)))
    for start, end in reversed(windows):
        first = bisect_right(ends, start)
        last = bisect_left(ends, end)
        tokens[first : last + 1] = _clustered_tokens(text[start:end])
    return tokens


def _clustered_tokens(text: str) -> list[str]:
    """Tokens by the clustered rule (the pattern runs on the text with each extending
    character replaced by U+0300; the tokens are cut from the text itself)."""
    _, _, pattern, table = _clustered()
    ends = list(accumulate(map(len, pattern.findall(text.translate(table)))))
    return [text[start:end] for start, end in zip([0, *ends], ends, strict=False)]


def may_extend(char: str) -> bool:
    """Whether ``char`` may belong to the grapheme cluster before it (a mark, a joiner,
    a regional indicator): a cut just before it could split a cluster."""
    return not char.isascii() and bool(_special(char))


def is_word(token: str) -> bool:
    return bool(token) and (token[0].isalnum() or token[0] == "_")


def count_words(text: str) -> int:
    return sum(1 for token in tokenize(text) if is_word(token))
