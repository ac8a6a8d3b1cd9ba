"""Provides the only door to git: hardened invocations, streaming listings, a blob reader.

Every git process the tracker starts:

* gets an environment with every ``GIT_*`` variable removed, so a hostile
  ``GIT_DIR``, ``GIT_EXEC_PATH``, ``GIT_CONFIG_PARAMETERS`` or ``GIT_EXTERNAL_DIFF``
  from the caller's shell cannot redirect or run anything;
* runs with every key of the repository's configuration that names a program (hooks,
  fsmonitor, pagers, editors, filters, diff and merge drivers, helpers, transports...)
  switched off, found by its name in one ``git config --list`` per directory (a
  repository can be hostile: the tracker reads prose repositories it did not create);
* may run only the signing program, ssh command and credential helpers that the user's
  global config names (or git's defaults), never the repository's;
* is never given a shell.

docs/storage-format.md ("Threat model") lists every key and how it is neutralised.
"""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path

from tracker.errors import GitError

# Settings forced on every call (the repository's own config is read first, so these win).
# ``core.hooksPath=/dev/null`` makes every hook missing; the others stop git from starting
# programs that a repository's config names, or background work (auto gc, maintenance)
# that would. Keys whose name has a variable middle part, and the programs the user may
# choose (signing, ssh, credential helpers), are pinned per repository by ``config_pins``.
# docs/storage-format.md ("Threat model") lists every key.
HARDENING = (
    "-c", "core.hooksPath=/dev/null",
    "-c", "core.fsmonitor=false",
    "-c", "core.pager=cat",
    "-c", "diff.external=",
    "-c", "core.attributesFile=/dev/null",
    "-c", "core.editor=:",  # ":" is git's own "no editor"
    "-c", "sequence.editor=:",
    "-c", "core.askPass=",
    "-c", "gpg.ssh.defaultKeyCommand=",
    "-c", "log.showSignature=false",
    "-c", "gc.auto=0",
    "-c", "maintenance.auto=false",
    "-c", "submodule.recurse=false",
    "-c", "fetch.recurseSubmodules=false",
    "-c", "push.recurseSubmodules=no",
    "-c", "protocol.allow=never",
    "-c", "core.quotePath=false",
    "-c", "i18n.logOutputEncoding=UTF-8",
)  # fmt: skip

# git's own transports; everything else (ext::, fd::, remote helpers) is refused. The
# variable overrides every protocol.* setting, a repository's included.
ALLOWED_PROTOCOLS = "file:git:http:https:ssh"

# Flags for commands that can run diff drivers (log -p, diff, show).
NO_DRIVERS = ("--no-ext-diff", "--no-textconv")

# The programs the tracker lets git run, the path chosen by the user's global config:
# key -> git's default. A repository's value for these keys is never used.
USER_PROGRAMS = {
    "gpg.program": "gpg",
    "gpg.x509.program": "gpgsm",
    "gpg.ssh.program": "ssh-keygen",
    "core.sshcommand": "ssh",
}
# Files that decide whose signatures count as trusted: the user's, not the repository's
# (empty when the user has none: git then trusts no signer).
USER_FILES = ("gpg.ssh.allowedsignersfile", "gpg.ssh.revocationfile")

# Last parts of key names that name a program, a command or a helper, and the value that
# switches each off. Matched against every key found in the config (any scope), so that a
# driver, tool or command not listed in the docs is caught too.
_PROGRAM_SUFFIXES = {
    # Run through the shell: ":" is the shell's no-op (and git's own "no editor").
    "command": ":", "cmd": ":", "program": ":", "editor": ":", "hook": ":",
    # A merge driver that fails leaves a conflict, never a silent "merge".
    "driver": "false",
    "helper": "",  # an empty helper empties the list of helpers
}  # fmt: skip
_PROGRAM_NAMES = {
    "clean": "", "smudge": "", "process": "",  # empty filter commands are not run
    "textconv": "", "askpass": "", "external": "", "vcs": "", "gitproxy": "",
    "tunnel": "", "smtpserver": "",
    "fsmonitor": "false", "hookspath": "/dev/null",
    "uploadpack": "git-upload-pack", "receivepack": "git-receive-pack",
}  # fmt: skip
# Sections whose ``<section>.<name>.path`` is a program (difftool, mergetool, help).
_PATH_SECTIONS = {"difftool", "mergetool", "man", "browser"}
# Chosen from the user's global config by config_pins, not switched off.
_CHOSEN = {*USER_PROGRAMS, "gpg.openpgp.program", *USER_FILES, "credential.helper"}


