"""Provides ``tracker``'s entry point: parse arguments, call the API, print, map errors.

Every failure the user can cause ends as one line on stderr and a non-zero exit code;
commands that print JSON import neither rich nor textual (they are loaded lazily).
"""

from __future__ import annotations

# Only what the interpreter has already loaded is imported here: Ctrl-C while this module
# loads would print a traceback. Everything else is imported inside main(), under its guard.
import os
import sys

from tracker.errors import TrackerError  # imports nothing itself

TYPE_CHECKING = False  # as typing.TYPE_CHECKING, without loading typing (5 ms)
if TYPE_CHECKING:
    import argparse
    from typing import Any

EXIT_INTERNAL = 70
WRITING_COMMANDS = frozenset({"init", "add", "record", "note", "review"})
EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code; no traceback ever reaches the user."""
    try:
        if argv is None:
            _reexec_in_utf8_mode()
        _never_fail_on_encoding()
        code = _main(argv)
        # Write buffered output now, where a closed pipe or a full disk can be reported,
        # rather than at exit, where Python would print "Exception ignored" and exit 120.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader left after the command was done: its exit code stands (verify's
            # findings may go unread, but must not turn into OK).
            _silence_stdout()
        return code
    except KeyboardInterrupt:
        return _interrupted()
    except BrokenPipeError:
        # The reader (e.g. head) went away; that is not an error of ours (git does the same).
        _silence_stdout()
        return 0
    except OSError as error:  # stdout itself failed: /dev/full, a closed terminal
        _silence_stdout()
        if _written():
            return _output_lost(error)
        _error_line(f"cannot write the output: {error.strerror or error}")
        return 1
    except Exception as exc:  # a bug in the error handling itself: still no traceback
        if os.environ.get("TRACKER_DEBUG"):
            raise
        _error_line(f"internal error: {type(exc).__name__} (set TRACKER_DEBUG=1 for details)")
        return EXIT_INTERNAL


def _main(argv: list[str] | None) -> int:
    from tracker.cli.parser import build_parser, with_default_command

    parser = build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    args = parser.parse_args(
        with_default_command(list(sys.argv[1:] if argv is None else argv), commands)
    )
    try:
        if args.command not in WRITING_COMMANDS:
            return _dispatch(args)
        from tracker.recording import interrupts_deferred_at_commit

        # Ctrl-C after the commit point must not report a failure for a completed write.
        with interrupts_deferred_at_commit():
            return _dispatch(args)
    except TrackerError as exc:
        _error_line(exc.one_line())
        return exc.exit_code
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except OSError as error:
        if error.filename is None:
            _silence_stdout()  # it may be stdout that failed: do not fail again at exit
            if _written():
                return _output_lost(error)
        # Ordinary conditions of the file system (read-only, full, no permission) are the
        # user's to fix, not internal errors.
        _error_line(_os_error(error).one_line())
        return 1
    except Exception as exc:  # the user must never see a traceback
        if os.environ.get("TRACKER_DEBUG"):
            raise
        from tracker.text.escape import one_line

        try:
            sys.stderr.write(
                f"tracker: internal error: {type(exc).__name__}: {one_line(str(exc))[:300]}"
                " (set TRACKER_DEBUG=1 for details)\n"
            )
            sys.stderr.flush()
        except OSError:
            _silence(sys.stderr)  # nobody reads stderr: the exit code still says it failed
        return EXIT_INTERNAL


def _written() -> bool:
    """Whether a writing command has passed its commit point (its ref moved)."""
    recording = sys.modules.get("tracker.recording")  # not loaded: nothing was written
    return bool(recording and recording.past_commit_point())


def _output_lost(error: OSError) -> int:
    """The write is done; only its report could not be printed (a full disk behind a
    redirect). Exit 0, as promised for a write past its commit point, and say so."""
    import contextlib

    with contextlib.suppress(OSError):
        sys.stderr.write(
            "tracker: warning: done and kept in the store, but the command's output could"
            f" not be written ({error.strerror or error}); see the result with 'tracker log'\n"
        )
    return 0


def _error_line(text: str) -> None:
    try:
        sys.stderr.write(f"tracker: error: {text}\n")
        sys.stderr.flush()
    except OSError:
        _silence(sys.stderr)  # nobody reads stderr: the exit code still says it failed


def _os_error(error: OSError) -> TrackerError:
    """An ``OSError`` as a TrackerError naming the file and what to do."""
    import errno

    # filename is a path (str or bytes), or an int when the call was given a descriptor.
    name = error.filename
    where = f"{os.fsdecode(name)}: " if isinstance(name, (str, bytes, os.PathLike)) else ""
    hints = {
        errno.ENOSPC: "the disk is full; free some space and try again",
        errno.EDQUOT: "the disk quota is used up; free some space and try again",
        errno.EROFS: "the file system is read-only; work in a writable copy",
        errno.EACCES: "check the permissions of the store and the file",
        errno.EPERM: "check the permissions of the store and the file",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.ENOENT: "choose a folder that exists",
    }
    hint = hints.get(error.errno or 0, "check the path and try again")
    return TrackerError(f"{where}{error.strerror or error}", hint)


def _interrupted() -> int:
    import contextlib
    import signal

    # A second Ctrl-C while we stop must not print a traceback either.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        sys.stderr.write("tracker: interrupted\n")
    return EXIT_INTERRUPTED


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit cannot fail again."""
    _silence(sys.stdout)


