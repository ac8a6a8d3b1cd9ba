"""Provides where a change sits in its text: paragraph, line, and a few words around it.

A reader who sees "Los Zetas -> Tren de Aragua" needs to know where in the article that
is without scrolling for it; the faces and the exports say "¶4" (or "line 12" for text
made of lines, such as code or a list) and quote a few words on each side.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from tracker.text.tokens import is_word, tokenize

# A blank line (only spaces or tabs) separates paragraphs, whatever the line endings; the
# next paragraph starts at the first character after it that is not a space or a line end.
_PARAGRAPH_START = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)[\r\n \t]*+(?=[^\r\n \t])")
_LINE_END = re.compile(r"\r\n|\r|\n")
# A sentence ends after . ! ? or … (and any closing quotes or brackets), before spaces,
# unless the period ends an abbreviation such as "U.S." or "Dr." (blame's rule).
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*(?=[ \t]+\S)")
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.){2,}|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|No|Inc|Co|Corp|Gen|Sen|Rep)\.)$"
)


@dataclass(frozen=True)
class Place:
    """Where a range of a text sits."""

    paragraph: int  # 1-based: runs of non-blank lines, in order
    line: int  # 1-based line of the range's start
    before: str  # up to a few words just before the range, within its paragraph
    after: str  # up to a few words just after it


class Places:
    """Answers ``Place`` questions about one text; built once per text, so that placing
    every change of a long document costs a bisect each, not a scan."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[int] | None = None
        # Where each paragraph starts: the first non-blank character after a blank line.
        # One regex pass (run in C): move detection places every diff's changes.
        starts = [0] + [m.end() for m in _PARAGRAPH_START.finditer(text)]
        self._paragraph_starts = starts
        self.paragraphs = len(starts) if text.strip() else 0

    @property
    def _line_starts(self) -> list[int]:
        if self._lines is None:  # only on demand: most questions are about paragraphs
            self._lines = [0] + [m.end() for m in _LINE_END.finditer(self.text)]
        return self._lines

    def units(self) -> list[tuple[int, int]]:
        """The text's paragraphs as (start, end) spans, each ending where the next starts
        (or at the text's end), so a span carries the blank line after it.

        A text with no blank line at all (a list, code, prose with one paragraph per line)
        is cut into its lines instead, since one "paragraph" would be the whole text."""
        if self.paragraphs <= 1 and _LINE_END.search(self.text.rstrip("\r\n")):
            starts = [s for s in self._line_starts if s < len(self.text)]
        else:
            starts = self._paragraph_starts if self.paragraphs else []
        ends = starts[1:] + [len(self.text)]
        return list(zip(starts, ends, strict=True))

    def sentences(self, start: int, end: int) -> list[tuple[int, int]]:
        """The sentences of ``text[start:end]`` (one paragraph) as (start, end) spans
        without the spaces between them; one span when it holds a single sentence."""
        spans = []
        at = start
        for match in _SENTENCE_END.finditer(self.text, start, end):
            if _ABBREVIATION.search(self.text, max(at, match.start() - 12), match.start()):
                continue
            spans.append((at, match.end()))
            at = match.end()
            while at < end and self.text[at] in " \t":
                at += 1
        stop = end
        while stop > at and self.text[stop - 1] in "\r\n \t":
            stop -= 1
        if stop > at:
            spans.append((at, stop))
        return spans

    def paragraph_of(self, offset: int) -> int:
        return max(bisect_right(self._paragraph_starts, offset), 1)

    def line_of(self, offset: int) -> int:
        return max(bisect_right(self._line_starts, offset), 1)

    def place(self, start: int, end: int, words: int = 4) -> Place:
        """Where ``text[start:end]`` sits, with up to ``words`` words of context each side.

        The context stops at the paragraph's edges, since words of the next paragraph
        would say nothing about this one."""
        paragraph = self.paragraph_of(start)
        para_start = self._paragraph_starts[paragraph - 1]
        following = self._paragraph_starts[paragraph : paragraph + 1]
        para_end = _trim_end(self.text, following[0] if following else len(self.text))
        before = _last_words(self.text[para_start:start], words)
        after = _first_words(self.text[end : max(end, para_end)], words)
        return Place(paragraph, self.line_of(start), before, after)


def _trim_end(text: str, end: int) -> int:
    while end > 0 and text[end - 1] in "\r\n \t":
        end -= 1
    return end


def _first_words(text: str, words: int) -> str:
    return _take(tokenize(text[: 40 * words]), words)


def _last_words(text: str, words: int) -> str:
    return _take(tokenize(text[-40 * words :])[::-1], words, reverse=True)


def _take(tokens: list[str], words: int, reverse: bool = False) -> str:
    """Leading tokens up to ``words`` words, on one line (context is quoted inline)."""
    taken: list[str] = []
    count = 0
    for token in tokens:
        if "\n" in token or "\r" in token:
            break
        if is_word(token):
            if count == words:
                break
            count += 1
        taken.append(token)
    if reverse:
        taken.reverse()
    return "".join(taken).strip()
