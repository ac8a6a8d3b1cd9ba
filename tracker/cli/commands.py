"""Provides the CLI's commands: one small adapter each, parse → porcelain → render.

Each adapter takes the parsed arguments and returns the exit code. It calls the front
door (tracker.porcelain) for the work and prints the result: JSON straight from the
model's ``to_json``, text through tracker.cli.render (rich loads only for text output).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from tracker import porcelain, present
from tracker.errors import TrackerError
from tracker.model import (
    APPROVED,
    EVERY_OTHER_CHANGE,
    FLAGGED,
    NOTICE_FIELDS,
    NoteInput,
    SyncStep,
)
from tracker.text.escape import one_line  # every name printed is shown, never obeyed

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without loading typing
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from tracker.porcelain import Store

Adapter = Callable[["argparse.Namespace"], int]
COMMANDS: dict[str, Adapter] = {}
# Commands that write: Ctrl-C after their commit point must not report a failure.
WRITING = frozenset({"init", "add", "record", "note", "review", "config", "publish"})


def command(name: str) -> Callable[[Adapter], Adapter]:
    def register(adapter: Adapter) -> Adapter:
        COMMANDS[name] = adapter
        return adapter

    return register


def run(args: argparse.Namespace) -> int:
    adapter = COMMANDS.get(args.command)
    if adapter is None:
        raise TrackerError(f"unknown command {args.command!r}", "see 'tracker --help'")
    if args.command not in WRITING:
        return adapter(args)
    with porcelain.interrupts_deferred():
        return adapter(args)


def _open(args: argparse.Namespace) -> Store:
    """The store of ``-C DIR``; paths on the command line are then relative to DIR, as
    with git."""
    store = porcelain.open_store(args.directory)
    if args.directory != ".":
        os.chdir(args.directory)
    return store


def _print_json(data: Any) -> None:
    # ASCII-only JSON cannot carry a raw control or bidi character to the terminal.
    # Compact: with indent, json falls back to its pure-Python encoder (10x slower).
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=True) + "\n")


def _warn(warnings: list[str]) -> None:
    """Problems after the commit point: the command succeeded, but the user should know."""
    for warning in warnings:  # a file name in it must not reach the terminal raw
        sys.stderr.write(f"tracker: warning: {one_line(warning)}\n")


def _numbered(values: list[str], flag: str) -> dict[int, str]:
    """``N=VALUE`` flags by change number; ``*=VALUE`` is for every change without its own."""
    result = {}
    for value in values:
        number, sep, text = value.partition("=")
        number = number.strip()
        if number == "*" and sep:
            result[EVERY_OTHER_CHANGE] = text
            continue
        if not sep or not number.isdigit() or int(number) < 1:
            raise TrackerError(f"{flag} {value!r} is not N=VALUE", f"write {flag} 2=... or *=...")
        result[int(number)] = text
    return result


def _json_or_text(
    args: argparse.Namespace, result: Any, draw: str, as_json: Callable[[Any], Any] | None = None
) -> int:
    """Print the result as JSON with --json (its ``to_json``, or ``as_json`` of it), else
    draw it with tracker.cli.render's function ``draw`` (rich loads only then)."""
    if args.json:
        _print_json(as_json(result) if as_json else result.to_json())
    else:
        _render(draw)(result)
    return 0


def _render(name: str) -> Callable[..., None]:
    """A drawing function of tracker.cli.render, imported when text is drawn."""

    def draw(*values: Any) -> None:
        from tracker.cli import render

        getattr(render, name)(*values)

    return draw


def _open_app(store: Store, document: str | None) -> int:
    if not sys.stdout.isatty() and not os.environ.get("TRACKER_FORCE_TUI"):
        raise TrackerError(
            "the review app needs a terminal", "run it in a terminal, or use 'tracker log'"
        )
    from tracker.tui.app import TrackerApp

    TrackerApp(store, document).run()
    return 0


