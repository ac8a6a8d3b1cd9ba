"""The Notices screen (P): what a revision or an A..B range tells readers, its sign-off and
publication, and p to publish it through the same front door as ``tracker publish``."""

from __future__ import annotations

import json
import shutil

import pytest
from textual.widgets import Static
from tui_helpers import run_app, settle

from tracker.demo import build_demo
from tracker.model import NoteInput
from tracker.notices import notice_items, notice_text
from tracker.publication import published_revisions
from tracker.recording import add_review, record
from tracker.store import Store
from tracker.tui.screens.confirm import ConfirmScreen
from tracker.tui.screens.main import MainScreen
from tracker.tui.screens.notices import NoticesScreen

from conftest import ANN, BOB, git

JOURNAL = "refs/tracker/journal"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("tui-notices") / "demo").root


def _with_new_correction(demo, tmp_path, text: str, summary: str = "Correct the close") -> tuple:
    """A copy of the demo with one more revision, by Ann, whose change is a correction:
    not reviewed and not published (in the demo every revision is both)."""
    root = tmp_path / "copy"
    shutil.copytree(demo, root)
    store = Store.open(root)
    article = root / "article.txt"
    article.write_text(article.read_text(encoding="utf-8") + "\nA closing line.\n", "utf-8")
    note = NoteInput(text, "factual", notice="correction", significance="significant")
    rev = record(store, "article.txt", summary, "", {0: note}, ANN, "2025-03-20T10:00:00-04:00")
    return root, rev


def _shown(screen, name: str) -> str:
    return str(screen.query_one(f"#notices-{name}", Static).render())


async def _open_notices(pilot) -> NoticesScreen:
    await pilot.press("P")
    await settle(
        pilot, lambda: isinstance(pilot.app.screen, NoticesScreen) and pilot.app.screen.sheet
    )
    return pilot.app.screen


def _messages(app) -> list[str]:
    return [str(n.message) for n in app._notifications]  # Textual has no public reader


def test_a_demo_revision_shows_the_notice_readers_will_read(demo):
    store = Store.open(demo)
    sourcing = store.revision("HEAD~1").rev  # "Sourcing pass": an editor's note

    async def scenario(pilot, screen: MainScreen):
        await pilot.press("j")
        await settle(pilot, lambda: screen.selected.rev == sourcing)
        notices = await _open_notices(pilot)
        expected = notice_text(notice_items(store, "article.txt", [sourcing]))
        assert expected.startswith("At the top of the article:\n")
        assert _shown(notices, "text") == expected.rstrip("\n")
        assert "editor's note, significant, at the top of the article" in _shown(notices, "items")
        status = _shown(notices, "status")
        assert "✓ signed off: approved by Maria Okafor" in status
        assert "Published 11 March 2025 (2025-03-11T17:00:00-04:00)" in status
        await pilot.press("escape")
        # A..B: older..newer, as the diff shows it; the range's notices as the CLI's A..B.
        await pilot.press("j", "A", "k", "k", "B")
        notices = await _open_notices(pilot)
        older, head = store.revision("HEAD~2").rev, store.revision("HEAD").rev
        assert notices.rev_range == f"{older}..{head}"
        expected = notice_text(
            notice_items(store, "article.txt", [store.revision("HEAD~1").rev, head])
        )
        assert "Editor's note, 11 March 2025" in expected
        assert _shown(notices, "text") == expected.rstrip("\n")
        status = _shown(notices, "status")
        assert status.count("Published") == 2 and "needs no sign-off" in status
        await pilot.press("escape")
        assert isinstance(pilot.app.screen, MainScreen)

    run_app(demo, scenario)


def test_publish_is_refused_without_sign_off_then_writes_one_event_once_approved(demo, tmp_path):
    root, rev = _with_new_correction(demo, tmp_path, "An earlier version misnamed the town.")
    journal = git(root, "rev-parse", JOURNAL).strip()

    async def scenario(pilot, screen: MainScreen):
        notices = await _open_notices(pilot)
        assert "✗ not signed off: awaiting review" in _shown(notices, "status")
        await pilot.press("p")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(
            pilot, lambda: any("second editor's approval" in m for m in _messages(pilot.app))
        )
        refusal = next(m for m in _messages(pilot.app) if "approval" in m)
        assert "\n" not in refusal and "nothing was published" in refusal
        assert git(root, "rev-parse", JOURNAL).strip() == journal  # nothing written
        assert "Not published" in _shown(notices, "status")
        # Bob approves meanwhile (his own clone, the CLI): publish reads it again.
        add_review(Store.open(root), rev, "approved", "", BOB, "2025-03-20T12:00:00-04:00")
        await pilot.press("p")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: "Published" in _shown(notices, "status").split(rev[:8])[-1])
        assert "✓ signed off: approved by Bob Checker" in _shown(notices, "status")

    run_app(root, scenario)
    events = [
        json.loads(line.partition("Tracker-Event: ")[2])
        for line in git(root, "log", "--format=%B", f"{journal}..{JOURNAL}").splitlines()
        if line.startswith("Tracker-Event: ")
    ]
    # Bob's approval, then one publish event naming the new revision (all else was out).
    assert [e["event"] for e in events] == ["publish", "review"]
    assert events[0]["revisions"] == [rev] and events[0]["author"] == "Ann Editor <ann@example.org>"
    assert rev in published_revisions(Store.open(root))


def test_a_hostile_note_and_summary_are_shown_as_text(demo, tmp_path):
    root, rev = _with_new_correction(
        demo, tmp_path, "[bold]x[/bold] \x1b[2J gone.", summary="[bold]y[/bold] close"
    )

    async def scenario(pilot, screen: MainScreen):
        notices = await _open_notices(pilot)
        text = notices.query_one("#notices-text", Static).render()
        # The note's words as they are, the ESC made visible (␛), no markup read.
        items = notice_items(Store.open(root), "article.txt", [rev])
        assert str(text) == notice_text(items).rstrip("\n")
        assert "[bold]x[/bold] ␛[2J gone." in str(text) and "\x1b" not in str(text)
        assert not text.spans
        status = notices.query_one("#notices-status", Static).render()
        start = str(status).index("[bold]y[/bold] close")
        # Plain text: no style reaches the summary's words (markup would have made "y" bold).
        assert not [span for span in status.spans if span.start <= start < span.end]

    run_app(root, scenario)
