"""Provides the CLI's human output, drawn with rich.

Untrusted text only ever enters rich as a ``Text`` built from ``visible()`` strings, never
as markup, so "[bold]" in a note prints as those six characters. Changes carry a second
cue besides colour: strike-through/underline on a terminal, and ``[-…-]`` / ``{+…+}``
marks wherever styles are not shown (NO_COLOR, a pipe or a file).
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tracker import present
from tracker.model import Blame, Change, DiffResult, Note, Revision, VerifyReport
from tracker.rows import Piece, hunks
from tracker.text.escape import one_line, show_whitespace, visible

DELETED = "strike red"
INSERTED = "underline green"


class _Console(Console):
    """rich's Console, except that a closed pipe is left to the CLI (exit 0, like git)."""

    def on_broken_pipe(self) -> None:
        # rich's default exits with status 1, so `tracker log | head -1` would fail.
        self.quiet = True
        raise BrokenPipeError


def _console(width: int | None = None) -> Console:
    console = _Console(highlight=False, markup=False, emoji=False, width=width, soft_wrap=False)
    if not console.is_terminal:
        # Piped or redirected: one line per line, so grep and cut see whole lines.
        console.soft_wrap = True
    return console


def _plain(console: Console) -> bool:
    """True when styles will not reach the reader, so textual marks must carry the diff."""
    return not console.is_terminal or console.no_color


def _short(rev: str) -> str:
    return rev[:10]


# How each role of the presenter's parts looks on a terminal.
STYLES = {
    "deleted": DELETED,
    "inserted": INSERTED,
    "whitespace": "magenta",
    "category": "bold magenta",
    "source": "blue",
    "dim": "dim",
    "absent": "dim italic",
    "approved": "green",
    "flagged": "bold red",
    "warning": "yellow",
    "error": "bold red",
    "ok": "bold green",
}


def _text(line: present.Line, prefix: str = "") -> Text:
    """A presenter line as rich Text: parts are text, never markup."""
    text = Text(prefix)
    for part in line:
        text.append(part.text, style=STYLES.get(part.role))
    return text


def _line(text: str, role: str = "") -> Text:
    return Text(text, style=STYLES.get(role, ""))


def log(revisions: list[Revision], document: str, header: str | None = None) -> None:
    console = _console()
    # Gathered and printed at once: rich takes about as long per print call as per
    # line of text, and a long history has thousands of lines (0.3 s for 660 revisions).
    out: list[Text] = []
    if header:
        out.append(Text(visible(header), style="bold"))
    out.append(Text(f"{len(revisions)} revision(s) of {one_line(document)}", style="dim"))
    for revision in revisions:
        out.append(Text())
        line = Text()
        line.append(_short(revision.rev), style="yellow")
        line.append(f"  {revision.date}  ")
        line.append(one_line(revision.author), style="cyan")
        out.append(line)
        out.append(Text("    " + one_line(revision.summary), style="bold"))
        if revision.reason:
            for para in visible(revision.reason).splitlines():
                out.append(Text("    " + para))
        outline = present.revision_outline(revision)
        if outline:
            out.append(_text(outline, "    "))
        if revision.review:
            out.append(_text(present.review_label(revision.review), "    "))
    console.print(Text("\n").join(out))


def _change_line(change: Change) -> Text:
    return _text(present.change_head(change) + present.change_summary(change))


def _note_lines(note: Note | None) -> list[Text]:
    return [_text(line) for line in present.note_lines(note)]


def show(revision: Revision) -> None:
    console = _console()
    head = Text()
    head.append(f"revision {revision.rev}", style="yellow")
    console.print(head)
    console.print(Text(f"parent   {revision.parent or '(none)'}"))
    console.print(Text(f"author   {one_line(revision.author)}"))
    console.print(Text(f"date     {revision.date}"))
    console.print(Text(f"document {one_line(revision.document)}"))
    console.print()
    console.print(Text("    " + one_line(revision.summary), style="bold"))
    for para in visible(revision.reason).splitlines():
        console.print(Text("    " + para))
    console.print()
    if revision.initial:
        console.print(Text("First revision of the document: the baseline, no changes."))
    if revision.not_text:
        console.print(_line(one_line(revision.not_text.message), "warning"))
    if revision.unchanged:
        console.print(Text(present.unchanged(revision)))
    for change in revision.changes:
        for line in _change_lines(change):
            console.print(line)


def _change_lines(change: Change) -> list[Text]:
    """A change's summary, where it is (when known), and its note."""
    lines = [_change_line(change)]
    place = present.change_place(change)
    if place:
        lines.append(_text(place, "      "))
    return lines + _note_lines(change.note)


def status(pending: dict[str, list[Change]]) -> None:
    console = _console()
    if not pending:
        console.print(Text("Nothing to record: every document matches its last revision."))
        return
    for document, changes in pending.items():
        if changes is None:
            console.print(
                Text(f"{one_line(document)}: missing from the work tree (restore it with "
                     f"git restore {one_line(document)})", style="bold red")
            )  # fmt: skip
            continue
        console.print(Text(f"{one_line(document)}: {len(changes)} pending change(s)", style="bold"))
        for change in changes:
            console.print(_change_line(change))


