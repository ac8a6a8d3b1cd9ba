"""Provides HistoryList: the revisions of a document, newest first, with their churn."""

from __future__ import annotations

from collections import Counter

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tracker import present
from tracker.model import Churn, Revision
from tracker.text.escape import one_line
from tracker.tui import styles

BAR_WIDTH = 10


def churn_bar(churn: Churn | None, largest: int) -> Content:
    """Words added and removed, as numbers and a bar scaled to the largest revision.

    A revision that changed punctuation or spacing alone shows its characters ("+3 −1
    chars"), never "+0 −0", which reads as a revision that changed nothing."""
    if churn is None:
        return Content.styled("+? −?", "dim")
    moved = f" ↕{churn.moved} moved" if churn.moved else ""
    if churn.words_unchanged:
        return Content.assemble(
            (f"+{churn.chars_added}", "$text-success"),
            " ",
            (f"−{churn.chars_removed}", "$text-error"),
            (" chars" + moved, "dim"),
        )
    if not churn.words and churn.moved:
        return Content.styled(moved.strip(), "$text-warning")
    total = churn.words
    cells = 0 if not largest else max(1 if total else 0, round(BAR_WIDTH * total / largest))
    plus = round(cells * churn.added / total) if total else 0
    return Content.assemble(
        (f"+{churn.added}", "$text-success"),
        " ",
        (f"−{churn.removed}", "$text-error"),
        " ",
        ("+" * plus, "$text-success"),
        ("−" * (cells - plus), "$text-error"),
        (moved, "$text-warning"),
    )


def revision_prompt(
    revision: Revision,
    churn: Churn | None,
    largest: int,
    marks: str = "",
    review: str = "",
) -> Content:
    categories = Counter(c.note.category for c in revision.changes if c.note)
    badges = [(f" {one_line(cat)} ", "reverse") for cat in sorted(categories)]
    parts: list = []
    for badge in badges:
        parts += [badge, " "]
    date = revision.date[:10]
    first = Content.assemble(
        (marks, "bold $accent") if marks else "",
        (revision.rev[:8], "$text-warning"),
        f" {date} ",
        (one_line(revision.author.split(" <")[0])[:14], "$text-primary"),
    )
    second = Content(one_line(revision.summary)[:200])
    if revision.review:
        second = Content.assemble(styles.content(present.review_badge(revision.review)), second)
    # A commit made with plain git carries no reasons of its own: say so, since its
    # lack of notes is then no editor's omission.
    foreign = () if revision.recorded else (("plain git ", "italic $text-muted"),)
    third = Content.assemble(*foreign, *parts, churn_bar(churn, largest))
    if revision.initial:
        third = Content.assemble(*foreign, (present.BASELINE, "dim"))
    return Content("\n").join([first, second, third])


class HistoryList(OptionList):
    """Revision history; highlighting a revision posts OptionList.OptionHighlighted."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)

    def action_cursor_down(self) -> None:
        """The next (older) revision; at the oldest it stays (OptionList would wrap round
        to the newest, and a reader holding j would loop through the history unawares)."""
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        """The previous (newer) revision; at the newest it stays."""
        if self.highlighted is None or self.highlighted > 0:
            super().action_cursor_up()

    def set_revisions(self, options: list[Option]) -> None:
        self.clear_options()
        self.add_options(options)
