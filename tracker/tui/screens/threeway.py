"""Provides ThreeWayScreen: the changes sync would not merge, base / yours / theirs.

Opened when a sync stops with ConcurrentEditError: two editors changed the same words of
a document. The three versions stand side by side, lined up paragraph by paragraph
(``tracker.rows.three_way``): the common base with the words each side changed marked
(those both changed stand out), then this clone's version and the remote's, each with the
notes of its changes beneath them, who wrote them and when. Nothing was written; the
last line says how to settle it, and ``s`` settles it here (the screen is dismissed with
True, and the sync key runs ``sync --settle``). Every text is untrusted and drawn as
plain text.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.events import Resize
from textual.geometry import Size
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Static

from tracker import present
from tracker.model import Change, ThreeWay
from tracker.rows import (
    BOTH,
    CONTINUED,
    EQUAL,
    INSERTED,
    MOVED,
    OURS,
    THEIRS,
    Cell,
    Stretch,
    three_way,
    wrap,
)
from tracker.text.cells import text_width
from tracker.text.escape import one_line
from tracker.tui.styles import STYLES

DIVIDER = " │ "
GUTTER = 2  # "! " on a row with overlapping words, else blanks
OVERLAP = "bold reverse $text-warning"  # the words both editors changed: more than a colour
CELL_STYLES = {
    OURS: "strike $text-primary",
    THEIRS: "strike $text-accent",
    BOTH: OVERLAP,
    INSERTED: "underline $text-success",
    MOVED: "italic",
    CONTINUED: "dim",
}


class ThreeWayScreen(Screen[bool]):
    """Base, yours and theirs, lined up, with both sides' notes; esc closes, s settles
    here (dismissed with True)."""

    CSS_PATH = "threeway.tcss"
    BINDINGS = [
        Binding("escape,q", "close", "Close"),
        Binding("s", "settle", "Settle here"),
        Binding("z", "toggle_folds", "Unfold"),
    ]

    def __init__(self, conflict: ThreeWay, message: str = "", hint: str = "") -> None:
        super().__init__()
        self.conflict = conflict
        self.message = message
        self.hint = hint  # the core's words for the CLI; the notification shows them
        self.folded = True
        self.stretches: list[Stretch] = []
        self._width = 0  # the screen width the rows were built for
        # The changes that overlap, on each side (ThreeWay.overlaps pairs Change.index).
        self.ours_overlapping = {mine for mine, _ in conflict.overlaps}
        self.theirs_overlapping = {other for _, other in conflict.overlaps}

    def compose(self) -> ComposeResult:
        yield Static(id="threeway-title", markup=False)
        yield Static(id="threeway-heads", markup=False)
        yield ThreeWayRows(id="threeway-rows")
        yield Static(id="threeway-todo", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        document = one_line(self.conflict.document)
        message = one_line(self.message) or f"Sync stopped: both editors changed {document}"
        self.query_one("#threeway-title", Static).update(
            Content.assemble((message, "bold $text-error"))
        )
        todo = [
            ("Nothing was written. ", "bold"),
            "To settle it here, press s: the remote's revisions are taken, yours is kept "
            f"aside with its notes, and {document} gets your wording on top of theirs: edit "
            "it (e) to the agreed wording and record it (r). Or the other editor puts back "
            "the earlier wording and you sync again (S).",
        ]
        self.query_one("#threeway-todo", Static).update(Content.assemble(*todo))
        self._draw()

    def on_resize(self, event: Resize) -> None:
        if event.size.width != self._width:
            self._draw()

    def action_close(self) -> None:
        self.dismiss(False)

    def action_settle(self) -> None:
        self.dismiss(True)

    def action_toggle_folds(self) -> None:
        self.folded = not self.folded
        self._draw()

    # -- drawing ---------------------------------------------------------------------------

    def column_width(self) -> int:
        # Three columns, each after its gutter, two dividers, the scroll bar and padding.
        usable = self.size.width - 2 * len(DIVIDER) - 3 * GUTTER - 4
        return max(usable // 3, 12)

    def _draw(self) -> None:
        self._width = self.size.width
        width = self.column_width()
        conflict = self.conflict
        self.stretches = three_way(
            conflict.base_text, conflict.ours_text, conflict.theirs_text,
            conflict.ours_changes, conflict.theirs_changes, width, fold=self.folded,
        )  # fmt: skip
        heads = [
            f"Base (common) {conflict.base_rev[:8]}",
            f"Yours {conflict.ours_rev[:8]}",
            f"Theirs (the remote's) {conflict.theirs_rev[:8]}",
        ]
        self.query_one("#threeway-heads", Static).update(
            _join([Content.styled(" " * GUTTER + _fit(h, width), "bold") for h in heads])
        )
        ours = {c.index: c for c in conflict.ours_changes}
        theirs = {c.index: c for c in conflict.theirs_changes}
        lines: list[Content] = []
        for stretch in self.stretches:
            if stretch.folded_lines:
                plural = "s" if stretch.folded_lines != 1 else ""
                lines.append(
                    Content.styled(
                        f"  ⋯ {stretch.folded_lines} unchanged line{plural} on both sides"
                        " (z to unfold)",
                        "dim",
                    )
                )
                continue
            base = list(stretch.base)
            left = list(stretch.left) + self._notes(stretch.ours, ours, width)
            right = list(stretch.right) + self._notes(stretch.theirs, theirs, width)
            for row in range(max(len(base), len(left), len(right))):
                lines.append(
                    _join(
                        [
                            self._column(base, row, width, set()),
                            self._column(left, row, width, self.ours_overlapping),
                            self._column(right, row, width, self.theirs_overlapping),
                        ]
                    )
                )
        self.query_one(ThreeWayRows).show(lines)

    def _notes(
        self, indices: tuple[int, ...], changes: dict[int, Change], width: int
    ) -> list[tuple[Cell, ...]]:
        """Each change's note, under the rows that show it: category and text, source,
        who and when (the presenter's words), wrapped to the column."""
        rows: list[tuple[Cell, ...]] = []
        for index in indices:
            change = changes.get(index)
            if change is None:
                continue
            lines = present.note_lines(change.note, indent="")
            lines[0] = [present.Part(f"✎ change {index} ", "dim"), *lines[0]]
            for line in lines:
                pieces = [(part.text, part.role or EQUAL, None) for part in line]
                rows.extend(tuple(cells) for cells in wrap(pieces, width))
        return rows

    def _column(
        self, rows: list[tuple[Cell, ...]], row: int, width: int, overlapping: set[int]
    ) -> Content:
        cells = rows[row] if row < len(rows) else ()
        hot = any(c.change in overlapping for c in cells if c.kind == INSERTED) or any(
            c.kind == BOTH for c in cells
        )
        parts: list[tuple[str, str] | str] = [("! ", "bold $text-warning") if hot else "  "]
        used = 0
        for cell in cells:
            style = CELL_STYLES.get(cell.kind) or STYLES.get(cell.kind, "")
            if cell.kind == INSERTED and cell.change in overlapping:
                style = OVERLAP
            parts.append((cell.text, style) if style else cell.text)
            used += text_width(cell.text)
        parts.append(" " * max(width - used, 0))
        return Content.assemble(*parts)


class ThreeWayRows(ScrollView, can_focus=True):
    """The three columns' rows, drawn one visible line at a time (as the diff view is):
    a long document's conflict opens as fast as a short one's."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: list[Content] = []

    def show(self, lines: list[Content]) -> None:
        self.lines = lines
        width = max((line.cell_length for line in lines), default=0)
        self.virtual_size = Size(width, len(lines))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        index = self.scroll_offset.y + y
        base = self.rich_style
        if index >= len(self.lines):
            return Strip.blank(width, base)
        parse = self.app.stylesheet.parse_style  # theme variables ($text-warning) resolved
        parts = self.lines[index].render(self.visual_style, "", parse)
        strip = Strip([Segment(text, style.rich_style) for text, style in parts])
        x = self.scroll_offset.x
        return strip.crop(x, x + width).apply_style(base).adjust_cell_length(width, base)


def _fit(text: str, width: int) -> str:
    text = text if text_width(text) <= width else text[: max(width - 1, 0)] + "…"
    return text + " " * max(width - text_width(text), 0)


def _join(columns: list[Content]) -> Content:
    return Content.styled(DIVIDER, "dim").join(columns)
