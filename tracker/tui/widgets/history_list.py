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
    """Words added and removed, as numbers and a bar scaled to the largest revision."""
    if churn is None:
        return Content.styled("+? −?", "dim")
    total = churn.added + churn.removed
    cells = 0 if not largest else max(1 if total else 0, round(BAR_WIDTH * total / largest))
    plus = round(cells * churn.added / total) if total else 0
    return Content.assemble(
        (f"+{churn.added}", "$text-success"),
        " ",
        (f"−{churn.removed}", "$text-error"),
        " ",
        ("+" * plus, "$text-success"),
        ("−" * (cells - plus), "$text-error"),
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
    third = Content.assemble(*parts, churn_bar(churn, largest))
    if revision.initial:
        third = Content.styled(present.BASELINE, "dim")
    return Content("\n").join([first, second, third])


class HistoryList(OptionList):
    """Revision history; highlighting a revision posts OptionList.OptionHighlighted."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)

    def set_revisions(self, options: list[Option]) -> None:
        self.clear_options()
        self.add_options(options)