def neutral_value(key: str) -> str | None:
    """The value that switches off a program-naming config key, or None for other keys.

    ``key`` is as ``git config --list`` prints it: section and name in lower case, the
    middle part (a driver, tool, remote or URL) as written.
    """
    section, _, rest = key.partition(".")
    middle, _, name = rest.rpartition(".")
    section, name = section.lower(), name.lower()
    if (f"{section}.{middle}.{name}" if middle else f"{section}.{name}") in _CHOSEN:
        return None
    if section in ("include", "includeif"):
        return None  # a file of settings, each of which is itself listed and checked
    if section in ("advice", "color"):
        return None  # booleans and colours (advice.waitingForEditor, advice.ignoredHook)
    if section == "pager":
        return "false"  # pager.<command> may name a pager program
    if section == "submodule" and middle and name == "update":
        return "none"  # "!command" runs a command
    if section == "filter" and middle and name == "required":
        return "false"
    if section in _PATH_SECTIONS and middle and name == "path":
        return ""
    if name in _PROGRAM_NAMES:
        return _PROGRAM_NAMES[name]
    for suffix, value in _PROGRAM_SUFFIXES.items():
        if name.endswith(suffix):
            return value
    return None


ConfigEntry = tuple[str, str, "str | None"]  # (scope, key, value), as git config lists them

_snapshots: dict[str, list[ConfigEntry]] = {}
_snapshots_lock = threading.Lock()


def config_snapshot(cwd: Path | str) -> list[ConfigEntry]:
    """Every config entry git sees in ``cwd`` (global and repository; system config is
    never read), with its scope: one ``git config --list`` per directory per process."""
    where = os.path.realpath(cwd)
    with _snapshots_lock:
        cached = _snapshots.get(where)
    if cached is not None:
        return cached
    if not os.path.isdir(where):
        return []  # not there yet (init creates it): the caller's git call will say so
    try:
        # Reading config runs no program, so this one call needs no pins.
        proc = subprocess.run(
            ["git", "--no-pager", "config", "--list", "--show-scope", "-z"],
            cwd=where,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=clean_env(),
        )
    except FileNotFoundError as exc:
        raise _not_started(where) from exc
    # Exit status 1 with no output means no config at all.
    if proc.returncode not in (0, 1):
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(
            f"git could not read the configuration: {lines[-1] if lines else proc.returncode}",
            "fix the repository's .git/config ('git config --list' shows the problem)",
        )
    fields = proc.stdout.split(b"\x00")
    entries: list[ConfigEntry] = []
    for scope, item in zip(fields[0::2], fields[1::2], strict=False):
        key, newline, value = item.decode("utf-8", "surrogateescape").partition("\n")
        entries.append((scope.decode(), key, value if newline else None))
    with _snapshots_lock:
        _snapshots[where] = entries
    return entries


def forget_config(cwd: Path | str) -> None:
    """Drop the cached config of ``cwd``: after the tracker writes config or runs init."""
    with _snapshots_lock:
        _snapshots.pop(os.path.realpath(cwd), None)


def config_value(cwd: Path | str, key: str, scope: str | None = None) -> str | None:
    """The value git uses for ``key`` (the last one), or the last one in ``scope`` only.

    A key written with no value reads as "true", git's rule for booleans.
    """
    entries = config_snapshot(cwd)
    values = [v for s, k, v in entries if k.lower() == key and scope in (None, s)]
    if not values:
        return None
    return "true" if values[-1] is None else values[-1]


