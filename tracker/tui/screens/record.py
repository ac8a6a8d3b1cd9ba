"""Provides RecordScreen: a note for each pending change, then record the revision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, Select, Static

from tracker import porcelain, present
from tracker.errors import TrackerError
from tracker.model import Change, Comparison
from tracker.text.escape import one_line
from tracker.tui import styles
from tracker.tui.notices import notify
from tracker.tui.places import change_where
from tracker.tui.styles import content
from tracker.tui.widgets.hand_off_input import TypeAheadInput

if TYPE_CHECKING:
    from tracker.porcelain import Places, ReviewSession

# A note's category when the editor does not choose one, as in the CLI (docs/cli.md).
DEFAULT_CATEGORY = "other"


CONTEXT_SHOWN = 3  # places quoted under a group of identical edits; the rest are counted


def change_summary(change: Change, count: int = 1) -> Content:
    body = content(present.change_summary(change, limit=120))
    numbers = f"Change {change.index} " if count == 1 else f"{count} identical changes "
    return Content.assemble((numbers, "bold"), (f"({change.kind})  ", "dim"), body)


def group_changes(changes: tuple[Change, ...] | list[Change]) -> list[list[Change]]:
    """The pending changes, identical edits together (the same kind, old and new words),
    in the order each first appears: sixteen "+ (TdA)" are one thing to explain.
    Each change keeps its own key, so the one note is recorded on each of them."""
    groups: dict[tuple[str, str, str], list[Change]] = {}
    for change in changes:
        # " (TdA)" and "(TdA) " are the same edit to a reader (the diff put the space on
        # either side); a change of spacing alone is grouped by its exact characters.
        old, new = " ".join(change.old.text.split()), " ".join(change.new.text.split())
        if not (old or new):
            old, new = change.old.text, change.new.text
        groups.setdefault((change.kind, old, new), []).append(change)
    return list(groups.values())


def context_line(change: Change, old: Places, new: Places) -> Content:
    """Where a change is and a few words around it: ``¶4 … the remit of [−old +new] …``."""
    if change.new.text or change.is_move:
        place = new.place(change.new.start, change.new.end)
    else:  # a deletion: its words are in the old text only
        place = old.place(change.old.start, change.old.end)
    where = change_where(change, old, new)
    marks: list[tuple[str, str] | str] = []
    if change.old.text and not change.is_move:
        marks.append(("−" + one_line(change.old.text)[:40], styles.STYLES["deleted"]))
    if change.new.text:
        marks.append(("+" + one_line(change.new.text)[:40], styles.STYLES["inserted"]))
    # A space between the words and the change only where the text has one ("TdA),"
    # stays as it reads, not "TdA) ,").
    text, start, end = (new.text, change.new.start, change.new.end)
    if not (change.new.text or change.is_move):
        text, start, end = (old.text, change.old.start, change.old.end)
    changed = text[start:end]
    space_before = " " if (start and text[start - 1].isspace()) or changed[:1].isspace() else ""
    space_after = " " if text[end : end + 1].isspace() or changed[-1:].isspace() else ""
    before = "… " + one_line(place.before) + space_before if place.before else ""
    after = space_after + one_line(place.after) + " …" if place.after else ""
    parts: list[tuple[str, str] | str] = []
    for mark in marks:
        parts += [mark, " "]
    return Content.assemble((f"  {where}: ", "dim"), (before, "dim"), *parts[:-1], (after, "dim"))


@dataclass(frozen=True)
class Draft:
    """What was typed for one change, kept apart from the widgets that show it."""

    note: str = ""
    category: str = ""
    source: str = ""
    # The notice and significance the editor chose ("" left to the policy's default).
    notice: str = ""
    significance: str = ""

    def typed(self) -> bool:
        return bool(self.note.strip() or self.source.strip())


class ChangeForm(Vertical):
    """One pending change, or a group of identical ones, and the note it needs (recorded
    on each change of the group)."""

    def __init__(
        self,
        changes: list[Change] | Change,
        categories: tuple[str, ...],
        draft: Draft | None = None,
        places: tuple[Places, Places] | None = None,
        defaults: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        super().__init__(classes="change-form")
        self.changes = changes if isinstance(changes, list) else [changes]
        self.change = self.changes[0]
        # What each note is bound to (the words and place, not the number).
        self.keys = [porcelain.change_key(change) for change in self.changes]
        self.key = self.keys[0]
        self.categories = categories
        self.draft = draft or Draft()
        self.places = places
        # The store's policy: each category's (notice, significance) when the editor
        # chooses none (porcelain.notice_defaults).
        self.defaults = defaults or {}

    def compose(self) -> ComposeResult:
        yield Static(change_summary(self.change, len(self.changes)), markup=False)
        if self.places is not None:
            old, new = self.places
            lines = [context_line(c, old, new) for c in self.changes[:CONTEXT_SHOWN]]
            if len(self.changes) > CONTEXT_SHOWN:
                more = len(self.changes) - CONTEXT_SHOWN
                numbers = ", ".join(str(c.index) for c in self.changes)
                lines.append(
                    Content.styled(
                        f"  and {more} more (changes {numbers}); one note for all", "dim"
                    )
                )
            elif len(self.changes) > 1:
                lines.append(Content.styled("  one note for all of them", "dim"))
            yield Static(Content("\n").join(lines), classes="context", markup=False)
        # The note comes first: the field a tab from above lands in, and the one that is
        # typed into. The category is a dropdown, where typed words would be lost.
        with Horizontal(classes="note-row"):
            yield TypeAheadInput(
                self.draft.note, placeholder="why was this changed?", classes="note"
            )
            # Never the first category of the list (that was "factual": a claim that a fact
            # was wrong). The CLI's default, "other", where the store has it; otherwise none,
            # and recording asks for one.
            default = DEFAULT_CATEGORY if DEFAULT_CATEGORY in self.categories else Select.NULL
            category = self.draft.category
            yield Select(
                [(c, c) for c in self.categories],
                value=category if category in self.categories else default,
                allow_blank=True,
                prompt="category?",
                classes="category",
            )
            yield TypeAheadInput(
                self.draft.source, placeholder="source (URL or citation)", classes="source"
            )
        # What readers are told: the policy's default for the cause, until the editor
        # chooses otherwise (then a change of cause leaves the choice alone).
        chosen = category if category in self.categories else default
        notice, significance = self._default(chosen if isinstance(chosen, str) else "")
        with Horizontal(classes="notice-row"):
            yield Static("notice", classes="notice-label", markup=False)
            yield Select(
                [(present.NOTICE_WORDS[n], n) for n in present.NOTICE_TYPES],
                value=self.draft.notice or notice,
                allow_blank=False,
                classes="notice",
            )
            yield Select(
                [(level, level) for level in present.SIGNIFICANCE],
                value=self.draft.significance or significance,
                allow_blank=False,
                classes="significance",
            )

    def _default(self, category: str | None = None) -> tuple[str, str]:
        """The policy's (notice, significance) for ``category`` (default: the chosen one)."""
        chosen = self.category() if category is None else category
        return self.defaults.get(chosen, ("none", "minor"))

    def on_mount(self) -> None:
        # What the policy gave last: a field still showing it is the editor's to leave.
        self._defaulted = self._default()

    def on_select_changed(self, event: Select.Changed) -> None:
        if not event.select.has_class("category"):
            return
        # A new cause brings its default notice and significance, unless the editor
        # chose them (they no longer show what the previous cause's default was).
        new = self._default()
        for field, before, after in zip(
            ("notice", "significance"), self._defaulted, new, strict=True
        ):
            select = self.query_one(f".{field}", Select)
            if select.value == before:
                select.value = after
        self._defaulted = new

    def chosen(self, field: str) -> str:
        """The notice or significance the editor chose, or "" when it is the policy's
        default for the cause (recorded as derived, as the CLI records a note without
        --notice)."""
        value = str(self.query_one(f".{field}", Select).value)
        default = self._default()[0 if field == "notice" else 1]
        return "" if value == default else value

    def current(self) -> Draft:
        return Draft(
            self.query_one(".note", Input).value,
            self.category(),
            self.query_one(".source", Input).value,
            self.chosen("notice"),
            self.chosen("significance"),
        )

    def category(self) -> str:
        """The chosen category, or "" when none is chosen."""
        select = self.query_one(".category", Select)
        return "" if select.is_blank() else str(select.value)

    def note_input(self) -> porcelain.NoteInput | None:
        text = self.query_one(".note", Input).value
        if not text.strip():
            return None
        return porcelain.NoteInput(
            text, self.category(), self.query_one(".source", Input).value,
            notice=self.chosen("notice"), significance=self.chosen("significance"),
        )  # fmt: skip


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
        # Notes typed for changes that vanished when the document changed under the screen.
        self.orphans: list[tuple[porcelain.ChangeKey, Draft]] = []

    def compose(self) -> ComposeResult:
        categories = porcelain.categories(self.session.store)
        defaults = porcelain.notice_defaults(self.session.store)
        count = len(self.pending.changes)
        with Vertical(id="record-head"):
            groups = len(group_changes(self.pending.changes))
            yield Static(self._heading(count, groups), id="record-title", markup=False)
            yield TypeAheadInput(
                placeholder="summary: what this revision does (one line)", id="summary"
            )
            yield TypeAheadInput(placeholder="reason: why this revision was made", id="reason")
            if len(self.pending.changes) > 1:
                yield TypeAheadInput(
                    placeholder="one note for every change left blank below (optional)",
                    id="note-all",
                )
        yield Static(id="orphans", markup=False)
        # Not a tab stop itself: focusing a field scrolls it into view, and an unseen
        # stop between "reason" and the first note sent typing nowhere.
        with VerticalScroll(id="changes", can_focus=False):
            places = self._places(self.pending)
            for group in group_changes(self.pending.changes):
                yield ChangeForm(group, categories, places=places, defaults=defaults)
        with Horizontal(id="record-buttons"):
            yield Button("Record (ctrl+s)", variant="primary", id="record")
            yield Button("Cancel (esc)", id="cancel")
        yield Footer()

    @staticmethod
    def _places(pending: Comparison) -> tuple[Places, Places]:
        return porcelain.places(pending.old_text), porcelain.places(pending.new_text)

    def _heading(self, count: int, groups: int | None = None) -> Content:
        grouped = f", {groups} to explain" if groups is not None and groups < count else ""
        rule = (
            "This store requires a note on every change."
            if porcelain.requires_notes(self.session.store)
            else "Notes are optional here, but every change deserves its reason."
        )
        return Content.assemble(
            ("Record a revision of ", "bold"),
            (one_line(self.session.document), "bold $accent"),
            f"  ({count} pending change{'s' if count != 1 else ''}{grouped}). ",
            (rule, "italic"),
        )

    def on_mount(self) -> None:
        # Focus now, not later (focus() waits its turn): keys typed fast after e or r
        # arrive right behind this screen, and must find the summary focused.
        self.set_focus(self.query_one("#summary", Input))

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "record":
            await self.action_record()
        else:
            self.action_cancel()

    def typed(self) -> list[str]:
        """What was typed here and would be lost by leaving: one phrase per field."""
        found = [
            f"the {name}"
            for name in ("summary", "reason")
            if self.query_one(f"#{name}", Input).value.strip()
        ]
        shared = next(iter(self.query("#note-all").results(Input)), None)
        if shared is not None and shared.value.strip():
            found.append("the note for every blank change")
        notes = sum(form.current().typed() for form in self.query(ChangeForm))
        if notes:
            found.append(f"{notes} note{'s' if notes != 1 else ''}")
        return found

    def action_cancel(self) -> None:
        from tracker.tui.screens.confirm import dismiss_unless_typed

        typed = self.typed()  # one phrase per field, or none
        question = f"Discard {_listing(typed)} you typed?" if typed else ""
        dismiss_unless_typed(self, bool(typed), question + " Nothing has been recorded yet.")

    async def action_record(self) -> None:
        if self.orphans:
            from tracker.tui.screens.confirm import ConfirmScreen

            count = len(self.orphans)
            question = (
                f"{count} note{'s' if count != 1 else ''} lost {'their' if count != 1 else 'its'}"
                " change when the document changed (listed above the changes). Record "
                "without them?"
            )

            async def answered(confirmed: bool | None) -> None:
                if confirmed:
                    self.orphans = []
                    self._show_orphans()
                    await self.action_record()

            self.app.push_screen(
                ConfirmScreen(question, "Record without them", "Keep editing"), answered
            )
            return
        forms = list(self.query(ChangeForm))
        shared = next(iter(self.query("#note-all").results(Input)), None)
        shared_text = shared.value.strip() if shared is not None else ""
        notes = {}
        missing = []
        for form in forms:
            note = form.note_input()
            if note is None and shared_text:
                # Many identical edits (line endings, a renamed term) share one reason.
                note = porcelain.NoteInput(
                    shared_text, form.category(),
                    notice=form.chosen("notice"), significance=form.chosen("significance"),
                )  # fmt: skip
            form.set_class(False, "missing")
            if note is None:
                missing.append(form)
            else:  # a group's one note, on each of its changes
                notes.update(dict.fromkeys(form.keys, note))
        uncategorised = [form for form in forms if form.key in notes and not form.category()]
        if uncategorised:
            for form in uncategorised:
                form.set_class(True, "missing")
            numbers = _numbers(uncategorised)
            notify(
                self,
                f"Not recorded: choose a category for the note of change(s) {numbers}",
                severity="error",
            )
            uncategorised[0].query_one(".category", Select).focus()
            return
        if porcelain.requires_notes(self.session.store) and missing:
            for form in missing:
                form.set_class(True, "missing")
            numbers = _numbers(missing)
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
        changes = [change for form in forms for change in form.changes]
        warnings: list[str] = []
        try:
            revision = porcelain.record_bound(
                self.session.store,
                self.session.document,
                summary,
                reason,
                notes,
                [porcelain.change_key(c) for c in sorted(changes, key=lambda c: c.index)],
                warnings=warnings,
            )
        except porcelain.ChangesMovedError as error:
            await self._changes_moved(error.changes)
            return
        except TrackerError as error:
            notify(self, error.one_line(), severity="error")
            return
        notify(self, f"Recorded {revision.rev[:8]}: {len(revision.changes)} change(s)")
        for warning in warnings:  # recorded all the same: housekeeping after the commit point
            notify(self, f"Recorded, but: {warning}", severity="warning")
        self.dismiss(revision.rev)

    async def _changes_moved(self, changes: list[Change]) -> None:
        """Show the changes as they are now, each typed note on the change it was written
        for; notes whose change is gone are listed, and recording asks about them."""
        drafts = {}
        for form in self.query(ChangeForm):
            draft = form.current()
            if draft.typed():  # a group's note is on each of its changes
                drafts.update(dict.fromkeys(form.keys, draft))
        placed: dict[int, Draft] = {}
        for change in changes:  # the same words at the same place
            draft = drafts.pop(porcelain.change_key(change), None)
            if draft is not None:
                placed[change.index] = draft
        for change in changes:  # the same words moved (the branch moved under them)
            if change.index in placed:
                continue
            words = porcelain.change_key(change)[:3]
            matches = [key for key in drafts if key[:3] == words]
            if len(matches) == 1:
                placed[change.index] = drafts.pop(matches[0])
        # A note lost only when no change of its group found it again, and listed once.
        kept = set(map(id, placed.values()))
        lost: dict[int, tuple[porcelain.ChangeKey, Draft]] = {}
        for key, draft in drafts.items():
            if id(draft) not in kept:
                lost.setdefault(id(draft), (key, draft))
        self.orphans += list(lost.values())
        container = self.query_one("#changes", VerticalScroll)
        await container.remove_children()
        categories = porcelain.categories(self.session.store)
        defaults = porcelain.notice_defaults(self.session.store)
        places = self._places(self.session.pending())
        forms = []
        for group in group_changes(changes):
            draft = next((placed[c.index] for c in group if c.index in placed), None)
            forms.append(ChangeForm(group, categories, draft, places, defaults))
        await container.mount_all(forms)
        self.query_one("#record-title", Static).update(self._heading(len(changes), len(forms)))
        if len(changes) > 1 and not self.query("#note-all"):
            await self.query_one("#record-head").mount(
                TypeAheadInput(
                    placeholder="one note for every change left blank below (optional)",
                    id="note-all",
                ),
                after=self.query_one("#reason", Input),
            )
        self._show_orphans()
        lost = len(self.orphans)
        notify(
            self,
            f"Not recorded: {self.session.document} changed while you wrote. Its "
            f"{len(changes)} change(s) are shown as they are now, each note kept on its "
            "change"
            + (f"; {lost} note(s) lost their change (listed above)" if lost else "")
            + ". Check them, then ctrl+s.",
            severity="warning",
        )
        if self.focused is None:
            self.set_focus(self.query_one("#summary", Input))

    def _show_orphans(self) -> None:
        box = self.query_one("#orphans", Static)
        box.display = bool(self.orphans)
        lines = [
            Content.styled(
                "These notes were written for changes that are gone (copy what you need):",
                "bold $text-warning",
            )
        ]
        for (kind, old, new, _start), draft in self.orphans:
            words = one_line(new or old)[:60]
            lines.append(
                Content.assemble(
                    (f"  {kind} “{words}”: ", "dim"),
                    one_line(draft.note),
                    " ",
                    one_line(draft.source),
                )
            )
        box.update(Content("\n").join(lines))


def _numbers(forms: list[ChangeForm]) -> str:
    return ", ".join(str(change.index) for form in forms for change in form.changes)


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
