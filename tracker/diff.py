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
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache

from diff_match_patch import diff_match_patch

from tracker.model import Change, Span
from tracker.moves import find_moves
from tracker.text.ends import common_prefix, common_suffix
from tracker.text.tokens import is_word, may_extend, tokenize

_EQUAL = diff_match_patch.DIFF_EQUAL
_DELETE = diff_match_patch.DIFF_DELETE
_INSERT = diff_match_patch.DIFF_INSERT

# An edit as (old_start, old_end, new_start, new_end) in characters.
Edit = tuple[int, int, int, int]


class _OverBudget(Exception):
    """An exact search went past the steps its diff had left."""


class _Engine(diff_match_patch):
    """diff-match-patch with its middle-snake search (where a long history's diff time
    goes) written for speed: the same steps in the same order, so the same diffs, with
    no clock read per step (there is no time-out), the texts' lengths and the arrays in
    local names, and the reverse path reading reversed copies instead of negative
    indices. tests/test_log_foreign.py checks it against the library on random texts.

    With ``allowance`` set, it counts its steps (diagonals visited, summed over every
    search of one ``diff_main``) in ``steps`` and gives up with :class:`_OverBudget`
    past the allowance: a bound on work, not on time, so the same on every machine."""

    allowance: int | None = None
    steps = 0

    def diff_bisect(self, text1, text2, deadline):  # type: ignore[no-untyped-def]
        allowance = self.allowance
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
            if allowance is not None:
                self.steps += 2 * d + 2
                if self.steps > allowance:
                    raise _OverBudget
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


def _few_steps_apart(a: str, b: str) -> bool:
    """A quick test that can rule out ``_within_steps(a, b, _FEW_STEPS)``: every token
    beyond what the two sides could share must be deleted or inserted."""
    if abs(len(a) - len(b)) > _FEW_STEPS:
        return False
    shared = sum((Counter(a) & Counter(b)).values())
    return len(a) + len(b) - 2 * shared <= _FEW_STEPS


def _within_steps(a: str, b: str, steps: int) -> bool:
    """Whether ``a`` turns into ``b`` with at most ``steps`` deletions and insertions
    (Myers' forward search, bounded: at most ``steps`` squared moves)."""
    n, m = len(a), len(b)
    if abs(n - m) > steps:
        return False
    v = {1: 0}
    for d in range(steps + 1):
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v.get(k - 1, -1) < v.get(k + 1, -1)):
                x = v.get(k + 1, 0)
            else:
                x = v.get(k - 1, 0) + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            v[k] = x
            if x >= n and y >= m:
                return True
    return False


def _engine() -> diff_match_patch:
    engine = _Engine()
    # No time-out: with one, a slow machine returns a coarser diff than a fast one.
    engine.Diff_Timeout = 0
    return engine


_DMP = _engine()

# A gap of n by m tokens with n * m at most this always goes to diff-match-patch whole:
# its search is cheap, and a one-word edit stays exactly what it was.
_SMALL_PIECE = 1 << 12
# A larger piece with no anchor is diffed exactly only when at most this many tokens
# are deleted and inserted in it.
_FEW_STEPS = 64
# Anchoring goes at most this deep; the redrafts measured need 6 to 9 levels.
_MAX_DEPTH = 24
# Larger gaps do too while the diff's exact search has steps left (a step is one
# diagonal visited in diff-match-patch's search). Rewritten paragraphs spend the most,
# lightly edited ones almost nothing, so a long document with scattered edits stays
# exact. The adjacent pairs of revisions of the PEP 8 fixture need at most 127,494 steps,
# of the System Design Primer 17,412, of markdown_history() 27,906 (tests and
# bench/compare_engines.py check that their changes are unchanged); past the budget,
# gaps are anchored, so one diff spends at most some tens of milliseconds on exact search.
_EXACT_BUDGET = 200_000
# Tokens that occur at most this often on each side may anchor a large gap (git's
# histogram diff uses 64 too); rarer tokens are tried first, as in patience diff.
_RARE_TIERS = (1, 8)


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
    budget = _Budget()
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
            for os_, oe, ns, ne in _word_edits(old_part, new_part, budget):
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


