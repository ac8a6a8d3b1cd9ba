"""The review app, driven with Pilot as a reviewer would use it."""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import Input
from tui_helpers import editing_app, main_screen, run_app, settle

from tracker.demo import build_demo
from tracker.store import Store
from tracker.tui.screens.annotate import AnnotateScreen
from tracker.tui.screens.help import HelpScreen
from tracker.tui.screens.main import MainScreen
from tracker.tui.screens.record import ChangeForm, RecordScreen
from tracker.tui.widgets.diff_view import DiffView
from tracker.tui.widgets.history_list import HistoryList
from tracker.tui.widgets.notes_panel import NotesPanel

from conftest import git


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("tui") / "demo").root


@pytest.fixture
def demo_copy(demo, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(demo, target)
    return target


def summaries(screen: MainScreen) -> list[str]:
    return [r.summary for r in screen.shown]


def test_opens_the_history_newest_first_with_its_diff_and_note(demo):
    async def scenario(pilot, screen):
        history = screen.query_one(HistoryList)
        assert history.option_count == 10
        assert summaries(screen)[0] == "Add a dated corrections notice"
        view = screen.query_one(DiffView)
        assert view.comparison.new_rev == screen.shown[0].rev
        assert view.current == 1
        notes = screen.query_one(NotesPanel)
        assert notes.change is not None and notes.change.note is not None
        assert "corrections notice" in str(notes.render()).lower()

    run_app(demo, scenario)


def test_moving_through_revisions_and_changes(demo):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        await pilot.press("j", "j")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[2].rev)
        assert screen.selected.summary == screen.shown[2].summary
        await pilot.press("k")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[1].rev)
        await pilot.press("down")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[2].rev)
        first = view.current
        await pilot.press("n")
        assert view.current == first + 1
        await pilot.press("right_square_bracket")
        assert view.current == first + 2
        await pilot.press("N")
        await pilot.press("left_square_bracket")
        assert view.current == first
        notes = screen.query_one(NotesPanel)
        assert notes.change.index == view.current

    run_app(demo, scenario)


def test_next_change_scrolls_the_diff_to_it(demo):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        for _ in range(5):  # "Remove unsupported claims": changes all through the text
            await pilot.press("j")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[5].rev)
        last = view.comparison.changes[-1].index
        for _ in range(last):
            await pilot.press("n")
        assert view.current == last
        row = next(i for i, r in enumerate(view.rows) if last in r.changes)
        top = view.scroll_offset.y
        assert top <= row < top + view.size.height

    run_app(demo, scenario, size=(120, 30))


def test_layout_toggle_and_folds(demo):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        assert view.layout_mode == "side"
        assert any(r.fold is not None for r in view.rows)
        assert all(r.right == () for r in view.rows) is False
        await pilot.press("s")
        assert view.layout_mode == "inline"
        assert all(r.right == () for r in view.rows)
        await pilot.press("z")
        assert not any(r.fold is not None for r in view.rows)
        await pilot.press("z")
        assert any(r.fold is not None for r in view.rows)
        await pilot.press("s")
        assert view.layout_mode == "side"

    run_app(demo, scenario)


def test_compare_any_two_revisions_with_every_note_between(demo):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        await pilot.press("B")  # newest as B
        for _ in range(9):
            await pilot.press("j")
        await pilot.press("A")  # the original as A
        newest, oldest = screen.shown[0].rev, screen.shown[-1].rev
        await settle(pilot, lambda: view.comparison.key == (oldest, newest))
        comparison = view.comparison
        assert len(comparison.notes_between) >= 40
        labels = {revision.rev for revision, _ in comparison.notes_between}
        assert len(labels) == 9  # every correcting revision contributed notes
        panel = screen.query_one(NotesPanel)
        assert panel.related and "Notes made between A and B" in str(panel.render())
        await pilot.press("escape")
        await settle(
            pilot,
            lambda: view.comparison.new_rev == oldest and not view.comparison.notes_between,
        )
        assert view.comparison.changes == ()  # the original is the baseline

    run_app(demo, scenario)


