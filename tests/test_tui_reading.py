"""Reading in the app as a reviewer would (issue 9): where am I in the diff, the search,
the ends of the history, a moved paragraph's two ends, the whole review, where each
note's change is, and a Record screen that groups identical edits.

Each test runs one app through several steps: an app costs seconds to start, and the
steps of one reading session belong together anyway."""

from __future__ import annotations

import shutil
from dataclasses import replace

import pytest
from textual.widgets import Input
from tui_helpers import run_app, settle

from tracker import porcelain, rows
from tracker.demo import build_demo
from tracker.model import Change, Churn, Comparison, Span
from tracker.store import Store
from tracker.tui.screens.main import MainScreen
from tracker.tui.screens.record import ChangeForm, RecordScreen, group_changes
from tracker.tui.widgets.diff_view import DiffView
from tracker.tui.widgets.history_list import HistoryList, churn_bar
from tracker.tui.widgets.notes_panel import RELATED_SHOWN, NotesPanel

from conftest import git


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("reading") / "demo").root


@pytest.fixture
def demo_copy(demo, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(demo, target)
    return target


def footer_keys(screen: MainScreen) -> dict[str, str]:
    """What the footer offers: key -> description (as Textual's Footer reads it)."""
    return {key: active.binding.description for key, active in screen.active_bindings.items()}


def title(view: DiffView) -> str:
    return str(view.border_title)


def moved_paragraph_comparison() -> tuple[Comparison, str, str]:
    """A long text whose second paragraph moved to near the end, edited on the way: one
    move change, and the edit inside it (``within`` the move), as the change model has
    them. Made by hand, so the app's part is tested apart from move detection."""
    paragraphs = [f"Paragraph {i} tells item {i} in a few plain words." for i in range(1, 41)]
    moved_old = "Paragraph 2 says where the money went, in plain words."
    moved_new = "Paragraph 2 says where all the money went, in plain words."
    edited = paragraphs[38].replace("Paragraph", "Section")
    old = "\n\n".join([paragraphs[0], moved_old, *paragraphs[2:]])
    new = "\n\n".join(
        [paragraphs[0], *paragraphs[2:36], moved_new, *paragraphs[36:38], edited, paragraphs[39]]
    )
    o, n = old.index(moved_old), new.index(moved_new)
    at_old, at_new = o + moved_old.index("the money"), n + moved_new.index("all the")
    move = Change(
        1,
        "move",
        Span(o, o + len(moved_old), moved_old),
        Span(n, n + len(moved_new), moved_new),
        old_place_in_new=o,
        new_place_in_old=old.index(paragraphs[36]) - 2,
    )
    inner = Change(
        2, "insert", Span(at_old, at_old, ""), Span(at_new, at_new + 4, "all "), within=1
    )
    po, pn = old.index(paragraphs[38]), new.index(edited)
    edit = Change(3, "replace", Span(po, po + 9, "Paragraph"), Span(pn, pn + 7, "Section"))
    comparison = Comparison("a" * 40, "b" * 40, old, new, (move, inner, edit))
    return comparison, moved_old, moved_new


def test_where_am_i_first_last_search_and_the_ends_of_the_history(demo):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        history = screen.query_one(HistoryList)
        # The newest revision: k and ↑ stay on it, no wrap round to the oldest.
        await pilot.press("k", "up")
        assert history.highlighted == 0
        # A burst of j past the oldest (keys sent at once): it stays there, with its diff.
        await pilot.press("end", "k", "k", *["j"] * 4)
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[-1].rev)
        assert history.highlighted == len(screen.shown) - 1 == 9
        # "Correct who is who": 8 changes; the title says which is in focus, and where.
        await pilot.press("k")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[8].rev)
        total = len(view.changes)
        assert total == 8
        assert title(view).startswith(f"change 1 of {total} · rows 1–")
        assert f"of {len(view.rows)}" in title(view)
        await pilot.press("G")
        assert view.current == view.changes[-1].index
        assert title(view).startswith(f"change {total} of {total}")
        top = view.scroll_offset.y
        assert f"rows {top + 1}–" in title(view) and top > 0
        await pilot.press("g", "n")
        assert title(view).startswith(f"change 2 of {total}")
        assert footer_keys(screen)["n"] == "Next change"
        # A search for words that are only in a folded stretch: it unfolds them.
        folded = [row for row in view.rows if row.fold is not None]
        assert folded and not any("encompasses" in r.text for r in view.rows)
        await pilot.press("slash")
        box = screen.query_one("#search", Input)
        box.value = "encompasses"
        await pilot.press("enter")
        assert view.searching and view.expanded
        assert "match 1 of 1" in title(view)
        top = view.scroll_offset.y
        assert any("encompasses" in r.text for r in view.rows[top : top + 6])
        assert any(row.fold is not None for row in view.rows)  # only that fold opened
        # A word in several places: n and N go from match to match (footer says so).
        box.value = "ICE"
        await pilot.press("enter")
        count = len(view.matches)
        assert count > 3 and title(view).endswith(f"of {count}")
        await pilot.press("escape")  # leaves the box; the search stays in force
        assert footer_keys(screen)["n"] == "Next match"
        first = view.match
        await pilot.press("n", "n", "N")
        assert view.match == (first + 1) % count
        assert f"match {view.match + 1} of {count}" in title(view)
        await pilot.press("escape")  # ends the search: n is the next change again
        assert not view.searching and "match" not in title(view)
        assert footer_keys(screen)["n"] == "Next change"
        before = view.current
        await pilot.press("n")
        assert view.current != before
        # A text that is nowhere: "no match", and n still moves between changes.
        await pilot.press("slash")
        box.value = "zzqxj"
        await pilot.press("enter")
        assert "no match" in title(view) and not view.searching
        await pilot.press("escape", "escape", "g")
        assert view.current == view.changes[0].index

    run_app(demo, scenario)


