"""Issue 7 in the app: nothing an editor typed is lost, screens never go stale, and names
from the repository are shown as text (Pilot, as a reviewer or editor would use the app)."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys

import pytest
from textual import events
from textual.widgets import Input, Static
from tui_helpers import editing_app, run_app, settle

from tracker.demo import build_demo
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.screens.confirm import ConfirmScreen
from tracker.tui.screens.main import MainScreen
from tracker.tui.screens.pick_document import PickDocumentScreen
from tracker.tui.screens.record import ChangeForm, RecordScreen
from tracker.tui.screens.verify import VerifyScreen
from tracker.tui.widgets.diff_view import DiffView
from tracker.tui.widgets.history_list import HistoryList

from conftest import git, run_cli

AUTHOR = "Cleo Outside <cleo@example.org>"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("tui-safety") / "demo").root


@pytest.fixture
def demo_copy(demo, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(demo, target)
    return target


def messages(app) -> list[str]:
    return [n.message for n in app._notifications]


def review_status(revision) -> str | None:
    return revision.review.status if revision.review else None


# -- 15: stale screens ---------------------------------------------------------------------


def test_a_text_filter_stays_in_force_after_approve_and_flag(demo_copy):
    async def scenario(pilot, screen):
        everything = len(screen.shown)
        await pilot.press("f")
        pilot.app.screen.query_one("#filter", Input).value = "text:Los Zetas"
        await pilot.press("enter")
        await settle(pilot, lambda: 0 < len(screen.shown) < everything)
        filtered = [r.rev for r in screen.shown]
        await pilot.press("v")
        await settle(pilot, lambda: review_status(screen.shown[0]) == "approved")
        assert [r.rev for r in screen.shown] == filtered, "the text: filter was dropped"
        assert screen.query_one("#filter", Input).value == "text:Los Zetas"

    run_app(demo_copy, scenario)


def test_approving_during_a_comparison_keeps_comparing_then_j_k_work(demo_copy):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        newest, third = screen.shown[0].rev, screen.shown[2].rev
        await pilot.press("A", "j", "j", "B")
        await settle(pilot, lambda: view.comparison.key == (third, newest))
        await pilot.press("v")
        await settle(pilot, lambda: review_status(screen.shown[2]) == "approved")
        await settle(pilot, lambda: view.comparison.key == (third, newest))
        title = str(screen.query_one("#diff-title", Static).render())
        assert "Comparing" in title and screen.mark_a == newest and screen.mark_b == third
        await pilot.press("escape")  # stop comparing: j/k follow the history again
        await settle(pilot, lambda: view.comparison.new_rev == third)
        await pilot.press("k")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[1].rev)

    run_app(demo_copy, scenario)


def test_refresh_key_picks_up_a_review_made_with_the_cli(demo_copy):
    async def scenario(pilot, screen):
        newest = screen.shown[0].rev
        assert review_status(screen.shown[0]) == "approved"  # by the bundled second editor
        result = run_cli("-C", str(demo_copy), "review", newest, "--flag", "Check the dates",
                         "--author", AUTHOR)  # fmt: skip
        assert result.code == 0, result.stderr
        await pilot.press("R")
        await settle(pilot, lambda: review_status(screen.shown[0]) == "flagged")
        assert screen.selected.rev == newest

    run_app(demo_copy, scenario)


def test_a_revision_recorded_with_the_cli_appears_unasked(demo_copy):
    article = demo_copy / "article.txt"

    async def scenario(pilot, screen):
        count = len(screen.shown)
        selected = screen.selected.rev
        article.write_text(article.read_text(encoding="utf-8") + " Outside.", encoding="utf-8")
        result = run_cli(
            "-C", str(demo_copy), "record", "article.txt", "-m", "Recorded outside",
            "--note", "1=From the command line", "--author", AUTHOR,
        )  # fmt: skip
        assert result.code == 0, result.stderr
        await settle(pilot, lambda: len(screen.shown) == count + 1)
        assert screen.shown[0].summary == "Recorded outside"
        assert screen.selected.rev == selected, "the reader's place is kept"

    run_app(demo_copy, scenario)


def test_verify_says_an_unrecorded_edit_is_pending(demo_copy):
    article = demo_copy / "article.txt"
    article.write_text(article.read_text(encoding="utf-8") + " Unrecorded.", encoding="utf-8")

    async def scenario(pilot, screen):
        await pilot.press("V")
        verify = pilot.app.screen
        assert isinstance(verify, VerifyScreen)
        await settle(pilot, lambda: verify.report is not None)
        text = str(verify.query_one("#verify-result", Static).render())
        assert verify.pending == {"article.txt": 1}
        assert text.startswith("PENDING") and "OK:" not in text
        assert "article.txt: 1 unrecorded change(s)" in text

    run_app(demo_copy, scenario)


def test_a_failed_export_leaves_no_temporary_file(demo_copy, tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    (out / "corrections-article.txt.html").mkdir()  # the report cannot take its place

    async def scenario(pilot, screen):
        await pilot.press("x")
        await settle(pilot, lambda: any("Export failed" in m for m in messages(pilot.app)))

    run_app(demo_copy, scenario)
    assert sorted(p.name for p in out.iterdir()) == ["corrections-article.txt.html"]


# -- 14: a failing editor (the real terminal hand-over is tested in tmux) -------------------


@pytest.mark.parametrize(
    "editor, expected",
    [
        ("/nonexistent/editor", "Could not start the editor '/nonexistent/editor'"),
        (f"{sys.executable} -c 'raise SystemExit(1)'", "exited with status 1"),
    ],
)
def test_a_failing_editor_returns_to_the_app_with_a_notice(
    demo_copy, monkeypatch, editor, expected
):
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)
    app = TrackerApp(Store.open(demo_copy))
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)  # headless: no terminal

    async def scenario(pilot, screen):
        await pilot.press("e")
        await settle(pilot, lambda: any(expected in m for m in messages(pilot.app)))
        assert pilot.app.screen is screen
        view = screen.query_one(DiffView)
        await pilot.press("j")  # still answering keys
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[1].rev)

    run_app(demo_copy, scenario, app=app)


# -- 2: names from the repository are text, in the picker and in notifications -----------

EVIL = "e\x1b]0;PWNED\x07[bold]x.md"


def test_a_hostile_file_name_is_shown_as_text_everywhere(tmp_path, monkeypatch):
    from tracker.recording import init_store, record

    from conftest import ANN, DATE

    store = init_store(tmp_path / "evil", ANN, DATE)
    (store.root / EVIL).write_text("One sentence.\n", encoding="utf-8")
    (store.root / "plain.md").write_text("Another.\n", encoding="utf-8")
    record(store, EVIL, "Add", identity=ANN, date=DATE)
    record(store, "plain.md", "Add plain", identity=ANN, date=DATE)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    app = TrackerApp(Store.open(store.root))

    async def scenario() -> None:
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(pilot, lambda: isinstance(app.screen, PickDocumentScreen))
            options = app.screen.query_one("#documents")
            prompts = [str(options.get_option_at_index(i).prompt) for i in range(2)]
            assert "e␛]0;PWNED␇[bold]x.md" in prompts
            await pilot.press(*(["down"] if prompts[0] != "e␛]0;PWNED␇[bold]x.md" else []))
            await pilot.press("enter")
            await settle(pilot, lambda: isinstance(app.screen, MainScreen))
            screen = app.screen
            await settle(pilot, lambda: screen.query_one(HistoryList).option_count > 0)
            title = str(screen.query_one("#history-title", Static).render())
            assert "e␛]0;PWNED␇[bold]x.md" in title
            await pilot.press("x")
            await settle(pilot, lambda: any("written to" in m for m in messages(app)))
            (store.root / EVIL).unlink()
            await pilot.press("r")  # an error naming the file
            await settle(pilot, lambda: any("does not exist" in m for m in messages(app)))
            shown = [n for n in app._notifications if "EVIL" in n.message or "PWNED" in n.message]
            assert len(shown) == 2
            for note in shown:
                assert "\x1b" not in note.message and "\x07" not in note.message
                assert "␛]0;PWNED␇[bold]x.md" in note.message
                assert not note.markup, "a file name must not be read as markup"

    import asyncio

    asyncio.run(scenario())
    assert [p.name for p in out.iterdir()] == [f"corrections-{EVIL}.html"]
    assert git(store.root, "status", "--porcelain", "-z").count("\x00") == 1  # the deletion


# -- 12: a note stays bound to the change it was written for --------------------------------


def two_pending_changes(root) -> None:
    article = root / "article.txt"
    article.write_text(
        article.read_text(encoding="utf-8").replace("has spread across", "has spread through", 1)
        + "\n\nA new closing line.",
        encoding="utf-8",
    )


def forms_of(app) -> list[ChangeForm]:
    return list(app.screen.query(ChangeForm))


async def type_into(pilot, widget: Input, text: str) -> None:
    """Click into a field and type, as a person does (not by setting its value)."""
    widget.focus()
    await settle(pilot, lambda: pilot.app.focused is widget)
    words = text.split(" ")
    await pilot.press(*words[0])
    for word in words[1:]:
        await pilot.press("space", *word)


def test_a_note_stays_on_its_change_when_the_file_changes_under_the_screen(demo_copy):
    two_pending_changes(demo_copy)
    article = demo_copy / "article.txt"
    head = git(demo_copy, "rev-parse", "HEAD")

    async def scenario(pilot, screen):
        await pilot.press("r")
        record = pilot.app.screen
        assert isinstance(record, RecordScreen)
        await type_into(pilot, record.query_one("#summary", Input), "Tighten the ending")
        first, second = forms_of(pilot.app)
        await type_into(pilot, first.query_one(".note", Input), "Plainer word")
        await type_into(pilot, second.query_one(".note", Input), "Closing line added")
        # Another program edits the top of the file: the changes are now numbered 2 and 3.
        text = article.read_text(encoding="utf-8")
        article.write_text("Editor's note: updated. " + text, encoding="utf-8")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: len(forms_of(pilot.app)) == 3)
        assert isinstance(pilot.app.screen, RecordScreen), "it asks; it does not record"
        assert git(demo_copy, "rev-parse", "HEAD") == head
        notes = {f.change.new.text.strip(): f.current().note for f in forms_of(pilot.app)}
        assert notes["through"] == "Plainer word"
        assert notes["A new closing line."] == "Closing line added"
        assert notes["Editor's note: updated."] == ""
        assert record.query_one("#summary", Input).value == "Tighten the ending"
        assert any("changed while you wrote" in m for m in messages(pilot.app))
        new = next(f for f in forms_of(pilot.app) if not f.current().note)
        await type_into(pilot, new.query_one(".note", Input), "Dated notice")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))

    run_app(demo_copy, scenario)
    revision = Store.open(demo_copy).revision("HEAD")
    assert revision.summary == "Tighten the ending"
    assert {c.new.text.strip(): c.note.text for c in revision.changes} == {
        "Editor's note: updated.": "Dated notice",
        "through": "Plainer word",
        "A new closing line.": "Closing line added",
    }


def test_a_note_whose_change_is_gone_is_kept_in_view_and_recording_asks(demo_copy):
    two_pending_changes(demo_copy)
    article = demo_copy / "article.txt"
    head = git(demo_copy, "rev-parse", "HEAD")

    async def scenario(pilot, screen):
        await pilot.press("r")
        record = pilot.app.screen
        await type_into(pilot, record.query_one("#summary", Input), "Tighten the ending")
        first, second = forms_of(pilot.app)
        await type_into(pilot, first.query_one(".note", Input), "Plainer word")
        await type_into(pilot, second.query_one(".note", Input), "Closing line added")
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("\n\nA new closing line.", ""), encoding="utf-8")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: len(forms_of(pilot.app)) == 1)
        assert forms_of(pilot.app)[0].current().note == "Plainer word"
        orphans = record.query_one("#orphans", Static)
        assert orphans.display and "Closing line added" in str(orphans.render())
        await pilot.press("ctrl+s")  # asks before dropping the note
        await settle(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("n")
        await settle(pilot, lambda: pilot.app.screen is record)
        assert git(demo_copy, "rev-parse", "HEAD") == head
        assert "Closing line added" in str(orphans.render())
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))

    run_app(demo_copy, scenario)
    revision = Store.open(demo_copy).revision("HEAD")
    assert [(c.new.text, c.note.text) for c in revision.changes] == [("through", "Plainer word")]


# -- 13: typed text is never thrown away ----------------------------------------------------


def test_escape_with_typed_text_asks_and_no_keeps_everything(demo_copy):
    two_pending_changes(demo_copy)
    head = git(demo_copy, "rev-parse", "HEAD")

    async def scenario(pilot, screen):
        await pilot.press("r")
        record = pilot.app.screen
        await type_into(pilot, record.query_one("#summary", Input), "Tighten")
        await type_into(pilot, record.query_one("#reason", Input), "Too wordy")
        await type_into(pilot, forms_of(pilot.app)[1].query_one(".note", Input), "Closing")
        await pilot.press("escape")
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen)
        question = str(confirm.query_one(Static).render())
        assert "the summary, the reason and 1 note" in question
        await pilot.press("n")
        await settle(pilot, lambda: pilot.app.screen is record)
        assert record.query_one("#summary", Input).value == "Tighten"
        assert record.query_one("#reason", Input).value == "Too wordy"
        assert forms_of(pilot.app)[1].current().note == "Closing"
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("escape")  # esc on the question is "no" as well
        await settle(pilot, lambda: pilot.app.screen is record)
        assert record.query_one("#reason", Input).value == "Too wordy"
        await pilot.press("escape", "y")  # and yes discards
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        await pilot.press("r")  # nothing typed: esc leaves at once
        await settle(pilot, lambda: isinstance(pilot.app.screen, RecordScreen))
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))

    run_app(demo_copy, scenario)
    assert git(demo_copy, "rev-parse", "HEAD") == head


def test_tab_visits_every_field_in_reading_order_and_each_is_visible(demo_copy):
    two_pending_changes(demo_copy)

    async def scenario(pilot, screen):
        await pilot.press("r")
        record = pilot.app.screen
        first, second = forms_of(pilot.app)
        expected = [
            record.query_one("#summary"),
            record.query_one("#reason"),
            record.query_one("#note-all"),
            *(
                form.query_one(field)
                for form in (first, second)
                for field in (".note", ".category", ".source", ".notice", ".significance")
            ),
            record.query_one("#record"),
            record.query_one("#cancel"),
        ]  # fmt: skip
        visited = []
        for _ in expected:
            focused = pilot.app.focused
            visited.append(focused)
            assert focused.region.area > 0, f"{focused!r} has the focus but cannot be seen"
            await pilot.press("tab")
        assert visited == expected
        assert pilot.app.focused is expected[0], "and round again"

    run_app(demo_copy, scenario)


def burst(app, *parts: str) -> None:
    """Send keys as a fast typist or a paste does: all queued at once, none waited for."""
    for part in parts:
        keys = [part] if part in ("e", "tab", "ctrl+s") else list(part)
        for key in keys:
            character = key if len(key) == 1 else ("\t" if key == "tab" else None)
            event = events.Key("space" if key == " " else key, character)
            event.set_sender(app)
            app._driver.send_message(event)


def test_keys_typed_in_one_burst_after_e_land_in_their_fields(demo_copy, tmp_path, monkeypatch):
    app = editing_app(demo_copy, tmp_path, monkeypatch)

    async def scenario(pilot, screen):
        count = len(screen.shown)
        burst(pilot.app, "e", "Add a word", "tab", "It ended abruptly", "tab", "One more word")
        burst(pilot.app, "ctrl+s")
        await settle(pilot, lambda: len(screen.shown) == count + 1)

    run_app(demo_copy, scenario, app=app)
    revision = Store.open(demo_copy).revision("HEAD")
    assert (revision.summary, revision.reason) == ("Add a word", "It ended abruptly")
    assert [c.note.text for c in revision.changes] == ["One more word"]


def test_the_current_note_in_the_annotate_box_is_shown_as_text(tmp_path):
    from tracker.recording import NoteInput, init_store, record
    from tracker.tui.screens.annotate import AnnotateScreen

    from conftest import ANN, DATE

    store = init_store(tmp_path / "s", ANN, DATE)
    doc = store.root / "doc.txt"
    doc.write_text("One.\n", encoding="utf-8")
    record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    doc.write_text("Two.\n", encoding="utf-8")
    note = NoteInput("set \x1b]0;PWNED\x07 [b]title[/b]", "factual")
    record(store, "doc.txt", "Edit", notes={1: note}, identity=ANN)

    async def scenario(pilot, screen):
        await pilot.press("a")
        annotate = pilot.app.screen
        assert isinstance(annotate, AnnotateScreen)
        current = next(
            str(s.render()) for s in annotate.query(Static) if "Current" in str(s.render())
        )
        assert "\x1b" not in current and "␛]0;PWNED␇ [b]title[/b]" in current

    run_app(store.root, scenario)


# -- 3: the app's export writes only a regular file or a new one ------------------------------


@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_the_app_export_does_not_replace_a_fifo_or_a_symlink(
    demo_copy, tmp_path, monkeypatch, kind
):
    """x writes corrections-NAME.html in the current folder; what is already there and is
    not a regular file (a FIFO a program reads, a link to someone's file) stays as it is."""
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    target = out / "corrections-article.txt.html"
    elsewhere = tmp_path / "elsewhere.html"
    elsewhere.write_text("someone else's file\n")
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to(elsewhere)

    async def scenario(pilot, screen):
        await pilot.press("x")
        await settle(pilot, lambda: any("Export failed" in m for m in messages(pilot.app)))

    app = run_app(demo_copy, scenario)
    failure = next(m for m in messages(app) if "Export failed" in m)
    assert "corrections-article.txt.html is" in failure, failure
    assert ("a symbolic link" if kind == "symlink" else "not a regular file") in failure
    mode = os.lstat(target).st_mode
    assert stat.S_ISFIFO(mode) if kind == "fifo" else stat.S_ISLNK(mode)
    assert elsewhere.read_text() == "someone else's file\n"
    assert sorted(p.name for p in out.iterdir()) == ["corrections-article.txt.html"]


def test_the_app_export_does_not_write_through_a_planted_temporary_name(
    demo_copy, tmp_path, monkeypatch
):
    """A link planted at the old fixed temporary name must not be written through."""
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("someone else's file\n")
    (out / "corrections-article.txt.html.tmp").symlink_to(elsewhere)

    async def scenario(pilot, screen):
        await pilot.press("x")
        await settle(pilot, lambda: any("written to" in m for m in messages(pilot.app)))

    run_app(demo_copy, scenario)
    assert elsewhere.read_text() == "someone else's file\n"
    report = out / "corrections-article.txt.html"
    assert report.is_file() and not report.is_symlink()
    assert "<html" in report.read_text(encoding="utf-8")


# -- 2: a later note written with plain git is shown as text --------------------------------


def test_a_later_note_date_planted_with_plain_git_is_shown_as_text(demo_copy):
    """Every field of a later note is untrusted, its date too."""
    import json

    from tracker.tui.widgets.notes_panel import NotesPanel

    osc = "\x1b]0;PWNED\x07"
    entry = {"change": 1, "text": "why", "category": "other", "author": "Eve", "date": osc}
    blob = json.dumps({"v": 1, "entries": [entry]})
    git(demo_copy, "notes", "--ref=refs/notes/tracker", "add", "-f", "-m", blob, "HEAD")

    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)

        def shown() -> bool:
            change = view.change(view.current)
            return bool(change and change.note and change.note.author == "Eve")

        await settle(pilot, shown)
        text = str(screen.query_one(NotesPanel).render())
        assert "by Eve ␛]0;PWNED␇" in text, text
        assert "\x1b" not in text and "\x07" not in text

    run_app(demo_copy, scenario)