@command("open")
def open_app(args: argparse.Namespace) -> int:
    store = _open(args)
    return _open_app(store, porcelain.document(store, args.file) if args.file else None)


@command("demo")
def demo(args: argparse.Namespace) -> int:
    # Like every path on the command line, --path is relative to -C DIR.
    path = args.path and os.path.abspath(os.path.join(args.directory, args.path))
    store, built = porcelain.demo(path, reset=args.reset)
    where = one_line(str(store.root))
    if not built:
        # Reopened as it was: the corrections made in it are the user's work.
        sys.stderr.write(
            f"tracker: reopened the demo store at {where} (tracker demo --reset starts afresh)\n"
        )
    if args.no_tui:
        print(where)  # alone on stdout, for scripts: cd "$(tracker demo --no-tui)"
        return 0
    print(f"Demo store: {where}")
    sys.stdout.flush()  # before the app takes the screen, so it stays in the scrollback
    return _open_app(store, None)


@command("init")
def init(args: argparse.Namespace) -> int:
    target = os.path.join(args.directory, args.path) if args.path else args.directory
    after_setup: list[str] = []
    store = porcelain.init(
        target, args.require_notes, args.author, after_setup,
        require_approval=args.require_approval, policy=args.policy or "",
    )  # fmt: skip
    print(f"Initialised tracker store in {one_line(str(store.root))}")
    _warn(after_setup)
    return 0


@command("config")
def config(args: argparse.Namespace) -> int:
    store = _open(args)
    if args.name is None or not args.value:
        settings = porcelain.settings(store)
        if args.name is not None:
            settings = {args.name: settings[args.name]}
        if args.json:
            _print_json(settings)
            return 0
        for name, value in settings.items():
            shown = (
                ", ".join(value) or "none" if isinstance(value, list)
                else value if isinstance(value, str)
                else "on" if value else "off"
            )  # fmt: skip
            print(f"{name:<17} {one_line(shown)}")
        return 0
    warnings: list[str] = []
    value: bool | str | list[str]
    said = " ".join(args.value)
    if args.name == "senior-editors":
        # The whole list, replaced; "none" alone names none (no editor is called that:
        # an editor is "Name <email>").
        value = [] if args.value == ["none"] else list(args.value)
    elif len(args.value) > 1:
        raise TrackerError(
            f"{args.name} takes one value, not {len(args.value)}",
            f"write: tracker config {args.name} VALUE",
        )
    elif args.name == "policy":
        value = args.value[0]
    elif args.value[0] in ("on", "off"):
        value = args.value[0] == "on"
    else:
        raise TrackerError(
            f"{args.name} is on or off, not {args.value[0]!r}",
            f"write: tracker config {args.name} on",
        )
    commit = porcelain.set_setting(store, args.name, value, args.author, warnings)
    if args.name == "senior-editors":  # as the store keeps them: each email once
        value = porcelain.settings(store)["senior-editors"]
        said = "; ".join(value) or "none"
    if args.json:
        _print_json({"setting": args.name, "value": value, "commit": commit})
    elif commit is None:
        print(f"{args.name} is already {one_line(said)}; nothing was written")
    else:
        print(f"{args.name} is now {one_line(said)} (settings commit {commit[:12]})")
    _warn(warnings)
    return 0


@command("add")
def add(args: argparse.Namespace) -> int:
    store = _open(args)
    warnings: list[str] = []
    rev = porcelain.add_document(store, args.file, args.summary, args.author, args.date, warnings)
    print(f"Tracking {one_line(porcelain.relpath(store, args.file))} (revision {rev[:12]})")
    _warn(warnings)
    return 0


@command("status")
def status(args: argparse.Namespace) -> int:
    pending = porcelain.status(_open(args), args.file)

    def as_json(pending: dict) -> dict:
        documents = [
            {"document": d, "missing": cs is None, "changes": [c.to_json() for c in cs or []]}
            for d, cs in pending.items()
        ]
        return {"documents": documents}

    return _json_or_text(args, pending, "status", as_json)


