"""The app on repositories the tracker did not create: several documents, plain commits."""

from __future__ import annotations

from tui_helpers import ready, run_app, settle

from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.screens.pick_document import PickDocumentScreen
from tracker.tui.widgets.diff_view import DiffView
from tracker.tui.widgets.history_list import HistoryList

from conftest import git


def foreign_repo(tmp_path):
    root = tmp_path / "prose"
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")
    (root / "a.md").write_text("# Guide\n\nThe quick brown fox.\n")
    (root / "b.md").write_text("Another document.\n")
    git(root, "add", ".")
    git(root, "commit", "-qm", "Start")
    (root / "a.md").write_text("# Guide\n\nThe quick red fox.\n")
    git(root, "commit", "-qam", "Recolour the fox\n\nBecause the photo shows it red.")
    return root


def test_asks_which_document_then_shows_its_plain_git_history(tmp_path):
    import asyncio

    root = foreign_repo(tmp_path)
    app = TrackerApp(Store.open(root))

    async def main():
        async with app.run_test(size=(140, 40)) as pilot:
            await settle(pilot, lambda: isinstance(pilot.app.screen, PickDocumentScreen))
            await pilot.press("enter")  # the first document, a.md
            screen = await ready(pilot)
            assert screen.session.document == "a.md"
            assert screen.query_one(HistoryList).option_count == 2
            view = screen.query_one(DiffView)
            change = view.change(view.current)
            assert (change.old.text, change.new.text) == ("brown", "red")
            assert change.note is None
            assert "Because the photo shows it red." in str(
                screen.query_one("#diff-title").render()
            )

    asyncio.run(main())


def test_opening_a_named_document_skips_the_question(tmp_path):
    root = foreign_repo(tmp_path)

    async def scenario(pilot, screen):
        assert screen.session.document == "b.md"
        assert screen.query_one(HistoryList).option_count == 1

    run_app(root, scenario, app=TrackerApp(Store.open(root), "b.md"))
