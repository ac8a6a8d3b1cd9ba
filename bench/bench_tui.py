"""Review app speed (issue 8): start-up to first frame beside a minimal Textual app, on the
demo and on 660 revisions of a 130 KB Markdown guide (plain git); how fast keys answer from
the first frame on, while the words of that foreign history are counted and while an export
runs; A/B compare of its first and last revisions; and how fast moving to the next revision
or change repaints on a 1 MB document with 1,000 revisions.

    python bench/bench_tui.py [--startup | --keys | --compare [--store-only] | --export | --repaint]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from histories import markdown_history  # noqa: E402
from make_store import build  # noqa: E402

OUT = HERE / "out"
RUNS = 11


_runs = iter(range(1_000_000))


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True).stdout


def with_bytecode() -> dict[str, str]:
    """The environment for start-up runs, with Python's compiled modules in use.

    An installed tracker has them (pip compiles at install); without them every start
    compiles some 40 modules of the tracker (textual's are compiled in site-packages),
    which weighed on the tracker alone."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_to_text(command: str, text: str) -> float:
    """Milliseconds from starting ``command`` in a terminal until ``text`` is on screen."""
    socket = f"bench-{next(_runs)}"  # a fresh tmux server each run: no race with the last
    start = time.perf_counter()
    # A fresh server takes its environment from here: with compiled modules in use.
    subprocess.run(
        ["tmux", "-L", socket, "new-session", "-d", "-s", "b", "-x", "160", "-y", "45", command],
        capture_output=True,
        env=with_bytecode(),
    )
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
    guide, _doc = markdown_history()
    py = sys.executable
    apps = {
        "minimal Textual app (Static)": (f"{py} {HERE / 'minimal_app.py'}", "minimal app"),
        "demo: first frame (footer)": (f"{py} -m tracker -C {demo}", "Quit"),
        "demo: history and diff shown": (f"{py} -m tracker -C {demo}", "Add a dated corrections"),
        "660 revs: first frame (footer)": (f"{py} -m tracker -C {guide}", "Quit"),
        "660 revs: history shown": (f"{py} -m tracker -C {guide}", "Edit 658"),
    }
    for command, text in apps.values():  # once each, so compiled modules are in place
        time_to_text(command, text)
    times: dict[str, list[float]] = {name: [] for name in apps}
    for _ in range(RUNS):  # interleaved, so that drift in the machine's load hits all alike
        for name, (command, text) in apps.items():
            times[name].append(time_to_text(command, text))
    medians = {name: statistics.median(values) for name, values in times.items()}
    minimal = medians["minimal Textual app (Static)"]
    print(f"start-up, medians of {RUNS} (tmux polled every 2 ms), {os.getloadavg()[0]:.1f} load:")
    for name, value in medians.items():
        print(f"  {name:<32} {value:7.1f} ms   ratio {value / minimal:4.2f}")


# -- keys from the first frame on ----------------------------------------------------------


async def key_latencies(app, seconds: float, every: float = 0.1, until=None) -> list[float]:
    """Milliseconds from a key (j, k in turn) reaching the app to the first repaint that
    shows the cursor moved, for ``seconds`` from the first frame (or until ``until()``)."""
    from textual import events
    from textual.screen import Screen

    from tracker.tui.screens.main import MainScreen
    from tracker.tui.widgets.history_list import HistoryList

    # Already running: its first frame is long painted. Else wait for that frame.
    painted: list[float] = [0.0] if isinstance(app.screen, MainScreen) else []
    original = Screen._compositor_refresh

    def refreshed(screen):
        original(screen)
        painted.append(time.perf_counter())

    Screen._compositor_refresh = refreshed
    try:
        while not (isinstance(app.screen, MainScreen) and painted):
            await asyncio.sleep(0.001)
        history = app.screen.query_one(HistoryList)
        samples: list[float] = []
        start, key = time.perf_counter(), "j"
        while time.perf_counter() - start < seconds and not (until and until()):
            before, sent = history.highlighted, time.perf_counter()
            app._driver.send_message(events.Key(key, key))
            moved = None
            while True:
                await asyncio.sleep(0.0005)
                if moved is None and history.highlighted != before:
                    moved = True
                if moved and painted[-1] > sent and history.highlighted != before:
                    break
                if time.perf_counter() - sent > 10:
                    raise RuntimeError("a key got no answer in 10 s")
            samples.append((painted[-1] - sent) * 1000)
            key = "k" if key == "j" else "j"
            await asyncio.sleep(every)
        return samples
    finally:
        Screen._compositor_refresh = original


def keys() -> None:
    from tracker.store import Store
    from tracker.tui.app import TrackerApp

    guide, _doc = markdown_history()

    async def run() -> tuple[list[float], list[float], bool]:
        from tui_helpers import settle

        app = TrackerApp(Store.open(guide))
        async with app.run_test(size=(160, 45)) as pilot:
            samples = await key_latencies(app, 5.0)
            counting = any(w.name == "fill_churn" and w.is_running for w in app.workers)
            await settle(pilot, lambda: not app.screen.session.missing_churn(), timeout=120)
            idle = await key_latencies(app, 3.0)  # the same keys with nothing else to do
        return samples, idle, counting

    first, idle, counting = asyncio.run(run())
    print(f"keys, 660 revisions (foreign), {os.getloadavg()[0]:.1f} load; key sent to the")
    print("  repaint showing the cursor moved (the diff follows from a worker):")
    describe("first 5 s (counting)", first)
    describe("later, app idle", idle)
    print(f"  still counting words after 5 s: {counting}")


def export() -> None:
    import tempfile

    from tracker.store import Store
    from tracker.tui.app import TrackerApp
    from tracker.tui.widgets.history_list import HistoryList

    guide, _doc = markdown_history()

    async def run() -> tuple[list[float], float]:
        app = TrackerApp(Store.open(guide))
        async with app.run_test(size=(160, 45)) as pilot:
            from tui_helpers import ready

            screen = await ready(pilot)  # the words counted: the export alone runs now
            await pilot.press("j")
            assert screen.query_one(HistoryList).highlighted == 1
            started = time.perf_counter()
            await pilot.press("x")

            def exporting() -> bool:
                return any(w.group == "export" and w.is_running for w in app.workers)

            samples = await key_latencies(app, 60.0, until=lambda: not exporting())
            while exporting():
                await asyncio.sleep(0.01)
            took = (time.perf_counter() - started) * 1000
        return samples, took

    with tempfile.TemporaryDirectory() as folder:
        cwd = os.getcwd()
        os.chdir(folder)
        try:
            samples, took = asyncio.run(run())
        finally:
            os.chdir(cwd)
    print(f"export (x) of 660 revisions from the app: {took:.0f} ms, keys meanwhile:")
    describe("j / k", samples)


def compare() -> None:
    """A/B compare of the first and the last revision, in the app, from the B key to the
    comparison on screen; and in the session, the diff apart from the notes gathered."""
    from tui_helpers import ready

    from tracker.session import ReviewSession
    from tracker.store import Store
    from tracker.tui.app import TrackerApp
    from tracker.tui.widgets.diff_view import DiffView

    guide, doc = markdown_history()
    tracked = build(OUT / "tui-130kb-660", 660, 130_000, seed=8)
    cases = [("660 revs, plain git", guide), ("660 revs, tracker store", tracked)]
    if "--store-only" in sys.argv:  # the plain-git case is the diff engine's, and slow
        cases = cases[1:]
    for name, root in cases:

        async def run(root=root) -> tuple[float, float]:
            app = TrackerApp(Store.open(root))
            async with app.run_test(size=(160, 45)) as pilot:
                screen = await ready(pilot)
                view = screen.query_one(DiffView)
                await pilot.press("end", "A", "home")
                old, new = screen.shown[-1].rev, screen.shown[0].rev
                # The first repaint with the comparison's rows on screen (issue 9): the
                # loop below only looks once the app has done everything queued after it.
                from textual.screen import Screen

                painted: list[float] = []
                refresh = Screen._compositor_refresh

                def refreshed(this, refresh=refresh, painted=painted, view=view, key=(old, new)):
                    refresh(this)
                    if not painted and view.comparison and view.comparison.key == key:
                        painted.append(time.perf_counter())

                Screen._compositor_refresh = refreshed
                started = time.perf_counter()
                try:
                    await pilot.press("B")
                    while not painted:
                        await asyncio.sleep(0.001)
                finally:
                    Screen._compositor_refresh = refresh
                took = (painted[0] - started) * 1000
                # Issue 9: a long text's first rows show first, the rest come from a thread.
                while getattr(view, "partial", False):
                    await asyncio.sleep(0.001)
                whole = (time.perf_counter() - started) * 1000
                assert view.comparison.notes_between is not None
            return took, whole

        from tracker import diff
        from tracker.tui.widgets import diff_view

        # Interleaved, so that the machine's load hits both alike: every row built before
        # the first is shown (as in issue 8), and the first stretch first (issue 9).
        progressive_from = diff_view.PROGRESSIVE_FROM
        in_app, whole, at_once = [], [], []
        for _ in range(5):
            for mode in ("at once", "progressive"):
                diff_view.PROGRESSIVE_FROM = 10**12 if mode == "at once" else progressive_from
                diff._changes_cached.cache_clear()  # each run diffs afresh, as a new app does
                shown, done = asyncio.run(run())
                if mode == "at once":
                    at_once.append(shown)
                else:
                    in_app.append(shown)
                    whole.append(done)
        diff_view.PROGRESSIVE_FROM = progressive_from

        store = Store.open(root)
        session = ReviewSession(store, store.document(None))
        session.load_history()
        first, last = session.revisions[-1].rev, session.revisions[0].rev
        old_text, new_text = session.text(first), session.text(last)
        diffs, totals = [], []
        for _ in range(3):
            diff._changes_cached.cache_clear()
            started = time.perf_counter()
            diff.diff_texts(old_text, new_text)
            diffs.append((time.perf_counter() - started) * 1000)
            diff._changes_cached.cache_clear()
            fresh = ReviewSession(store, session.document)
            fresh.revisions = session.revisions
            started = time.perf_counter()
            notes = len(fresh.compare(first, last).notes_between)
            totals.append((time.perf_counter() - started) * 1000)
        print(f"A/B compare, first vs last, {name} ({len(old_text) // 1000} KB, {notes} notes):")
        print(f"  load {os.getloadavg()[0]:.1f}; in the app, B key to the first repaint with it:")
        print(
            f"    every row built first (issue 8)      median {statistics.median(at_once):7.1f} ms"
        )
        print(
            f"    first stretch first (issue 9)        median {statistics.median(in_app):7.1f} ms"
        )
        print(f"    ... and every row built (thread)     median {statistics.median(whole):7.1f} ms")
        print(
            f"  session.compare                        median {statistics.median(totals):7.1f} ms"
        )
        print(f"  of which the diff of A and B alone     median {statistics.median(diffs):7.1f} ms")


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


PARTS = {
    "--startup": startup,
    "--keys": keys,
    "--compare": compare,
    "--export": export,
    "--repaint": repaint,
}

if __name__ == "__main__":
    chosen = [part for flag, part in PARTS.items() if flag in sys.argv] or list(PARTS.values())
    for part in chosen:
        part()
