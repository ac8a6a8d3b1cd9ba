"""Provides AnnotateScreen: add or correct the note of a past change, kept in the notes ref."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Select, Static

from tracker import porcelain
from tracker.errors import TrackerError
from tracker.model import Change, Revision
from tracker.text.escape import one_line
from tracker.tui.notices import notify
from tracker.tui.widgets.hand_off_input import TypeAheadInput

if TYPE_CHECKING:
    from tracker.porcelain import Store


class AnnotateScreen(ModalScreen[str | None]):
    """Dismisses with the notes commit id, or None when cancelled."""

    CSS_PATH = "annotate.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    # The note field, not the first widget (the category): keys typed fast after "a"
    # arrive before on_mount's focus, and the dropdown opened on them and lost the note.
    AUTO_FOCUS = "#text"

    def __init__(self, store: Store, revision: Revision, change: Change) -> None:
        super().__init__()
        self.store = store
        self.revision = revision
        self.change = change

    def compose(self) -> ComposeResult:
        note = self.change.note
        categories = porcelain.categories(self.store)
        with Vertical(id="annotate-box"):
            yield Static(
                Content.assemble(
                    ("Note on change ", "bold"), (str(self.change.index), "bold"),
                    (f" of {self.revision.rev[:8]}: ", "bold"),
                    (one_line(self.change.old.text)[:60], "strike"), " → ",
                    (one_line(self.change.new.text)[:60], "underline"),
                ),
                markup=False,
            )  # fmt: skip
            if note is not None:
                yield Static(
                    Content.assemble(
                        ("Current: ", "dim"), one_line(f"[{note.category}] {note.text}")
                    ),
                    markup=False,
                )
            yield Select(
                [(c, c) for c in categories],
                value=note.category if note and note.category in categories else categories[0],
                allow_blank=False,
                id="category",
            )
            yield TypeAheadInput(value=note.text if note else "", placeholder="why", id="text")
            yield TypeAheadInput(
                value=note.source if note else "", placeholder="source (optional)", id="source"
            )
            with Horizontal(id="buttons"):
                yield Button("Save note", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#text", Input))  # now, not after queued keys

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        note = self.change.note
        typed = self.query_one("#text", Input).value != (note.text if note else "") or (
            self.query_one("#source", Input).value != (note.source if note else "")
        )
        from tracker.tui.screens.confirm import dismiss_unless_typed

        dismiss_unless_typed(self, typed, "Discard the note you typed? Nothing has been saved yet.")

    def action_save(self) -> None:
        text = self.query_one("#text", Input).value
        category = str(self.query_one("#category", Select).value)
        source = self.query_one("#source", Input).value
        try:
            commit = porcelain.note(
                self.store, self.revision.rev, self.change.index, text, category, source
            )
        except TrackerError as error:
            notify(self, error.one_line(), severity="error")
            return
        notify(self, f"Note saved (notes commit {commit[:8]}); the earlier wording is kept.")
        self.dismiss(commit)
