"""Provides TrackerApp: opens a store's document for review."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.widgets import Input

from tracker import porcelain
from tracker.text.escape import one_line
from tracker.tui.bindings import MAIN_ACTIONS

if TYPE_CHECKING:
    from tracker.porcelain import ReviewSession, Store

# Keys that edit a text field rather than run a binding.
TYPING_KEYS = {
    "backspace": "action_delete_left",
    "delete": "action_delete_right",
    "left": "action_cursor_left",
    "right": "action_cursor_right",
    "home": "action_home",
    "end": "action_end",
}


class TrackerApp(App[None]):
    """The terminal app: one document's history, its diffs and their notes."""

    CSS_PATH = "app.tcss"
    TITLE = "tracker"

    def __init__(self, store: Store, document: str | None = None) -> None:
        super().__init__()
        self.store = store
        self.document = document
        self.session: ReviewSession | None = None

    def on_mount(self) -> None:
        self.sub_title = one_line(str(self.store.root))
        if self.document is not None:
            self.open_document(self.document)
            return
        documents = porcelain.documents(self.store)
        if len(documents) == 1:
            self.open_document(documents[0])
        else:
            from tracker.tui.screens.pick_document import PickDocumentScreen

            self.push_screen(PickDocumentScreen(documents), self._picked)

    def _picked(self, document: str | None) -> None:
        if document is None:
            self.exit()
        else:
            self.open_document(document)

    def open_document(self, document: str) -> None:
        from tracker.tui.screens.main import MainScreen

        self.session = porcelain.open_session(self.store, document)
        self.push_screen(MainScreen(self.session))

    def on_key(self, event: events.Key) -> None:
        """Deliver keys typed ahead of a screen to the field that has the focus now.

        Textual sends a key to the widget focused when it arrives. Typed fast after e or r,
        the summary went to the history list (which ignores text) while the record screen
        was still opening, and came back here unused: lost, or, after a tab, typed into the
        wrong field. A text key that reaches the app unused while a text field has the
        focus cannot have been meant for anything else: an Input uses every such key.
        It is applied at once, not posted, so that a tab or ctrl+s typed after it (run
        here, as bindings, in the order typed) finds it in place.
        """
        focused = self.focused
        if not isinstance(focused, Input):
            return
        if event.is_printable and event.character is not None:
            focused.insert_text_at_cursor(event.character)
        elif event.key in TYPING_KEYS:
            getattr(focused, TYPING_KEYS[event.key])()
        else:
            return
        event.stop()
        event.prevent_default()  # typed, so not also a binding of the screen it landed on

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from tracker.tui.screens.main import MainScreen

        if isinstance(screen, MainScreen):
            for action in MAIN_ACTIONS:
                if action.action == "app.quit":
                    continue
                yield SystemCommand(action.description, action.help, _runner(screen, action.action))

    def on_unmount(self) -> None:
        if self.session is not None:
            self.session.close()


def _runner(screen: Screen, action: str):
    async def run() -> None:
        await screen.run_action(action)

    return run