def config_pins(cwd: Path | str) -> list[tuple[str, str]]:
    """Per-repository settings, in order, applied after the repository's own config:

    * every program-naming key found in the config switched off (``neutral_value``);
    * the signing programs, the ssh command and the allowed-signers files taken from the
      user's global config, or git's defaults: never from the repository;
    * credential helpers reset, then the user's global ones given back.
    """
    entries = config_snapshot(cwd)
    pins: dict[str, str] = {}
    for _, key, _ in entries:
        value = neutral_value(key)
        if value is not None:
            pins[key] = value
    for key, default in USER_PROGRAMS.items():
        pins[key] = config_value(cwd, key, "global") or default
    # git lets gpg.openpgp.program and gpg.program both name the OpenPGP program.
    pins["gpg.openpgp.program"] = (
        config_value(cwd, "gpg.openpgp.program", "global") or pins["gpg.program"]
    )
    for key in USER_FILES:
        pins[key] = config_value(cwd, key, "global") or ""
    ordered = list(pins.items())
    ordered.append(("credential.helper", ""))  # an empty helper empties the list
    ordered += [
        ("credential.helper", v)
        for s, k, v in entries
        if s == "global" and k.lower() == "credential.helper" and v
    ]
    return ordered


def pins_env(pins: list[tuple[str, str]]) -> dict[str, str]:
    """The pins as GIT_CONFIG_COUNT variables: exact key names, whatever they contain
    (``-c`` would split a key at an ``=`` in a driver's name)."""
    env = {"GIT_CONFIG_COUNT": str(len(pins))}
    for i, (key, value) in enumerate(pins):
        env[f"GIT_CONFIG_KEY_{i}"] = key
        env[f"GIT_CONFIG_VALUE_{i}"] = value
    return env


def clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without GIT_* variables (but the user's global config
    file), plus what we choose to set."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    # The user's own choice of global config file (signing keys, allowed signers,
    # identity) is theirs, not the repository's: keep it, as git would.
    if "GIT_CONFIG_GLOBAL" in os.environ:
        env["GIT_CONFIG_GLOBAL"] = os.environ["GIT_CONFIG_GLOBAL"]
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_ALLOW_PROTOCOL"] = ALLOWED_PROTOCOLS
    # Set but empty: git uses no proxy command for git://, whatever core.gitProxy says
    # (its first match wins, so a later -c could not override a repository's).
    env["GIT_PROXY_COMMAND"] = ""
    env["LC_ALL"] = "C"
    if extra:
        env.update(extra)
    return env


def hardened_env(cwd: Path | str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of every git call in ``cwd``: clean_env plus that directory's pins."""
    return clean_env({**pins_env(config_pins(cwd)), **(extra or {})})


# Transport commands get git's own upload-pack / receive-pack on their command line: for
# remote.<name>.uploadpack and .receivepack git keeps the FIRST value it reads, the
# repository's, so no later -c could override them.
_TRANSPORT_OPTIONS = {
    "fetch": ("--upload-pack=git-upload-pack",),
    "pull": ("--upload-pack=git-upload-pack",),
    "ls-remote": ("--upload-pack=git-upload-pack",),
    "clone": ("--upload-pack=git-upload-pack",),
    "push": ("--receive-pack=git-receive-pack",),
}


def _subcommand_at(args: list[str] | tuple[str, ...]) -> int:
    """Where the subcommand is: callers may put ``-c`` settings first (signing does)."""
    at = 0
    while at < len(args) and args[at] == "-c":
        at += 2
    return at


def _subcommand(args: list[str] | tuple[str, ...]) -> str:
    at = _subcommand_at(args)
    return args[at] if at < len(args) else "git"


def git_argv(args: list[str] | tuple[str, ...]) -> list[str]:
    """git's command line: hardening options, the subcommand, then its arguments."""
    args = list(args)
    at = _subcommand_at(args)
    if at < len(args) and args[at] in _TRANSPORT_OPTIONS:
        args[at + 1 : at + 1] = _TRANSPORT_OPTIONS[args[at]]
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
            env=hardened_env(cwd, env),
        )
    except FileNotFoundError as exc:
        raise _not_started(cwd) from exc
    command = _subcommand(args)
    if command in ("init", "config"):
        forget_config(cwd)  # the next call must see what this one may have written
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        first = message[-1] if message else f"git {command} failed"
        raise GitError(f"git {command} failed: {first}")
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
