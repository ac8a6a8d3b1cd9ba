"""The app's sync key and its three-way screen (issue 10), driven with Pilot.

The sync itself is the core's (tests/test_sync*.py); here the app's side: the key runs it
in a worker with its steps on screen, then says what it did in one line and reads the
history again; a refusal is one line; overlapping changes open the three versions side by
side with both editors' notes. The core is stood in for where a test needs a sync to stop
half-way (so that the screen can be looked at meanwhile) or to refuse in a given way.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Footer, Static
from tui_helpers import run_app, settle

from tracker import porcelain
from tracker.diff import diff_texts
from tracker.errors import ConcurrentEditError, SyncRefusedError
from tracker.model import Note, NoteInput, SyncResult, SyncStep, ThreeWay
from tracker.recording import init_store, record
from tracker.rows import BOTH, OURS, THEIRS, three_way
from tracker.store import Store
from tracker.text.cells import text_width
from tracker.tui.screens.help import HelpScreen
from tracker.tui.screens.main import MainScreen
from tracker.tui.screens.threeway import ThreeWayScreen
from tracker.tui.widgets.history_list import HistoryList

from conftest import ANN, BOB, DATE, git

LATER = "2025-06-05T11:00:00+01:00"  # an hour after conftest's DATE
BASE = (
    "Storm Closes Roads\n\n"
    "The mayor said 5 percent of roads were closed on Monday.\n\n"
    "Schools stay open, the council said.\n\n"
    "Crews worked through the night to clear the main routes.\n"
)


@pytest.fixture
def article(tmp_path):
    """A store with one article recorded twice."""
    store = init_store(tmp_path / "store", ANN, DATE)
    (store.root / "article.txt").write_text(BASE, encoding="utf-8")
    record(store, "article.txt", "First draft", identity=ANN, date=DATE)
    return store


async def until(pilot, condition, timeout: float = 10.0) -> None:
    """Wait for ``condition`` without waiting for the workers (settle does): the sync's
    worker is held open on purpose while the test looks at the screen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "the app did not reach the expected state in time"
        await pilot.pause(0.02)


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]  # Textual has no public reader


def progress_line(screen) -> str:
    found = list(screen.query("#sync-progress").results(Static))
    return str(found[0].render()) if found else ""


def test_the_sync_key_shows_each_step_then_what_it_did_and_the_new_history(article, monkeypatch):
    """S runs the sync in a worker: its steps show while it runs (the keys still answer),
    then one line says what it did, and the revision it took is in the history."""
    release = threading.Event()

    def fake_sync(store, remote=None, *, author=None, progress=None, settle=False):
        progress(SyncStep("fetch", "fetching origin…"))
        assert release.wait(10), "the test never let the sync finish"
        # What a sync that takes a revision leaves behind: a new tip of the branch.
        (store.root / "article.txt").write_text(BASE.replace("5 percent", "7 percent"))
        record(store, "article.txt", "Correct the share", identity=BOB, date=LATER)
        progress(SyncStep("done", "pushed"))
        return SyncResult(
            "origin", "main", taken=2, sent=1, replayed=(("a" * 40, "b" * 40),),
            merged_refs=("refs/notes/tracker",), pushed=True,
        )  # fmt: skip

    monkeypatch.setattr(porcelain, "remotes", lambda store: [("origin", "file:///desk.git")])
    monkeypatch.setattr(porcelain, "sync", fake_sync)

    async def scenario(pilot, screen):
        keys = [(b.key, b.description) for (_, b, _, _) in screen.active_bindings.values()]
        assert ("S", "Sync") in keys and screen.query_one(Footer).display  # in the footer
        await pilot.press("S")
        await until(pilot, lambda: "fetching origin" in progress_line(screen))
        await pilot.press("question_mark")  # the app answers keys while the sync runs
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))
        help_text = str(pilot.app.screen.query_one(Static).render())
        assert "S  Sync with the shared remote" in help_text
        await pilot.press("escape")
        await until(pilot, lambda: pilot.app.screen is screen)
        release.set()
        await settle(pilot, lambda: screen.shown[0].summary == "Correct the share")
        assert not progress_line(screen)
        assert "main synced with origin: took 2 revisions; replayed 1; sent 1; joined notes" in (
            notices(pilot.app)
        )
        assert screen.query_one(HistoryList).option_count == 2

    run_app(article.root, scenario)