def _word_edits(old: str, new: str, budget: _Budget | None = None) -> Iterator[Edit]:
    """Diff two stretches of text word by word; yield edits relative to their starts."""
    if not old or not new:
        # Nothing to align: the whole stretch was inserted or deleted.
        yield 0, len(old), 0, len(new)
        return
    # Tokenizing is the costly part in Python: skip the common start and end first. The
    # cuts fall only where whitespace meets a non-space character inside the common part
    # that does not extend the space's cluster, which is a token boundary in both texts,
    # so no word, whitespace run or grapheme cluster is split.
    head = common_prefix(old, new)
    if head:
        head -= 1
        while head > 0 and not _cut_here(old, head):
            head -= 1
    tail = 0
    if head < min(len(old), len(new)):
        common = common_suffix(old, new, min(len(old), len(new)) - head)
        start = len(old) - common + 1
        while start < len(old) and not _cut_here(old, start):
            start += 1
        tail = len(old) - start if start < len(old) else 0
    if head or tail:
        inner = _word_edits_core(
            old[head : len(old) - tail], new[head : len(new) - tail], budget or _Budget()
        )
        for os_, oe, ns, ne in inner:
            yield os_ + head, oe + head, ns + head, ne + head
        return
    yield from _word_edits_core(old, new, budget or _Budget())


def _one_for_one(old_tokens: list[str], new_tokens: list[str]) -> Edit | None:
    """The edit, when the two token lists differ in one token only (most edits of a
    long document, once the common ends are cut): diff-match-patch and the cleanup can
    only answer that token for that token, so they are skipped. Else None."""
    if len(old_tokens) != len(new_tokens) or len(old_tokens) > 8:
        return None
    differ = [k for k, (a, b) in enumerate(zip(old_tokens, new_tokens, strict=True)) if a != b]
    if len(differ) != 1:
        return None
    start = sum(map(len, old_tokens[: differ[0]]))
    return (
        start,
        start + len(old_tokens[differ[0]]),
        start,
        start + len(new_tokens[differ[0]]),
    )


def _cut_here(text: str, at: int) -> bool:
    """Whether the common start or end may be cut at ``at``: where whitespace meets a
    character that starts a token (not a mark that joins the space before it)."""
    return text[at - 1].isspace() and not text[at].isspace() and not may_extend(text[at])


def _word_edits_core(old: str, new: str, budget: _Budget) -> Iterator[Edit]:
    if not old or not new:
        yield 0, len(old), 0, len(new)
        return
    old_tokens = tokenize(old)
    new_tokens = tokenize(new)
    one = _one_for_one(old_tokens, new_tokens)
    if one is not None:
        yield one
        return
    codes: dict[str, str] = {}
    old_chars = _encode(old_tokens, codes)
    new_chars = _encode(new_tokens, codes)
    # Per code (dicts keep insertion order, so list position = code): is it a word, and
    # how many characters does it stand for.
    words = [is_word(token) for token in codes]
    sizes = [len(token) for token in codes]
    diffs = _token_diff(old_chars, new_chars, words, budget)

    def weight(chars: str) -> int:
        return sum(map(words.__getitem__, map(ord, chars)))

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


class _Budget:
    """How many steps of exact search one diff may still spend, with its own counting
    engine (so that diffs in different threads never share a count). Shared by every
    gap of one ``word_changes``."""

    def __init__(self) -> None:
        self.left = _EXACT_BUDGET
        self.engine = _engine()

    def exact(self, a: str, b: str) -> list[tuple[int, str]] | None:
        """diff-match-patch's diff of a and b if it fits in the steps left, else None
        (and no steps are left: the gaps after this one are anchored)."""
        if self.left <= 0 or self._surely_over(a, b):
            self.left = 0
            return None
        self.engine.allowance = self.left
        self.engine.steps = 0
        try:
            diffs = self.engine.diff_main(a, b, False)
        except _OverBudget:
            self.left = 0
            return None
        self.left -= self.engine.steps
        return diffs

    def _surely_over(self, a: str, b: str) -> bool:
        """Whether the search would surely give up, known without running it: the
        tokens the sides cannot share must all be deleted or inserted (at least D
        edits), and the search meets in the middle only after visiting about (D/2)**2
        diagonals. Skipping such a search gives the answer trying it would, at none
        of its cost (the few cases diff-match-patch settles without searching are
        left to it)."""
        short, long = (a, b) if len(a) <= len(b) else (b, a)
        if len(short) <= 1 or short in long:
            return False
        edits = len(a) + len(b) - 2 * sum((Counter(a) & Counter(b)).values())
        half = edits // 2
        return half * (half + 1) > self.left


