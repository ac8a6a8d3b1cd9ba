"""What the review app puts on screen, read from the screen: the whole change, the whole
reason, a note's category chosen rather than assumed, and (issue 9) aligned paragraphs.

These guard the defects the approved snapshots used to encode (issue 12): a change line
cut to "descri", a reason cut to one row, every note recorded as ``factual``.
"""

from __future__ import annotations

import shutil

import pytest
from textual.widget import Widget
from textual.widgets import Input, Select
from tui_helpers import run_app, settle

from tracker.demo import build_demo
from tracker.recording import init_store, record
from tracker.store import Store
from tracker.text.escape import one_line
from tracker.tui.app import TrackerApp
from tracker.tui.screens.main import MainScreen
from tracker.tui.screens.record import ChangeForm, RecordScreen
from tracker.tui.widgets.diff_view import DiffView

from conftest import ANN, git

SIZE = (140, 40)  # the snapshots' size: what they show is what these tests read
# Long past, so that the tests pass at any clock date (a future date is refused).
DATE = "2001-01-05T10:00:00+01:00"
LATER = "2001-01-05T11:00:00+01:00"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo store, only read by the tests that use it."""
    return build_demo(tmp_path_factory.mktemp("screen") / "demo").root


@pytest.fixture
def demo_copy(demo, tmp_path):
    """A copy of the demo a test may write to."""
    return shutil.copytree(demo, tmp_path / "demo")


def on_screen(app: TrackerApp, widget: Widget) -> str:
    """The text a person sees in ``widget``'s part of the screen, rows joined by spaces."""
    compositor = app.screen._compositor
    rows = [strip.text for strip in compositor.render_strips()]
    # Only the part not clipped away by a scrolling parent is on screen.
    region, clip = compositor.visible_widgets[widget]
    region = region.intersection(clip)
    return " ".join(row[region.x : region.right] for row in rows[region.y : region.bottom])


def words(text: str) -> str:
    """Text with its white space (wrapping included) reduced to single spaces."""
    return " ".join(text.split())


def test_the_change_line_shows_the_whole_change_not_a_cut_word(demo):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        for _ in range(5):  # "Remove unsupported claims"
            await pilot.press("j")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[5].rev)
        await pilot.press(*["n"] * 6)
        # Its change 7 deletes the section on ICE's programs, some 800 characters.
        assert view.current == 7
        change = view.change(view.current)
        assert change.kind == "delete" and len(change.old.text) > 500
        panel = words(on_screen(pilot.app, screen.query_one("#notes")))
        assert words(one_line(change.old.text)) in panel
        assert change.note.text[:40] in panel  # and its note still shows below it

    run_app(demo, scenario, size=SIZE)


def test_the_reason_is_shown_whole_and_wrapped(demo):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        for _ in range(8):  # down to "Correct who is who": a reason of four rows
            await pilot.press("j")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[8].rev)
        reason = screen.shown[8].reason
        assert len(reason) > 2 * 130
        title = words(on_screen(pilot.app, screen.query_one("#diff-title")))
        assert screen.shown[8].summary in title and words(reason) in title

    run_app(demo, scenario, size=SIZE)


def test_a_long_reason_scrolls_in_a_few_rows(tmp_path):
    store = init_store(tmp_path / "s", ANN, DATE)
    doc = store.root / "d.txt"
    doc.write_text("One.\n", encoding="utf-8")
    record(store, "d.txt", "Add", identity=ANN, date=DATE)
    doc.write_text("Two.\n", encoding="utf-8")
    reason = "\n\n".join(f"Paragraph {n} of a long reason." for n in range(1, 31))
    record(store, "d.txt", "Edit", reason, identity=ANN, date=LATER)

    async def scenario(pilot, screen):
        box = screen.query_one("#diff-title").parent  # the rows the reason may use
        first = on_screen(pilot.app, screen.query_one("#diff-title"))
        # The diff keeps most of the screen; the reason gets a few rows and scrolls.
        assert "Edit" in first and "Paragraph 1 of" in first and "Paragraph 30" not in first
        assert box.size.height < SIZE[1] // 3 and box.max_scroll_y > 0
        box.scroll_end(animate=False)
        title = screen.query_one("#diff-title")
        await settle(pilot, lambda: "Paragraph 30 of" in on_screen(pilot.app, title))

    run_app(store.root, scenario, size=SIZE)


