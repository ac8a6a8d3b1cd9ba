"""Provides DiffView: a word diff, side by side or inline, drawn one visible line at a time.

Only the rows on screen are turned into segments (Textual's line API), so a megabyte
document scrolls as fast as a short one. Both sides live on the same row, so they always
scroll together. Changes are marked by more than colour: struck-through deletions with a
"−" in the gutter, underlined insertions with a "+".
"""

from __future__ import annotations

from collections.abc import Callable

from rich.segment import Segment
from rich.style import Style
from textual import work
from textual.binding import Binding
from textual.content import Content
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracker.model import Change, Comparison
from tracker.rows import DELETED, INSERTED, MOVED, Cell, Row, inline, side_by_side
from tracker.text.cells import text_width

DIVIDER = " │ "
SIDE_BY_SIDE_MIN = 76  # cells of diff pane below which inline is the default
PROGRESSIVE_FROM = 40_000  # characters of new text from which the first stretch comes first
FIRST_STRETCH = 12_000  # characters of new text in that first stretch (some 200 rows)


class DiffView(ScrollView, can_focus=True):
    """The changes of a comparison, with one of them in focus."""

    COMPONENT_CLASSES = {
        "diff-view--deleted",
        "diff-view--inserted",
        "diff-view--moved",
        "diff-view--focus",
        "diff-view--fold",
        "diff-view--gutter",
        "diff-view--match",
        "diff-view--empty",
    }

    BINDINGS = [
        Binding("enter", "expand_here", "Expand", show=False),
    ]

    class ChangeFocused(Message):
        """The change in focus moved (None: no change)."""

        def __init__(self, change: Change | None) -> None:
            super().__init__()
            self.change = change

    class SearchChanged(Message):
        """A search began or ended: what ``n``/``N`` do changes with it (the footer says)."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.comparison: Comparison | None = None
        self.layout_mode = "side"
        self._layout_chosen = False  # until the reader toggles it, the width decides
        self.expanded: frozenset[int] = frozenset()
        self.current: int | None = None  # index of the change in focus
        self.search: str = ""
        self.matches: list[int] = []  # rows holding the search text, in order
        self.match: int | None = None  # position in ``matches`` of the match shown
        self._rows: list[Row] = []
        self._width = 0
        self._first_row: dict[int, int] = {}
        self.partial = False  # only a long text's first stretch has rows yet (_rebuild)
        self._column = 8  # the width of a column of text, as the rows were built for
        self._generation = 0  # counts rebuilds: rows built for an older one are dropped
        self.empty_message = "Loading…"

    # -- what to show (attributes down) ------------------------------------------------------

    def show(self, comparison: Comparison | None, keep_position: bool = False) -> None:
        same = (
            comparison is not None
            and self.comparison is not None
            and comparison.key == self.comparison.key
        )
        self.comparison = comparison
        if not same:
            self.expanded = frozenset()
            self._set_search("")
        self._rebuild(progressive=not same)
        if same and keep_position and self.current is not None:
            self.focus_change(self.current)
        else:
            self.scroll_to(y=0, animate=False)
            first = comparison.changes[0].index if comparison and comparison.changes else None
            self.focus_change(first, scroll=False)

    def set_layout(self, mode: str) -> None:
        self.layout_mode = mode
        self._layout_chosen = True
        self._rebuild()
        if self.current is not None:
            self.focus_change(self.current)

    def toggle_folds(self) -> None:
        folds = {row.fold for row in self._rows if row.fold is not None}
        # Expand every fold; when nothing is folded any more, fold them all again.
        self.expanded = self.expanded | folds if folds else frozenset()
        self._rebuild()
        if self.current is not None:
            self.focus_change(self.current)

    @property
    def rows(self) -> list[Row]:
        return self._rows

    @property
    def changes(self) -> tuple[Change, ...]:
        return self.comparison.changes if self.comparison else ()

    def change(self, index: int | None) -> Change | None:
        return next((c for c in self.changes if c.index == index), None)

    # -- moving between changes --------------------------------------------------------------

    def focus_change(self, index: int | None, scroll: bool = True) -> None:
        if index is not None and scroll and index not in self._first_row:
            self.complete()  # a change beyond the first stretch: its rows are needed now
        self.current = index
        if index is not None and scroll and index in self._first_row:
            row = self._first_row[index]
            self.scroll_to(y=max(0, row - 2), animate=False)
        self._update_title()
        self.refresh()
        self.post_message(self.ChangeFocused(self.change(index)))

    def next_change(self, step: int = 1) -> None:
        """The next (or previous) change; at either end it stays, as the history does."""
        indices = [c.index for c in self.changes]
        if not indices:
            return
        if self.current not in indices:
            target = indices[0] if step > 0 else indices[-1]
        else:
            position = indices.index(self.current) + step
            target = indices[max(0, min(len(indices) - 1, position))]
        self.focus_change(target)

    def first_change(self, last: bool = False) -> None:
        """The first (or last) change; with none, the top (or bottom) of the text."""
        if last:
            self.complete()
        if self.changes:
            self.focus_change(self.changes[-1 if last else 0].index)
        else:
            self.scroll_to(y=len(self._rows) if last else 0, animate=False)

    def move_ends(self, index: int | None = None) -> list[int]:
        """The first row of each end of the move in focus (or that holds the edit in focus),
        in order: the rows of a move carry its index at both its places."""
        change = self.change(self.current if index is None else index)
        if change is None:
            return []
        self.complete()
        move = change.index if change.is_move else change.within
        if move is None or not (self.change(move) and self.change(move).is_move):
            return []
        ends: list[int] = []
        previous = False
        for number, row in enumerate(self._rows):
            holds = move in row.changes
            if holds and not previous:
                ends.append(number)
            previous = holds
        return ends

    def other_end(self) -> bool:
        """Scroll to the other end of the move in focus; False when it is not a move."""
        ends = self.move_ends()
        if len(ends) < 2:
            return False
        # The end nearest the top of the screen is "here"; the other is where to go.
        top = self.scroll_offset.y + 2
        here = min(range(len(ends)), key=lambda i: abs(ends[i] - top))
        target = ends[(here + 1) % len(ends)]
        self.scroll_to(y=max(0, target - 2), animate=False)
        self._update_title()
        return True

    # -- search --------------------------------------------------------------------------------

    @property
    def searching(self) -> bool:
        """A search with matches is in force: n/N go from match to match."""
        return bool(self.search and self.matches)

    def _set_search(self, text: str) -> None:
        was = self.searching
        self.search = text
        self.matches = []
        self.match = None
        if was:
            self.post_message(self.SearchChanged())

    def clear_search(self) -> None:
        self._set_search("")
        self._update_title()
        self.refresh()

    def find(self, text: str, start_after: int = -1) -> bool:
        """Show the first match of ``text`` (case-insensitive) below row ``start_after``,
        unfolding the folded stretches that hold it; False if the text is nowhere."""
        was = self.searching
        self.complete()  # a search looks through every row
        self.search = text
        needle = text.casefold()
        self.matches, self.match = [], None
        if needle:
            self._unfold_matching(needle)
            self.matches = [
                number for number, row in enumerate(self._rows) if needle in row.text.casefold()
            ]
        if was != self.searching:
            self.post_message(self.SearchChanged())
        if not self.matches:
            self._update_title()
            self.refresh()
            return False
        after = [i for i, number in enumerate(self.matches) if number > start_after]
        self.go_to_match(after[0] if after else 0)
        return True

    def next_match(self, step: int = 1) -> None:
        """The next (or previous) match, round to the first after the last."""
        if not self.matches:
            return
        position = 0 if self.match is None else (self.match + step) % len(self.matches)
        self.go_to_match(position)

    def go_to_match(self, position: int) -> None:
        self.match = position
        row = self.matches[position]
        self._last_found = row
        self.scroll_to(y=max(0, row - 2), animate=False)
        changes = self._rows[row].changes
        if changes:  # the note below follows the match when it is in a change
            self.current = changes[0]
            self.post_message(self.ChangeFocused(self.change(changes[0])))
        self._update_title()
        self.refresh()

    def _unfold_matching(self, needle: str) -> None:
        """Expand the folds whose unchanged text holds ``needle``.

        The rows of a fold are not built while it is folded, so the rows with every fold
        expanded are built once and laid against the folded ones: what lies between a
        fold row's neighbours there is that fold's text."""
        folds = {row.fold for row in self._rows if row.fold is not None}
        if not folds or self.comparison is None:
            return
        every = self.expanded | folds
        full = self._build(every)
        found: set[int] = set()
        at = 0  # position in ``full`` of the row that matches self._rows[number]
        rows = self._rows
        for number, row in enumerate(rows):
            if row.fold is None:
                while at < len(full) and full[at] != row:
                    at += 1
                at += 1
                continue
            following = next((r for r in rows[number + 1 :] if r.fold is None), None)
            while at < len(full) and full[at] != following:
                if needle in full[at].text.casefold():
                    found.add(row.fold)
                at += 1
        if found:
            self.expanded = self.expanded | found
            self._rebuild()

    # -- the diff's title ------------------------------------------------------------------------

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._update_title()

    def title_text(self) -> str:
        """Where the reader is: the change in focus, the rows on screen, the match shown."""
        parts = []
        indices = [c.index for c in self.changes]
        if indices:
            if self.current in indices:
                parts.append(f"change {indices.index(self.current) + 1} of {len(indices)}")
            else:
                parts.append(f"{len(indices)} change{'s' if len(indices) != 1 else ''}")
            change = self.change(self.current)
            if change is not None and (change.is_move or change.within is not None):
                parts.append("m: other end of the move")
        total = len(self._rows)
        if total:
            first = min(total, self.scroll_offset.y + 1)
            last = min(total, self.scroll_offset.y + max(1, self.scrollable_content_region.height))
            parts.append(f"rows {first}–{last} of {total}{'+' if self.partial else ''}")
        if self.search:
            if self.matches and self.match is not None:
                parts.append(f"match {self.match + 1} of {len(self.matches)}")
            else:
                parts.append("no match")
        return " · ".join(parts)

    def _update_title(self) -> None:
        # Plain text: the title is made of numbers and fixed words, never of the document.
        self.border_title = Content(self.title_text())

    def action_expand_here(self) -> None:
        self.toggle_folds()

    def on_click(self, event: Click) -> None:
        index = self.scroll_offset.y + event.y
        if 0 <= index < len(self._rows):
            row = self._rows[index]
            if row.fold is not None:
                self.expanded = self.expanded | {row.fold}
                self._rebuild()
            elif row.changes:
                self.focus_change(row.changes[0], scroll=False)

    # -- layout --------------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._width:
            self._rebuild()
        else:  # taller or shorter: other rows are on screen
            self._update_title()

    def _column_width(self) -> int:
        # Always leave room for the vertical scrollbar: rows are wrapped once, before
        # anyone knows whether the scrollbar will show, and must fit either way.
        width = self.size.width - self.styles.scrollbar_size_vertical
        if self.layout_mode == "side":
            return max(8, (width - 4 - len(DIVIDER)) // 2)
        return max(8, width - 2)

    def _rebuild(self, progressive: bool = False) -> None:
        """Build the rows for the width, layout and folds now in force.

        With ``progressive`` (a new comparison), a long text's first stretch is built at
        once and shown, and the whole in a thread (_build_rest): building every row of a
        130 KB comparison took some 300 ms, and the reader sees the first screenful."""
        self._width = self.size.width
        if not self._layout_chosen and self.size.width:
            # Two columns narrower than about 34 cells each read worse than one.
            self.layout_mode = "side" if self.size.width >= SIDE_BY_SIDE_MIN else "inline"
        self._generation += 1
        # Read once per build: looking up the scrollbar's size for each line drawn cost
        # a tenth of the time of a repaint.
        self._column = self._column_width()
        cut = self._first_stretch() if progressive else None
        if cut is None:
            self.partial = False
            self._set_rows(self._build(self.expanded))
            return
        old_end, new_end, ahead = cut
        comparison = self.comparison
        assert comparison is not None
        self.partial = True
        self._set_rows(
            self._builder()(
                comparison.old_text[:old_end],
                comparison.new_text[:new_end],
                ahead,
                self._column_width(),
                self.expanded,
            )
        )
        # Everything the thread needs, read here: the widget may change under it.
        whole = (comparison.old_text, comparison.new_text, comparison.changes)
        self._build_rest(
            self._generation, self._builder(), whole, self._column_width(), self.expanded
        )

    def _first_stretch(self) -> tuple[int, int, tuple[Change, ...]] | None:
        """Where a long comparison can be cut for its first screenfuls: the end of both
        texts' prefixes and the changes that lie before it; None to build it whole.

        The cut is at a paragraph break in unchanged text between two changes, where the
        rows before it are the same whether the rest follows or not. A move ties two
        places together (and its mark names the paragraph at the other end): no cut
        falls between a move's places, so a move lies wholly before or after it."""
        comparison = self.comparison
        if comparison is None or len(comparison.new_text) < PROGRESSIVE_FROM:
            return None
        changes = comparison.changes
        tied = [c for c in changes if c.is_move or c.within is not None]
        tied_indices = {c.index for c in tied}
        plain = sorted(
            (c for c in changes if c.index not in tied_indices), key=lambda c: c.new.start
        )
        for before, after in zip(plain, plain[1:], strict=False):
            if before.new.end < FIRST_STRETCH:
                continue
            gap = comparison.new_text[before.new.end : after.new.start]
            br = gap.find("\n\n")
            if br < 0 or gap != comparison.old_text[before.old.end : after.old.start]:
                continue
            old_cut, new_cut = before.old.end + br + 2, before.new.end + br + 2
            ahead = [c for c in changes if _before(c, old_cut, new_cut)]
            if all(_before(c, old_cut, new_cut) or _after(c, old_cut, new_cut) for c in tied):
                return old_cut, new_cut, tuple(ahead)
        return None

    @work(thread=True, exclusive=True, group="diff-rows", exit_on_error=False)
    def _build_rest(
        self, generation: int, builder: Callable, whole: tuple, width: int, expanded: frozenset
    ) -> None:
        rows = builder(*whole, width, expanded)
        if generation == self._generation:
            self.app.call_from_thread(self._whole_rows, generation, rows)

    def _whole_rows(self, generation: int, rows: list[Row]) -> None:
        if generation != self._generation:  # the comparison, width or folds changed since
            return
        self.partial = False
        self._set_rows(rows)
        if self.current is not None and self.current in self._first_row:
            self.refresh()

    def complete(self) -> None:
        """Every row now (a key needs rows beyond the first stretch): built here, and
        the thread's rows, when they come, are dropped as stale."""
        if self.partial:
            self._rebuild()

    def _set_rows(self, rows: list[Row]) -> None:
        self._rows = rows
        if self.search:  # the same search over the rows as they are now
            needle = self.search.casefold()
            self.matches = [n for n, row in enumerate(self._rows) if needle in row.text.casefold()]
            if self.match is not None and self.match >= len(self.matches):
                self.match = None
        self._first_row = {}
        for number, row in enumerate(self._rows):
            for change in row.changes:
                self._first_row.setdefault(change, number)
        self.virtual_size = Size(self.size.width, len(self._rows))
        self._update_title()
        self.refresh()

    def _builder(self):
        return side_by_side if self.layout_mode == "side" else inline

    def _build(self, expanded: frozenset[int]) -> list[Row]:
        comparison = self.comparison
        if comparison is None:
            return []
        return self._builder()(
            comparison.old_text,
            comparison.new_text,
            comparison.changes,
            self._column_width(),
            expanded,
        )

    # -- drawing (only visible lines) ----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        index = self.scroll_offset.y + y
        base = self.rich_style
        if not self._rows:
            if y == 0 and self.comparison is not None:
                message = "No changes between these versions."
            else:
                message = self.empty_message if y == 0 else ""
            style = self.get_component_rich_style("diff-view--empty")
            return (
                Strip([Segment(message, style)]).apply_style(base).adjust_cell_length(width, base)
            )
        if index >= len(self._rows):
            return Strip.blank(width, base)
        row = self._rows[index]
        if row.fold is not None:
            style = self.get_component_rich_style("diff-view--fold")
            plural = "s" if row.folded_lines != 1 else ""
            text = f"  ⋯ {row.folded_lines} unchanged line{plural} folded (z or click to expand)"
            return Strip([Segment(text, style)]).apply_style(base).adjust_cell_length(width, base)
        if self.layout_mode == "side":
            column = self._column
            segments = [*self._gutter(row.left, DELETED)]
            segments += self._cells(row.left, column)
            segments.append(Segment(DIVIDER, self.get_component_rich_style("diff-view--gutter")))
            segments += self._gutter(row.right, INSERTED)
            segments += self._cells(row.right, column)
        else:
            # Only deleted and inserted words sign a row (not moved text, nor a wrap mark).
            kinds = {c.kind for c in row.left} & {DELETED, INSERTED}
            sign = "±" if {DELETED, INSERTED} <= kinds else ("−" if DELETED in kinds else "+")
            mark = sign if kinds else " "
            segments = [Segment(mark + " ", self.get_component_rich_style("diff-view--gutter"))]
            segments += self._cells(row.left, self._column)
        # The widget's own colours under every segment, so that light themes stay light.
        return Strip(segments).apply_style(base).adjust_cell_length(width, base)

    def _gutter(self, cells: tuple[Cell, ...], kind: str) -> list[Segment]:
        marked = any(c.kind == kind for c in cells)
        sign = ("−" if kind == DELETED else "+") if marked else " "
        style = self.get_component_rich_style(
            "diff-view--deleted" if marked and kind == DELETED else
            "diff-view--inserted" if marked else "diff-view--gutter"
        )  # fmt: skip
        return [Segment(sign, style), Segment(" ")]

    def _cells(self, cells: tuple[Cell, ...], width: int) -> list[Segment]:
        segments = []
        used = 0
        for cell in cells:
            style = self._style(cell)
            segments.extend(self._highlight(cell.text, style))
            used += text_width(cell.text)
        if used < width:
            segments.append(Segment(" " * (width - used)))
        return segments

    def _style(self, cell: Cell) -> Style:
        style = Style()
        if cell.kind == DELETED:
            style = self.get_component_rich_style("diff-view--deleted")
        elif cell.kind == INSERTED:
            style = self.get_component_rich_style("diff-view--inserted")
        elif cell.kind == MOVED:  # a moved paragraph's words and its marks, at both ends
            style = self.get_component_rich_style("diff-view--moved")
        if cell.change is not None and cell.change == self.current:
            style += self.get_component_rich_style("diff-view--focus")
        return style

    def _highlight(self, text: str, style: Style) -> list[Segment]:
        lower, needle = text.lower(), self.search.lower()
        # lower() can change a string's length (e.g. "İ"); then offsets would not line up.
        if not needle or needle not in lower or len(lower) != len(text):
            return [Segment(text, style)]
        match = style + self.get_component_rich_style("diff-view--match")
        out, pos = [], 0
        while (found := lower.find(needle, pos)) >= 0:
            out.append(Segment(text[pos:found], style))
            out.append(Segment(text[found : found + len(needle)], match))
            pos = found + len(needle)
        out.append(Segment(text[pos:], style))
        return out


def _points(change: Change) -> tuple[list[int], list[int]]:
    """Every point a change touches in the old text and in the new one (a move's other
    place included)."""
    old = [change.old.start, change.old.end]
    new = [change.new.start, change.new.end]
    if change.new_place_in_old is not None:
        old.append(change.new_place_in_old)
    if change.old_place_in_new is not None:
        new.append(change.old_place_in_new)
    return old, new


def _before(change: Change, old_cut: int, new_cut: int) -> bool:
    old, new = _points(change)
    return max(old) <= old_cut and max(new) <= new_cut


def _after(change: Change, old_cut: int, new_cut: int) -> bool:
    old, new = _points(change)
    return min(old) >= old_cut and min(new) >= new_cut
