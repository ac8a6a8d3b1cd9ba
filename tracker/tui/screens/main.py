"""Provides MainScreen: history on the left, the diff on the right, the note below it."""

from __future__ import annotations

import asyncio
import os
import shlex
import subprocess
import sys
import time
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, get_current_worker

from tracker import porcelain, present
from tracker.errors import NotTextError, TrackerError
from tracker.model import Change, Comparison, Revision
from tracker.text.escape import one_line, visible
from tracker.tui.bindings import bindings
from tracker.tui.notices import notify
from tracker.tui.places import change_where
from tracker.tui.styles import content
from tracker.tui.syncing import SyncKey
from tracker.tui.widgets.diff_view import DiffView
from tracker.tui.widgets.hand_off_input import HandOffInput
from tracker.tui.widgets.history_list import HistoryList, revision_prompt
from tracker.tui.widgets.notes_panel import NotesPanel

if TYPE_CHECKING:
    from tracker.porcelain import Places, ReviewSession

FIRST_PAGE = 30  # revisions read before the first frame: more than a tall terminal shows
ROW_BUDGET = 0.008  # seconds of row building between looks at the keys (see _sync_rows)
HEAD_POLL = 1.0  # seconds between looks for a revision recorded elsewhere
KEEP_SELECTION = "<keep the selection>"  # for _show_history: whatever is selected then