def _silence(stream) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a file (a test's StringIO): nothing is flushed at exit


def _reexec_in_utf8_mode() -> None:
    """Under the C locale with Python's coercion and UTF-8 mode off, restart in UTF-8 mode.

    There Python reads file names and arguments as ASCII: a name like café.txt cannot be
    opened and a note with an accent could not be printed. Documents, notes and git's
    output are UTF-8 whatever the locale, so the tracker runs as if PYTHONUTF8=1 (as git
    writes UTF-8 whatever the locale).
    """
    import codecs

    if sys.flags.utf8_mode or codecs.lookup(sys.getfilesystemencoding()).name != "ascii":
        return
    original = getattr(sys, "orig_argv", None)
    if not original or not sys.executable:
        return
    os.execv(sys.executable, [sys.executable, "-X", "utf8", *original[1:]])


def _never_fail_on_encoding() -> None:
    """A character the output encoding lacks is printed as an escape, never a crash.

    This also stops a lone surrogate (an undecodable byte in a file name) from going out
    as a raw byte such as 0x9B, which some terminals read as the start of a sequence.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _log_json(args: argparse.Namespace) -> int:
    from tracker.logjson import log_json
    from tracker.store import Store

    store = Store.open(args.directory)
    if args.directory != ".":
        os.chdir(args.directory)
    document = store.document(args.file)
    sys.stdout.writelines(log_json(store, document, args.search, args.limit, args.unreviewed))
    return 0


def _open_app(store, document: str | None) -> int:
    if not sys.stdout.isatty() and not os.environ.get("TRACKER_FORCE_TUI"):
        raise TrackerError(
            "the review app needs a terminal", "run it in a terminal, or use 'tracker log'"
        )
    from tracker.tui.app import TrackerApp

    TrackerApp(store, document).run()
    return 0


def _print_json(data: Any) -> None:
    # ASCII-only JSON cannot carry a raw control or bidi character to the terminal.
    # Compact: with indent, json falls back to its pure-Python encoder (10x slower).
    import json

    sys.stdout.write(json.dumps(data, ensure_ascii=True) + "\n")


def _warn(warnings: list[str]) -> None:
    """Problems after the commit point: the command succeeded, but the user should know."""
    from tracker.text.escape import one_line  # a file name in it must not reach the terminal raw

    for warning in warnings:
        sys.stderr.write(f"tracker: warning: {one_line(warning)}\n")


def _numbered(values: list[str], flag: str) -> dict[int, str]:
    """``N=VALUE`` flags by change number; ``*=VALUE`` is for every change without its own."""
    from tracker.recording import EVERY_OTHER_CHANGE

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


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "log" and args.json:
        return _log_json(args)  # the hot path of scripts: loads as little as it can
    if args.command == "open":
        from tracker.store import Store  # start-up time is the app's first impression

        store = Store.open(args.directory)
        if args.directory != ".":
            os.chdir(args.directory)
        return _open_app(store, store.document(args.file) if args.file else None)

    from tracker import porcelain  # imports no UI and no GitPython (see test_import_hygiene)
    from tracker.text.escape import one_line  # every name printed is shown, never obeyed

    if args.command == "demo":
        from tracker.demo import open_demo

        # Like every path on the command line, --path is relative to -C DIR.
        path = args.path and os.path.abspath(os.path.join(args.directory, args.path))
        store, built = open_demo(path, reset=args.reset)
        where = one_line(str(store.root))
        if not built:
            # Reopened as it was: the corrections made in it are the user's work.
            sys.stderr.write(
                f"tracker: reopened the demo store at {where}"
                " (tracker demo --reset starts afresh)\n"
            )
        if args.no_tui:
            print(where)  # alone on stdout, for scripts: cd "$(tracker demo --no-tui)"
            return 0
        print(f"Demo store: {where}")
        sys.stdout.flush()  # before the app takes the screen, so it stays in the scrollback
        return _open_app(store, None)

    if args.command == "init":
        target = os.path.join(args.directory, args.path) if args.path else args.directory
        after_setup: list[str] = []
        store = porcelain.init(target, args.require_notes, args.author, after_setup)
        print(f"Initialised tracker store in {one_line(str(store.root))}")
        _warn(after_setup)
        return 0

    store = porcelain.open_store(args.directory)
    # Paths on the command line are relative to -C DIR, as with git.
    if args.directory != ".":
        os.chdir(args.directory)

    if args.command == "add":
        warnings: list[str] = []
        rev = porcelain.add_document(
            store, args.file, args.summary, args.author, args.date, warnings
        )
        print(f"Tracking {one_line(store.relpath(args.file))} (revision {rev[:12]})")
        _warn(warnings)
        return 0

    if args.command == "status":
        pending = porcelain.status(store, args.file)
        if args.json:
            _print_json(
                {
                    "documents": [
                        {
                            "document": d,
                            "missing": cs is None,
                            "changes": [c.to_json() for c in cs or []],
                        }
                        for d, cs in pending.items()
                    ]
                }
            )
            return 0
        from tracker.cli import render

        render.status(pending)
        return 0

    if args.command == "record":
        porcelain.require_tracker_store(store)  # before naming the document: the store is wrong
        notes = _numbered(args.note, "--note")
        categories = _numbered(args.category, "--category")
        sources = _numbered(args.source, "--source")
        for index in set(categories) | set(sources):
            if index not in notes:
                raise TrackerError(
                    f"change {index} has a category or source but no note",
                    f"add --note {index}=TEXT",
                )
        warnings = []
        inputs = {
            i: porcelain.NoteInput(text, categories.get(i, "other"), sources.get(i, ""))
            for i, text in notes.items()
        }
        revision = porcelain.record_revision(
            store,
            store.document(args.file),
            args.summary,
            args.reason,
            inputs,
            args.author,
            args.date,
            warnings,
        )
        if args.json:
            _print_json(revision.to_json())
        else:
            print(
                f"Recorded {revision.rev[:12]}: {len(revision.changes)} change(s),"
                f" {revision.note_count} note(s)"
            )
        _warn(warnings)
        return 0

    if args.command == "log":
        doc = store.document(args.file)
        revisions = list(store.log(doc, args.search, args.limit, unreviewed=args.unreviewed))
        from tracker.cli import render

        render.log(revisions, doc)
        return 0

    if args.command == "show":
        revision = porcelain.show(store, args.rev, args.file)
        if args.json:
            _print_json(revision.to_json())
            return 0
        from tracker.cli import render

        render.show(revision)
        return 0

    if args.command == "diff":
        result = _diff(store, args.args)
        if args.json:
            _print_json(result.to_json())
            return 0
        from tracker.cli import render

        render.diff(result, args.layout or "side", args.width)
        return 0

    if args.command == "note":
        # A correction keeps what it does not mention: the category and the source.
        current = next(
            (
                c.note
                for c in porcelain.show(store, args.rev).changes
                if c.index == args.index and c.note
            ),
            None,
        )
        category = args.category or (current.category if current else "other")
        source = args.source if args.source is not None else (current.source if current else "")
        commit = porcelain.note(
            store, args.rev, args.index, args.text, category, source, args.author, args.date
        )
        if args.json:
            _print_json({"notes_commit": commit})
        else:
            print(f"Noted change {args.index} of {one_line(args.rev)} (notes commit {commit[:12]})")
        return 0

    if args.command == "verify":
        from tracker.audit.verify import verify

        report = verify(store, args.require_signatures)
        try:
            if args.json:
                _print_json(report.to_json())
            else:
                from tracker.cli import render

                render.verify(report)
        except BrokenPipeError:
            _silence_stdout()  # verify | head: the findings go unread, the verdict stands
        return 0 if report.ok else 3

    if args.command == "blame":
        from tracker.audit.blame import blame

        doc = store.document(args.file)
        _text, units = blame(store, doc, args.by)
        if args.json:
            _print_json({"file": doc, "by": args.by, "units": [u.to_json() for u in units]})
            return 0
        from tracker.cli import render

        render.blame(units)
        return 0

    if args.command == "review":
        from tracker.reviews import APPROVED, FLAGGED

        status = APPROVED if args.approve else FLAGGED
        comment = args.comment if args.approve else args.flag
        commit = porcelain.review(store, args.rev, status, comment, args.author, args.date)
        print(
            f"{status.capitalize()} {store.resolve(args.rev)[:12]} (reviews commit {commit[:12]})"
        )
        return 0

    if args.command == "export":
        from tracker.export import build_report
        from tracker.export import render as render_report

        words, named = list(args.range), args.document
        if named is None and words and _is_document(store, words[-1]):
            named = words.pop()  # 'tracker export GUIDE.md', as with log, blame and diff
        doc = store.document(named)
        text = render_report(build_report(store, doc, " ".join(words) or None), args.format)
        if args.output and args.output != "-":
            porcelain.write_report(args.output, text)  # whole or nothing; regular files only
            print(f"Wrote {one_line(args.output)}")
        else:
            sys.stdout.write(text)
        return 0

    if args.command == "notes-history":
        history = porcelain.notes_history(store, args.rev)
        if args.json:
            _print_json({"rev": store.resolve(args.rev), "history": history})
            return 0
        from tracker.cli import render

        render.notes_history(history)
        return 0
    raise TrackerError(f"unknown command {args.command!r}", "see 'tracker --help'")


def _diff(store, words: list[str]):
    """Sort ``[REV_A [REV_B]] [FILE]``: a last word that names a document is the file."""
    from tracker import porcelain

    words = list(words)
    path = None
    if "--" in words:
        cut = words.index("--")
        words, rest = words[:cut], words[cut + 1 :]
        path = rest[0] if rest else None
    elif words and _is_document(store, words[-1]):
        path = words.pop()
    if len(words) > 2:
        raise TrackerError(
            "diff takes at most two revisions and a file", "see 'tracker diff --help'"
        )
    old = words[0] if words else None
    new = words[1] if len(words) > 1 else None
    return porcelain.diff(store, old, new, path)


def _is_document(store, word: str) -> bool:
    if word.startswith("-"):
        return False
    try:
        return store.relpath(word) in store.documents()
    except TrackerError:
        # A file that exists but cannot be a document (a symlink out of the store): say
        # so, rather than call it an unknown revision.
        return os.path.lexists(word)
