"""Provides where a change sits in its text: paragraph, line, and a few words around it.

A reader who sees "Los Zetas -> Tren de Aragua" needs to know where in the article that
is without scrolling for it; the faces and the exports say "¶4" (or "line 12" for text
made of lines, such as code or a list) and quote a few words on each side.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from tracker.text.tokens import is_word, tokenize

_LINE_END = re.compile(r"\r\n|\r|\n")
# A blank line (only spaces or tabs) separates paragraphs, whatever the line endings: a
# run of them and the spaces after it, up to the next paragraph's first character.
_PARAGRAPH_GAP = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?:\r\n|\r|\n)[\r\n \t]*(?=[^\r\n \t])")
# The same for a text without CR: a literal first character lets the regex engine skip
# to each newline instead of trying every position (three times faster on 130 KB).
_PARAGRAPH_GAP_LF = re.compile(r"\n[ \t]*\n[\n \t]*(?=[^\n \t])")
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
    by_line: bool = False  # the text there is made of lines (code, a list, a table)

    @property
    def label(self) -> str:
        """ "¶N", or "line N" where the text is made of lines (``Places.by_line``)."""
        return f"line {self.line}" if self.by_line else f"¶{self.paragraph}"

    def to_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "paragraph": self.paragraph,
            "line": self.line,
            "before": self.before,
            "after": self.after,
        }


class Places:
    """Answers ``Place`` questions about one text; built once per text, so that placing
    every change of a long document costs a bisect each, not a scan."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[int] | None = None  # line starts, made only for CR line endings
        self._fences: list[int] | None = None  # where fence lines start, made when asked
        # Where each paragraph starts: the first non-blank character after a blank line.
        # One regex match per run of blank lines (a Python loop over characters here
        # cost an export of 660 revisions of a 130 KB text seconds).
        gap = _PARAGRAPH_GAP if "\r" in text else _PARAGRAPH_GAP_LF
        self._paragraph_starts = [0] + [m.end() for m in gap.finditer(text)]
        self.paragraphs = len(self._paragraph_starts) if text.strip() else 0

    def _line_start(self, offset: int) -> int:
        """Where the line holding ``offset`` starts."""
        if "\r" not in self.text:
            return self.text.rfind("\n", 0, offset) + 1
        return self._line_starts()[self.line_of(offset) - 1]

    def _line_starts(self) -> list[int]:
        if self._lines is None:
            self._lines = [0] + [m.end() for m in _LINE_END.finditer(self.text)]
        return self._lines

    def kind_of(self, offset: int) -> str:
        """The kind of block (``structure``) that holds ``offset``; "prose" between blocks.

        Worked out from the offset's own paragraph (and the fences before it), not the
        whole text, so that placing a change in a long document stays cheap."""
        if self._fences is None:
            self._fences = _fence_lines(self.text)
        if bisect_left(self._fences, self._line_start(offset)) % 2:
            return "code"  # inside a fenced block (or on its closing fence)
        paragraph = self.paragraph_of(offset)
        start = self._paragraph_starts[paragraph - 1]
        following = self._paragraph_starts[paragraph : paragraph + 1]
        end = _trim_end(self.text, following[0] if following else len(self.text))
        for block in structure(self.text[start:end]):
            if block.start <= offset - start <= block.end:
                return block.kind
        return "prose"

    def by_line(self, offset: int) -> bool:
        """Whether a change at ``offset`` is best found by its line rather than its
        paragraph: in code, a list or a table, or in a text of several lines and no
        blank line (a paragraph number would say nothing there)."""
        if self.kind_of(offset) in LINE_KINDS:
            return True
        if self.paragraphs > 1:
            return False
        breaks = self.line_of(len(self.text)) - 1
        return breaks - self.text.endswith(("\n", "\r")) > 0

    def label(self, offset: int) -> str:
        """ "¶N", or "line N" where the text is made of lines (``by_line``)."""
        if self.by_line(offset):
            return f"line {self.line_of(offset)}"
        return f"¶{self.paragraph_of(offset)}"

    def units(self) -> list[tuple[int, int]]:
        """The text's paragraphs as (start, end) spans, each ending where the next starts
        (or at the text's end), so a span carries the blank line after it.

        A text with no blank line at all (a list, code, prose with one paragraph per line)
        is cut into its lines instead, since one "paragraph" would be the whole text."""
        if self.paragraphs <= 1 and len(self._line_starts()) > 2:
            starts = [s for s in self._line_starts() if s < len(self.text)]
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
        if "\r" not in self.text:  # the common case: count, and build no list
            return self.text.count("\n", 0, offset) + 1
        return max(bisect_right(self._line_starts(), offset), 1)

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
        return Place(paragraph, self.line_of(start), before, after, self.by_line(start))


