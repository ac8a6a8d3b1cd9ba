"""Provides RecordScreen: a note for each pending change, then record the revision."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Select, Static

from tracker import api
from tracker.diff import describe_whitespace_change
from tracker.errors import TrackerError
from tracker.model import Change
from tracker.review import Comparison, ReviewSession
from tracker.safe import one_line
from tracker.tui.notices import notify


def change_summary(change: Change) -> Content:
    ws = describe_whitespace_change(change.old.text, change.new.text)
    if ws:
        body = Content.styled(f"⟨{ws}⟩", "italic")
    else:
        old = one_line(change.old.text)[:120]
        new = one_line(change.new.text)[:120]
        body = Content.assemble(
            ("− " + old, "strike $text-error") if old else "",
            "   " if old and new else "",
            ("+ " + new, "underline $text-success") if new else "",
        )
    return Content.assemble(
        (f"Change {change.index} ", "bold"), (f"({change.kind})  ", "dim"), body
    )


class ChangeForm(Vertical):
    """One pending change and the note it needs."""

    def __init__(self, change: Change, categories: tuple[str, ...]) -> None:
        super().__init__(classes="change-form", id=f"change-{change.index}")
        self.change = change
        self.categories = categories

    def compose(self) -> ComposeResult:
        yield Static(change_summary(self.change), markup=False)
        with Horizontal(classes="note-row"):
            yield Select(
                [(c, c) for c in self.categories],
                value=self.categories[0],
                allow_blank=False,
                classes="category",
            )
            yield Input(placeholder="why was this changed?", classes="note")
            yield Input(placeholder="source (URL or citation)", classes="source")

    def note_input(self) -> api.NoteInput | None:
        text = self.query_one(".note", Input).value
        if not text.strip():
            return None
        return api.NoteInput(
            text,
            str(self.query_one(".category", Select).value),
            self.query_one(".source", Input).value,
        )


class RecordScreen(Screen[str | None]):
    """Dismisses with the new revision's id, or None when cancelled."""

    CSS_PATH = "record.tcss"
    BINDINGS = [
        Binding("ctrl+s", "record", "Record"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, session: ReviewSession, pending: Comparison) -> None:
        super().__init__()
        self.session = session
        self.pending = pending

    def compose(self) -> ComposeResult:
        config = self.session.store.config
        rule = (
            "This store requires a note on every change."
            if config.require_notes
            else "Notes are optional here, but every change deserves its reason."
        )
        count = len(self.pending.changes)
        with Vertical(id="record-head"):
            yield Static(
                Content.assemble(
                    ("Record a revision of ", "bold"),
                    (one_line(self.session.document), "bold $accent"),
                    f"  ({count} pending change{'s' if count != 1 else ''}). ",
                    (rule, "italic"),
                ),
                markup=False,
            )
            yield Input(placeholder="summary: what this revision does (one line)", id="summary")
            yield Input(placeholder="reason: why this revision was made", id="reason")
            if len(self.pending.changes) > 1:
                yield Input(
                    placeholder="one note for every change left blank below (optional)",
                    id="note-all",
                )
        with VerticalScroll(id="changes"):
            for change in self.pending.changes:
                yield ChangeForm(change, config.categories)
        with Horizontal(id="record-buttons"):
            yield Button("Record (ctrl+s)", variant="primary", id="record")
            yield Button("Cancel (esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#summary", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "record":
            self.action_record()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_record(self) -> None:
        forms = list(self.query(ChangeForm))
        shared = next(iter(self.query("#note-all").results(Input)), None)
        shared_text = shared.value.strip() if shared is not None else ""
        notes = {}
        missing = []
        for form in forms:
            note = form.note_input()
            if note is None and shared_text:
                # Many identical edits (line endings, a renamed term) share one reason.
                note = api.NoteInput(shared_text, form.query_one(".category", Select).value)
            form.set_class(False, "missing")
            if note is None:
                missing.append(form)
            else:
                notes[form.change.index] = note
        if self.session.store.config.require_notes and missing:
            for form in missing:
                form.set_class(True, "missing")
            numbers = ", ".join(str(form.change.index) for form in missing)
            notify(
                self,
                f"Not recorded: this store requires a note on every change; "
                f"change(s) {numbers} have none",
                severity="error",
            )
            missing[0].query_one(".note", Input).focus()
            return
        summary = self.query_one("#summary", Input).value
        reason = self.query_one("#reason", Input).value
        try:
            revision = api.record_revision(
                self.session.store, self.session.document, summary, reason, notes
            )
        except TrackerError as error:
            notify(self, error.one_line(), severity="error")
            return
        notify(self, f"Recorded {revision.rev[:8]}: {len(revision.changes)} change(s)")
        self.dismiss(revision.rev)