def _token_diff(a: str, b: str, words: list[bool], budget: _Budget) -> list[tuple[int, str]]:
    """Diff two strings of token codes.

    A gap goes to diff-match-patch whole when it is small, or while the diff's budget
    of exact search lasts (which every adjacent pair of revisions in the shared corpora
    stays within, so their changes are those of the engine before issue 9). Otherwise
    it is anchored on runs of shared rare tokens, and each piece between the anchors is
    diffed the same way, iteratively and in reading order.
    """
    if len(a) * len(b) <= _SMALL_PIECE:
        return _DMP.diff_main(a, b, False)
    exact = budget.exact(a, b)
    if exact is not None:
        return exact
    out: list[tuple[int, str]] = []
    # (op, codes) to emit, or (old codes, new codes, depth) to diff. The pieces of one
    # depth are disjoint, so each depth costs time linear in the gap, and the depth is
    # bounded: a pathological order (anchors that cut off one run at a time) cannot
    # make the anchoring quadratic.
    todo: list[tuple[int, str] | tuple[str, str, int]] = [(a, b, 0)]
    while todo:
        item = todo.pop()
        if len(item) == 2:
            out.append(item)  # type: ignore[arg-type]
            continue
        a, b, depth = item  # type: ignore[misc]
        head = common_prefix(a, b)
        tail = common_suffix(a, b, min(len(a), len(b)) - head)
        if head:
            out.append((_EQUAL, a[:head]))
        if tail:
            todo.append((_EQUAL, a[len(a) - tail :]))
        a, b = a[head : len(a) - tail], b[head : len(b) - tail]
        if not a or not b:
            if a:
                out.append((_DELETE, a))
            if b:
                out.append((_INSERT, b))
            continue
        if len(a) * len(b) <= _SMALL_PIECE:
            out.extend(_DMP.diff_main(a, b, False))
            continue
        runs = _anchor_runs(a, b, words) if depth < _MAX_DEPTH else []
        if not runs:
            # No two words in a row are shared through a rare token: diff the piece
            # exactly if it is a few edits from the other side, else it was rewritten
            # and is one replacement (the cleanup would fold the common words it shares
            # into one anyway). A bound on steps, not on time: the same on every machine.
            if _few_steps_apart(a, b) and _within_steps(a, b, _FEW_STEPS):
                out.extend(_DMP.diff_main(a, b, False))
            else:
                out.append((_DELETE, a))
                out.append((_INSERT, b))
            continue
        pieces: list[tuple[int, str] | tuple[str, str, int]] = []
        pa = pb = 0
        for i, j, length in runs:
            if i > pa or j > pb:
                pieces.append((a[pa:i], b[pb:j], depth + 1))
            pieces.append((_EQUAL, a[i : i + length]))
            pa, pb = i + length, j + length
        if pa < len(a) or pb < len(b):
            pieces.append((a[pa:], b[pb:], depth + 1))
        todo.extend(reversed(pieces))
    return _merge(out)