def test_help_lists_every_binding(demo):
    async def scenario(pilot, screen):
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        text = str(pilot.app.screen.query_one("Static").render())
        from tracker.tui.bindings import MAIN_ACTIONS

        for action in MAIN_ACTIONS:
            assert action.help in text
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, MainScreen)

    run_app(demo, scenario)


def test_command_palette_offers_every_action(demo):
    async def scenario(pilot, screen):
        commands = {c.title for c in pilot.app.get_system_commands(screen)}
        from tracker.tui.bindings import MAIN_ACTIONS

        assert {a.description for a in MAIN_ACTIONS if a.action != "app.quit"} <= commands
        view = screen.query_one(DiffView)
        await pilot.press("j", "j")  # the copy edit: a revision with several changes
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[2].rev)
        assert view.current == 1 and len(view.changes) > 2
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "Next change":
            await pilot.press("space" if ch == " " else ch)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot, lambda: view.current == 2)

    run_app(demo, scenario)


def test_search_in_the_diff(demo):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        for _ in range(8):  # "Correct who is who", which took Los Zetas out
            await pilot.press("j")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[8].rev)
        await pilot.press("slash")
        for ch in "Zetas":
            await pilot.press(ch)
        await pilot.press("enter")
        assert view.search == "Zetas"
        top = view.scroll_offset.y
        visible_rows = view.rows[top : top + view.size.height]
        assert any("Zetas" in row.text for row in visible_rows)

    run_app(demo, scenario, size=(120, 30))


def test_history_filter_by_author_category_and_text(demo):
    async def scenario(pilot, screen):
        async def filter_by(text):
            await pilot.press("f")
            box = screen.query_one("#filter", Input)
            box.value = text
            await pilot.press("enter")

        await filter_by("author:Priya")
        await settle(pilot, lambda: len(screen.shown) == 3)
        assert all("Priya" in r.author for r in screen.shown)
        await filter_by("category:structure")
        await settle(pilot, lambda: screen.shown and len(screen.shown) < 10)
        assert all(any(c.note.category == "structure" for c in r.changes) for r in screen.shown)
        await filter_by("text:Los Zetas")
        await settle(pilot, lambda: "Correct who is who" in " ".join(summaries(screen)))
        assert len(screen.shown) < 10
        await filter_by("")
        await settle(pilot, lambda: len(screen.shown) == 10)

    run_app(demo, scenario)


def test_annotate_a_past_change_keeps_the_earlier_wording(demo_copy):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        await pilot.press("j")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[1].rev)
        before = view.change(view.current).note.text
        await pilot.press("a")
        assert isinstance(pilot.app.screen, AnnotateScreen)
        pilot.app.screen.query_one("#text", Input).value = "A corrected reason for this edit."
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        screen = main_screen(pilot.app)
        await settle(
            pilot, lambda: screen.selected is not None and screen.selected.later_note_count
        )
        view = screen.query_one(DiffView)
        note = view.change(view.current).note
        assert note.text == "A corrected reason for this edit." and note.edited
        await pilot.press("h")
        text = str(screen.query_one(NotesPanel).render())
        assert "Earlier wordings" in text and before[:30] in text.replace("\n", " ")

    run_app(demo_copy, scenario)
    assert "A corrected reason" in git(demo_copy, "notes", "--ref=tracker", "show", "HEAD~1")


