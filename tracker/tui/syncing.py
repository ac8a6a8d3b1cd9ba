"""Provides the app's sync key: ``porcelain.sync`` in a worker thread, its progress and
its outcome posted back to the screen as messages.

The sync fetches and pushes over the network: seconds, or a minute on a slow link. It
runs in a thread so that the keys stay live; each step the core reports arrives as a
``SyncProgress`` message (messages are the one thread-safe way into the screen), the
end as one ``SyncDone``. The screen shows the steps on a line above the history, then
the result in one line, and reads the history again. A refusal is one line too; two
editors' overlapping changes open the three-way screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message
from textual.widgets import Static

from tracker import porcelain, present
from tracker.errors import ConcurrentEditError, TrackerError
from tracker.model import SyncResult, SyncStep, ThreeWay
from tracker.text.escape import one_line
from tracker.tui.notices import notify

if TYPE_CHECKING:
    from textual.screen import Screen

    from tracker.porcelain import Store

NO_REMOTE = (
    "No remote to sync with: add one with tracker remote add NAME URL (a bare repository "
    "the desk shares), then press S again"
)
PROGRESS_ID = "sync-progress"


class SyncProgress(Message):
    """A step of the sync running in the background."""

    def __init__(self, step: SyncStep) -> None:
        super().__init__()
        self.step = step


class SyncDone(Message):
    """The sync ended: its result, or the one line saying why it did not happen (and,
    for overlapping changes, the three versions)."""

    def __init__(
        self,
        result: SyncResult | None = None,
        refusal: str = "",
        conflict: ThreeWay | None = None,
        message: str = "",
        hint: str = "",
    ) -> None:
        super().__init__()
        self.result = result
        self.refusal = refusal
        self.conflict = conflict
        self.message = message
        self.hint = hint


def run_sync(screen: Screen, store: Store, settle: bool = False) -> None:
    """Sync ``store`` with its remote (in a worker thread), posting to ``screen``;
    ``settle``: set overlapping revisions aside (``tracker sync --settle``)."""

    def progress(step: SyncStep) -> None:
        screen.post_message(SyncProgress(step))

    try:
        if not porcelain.remotes(store):
            screen.post_message(SyncDone(refusal=NO_REMOTE))
            return
        result = porcelain.sync(store, progress=progress, settle=settle)
    except ConcurrentEditError as error:
        conflict = error.three_way if isinstance(error.three_way, ThreeWay) else None
        screen.post_message(
            SyncDone(refusal=error.one_line(), conflict=conflict, message=error.message,
                     hint=error.hint)
        )  # fmt: skip
        return
    except TrackerError as error:
        screen.post_message(SyncDone(refusal=error.one_line()))
        return
    except Exception as error:  # noqa: BLE001 - a bug in the core: one line, not a dead worker
        screen.post_message(SyncDone(refusal=f"Sync failed: {type(error).__name__}: {error}"))
        return
    screen.post_message(SyncDone(result))


class SyncKey:
    """The sync key's part of the main screen (mixed into MainScreen): start the worker,
    show its steps, then its outcome."""

    def action_sync(self: Screen, settle: bool = False) -> None:  # type: ignore[misc]
        if any(w.group == "sync" and w.is_running for w in self.workers):
            notify(self, "A sync is already running; its steps show above the history")
            return
        show_progress(self, "Settling…" if settle else "Syncing…")
        store = self.session.store  # type: ignore[attr-defined]
        self.run_worker(
            lambda: run_sync(self, store, settle),
            name="sync",
            group="sync",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def on_sync_progress(self: Screen, message: SyncProgress) -> None:  # type: ignore[misc]
        show_progress(self, f"Syncing: {one_line(message.step.detail or message.step.step)}")

    def on_sync_done(self: Screen, message: SyncDone) -> None:  # type: ignore[misc]
        for line in self.query(f"#{PROGRESS_ID}"):
            line.remove()
        if message.result is None:
            notify(self, message.refusal, severity="error")
            if message.conflict is not None:
                from tracker.tui.screens.threeway import ThreeWayScreen

                def settle_here(settle: bool | None) -> None:
                    if settle:
                        self.action_sync(settle=True)  # type: ignore[attr-defined]

                self.app.push_screen(
                    ThreeWayScreen(message.conflict, message.message, message.hint),
                    settle_here,
                )
            return
        result = message.result
        notify(self, present.plain(present.sync_summary(result)))
        # The selected revision may have been replayed: keep it under its new id.
        selected = self._selected_rev  # type: ignore[attr-defined]
        keep = dict(result.replayed).get(selected, selected) if selected else None
        self.reload_history(keep=keep)  # type: ignore[attr-defined]


def show_progress(screen: Screen, text: str) -> None:
    """The sync's line above the history, mounted while a sync runs."""
    line = next(screen.query(f"#{PROGRESS_ID}").results(Static), None)
    if line is None:
        line = Static(text, id=PROGRESS_ID, markup=False)
        screen.query_one("#history-pane").mount(line, before=screen.query_one("#history"))
    else:
        line.update(text)