def _merge(diffs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join neighbouring equalities, and each run of edits into one deletion followed by
    one insertion, as diff-match-patch's results are (one linear pass)."""
    out: list[tuple[int, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []
    equal: list[str] = []
    for op, chars in diffs:
        if not chars:
            continue
        if op == _EQUAL:
            if deleted or inserted:
                if deleted:
                    out.append((_DELETE, "".join(deleted)))
                if inserted:
                    out.append((_INSERT, "".join(inserted)))
                deleted, inserted = [], []
            equal.append(chars)
            continue
        if equal:
            out.append((_EQUAL, "".join(equal)))
            equal = []
        (deleted if op == _DELETE else inserted).append(chars)
    if deleted:
        out.append((_DELETE, "".join(deleted)))
    if inserted:
        out.append((_INSERT, "".join(inserted)))
    if equal:
        out.append((_EQUAL, "".join(equal)))
    return out


def _anchor_runs(a: str, b: str, words: list[bool]) -> list[tuple[int, int, int]]:
    """Runs of equal tokens (start in a, start in b, length) to fix as unchanged in a
    large gap, in order: the chain of runs with the most words among the runs through a
    token that is rare on both sides, in the rarest tier that has any (unique tokens
    first, as patience diff does). A run must hold two words or more: one shared word
    in rewritten text is a coincidence, and anchoring on it would cut one replacement
    into three changes."""
    count_a = Counter(a)
    count_b = Counter(b)
    budget = 8 * (len(a) + len(b))  # pairs of occurrences looked at: linear in the gap
    for tier in _RARE_TIERS:
        seeds = {t for t, c in count_a.items() if c <= tier and 0 < count_b.get(t, 0) <= tier}
        if not seeds:
            continue
        if sum(count_a[t] * count_b[t] for t in seeds) > budget:
            return []
        runs = _runs(a, b, seeds, words)
        if runs:
            return _heaviest_chain(runs)
    return []


def _runs(a: str, b: str, seeds: set[str], words: list[bool]) -> list[tuple[int, int, int, int]]:
    """The maximal runs of equal tokens through each pair of seed occurrences that hold
    two words or more, as (start in a, start in b, length, words), ordered."""
    where_b: dict[str, list[int]] = {}
    for j, t in enumerate(b):
        if t in seeds:
            where_b.setdefault(t, []).append(j)
    n, m = len(a), len(b)
    reached: dict[int, int] = {}  # diagonal (i - j) -> end in a of the last run found on it
    runs = []
    for i, t in enumerate(a):
        if t not in seeds:
            continue
        for j in where_b[t]:
            if reached.get(i - j, -1) > i:
                continue  # inside a run already found
            s, u = i, j
            while s and u and a[s - 1] == b[u - 1]:
                s -= 1
                u -= 1
            e, f = i + 1, j + 1
            while e < n and f < m and a[e] == b[f]:
                e += 1
                f += 1
            reached[i - j] = e
            count = sum(map(words.__getitem__, map(ord, a[s:e])))
            if count >= 2:
                runs.append((s, u, e - s, count))
    runs.sort()
    return runs


def _heaviest_chain(runs: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int]]:
    """The chain of runs, each after the last in both texts, with the most words.

    Runs are taken in order of their start in a; a run's best chain ends with a run that
    ends before it starts in both texts, found with a Fenwick tree of best scores by end
    in b (a run enters the tree once runs start at or after its end in a). Ties go to
    the run found first, so the answer is deterministic.
    """
    if not runs:
        return []
    size = max(u + length for _, u, length, _ in runs) + 1
    tree: list[tuple[int, int]] = [(0, -1)] * (size + 1)
    best: list[tuple[int, int]] = []
    by_end = sorted(range(len(runs)), key=lambda k: runs[k][0] + runs[k][2])
    entered = 0
    for k, (s, u, _, weight) in enumerate(runs):
        while entered < len(by_end):
            r = by_end[entered]
            if runs[r][0] + runs[r][2] > s or r >= k:
                break
            score = (best[r][0], -r)
            pos = runs[r][1] + runs[r][2]
            while pos <= size:
                if tree[pos] < score:
                    tree[pos] = score
                pos += pos & -pos
            entered += 1
        found: tuple[int, int] = (0, 1)
        pos = u
        while pos > 0:
            if tree[pos] > found:
                found = tree[pos]
            pos -= pos & -pos
        best.append((found[0] + weight, -found[1]))
    end = max(range(len(runs)), key=lambda k: (best[k][0], -k))
    chain = []
    while end >= 0:
        chain.append(runs[end][:3])
        end = best[end][1]
    chain.reverse()
    return chain


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

    One pass with a stack, so it is linear: diff-match-patch's walk goes back to the
    equality before after each one it absorbs and walks the merged edits again, which
    is quadratic in a redraft's thousands of absorbed equalities. The stack holds the
    edits since each open equality as one group (words inserted, words deleted); when
    the top equality is absorbed, it and its two groups become one group, and the
    equality below is checked against it, as diff-match-patch's re-walk does.
    """
    eq_at: list[int] = []  # indices of the equalities still open, bottom to top
    eq_weight: list[int] = []
    groups: list[list[int]] = [[0, 0]]  # words [inserted, deleted] after each equality
    absorbed: set[int] = set()
    for i, (op, chars) in enumerate(diffs):
        if op == _EQUAL:
            eq_at.append(i)
            eq_weight.append(weight(chars))
            groups.append([0, 0])
            continue
        groups[-1][0 if op == _INSERT else 1] += weight(chars)
        # The rule weighs the open equality against the groups on its sides; an absorbed
        # equality counts as deleted and inserted in the group it joins.
        while eq_at and eq_weight[-1] < min(max(groups[-2]), max(groups[-1])):
            after = groups.pop()
            before = groups.pop()
            w = eq_weight.pop()
            absorbed.add(eq_at.pop())
            groups.append([before[0] + w + after[0], before[1] + w + after[1]])
    if not absorbed:
        return list(diffs)
    result: list[tuple[int, str]] = []
    for i, (op, chars) in enumerate(diffs):
        if i in absorbed:
            result.append((_DELETE, chars))
            result.append((_INSERT, chars))
        else:
            result.append((op, chars))
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
