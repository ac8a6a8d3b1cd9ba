"""Provides the store lock: one tracker process writes to a store at a time.

Two files make the lock:

* ``.git/tracker.lock.guard`` is never deleted; a writer holds an exclusive ``flock`` on
  it for the whole write. The kernel gives it to one process at a time and releases it
  when that process dies, so there is no window in which two writers both hold the lock
  and no stale guard to clean up.
* ``.git/tracker.lock`` holds the writer's process id, written whole (a temporary file
  renamed into place), so that a process turned away can name who holds the store and
  a person can see it. A lock file left by a process that has died is taken over; one
  whose process is alive (an older tracker, or one started by hand) is respected.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from tracker.errors import LockedError

LOCK_NAME = "tracker.lock"
GUARD_NAME = "tracker.lock.guard"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _holder(path: Path) -> int:
    """The pid in a lock file (0 when it is missing, empty or not a number)."""
    try:
        return int(path.read_text().strip() or "0")
    except (OSError, ValueError):
        return 0


def _locked(path: Path, pid: int) -> LockedError:
    who = f" (pid {pid})" if pid else ""
    return LockedError(
        f"the store is locked by another tracker process{who}",
        f"wait for it to finish, or delete {path} if no tracker is running",
    )


@contextlib.contextmanager
def store_lock(git_dir: Path) -> Iterator[None]:
    """Hold the store lock for the duration, or raise LockedError at once."""
    path = git_dir / LOCK_NAME
    guard = os.open(git_dir / GUARD_NAME, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(guard, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _locked(path, _holder(path)) from None
        # We are the only tracker process that holds the guard; a pid file still there
        # was written by one that died (take it over) or by a process that does not use
        # the guard (respect it while that process lives).
        pid = _holder(path)
        if pid and _alive(pid):
            raise _locked(path, pid)
        temporary = git_dir / f"{LOCK_NAME}.{os.getpid()}"
        try:
            temporary.write_text(str(os.getpid()))
            os.replace(temporary, path)
        except OSError:
            # A full disk makes the file but not its content: leave no litter in .git,
            # one more on every try.
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        try:
            yield
        finally:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
    finally:
        os.close(guard)  # releases the flock
