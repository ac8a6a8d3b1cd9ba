"""Provides PickDocumentScreen: which document to open when a store holds several."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from tracker.text.escape import one_line


class PickDocumentScreen(Screen[str | None]):
    CSS_PATH = "pick_document.tcss"
    BINDINGS = [Binding("escape,q", "cancel", "Quit")]

    def __init__(self, documents: list[str]) -> None:
        super().__init__()
        self.documents = documents

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-box"):
            yield Static("Which document do you want to review?", markup=False)
            yield OptionList(
                *[Option(one_line(d), id=str(i)) for i, d in enumerate(self.documents)],
                markup=False,
                id="documents",
            )
        yield Footer()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.documents[int(event.option_id or 0)])

    def action_cancel(self) -> None:
        self.dismiss(None)
