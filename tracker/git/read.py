"""Reads from git in bulk: one streaming listing, one long-lived ``cat-file --batch``.

Speed on long histories comes from talking to git once per job, not once per commit:
a listing streams NUL-separated records as git writes them, and every blob, tree and
commit a command needs goes through one ``git cat-file --batch`` process. Both start
through the hardened door (cmd.py) with the same environment and pinned settings.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

from tracker.errors import GitError
from tracker.git.cmd import _not_started, _subcommand, git_argv, hardened_env, run


def stream_records(cwd: Path | str, *args: str, fields: int) -> Iterator[list[bytes]]:
    """Run one git listing whose format ends every field with NUL, and yield its records
    (lists of ``fields`` fields) as they arrive.

    NUL is the one byte a commit message cannot hold, so no text in a field can be
    mistaken for a separator; records are told apart by counting fields.
    """
    try:
        proc = subprocess.Popen(
            git_argv(args),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=hardened_env(cwd),
        )
    except FileNotFoundError as exc:
        raise _not_started(cwd) from exc
    assert proc.stdout is not None
    # The unfinished field as a list of pieces, joined once when its NUL arrives: growing
    # one bytes object chunk by chunk (and splitting it again each time) is quadratic in
    # the size of one huge field.
    pending: list[bytes] = []
    record: list[bytes] = []
    try:
        while chunk := proc.stdout.read1(1 << 16):
            *complete, rest = chunk.split(b"\x00")
            if complete and pending:
                complete[0] = b"".join((*pending, complete[0]))
                pending = []
            if rest:
                pending.append(rest)
            for field in complete:
                # git puts a newline between commits: it lands before the first field.
                record.append(field if record else field.lstrip(b"\n"))
                if len(record) == fields:
                    yield record
                    record = []
    finally:
        proc.stdout.close()
        stderr = proc.stderr.read() if proc.stderr else b""
        code = proc.wait()
        if proc.stderr:
            proc.stderr.close()
    if code != 0:
        lines = stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {_subcommand(args)} failed: {lines[-1] if lines else code}")


class BlobReader:
    """Reads many objects through one ``git cat-file --batch`` process."""

    def __init__(self, cwd: Path | str) -> None:
        self._cwd = cwd
        try:
            self._proc = subprocess.Popen(
                git_argv(["cat-file", "--batch"]),
                cwd=cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=hardened_env(cwd),
            )
        except FileNotFoundError as exc:
            raise _not_started(cwd) from exc

    def read(self, name: str) -> bytes | None:
        """The object's bytes, or None when it does not exist (e.g. a path not in a commit)."""
        if "\n" in name:
            # The batch protocol ends a name at a newline, but a file name may hold one:
            # resolve such a name to its object id with one git call of its own.
            proc = run(self._cwd, "rev-parse", "--verify", "--quiet", name, check=False)
            oid = proc.stdout.decode("ascii", "replace").strip()
            if proc.returncode != 0 or not oid or "\n" in oid:
                return None
            name = oid
        assert self._proc.stdin is not None and self._proc.stdout is not None
        try:
            self._proc.stdin.write(name.encode("utf-8") + b"\n")
            self._proc.stdin.flush()
            header = self._proc.stdout.readline()
        except (BrokenPipeError, OSError):
            header = b""
        if not header:
            # cat-file exits when it cannot read an object: a damaged repository.
            raise GitError(
                f"git could not read {name}: the repository may be damaged",
                "run 'tracker verify' or 'git fsck --full'",
            )
        if header.endswith(b"missing\n") or header.endswith(b"ambiguous\n"):
            return None
        size = int(header.split()[2])
        data = self._proc.stdout.read(size + 1)
        return data[:-1]

    def close(self) -> None:
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._proc.wait()

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