def test_each_refusal_is_one_line_in_the_app(article, monkeypatch):
    """No remote: how to add one (and no sync runs). A refusal: its one line, shown as
    typed (never markup, no escape codes). Overlapping changes without the three
    versions: one line too. Nothing opens, and the progress line goes."""
    known: list[tuple[str, str]] = []
    refusal: list[Exception] = []

    def refuse(store, remote=None, *, author=None, progress=None, settle=False):
        raise refusal[0]

    monkeypatch.setattr(porcelain, "remotes", lambda store: list(known))
    monkeypatch.setattr(porcelain, "sync", refuse)

    async def press_sync(pilot, words: str) -> str:
        pilot.app.clear_notifications()
        await pilot.press("S")
        await settle(pilot, lambda: any(words in m for m in notices(pilot.app)))
        (message,) = notices(pilot.app)
        assert "\n" not in message and "\x1b" not in message
        assert isinstance(pilot.app.screen, MainScreen)
        assert not progress_line(pilot.app.screen)
        return message

    async def scenario(pilot, screen):
        assert "tracker remote add NAME URL" in await press_sync(pilot, "remote add")
        known.append(("origin", "file:///desk.git"))
        refusal.append(
            SyncRefusedError(
                "the remote's refs/notes/tracker was rewound\x1b[31m [bold]x[/bold]",
                "ask whoever rewrote it; nothing was merged",
            )
        )
        message = await press_sync(pilot, "rewound")
        assert "[bold]x[/bold]" in message and "nothing was merged" in message
        refusal[0] = ConcurrentEditError("both editors changed ¶2", "record, then sync")
        assert "record, then sync" in await press_sync(pilot, "both editors")

    run_app(article.root, scenario)


# -- the three-way screen ------------------------------------------------------------------


def conflict() -> ThreeWay:
    """Ann changed "5 percent" to "7 percent"; Bob, without seeing it, "5 percent of
    roads" to "most roads"; Bob also reworded the last paragraph (no overlap)."""
    ours_text = BASE.replace("5 percent", "7 percent")
    theirs_text = BASE.replace("5 percent of roads", "most roads").replace(
        "the main routes", "[bold]every[/bold] route"
    )
    ours = tuple(
        c.with_note(Note("Council: 7 [percent].", "factual", "", ANN.name, DATE))
        for c in diff_texts(BASE, ours_text)
    )
    theirs = diff_texts(BASE, theirs_text)
    assert len(theirs) == 2
    theirs = (
        theirs[0].with_note(Note("Most: roads office.", "sourcing", "", BOB.name, LATER)),
        theirs[1].with_note(Note("Names the routes.", "clarity", "", BOB.name, LATER)),
    )
    return ThreeWay(
        "article.txt", "1" * 40, "2" * 40, "3" * 40, BASE, ours_text, theirs_text,
        ours, theirs, ((1, 1),),
    )  # fmt: skip


def test_three_way_rows_line_up_and_mark_what_both_changed():
    """The base column marks each side's words; what both changed is BOTH; every stretch
    starts on the same row in all three columns, and each side's text is whole."""
    c = conflict()
    stretches = three_way(c.base_text, c.ours_text, c.theirs_text, c.ours_changes,
                          c.theirs_changes, 24, fold=False)  # fmt: skip
    marked: dict[str, list[str]] = {}
    for cell in (cell for s in stretches for row in s.base for cell in row):
        marked.setdefault(cell.kind, []).append(cell.text)
    assert marked[BOTH] == ["5"]
    assert " ".join(marked[THEIRS]).split() == ["percent", "of", "the", "main", "routes"]
    assert OURS not in marked  # Ann's one change is all inside Bob's
    for column, text in (("base", c.base_text), ("left", c.ours_text), ("right", c.theirs_text)):
        rows = [row for s in stretches for row in getattr(s, column)]
        shown = "".join(cell.text for row in rows for cell in row)
        # Whole, in order (wrapping drops the spaces where a line wraps).
        assert "".join(shown.split()) == "".join(text.split()), column
    changed = [s for s in stretches if not s.same]
    assert [(s.ours, s.theirs) for s in changed] == [((1,), (1,)), ((), (2,))]


