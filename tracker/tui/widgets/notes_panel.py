"""Provides NotesPanel: the note of the change in focus, where it is, and where it came from."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.widgets import Static

from tracker import present
from tracker.model import Change, Note, Revision
from tracker.tui.styles import content, lines

# Notes made between A and B listed at first (the panel scrolls through them, and } at
# its end lists more): forty at once cost an A/B comparison some 700 ms of layout under
# load, and each listed note's place means reading its revision's text.
RELATED_SHOWN = 12
RELATED_MORE = 24

# Where a change is ("¶4"), for a change of the diff shown (revision None) or of the
# revision that made a note between A and B; "" when it cannot be told.
Locate = Callable[[Revision | None, Change], str]


def _note_lines(note: Note, label: str = "", policy: str | None = None) -> list[Content]:
    return lines(present.note_lines(note, indent="", label=label, origin=True, policy=policy))


class NotesPanel(Static):
    """Shows one change's note; with ``show_history`` its earlier wordings too."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.show_history = False
        self.change: Change | None = None
        self.related: list[tuple[Revision, Change]] = []
        self.locate: Locate = lambda _revision, _change: ""
        self.related_limit = RELATED_SHOWN
        # The store's corrections policy by name: each note says the notice readers get
        # (derived ones marked so); None leaves it out.
        self.policy: str | None = None

    def show_change(
        self, change: Change | None, related: list[tuple[Revision, Change]] | None = None
    ) -> None:
        self.change = change
        self.related = related or []
        self.related_limit = RELATED_SHOWN
        self.update(self._content())
        if self.parent is not None:  # in a scrolling pane: a new change starts at its top
            self.parent.scroll_home(animate=False)

    def show_more(self) -> bool:
        """List more of the notes made between A and B; False when all are listed."""
        if len(self.related) <= self.related_limit:
            return False
        self.related_limit += RELATED_MORE
        self.redraw()
        return True

    def redraw(self) -> None:
        """Draw again where it is (places learnt since): the reader's scroll stays."""
        self.update(self._content())

    def toggle_history(self) -> None:
        self.show_history = not self.show_history
        self.update(self._content())

    def _content(self) -> Content:
        change = self.change
        if change is None:
            return Content.styled("No change in focus. Press n for the next change.", "dim")
        lines: list[Content] = [self._change_line(change, self.locate(None, change))]
        if self.related:
            # Comparing two revisions: every note made in between, labelled by revision
            # and by where its change was in that revision's text. The panel scrolls.
            count = len(self.related)
            lines.append(Content.styled(f"Notes made between A and B ({count}):", "bold"))
            for revision, noted in self.related[: self.related_limit]:
                where = self.locate(revision, noted)
                label = f"{revision.rev[:8]} change {noted.index}{', ' + where if where else ''}: "
                if noted.note is not None:
                    # Without notices: the list is for finding a note (the focused
                    # change's note, below it in the diff, says its notice).
                    lines.extend(_note_lines(noted.note, label))
            if count > self.related_limit:
                more = count - self.related_limit
                lines.append(Content.styled(f"… and {more} more: }} lists them", "italic"))
        elif change.note is None:
            lines.append(
                Content.styled("No note: this change is unexplained (a to annotate).", "italic")
            )
        else:
            lines.extend(_note_lines(change.note, policy=self.policy))
            if change.note.history:
                if self.show_history:
                    lines.append(Content.styled("Earlier wordings (oldest first):", "bold"))
                    for earlier in change.note.history:
                        lines.extend(_note_lines(earlier, "was: "))
                else:
                    count = len(change.note.history)
                    lines.append(
                        Content.styled(
                            f"Edited later; {count} earlier wording(s): press h", "italic"
                        )
                    )
        return Content("\n").join(lines)

    @staticmethod
    def _change_line(change: Change, where: str = "") -> Content:
        # The whole change, wrapped: a cut at a fixed width left words like "descri",
        # and the panel scrolls when a long change and its note need more rows.
        body = content(present.change_summary(change))
        head = f"Change {change.index} ({change.kind}{', ' + where if where else ''}): "
        return Content.assemble((head, "bold"), body)
