"""The peer for the start-up benchmark: a Textual app that only shows a Static."""

from textual.app import App
from textual.widgets import Static


class Minimal(App[None]):
    def compose(self):
        yield Static("History of nothing: minimal app")


if __name__ == "__main__":
    Minimal().run()
