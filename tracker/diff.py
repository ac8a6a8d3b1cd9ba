"""Provides the word-level diff engine: the only module that touches diff_match_patch.

How a diff is computed, and why:

1. **Anchoring.** Lines (for prose, usually whole paragraphs) that occur exactly once in
   each text and match in order are fixed as unchanged, patience-diff style, together
   with the equal lines around them. On a megabyte document with a few edits this leaves
   only the changed paragraphs to diff, which is what makes the engine fast; see
   docs/diff-engine.md for the figures.
2. **Word diff of each gap.** Each stretch between anchors is split into word,
   whitespace and punctuation tokens; every distinct token is mapped to one character,
   the way diff-match-patch's line mode maps lines, and diff-match-patch diffs those
   characters with no time-out (a time-out makes the result depend on the machine's
   speed); a semantic cleanup then folds short equalities into the edits around them.
   Because the unit is a token, a change always covers whole words: "red" -> "green"
   is one replacement, never "g/re/d/en".
3. **Changes.** Runs of deletions and insertions with no equal token between them become
   one :class:`~tracker.model.Change` with its exact character ranges in both texts.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterator
from functools import lru_cache

from diff_match_patch import diff_match_patch

from tracker.model import Change, Span
from tracker.moves import find_moves
from tracker.text.ends import common_prefix, common_suffix
from tracker.text.tokens import is_word, tokenize

_EQUAL = diff_match_patch.DIFF_EQUAL
_DELETE = diff_match_patch.DIFF_DELETE
_INSERT = diff_match_patch.DIFF_INSERT

# An edit as (old_start, old_end, new_start, new_end) in characters.
Edit = tuple[int, int, int, int]


class _Engine(diff_match_patch):
    """diff-match-patch with its middle-snake search (where a long history's diff time
    goes) written for speed: the same steps in the same order, so the same diffs, with
    no clock read per step (there is no time-out), the texts' lengths and the arrays in
    local names, and the reverse path reading reversed copies instead of negative
    indices. tests/test_log_foreign.py checks it against the library on random texts."""

    def diff_bisect(self, text1, text2, deadline):  # type: ignore[no-untyped-def]
        n1 = len(text1)
        n2 = len(text2)
        max_d = (n1 + n2 + 1) // 2
        v_offset = max_d
        v_length = 2 * max_d
        v1 = [-1] * v_length
        v1[v_offset + 1] = 0
        v2 = v1[:]
        delta = n1 - n2
        front = delta % 2 != 0
        rev1 = text1[::-1]
        rev2 = text2[::-1]
        k1start = k1end = k2start = k2end = 0
        for d in range(max_d):
            for k1 in range(-d + k1start, d + 1 - k1end, 2):
                k1_offset = v_offset + k1
                if k1 == -d or (k1 != d and v1[k1_offset - 1] < v1[k1_offset + 1]):
                    x1 = v1[k1_offset + 1]
                else:
                    x1 = v1[k1_offset - 1] + 1
                y1 = x1 - k1
                while x1 < n1 and y1 < n2 and text1[x1] == text2[y1]:
                    x1 += 1
                    y1 += 1
                v1[k1_offset] = x1
                if x1 > n1:
                    k1end += 2
                elif y1 > n2:
                    k1start += 2
                elif front:
                    k2_offset = v_offset + delta - k1
                    if (
                        0 <= k2_offset < v_length
                        and v2[k2_offset] != -1
                        and x1 >= n1 - v2[k2_offset]
                    ):
                        return self.diff_bisectSplit(text1, text2, x1, y1, deadline)
            for k2 in range(-d + k2start, d + 1 - k2end, 2):
                k2_offset = v_offset + k2
                if k2 == -d or (k2 != d and v2[k2_offset - 1] < v2[k2_offset + 1]):
                    x2 = v2[k2_offset + 1]
                else:
                    x2 = v2[k2_offset - 1] + 1
                y2 = x2 - k2
                while x2 < n1 and y2 < n2 and rev1[x2] == rev2[y2]:
                    x2 += 1
                    y2 += 1
                v2[k2_offset] = x2
                if x2 > n1:
                    k2end += 2
                elif y2 > n2:
                    k2start += 2
                elif not front:
                    k1_offset = v_offset + delta - k2
                    if 0 <= k1_offset < v_length and v1[k1_offset] != -1:
                        x1 = v1[k1_offset]
                        if x1 >= n1 - x2:
                            y1 = v_offset + x1 - k1_offset
                            return self.diff_bisectSplit(text1, text2, x1, y1, deadline)
        return [(self.DIFF_DELETE, text1), (self.DIFF_INSERT, text2)]


def _engine() -> diff_match_patch:
    engine = _Engine()
    # No time-out: with one, a slow machine returns a coarser diff than a fast one.
    engine.Diff_Timeout = 0
    return engine


_DMP = _engine()


def diff_texts(old: str, new: str) -> list[Change]:
    """Return the word-level changes that turn ``old`` into ``new``, in reading order."""
    return _changes_cached(old, new)


@lru_cache(maxsize=64)
def _changes_cached(old: str, new: str) -> list[Change]:
    # Moved paragraphs are found in the word diff's result (tracker/moves.py).
    return find_moves(old, new, word_changes(old, new), word_changes)


def word_changes(old: str, new: str) -> list[Change]:
    """The word diff alone, without moves."""
    changes = []
    for index, (os_, oe, ns, ne) in enumerate(_edits(old, new), start=1):
        kind = "replace" if oe > os_ and ne > ns else ("delete" if oe > os_ else "insert")
        changes.append(Change(index, kind, Span(os_, oe, old[os_:oe]), Span(ns, ne, new[ns:ne])))
    return changes


def _edits(old: str, new: str) -> Iterator[Edit]:
    if old == new:
        return
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_offsets = _offsets(old_lines)
    new_offsets = _offsets(new_lines)
    for a0, a1, b0, b1 in _line_gaps(old_lines, new_lines):
        if a1 - a0 == b1 - b0 > 1:
            # As many lines on each side: paragraphs edited in place. Diffing each pair on
            # its own keeps a megabyte of lightly edited prose from becoming one huge gap.
            blocks = [(a0 + k, a0 + k + 1, b0 + k, b0 + k + 1) for k in range(a1 - a0)]
        else:
            blocks = [(a0, a1, b0, b1)]
        for c0, c1, d0, d1 in blocks:
            base_old = old_offsets[c0]
            base_new = new_offsets[d0]
            old_part = old[base_old : old_offsets[c1]]
            new_part = new[base_new : new_offsets[d1]]
            if old_part == new_part:
                continue
            for os_, oe, ns, ne in _word_edits(old_part, new_part):
                yield os_ + base_old, oe + base_old, ns + base_new, ne + base_new


def _offsets(lines: list[str]) -> list[int]:
    offsets = [0]
    total = 0
    for line in lines:
        total += len(line)
        offsets.append(total)
    return offsets


def _line_gaps(a: list[str], b: list[str]) -> Iterator[tuple[int, int, int, int]]:
    """Yield the (a0, a1, b0, b1) line ranges left unmatched after anchoring."""
    stack = [(0, len(a), 0, len(b))]
    # Iterative, so that a long history of nested gaps cannot hit the recursion limit;
    # gaps are produced in order because each split pushes its right part first.
    while stack:
        a0, a1, b0, b1 = stack.pop()
        # Equal lines at both ends of the range are unchanged.
        while a0 < a1 and b0 < b1 and a[a0] == b[b0]:
            a0 += 1
            b0 += 1
        while a0 < a1 and b0 < b1 and a[a1 - 1] == b[b1 - 1]:
            a1 -= 1
            b1 -= 1
        if a0 == a1 and b0 == b1:
            continue
        anchors = _unique_common_lines(a, a0, a1, b, b0, b1)
        if not anchors:
            yield a0, a1, b0, b1
            continue
        # Split at the anchors: the pieces between them are anchored again, since lines
        # that were repeated in the whole range may be unique within a piece.
        pieces = []
        prev_a, prev_b = a0, b0
        for ia, ib in anchors:
            pieces.append((prev_a, ia, prev_b, ib))
            prev_a, prev_b = ia + 1, ib + 1
        pieces.append((prev_a, a1, prev_b, b1))
        stack.extend(reversed(pieces))


def _unique_common_lines(
    a: list[str], a0: int, a1: int, b: list[str], b0: int, b1: int
) -> list[tuple[int, int]]:
    """Lines that occur once in each range, as the longest run of pairs in the same order."""
    seen_a: dict[str, int] = {}
    for i in range(a0, a1):
        line = a[i]
        seen_a[line] = -1 if line in seen_a else i
    seen_b: dict[str, int] = {}
    for j in range(b0, b1):
        line = b[j]
        if seen_a.get(line, -1) >= 0:
            seen_b[line] = -1 if line in seen_b else j
    pairs = sorted((seen_a[line], j) for line, j in seen_b.items() if j >= 0)
    return _longest_increasing(pairs)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of pairs whose second items increase (patience sorting)."""
    tails: list[int] = []  # smallest b-index ending an increasing run of each length
    tail_at: list[int] = []  # index into pairs of that tail
    back: list[int] = []
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        back.append(tail_at[pos - 1] if pos else -1)
    result = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        result.append(pairs[k])
        k = back[k]
    result.reverse()
    return result


