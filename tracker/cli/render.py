"""Provides the CLI's human output, drawn with rich.

Untrusted text only ever enters rich as a ``Text`` built from ``visible()`` strings, never
as markup, so "[bold]" in a note prints as those six characters. Changes carry a second
cue besides colour: strike-through/underline on a terminal, and ``[-…-]`` / ``{+…+}``
marks wherever styles are not shown (NO_COLOR, a pipe or a file).
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from tracker import present, rows
from tracker.cli.styles import DELETED, INSERTED, STYLES
from tracker.model import Blame, Change, DiffResult, Note, Revision, SyncResult, VerifyReport
from tracker.text.cells import text_width
from tracker.text.escape import one_line, visible


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


def _text(line: present.Line, prefix: str = "") -> Text:
    """A presenter line as rich Text: parts are text, never markup."""
    text = Text(prefix)
    for part in line:
        text.append(part.text, style=STYLES.get(part.role))
    return text


def _line(text: str, role: str = "") -> Text:
    return Text(text, style=STYLES.get(role, ""))


def _change_line(change: Change) -> Text:
    return _text(present.change_head(change) + present.change_summary(change))


def _note_lines(note: Note | None, policy: str | None = None) -> list[Text]:
    return [_text(line) for line in present.note_lines(note, policy=policy)]


def show(revision: Revision, policy: str | None = None) -> None:
    """A revision; given the store's ``policy``, each note says the notice it gets."""
    console = _console()
    head = Text()
    head.append(f"revision {revision.rev}", style="yellow")
    console.print(head)
    console.print(Text(f"parent   {revision.parent or '(none)'}"))
    console.print(Text(f"author   {one_line(revision.author)}"))
    console.print(Text(f"date     {revision.date}"))
    console.print(Text(f"document {one_line(revision.document)}"))
    if revision.review:
        # Who reviewed it, and both verdicts when two reviewers disagreed unseen.
        console.print(_text(present.review_detail(revision.review), "review   "))
    replayed = present.replay_label(revision)
    if replayed:
        console.print(Text(f"replay   {replayed}", style="dim"))
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
        for line in _change_lines(change, policy):
            console.print(line)


def _change_lines(change: Change, policy: str | None = None) -> list[Text]:
    """A change's summary, where it is (when known), and its note (with its notice,
    given the store's ``policy``)."""
    lines = [_change_line(change)]
    place = present.change_place(change)
    if place:
        lines.append(_text(place, "      "))
    return lines + _note_lines(change.note, policy)


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


def diff(
    result: DiffResult, layout: str = "side", width: int | None = None, policy: str | None = None
) -> None:
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
    total = max(console.width, 40)
    if layout == "inline":
        built = rows.inline(
            result.old_text, result.new_text, result.changes, total - _GUTTER - 2, marks=plain
        )
        lines = _diff_lines(built, None, total)
    else:
        column = (total - _GUTTER - 2 * 2 - len(_DIVIDER)) // 2
        built = rows.side_by_side(
            result.old_text, result.new_text, result.changes, column, marks=plain
        )
        head = [(f"old {_short(result.old_rev)}", "bold"), (f"new {to}", "bold")]
        lines = _diff_lines(built, column, total, head)
    _print_lines(console, lines, plain)
    _notes_after(console, result.changes, policy)


# The diff's columns: change numbers, then each side's −/+ and its text, divided by │.
_GUTTER = 5
_DIVIDER = " │ "
_CELL_STYLES = {
    rows.DELETED: DELETED,
    rows.INSERTED: INSERTED,
    rows.MOVED: "cyan",
    rows.CONTINUED: "dim",
}
Segments = list[tuple[str, str]]  # (text, style): one printed line