class MainScreen(SyncKey, Screen):
    """The review screen. Its sync key (S) lives in tracker/tui/syncing.py."""

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
        # What each history row was drawn from, to redraw only rows whose look changed.
        self._row_keys: list[tuple] = []
        self._painted = False  # whether the first frame is on the screen
        self._row_worker: Worker | None = None  # brings the rows up to date (_sync_rows)
        self._rows_dirty = False  # rows changed while it ran: it looks again
        # Where changes are ("¶4"): the texts' paragraph maps, and for notes made between
        # A and B (in other revisions' texts) the places found in the background.
        self._places: OrderedDict[str, Places] = OrderedDict()
        self._related_where: dict[tuple[str, int], str] = {}
        self._wanted: dict[tuple[str, int], tuple[Revision, Change]] = {}

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
        notes = self.query_one(NotesPanel)
        notes.locate = self._locate
        notes.policy = porcelain.policy_name(self.session.store)
        self._head_seen = self.session.head_stamp()
        self.set_interval(HEAD_POLL, self._watch_head)
        self.call_after_refresh(self._first_paint_done)
        # The rows the first frame shows are read here, before it: one short git log, where
        # a worker thread competing with the first layout took ten times longer to deliver.
        # The whole history, the diff and the word counts follow once the frame is painted.
        try:
            first_page = self.session.load_history(limit=FIRST_PAGE)
        except TrackerError as error:
            notify(self, error.one_line(), severity="error")
            return
        self.session.revisions = first_page
        self._show_history(first_page)
        if len(first_page) >= FIRST_PAGE:
            self.call_after_refresh(self.load_history, keep=KEEP_SELECTION)

    def _first_paint_done(self) -> None:
        self._painted = True

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
        if not revisions:
            history.set_revisions([])
            self._row_keys = []
            self.query_one(DiffView).empty_message = "No revisions match."
            self.query_one(DiffView).show(None)
            return
        target = 0
        keep_view = keep == KEEP_SELECTION  # the whole history arrived: leave the diff be
        if keep_view:
            keep = self._selected_rev  # the reader may have moved while the rest loaded
        if keep is not None:
            target = next((i for i, r in enumerate(revisions) if r.rev == keep), 0)
        self._list_rows(revisions, upto=target)
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

    # -- history rows: built a screenful at a time, so keys are never kept waiting -----------

    def _list_rows(self, revisions: list[Revision], upto: int = 0) -> None:
        """List ``revisions``: the rows already listed for the same revisions stay (a whole
        history arriving after its first page only adds rows); the rows up to ``upto`` and
        a screenful beyond are built now, and the rest in the background (_sync_rows)."""
        if self._row_worker is not None:
            self._row_worker.cancel()  # it was bringing another listing up to date
            self._row_worker = None
        history = self.query_one(HistoryList)
        listed = history.option_count
        same = listed <= len(revisions) and all(
            self._row_keys[i][0].rev == revisions[i].rev for i in range(listed)
        )
        if not same:
            history.set_revisions([])
            self._row_keys = []
        now = min(len(revisions), max(upto + 1, 0) + self._screenful())
        if now > history.option_count:
            largest = self._largest()
            keys = [self._row_key(r, largest) for r in self.shown[history.option_count : now]]
            self._add_rows(keys, [revision_prompt(*key) for key in keys])
        self._refresh_marks()

    def _screenful(self) -> int:
        # A row is at least three lines high: this many rows more than fill the list.
        return max(self.query_one(HistoryList).size.height, self.app.size.height) // 3 + 2

    def _row_key(self, revision: Revision, largest: int) -> tuple:
        return (revision, self.session.churn(revision), largest, self._marks(revision.rev))

    def _largest(self) -> int:
        churns = (self.session.churn(r) for r in self.shown)
        return max((c.added + c.removed for c in churns if c), default=0)

    def _add_rows(self, keys: list[tuple], prompts: list[Content]) -> None:
        self.query_one(HistoryList).add_options(
            [Option(prompt, id=key[0].rev) for key, prompt in zip(keys, prompts, strict=True)]
        )
        self._row_keys.extend(keys)

    def _stale_rows(self, largest: int) -> list[int]:
        """Rows whose revision, word counts, scale or marks changed since they were drawn,
        those around the cursor first."""
        stale = [
            index
            for index, (key, revision) in enumerate(zip(self._row_keys, self.shown, strict=False))
            if key[0] is not revision or key[1:] != self._row_key(revision, largest)[1:]
        ]
        near = self.query_one(HistoryList).highlighted or 0
        span = self._screenful()
        return sorted(stale, key=lambda i: abs(i - near) > span)

    def _refresh_marks(self) -> None:
        """Redraw the history rows whose marks or word counts changed, and add the rows not
        listed yet (see _sync_rows)."""
        if self._row_worker is not None and self._row_worker.is_running:
            self._rows_dirty = True  # it looks again when done: no restart from scratch
            return
        self._rows_dirty = False
        self._row_worker = self._sync_rows()

    @work(group="rows", exit_on_error=False)
    async def _sync_rows(self) -> None:
        """Bring every row up to date (new rows, word counts, marks), in the background.

        Building a row (its text, then its height, which Textual wraps to find) costs a
        fraction of a millisecond, and a whole long history at once held the keys for a
        fifth of a second. Rows are built between keys, in short stretches, and put in
        place all at once: each change of the list's height re-lays out the whole screen."""
        history = self.query_one(HistoryList)
        started = time.perf_counter()

        async def breathe() -> None:
            nonlocal started
            if time.perf_counter() - started > ROW_BUDGET:
                await asyncio.sleep(0)  # the keys typed meanwhile are read here
                started = time.perf_counter()

        while True:
            largest = self._largest()
            stale = self._stale_rows(largest)
            first_new = history.option_count
            if not stale and first_new >= len(self.shown):
                if not self._rows_dirty:
                    return
                self._rows_dirty = False
                await asyncio.sleep(0)
                continue
            self._rows_dirty = False
            width = self._row_width()
            redraws = []
            for index in stale:
                await breathe()
                key = self._row_key(self.shown[index], largest)
                redraws.append((index, key, _measured(revision_prompt(*key), history, width)))
            keys, prompts = [], []
            for revision in self.shown[first_new:]:
                await breathe()
                keys.append(self._row_key(revision, largest))
                prompts.append(_measured(revision_prompt(*keys[-1]), history, width))
            # Nothing awaited since the rows were built: the listing is still theirs.
            _replace_prompts(history, [(index, prompt) for index, _key, prompt in redraws])
            for index, key, _prompt in redraws:
                self._row_keys[index] = key
            if keys and history.option_count == first_new:
                self._add_rows(keys, prompts)
            await asyncio.sleep(0)

    def _row_width(self) -> int:
        """The width the history list wraps a row's text to (as OptionList computes it)."""
        history = self.query_one(HistoryList)
        padding = history.get_component_styles("option-list--option").padding
        gutter = getattr(history, "_get_left_gutter_width", lambda: 0)()
        return history.scrollable_content_region.width - gutter - padding.width

    @work(thread=True, exclusive=True, group="churn", exit_on_error=False)
    def fill_churn(self) -> None:
        """Count the words of foreign revisions in the background, redrawing as it goes.

        The counting itself runs in a child process (ReviewSession.count_churn): this
        thread only waits for its answers, so the app's keys never wait for it."""
        worker = get_current_worker()
        counts = self.session.count_churn(self.session.missing_churn())
        shown = time.perf_counter()
        try:
            for _revision in counts:
                if worker.is_cancelled:
                    return
                if time.perf_counter() - shown > 0.25:  # a few redraws a second at most
                    self.app.call_from_thread(self._refresh_marks)
                    shown = time.perf_counter()
        finally:
            counts.close()  # stops the child if the worker was cancelled
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
        made_with = "" if revision.recorded else "  (made with plain git: no notes recorded)"
        title.update(
            Content.assemble(
                (revision.rev[:8], "bold $text-warning"),
                " ",
                (one_line(revision.summary), "bold"),
                (made_with, "dim italic"),
                "\n",
                # The reason in full, its paragraphs kept: the title grows to a few rows
                # and scrolls beyond them (main.tcss), instead of cutting it to one row.
                (visible(revision.reason).strip() or "(no reason given)", "italic"),
                "\n",
                # The review in full too: who, when and the whole comment, not only ✓/⚑.
                content(present.review_detail(revision.review)),
            )
        )
        self.query_one("#diff-title-scroll").scroll_home(animate=False)
        if self._painted:
            self.compute_diff(revision)
        else:  # the first frame first: the diff's thread would slow its layout down
            self.call_after_refresh(self._diff_if_selected, revision)

    def _diff_if_selected(self, revision: Revision) -> None:
        if revision.rev == self._selected_rev:
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
        self.refresh_bindings()  # m is offered only on a move

    # -- where changes are ---------------------------------------------------------------------

    def _text_places(self, text: str) -> Places:
        found = self._places.get(text)
        if found is None:
            found = self._places[text] = porcelain.places(text)
            while len(self._places) > 6:
                self._places.popitem(last=False)
        return found

    def _locate(self, revision: Revision | None, change: Change) -> str:
        """Where ``change`` is: in the diff shown, or (``revision``) in the text of the
        revision that made it, found in the background the first time it is asked."""
        if revision is None:
            comparison = self.query_one(DiffView).comparison
            if comparison is None:
                return ""
            old = None
            if change.is_move or not change.new.text:
                old = self._text_places(comparison.old_text)
            return change_where(change, old, self._text_places(comparison.new_text))
        key = (revision.rev, change.index)
        if key in self._related_where:
            return self._related_where[key]
        if not self._wanted:
            self.call_after_refresh(self._locate_wanted)
        self._wanted[key] = (revision, change)
        return ""

    def _locate_wanted(self) -> None:
        wanted, self._wanted = list(self._wanted.values()), {}
        if wanted:
            self.locate_related(wanted)

    @work(thread=True, group="places", exit_on_error=False)
    def locate_related(self, wanted: list[tuple[Revision, Change]]) -> None:
        """Place the notes made between A and B in their own revisions' texts: reading
        those texts takes a few milliseconds each, which the keys must not wait for."""
        found: dict[tuple[str, int], str] = {}
        for revision, change in wanted:
            try:
                new = porcelain.places(self.session.text(revision.rev))
                old = None
                if change.is_move or not change.new.text:
                    old = porcelain.places(self.session.text(revision.parent))
            except TrackerError:
                found[(revision.rev, change.index)] = ""
                continue
            found[(revision.rev, change.index)] = change_where(change, old, new)
        self.app.call_from_thread(self._located, found)

    def _located(self, found: dict[tuple[str, int], str]) -> None:
        self._related_where.update(found)
        self.query_one(NotesPanel).redraw()

    # -- actions -------------------------------------------------------------------------------

    def action_next_revision(self) -> None:
        self.query_one(HistoryList).action_cursor_down()

    def action_previous_revision(self) -> None:
        self.query_one(HistoryList).action_cursor_up()

    def action_next_change(self) -> None:
        self.query_one(DiffView).next_change(1)

    def action_previous_change(self) -> None:
        self.query_one(DiffView).next_change(-1)

    def action_next_match(self) -> None:
        self.query_one(DiffView).next_match(1)

    def action_previous_match(self) -> None:
        self.query_one(DiffView).next_match(-1)

    def action_first_change(self) -> None:
        self.query_one(DiffView).first_change()

    def action_last_change(self) -> None:
        self.query_one(DiffView).first_change(last=True)

    def action_other_end(self) -> None:
        if not self.query_one(DiffView).other_end():
            notify(self, "The change in focus is not a move: it has one place")

    def action_notes_down(self) -> None:
        scroll = self.query_one("#notes-scroll", VerticalScroll)
        # At the end of the notes listed so far, list more (between A and B) first.
        if scroll.scroll_y >= scroll.max_scroll_y and self.query_one(NotesPanel).show_more():
            return
        scroll.scroll_page_down(animate=False)

    def action_notes_up(self) -> None:
        self.query_one("#notes-scroll", VerticalScroll).scroll_page_up(animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """n/N mean "next match" only while a search is in force, and m only when the
        change in focus is a move (or an edit inside one): otherwise the key falls through
        to what it does then, and the footer shows what it does now."""
        if action in ("next_match", "previous_match"):
            return self.query_one(DiffView).searching
        if action == "other_end":
            view = self.query_one(DiffView)
            change = view.change(view.current)
            return change is not None and (change.is_move or change.within is not None)
        return True

    @on(DiffView.SearchChanged)
    def _search_changed(self) -> None:
        self.refresh_bindings()

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
        view = self.query_one(DiffView)
        if view.search:  # the search ends first: n and N go back to the changes
            view.clear_search()
            return
        if self.mark_a or self.mark_b:
            self.mark_a = self.mark_b = None
            self._refresh_marks()
            if self.selected:
                self._select(self.selected)

    async def action_search(self) -> None:
        search = await self._input("search", "find in diff (enter: next match)", DiffView)
        search.display = True
        # set_focus now, not focus() (which waits its turn): words typed fast after / are
        # read only after this action, and must land in the box, not run as keys.
        self.set_focus(search)

    @on(Input.Submitted, "#search")
    def _search(self, event: Input.Submitted) -> None:
        view = self.query_one(DiffView)
        if view.searching and view.search == event.value:  # enter again: the next match
            view.next_match(1)
        elif not view.find(event.value, view.scroll_offset.y - 1):
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

    def action_notices(self) -> None:
        """The notices of the selected revision, or of the A..B range when both are
        marked (older..newer, as the diff shows it): what readers will be told."""
        from tracker.tui.screens.notices import NoticesScreen

        if self.mark_a and self.mark_b:
            order = [r.rev for r in self.session.revisions]
            old, new = sorted((self.mark_a, self.mark_b), key=order.index, reverse=True)
            rev_range = f"{old}..{new}"
        elif self.selected is not None:
            rev_range = self.selected.rev
        else:
            return
        self.app.push_screen(NoticesScreen(self.session.store, self.session.document, rev_range))

    def action_export(self) -> None:
        if any(w.group == "export" and w.is_running for w in self.workers):
            notify(self, "An export is already running; it says when it is done")
            return
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
        self._export_progress("Exporting the corrections report…")
        self.export_report(target)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def export_report(self, target: Path) -> None:
        """Write the report in the background: on a long history it takes seconds, and
        the app froze for all of them. Progress shows above the history meanwhile."""

        # Reading the history, then each revision's two texts: three steps per revision.
        total = 3 * max(1, len(self.session.revisions))
        steps = 0
        shown = time.perf_counter()

        def step() -> None:
            nonlocal steps, shown
            steps += 1
            if time.perf_counter() - shown > 0.2:
                shown = time.perf_counter()
                percent = min(99, 100 * steps // total)
                self.app.call_from_thread(
                    self._export_progress, f"Exporting the corrections report… {percent}%"
                )

        # The export diffs in this thread, in pure Python: hand the interpreter back to
        # the app's thread within 1 ms when it asks (5 ms by default, and each repaint
        # asks many times), so keys stay quick while it runs.
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, 0.001))
        try:
            store = _Counted(self.session.store, step)
            html = porcelain.export(store, document=self.session.document, fmt="html")  # type: ignore[arg-type]
            # Whole or nothing, and never over a FIFO or through a symlink.
            porcelain.write_report(target, html)
        except TrackerError as error:
            self.app.call_from_thread(
                self._export_done, f"Export failed: {error.one_line()}", "error"
            )
            return
        finally:
            sys.setswitchinterval(switch)
        self.app.call_from_thread(
            self._export_done, f"Corrections report written to {target}", "information"
        )

    def _export_progress(self, text: str) -> None:
        """A line above the history while an export runs, mounted only then."""
        line = next(self.query("#export-progress").results(Static), None)
        if line is None:
            line = Static(text, id="export-progress", markup=False)
            self.query_one("#history-pane").mount(line, before=self.query_one("#history"))
        else:
            line.update(text)

    def _export_done(self, message: str, severity: str) -> None:
        for line in self.query("#export-progress"):
            line.remove()
        notify(self, message, severity=severity)  # type: ignore[arg-type]

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


