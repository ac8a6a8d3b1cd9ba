"""Provides BlameScreen: each sentence with the revision that last changed it and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tracker import porcelain
from tracker.errors import TrackerError
from tracker.model import BlameUnit
from tracker.text.escape import one_line
from tracker.tui.notices import notify
from tracker.tui.widgets.notes_panel import NotesPanel

if TYPE_CHECKING:
    from tracker.porcelain import ReviewSession


class BlameScreen(Screen[tuple[str, int | None] | None]):
    """Dismisses with (revision, change) to jump to, or None."""

    CSS_PATH = "blame.tcss"
    BINDINGS = [
        Binding("escape,b,q", "close", "Back"),
        Binding("enter", "jump", "Go to revision"),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
    ]

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        self.units: list[BlameUnit] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                Content.assemble(
                    ("Blame of ", "dim"), (one_line(self.session.document), "bold"),
                    ("  (enter: go to the revision, esc: back)", "dim"),
                ),
                id="blame-title",
                markup=False,
            )  # fmt: skip
            yield OptionList(markup=False, id="units")
            yield NotesPanel(id="blame-note")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        try:
            blamed = porcelain.blame(self.session.store, document=self.session.document)
            units = list(blamed.units)
        except TrackerError as error:
            self.app.call_from_thread(notify, self, error.one_line(), severity="error")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show, units)

    def _show(self, units: list[BlameUnit]) -> None:
        self.units = units
        options = []
        for number, unit in enumerate(units):
            rev = unit.revision.rev[:8] if unit.revision else "????????"
            date = unit.revision.date[:10] if unit.revision else ""
            if unit.change is None:
                badge = ("  original  ", "dim")  # unchanged since the first revision
            elif unit.change.note is None:
                badge = ("  no note  ", "italic $text-warning")
            else:
                badge = (f" {unit.change.note.category} ", "reverse")
            # A unit whose words are older than its place says so: blame credits the words.
            moved = (" moved ", "italic $text-accent") if unit.moved_in is not None else ""
            prompt = Content.assemble(
                (rev, "$text-warning"), f" {date} ",
                badge, moved,
                "  ", one_line(unit.text)[:400],
            )  # fmt: skip
            options.append(Option(prompt, id=str(number)))
        units_list = self.query_one(OptionList)
        units_list.clear_options()
        units_list.add_options(options)
        if options:
            units_list.highlighted = 0

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        unit = self.units[int(event.option_id or 0)]
        self.query_one(NotesPanel).show_change(unit.change)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_jump()

    def action_jump(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is None or index >= len(self.units):
            return
        unit = self.units[index]
        if unit.revision is not None:
            self.dismiss((unit.revision.rev, unit.change.index if unit.change else None))

    def action_close(self) -> None:
        self.dismiss(None)