@command("record")
def record(args: argparse.Namespace) -> int:
    store = _open(args)
    porcelain.require_tracker_store(store)  # before naming the document: the store is wrong
    notes = _numbered(args.note, "--note")
    categories = _numbered(args.category, "--category")
    sources = _numbered(args.source, "--source")
    reader = {key: _numbered(getattr(args, key), _flag(key)) for key in NOTICE_FIELDS}
    for index in set(categories).union(sources, *reader.values()):
        if index not in notes:
            raise TrackerError(
                f"change {index} has a category, source or notice but no note",
                f"add --note {index}=TEXT",
            )
    inputs = {
        i: NoteInput(
            text,
            categories.get(i, "other"),
            sources.get(i, ""),
            **{key: given[i] for key, given in reader.items() if i in given},
        )  # fmt: skip
        for i, text in notes.items()
    }
    warnings: list[str] = []
    revision = porcelain.record_revision(
        store, porcelain.document(store, args.file), args.summary, args.reason, inputs,
        args.author, args.date, warnings,
    )  # fmt: skip
    if args.json:
        _print_json(revision.to_json())
    else:
        print(
            f"Recorded {revision.rev[:12]}: {len(revision.changes)} change(s),"
            f" {revision.note_count} note(s)"
        )
    _warn(warnings)
    return 0


@command("log")
def log(args: argparse.Namespace) -> int:
    store = _open(args)
    document = porcelain.document(store, args.file)
    options = {"search": args.search, "limit": args.limit, "unreviewed": args.unreviewed}
    if args.json:  # the hot path of scripts: streamed, and loads as little as it can
        sys.stdout.writelines(porcelain.log_json(store, document=document, **options))
        return 0
    revisions = porcelain.log(store, document=document, **options)
    from tracker.cli.log_text import write_log  # not render: rich is not needed here

    write_log(sys.stdout, revisions, document, policy=porcelain.policy_name(store))
    return 0


@command("show")
def show(args: argparse.Namespace) -> int:
    store = _open(args)
    revision = porcelain.show(store, args.rev, args.file)
    if args.json:
        return _json_or_text(args, revision, "show")
    _render("show")(revision, porcelain.policy_name(store))
    return 0


@command("diff")
def diff(args: argparse.Namespace) -> int:
    store = _open(args)
    result = porcelain.diff_words(store, args.args)
    if args.json:
        return _json_or_text(args, result, "diff")
    _render("diff")(result, args.layout or "side", args.width, porcelain.policy_name(store))
    return 0


@command("note")
def note(args: argparse.Namespace) -> int:
    warnings: list[str] = []
    commit = porcelain.note(
        _open(args), args.rev, args.index, args.text, args.category, args.source,
        args.author, args.date, warnings,
        **{key: getattr(args, key) for key in NOTICE_FIELDS},
    )  # fmt: skip
    if args.json:
        _print_json({"notes_commit": commit})
    else:
        print(f"Noted change {args.index} of {one_line(args.rev)} (notes commit {commit[:12]})")
    _warn(warnings)
    return 0


def _flag(key: str) -> str:
    """The command-line flag of a note's field ("reported_by" -> "--reported-by")."""
    return "--" + key.replace("_", "-")


@command("verify")
def verify(args: argparse.Namespace) -> int:
    report = porcelain.verify(
        _open(args), require_signatures=args.require_signatures, since=args.since
    )
    try:
        if args.json:
            _print_json(report.to_json())
        else:
            from tracker.cli import render

            render.verify(report)
    except BrokenPipeError:
        from tracker.cli.process import silence_stdout

        silence_stdout()  # verify | head: the findings go unread, the verdict stands
    return 0 if report.ok else 3


@command("blame")
def blame(args: argparse.Namespace) -> int:
    result = porcelain.blame(_open(args), args.file, by=args.by)
    return _json_or_text(args, result, "blame")