def _measured(prompt: Content, history: HistoryList, width: int) -> Content:
    """The prompt, its height found now (Content keeps it): when it is put in the list,
    the list has nothing left to wrap."""
    prompt.get_height(history.styles, width)
    return prompt


def _replace_prompts(history: HistoryList, prompts: list[tuple[int, Content]]) -> None:
    """Put new prompts in place. OptionList clears its caches and refreshes after each
    one (20 ms for a whole history's rows); once for all of them where its inner parts
    are as this version of Textual has them, else one at a time."""
    options = [history.get_option_at_index(index) for index, _prompt in prompts]
    if all(hasattr(o, "_set_prompt") for o in options) and hasattr(history, "_clear_caches"):
        for option, (_index, prompt) in zip(options, prompts, strict=True):
            option._set_prompt(prompt)
        if prompts:
            history._clear_caches()
        return
    for index, prompt in prompts:
        history.replace_option_prompt_at_index(index, prompt)


class _Counted:
    """A store that calls ``step`` for each revision its log yields and each text it
    reads: how the export's progress is known without the exporter knowing about it."""

    def __init__(self, store, step) -> None:
        self._store = store
        self._step = step

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def log(self, *args, **kwargs):
        for revision in self._store.log(*args, **kwargs):
            self._step()
            yield revision

    def text_at(self, rev: str, path: str) -> str:
        text = self._store.text_at(rev, path)
        self._step()
        return text
