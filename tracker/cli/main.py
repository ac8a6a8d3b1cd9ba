"""Provides ``tracker``'s entry point: parse the arguments, run the command's adapter
(tracker.cli.commands), and turn every failure into one line and an exit code.

Every failure the user can cause ends as one line on stderr and a non-zero exit code;
commands that print JSON import neither rich nor textual (they are loaded lazily).
"""

from __future__ import annotations

# Only what the interpreter has already loaded is imported here: Ctrl-C while this module
# loads would print a traceback. Everything else is imported inside main(), under its guard.
import os
import sys

from tracker.cli import process
from tracker.errors import TrackerError  # imports nothing itself


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code; no traceback ever reaches the user."""
    try:
        if argv is None:
            process.reexec_in_utf8_mode()
        process.never_fail_on_encoding()
        code = _main(argv)
        # Write buffered output now, where a closed pipe or a full disk can be reported,
        # rather than at exit, where Python would print "Exception ignored" and exit 120.
        try:
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader left after the command was done: its exit code stands (verify's
            # findings may go unread, but must not turn into OK).
            process.silence_stdout()
        return code
    except KeyboardInterrupt:
        return process.interrupted()
    except BrokenPipeError:
        # The reader (e.g. head) went away; that is not an error of ours (git does the same).
        process.silence_stdout()
        return 0
    except OSError as error:  # stdout itself failed: /dev/full, a closed terminal
        process.silence_stdout()
        if process.written():
            return process.output_lost(error)
        process.error_line(f"cannot write the output: {error.strerror or error}")
        return 1
    except Exception as exc:  # a bug in the error handling itself: still no traceback
        if os.environ.get("TRACKER_DEBUG"):
            raise
        process.error_line(
            f"internal error: {type(exc).__name__} (set TRACKER_DEBUG=1 for details)"
        )
        return process.EXIT_INTERNAL


def _main(argv: list[str] | None) -> int:
    from tracker.cli.parser import build_parser, with_default_command

    parser = build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    args = parser.parse_args(
        with_default_command(list(sys.argv[1:] if argv is None else argv), commands)
    )
    try:
        from tracker.cli.commands import run

        return run(args)
    except TrackerError as exc:
        process.error_line(exc.one_line())
        return exc.exit_code
    except (KeyboardInterrupt, BrokenPipeError):
        raise
    except OSError as error:
        if error.filename is None:
            process.silence_stdout()  # it may be stdout that failed: do not fail again at exit
            if process.written():
                return process.output_lost(error)
        # Ordinary conditions of the file system (read-only, full, no permission) are the
        # user's to fix, not internal errors.
        process.error_line(process.os_error(error).one_line())
        return 1
    except Exception as exc:  # the user must never see a traceback
        if os.environ.get("TRACKER_DEBUG"):
            raise
        return process.internal_error(exc)
