"""Helpers for driving the review app with Textual's Pilot in plain (sync) pytest tests."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerFailed

from tracker.store import Store
from tracker.tui.app import TrackerApp
from tracker.tui.screens.main import MainScreen
from tracker.tui.widgets.diff_view import DiffView
from tracker.tui.widgets.history_list import HistoryList

SIZE = (160, 45)


async def settle(pilot: Pilot, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let workers finish and the screen update until ``condition`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        # A newer request may have replaced a worker (exclusive), or the app reported it.
        with contextlib.suppress(WorkerCancelled, WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if condition():
            return
        if loop.time() > deadline:
            raise AssertionError("the app did not reach the expected state in time")
        await pilot.pause(0.05)


def main_screen(app: TrackerApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen), type(screen)
    return screen


async def ready(pilot: Pilot) -> MainScreen:
    """Wait until the history is listed and the first diff is shown."""

    def loaded() -> bool:
        screen = pilot.app.screen
        if not isinstance(screen, MainScreen):
            return False
        history = screen.query_one(HistoryList)
        return history.option_count > 0 and screen.query_one(DiffView).comparison is not None

    await settle(pilot, loaded)
    return main_screen(pilot.app)  # type: ignore[arg-type]


def run_app(
    root, scenario: Callable[[Pilot, MainScreen], Awaitable[None]], size=SIZE, app=None
) -> TrackerApp:
    """Open the app on a store, wait until it is ready, and run ``scenario``."""
    app = app or TrackerApp(Store.open(root))

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            screen = await ready(pilot)
            await scenario(pilot, screen)

    asyncio.run(main())
    return app


def editing_app(root, tmp_path, monkeypatch) -> TrackerApp:
    """The app on ``root`` with an $EDITOR that appends " Edited." to the document.

    The headless test driver cannot hand the terminal over (``suspend``); the real one is
    used in the tmux tests."""
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text(encoding='utf-8') + ' Edited.', encoding='utf-8')\n"
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    app = TrackerApp(Store.open(root))
    monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
    return app
