"""Provides the store lock: one tracker process writes to a store at a time."""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from tracker.errors import LockedError

LOCK_NAME = "tracker.lock"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def store_lock(git_dir: Path) -> Iterator[None]:
    """Hold ``.git/tracker.lock`` for the duration; a lock left by a dead process is taken over."""
    path = git_dir / LOCK_NAME
    for _attempt in range(2):
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
            try:
                pid = int(path.read_text().strip() or "0")
            except (OSError, ValueError):
                pid = 0
            if pid and _alive(pid):
                raise LockedError(
                    f"the store is locked by another tracker process (pid {pid})",
                    f"wait for it to finish, or delete {path} if no tracker is running",
                ) from None
            # The process that held it is gone: its lock protects nothing any more.
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        return
    raise LockedError("could not lock the store", f"delete {path} and try again")
