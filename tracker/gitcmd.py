"""Provides the only door to git: hardened invocations, streaming listings, a blob reader.

Every git process the tracker starts:

* gets an environment with every ``GIT_*`` variable removed, so a hostile
  ``GIT_DIR``, ``GIT_EXEC_PATH``, ``GIT_CONFIG_PARAMETERS`` or ``GIT_EXTERNAL_DIFF``
  from the caller's shell cannot redirect or run anything;
* runs with hooks, fsmonitor, external diff drivers, pagers and signing programs named by
  the repository's own configuration switched off or pinned (a repository can be hostile:
  the tracker reads prose repositories it did not create);
* is never given a shell.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Mapping
from pathlib import Path

from tracker.errors import GitError

# Settings forced on every call. ``core.hooksPath=/dev/null`` makes every hook missing;
# the others stop git from starting programs the repository's config names.
HARDENING = (
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.fsmonitor=false",
    "-c", "core.pager=cat",
    "-c", "diff.external=",
    "-c", "core.attributesFile=/dev/null",
    "-c", "gpg.program=gpg",
    "-c", "gpg.ssh.program=ssh-keygen",
    "-c", "gpg.x509.program=gpgsm",
    "-c", "core.sshCommand=ssh",
    "-c", "credential.helper=",
    "-c", "core.quotePath=false",
    "-c", "log.showSignature=false",
    "-c", "i18n.logOutputEncoding=UTF-8",
)  # fmt: skip

# Flags for commands that can run diff drivers (log -p, diff, show).
NO_DRIVERS = ("--no-ext-diff", "--no-textconv")


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without any GIT_* variable, plus what we choose to set."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["LC_ALL"] = "C"
    if extra:
        env.update(extra)
    return env


def git_argv(args: list[str] | tuple[str, ...]) -> list[str]:
    return ["git", "--no-pager", *HARDENING, *args]


def run(
    cwd: Path | str,
    *args: str,
    input: bytes | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run one git command and return the completed process (stdout as bytes)."""
    try:
        proc = subprocess.run(
            git_argv(args),
            cwd=cwd,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
            capture_output=True,
            env=clean_env(env),
        )
    except FileNotFoundError as exc:
        raise _not_started(cwd) from exc
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        first = message[-1] if message else f"git {args[0]} failed"
        raise GitError(f"git {args[0]} failed: {first}")
    return proc


def _not_started(cwd: Path | str) -> GitError:
    """Why git could not start: the folder it was to run in is gone (moved or deleted
    while the app was open), or else git itself is missing."""
    if not os.path.isdir(cwd):
        return GitError(
            f"the folder {cwd} no longer exists",
            "it was moved or deleted; open the store where it is now",
        )
    return GitError("git is not installed", "install git and try again")


def output(cwd: Path | str, *args: str, **kwargs) -> str:
    """Run git and return its stdout as text without the final newline."""
    return run(cwd, *args, **kwargs).stdout.decode("utf-8", "replace").rstrip("\n")


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
            env=clean_env(),
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
        raise GitError(f"git {args[0]} failed: {lines[-1] if lines else code}")


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
                env=clean_env(),
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
