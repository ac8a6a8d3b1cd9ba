"""Provides VerifyScreen: the result of ``tracker verify``, computed in a worker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker import porcelain, present
from tracker.errors import TrackerError
from tracker.model import VerifyReport
from tracker.text.escape import one_line
from tracker.tui.notices import notify
from tracker.tui.styles import content

if TYPE_CHECKING:
    from tracker.porcelain import Store


class VerifyScreen(ModalScreen[None]):
    CSS_PATH = "verify.tcss"
    BINDINGS = [Binding("escape,q,V", "close", "Close")]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.report: VerifyReport | None = None
        self.pending: dict[str, int] = {}  # unrecorded changes per document

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="verify-box"):
            yield Static("Verifying the store…", id="verify-result", markup=False)

    def on_mount(self) -> None:
        self.run_verify()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def run_verify(self) -> None:
        try:
            report = porcelain.verify(self.store)
        except TrackerError as error:
            self.app.call_from_thread(notify, self, error.one_line(), severity="error")
            return
        pending: dict[str, int] = {}
        try:
            for document, changes in porcelain.status(self.store).items():
                if changes:
                    pending[document] = len(changes)
        except TrackerError as error:  # a document that cannot be read says so itself
            self.app.call_from_thread(notify, self, error.one_line(), severity="warning")
        self.app.call_from_thread(self._show, report, pending)

    def _show(self, report: VerifyReport, pending: dict[str, int] | None = None) -> None:
        self.report = report
        self.pending = pending or {}
        lines = []
        if report.ok and self.pending:
            # The recorded history is sound, but an edit on disk is not in it yet: "OK"
            # would tell the editor that everything is safely recorded.
            total = sum(self.pending.values())
            lines.append(
                Content.styled(
                    f"PENDING: the recorded history is intact, but {total} change(s) are not "
                    "recorded yet.",
                    "bold $text-warning",
                )
            )
        else:
            lines.append(content(present.verify_verdict(report)))
            lines.extend(content(line) for line in present.finding_lines(report))
        for document, count in self.pending.items():
            lines.append(
                Content.assemble(
                    ("[pending] ", "bold $text-warning"),
                    one_line(document),
                    f": {count} unrecorded change(s); close this and press r to record them",
                )
            )
        lines.append(Content.styled(present.verify_counts(report) + "  (esc to close)", "dim"))
        self.query_one("#verify-result", Static).update(Content("\n").join(lines))

    def action_close(self) -> None:
        self.dismiss(None)
