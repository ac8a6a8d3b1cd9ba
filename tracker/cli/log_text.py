"""Provides the text of ``tracker log``, drawn without rich.

``log`` is the command a big store runs most, and loading rich (and the row builder
render.py brings) was a quarter of its time on a newsroom store. Its lines are short
and carry a handful of styles, so they are written here directly: the same words as
the presenter gives the app, styled by ``styles.sgr`` on a terminal, plain elsewhere.
Lines are not wrapped (a terminal wraps them, as it does ``git log``'s).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from tracker import present
from tracker.cli.styles import RESET, STYLES, sgr, wants_colour
from tracker.model import Revision
from tracker.text.escape import one_line, visible


def write_log(
    stream: TextIO,
    revisions: list[Revision],
    document: str,
    header: str | None = None,
    policy: str | None = None,
) -> None:
    """Write the log to ``stream`` at once (one write: a long history is thousands of
    lines); given the store's ``policy``, each outline counts the notices."""
    colour = wants_colour(stream)
    lines = log_lines(revisions, document, header, colour, policy)
    stream.write("".join(line + "\n" for line in lines))


def log_lines(
    revisions: list[Revision],
    document: str,
    header: str | None,
    colour: bool,
    policy: str | None = None,
) -> Iterator[str]:
    def styled(text: str, style: str) -> str:
        start = sgr(style) if colour else ""
        return f"{start}{text}{RESET}" if start and text else text

    def parts(line: present.Line, prefix: str) -> str:
        return prefix + "".join(styled(p.text, STYLES.get(p.role or "", "")) for p in line)

    if header:
        yield styled(visible(header), "bold")
    yield styled(f"{len(revisions)} revision(s) of {one_line(document)}", "dim")
    for revision in revisions:
        yield ""
        yield (
            styled(revision.rev[:10], "yellow")
            + f"  {revision.date}  "
            + styled(one_line(revision.author), "cyan")
        )
        yield styled("    " + one_line(revision.summary), "bold")
        if revision.reason:
            for para in visible(revision.reason).splitlines():
                yield "    " + para
        outline = present.revision_outline(revision, policy)
        if outline:
            yield parts(outline, "    ")
        if revision.review:
            yield parts(present.review_label(revision.review), "    ")
        replayed = present.replay_label(revision)
        if replayed:
            yield styled("    " + replayed, "dim")