@pytest.mark.skipif(
    not hasattr(rows, "MOVED_FROM"),
    reason="needs the move-aware row builder (rows marking both ends of a move)",
)
def test_m_jumps_between_the_two_ends_of_a_moved_paragraph(demo):
    comparison, moved_old, moved_new = moved_paragraph_comparison()

    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        await pilot.press("tab")  # the diff focused: m is the screen's, from anywhere
        view.show(comparison)
        await pilot.pause()
        view.toggle_folds()  # every paragraph shown: the two ends are far apart
        await pilot.pause()
        assert view.current == 1 and "m: other end of the move" in title(view)
        assert footer_keys(screen)["m"] == "Other end"
        notes = str(screen.query_one(NotesPanel).render())
        assert "Change 1 (move, moved from ¶2 to ¶36)" in notes.replace("\n", " ")
        ends = view.move_ends()
        assert len(ends) == 2 and ends[1] - ends[0] > view.size.height

        def near_top(text: str) -> bool:
            top = view.scroll_offset.y
            return any(text in row.text for row in view.rows[top : top + 5])

        # The new place shows the new wording (beside the old one), the old place only
        # the old wording: m goes from one to the other and back.
        await pilot.press("m")
        assert near_top(moved_new[:30])
        await pilot.press("m")
        assert near_top(moved_old[:30]) and not near_top(moved_new[:30])
        # The edit inside the move (at its new place): m goes to the move's old place.
        await pilot.press("n")
        assert view.current == 2 and footer_keys(screen)["m"] == "Other end"
        assert near_top(moved_new[:30])
        await pilot.press("m")
        assert near_top(moved_old[:30]) and not near_top(moved_new[:30])
        # An ordinary change has one place: m is not offered, and says so if pressed.
        await pilot.press("n")
        assert view.current == 3 and "m" not in footer_keys(screen)
        top = view.scroll_offset.y
        await pilot.press("m")
        assert view.scroll_offset.y == top

    run_app(demo, scenario, size=(120, 30))


