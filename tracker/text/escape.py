"""Provides ``visible()``: untrusted text made safe to show on a terminal.

Document text, notes, author names and commit messages come from people and
repositories the tracker does not control. Shown raw, an ESC could move the cursor or
set the clipboard (OSC 52), a C1 control could start a sequence on some terminals, and a
bidi override could make a line read differently from what it holds. ``visible`` swaps
each such character for a visible placeholder; it never drops one, so a reviewer can see
that it is there.
"""

from __future__ import annotations

import unicodedata

# Bidi embeddings, overrides and isolates, and the invisible marks (Trojan Source, CVE-2021-42574).
_BIDI = {
    0x061C: "ALM",
    0x200E: "LRM",
    0x200F: "RLM",
    0x202A: "LRE",
    0x202B: "RLE",
    0x202C: "PDF",
    0x202D: "LRO",
    0x202E: "RLO",
    0x2066: "LRI",
    0x2067: "RLI",
    0x2068: "FSI",
    0x2069: "PDI",
}
_INVISIBLE = {0x200B: "ZWSP", 0x200C: "ZWNJ", 0x200D: "ZWJ", 0x2060: "WJ", 0xFEFF: "BOM"}


def _placeholder(code: int) -> str | None:
    if code in (0x0A, 0x09):
        return None
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟ (ESC becomes ␛)
    if code == 0x7F:
        return "␡"
    if 0x80 <= code <= 0x9F:
        return f"⟨U+{code:04X}⟩"
    if code in _BIDI:
        return f"⟨{_BIDI[code]}⟩"
    return None


_TABLE: dict[int, str] = {}
for _code in list(range(0x00, 0x20)) + [0x7F] + list(range(0x80, 0xA0)) + list(_BIDI):
    _mark = _placeholder(_code)
    if _mark is not None:
        _TABLE[_code] = _mark


def visible(text: str, show_invisible: bool = False) -> str:
    """Replace control, C1 and bidi characters with visible placeholders.

    Newlines and tabs are kept; CR becomes ␍ so that a line cannot overwrite itself.
    ``show_invisible`` also marks zero-width characters, for a diff where they changed.
    """
    if text.isprintable():
        # No control, format (bidi, zero-width) or separator character but the space:
        # nothing to mark. The common case (a name, a note, a line of prose), told in C;
        # the tables below cost a feed of 20,000 notices a quarter of a second.
        return text
    out = text.translate(_TABLE)
    if show_invisible:
        out = out.translate({code: f"⟨{name}⟩" for code, name in _INVISIBLE.items()})
    # Unassigned and private-use code points are harmless; other format characters
    # (category Cf) can still reorder text, so mark any the tables above missed. Only the
    # distinct characters are looked at: a loop in Python over every character of a
    # 40 MB field took seconds per call, and a listing calls this for every field.
    if out.isascii():
        return out
    marks = {
        ord(ch): f"⟨U+{ord(ch):04X}⟩"
        for ch in set(out)
        if ord(ch) > 0x7F and ord(ch) not in _INVISIBLE and unicodedata.category(ch) == "Cf"
    }
    return out.translate(marks) if marks else out


def one_line(text: str) -> str:
    """``visible`` text flattened to one line, for summaries, names and table cells."""
    return " ".join(visible(text).split())


def show_whitespace(text: str) -> str:
    """Make a change of whitespace alone visible (a line ending, a final newline, spaces)."""
    if text.strip():
        return text
    return text.replace("\r", "␍").replace("\n", "↵\n").replace(" ", "·").replace("\t", "→")
