"""Provides MainScreen: history on the left, the diff on the right, the note below it."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from tracker.errors import NotTextError, TrackerError
from tracker.model import Comparison, Revision
from tracker.text.escape import one_line, visible
from tracker.tui.bindings import bindings
from tracker.tui.notices import notify
from tracker.tui.widgets.diff_view import DiffView
from tracker.tui.widgets.hand_off_input import HandOffInput
from tracker.tui.widgets.history_list import HistoryList, revision_prompt
from tracker.tui.widgets.notes_panel import NotesPanel

if TYPE_CHECKING:
    from tracker.porcelain import ReviewSession

FIRST_PAGE = 200  # revisions read before the first frame
HEAD_POLL = 1.0  # seconds between looks for a revision recorded elsewhere
KEEP_SELECTION = "<keep the selection>"  # for _show_history: whatever is selected then


class MainScreen(Screen):
    """The review screen."""

    CSS_PATH = "main.tcss"
    BINDINGS = bindings()

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        self.shown: list[Revision] = []
        self.mark_a: str | None = None
        self.mark_b: str | None = None
        self.filter_text = ""
        self._pending_change: int | None = None  # a change to focus once its diff shows
        self._selected_rev: str | None = None  # the revision whose diff is shown or coming
        self._head_seen: tuple[str, ...] = ()  # the branch tip the listing was read at

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="history-pane"):
                yield Static(id="history-title", markup=False)
                yield HistoryList(id="history")
            with Vertical(id="diff-pane"):
                # Summary and the whole reason; a long reason scrolls in a few rows.
                with VerticalScroll(id="diff-title-scroll", can_focus=False):
                    yield Static(id="diff-title", markup=False)
                yield DiffView(id="diff")
                # Scrolls when a long change and its note need more rows than it has.
                with VerticalScroll(id="notes-scroll", can_focus=False):
                    yield NotesPanel(id="notes")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history-title", Static).update(
            Content.assemble(("History of ", "dim"), (one_line(self.session.document), "bold"))
        )
        self.query_one(HistoryList).focus()
        self._head_seen = self.session.head_stamp()
        self.set_interval(HEAD_POLL, self._watch_head)
        # The first page of history is read here, before the first frame: a few
        # milliseconds, where a worker thread competing with the first layout took ten
        # times longer to deliver. A long history then loads whole in a worker.
        try:
            first_page = self.session.load_history(limit=FIRST_PAGE)
        except TrackerError as error:
            notify(self, error.one_line(), severity="error")
            return
        self.session.revisions = first_page
        self._show_history(first_page)
        if len(first_page) >= FIRST_PAGE:
            self.load_history(keep=KEEP_SELECTION)

    # -- loading (workers: the interface never waits for git) --------------------------------

    @work(thread=True, exclusive=True, group="history", exit_on_error=False)
    def load_history(
        self, search: str | None = None, keep: str | None = None, fresh: bool = False
    ) -> None:
        try:
            if search is None:
                revisions = self.session.reload()
            else:
                if fresh:  # the branch moved or a review was added: read it all again
                    self.session.reload()
                revisions = self.session.load_history(search)
        except TrackerError as error:
            self.app.call_from_thread(notify, self, error.one_line(), severity="error")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_history, revisions, keep)

    def _show_history(self, revisions: list[Revision], keep: str | None = None) -> None:
        revisions = self._filtered(revisions)
        self.shown = revisions
        history = self.query_one(HistoryList)
        history.set_revisions(
            [Option(p, id=r.rev) for r, p in zip(revisions, self._prompts(revisions), strict=True)]
        )
        if not revisions:
            self.query_one(DiffView).empty_message = "No revisions match."
            self.query_one(DiffView).show(None)
            return
        target = 0
        keep_view = keep == KEEP_SELECTION  # the whole history arrived: leave the diff be
        if keep_view:
            keep = self._selected_rev  # the reader may have moved while the rest loaded
        if keep is not None:
            target = next((i for i, r in enumerate(revisions) if r.rev == keep), 0)
        comparing = bool(self.mark_a and self.mark_b)
        order = [r.rev for r in self.session.revisions]
        if comparing and not (self.mark_a in order and self.mark_b in order):
            self.mark_a = self.mark_b = None  # an end of the comparison is gone
            comparing = False
            self._refresh_marks()
        already_shown = revisions[target].rev == self._selected_rev and not comparing
        history.highlighted = target
        if comparing:
            # Still comparing: show A..B again (with what was read now), not the selected
            # revision under marks that would keep j/k from changing the diff.
            self._compare()
            if self.session.missing_churn():
                self.fill_churn()
            return
        if not (already_shown and keep_view):
            self._select(revisions[target])
        if self.session.missing_churn():
            self.fill_churn()

    @work(thread=True, exclusive=True, group="churn", exit_on_error=False)
    def fill_churn(self) -> None:
        """Count the words of foreign revisions in the background, redrawing as it goes."""
        worker = get_current_worker()
        for done, revision in enumerate(self.session.missing_churn(), start=1):
            if worker.is_cancelled:
                return
            try:
                self.session.revision_diff(revision)
            except TrackerError:
                continue  # a revision that cannot be diffed keeps its "?"
            if done % 25 == 0:
                self.app.call_from_thread(self._refresh_marks)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._refresh_marks)

    def reload_history(self, keep: str | None = None) -> None:
        """Read the history again, keeping the filter in force: a ``text:`` filter is a
        search of the history, which a plain reload would drop while its box still shows it."""
        self._head_seen = self.session.head_stamp()
        query = self.filter_text.strip()
        search = query[5:].strip() if query.startswith("text:") else None
        self.load_history(search, keep=keep, fresh=True)

    def _watch_head(self) -> None:
        """Pick up a revision recorded elsewhere (the CLI, git, another app) unasked."""
        if self.session.head_stamp() != self._head_seen:
            self.reload_history(keep=self._selected_rev)

    def action_refresh(self) -> None:
        self.reload_history(keep=self._selected_rev)
        notify(self, "History read again")

    def _filtered(self, revisions: list[Revision]) -> list[Revision]:
        query = self.filter_text.strip()
        if not query or query.startswith("text:"):
            return revisions
        key, _, value = query.partition(":")
        value = value.strip().lower()
        if key == "author":
            return [r for r in revisions if value in r.author.lower()]
        if key == "category":
            return [
                r for r in revisions
                if any(c.note and c.note.category.lower() == value for c in r.changes)
            ]  # fmt: skip
        needle = query.lower()
        return [r for r in revisions if needle in r.summary.lower() or needle in r.author.lower()]

    def _marks(self, rev: str) -> str:
        return ("A " if rev == self.mark_a else "") + ("B " if rev == self.mark_b else "")

    @property
    def selected(self) -> Revision | None:
        index = self.query_one(HistoryList).highlighted
        return self.shown[index] if index is not None and index < len(self.shown) else None

    @on(OptionList.OptionHighlighted, "#history")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self.mark_a and self.mark_b:
            return  # comparing: the diff stays on A..B
        revision = next((r for r in self.shown if r.rev == event.option_id), None)
        if revision is not None and revision.rev != self._selected_rev:
            self._select(revision)

    def _select(self, revision: Revision) -> None:
        self._selected_rev = revision.rev
        title = self.query_one("#diff-title", Static)
        title.update(
            Content.assemble(
                (revision.rev[:8], "bold $text-warning"),
                " ",
                (one_line(revision.summary), "bold"),
                "\n",
                # The reason in full, its paragraphs kept: the title grows to a few rows
                # and scrolls beyond them (main.tcss), instead of cutting it to one row.
                (visible(revision.reason).strip() or "(no reason given)", "italic"),
            )
        )
        self.query_one("#diff-title-scroll").scroll_home(animate=False)
        self.compute_diff(revision)

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def compute_diff(self, revision: Revision) -> None:
        try:
            comparison = self.session.revision_diff(revision)
        except NotTextError as error:
            self.app.call_from_thread(self._show_not_text, error)
            return
        except TrackerError as error:
            self.app.call_from_thread(notify, self, error.one_line(), severity="error")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_comparison, comparison)

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False)
    def compute_compare(self, old: str, new: str) -> None:
        try:
            comparison = self.session.compare(old, new)
        except NotTextError as error:
            self.app.call_from_thread(self._show_not_text, error)
            return
        except TrackerError as error:
            self.app.call_from_thread(notify, self, error.one_line(), severity="error")
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._show_comparison, comparison)

    def _show_not_text(self, error: NotTextError) -> None:
        """Bytes put there with plain git: a clear line where the diff goes, not an error;
        the rest of the history stays as usable as before."""
        view = self.query_one(DiffView)
        view.empty_message = f"Not shown: {one_line(error.message)}; there is no text to diff."
        view.show(None)

    def _show_comparison(self, comparison: Comparison) -> None:
        view = self.query_one(DiffView)
        view.show(comparison)
        pending, self._pending_change = self._pending_change, None
        if pending is not None:
            view.focus_change(pending)
        if comparison.old_rev is None and not comparison.changes:
            view.empty_message = "First revision: the baseline text."

    @on(DiffView.ChangeFocused)
    def _change_focused(self, event: DiffView.ChangeFocused) -> None:
        view = self.query_one(DiffView)
        related = None
        if view.comparison is not None and view.comparison.notes_between:
            related = view.comparison.related_notes(event.change)
        self.query_one(NotesPanel).show_change(event.change, related)

    # -- actions -------------------------------------------------------------------------------

    def action_next_revision(self) -> None:
        self.query_one(HistoryList).action_cursor_down()

    def action_previous_revision(self) -> None:
        self.query_one(HistoryList).action_cursor_up()

    def action_next_change(self) -> None:
        self.query_one(DiffView).next_change(1)

    def action_previous_change(self) -> None:
        self.query_one(DiffView).next_change(-1)

    def action_toggle_layout(self) -> None:
        view = self.query_one(DiffView)
        view.set_layout("inline" if view.layout_mode == "side" else "side")
        notify(self, f"Layout: {'side by side' if view.layout_mode == 'side' else 'inline'}")

    def action_toggle_folds(self) -> None:
        self.query_one(DiffView).toggle_folds()

    def action_toggle_note_history(self) -> None:
        self.query_one(NotesPanel).toggle_history()

    def action_mark_a(self) -> None:
        self._mark("a")

    def action_mark_b(self) -> None:
        self._mark("b")

    def _mark(self, which: str) -> None:
        revision = self.selected
        if revision is None:
            return
        if which == "a":
            self.mark_a = revision.rev
        else:
            self.mark_b = revision.rev
        self._refresh_marks()
        if self.mark_a and self.mark_b:
            self._compare()
        else:
            notify(self, f"Marked {revision.rev[:8]} as {which.upper()}; now mark the other end")

    def _compare(self) -> None:
        """Show the diff from mark A to mark B (the older one first)."""
        assert self.mark_a is not None and self.mark_b is not None
        order = [r.rev for r in self.session.revisions]
        old, new = self.mark_a, self.mark_b
        if order.index(old) < order.index(new):  # newest first: swap so A is older
            old, new = new, old
        self.query_one("#diff-title", Static).update(
            Content.assemble(
                ("Comparing ", "dim"), (old[:8], "bold $text-warning"), " → ",
                (new[:8], "bold $text-warning"), ("  (esc: back to one revision)", "dim"),
            )
        )  # fmt: skip
        self.compute_compare(old, new)

    def action_clear_compare(self) -> None:
        focused = self.focused
        if isinstance(focused, Input) and focused.id in ("search", "filter"):
            # esc leaves the box (its text stays, and so does a filter in force).
            focused.display = False
            target = DiffView if focused.id == "search" else HistoryList
            self.query_one(target).focus()
            return
        if self.mark_a or self.mark_b:
            self.mark_a = self.mark_b = None
            self._refresh_marks()
            if self.selected:
                self._select(self.selected)

    def _refresh_marks(self) -> None:
        """Redraw the history rows so the A and B marks show."""
        history = self.query_one(HistoryList)
        for index, prompt in enumerate(self._prompts(self.shown)):
            history.replace_option_prompt_at_index(index, prompt)

    def _prompts(self, revisions: list[Revision]) -> list[Content]:
        """History rows, with churn bars scaled to the largest revision listed."""
        churns = [self.session.churn(r) for r in revisions]
        largest = max((c.added + c.removed for c in churns if c), default=0)
        return [
            revision_prompt(r, churn, largest, self._marks(r.rev))
            for r, churn in zip(revisions, churns, strict=True)
        ]

    async def action_search(self) -> None:
        search = await self._input("search", "find in diff (enter: next match)", DiffView)
        search.display = True
        # set_focus now, not focus() (which waits its turn): words typed fast after / are
        # read only after this action, and must land in the box, not run as keys.
        self.set_focus(search)

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        view = self.query_one(DiffView)
        start = getattr(view, "_last_found", -1) if view.search == event.value else -1
        if not view.find(event.value, start):
            notify(self, f"Not found: {one_line(event.value)}", severity="warning")

    async def _input(self, name: str, placeholder: str, anchor: type, above: bool = False) -> Input:
        """The filter or search box, mounted the first time it is asked for: start-up
        time is the app's first impression, and most sessions never use them."""
        found = self.query(f"#{name}").results(Input)
        box = next(found, None)
        if box is None:
            # The filter's Enter hands the focus to the list it filters; the search box
            # keeps it (Enter there finds the next match).
            if name == "filter":
                box = HandOffInput(placeholder=placeholder, id=name, hand_to=anchor)
            else:
                box = Input(placeholder=placeholder, id=name)
            widget = self.query_one(anchor)
            # Awaited: the box must be in place before the keys typed after f or / are read.
            if above:
                await widget.parent.mount(box, before=widget)
            else:
                await widget.parent.mount(box, after=widget)
        return box

    async def action_filter(self) -> None:
        box = await self._input(
            "filter", "author:NAME  category:CAT  text:WORDS", HistoryList, True
        )
        box.display = True
        self.set_focus(box)  # now: "text:..." typed right after f is for the box

    @on(Input.Submitted, "#filter")
    def _filter(self, event: Input.Submitted) -> None:
        self.filter_text = event.value
        query = event.value.strip()
        if query.startswith("text:"):
            self.load_history(query[5:].strip())  # the core's -S: revisions that add/remove it
        else:
            self._show_history(self.session.revisions)
        self.query_one(HistoryList).focus()

    # -- audit: blame, reviews, verify, export ---------------------------------------------

    def action_blame(self) -> None:
        from tracker.tui.screens.blame import BlameScreen

        self.app.push_screen(BlameScreen(self.session), self._jump_to)

    def _jump_to(self, target: tuple[str, int | None] | None) -> None:
        if target is None:
            return
        rev, change = target
        if self.mark_a or self.mark_b:
            self.mark_a = self.mark_b = None
            self._refresh_marks()
        if self.filter_text:
            self.filter_text = ""
            self._show_history(self.session.revisions, keep=rev)
        index = next((i for i, r in enumerate(self.shown) if r.rev == rev), None)
        if index is None:
            return
        history = self.query_one(HistoryList)
        if history.highlighted == index:  # already shown: no new diff will come
            if change is not None:
                self.query_one(DiffView).focus_change(change)
            return
        self._pending_change = change
        history.highlighted = index

    def action_approve(self) -> None:
        self._review("approved", "")

    def action_flag(self) -> None:
        from tracker.tui.screens.prompt import PromptScreen

        def flagged(comment: str | None) -> None:
            if comment is not None:
                self._review("flagged", comment)

        self.app.push_screen(PromptScreen("Flag this revision: what is wrong?"), flagged)

    def _review(self, status: str, comment: str) -> None:
        from tracker import porcelain

        revision = self.selected
        if revision is None:
            return
        try:
            # Through the API, as the CLI: it refuses a repository that is not a store.
            porcelain.review(self.session.store, revision.rev, status, comment)
        except TrackerError as error:
            notify(self, error.one_line(), severity="error")
            return
        notify(self, f"{revision.rev[:8]} {status}")
        self.reload_history(keep=revision.rev)

    def action_verify(self) -> None:
        from tracker.tui.screens.verify import VerifyScreen

        self.app.push_screen(VerifyScreen(self.session.store))

    def action_export(self) -> None:
        from tracker import porcelain

        name = Path(self.session.document).name
        try:
            target = Path.cwd() / f"corrections-{name}.html"
        except OSError:  # e.g. 'tracker demo --reset' run from inside the demo store
            notify(
                self,
                "Export failed: the folder the app was started in no longer exists;"
                " start the app again from a folder that exists",
                severity="error",
            )
            return
        try:
            html = porcelain.export(self.session.store, document=self.session.document, fmt="html")
            # Whole or nothing, and never over a FIFO or through a symlink.
            porcelain.write_report(target, html)
        except TrackerError as error:
            notify(self, f"Export failed: {error.one_line()}", severity="error")
            return
        notify(self, f"Corrections report written to {target}")

    def action_help(self) -> None:
        from tracker.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_annotate(self) -> None:
        view = self.query_one(DiffView)
        revision = self.selected
        change = view.change(view.current)
        if revision is None or change is None or (self.mark_a and self.mark_b):
            notify(self, "Select a revision and a change first (n to move)", severity="warning")
            return
        if not revision.recorded and not revision.changes and revision.initial:
            return
        from tracker.tui.screens.annotate import AnnotateScreen

        self.app.push_screen(
            AnnotateScreen(self.session.store, revision, change), self._after_annotate
        )

    async def action_edit(self) -> None:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        path = Path(self.session.store.root) / self.session.document
        try:
            command = [*shlex.split(editor), str(path)]
        except ValueError as error:  # unbalanced quotes in $EDITOR
            notify(self, f"Could not read the editor command {editor!r}: {error}", "error")
            return
        problem = None
        try:
            with self.app.suspend():
                # Nothing may escape this block: Textual resumes the terminal only when the
                # block ends normally, and an exception left the app suspended (a blank
                # screen echoing keys).
                try:
                    status = subprocess.run(command, check=False).returncode
                except (OSError, subprocess.SubprocessError) as error:
                    problem = f"Could not start the editor {editor!r}: {error}"
                else:
                    if status != 0:
                        problem = (
                            f"The editor {editor!r} exited with status {status}; nothing was "
                            "recorded (r records any changes it saved)"
                        )
        except SuspendNotSupported:
            problem = "This terminal cannot hand the screen to an editor"
        self.app.refresh(repaint=True, layout=True)  # whatever the editor drew is gone
        if problem is not None:
            notify(self, problem, severity="error")
            return
        await self.action_record()

    async def action_record(self) -> None:
        try:
            pending = self.session.pending()
        except TrackerError as error:
            notify(self, error.one_line(), severity="error")
            return
        if not pending.changes:
            notify(self, "Nothing to record: the document matches its last revision.")
            return
        from tracker.tui.screens.record import RecordScreen

        await self.app.push_screen(RecordScreen(self.session, pending), self._after_record)

    def _after_annotate(self, result: str | None) -> None:
        if result:
            self.reload_history(keep=self.selected.rev if self.selected else None)

    def _after_record(self, result: str | None) -> None:
        if result:
            self.reload_history()  # the new revision is the newest: it gets selected