def test_whole_review_plain_git_marks_character_churn_and_placed_notes(demo_copy):
    store = Store.open(demo_copy)
    newest = store.revision("HEAD").rev
    hostile = "Check [bold]the dates[/bold] \x1b[31mred\x1b[0m with the desk; second thought"
    porcelain.review(store, newest, "flagged", hostile, author="Rita Reviewer <r@x.example>")
    # A commit made with plain git that changed one comma and nothing else.
    article = demo_copy / "article.txt"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("has spread across", "has spread, across", 1), "utf-8")
    git(demo_copy, "commit", "-qam", "comma")

    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        history = screen.query_one(HistoryList)
        await settle(pilot, lambda: screen.session.churn(screen.shown[0]) is not None)
        churn = screen.session.churn(screen.shown[0])
        assert (churn.added, churn.removed, churn.chars_added) == (0, 0, 1)
        await settle(pilot, lambda: "chars" in str(history.get_option_at_index(0).prompt))
        row = str(history.get_option_at_index(0).prompt)
        assert "plain git" in row and "+1 −0 chars" in row and "+0 −0" not in row
        assert "plain git" not in str(history.get_option_at_index(1).prompt)
        header = str(screen.query_one("#diff-title").render())
        assert "made with plain git" in header
        # The flagged revision: who, when and the whole comment, as text (never markup).
        await pilot.press("j")
        await settle(pilot, lambda: view.comparison.new_rev == screen.shown[1].rev)
        header = str(screen.query_one("#diff-title").render()).replace("\n", " ")
        assert "⚑ flagged by Rita Reviewer <r@x.example> on 20" in header
        assert "[bold]the dates[/bold]" in header and "second thought" in header
        assert "\x1b" not in header
        # Each note says where its change is.
        notes = str(screen.query_one(NotesPanel).render())
        assert notes.startswith("Change 1 (insert, ¶")

    run_app(demo_copy, scenario)


def test_a_b_notes_scroll_and_say_where_their_change_was(demo):
    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        await pilot.press("end", "A", "home", "B")  # oldest to newest: every note between
        await settle(
            pilot, lambda: view.comparison.key == (screen.shown[-1].rev, screen.shown[0].rev)
        )
        panel = screen.query_one(NotesPanel)
        assert len(panel.related) > 6
        await settle(pilot, lambda: "¶" in str(panel.render()).split("Notes made")[1])
        notes = str(panel.render()).split("Notes made between A and B")[1]
        labels = [line for line in notes.splitlines() if " change " in line]
        assert len(panel.related) == 48 and len(labels) == RELATED_SHOWN
        assert all(", ¶" in line for line in labels)
        assert f"… and {48 - RELATED_SHOWN} more: }} lists them" in notes
        scroll = screen.query_one("#notes-scroll")
        assert scroll.max_scroll_y > 0
        await pilot.press("right_curly_bracket")
        assert scroll.scroll_y > 0
        await pilot.press("left_curly_bracket")
        assert scroll.scroll_y == 0
        # } at the end of the list lists more, until every note is there.
        await pilot.press(*["right_curly_bracket"] * 30)
        await settle(pilot, lambda: "more: }" not in str(panel.render()))
        notes = str(panel.render()).split("Notes made between A and B")[1]
        assert len([line for line in notes.splitlines() if " change " in line]) == 48

    run_app(demo, scenario)


def test_record_groups_identical_edits_and_puts_the_note_on_each(demo_copy):
    article = demo_copy / "article.txt"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("Tren de Aragua", "Tren de Aragua (TdA)", 4), "utf-8")

    async def scenario(pilot, screen):
        await pilot.press("r")
        record = pilot.app.screen
        assert isinstance(record, RecordScreen)
        forms = list(record.query(ChangeForm))
        assert len(forms) == 1 and len(forms[0].changes) == 4
        context = str(forms[0].query_one(".context").render())
        assert context.count("¶") == 3 and "Tren de Aragua" in context
        assert "and 1 more (changes 1, 2, 3, 4); one note for all" in context
        assert "4 pending changes, 1 to explain" in str(record.query_one("#record-title").render())
        record.query_one("#summary", Input).value = "Abbreviate the gang's name"
        forms[0].query_one(".note", Input).value = "The desk abbreviates it after first use."
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: isinstance(pilot.app.screen, MainScreen))

    run_app(demo_copy, scenario)
    revision = Store.open(demo_copy).revision("HEAD")
    assert len(revision.changes) == 4
    assert {c.note.text for c in revision.changes} == {"The desk abbreviates it after first use."}