def _word_edits(old: str, new: str) -> Iterator[Edit]:
    """Diff two stretches of text word by word; yield edits relative to their starts."""
    if not old or not new:
        # Nothing to align: the whole stretch was inserted or deleted.
        yield 0, len(old), 0, len(new)
        return
    # Tokenizing is the costly part in Python: skip the common start and end first. The
    # cuts fall only where whitespace meets a non-space character inside the common part,
    # which is a token boundary in both texts, so no word or whitespace run is split.
    head = common_prefix(old, new)
    if head:
        head -= 1
        while head > 0 and not (old[head - 1].isspace() and not old[head].isspace()):
            head -= 1
    tail = 0
    if head < min(len(old), len(new)):
        common = common_suffix(old, new, min(len(old), len(new)) - head)
        start = len(old) - common + 1
        while start < len(old) and not (old[start - 1].isspace() and not old[start].isspace()):
            start += 1
        tail = len(old) - start if start < len(old) else 0
    if head or tail:
        inner = _word_edits_core(old[head : len(old) - tail], new[head : len(new) - tail])
        for os_, oe, ns, ne in inner:
            yield os_ + head, oe + head, ns + head, ne + head
        return
    yield from _word_edits_core(old, new)


def _word_edits_core(old: str, new: str) -> Iterator[Edit]:
    if not old or not new:
        yield 0, len(old), 0, len(new)
        return
    old_tokens = tokenize(old)
    new_tokens = tokenize(new)
    codes: dict[str, str] = {}
    old_chars = _encode(old_tokens, codes)
    new_chars = _encode(new_tokens, codes)
    diffs = _DMP.diff_main(old_chars, new_chars, False)
    # Per code (dicts keep insertion order, so list position = code): is it a word, and
    # how many characters does it stand for.
    words = [is_word(token) for token in codes]
    sizes = [len(token) for token in codes]
    # Memoized: the cleanup re-walks from an earlier equality after each one it absorbs,
    # weighing the same runs again (a third of a long history's diff time without this).
    weights: dict[str, int] = {}

    def weight(chars: str) -> int:
        found = weights.get(chars)
        if found is None:
            found = weights[chars] = sum(map(words.__getitem__, map(ord, chars)))
        return found

    diffs = _semantic_cleanup(diffs, weight)

    old_pos = new_pos = 0
    pending: Edit | None = None
    for op, chars in diffs:
        length = sum(map(sizes.__getitem__, map(ord, chars)))
        if op == _EQUAL:
            if pending is not None:
                yield pending
                pending = None
            old_pos += length
            new_pos += length
            continue
        if pending is None:
            pending = (old_pos, old_pos, new_pos, new_pos)
        os_, oe, ns, ne = pending
        if op == _DELETE:
            old_pos += length
            pending = (os_, old_pos, ns, ne)
        else:
            new_pos += length
            pending = (os_, oe, ns, new_pos)
    if pending is not None:
        yield pending