def _edit_demo_article(root) -> None:
    article = root / "article.txt"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("has spread across", "has spread through", 1), "utf-8")


def test_a_note_typed_without_choosing_a_category_is_not_recorded_as_factual(demo_copy):
    _edit_demo_article(demo_copy)

    async def scenario(pilot, screen):
        await pilot.press("r")
        form = pilot.app.screen.query_one(ChangeForm)
        pilot.app.screen.query_one("#summary", Input).value = "Plainer word"
        form.query_one(".note", Input).value = "Continuing says it plainly."
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))

    run_app(demo_copy, scenario, size=SIZE)
    newest = Store.open(demo_copy).revision("HEAD")
    assert newest.summary == "Plainer word"
    # The CLI's default (docs/cli.md): "other" claims nothing; "factual" claimed an error.
    assert newest.changes[0].note.category == "other"


def test_a_store_without_other_asks_for_a_category_before_recording(tmp_path):
    store = init_store(tmp_path / "s", ANN, DATE, categories=("factual", "style"))
    doc = store.root / "d.txt"
    doc.write_text("The fox leaps.\n", encoding="utf-8")
    record(store, "d.txt", "Add", identity=ANN, date=DATE)
    doc.write_text("The fox jumps.\n", encoding="utf-8")
    head = git(store.root, "rev-parse", "HEAD")

    async def scenario(pilot, screen):
        await pilot.press("r")
        record_screen = pilot.app.screen
        assert isinstance(record_screen, RecordScreen)
        form = record_screen.query_one(ChangeForm)
        assert form.query_one(".category", Select).is_blank()
        record_screen.query_one("#summary", Input).value = "Verb"
        form.query_one(".note", Input).value = "The caption's verb."
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: form.has_class("missing"))
        assert pilot.app.screen is record_screen, "refused: the note has no category"
        assert git(store.root, "rev-parse", "HEAD") == head
        messages = [n.message for n in pilot.app._notifications]
        assert "Not recorded: choose a category for the note of change(s) 1" in messages
        form.query_one(".category", Select).value = "style"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))

    run_app(store.root, scenario, size=SIZE)
    assert Store.open(store.root).revision("HEAD").changes[0].note.category == "style"


def test_each_unchanged_paragraph_starts_on_the_same_row_on_both_sides(demo):
    # Issue 9: beside the deleted title, the next unchanged paragraph started on row 1 on
    # the right but row 4 on the left. Checked folded, then with every fold open (z).
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        first_correction = len(screen.shown) - 2  # the oldest is the baseline
        for _ in range(first_correction):
            await pilot.press("j")
        target = screen.shown[first_correction].rev
        await settle(pilot, lambda: view.comparison.new_rev == target)
        comparison = view.comparison
        assert view.layout_mode == "side"
        old = comparison.old_text.split("\n\n")
        unchanged = [p for p in comparison.new_text.split("\n\n") if p.strip() and p in old]

        def check() -> int:
            rows = view.rows
            left = ["".join(cell.text for cell in row.left).strip() for row in rows]
            right = ["".join(cell.text for cell in row.right).strip() for row in rows]
            checked = 0
            for paragraph in unchanged:
                start = paragraph.strip()[:24]
                on_left = [i for i, text in enumerate(left) if text.startswith(start)]
                on_right = [i for i, text in enumerate(right) if text.startswith(start)]
                if on_left and on_right:  # shown (not folded away) on both sides
                    checked += 1
                    assert on_left[0] == on_right[0], paragraph[:40]
            return checked

        check()
        assert any(row.fold is not None for row in view.rows)
        await pilot.press("z")
        await settle(pilot, lambda: not any(row.fold is not None for row in view.rows))
        assert check() == len(unchanged), "every unchanged paragraph shows once unfolded"

    run_app(demo, scenario, size=SIZE)
