"""Provides NotesPanel: the note of the change in focus, and where it came from."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from tracker import present
from tracker.model import Change, Note, Revision
from tracker.tui.styles import content, lines


def _note_lines(note: Note, label: str = "") -> list[Content]:
    return lines(present.note_lines(note, indent="", label=label, origin=True))


class NotesPanel(Static):
    """Shows one change's note; with ``show_history`` its earlier wordings too."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.show_history = False
        self.change: Change | None = None
        self.related: list[tuple[Revision, Change]] = []

    def show_change(
        self, change: Change | None, related: list[tuple[Revision, Change]] | None = None
    ) -> None:
        self.change = change
        self.related = related or []
        self.update(self._content())
        if self.parent is not None:  # in a scrolling pane: a new change starts at its top
            self.parent.scroll_home(animate=False)

    def toggle_history(self) -> None:
        self.show_history = not self.show_history
        self.update(self._content())

    def _content(self) -> Content:
        change = self.change
        if change is None:
            return Content.styled("No change in focus. Press n for the next change.", "dim")
        lines: list[Content] = [self._change_line(change)]
        if self.related:
            # Comparing two revisions: every note made in between, labelled by revision.
            lines.append(Content.styled("Notes made between A and B:", "bold"))
            for revision, noted in self.related[:6]:
                label = f"{revision.rev[:8]} change {noted.index}: "
                if noted.note is not None:
                    lines.extend(_note_lines(noted.note, label))
        elif change.note is None:
            lines.append(
                Content.styled("No note: this change is unexplained (a to annotate).", "italic")
            )
        else:
            lines.extend(_note_lines(change.note))
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
    def _change_line(change: Change) -> Content:
        # The whole change, wrapped: a cut at a fixed width left words like "descri",
        # and the panel scrolls when a long change and its note need more rows.
        body = content(present.change_summary(change))
        return Content.assemble((f"Change {change.index} ({change.kind}): ", "bold"), body)
