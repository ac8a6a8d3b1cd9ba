"""Provides HelpScreen: every key binding, from the same table as the footer."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker.tui.bindings import MAIN_ACTIONS, key_label

EXTRA = (
    ("tab / shift+tab", "Move focus between history, diff and panels"),
    ("ctrl+p", "Command palette: every action by name, and the theme"),
    ("enter (in the diff)", "Expand the folded unchanged paragraphs"),
)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        lines = [Content.styled("Key bindings", "bold"), Content("")]
        for action in MAIN_ACTIONS:
            lines.append(
                Content.assemble((f"{key_label(action.keys):>22}  ", "bold $accent"), action.help)
            )
        for keys, text in EXTRA:
            lines.append(Content.assemble((f"{keys:>22}  ", "bold $accent"), text))
        lines += [Content(""), Content.styled("Press esc to close.", "dim")]
        with VerticalScroll(id="help-box"):
            yield Static(Content("\n").join(lines), markup=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