def test_grouping_and_churn_words():
    def change(index, old, new):
        return Change(
            index,
            "insert" if not old else "replace",
            Span(0, len(old), old),
            Span(0, len(new), new),
        )

    groups = group_changes(
        [change(1, "", " (TdA)"), change(2, "a", "b"), change(3, "", "(TdA) "), change(4, "", " ")]
    )
    assert [[c.index for c in g] for g in groups] == [[1, 3], [2], [4]]
    assert str(churn_bar(Churn(0, 0, 3, 1), 10)) == "+3 −1 chars"
    assert str(churn_bar(Churn(0, 0, 0, 0, moved=1), 10)) == "↕1 moved"
    assert str(churn_bar(Churn(2, 1), 3)).startswith("+2 −1 ")


def long_comparison() -> Comparison:
    """Some 80 KB of paragraphs with one word changed in every fifth one ("happened" and
    "occurred" are as long, so both texts have the change at the same offsets)."""
    paragraphs = [f"Paragraph {i} says what happened in week {i} here. " * 4 for i in range(300)]
    edited = list(paragraphs)
    changes, at = [], 0
    for i, paragraph in enumerate(paragraphs):
        if i % 5 == 0:
            edited[i] = paragraph.replace("happened", "occurred", 1)
            o = at + paragraph.index("happened")
            old, new = Span(o, o + 8, "happened"), Span(o, o + 8, "occurred")
            changes.append(Change(len(changes) + 1, "replace", old, new))
        at += len(paragraph) + 2
    return Comparison(
        "c" * 40, "d" * 40, "\n\n".join(paragraphs), "\n\n".join(edited), tuple(changes)
    )


def test_a_long_comparison_shows_its_first_rows_first_then_every_row(demo):
    comparison = long_comparison()

    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        view.show(comparison)
        # At once: only the first stretch has rows, and the title says there are more.
        assert view.partial and 0 < len(view.rows) < 200
        first = list(view.rows)
        assert f"of {len(first)}+" in title(view)
        await settle(pilot, lambda: not view.partial)
        whole = view.rows
        # The rows before the cut are the rows of the whole text (but the last, a fold
        # of the unchanged text after the cut, which is longer in the whole).
        assert len(whole) > len(first) and whole[: len(first) - 1] == first[:-1]
        assert f"of {len(whole)}" in title(view) and "+" not in title(view).split("of")[-1]
        # A key that needs rows beyond the first stretch builds them then and there.
        view.show(None)
        view.show(comparison)
        assert view.partial
        await pilot.press("G")
        assert not view.partial and view.current == comparison.changes[-1].index
        assert title(view).startswith(f"change {len(comparison.changes)} of")

    run_app(demo, scenario)


def test_a_long_comparison_is_never_cut_between_the_two_places_of_a_move():
    from types import SimpleNamespace

    from tracker.tui.widgets.diff_view import FIRST_STRETCH

    comparison = long_comparison()
    plain = DiffView._first_stretch(SimpleNamespace(comparison=comparison))
    assert plain is not None and FIRST_STRETCH <= plain[1] < FIRST_STRETCH + 2_000
    # A paragraph moved from near the top to 50,000 characters down (the texts need not
    # hold it here: only where the cut may fall is asked).
    index = len(comparison.changes) + 1
    move = Change(index, "move", Span(300, 400, "x"), Span(50_000, 50_100, "x"), 50_000, 300)
    cut = DiffView._first_stretch(
        SimpleNamespace(comparison=replace(comparison, changes=(*comparison.changes, move)))
    )
    assert cut is not None and cut[1] > 50_100 and move in cut[2]
    # A move beyond the first stretch leaves the cut where it was, the move after it.
    late = Change(
        index, "move", Span(50_000, 50_100, "x"), Span(55_000, 55_100, "x"), 55_000, 50_000
    )
    cut = DiffView._first_stretch(
        SimpleNamespace(comparison=replace(comparison, changes=(*comparison.changes, late)))
    )
    assert cut is not None and cut[:2] == plain[:2] and late not in cut[2]
