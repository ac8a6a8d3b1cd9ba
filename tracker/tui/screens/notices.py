"""Provides NoticesScreen: the notices a revision (or the A..B range) will carry for
readers, whether it is signed off and published, and ``p`` to publish it.

The notice text is ``porcelain.notice_sheet``'s, the block ``tracker notice`` prints, and
every other line is worded by ``tracker.present``: this screen only lays them out. The
sheet is read in a worker thread (a range's texts and the journal), as verify's is.
"""

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
from tracker.model import NoticeSheet, Publication
from tracker.text.escape import one_line
from tracker.tui.notices import notify
from tracker.tui.screens.confirm import ConfirmScreen
from tracker.tui.styles import content

if TYPE_CHECKING:
    from tracker.porcelain import Store


class NoticesScreen(ModalScreen[None]):
    """One range's notices. ``rev_range`` is a revision id or ``OLD..NEW``, as
    ``tracker notice`` takes it."""

    CSS_PATH = "notices.tcss"
    BINDINGS = [
        Binding("escape,q,P", "close", "Close"),
        Binding("p", "publish", "Publish"),
    ]

    def __init__(self, store: Store, document: str, rev_range: str) -> None:
        super().__init__()
        self.store = store
        self.document = document
        self.rev_range = rev_range
        self.sheet: NoticeSheet | None = None
        self.published: Publication | None = None  # what the last p did

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="notices-box"):
            yield Static(id="notices-title", markup=False)
            yield Static(
                Content.styled("What readers will read:", "dim"),
                markup=False,
            )
            yield Static("Reading the notices…", id="notices-text", markup=False)
            yield Static(id="notices-items", markup=False)
            yield Static(id="notices-status", markup=False)
            yield Static(
                Content.styled("p publish · esc close", "dim"), id="notices-keys", markup=False
            )

    def on_mount(self) -> None:
        self.query_one("#notices-title", Static).update(
            Content.assemble(
                ("Notices of ", "dim"),
                (one_line(self.document), "bold"),
                (", ", "dim"),
                (one_line(_short(self.rev_range)), "bold"),
            )
        )
        self.read_sheet()

    @work(thread=True, exclusive=True, group="notices", exit_on_error=False)
    def read_sheet(self) -> None:
        try:
            sheet = porcelain.notice_sheet(self.store, self.document, self.rev_range)
        except TrackerError as error:
            self.app.call_from_thread(notify, self, error.one_line(), severity="error")
            return
        self.app.call_from_thread(self._show, sheet)

    def _show(self, sheet: NoticeSheet) -> None:
        self.sheet = sheet
        # The notices as plain text (never markup): what readers will read.
        text = sheet.text.rstrip("\n") or present.notice_empty(sheet)
        self.query_one("#notices-text", Static).update(text)
        items = present.notice_item_lines(sheet)
        self.query_one("#notices-items", Static).update(
            Content("\n").join([Content.styled("Each notice", "bold"), *map(content, items)])
            if items
            else ""
        )
        status = [Content.styled("Sign-off and publication", "bold")]
        status += [content(line) for line in present.publication_lines(sheet)]
        if sheet.senior_refusal:
            # Signed off is not enough under a senior-editor rule: say so before `p`.
            status.append(Content.styled(one_line(sheet.senior_refusal), "bold $text-warning"))
        self.query_one("#notices-status", Static).update(Content("\n").join(status))

    # -- publishing ----------------------------------------------------------------------

    def action_publish(self) -> None:
        if self.sheet is None:
            notify(self, "The notices are still being read; press p again in a moment")
            return
        if any(w.group == "publish" and w.is_running for w in self.workers):
            return
        question = (
            f"Publish the notices of {one_line(_short(self.rev_range))} in"
            f" {one_line(self.document)}? This records a publish event in the journal;"
            " it cannot be taken back."
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self.publish()

        self.app.push_screen(ConfirmScreen(question, "Publish", "Cancel"), answered)

    @work(thread=True, exclusive=True, group="publish", exit_on_error=False)
    def publish(self) -> None:
        """Through the front door, as ``tracker publish``: a refusal (no second editor's
        sign-off, a late correction without its reason) writes nothing."""
        try:
            done = porcelain.publish(self.store, rev_range=self.rev_range, document=self.document)
        except TrackerError as error:
            self.app.call_from_thread(notify, self, error.one_line(), severity="error")
            return
        self.app.call_from_thread(self._published, done)

    def _published(self, done: Publication) -> None:
        self.published = done
        if done.revisions:
            notify(self, f"Published {len(done.revisions)} revision(s) of {done.document}")
        else:
            notify(self, "Nothing to publish: every revision here was published before")
        self.read_sheet()

    def action_close(self) -> None:
        self.dismiss(None)


def _short(rev_range: str) -> str:
    """Revision ids shortened as the history shows them: ``34ea7a7f`` or ``a1..b2``."""
    return "..".join(rev[:8] for rev in rev_range.split(".."))