# -- 4: the app writes only into a store made by tracker init --------------------------------


def test_approve_and_flag_in_the_app_refuse_a_plain_repository(tmp_path):
    """The app reads any git repository; a review would commit a notes ref into it."""
    from tracker.tui.screens.annotate import AnnotateScreen
    from tracker.tui.screens.prompt import PromptScreen

    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")
    for text in ("A project.\n", "A changed project.\n"):
        (root / "README.md").write_text(text)
        git(root, "add", ".")
        git(root, "-c", "user.name=P", "-c", "user.email=p@x", "commit", "-qm", "Edit")
    refs = git(root, "for-each-ref")

    def refusals(app) -> int:
        return sum("not a tracker store" in m for m in messages(app))

    async def scenario(pilot, screen):
        await pilot.press("v")
        await settle(pilot, lambda: refusals(pilot.app) == 1)
        await pilot.press("F")
        await settle(pilot, lambda: isinstance(pilot.app.screen, PromptScreen))
        await type_into(pilot, pilot.app.screen.query_one(Input), "wrong")
        await pilot.press("enter")
        await settle(pilot, lambda: refusals(pilot.app) == 2)
        await pilot.press("a")  # a later note goes through the same check
        await settle(pilot, lambda: isinstance(pilot.app.screen, AnnotateScreen))
        await type_into(pilot, pilot.app.screen.query_one("#text", Input), "why")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: refusals(pilot.app) == 3)

    run_app(root, scenario)
    assert git(root, "for-each-ref") == refs


