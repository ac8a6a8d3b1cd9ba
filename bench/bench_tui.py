"""Review app speed: start-up to first frame (beside a minimal Textual app), and how fast
moving to the next revision or change repaints on a 1 MB document with 1,000 revisions."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from make_store import build  # noqa: E402

OUT = HERE / "out"
RUNS = 11


_runs = iter(range(1_000_000))


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True).stdout


def time_to_text(command: str, text: str) -> float:
    """Milliseconds from starting ``command`` in a terminal until ``text`` is on screen."""
    socket = f"bench-{next(_runs)}"  # a fresh tmux server each run: no race with the last
    start = time.perf_counter()
    tmux(socket, "new-session", "-d", "-s", "b", "-x", "160", "-y", "45", command)
    while text not in tmux(socket, "capture-pane", "-p", "-t", "b"):
        if time.perf_counter() - start > 30:
            raise RuntimeError(f"{text!r} never appeared")
        time.sleep(0.002)
    elapsed = (time.perf_counter() - start) * 1000
    tmux(socket, "kill-server")
    return elapsed


def startup() -> None:
    demo = OUT / "demo"
    subprocess.run([sys.executable, "-m", "tracker", "demo", "--path", str(demo), "--no-tui"],
                   check=True, capture_output=True)  # fmt: skip
    py = sys.executable
    minimal, frame, listed = [], [], []
    for _ in range(RUNS):  # interleaved, so that drift in the machine's load hits all three
        minimal.append(time_to_text(f"{py} {HERE / 'minimal_app.py'}", "minimal app"))
        frame.append(time_to_text(f"{py} -m tracker -C {demo}", "Quit"))
        listed.append(time_to_text(f"{py} -m tracker -C {demo}", "Add a dated corrections"))
    m, f, h = (statistics.median(x) for x in (minimal, frame, listed))
    print(f"start-up, medians of {RUNS} (tmux polled every 2 ms):")
    print(f"  minimal Textual app (Static)      {m:7.1f} ms")
    print(f"  tracker: first frame (footer)     {f:7.1f} ms   ratio {f / m:4.2f}")
    print(f"  tracker: history and diff shown   {h:7.1f} ms   ratio {h / m:4.2f}")


class RepaintClock:
    """Times a key's action until the screen has been redrawn with its result.

    Pilot's own round trip (press, then wait for idle) costs about 60 ms even for an
    unbound key, so the clock is read inside the app: it starts when the action runs and
    stops after the first compositor refresh that follows the diff view's update.
    """

    def __init__(self) -> None:
        self.started: float | None = None
        self.updated = False
        self.samples: list[float] = []

    def install(self) -> None:
        from textual.screen import Screen

        from tracker.tui.screens.main import MainScreen
        from tracker.tui.widgets.diff_view import DiffView

        clock = self
        for name in ("action_next_revision", "action_next_change"):
            original = getattr(MainScreen, name)

            def timed(screen, _original=original):
                clock.started, clock.updated = time.perf_counter(), False
                _original(screen)

            setattr(MainScreen, name, timed)
        for name in ("show", "focus_change"):
            original = getattr(DiffView, name)

            def marked(view, *args, _original=original, **kwargs):
                result = _original(view, *args, **kwargs)
                clock.updated = True
                return result

            setattr(DiffView, name, marked)
        refresh = Screen._compositor_refresh

        def refreshed(screen):
            refresh(screen)
            if clock.started is not None and clock.updated:
                clock.samples.append((time.perf_counter() - clock.started) * 1000)
                clock.started = None

        Screen._compositor_refresh = refreshed

    def take(self) -> list[float]:
        samples, self.samples = self.samples, []
        return samples


async def repaint_times(store: Path, clock: RepaintClock) -> tuple[list[float], list[float]]:
    from textual.worker import WorkerCancelled, WorkerFailed
    from tui_helpers import ready

    from tracker.store import Store
    from tracker.tui.app import TrackerApp
    from tracker.tui.widgets.diff_view import DiffView

    app = TrackerApp(Store.open(store))
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await ready(pilot)
        view = screen.query_one(DiffView)

        async def until(condition) -> None:
            while True:
                with contextlib.suppress(WorkerCancelled, WorkerFailed):
                    await app.workers.wait_for_complete()
                await pilot.pause()
                if condition():
                    return

        clock.take()
        for step in range(1, 41):
            await pilot.press("j")
            await until(lambda s=step: view.comparison.new_rev == screen.shown[s].rev)
        revisions = clock.take()
        # Changes: compare revision 40 (A) with the newest (B), some 80 changes apart.
        await pilot.press("A")
        for _ in range(40):
            await pilot.press("k")
        await until(lambda: view.comparison.new_rev == screen.shown[0].rev)
        await pilot.press("B")
        await until(lambda: view.comparison.key == (screen.shown[40].rev, screen.shown[0].rev))
        clock.take()
        for _ in range(min(40, len(view.changes) - 1)):
            before = view.current
            await pilot.press("n")
            await until(lambda b=before: view.current != b)
        changes = clock.take()
    return revisions, changes


def describe(name: str, values: list[float]) -> None:
    values = sorted(values)
    p90 = values[int(len(values) * 0.9) - 1]
    print(
        f"  {name:<22} n={len(values):3d}  median {statistics.median(values):6.1f} ms"
        f"  p90 {p90:6.1f}  min {values[0]:6.1f}  max {values[-1]:6.1f}"
    )


def repaint() -> None:
    store = build(OUT / "tui-1mb-1000", 1000, 1_000_000, seed=11)
    clock = RepaintClock()
    clock.install()
    revisions, changes = asyncio.run(repaint_times(store, clock))
    print("1 MB document, 1,000 revisions; action to repainted screen, timed inside the app:")
    describe("next revision (j)", revisions)
    describe("next change (n)", changes)


if __name__ == "__main__":
    if "--repaint" not in sys.argv:
        startup()
    if "--startup" not in sys.argv:
        repaint()
