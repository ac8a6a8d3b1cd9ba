"""Provides what keeps the ``tracker`` process honest whatever happens to it: one error
line and no traceback, a closed pipe or a full disk reported (or not) as git would, a
Ctrl-C that says so, and output that never fails on encoding.

Only what the interpreter has already loaded is imported at module level: Ctrl-C while
this loads would print a traceback.
"""

from __future__ import annotations

import os
import sys

from tracker.errors import TrackerError  # imports nothing itself

EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130


def written() -> bool:
    """Whether a writing command has passed its commit point (its ref moved)."""
    porcelain = sys.modules.get("tracker.porcelain")  # not loaded: nothing was written
    return bool(porcelain and porcelain.written())


def output_lost(error: OSError) -> int:
    """The write is done; only its report could not be printed (a full disk behind a
    redirect). Exit 0, as promised for a write past its commit point, and say so."""
    import contextlib

    with contextlib.suppress(OSError):
        sys.stderr.write(
            "tracker: warning: done and kept in the store, but the command's output could"
            f" not be written ({error.strerror or error}); see the result with 'tracker log'\n"
        )
    return 0


def error_line(text: str) -> None:
    try:
        sys.stderr.write(f"tracker: error: {text}\n")
        sys.stderr.flush()
    except OSError:
        silence(sys.stderr)  # nobody reads stderr: the exit code still says it failed


def os_error(error: OSError) -> TrackerError:
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


def interrupted() -> int:
    import contextlib
    import signal

    # A second Ctrl-C while we stop must not print a traceback either.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        sys.stderr.write("tracker: interrupted\n")
    return EXIT_INTERRUPTED


def silence_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit cannot fail again."""
    silence(sys.stdout)


def silence(stream) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a file (a test's StringIO): nothing is flushed at exit


def reexec_in_utf8_mode() -> None:
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


def never_fail_on_encoding() -> None:
    """A character the output encoding lacks is printed as an escape, never a crash.

    This also stops a lone surrogate (an undecodable byte in a file name) from going out
    as a raw byte such as 0x9B, which some terminals read as the start of a sequence.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def internal_error(exc: Exception) -> int:
    """A bug: one line naming it, and the way to see the traceback (TRACKER_DEBUG=1)."""
    from tracker.text.escape import one_line

    try:
        sys.stderr.write(
            f"tracker: internal error: {type(exc).__name__}: {one_line(str(exc))[:300]}"
            " (set TRACKER_DEBUG=1 for details)\n"
        )
        sys.stderr.flush()
    except OSError:
        silence(sys.stderr)  # nobody reads stderr: the exit code still says it failed
    return EXIT_INTERNAL