def _side_text(pieces: list[Piece], style: str, marks: tuple[str, str], plain: bool) -> Text:
    text = Text()
    for piece in pieces:
        if piece.change is None:
            text.append(visible(piece.text))
            continue
        if not piece.text:
            continue
        shown = visible(show_whitespace(piece.text), show_invisible=True)
        if plain:
            text.append(marks[0] + shown + marks[1])
        else:
            text.append(shown, style=style)
    return text


def diff(result: DiffResult, layout: str = "side", width: int | None = None) -> None:
    console = _console(width)
    plain = _plain(console)
    to = "work tree" if result.new_rev == "WORKTREE" else _short(result.new_rev)
    console.print(
        Text(
            f"{one_line(result.document)}: {_short(result.old_rev)} → {to}, "
            f"{len(result.changes)} change(s)",
            style="bold",
        )
    )
    if result.not_text:
        console.print(Text(one_line(result.not_text), style="yellow"))
    if not result.changes:
        return
    groups = hunks(result.old_text, result.new_text, result.changes)
    if layout == "inline":
        _inline(console, result, groups, plain)
        return
    table = Table(show_header=True, expand=True, show_lines=True, box=None, padding=(0, 1))
    table.add_column("", width=4, no_wrap=True)
    table.add_column(f"old {_short(result.old_rev)}", ratio=1, overflow="fold")
    table.add_column(f"new {to}", ratio=1, overflow="fold")
    for hunk in groups:
        if hunk.folded_before:
            table.add_row("", Text("⋯ unchanged text folded", style="dim"), Text("⋯", style="dim"))
        numbers = ",".join(str(c.index) for c in hunk.changes)
        table.add_row(
            Text(numbers, style="yellow"),
            Text("− ", style="red")
            + _side_text(hunk.old_pieces(result.old_text), DELETED, ("[-", "-]"), plain),
            Text("+ ", style="green")
            + _side_text(hunk.new_pieces(result.new_text), INSERTED, ("{+", "+}"), plain),
        )
    console.print(table)
    _notes_after(console, result.changes)


def _inline(console: Console, result: DiffResult, groups, plain: bool) -> None:
    for hunk in groups:
        if hunk.folded_before:
            console.print(Text("⋯", style="dim"))
        text = Text()
        pos = hunk.new_start
        for change in hunk.changes:
            text.append(visible(result.new_text[pos : change.new.start]))
            text.append(Text(f"{change.index}:", style="yellow"))
            if change.old.text:
                shown = visible(show_whitespace(change.old.text), show_invisible=True)
                text.append(f"[-{shown}-]" if plain else shown, style=None if plain else DELETED)
            if change.new.text:
                shown = visible(show_whitespace(change.new.text), show_invisible=True)
                text.append(f"{{+{shown}+}}" if plain else shown, style=None if plain else INSERTED)
            pos = change.new.end
        text.append(visible(result.new_text[pos : hunk.new_end]))
        console.print(text)
    _notes_after(console, result.changes)


def _notes_after(console: Console, changes: list[Change]) -> None:
    noted = [c for c in changes if c.note]
    if not noted:
        return
    console.print()
    console.print(Text("Notes", style="bold"))
    for change in noted:
        for line in _change_lines(change):
            console.print(line)


def notes_history(history: list[dict]) -> None:
    console = _console()
    if not history:
        console.print(Text("This revision has no notes."))
        return
    for item in history:
        if item["origin"] == "rewritten":
            console.print(Text(f"!! {item['text']} ({item['stored_in'][:12]})", style="bold red"))
            continue
        line = Text(f"change {one_line(str(item['change']))}  ")
        line.append(_text([present.category_label(str(item["category"]))]))
        line.append(one_line(str(item["text"])))
        console.print(line)
        where = "in the revision" if item["origin"] == "revision" else "later, notes commit"
        console.print(
            Text(
                f"    {one_line(str(item['author']))} {one_line(str(item['date']))}"
                f" ({where} {item['stored_in'][:12]})",
                style="dim",
            )
        )


def verify(report: VerifyReport) -> None:
    console = _console()
    console.print(_text(present.verify_verdict(report)))
    for line in present.finding_lines(report):
        console.print(_text(line, "  "))
    console.print(_line(present.verify_counts(report), "dim"))


def blame(result: Blame) -> None:
    # One print of the whole text: a print per line costs rich a layout pass each, which
    # on a long document's thousands of units was most of the command's time.
    lines: list[Text] = []
    for unit in result.units:
        head = Text()
        if unit.revision is None:
            head.append("?         ", style="dim")
        else:
            head.append(unit.revision.rev[:10], style="yellow")
            head.append(f" {unit.revision.date[:10]} ")
            # Cut the name before marking it: cut after, "⟨PDI⟩" could end as a bare "⟨".
            head.append(one_line(unit.revision.author.split(" <")[0][:18]), style="cyan")
        lines.append(head)
        lines.append(Text("    " + one_line(unit.text)))
        if unit.change is not None and unit.change.note is not None:
            note = unit.change.note
            line = Text("    why: ", style="dim")
            why = [present.category_label(note.category), present.Part(one_line(note.text))]
            line.append(_text(why))
            lines.append(line)
        elif unit.revision is not None and unit.revision.initial:
            lines.append(Text("    (unchanged since the first revision)", style="dim"))
        moved = present.blame_moved(unit)
        if moved:
            lines.append(_text(moved, "    "))
    if lines:
        _console().print(Text("\n").join(lines))