def test_approve_in_a_plain_repository_from_a_deleted_folder_is_refused_not_a_crash(
    tmp_path, monkeypatch
):
    root = tmp_path / "project"
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")
    for text in ("A project.\n", "A changed project.\n"):
        (root / "README.md").write_text(text)
        git(root, "add", ".")
        git(root, "-c", "user.name=P", "-c", "user.email=p@x", "commit", "-qm", "Edit")
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()

    async def scenario(pilot, screen):
        await pilot.press("v")
        await settle(pilot, lambda: any("not a tracker store" in m for m in messages(pilot.app)))

    run_app(root, scenario)


# -- 9: ordinary conditions are named as they are ------------------------------------------


def test_a_store_moved_away_under_the_app_is_not_called_a_missing_git(demo_copy, tmp_path):
    """git could not start in a folder that is gone; git itself is installed."""

    async def scenario(pilot, screen):
        demo_copy.rename(tmp_path / "moved")
        await pilot.press("R")
        await settle(pilot, lambda: any("no longer exists" in m for m in messages(pilot.app)))

    app = run_app(demo_copy, scenario)
    assert not any("not installed" in m for m in messages(app)), messages(app)


def test_export_from_a_folder_that_was_deleted_is_an_error_not_a_crash(
    demo_copy, tmp_path, monkeypatch
):
    """cd into the demo store, then 'tracker demo --reset': the app runs in a folder that
    no longer exists, and x must say so rather than end the app with a traceback."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()

    async def scenario(pilot, screen):
        await pilot.press("x")
        await settle(pilot, lambda: any("Export failed" in m for m in messages(pilot.app)))

    app = run_app(demo_copy, scenario)
    failure = next(m for m in messages(app) if "Export failed" in m)
    assert "no longer exists" in failure, failure
