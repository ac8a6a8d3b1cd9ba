"""Provides the one way a corrections report reaches a file: whole or not at all.

Both faces write every export (html, md, json) through ``write_report`` (the CLI's ``-o``,
the app's ``x``), so what a report may replace and how a failure reads is decided here.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from tracker.errors import TrackerError


def write_report(path: str | Path, text: str) -> None:
    """Write a report whole or not at all, only as a regular file or a new one.

    What is already at ``path`` and is not a regular file stays as it is: replacing a
    FIFO, a device or a symlink would break whatever relied on it (or write through the
    link into someone else's file). The temporary file gets a fresh name (mkstemp), so
    nothing planted under a fixed name is followed either.
    """
    target = Path(path).absolute()
    hints = {
        errno.ENOSPC: "the disk is full; free some space and try again",
        errno.EROFS: "the file system is read-only; write the report elsewhere",
        errno.EACCES: "check the permissions of the folder",
    }

    def failed(error: OSError) -> TrackerError:
        hint = hints.get(error.errno or 0, "check the path and try again")
        return TrackerError(f"cannot write {path}: {error.strerror or error}", hint)

    try:
        mode: int | None = os.lstat(target).st_mode  # lstat: a symlink is seen, not followed
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise failed(error) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise TrackerError(f"{path} is a folder", "move it away or write the report elsewhere")
    if mode is not None and not stat.S_ISREG(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
        raise TrackerError(
            f"{path} is {kind}", "a report replaces only a regular file; move it away"
        )
    try:
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tracker-export-")
    except OSError as error:
        raise failed(error) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        umask = os.umask(0)  # mkstemp makes the file private; a report is made to be read
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)  # a half-written report is litter, not a result
        raise failed(error) from None