MARKS = str.maketrans("", "", "↵·")
WORDS = ["roads", "closed", "mayor", "five", "percent", "council", "said", "night"]


@st.composite
def two_sides(draw):
    """A base of a few paragraphs, and two versions, each changing some of its words,
    adding or dropping paragraphs (the same paragraph sometimes on both sides)."""
    paragraphs = draw(st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
                               min_size=1, max_size=6))  # fmt: skip
    base = "\n\n".join(" ".join(p) for p in paragraphs) + "\n"

    def side():
        out = []
        for words in paragraphs:
            roll = draw(st.integers(0, 5))
            if roll == 0:
                continue  # dropped
            if roll == 1:
                words = [draw(st.sampled_from(WORDS)) if i % 2 else w for i, w in enumerate(words)]
            out.append(" ".join(words))
            if roll == 2:
                out.append(" ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=5))))
        return "\n\n".join(out) + "\n"

    return base, side(), side()


@settings(max_examples=40, deadline=None)
@given(two_sides(), st.integers(16, 40))  # a move's mark ("⇠ moved from ¶12") is one row
def test_three_way_columns_hold_each_whole_text_in_order(texts, width):
    """Unfolded, each column is its text, whole and in order; a stretch both sides left
    unchanged is the same in all three; every change of each side is shown once."""
    base, ours, theirs = texts
    mine, other = diff_texts(base, ours), diff_texts(base, theirs)
    stretches = three_way(base, ours, theirs, mine, other, width, fold=False)
    for column, text in (("base", base), ("left", ours), ("right", theirs)):
        shown = "".join(cell.text for s in stretches for row in getattr(s, column) for cell in row)
        # A changed line break or blank shows as a mark (↵, ·), a move is marked where it
        # left and where it went: the words are what count.
        shown = re.sub(r"[⇠⇢] moved (from|to) ¶\d+", "", shown)  # a move's marks, both ends
        assert "".join(shown.translate(MARKS).split()) == "".join(text.split()), column
    for stretch in stretches:
        if stretch.same:
            assert stretch.base == stretch.left == stretch.right
        for row in (*stretch.base, *stretch.left, *stretch.right):
            assert sum(text_width(cell.text) for cell in row) <= width
    # Each change once (in reading order, but for a move: its mark where it left comes first).
    assert sorted(i for s in stretches for i in s.ours) == [c.index for c in mine]
    assert sorted(i for s in stretches for i in s.theirs) == [c.index for c in other]
    folded = three_way(base, ours, theirs, mine, other, width)
    assert [s for s in folded if not s.same] == [s for s in stretches if not s.same]


def open_conflict(article, monkeypatch, three_way_value):
    def refuse(store, remote=None, *, author=None, progress=None, settle=False):
        raise ConcurrentEditError(
            "article.txt ¶2: both editors changed the same words; nothing was written",
            "edit it to the version you want, record it, then sync",
            three_way=three_way_value,
        )

    monkeypatch.setattr(porcelain, "remotes", lambda store: [("origin", "file:///desk.git")])
    monkeypatch.setattr(porcelain, "sync", refuse)


def screen_text(app) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


@pytest.mark.skipif(
    importlib.util.find_spec("tracker.sync.run") is None,
    reason="needs the sync core (tracker/sync/run.py)",
)
def _overlapping_editors(tmp_path) -> tuple[Store, Store]:
    """Two clones of one bare remote; Ann's correction is on the remote; Bob changed the
    same words."""
    remote = tmp_path / "desk.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    ann = init_store(tmp_path / "ann", ANN, DATE)
    (ann.root / "article.txt").write_text(BASE, encoding="utf-8")
    record(ann, "article.txt", "First draft", identity=ANN, date=DATE)
    porcelain.remote_add(ann, "origin", f"file://{remote}")
    porcelain.sync(ann)
    git(tmp_path, "clone", "-q", f"file://{remote}", "bob")
    bob = Store.open(tmp_path / "bob")
    porcelain.sync(bob)  # a new editor's first step: the branch, notes and journal
    for store, who, new, note in (
        (ann, ANN, "7 percent", "Council: 7 [percent]."),
        (bob, BOB, "six percent", "Six: roads [b]office[/b]."),
    ):
        (store.root / "article.txt").write_text(BASE.replace("5 percent", new), "utf-8")
        record(store, "article.txt", f"Say {new}", notes={1: NoteInput(note, "factual")},
               identity=who, date=LATER)  # fmt: skip
    porcelain.sync(ann)
    return ann, bob


def test_the_real_sync_refuses_overlapping_corrections_and_shows_the_three(tmp_path):
    """S in Bob's app: the three versions, both notes, nothing written."""
    _ann, bob = _overlapping_editors(tmp_path)
    before = git(bob.root, "for-each-ref", "--format=%(refname) %(objectname)")

    async def scenario(pilot, screen):
        await pilot.press("S")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ThreeWayScreen))
        text = screen_text(pilot.app)
        three = pilot.app.screen.conflict
        assert "both changed article.txt" in text  # the core's one line, as the title
        assert f"Base (common) {three.base_rev[:8]}" in text
        assert f"Yours {three.ours_rev[:8]}" in text and three.ours_rev == bob.head()
        assert f"Theirs (the remote's) {three.theirs_rev[:8]}" in text
        # Each side's note beside its change, who wrote it and when, markup as typed.
        assert "Council: 7 [percent]." in text and "Six: roads [b]office[/b]." in text
        assert f"by {ANN.name} <{ANN.email}>" in text and f"by {BOB.name} <{BOB.email}>" in text
        assert text.count(LATER) == 2  # when each wrote it
        # The changed paragraph starts on one row in all three columns, marked as overlap.
        row = next(r for r in text.splitlines() if "│" in r and "The mayor said" in r)
        assert row.count("The mayor said") == 3 and row.lstrip().startswith("!")
        assert "Nothing was written." in text and "press s" in text
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))
        assert any("both changed article.txt" in m for m in notices(pilot.app))

    run_app(bob.root, scenario)
    after = git(bob.root, "for-each-ref", "--format=%(refname) %(objectname)")
    local = [line for line in after.splitlines() if not line.startswith("refs/tracker/")]
    assert local == [line for line in before.splitlines() if not line.startswith("refs/tracker/")]


def test_s_on_the_three_way_screen_settles_the_overlap_here(tmp_path):
    """s on the three versions: Ann's revision is taken, Bob's is set aside (kept), his
    file holds his wording on hers as an unrecorded edit, and the app says what to do."""
    ann, bob = _overlapping_editors(tmp_path)
    mine = bob.head()

    async def scenario(pilot, screen):
        await pilot.press("S")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ThreeWayScreen))
        await pilot.press("s")
        await settle(pilot, lambda: any("set aside 1" in m for m in notices(pilot.app)))
        assert isinstance(pilot.app.screen, MainScreen)
        told = next(m for m in notices(pilot.app) if "set aside 1" in m)
        assert "article.txt holds your wording on theirs" in told

    run_app(bob.root, scenario)
    assert Store.open(bob.root).head() == ann.head()
    assert git(bob.root, "rev-parse", f"refs/tracker/originals/{mine}").strip() == mine
    assert "six percent" in (bob.root / "article.txt").read_text(encoding="utf-8")
    assert git(bob.root, "status", "--porcelain").split() == ["M", "article.txt"]
