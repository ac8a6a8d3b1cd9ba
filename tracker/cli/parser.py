"""Provides the command line's grammar: every command, its arguments, and the rule that
``tracker`` and ``tracker FILE`` open the app."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake as one line, like every other error."""

    def error(self, message: str) -> NoReturn:
        from tracker.text.escape import one_line

        # The message quotes what was typed, which may hold ESC or BEL (a pasted name).
        try:
            sys.stderr.write(f"tracker: error: {one_line(message)}; see '{self.prog} --help'\n")
            sys.stderr.flush()
        except OSError:
            pass  # nobody reads stderr (a closed pipe): the exit code still says it failed
        raise SystemExit(EXIT_USAGE)


def _count(text: str) -> int:
    value = int(text) if text.lstrip("-").isdigit() else -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count (0 or more)")
    return value


def _width(text: str) -> int:
    if not text.isdigit() or int(text) < 40:
        raise argparse.ArgumentTypeError(f"{text!r} is too narrow (at least 40 columns)")
    return int(text)


# The corrections policies (tracker/policy.py PRESETS; named here so that parsing the
# command line loads no more than it must).
_POLICIES = ("ap", "reuters", "nyt", "ipso")

# What a note tells readers (docs/corrections.md): record takes them as N=VALUE, note as
# VALUE, like --category and --source.
_READER_FLAGS = (
    (
        "--notice", "TYPE",
        "the notice readers get: none, correction, clarification, editors-note, update, "
        "withdrawal",
    ),
    ("--significance", "LEVEL", "minor (notice at the end) or significant (at the top)"),
    ("--reported-by", "WHO", "who reported the error (a reader, a source)"),
    ("--reported", "DATE", "when the error was reported (ISO 8601)"),
    ("--late-reason", "TEXT", "why the correction came more than 30 days after the report"),
)  # fmt: skip
_DERIVED = ("--notice", "--significance")  # left out: the policy's for the category