def _semantic_cleanup(
    diffs: list[tuple[int, str]], weight: Callable[[str], int]
) -> list[tuple[int, str]]:
    """Fold short equalities into the edits around them, so edits read as phrases.

    This is diff-match-patch's semantic rule, but measured in words and strict: an
    equality is absorbed when it holds fewer words than the edits on each of its sides.
    So "The red fox" -> "A green fox" is one replacement of "The red" (only a space
    between two changed words), "red fox jumps" -> "green fox leaps" stays two changes
    that can each carry their own note, and a changed line ending on each side of an
    unchanged word does not swallow the word. (diff-match-patch's own rule, counted in
    tokens, merged the line endings with the word between them; counted in characters,
    it merged "red fox jumps".)
    """
    diffs = [list(d) for d in diffs]
    changed = False
    equalities: list[int] = []  # indices of equalities still worth re-checking
    last_equality: str | None = None
    before_ins = before_del = after_ins = after_del = 0
    i = 0
    while i < len(diffs):
        op, chars = diffs[i]
        if op == _EQUAL:
            equalities.append(i)
            before_ins, before_del, after_ins, after_del = after_ins, after_del, 0, 0
            last_equality = chars
        else:
            if op == _INSERT:
                after_ins += weight(chars)
            else:
                after_del += weight(chars)
            if last_equality is not None and weight(last_equality) < min(
                max(before_ins, before_del), max(after_ins, after_del)
            ):
                # Turn the equality into a deletion plus an insertion of the same text.
                at = equalities.pop()
                diffs[at] = [_DELETE, last_equality]
                diffs.insert(at + 1, [_INSERT, last_equality])
                if equalities:
                    equalities.pop()  # the equality before may now be absorbable too
                i = equalities[-1] if equalities else -1
                before_ins = before_del = after_ins = after_del = 0
                last_equality = None
                changed = True
        i += 1
    result = [(op, chars) for op, chars in diffs]
    if changed:
        _DMP.diff_cleanupMerge(result)  # gather each run's deletions and insertions
    return result


def _encode(tokens: list[str], codes: dict[str, str]) -> str:
    """Map each distinct token to one character, as diff-match-patch's line mode does."""
    out = []
    for token in tokens:
        code = codes.get(token)
        if code is None:
            code = codes[token] = chr(len(codes))
        out.append(code)
    return "".join(out)


def describe_whitespace_change(old: str, new: str) -> str | None:
    """Name a change that touches only line endings or the final newline, else None.

    Such changes are invisible when printed, so the faces show this description.
    """
    if old.strip() or new.strip():
        return None

    def name(text: str) -> str:
        if "\r\n" in text:
            return "CRLF"
        if "\r" in text:
            return "CR"
        if "\n" in text:
            return "LF"
        return "spaces"

    if not old:
        return f"{name(new)} added" if "\n" in new or "\r" in new else "space added"
    if not new:
        return f"{name(old)} removed" if "\n" in old or "\r" in old else "space removed"
    if name(old) != name(new):
        return f"line endings {name(old)} -> {name(new)}"
    return "whitespace changed"