def _diff_lines(
    built: list[rows.Row], column: int | None, total: int, head: list[tuple[str, str]] | None = None
) -> list[Segments]:
    """The shared rows as printed lines: change numbers where a change first shows, the
    sign only on the side that changed, columns padded so that both sides line up."""
    lines: list[Segments] = []
    if head and column is not None:
        # Each side's label starts where its −/+ column does.
        lines.append([(" " * _GUTTER, ""), _padded(head[0][0], column + 2, head[0][1]),
                      (_DIVIDER, "dim"), head[1]])  # fmt: skip
    seen: set[int] = set()
    for row in built:
        if row.fold is not None:
            plural = "s" if row.folded_lines != 1 else ""
            fold = f"⋯ {row.folded_lines} unchanged line{plural} folded"
            lines.append([(" " * (_GUTTER + 2) + fold, "dim")])
            continue
        fresh = [c for c in row.changes if c not in seen]
        seen.update(fresh)
        label = _label(fresh)
        line: Segments = [(f"{label:>{_GUTTER - 1}} ", "yellow")]
        if column is None:
            kinds = {c.kind for c in row.left}
            sign = (
                "±" if {rows.DELETED, rows.INSERTED} <= kinds
                else "−" if rows.DELETED in kinds
                else "+" if rows.INSERTED in kinds
                else " "
            )  # fmt: skip
            line.append((sign + " ", "red" if sign == "−" else "green"))
            line += _cells(row.left)
        else:
            left_sign = "−" if any(c.kind == rows.DELETED for c in row.left) else " "
            right_sign = "+" if any(c.kind == rows.INSERTED for c in row.right) else " "
            line.append((left_sign + " ", "red"))
            line += _cells(row.left)
            line.append((" " * max(column - _width_of(row.left), 0), ""))
            line.append((_DIVIDER, "dim"))
            line.append((right_sign + " ", "green"))
            line += _cells(row.right)
        lines.append(line)
    return lines


def _label(changes: list[int]) -> str:
    """The numbers of the changes that first show on a row, as short as the gutter is:
    "1,2", "3-7", or "3+" when they do not fit."""
    if not changes:
        return ""
    if len(changes) > 2 and changes == list(range(changes[0], changes[-1] + 1)):
        label = f"{changes[0]}-{changes[-1]}"
    else:
        label = ",".join(str(c) for c in changes)
    return label if len(label) <= _GUTTER - 1 else f"{changes[0]}+"


def _width_of(cells: tuple[rows.Cell, ...]) -> int:
    return sum(text_width(c.text) for c in cells)


def _cells(cells: tuple[rows.Cell, ...]) -> Segments:
    # Cell text is already visible(): untrusted text stays text, with no markup to parse.
    return [(c.text, _CELL_STYLES.get(c.kind, "")) for c in cells]


def _padded(text: str, width: int, style: str) -> tuple[str, str]:
    return (text + " " * max(width - text_width(text), 0), style)


def _print_lines(console: Console, lines: list[Segments], plain: bool) -> None:
    """Print every line at once. Without styles, the lines go out as plain text (no layout
    pass: rich took 2.4 s of 2.65 s for a long diff's table); on a terminal, as one
    ``Text`` that rich does not wrap (the rows already fit)."""
    if plain:
        out = "\n".join("".join(text for text, _ in line).rstrip() for line in lines)
        console.file.write(out + "\n")
        console.file.flush()
        return
    text = Text()
    for number, line in enumerate(lines):
        if number:
            text.append("\n")
        for part, style in line:
            text.append(part, style=style or None)
    console.print(text, soft_wrap=True)


def _notes_after(console: Console, changes: list[Change], policy: str | None = None) -> None:
    noted = [c for c in changes if c.note]
    if not noted:
        return
    console.print()
    console.print(Text("Notes", style="bold"))
    for change in noted:
        for line in _change_lines(change, policy):
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
        if item.get("conflict"):
            console.print(_line(f"    ⚠ conflicting: {present.CONFLICT_HINT}", "warning"))


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


def remotes(known: list[tuple[str, str]]) -> None:
    console = _console()
    if not known:
        console.print(Text("No remotes: add one with 'tracker remote add origin URL'."))
        return
    for name, url in known:
        console.print(Text(f"{one_line(name)}  {one_line(url)}"))


def sync(result: SyncResult) -> None:
    """One line: what came in, what went out, what was joined (worded in present.py, as
    the app says it)."""
    _console().print(_text(present.sync_summary(result)))