def test_record_refuses_unexplained_changes_then_records(demo_copy):
    article = demo_copy / "article.txt"
    article.write_text(
        article.read_text(encoding="utf-8").replace("has spread across", "has spread through", 1)
        + "\n\nA new closing line.",
        encoding="utf-8",
    )
    head = git(demo_copy, "rev-parse", "HEAD")

    async def scenario(pilot, screen):
        await pilot.press("r")
        record = pilot.app.screen
        assert isinstance(record, RecordScreen)
        forms = list(record.query(ChangeForm))
        assert len(forms) == 2
        record.query_one("#summary", Input).value = "Tighten the conclusion"
        forms[0].query_one(".note", Input).value = "Plainer word."
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RecordScreen), "refused: change 2 has no note"
        assert forms[1].has_class("missing") and not forms[0].has_class("missing")
        assert git(demo_copy, "rev-parse", "HEAD") == head
        forms[1].query_one(".note", Input).value = "Closing line added."
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        screen = main_screen(pilot.app)
        await settle(
            pilot, lambda: screen.shown and screen.shown[0].summary == "Tighten the conclusion"
        )

    run_app(demo_copy, scenario)
    assert git(demo_copy, "rev-parse", "HEAD") != head
    log = Store.open(demo_copy).revision("HEAD")
    assert [c.note.text for c in log.changes] == ["Plainer word.", "Closing line added."]


def test_edit_runs_the_editor_then_offers_to_record(demo_copy, tmp_path, monkeypatch):
    app = editing_app(demo_copy, tmp_path, monkeypatch)

    async def scenario(pilot, screen):
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(pilot.app.screen, RecordScreen))
        assert len(list(pilot.app.screen.query(ChangeForm))) == 1

    run_app(demo_copy, scenario, app=app)
    assert (demo_copy / "article.txt").read_text(encoding="utf-8").endswith(" Edited.")


def test_errors_show_as_notifications_not_crashes(demo_copy):
    async def scenario(pilot, screen):
        (demo_copy / "article.txt").write_bytes(b"\x00binary now")
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(pilot.app.screen, MainScreen)
        messages = [n.message for n in pilot.app._notifications]
        assert any("binary" in m for m in messages)
        (demo_copy / ".git" / "tracker.lock").write_text(str(__import__("os").getpid()))
        await pilot.press("a")
        annotate = pilot.app.screen
        annotate.query_one("#text", Input).value = "x"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert any("locked" in n.message for n in pilot.app._notifications)

    run_app(demo_copy, scenario)


def test_untrusted_text_is_shown_literally(tmp_path):
    from tracker.recording import NoteInput, init_store, record

    from conftest import ANN, DATE

    store = init_store(tmp_path / "evil", ANN, DATE)
    doc = store.root / "doc.txt"
    doc.write_text("Plain [bold]start[/bold] text.\n", encoding="utf-8")
    record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    doc.write_text("Plain [link=http://x]start[/link] \x1b[31mred\u202e text.\n", encoding="utf-8")
    record(
        store, "doc.txt", "[b]Summary[/b] \x1b]52;c;ZXZpbA==\x07",
        notes={1: NoteInput("[red]note[/red] \u200b\u2067rtl", "factual")}, identity=ANN,
    )  # fmt: skip

    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        text = " ".join(row.text for row in view.rows)
        assert "[link=http://x]start[/link]" in text and "␛[31m" in text and "⟨RLO⟩" in text
        panel = str(screen.query_one(NotesPanel).render())
        assert "[red]note[/red]" in panel and "⟨RLI⟩" in panel and "\x1b" not in panel
        title = str(screen.query_one("#diff-title").render())
        assert "[b]Summary[/b]" in title and "␛" in title

    run_app(store.root, scenario)


def test_blame_view_shows_each_sentence_reason_and_jumps_to_its_revision(demo):
    from tracker.tui.screens.blame import BlameScreen

    async def scenario(pilot, screen):
        await pilot.press("b")
        blame = pilot.app.screen
        assert isinstance(blame, BlameScreen)
        await settle(pilot, lambda: len(blame.units) > 20)
        origin = "Tren de Aragua began as a prison gang"
        target = next(i for i, u in enumerate(blame.units) if u.text.startswith(origin))
        blame.query_one("OptionList").highlighted = target
        await pilot.pause()
        panel = str(blame.query_one(NotesPanel).render()).replace("\n", " ")
        assert "Adds where Tren de Aragua comes from" in panel
        await pilot.press("enter")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        main = main_screen(pilot.app)
        view = main.query_one(DiffView)
        await settle(pilot, lambda: view.comparison.new_rev == blame.units[target].revision.rev)
        assert view.current == blame.units[target].change.index

    run_app(demo, scenario)


