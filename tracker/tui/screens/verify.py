"""Provides VerifyScreen: the result of ``tracker verify``, computed in a worker."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker.audit import Report, verify
from tracker.errors import TrackerError
from tracker.safe import one_line
from tracker.store import Store


class VerifyScreen(ModalScreen[None]):
    CSS_PATH = "verify.tcss"
    BINDINGS = [Binding("escape,q,V", "close", "Close")]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="verify-box"):
            yield Static("Verifying the store…", id="verify-result", markup=False)

    def on_mount(self) -> None:
        self.run_verify()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def run_verify(self) -> None:
        try:
            report = verify(self.store)
        except TrackerError as error:
            self.app.call_from_thread(self.notify, error.one_line(), severity="error")
            return
        self.app.call_from_thread(self._show, report)

    def _show(self, report: Report) -> None:
        self.report = report
        lines = []
        if report.ok:
            lines.append(Content.styled("OK: nothing was changed silently; history intact.",
                                        "bold $text-success"))  # fmt: skip
        else:
            lines.append(Content.styled(f"{len(report.findings)} finding(s)", "bold $text-error"))
            for finding in report.findings:
                where = f"{finding.revision[:12]} " if finding.revision else ""
                change = f"change {finding.change}: " if finding.change is not None else ""
                text = one_line(where + change + finding.message)
                lines.append(Content.assemble((f"[{finding.kind}] ", "bold $text-error"), text))
        lines.append(
            Content.styled(
                f"{report.checked_revisions} revision(s) checked; {report.explained}/"
                f"{report.changes} changes explained; {report.signed} signed commit(s).  "
                "(esc to close)",
                "dim",
            )
        )
        self.query_one("#verify-result", Static).update(Content("\n").join(lines))

    def action_close(self) -> None:
        self.dismiss(None)