def _fence_lines(text: str) -> list[int]:
    """Where each fence line (```` ``` ```` or ``~~~``, indented at most three spaces)
    starts, in order. Found with ``str.find``: a regex anchored at every line start tried
    every position of a long text."""
    starts = set()
    for mark in ("```", "~~~"):
        at = text.find(mark)
        while at >= 0:
            line = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
            if at - line <= 3 and not text[line:at].strip(" "):
                starts.add(line)
            at = text.find(mark, at + 3)
    return sorted(starts)


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


# -- the document's structure ----------------------------------------------------------------

# Markdown's line-level markers (CommonMark's, loosely: up to three spaces of indent).
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_BULLET = re.compile(r"[ \t]*[-*+][ \t]+\S")
_NUMBERED = re.compile(r"[ \t]*\d{1,9}[.)][ \t]+\S")
_ROW = re.compile(r" {0,3}\|")
_INDENTED = re.compile(r"(?: {4}|\t)")
_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
# What a block is: its lines are units of their own ("code", "item", "row", "heading"), or
# prose, which blame cuts into sentences. "code", "item" and "row" are line-structured:
# a change in them is placed by line rather than by paragraph.
LINE_KINDS = ("code", "item", "row")


@dataclass(frozen=True)
class Block:
    """A unit of the document's structure: ``text[start:end]``, trimmed of edge spaces."""

    start: int
    end: int
    kind: str  # "code" (one line of a code block), "heading", "item", "row" or "prose"


def structure(text: str) -> list[Block]:
    """The text's blocks in order: a fenced or indented code block gives one block per
    line, a heading, list item or table row one block each, and the other runs of lines
    (prose) one block per paragraph. Blank lines belong to no block."""
    lines = [
        (m.start(), m.end() - len(m.group(1)))  # (start, end without its line ending)
        for m in re.finditer(r"[^\r\n]*(\r\n|\r|\n|$)", text)
        if m.end() > m.start()
    ]
    blocks: list[Block] = []
    fence: str | None = None  # the opening fence while inside a fenced block
    paragraph: list[tuple[int, int]] = []
    in_list = False  # the last paragraph held list items: an indented one continues them

    def flush() -> None:
        nonlocal in_list
        if paragraph:
            in_list = _paragraph_blocks(text, paragraph, in_list, blocks)
            paragraph.clear()

    for start, end in lines:
        line = text[start:end]
        if fence is not None:
            stripped = line.strip()
            if stripped:
                blocks.append(Block(start, end, "code"))
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            continue
        opening = _FENCE.match(line)
        if opening:
            flush()
            fence = opening.group(1)
            blocks.append(Block(start, end, "code"))
            continue
        if not line.strip():
            flush()
            continue
        paragraph.append((start, end))
    flush()
    return [_trimmed(text, block) for block in blocks if text[block.start : block.end].strip()]


def _paragraph_blocks(
    text: str, lines: list[tuple[int, int]], in_list: bool, blocks: list[Block]
) -> bool:
    """The blocks of one run of non-blank lines, appended; True when it holds list items."""
    first = text[lines[0][0] : lines[0][1]]
    if all(_INDENTED.match(text[s:e]) for s, e in lines) and not in_list:
        blocks.extend(Block(s, e, "code") for s, e in lines)
        return False
    has_items = False
    current: Block | None = None  # the item or prose run that the next line may continue
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        after_item = current is not None and current.kind == "item"
        if current is not None and current.kind == "prose" and _UNDERLINE.match(line):
            blocks.append(Block(current.start, end, "heading"))  # a setext heading
            current = None
        elif _HEADING.match(line) or _ROW.match(line):
            kind = "heading" if _HEADING.match(line) else "row"
            if current:
                blocks.append(current)
            blocks.append(Block(start, end, kind))
            current = None
        elif _BULLET.match(line) or (
            # A number starts an item only where a list can be (not "in\n1990. The").
            _NUMBERED.match(line) and (index == 0 or after_item or in_list)
        ):
            if current:
                blocks.append(current)
            current = Block(start, end, "item")
            has_items = True
        elif current is not None:
            current = Block(current.start, end, current.kind)
        else:
            # An indented paragraph after a list is the list item's next paragraph.
            continued = in_list and index == 0 and _INDENTED.match(first)
            current = Block(start, end, "item" if continued else "prose")
    if current:
        blocks.append(current)
    return has_items or (in_list and bool(_INDENTED.match(first)))


def _trimmed(text: str, block: Block) -> Block:
    chunk = text[block.start : block.end]
    lead = len(chunk) - len(chunk.lstrip())
    trail = len(chunk) - len(chunk.rstrip())
    return Block(block.start + lead, block.end - trail, block.kind)