@command("review")
def review(args: argparse.Namespace) -> int:
    store = _open(args)
    status = APPROVED if args.approve else FLAGGED
    comment = args.comment if args.approve else args.flag
    commit = porcelain.review(store, args.rev, status, comment, args.author, args.date)
    rev = porcelain.resolve(store, args.rev)
    print(f"{status.capitalize()} {rev[:12]} (reviews commit {commit[:12]})")
    return 0


@command("export")
def export(args: argparse.Namespace) -> int:
    words = " ".join(args.range) or None  # every word of a range as git takes it
    text = porcelain.export(
        _open(args), args.document, rev_range=words, fmt=args.format, published=args.published
    )
    return _write_or_print(args.output, text)


def _write_or_print(output: str | None, text: str) -> int:
    if output and output != "-":
        porcelain.write_report(output, text)  # whole or nothing; regular files only
        print(f"Wrote {one_line(output)}")
    else:
        sys.stdout.write(text)
    return 0


@command("feed")
def feed(args: argparse.Namespace) -> int:
    result = porcelain.feed(
        _open(args), documents=args.documents, notices=args.notices, since=args.since,
        until=args.until, everything=args.everything, title=args.title,
        base_url=args.base_url, limit=args.limit,
    )  # fmt: skip
    return _write_or_print(args.output, porcelain.render_feed(result, args.format))


def _file_and_range(words: list[str]) -> tuple[str | None, str | None]:
    """``FILE [REV|A..B]``: the first word, and the rest as the range (the porcelain
    takes a first word that names no document as part of the range)."""
    return (words[0] if words else None), " ".join(words[1:]) or None


@command("notice")
def notice(args: argparse.Namespace) -> int:
    path, words = _file_and_range(args.words)
    text = porcelain.notice(
        _open(args), path, rev_range=words, fmt=args.format, published=args.published
    )
    if not text and not args.output:
        print(present.NO_NOTICES, file=sys.stderr)
    return _write_or_print(args.output, text)


@command("publish")
def publish(args: argparse.Namespace) -> int:
    path, words = _file_and_range(args.words)
    done = porcelain.publish(_open(args), path, rev_range=words, author=args.author,
                             date=args.date)  # fmt: skip
    if args.json:
        _print_json(done.to_json())
    elif not done.revisions:
        print(f"Nothing to publish: every revision of {one_line(done.document)} in the range"
              " was published before")  # fmt: skip
    else:
        print(
            f"Published {len(done.revisions)} revision(s) of {one_line(done.document)}"
            f" ({done.notices} change(s) with a notice), journal {done.journal_commit[:12]}"
        )
    return 0


@command("notes-history")
def notes_history(args: argparse.Namespace) -> int:
    store = _open(args)
    history = porcelain.notes_history(store, args.rev)
    return _json_or_text(
        args, history, "notes_history",
        lambda history: {"rev": porcelain.resolve(store, args.rev), "history": history},
    )  # fmt: skip


@command("remote")
def remote(args: argparse.Namespace) -> int:
    store = _open(args)
    if args.remote_action == "add":
        porcelain.remote_add(store, args.name, args.url)
        return 0
    known = porcelain.remotes(store)
    if args.json:
        _print_json([{"name": name, "url": url} for name, url in known])
    else:
        _render("remotes")(known)
    return 0


@command("sync")
def sync(args: argparse.Namespace) -> int:
    store = _open(args)

    def progress(step: SyncStep) -> None:
        # On stderr, so that --json's stdout stays one document; shown, never obeyed.
        kind = "warning: " if step.step == "warning" else ""
        sys.stderr.write(f"tracker: {kind}{one_line(step.detail)}\n")
        sys.stderr.flush()

    result = porcelain.sync(
        store, args.remote, author=args.author, progress=progress, settle=args.settle
    )
    return _json_or_text(args, result, "sync")