def test_approve_flag_verify_and_export_from_the_app(demo_copy, tmp_path, monkeypatch):
    from tracker.tui.screens.prompt import PromptScreen
    from tracker.tui.screens.verify import VerifyScreen

    monkeypatch.chdir(tmp_path)

    async def scenario(pilot, screen):
        await pilot.press("v")
        await settle(pilot, lambda: getattr(screen.shown[0].review, "status", None) == "approved")
        await pilot.press("j")
        await pilot.press("F")
        assert isinstance(pilot.app.screen, PromptScreen)
        pilot.app.screen.query_one(Input).value = "Dates need checking"
        await pilot.press("enter")
        await settle(pilot, lambda: getattr(screen.shown[1].review, "status", None) == "flagged")
        assert screen.selected.rev == screen.shown[1].rev, "the selection stays put"
        await pilot.press("V")
        verify_screen = pilot.app.screen
        assert isinstance(verify_screen, VerifyScreen)
        await settle(pilot, lambda: verify_screen.report is not None)
        assert verify_screen.report.ok
        await pilot.press("escape")
        await pilot.press("x")
        await settle(pilot, lambda: (tmp_path / "corrections-article.txt.html").exists())

    run_app(demo_copy, scenario)
    html = (tmp_path / "corrections-article.txt.html").read_text(encoding="utf-8")
    assert "flagged by" in html and "Dates need checking" in html


def test_escape_leaves_the_search_box(demo):
    async def scenario(pilot, screen):
        await pilot.press("slash", "I", "C", "E", "enter")
        box = screen.query_one("#search", Input)
        assert pilot.app.focused is box
        await pilot.press("escape")
        assert not box.display and isinstance(pilot.app.focused, DiffView)
        await pilot.press("j")
        assert box.value == "ICE"  # j moved the history, it was not typed into the box

    run_app(demo, scenario)


def test_a_long_history_shows_its_first_page_then_loads_the_rest(tmp_path, monkeypatch):
    from tracker.recording import NoteInput, init_store, record
    from tracker.tui.screens import main as main_module

    from conftest import ANN, DATE

    monkeypatch.setattr(main_module, "FIRST_PAGE", 3)  # a "long" history of 6 revisions
    store = init_store(tmp_path / "long", ANN, DATE)
    doc = store.root / "d.txt"
    doc.write_text("word0 and more.\n")
    record(store, "d.txt", "Add", identity=ANN, date=DATE)
    for number in range(1, 6):
        doc.write_text(f"word{number} and more.\n")
        record(store, "d.txt", f"Edit {number}", notes={1: NoteInput("n")}, identity=ANN)

    async def scenario(pilot, screen):
        await settle(pilot, lambda: len(screen.shown) == 6)  # the worker brought the rest
        assert screen.shown[0].summary == "Edit 5"
        await pilot.press("j", "j")
        view = screen.query_one(DiffView)
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[2].rev)

    run_app(store.root, scenario)


def test_a_narrow_terminal_starts_inline_and_can_still_go_side_by_side(demo):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        assert view.layout_mode == "inline"
        await pilot.press("s")
        assert view.layout_mode == "side"

    run_app(demo, scenario, size=(80, 24))


def test_record_one_note_for_every_change_left_blank(demo_copy):
    article = demo_copy / "article.txt"
    article.write_bytes(article.read_bytes().replace(b"\n", b"\r\n"))  # line endings only

    async def scenario(pilot, screen):
        await pilot.press("r")
        record_screen = pilot.app.screen
        forms = list(record_screen.query(ChangeForm))
        # Identical edits are one form to explain (its note goes on each of them).
        assert len(forms) == 1 and len(forms[0].changes) > 5
        record_screen.query_one("#summary", Input).value = "Windows line endings"
        record_screen.query_one("#note-all", Input).value = "Converted for the print system"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))

    run_app(demo_copy, scenario)
    revision = Store.open(demo_copy).revision("HEAD")
    assert {c.note.text for c in revision.changes} == {"Converted for the print system"}
