"""Screens as a reviewer sees them, compared with approved SVG snapshots.

Update after an intended change with: python -m pytest tests/test_snapshots.py --snapshot-update
then open each changed SVG and review the diff. The snapshots depend on the exact
rendering of Textual and Rich: SNAPSHOT_VERSIONS records the versions they were made
with, and every snapshot test fails with a clear message under any other version.
"""

from __future__ import annotations

from importlib.metadata import version

import pytest
from packaging.version import Version
from tui_helpers import ready, settle

from tracker.demo import build_demo
from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.screens.main import MainScreen
from tracker.tui.widgets.diff_view import DiffView

SIZE = (140, 40)
# (lowest, highest) version each snapshot was checked with; widen after regenerating.
SNAPSHOT_VERSIONS = {"textual": ("8.2.8", "8.2.8"), "rich": ("15.0.0", "15.0.0")}
REGENERATE = (
    "regenerate the snapshots on purpose: pytest tests/test_snapshots.py --snapshot-update, "
    "then review the diff, and record the versions in SNAPSHOT_VERSIONS (tests/test_snapshots.py)"
)


def versions_outside_snapshot_range() -> list[str]:
    """Installed packages whose version the snapshots were not made with."""
    outside = []
    for package, (low, high) in SNAPSHOT_VERSIONS.items():
        installed = version(package)
        if not Version(low) <= Version(installed) <= Version(high):
            outside.append(f"{package} {installed} (snapshots made with {low}..{high})")
    return outside


@pytest.fixture(autouse=True)
def _snapshot_versions_pinned(request):
    """An upgrade of Textual or Rich fails every snapshot loudly, not as a pixel diff."""
    outside = versions_outside_snapshot_range()
    if outside and not request.config.getoption("--snapshot-update"):
        pytest.fail(f"{'; '.join(outside)}: {REGENERATE}", pytrace=False)


def test_snapshot_versions_are_recorded_for_what_they_depend_on():
    assert set(SNAPSHOT_VERSIONS) == {"textual", "rich"}
    assert versions_outside_snapshot_range() == [], REGENERATE


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("snap") / "demo").root


def steady_cursors(pilot) -> None:
    """A text box's cursor blinks: the picture caught it on or off by the clock (the
    snapshots of the Record screen differed by one cursor under load). Held on."""
    for box in pilot.app.screen.query("Input"):
        box.cursor_blink = False


class TestMainScreen:
    def test_newest_revision(self, demo, snap_compare):
        async def run_before(pilot):
            # Wait for the history and the first diff (both come from workers).
            screen = await ready(pilot)
            assert screen.shown[0].summary == "Add a dated corrections notice"

        assert snap_compare(TrackerApp(Store.open(demo)), terminal_size=SIZE, run_before=run_before)

    def test_who_is_who_revision_second_change(self, demo, snap_compare):
        async def run_before(pilot):
            screen = await ready(pilot)
            view = screen.query_one(DiffView)
            for _ in range(8):  # down to "Correct who is who"
                await pilot.press("j")
            await settle(pilot, lambda: view.comparison.new_rev == screen.shown[8].rev)
            await pilot.press("n")  # from the Los Zetas change to the Tocorón sentence
            assert view.current == 2

        assert snap_compare(TrackerApp(Store.open(demo)), terminal_size=SIZE, run_before=run_before)

    def test_light_theme(self, demo, snap_compare):
        async def run_before(pilot):
            # Textual's theme system: the palette's "Theme" command sets app.theme.
            await ready(pilot)
            pilot.app.theme = "textual-light"
            await pilot.pause()

        assert snap_compare(TrackerApp(Store.open(demo)), terminal_size=SIZE, run_before=run_before)


class TestReading:
    """Issue 9: where the reader is, the search in force, and the review in full."""

    def test_search_in_force_title_and_footer(self, demo, snap_compare):
        async def run_before(pilot):
            screen = await ready(pilot)
            view = screen.query_one(DiffView)
            await pilot.press("end", "k")  # "Correct who is who", 9th of 10
            await settle(pilot, lambda: view.comparison.new_rev == screen.shown[8].rev)
            await pilot.press("slash")
            screen.query_one("#search").value = "ICE"
            await pilot.press("enter", "escape", "n")  # the box closed, the second match
            # The title says the match; the footer offers "n Next match", not the change.
            assert view.searching and view.match == 1
            assert "match 2 of" in str(view.border_title)

        assert snap_compare(TrackerApp(Store.open(demo)), terminal_size=SIZE, run_before=run_before)

    def test_whole_reason_and_review(self, demo, tmp_path, snap_compare):
        import shutil

        from tracker import porcelain

        copy = tmp_path / "copy"
        shutil.copytree(demo, copy)
        store = Store.open(copy)
        second = store.revision("HEAD~1").rev
        comment = (
            "The sourcing pass cut [b]six sections[/b] whole; the one on enforcement "
            "could stand with ICE's own published figures, attributed. Please look again."
        )
        porcelain.review(store, second, "flagged", comment, "Rita Reviewer <rita@desk.example>",
                         "2025-03-14T16:20:00-05:00")  # fmt: skip

        async def run_before(pilot):
            screen = await ready(pilot)
            await pilot.press("j")
            view = screen.query_one(DiffView)
            await settle(pilot, lambda: view.comparison.new_rev == second)
            assert screen.selected.review is not None

        assert snap_compare(TrackerApp(Store.open(copy)), terminal_size=SIZE, run_before=run_before)


