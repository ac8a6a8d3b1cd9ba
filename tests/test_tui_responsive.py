"""The app stays within reach while it works: keys move the cursor while words are counted
or a report is exported, and an A/B compare gathers its notes without re-diffing."""

from __future__ import annotations

import json
import re
import shutil
import threading

import pytest
from tui_helpers import SIZE, main_screen, run_app, settle

from tracker.demo import build_demo
from tracker.session import ReviewSession
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.screens.main import MainScreen
from tracker.tui.widgets.diff_view import DiffView
from tracker.tui.widgets.history_list import HistoryList

from conftest import git, run_cli

WORDS = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("responsive") / "demo").root


@pytest.fixture
def demo_copy(demo, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(demo, target)
    return target


def foreign_history(root, revisions: int = 8):
    """A plain git history of one document, each commit changing a few words."""
    root.mkdir()
    git(root, "init", "-q", "--initial-branch=main")
    paragraphs = [" ".join(WORDS[(p + w) % len(WORDS)] for w in range(40)) for p in range(12)]
    for number in range(revisions):
        words = paragraphs[number % len(paragraphs)].split()
        words[number % len(words)] = f"edit{number}"
        paragraphs[number % len(paragraphs)] = " ".join(words)
        (root / "guide.md").write_text("\n\n".join(paragraphs) + "\n")
        git(root, "add", "guide.md")
        git(root, "commit", "-qm", f"Edit {number}")
    return root


def later_note(root, rev: str, text: str) -> None:
    """A later note on a revision the tracker did not record, as the tracker writes it."""
    entry = {"change": 1, "text": text, "category": "clarity", "author": "Ann", "date": "2024"}
    blob = json.dumps({"v": 1, "entries": [entry]})
    git(root, "notes", "--ref=refs/notes/tracker", "add", "-f", "-m", blob, rev)


async def compare_oldest_with_newest(pilot, screen: MainScreen) -> None:
    view = screen.query_one(DiffView)
    await pilot.press("end", "A", "home", "B")
    oldest, newest = screen.shown[-1].rev, screen.shown[0].rev
    await settle(pilot, lambda: view.comparison.key == (oldest, newest))


def noted_between(store: Store, document: str) -> list[tuple[str, int, str]]:
    """Every note made after the oldest revision up to the newest, read the slow way: each
    revision with its changes computed in full."""
    history = list(store.log(document))  # newest first
    return [
        (revision.rev, change.index, change.note.text)
        for revision in reversed(history[:-1])
        for change in revision.changes
        if change.note is not None
    ]


def test_a_to_b_compare_shows_every_note_of_the_revisions_between(demo):
    async def scenario(pilot, screen):
        await compare_oldest_with_newest(pilot, screen)
        comparison = screen.query_one(DiffView).comparison
        shown = [(r.rev, c.index, c.note.text) for r, c in comparison.notes_between]
        expected = noted_between(screen.session.store, screen.session.document)
        assert len(expected) > 5
        assert shown == expected

    run_app(demo, scenario)


def test_compare_diffs_only_the_foreign_revisions_that_carry_later_notes(tmp_path, monkeypatch):
    import tracker.diff

    root = foreign_history(tmp_path / "prose", revisions=8)
    noted = git(root, "rev-parse", "HEAD~3").strip()
    later_note(root, noted, "Checked against the source")
    diffed: list[tuple[str, str]] = []
    real = tracker.diff.diff_texts

    def counting(old: str, new: str):
        diffed.append((old, new))
        return real(old, new)

    async def scenario(pilot, screen):
        await pilot.press("end")
        await settle(pilot, lambda: screen.selected is screen.shown[-1])
        monkeypatch.setattr(tracker.diff, "diff_texts", counting)
        await compare_oldest_with_newest(pilot, screen)
        comparison = screen.query_one(DiffView).comparison
        assert [(r.rev, c.note.text) for r, c in comparison.notes_between] == [
            (noted, "Checked against the source")
        ]
        session = screen.session
        noted_pair = (session.text(noted + "~1"), session.text(noted))
        # The A..B diff and the one revision with a note: not the six others between.
        assert (comparison.old_text, comparison.new_text) in diffed
        assert set(diffed) <= {(comparison.old_text, comparison.new_text), noted_pair}

    run_app(root, scenario)


def test_word_counts_made_in_the_child_process_match_the_app_s_own(tmp_path):
    root = foreign_history(tmp_path / "prose", revisions=6)
    store = Store.open(root)
    counted = ReviewSession(store, "guide.md")
    counted.load_history()
    done = list(counted.count_churn(counted.missing_churn()))
    assert len(done) == 6 and not counted.missing_churn()
    here = ReviewSession(store, "guide.md")
    here.load_history()
    for revision in here.revisions:
        here.revision_diff(revision)
    assert [counted.churn(r) for r in counted.revisions] == [here.churn(r) for r in here.revisions]
    assert all(c.added == c.removed == 1 for c in map(counted.churn, counted.revisions[:-1]))


async def wait_for_first_diff(pilot, screen: MainScreen) -> None:
    """The history and the newest revision's diff, without waiting for every worker."""
    view = screen.query_one(DiffView)
    await settle_without_workers(
        pilot, lambda: view.comparison is not None and len(screen.shown) > 3
    )


async def settle_without_workers(pilot, condition, timeout: float = 10.0) -> None:
    import asyncio

    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the app did not reach the expected state in time"
        await pilot.pause(0.02)


def test_keys_move_the_cursor_while_words_are_still_being_counted(tmp_path, monkeypatch):
    root = foreign_history(tmp_path / "prose", revisions=10)
    release = threading.Event()
    counting_started = threading.Event()
    real = ReviewSession.count_churn

    def held(self, revisions):
        counting_started.set()
        release.wait(20)  # the counting takes as long as the test needs
        yield from real(self, revisions)

    monkeypatch.setattr(ReviewSession, "count_churn", held)
    app = TrackerApp(Store.open(root))

    async def main():
        async with app.run_test(size=SIZE) as pilot:
            await settle_without_workers(pilot, lambda: isinstance(app.screen, MainScreen))
            screen = main_screen(app)
            await wait_for_first_diff(pilot, screen)
            await settle_without_workers(pilot, counting_started.is_set)
            history = screen.query_one(HistoryList)
            view = screen.query_one(DiffView)
            for step in (1, 2, 3):
                await pilot.press("j")
                await settle_without_workers(
                    pilot, lambda s=step: view.comparison.new_rev == screen.shown[s].rev
                )
                assert history.highlighted == step
            assert not release.is_set()
            assert any(w.name == "fill_churn" and w.is_running for w in app.workers)
            assert screen.session.missing_churn(), "the counts are still to come"
            release.set()
            await settle(pilot, lambda: not screen.session.missing_churn())
            prompt = str(history.get_option_at_index(1).prompt)
            assert "+1 −1" in prompt

    import asyncio

    asyncio.run(main())


def test_keys_move_the_cursor_while_an_export_runs_and_it_writes_the_same_report(
    demo_copy, tmp_path, monkeypatch
):
    import tracker.export

    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    release = threading.Event()
    real = tracker.export.render

    def held(report, fmt):
        release.wait(20)  # an export as slow as the test needs
        return real(report, fmt)

    monkeypatch.setattr(tracker.export, "render", held)
    target = out / "corrections-article.txt.html"

    async def scenario(pilot, screen):
        history = screen.query_one(HistoryList)
        await pilot.press("x")
        progress = screen.query_one("#export-progress")
        assert "Exporting" in str(progress.render())
        for step in (1, 2, 3):
            await pilot.press("j")
            assert history.highlighted == step
        assert not target.exists() and not release.is_set()
        release.set()
        await settle(pilot, lambda: target.exists() and not screen.query("#export-progress"))

    run_app(demo_copy, scenario)
    by_cli = run_cli("-C", str(demo_copy), "export", "--format", "html")
    assert by_cli.code == 0, by_cli.err

    def undated(html: str) -> str:
        return re.sub(r"generated [0-9T:+-]+\.", "generated (date).", html)

    assert undated(target.read_text(encoding="utf-8")) == undated(by_cli.out)
