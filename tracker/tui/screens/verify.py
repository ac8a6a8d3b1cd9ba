"""Provides VerifyScreen: the result of ``tracker verify``, computed in a worker."""

from __future__ import annotations

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tracker import porcelain
from tracker.audit.verify import Report, verify
from tracker.errors import TrackerError
from tracker.store import Store
from tracker.text.escape import one_line
from tracker.tui.notices import notify


class VerifyScreen(ModalScreen[None]):
    CSS_PATH = "verify.tcss"
    BINDINGS = [Binding("escape,q,V", "close", "Close")]

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.report: Report | None = None
        self.pending: dict[str, int] = {}  # unrecorded changes per document

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

    def _show(self, report: Report, pending: dict[str, int] | None = None) -> None:
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
        elif report.ok:
            lines.append(Content.styled("OK: nothing was changed silently; history intact.",
                                        "bold $text-success"))  # fmt: skip
        else:
            lines.append(Content.styled(f"{len(report.findings)} finding(s)", "bold $text-error"))
            for finding in report.findings:
                where = f"{finding.revision[:12]} " if finding.revision else ""
                change = f"change {finding.change}: " if finding.change is not None else ""
                text = one_line(where + change + finding.message)
                lines.append(Content.assemble((f"[{finding.kind}] ", "bold $text-error"), text))
        for document, count in self.pending.items():
            lines.append(
                Content.assemble(
                    ("[pending] ", "bold $text-warning"),
                    one_line(document),
                    f": {count} unrecorded change(s); close this and press r to record them",
                )
            )
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