def build_parser() -> argparse.ArgumentParser:
    from tracker import __version__

    parser = _Parser(
        prog="tracker",
        description="Word-level revision history of documents, with a note on every change.",
    )
    parser.add_argument("-C", dest="directory", default=".", metavar="DIR", help="run as if in DIR")
    parser.add_argument("--version", action="version", version=f"tracker {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help: str, json_flag: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print one JSON document")
        return p

    p = command("demo", "open the bundled article's history (built the first time)")
    p.add_argument("--path", help="where to build it (default: a per-user data folder)")
    p.add_argument("--no-tui", action="store_true", help="only build it and print its path")
    p.add_argument(
        "--reset", action="store_true",
        help="delete the demo store (and any work done in it) and build it afresh",
    )  # fmt: skip

    p = command("open", "open the review app (also: tracker, tracker FILE)")
    p.add_argument("file", nargs="?")

    p = command("init", "make this folder (or DIR) a tracker store")
    p.add_argument("path", nargs="?", default=None)
    p.add_argument("--require-notes", action="store_true", help="refuse changes without a note")
    p.add_argument(
        "--require-approval", action="store_true",
        help="count a revision as approved only when another editor approves it",
    )  # fmt: skip
    p.add_argument(
        "--policy", choices=_POLICIES, help="the corrections policy (default: ap)"
    )  # fmt: skip
    p.add_argument("--author", help='"Name <email>" (default: git config user.name/email)')

    p = command(
        "config",
        "list the store's settings, turn one on or off, choose the policy, or name the"
        " senior editors",
        json_flag=True,
    )  # fmt: skip
    p.add_argument(
        "name", nargs="?",
        choices=["require-approval", "require-notes", "policy", "senior-editors"],
    )  # fmt: skip
    p.add_argument(
        "value", nargs="*",
        help="on or off; for policy: " + ", ".join(_POLICIES) + '; for senior-editors:'
        ' each "Name <email>" (the whole list), or none',
    )  # fmt: skip
    p.add_argument("--author", help="who changes the setting (default: git config)")

    p = command("add", "start tracking a document (records its first revision)")
    p.add_argument("file")
    p.add_argument("-m", dest="summary", help="summary (default: 'Add FILE')")
    p.add_argument("--author")
    p.add_argument("--date", help="ISO 8601 date (default: now)")

    p = command("status", "list the pending changes, numbered", json_flag=True)
    p.add_argument("file", nargs="?")

    p = command("record", "record the document's changes as a revision")
    p.add_argument("file")
    p.add_argument("-m", dest="summary", required=True, help="one-line summary")
    p.add_argument("--reason", default="", help="why this revision was made")
    p.add_argument(
        "--note", action="append", default=[], metavar="N=TEXT",
        help="the note of change N (as status numbers them); *=TEXT for every other change",
    )  # fmt: skip
    p.add_argument("--category", action="append", default=[], metavar="N=CAT")
    p.add_argument("--source", action="append", default=[], metavar="N=URL")
    for flag, metavar, says in _READER_FLAGS:
        derived = " (default: the policy's for the category)" if flag in _DERIVED else ""
        p.add_argument(
            flag, action="append", default=[], metavar=f"N={metavar}", help=says + derived
        )
    p.add_argument("--author")
    p.add_argument("--date", help="ISO 8601 date (default: now)")
    p.add_argument("--json", action="store_true", help="print the new revision as JSON")

    p = command("log", "list revisions, newest first", json_flag=True)
    p.add_argument("file", nargs="?")
    p.add_argument(
        "-S", dest="search", metavar="TEXT", help="only revisions that add or remove TEXT"
    )
    p.add_argument("-n", dest="limit", type=_count, metavar="N", help="at most N revisions")
    p.add_argument("--unreviewed", action="store_true", help="only revisions awaiting review")

    p = command("show", "show a revision: summary, reason, changes and notes", json_flag=True)
    p.add_argument("rev")
    p.add_argument("file", nargs="?")

    p = command(
        "diff",
        "word diff: work tree vs HEAD, REV_A vs work tree, or REV_A vs REV_B",
        json_flag=True,
    )
    p.add_argument("args", nargs="*", metavar="[REV_A [REV_B]] [FILE]")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--inline", dest="layout", action="store_const", const="inline")
    mode.add_argument("--side-by-side", dest="layout", action="store_const", const="side")
    p.add_argument("--width", type=_width, help="output width in columns (at least 40)")

    p = command("note", "add or correct the note of a past change (kept in refs/notes/tracker)")
    p.add_argument("rev")
    p.add_argument("index", type=int, metavar="N")
    p.add_argument("text")
    p.add_argument("--category", default=None)
    p.add_argument("--source", default=None, help="default: the current note's source")
    for flag, metavar, says in _READER_FLAGS:
        p.add_argument(flag, default=None, metavar=metavar, help=f"{says} (default: the note's)")
    p.add_argument("--author")
    p.add_argument("--date")
    p.add_argument("--json", action="store_true")

    p = command(
        "verify", "check the store: integrity, records, notes, journal, signatures", json_flag=True
    )
    p.add_argument("--require-signatures", action="store_true", help="fail on unsigned commits")
    p.add_argument(
        "--since", metavar="REV", help="check only what was written after REV (an ancestor of HEAD)"
    )

    p = command("blame", "the revision and reason behind each sentence", json_flag=True)
    p.add_argument("file", nargs="?")
    p.add_argument("--by", choices=["sentence", "paragraph", "line"], default="sentence")

    p = command("review", "approve a revision, or flag it with a comment")
    p.add_argument("rev")
    verdict = p.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--approve", action="store_true")
    verdict.add_argument("--flag", metavar="TEXT")
    p.add_argument("--comment", default="", help="a comment with an approval")
    p.add_argument("--author")
    p.add_argument("--date")

    p = command("export", "corrections report: html, md or json")
    p.add_argument(
        "range",
        nargs="*",
        metavar="REV_RANGE",
        help="REV, or a range as git takes it: A..B, A...B, ^A B, HEAD~3.. (default: all);"
        " a word naming a document is the document",
    )
    p.add_argument("--format", choices=["html", "md", "json"], default="html")
    p.add_argument("-o", dest="output", metavar="FILE", help="write to FILE (default: stdout)")
    p.add_argument("--file", dest="document", help="the document (when there are several)")
    p.add_argument(
        "--published", action="store_true", help="only the notices a publish made public"
    )

    p = command("notice", "the reader-facing notices of a document's changes")
    p.add_argument(
        "words", nargs="*", metavar="FILE [REV|A..B]",
        help="the document, and REV or a range as export takes it (default: all)",
    )  # fmt: skip
    p.add_argument("--format", choices=["md", "html", "json"], default="md")
    p.add_argument("--published", action="store_true", help="only published notices")
    p.add_argument("-o", dest="output", metavar="PATH", help="write to PATH (default: stdout)")

    p = command(
        "publish", "publish the notices of revisions approved by a second editor", json_flag=True
    )
    p.add_argument(
        "words", nargs="*", metavar="FILE [REV|A..B]",
        help="the document, and REV or a range as export takes it (default: all)",
    )  # fmt: skip
    p.add_argument("--author", help='"Name <email>" (default: git config user.name/email)')
    p.add_argument("--date", help="when it was published (ISO 8601; default: now)")

    p = command("feed", "the corrections feed of every document: atom, json or html")
    p.add_argument("--format", choices=["atom", "json", "html"], default="atom")
    p.add_argument("-o", dest="output", metavar="FILE", help="write to FILE (default: stdout)")
    p.add_argument(
        "--document", dest="documents", action="append", default=[], metavar="DOC",
        help="only this document's notices (again for more)",
    )  # fmt: skip
    p.add_argument(
        "--notice", dest="notices", action="append", default=[], metavar="TYPE",
        help="only notices of this type: correction, clarification, editors-note, update,"
        " withdrawal (again for more)",
    )  # fmt: skip
    p.add_argument("--since", metavar="DATE", help="published on or after DATE (YYYY-MM-DD)")
    p.add_argument("--until", metavar="DATE", help="published on or before DATE (YYYY-MM-DD)")
    p.add_argument(
        "--all", dest="everything", action="store_true",
        help="also the notices not yet published (marked): the desk's own view",
    )  # fmt: skip
    p.add_argument("--base-url", default="", metavar="URL", help="link each notice to URL/DOC")
    p.add_argument("--title", default="Corrections", help='the feed\'s title ("Corrections")')
    p.add_argument(
        "-n", "--limit", dest="limit", type=_count, metavar="N",
        help="only the N newest notices (a subscription feed's size; default: every one)",
    )  # fmt: skip

    p = command(
        "notes-history", "every wording of a revision's notes, oldest first", json_flag=True
    )
    p.add_argument("rev")

    p = command("remote", "list the remotes to sync with, or add one", json_flag=True)
    actions = p.add_subparsers(dest="remote_action", metavar="ACTION", parser_class=_Parser)
    added = actions.add_parser("add", help="name a remote: tracker remote add NAME URL")
    added.add_argument("name")
    added.add_argument("url", help="a path, file://, git://, http(s)://, ssh:// or host:path")

    p = command(
        "sync", "fetch, merge and push revisions, notes, reviews and journal", json_flag=True
    )
    p.add_argument("remote", nargs="?", metavar="NAME", help="default: the only remote, or origin")
    p.add_argument("--author", help='"Name <email>" for merge commits (default: git config)')
    p.add_argument(
        "--settle",
        action="store_true",
        help="set aside your revisions that overlap the remote's (kept, with their notes) "
        "and leave your wording in the file, to edit and record",
    )
    return parser


def with_default_command(argv: list[str], commands: set[str]) -> list[str]:
    """``tracker`` and ``tracker FILE`` open the app: insert the implied ``open``."""
    position = 0
    while position < len(argv):
        word = argv[position]
        if word == "-C":
            position += 2
            continue
        if word.startswith("-C") and len(word) > 2:
            position += 1
            continue
        if word in ("-h", "--help", "--version"):
            return argv
        if word in commands:
            return argv
        return [*argv[:position], "open", *argv[position:]]
    return [*argv, "open"]