class TestRecordScreen:
    def test_identical_edits_grouped_with_context(self, demo, tmp_path, snap_compare):
        import shutil

        copy = tmp_path / "copy"
        shutil.copytree(demo, copy)
        article = copy / "article.txt"
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("Tren de Aragua", "Tren de Aragua (TdA)", 5), "utf-8")

        async def run_before(pilot):
            await ready(pilot)
            await pilot.press("r")
            await settle(pilot, lambda: not isinstance(pilot.app.screen, MainScreen))
            # One form for the five identical insertions, three of them quoted in context.
            assert len(pilot.app.screen.query(".change-form")) == 1
            steady_cursors(pilot)

        assert snap_compare(TrackerApp(Store.open(copy)), terminal_size=SIZE, run_before=run_before)

    def test_refused_change_is_highlighted(self, demo, tmp_path, snap_compare):
        import shutil

        copy = tmp_path / "copy"
        shutil.copytree(demo, copy)
        article = copy / "article.txt"
        article.write_text(
            article.read_text(encoding="utf-8").replace("has spread across", "has spread through")
            + "\n\nA closing line.",
            encoding="utf-8",
        )

        async def run_before(pilot):
            await ready(pilot)
            await pilot.press("r")
            await settle(pilot, lambda: not isinstance(pilot.app.screen, MainScreen))
            screen = pilot.app.screen
            screen.query_one("#summary").value = "Tighten the conclusion"
            await pilot.press("ctrl+s")  # refused: no notes yet
            # Wait for the refusal itself, not one pause: on a loaded machine (two xdist
            # workers and more) the snapshot was taken before the change was highlighted.
            await settle(
                pilot,
                lambda: any(
                    str(n.message).startswith("Not recorded")
                    for n in pilot.app._notifications  # Textual has no public reader
                ),
            )
            assert not isinstance(pilot.app.screen, MainScreen)
            pilot.app.clear_notifications()
            steady_cursors(pilot)
            await pilot.pause()

        assert snap_compare(TrackerApp(Store.open(copy)), terminal_size=SIZE, run_before=run_before)

    def test_notice_follows_the_cause(self, demo, tmp_path, snap_compare):
        """A factual cause preselects the policy's notice for it: a significant correction."""
        import shutil

        from textual.widgets import Select

        copy = tmp_path / "copy"
        shutil.copytree(demo, copy)
        article = copy / "article.txt"
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("has spread across", "has spread through"), "utf-8")

        async def run_before(pilot):
            await ready(pilot)
            await pilot.press("r")
            await settle(pilot, lambda: not isinstance(pilot.app.screen, MainScreen))
            form = pilot.app.screen.query_one(".change-form")
            form.query_one(".category", Select).value = "factual"
            await settle(pilot, lambda: form.query_one(".notice", Select).value == "correction")
            steady_cursors(pilot)

        assert snap_compare(TrackerApp(Store.open(copy)), terminal_size=SIZE, run_before=run_before)


class TestHelpScreen:
    def test_help(self, demo, snap_compare):
        async def run_before(pilot):
            await ready(pilot)
            await pilot.press("question_mark")

        assert snap_compare(TrackerApp(Store.open(demo)), terminal_size=SIZE, run_before=run_before)


class TestNoticesScreen:
    """Issue 11: what a revision tells readers (as tracker notice words it), where each
    notice goes, and whether the revision is signed off and published."""

    def test_sourcing_pass_notice(self, demo, snap_compare):
        async def run_before(pilot):
            from tracker.tui.screens.notices import NoticesScreen

            screen = await ready(pilot)
            await pilot.press("j")  # "Sourcing pass": a significant editor's note
            await settle(pilot, lambda: screen.query_one(DiffView).comparison.new_rev
                         == screen.shown[1].rev)  # fmt: skip
            await pilot.press("P")
            await settle(
                pilot,
                lambda: isinstance(pilot.app.screen, NoticesScreen) and pilot.app.screen.sheet,
            )
            assert pilot.app.screen.sheet.published  # published in the demo, and so shown

        assert snap_compare(TrackerApp(Store.open(demo)), terminal_size=SIZE, run_before=run_before)


class TestSignOff:
    """Issue 10: who approved a revision and when, in its header and the history list; an
    author's own approval is called one."""

    def test_who_approved_and_when(self, demo, tmp_path, snap_compare):
        import shutil

        from tracker import porcelain

        copy = tmp_path / "copy"
        shutil.copytree(demo, copy)
        store = Store.open(copy)
        newest, second = store.revision("HEAD").rev, store.revision("HEAD~1").rev
        porcelain.review(store, newest, "approved", "Notice matches the corrections.",
                         "Ben Okafor <ben@desk.example>", "2025-03-15T09:10:00-05:00")  # fmt: skip
        author = store.revision(second).author
        porcelain.review(store, second, "approved", "", author, "2025-03-15T09:20:00-05:00")

        async def run_before(pilot):
            screen = await ready(pilot)
            assert screen.shown[0].review.signed_off and screen.shown[1].review.self_approved

        assert snap_compare(TrackerApp(Store.open(copy)), terminal_size=SIZE, run_before=run_before)


class TestThreeWayScreen:
    """Issue 10: the changes sync would not merge, base / yours / theirs, with both notes."""

    def test_overlapping_changes(self, demo, snap_compare):
        from test_tui_sync import conflict

        from tracker.tui.screens.threeway import ThreeWayScreen

        async def run_before(pilot):
            await ready(pilot)
            # As the sync key opens it on ConcurrentEditError (tests/test_tui_sync.py).
            message = "article.txt ¶2: both editors changed the same words; nothing was written"
            await pilot.app.push_screen(ThreeWayScreen(conflict(), message))
            await settle(pilot, lambda: bool(pilot.app.screen.stretches))
            assert any(s.ours and s.theirs for s in pilot.app.screen.stretches)

        assert snap_compare(TrackerApp(Store.open(demo)), terminal_size=SIZE, run_before=run_before)
