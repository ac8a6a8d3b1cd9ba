"""Provides the remotes a store syncs with: ``tracker remote add NAME URL`` and the list.

Remotes are ordinary git remotes (``remote.NAME.url`` and the usual fetch refspec), so
plain git sees and uses them too. A URL is accepted only when its transport is one the
tracker lets git use (tracker/git/cmd.py, ``ALLOWED_PROTOCOLS``): a local path,
``file://``, ``git://``, ``http(s)://``, ``ssh://`` or scp-like ``[user@]host:path``;
anything else (``ext::``, ``fd::``, a remote helper, a URL that reads as an option) is
refused before anything is written.
"""

from __future__ import annotations

import os
import re

from tracker.errors import SyncRefusedError
from tracker.git import cmd as gitcmd
from tracker.git.repo import Repository

# What git accepts as a remote name and as a ref name part, narrowed to what needs no
# quoting anywhere (a refspec, a config key, a terminal).
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_SCHEMES = ("file://", "git://", "http://", "https://", "ssh://")
# scp-like syntax, as git reads it: a colon before any slash, and no "://".
_SCP = re.compile(r"^(?:[^@/:\s]+@)?(?P<host>[^@/:\s]+):(?P<path>.*)$")


def check_name(name: str) -> None:
    """Refuse a remote name git (or a refspec) could misread."""
    if not _NAME.match(name) or ".." in name or name.endswith((".lock", ".")):
        raise SyncRefusedError(
            f"{name!r} is not a usable remote name",
            "use letters, digits, '.', '_' or '-' (e.g. origin); nothing was changed",
        )


def check_url(url: str) -> str:
    """The URL as it will be stored (a relative path made absolute), or a refusal."""
    refuse = SyncRefusedError(
        f"{url!r} is not a URL the tracker syncs with",
        "use a path, file://, git://, http(s)://, ssh:// or host:path; nothing was changed",
    )
    if not url or url != url.strip() or any(ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise refuse
    if url.startswith("-"):
        raise refuse  # git would read it as an option
    lower = url.lower()
    if lower.startswith(_SCHEMES):
        rest = url.split("://", 1)[1]
        host = rest.split("/", 1)[0].rpartition("@")[2]
        if host.startswith("-") or (not lower.startswith("file://") and not host):
            raise refuse  # "ssh://-oProxyCommand=..." would be an option to ssh
        return url
    if "::" in url or "://" in url:
        raise refuse  # a remote helper (ext::, fd::, hg::...) or an unknown scheme
    scp = _SCP.match(url)
    if scp and "/" not in url.split(":", 1)[0]:
        if scp["host"].startswith("-"):
            raise refuse
        return url
    return os.path.abspath(url)  # a local path, resolved where the user typed it


def add_remote(store: Repository, name: str, url: str) -> None:
    """Name a remote to sync with; refuse a bad name or URL, or a name already in use."""
    check_name(name)
    stored = check_url(url)
    known = dict(list_remotes(store))
    if name in known:
        raise SyncRefusedError(
            f"there is already a remote named {name} ({known[name]})",
            f"choose another name, or change it with git remote set-url {name} URL",
        )
    gitcmd.run(store.root, "config", "--add", f"remote.{name}.url", stored)
    refspec = f"+refs/heads/*:refs/remotes/{name}/*"  # what `git remote add` writes
    gitcmd.run(store.root, "config", "--add", f"remote.{name}.fetch", refspec)


def list_remotes(store: Repository) -> list[tuple[str, str]]:
    """(name, url) of every remote the store's git config names, by name."""
    found: dict[str, str] = {}
    for _scope, key, value in gitcmd.config_snapshot(store.root):
        section, _, rest = key.partition(".")
        name, _, leaf = rest.rpartition(".")
        if section.lower() == "remote" and leaf.lower() == "url" and name and value:
            found.setdefault(name, value)  # git uses the first url for fetching
    return sorted(found.items())


def choose_remote(store: Repository, name: str | None) -> tuple[str, str]:
    """The remote to sync with: the one named, else the only one, else ``origin``."""
    known = dict(list_remotes(store))
    if name is not None:
        check_name(name)
        if name not in known:
            raise SyncRefusedError(
                f"there is no remote named {name}"
                + (f" (there is {', '.join(sorted(known))})" if known else ""),
                f"add it with 'tracker remote add {name} URL'",
            )
        return name, known[name]
    if len(known) == 1:
        return next(iter(known.items()))
    if "origin" in known:
        return "origin", known["origin"]
    if not known:
        raise SyncRefusedError(
            "this store has no remote to sync with",
            "add one with 'tracker remote add origin URL'",
        )
    raise SyncRefusedError(
        f"this store has several remotes ({', '.join(sorted(known))}) and none is origin",
        "name the one to sync with: 'tracker sync NAME'",
    )
