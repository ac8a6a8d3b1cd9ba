"""Provides the word tokenizer: words, runs of whitespace, and single punctuation marks.

Concatenating the tokens gives back the text exactly, whatever it holds (CRLF, lone CR,
non-BMP characters, a BOM), which is what lets the diff engine work on tokens and still
report exact character ranges.
"""

from __future__ import annotations

import re

# A word is a run of word characters, optionally joined by an apostrophe ("doesn't",
# "ICE’s") so that a possessive changes as one word. Whitespace runs stay whole, so a
# change of line endings is one token. Anything else is a token of one character.
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|\s+|.", re.DOTALL)


def tokenize(text: str) -> list[str]:
    """Split text into word, whitespace and punctuation tokens that join back to it."""
    return _TOKEN.findall(text)


def is_word(token: str) -> bool:
    return bool(token) and (token[0].isalnum() or token[0] == "_")


def count_words(text: str) -> int:
    return sum(1 for token in tokenize(text) if is_word(token))
