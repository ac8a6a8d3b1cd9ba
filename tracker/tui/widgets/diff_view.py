"""Provides DiffView: a word diff, side by side or inline, drawn one visible line at a time.

Only the rows on screen are turned into segments (Textual's line API), so a megabyte
document scrolls as fast as a short one. Both sides live on the same row, so they always
scroll together. Changes are marked by more than colour: struck-through deletions with a
"−" in the gutter, underlined insertions with a "+".
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tracker.model import Change, Comparison
from tracker.rows import DELETED, INSERTED, Cell, Row, inline, side_by_side
from tracker.text.cells import text_width

DIVIDER = " │ "
SIDE_BY_SIDE_MIN = 76  # cells of diff pane below which inline is the default


class DiffView(ScrollView, can_focus=True):
    """The changes of a comparison, with one of them in focus."""

    COMPONENT_CLASSES = {
        "diff-view--deleted",
        "diff-view--inserted",
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

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.comparison: Comparison | None = None
        self.layout_mode = "side"
        self._layout_chosen = False  # until the reader toggles it, the width decides
        self.expanded: frozenset[int] = frozenset()
        self.current: int | None = None  # index of the change in focus
        self.search: str = ""
        self._rows: list[Row] = []
        self._width = 0
        self._first_row: dict[int, int] = {}
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
            self.search = ""
        self._rebuild()
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
        self.current = index
        if index is not None and scroll and index in self._first_row:
            row = self._first_row[index]
            self.scroll_to(y=max(0, row - 2), animate=False)
        self.refresh()
        self.post_message(self.ChangeFocused(self.change(index)))

    def next_change(self, step: int = 1) -> None:
        indices = [c.index for c in self.changes]
        if not indices:
            return
        if self.current not in indices:
            target = indices[0] if step > 0 else indices[-1]
        else:
            position = indices.index(self.current) + step
            target = indices[max(0, min(len(indices) - 1, position))]
        self.focus_change(target)

    def find(self, text: str, start_after: int = -1) -> bool:
        """Scroll to the next row holding ``text`` (case-insensitive); False if none."""
        self.search = text
        needle = text.casefold()
        if not needle:
            self.refresh()
            return False
        order = list(range(start_after + 1, len(self._rows))) + list(range(0, start_after + 1))
        for index in order:
            if needle in self._rows[index].text.casefold():
                self.scroll_to(y=max(0, index - 2), animate=False)
                self._last_found = index
                for change in self._rows[index].changes:
                    self.current = change
                    self.post_message(self.ChangeFocused(self.change(change)))
                    break
                self.refresh()
                return True
        self.refresh()
        return False

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

    def _column_width(self) -> int:
        # Always leave room for the vertical scrollbar: rows are wrapped once, before
        # anyone knows whether the scrollbar will show, and must fit either way.
        width = self.size.width - self.styles.scrollbar_size_vertical
        if self.layout_mode == "side":
            return max(8, (width - 4 - len(DIVIDER)) // 2)
        return max(8, width - 2)

    def _rebuild(self) -> None:
        self._width = self.size.width
        if not self._layout_chosen and self.size.width:
            # Two columns narrower than about 34 cells each read worse than one.
            self.layout_mode = "side" if self.size.width >= SIDE_BY_SIDE_MIN else "inline"
        comparison = self.comparison
        if comparison is None:
            self._rows = []
        elif self.layout_mode == "side":
            self._rows = side_by_side(
                comparison.old_text,
                comparison.new_text,
                comparison.changes,
                self._column_width(),
                self.expanded,
            )
        else:
            self._rows = inline(
                comparison.old_text,
                comparison.new_text,
                comparison.changes,
                self._column_width(),
                self.expanded,
            )
        self._first_row = {}
        for number, row in enumerate(self._rows):
            for change in row.changes:
                self._first_row.setdefault(change, number)
        self.virtual_size = Size(self.size.width, len(self._rows))
        self.refresh()

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
            column = self._column_width()
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
            segments += self._cells(row.left, self._column_width())
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
