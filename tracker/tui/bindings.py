"""Provides the main screen's key bindings as data: the footer, the help screen and the
command palette are all made from this one table."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Action:
    keys: str  # comma-separated, as Textual's Binding takes them
    action: str
    description: str
    help: str
    show: bool = True  # shown in the footer


MAIN_ACTIONS: tuple[Action, ...] = (
    Action("j,down", "next_revision", "Older", "Select the next (older) revision", False),
    Action("k,up", "previous_revision", "Newer", "Select the previous (newer) revision", False),
    # While a search is in force, n and N go from match to match (MainScreen.check_action
    # turns these two off otherwise, and the footer shows which pair is in force).
    Action("n", "next_match", "Next match", "While a search is in force: the next match"),
    Action(
        "N", "previous_match", "Prev match", "While a search is in force: the previous match", False
    ),
    Action("n,right_square_bracket", "next_change", "Next change", "Jump to the next change"),
    Action(
        "N,left_square_bracket",
        "previous_change",
        "Prev change",
        "Jump to the previous change",
        False,
    ),
    Action("g", "first_change", "First change", "Jump to the first change", False),
    Action("G", "last_change", "Last change", "Jump to the last change", False),
    Action(
        "m",
        "other_end",
        "Other end",
        "Jump between the two ends of the moved paragraph in focus",
    ),
    Action("s", "toggle_layout", "Side/inline", "Toggle side-by-side and inline diff"),
    Action("z", "toggle_folds", "Unfold", "Expand or fold the unchanged paragraphs", False),
    Action(
        "h", "toggle_note_history", "Note history", "Show the earlier wordings of the note", False
    ),
    Action("right_curly_bracket", "notes_down", "Notes down", "Scroll the notes panel down", False),
    Action("left_curly_bracket", "notes_up", "Notes up", "Scroll the notes panel up", False),
    Action("A", "mark_a", "Mark A", "Mark the selected revision as A (compare from)", False),
    Action("B", "mark_b", "Mark B", "Mark the selected revision as B (compare to)", False),
    Action(
        "escape", "clear_compare", "Clear A/B", "Stop comparing; show revision vs parent", False
    ),
    Action("e", "edit", "Edit", "Edit the document in $EDITOR, then record the changes"),
    Action("r", "record", "Record", "Record the pending changes with their notes", False),
    Action("a", "annotate", "Annotate", "Add or correct the note of the change in focus"),
    Action("b", "blame", "Blame", "Blame: the revision and reason behind each sentence"),
    Action("v", "approve", "Approve", "Approve the selected revision (review)", False),
    Action("F", "flag", "Flag", "Flag the selected revision with a comment (review)", False),
    Action("V", "verify", "Verify", "Verify: nothing changed silently, history intact", False),
    Action(
        "P",
        "notices",
        "Notices",
        "Notices: what the revision (or A..B) tells readers; p publishes",
        False,
    ),
    Action("x", "export", "Export", "Export a corrections report (HTML) here", False),
    Action("R", "refresh", "Refresh", "Read again what was recorded elsewhere", False),
    Action("S", "sync", "Sync", "Sync with the shared remote: take others' work, send yours"),
    Action("slash", "search", "Search", "Find text in the current diff"),
    Action("f", "filter", "Filter", "Filter the history by author, category or text"),
    Action("question_mark", "help", "Help", "Show every key binding"),
    Action("q", "app.quit", "Quit", "Quit tracker"),
)


def bindings(actions: tuple[Action, ...] = MAIN_ACTIONS) -> list[Binding]:
    return [Binding(a.keys, a.action, a.description, show=a.show, tooltip=a.help) for a in actions]


def key_label(keys: str) -> str:
    names = {
        "right_square_bracket": "]",
        "left_square_bracket": "[",
        "slash": "/",
        "question_mark": "?",
        "escape": "esc",
        "right_curly_bracket": "}",
        "left_curly_bracket": "{",
    }
    return " / ".join(names.get(k, k) for k in keys.split(","))
