"""Writes to git: commit objects signed by the tracker's own rules, and the journaled,
compare-and-swap ``update-ref`` transaction that is the tracker's only commit point.

The write path (recording.py) and every later note and review go through here; nothing
above this module moves a ref itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from tracker.errors import DirtyStoreError, SigningError
from tracker.git import cmd as gitcmd
from tracker.git.journal import EVENT_PREFIX, JOURNAL_REF, ZERO
from tracker.git.repo import Repository
from tracker.identity import Identity


def commit_tree(
    store: Repository,
    tree: str,
    parent: str | Sequence[str] | None,
    message: str,
    identity: Identity,
    date: str,
    committer: Identity | None = None,
) -> str:
    """Write a commit object by ``identity`` at ``date`` (signed when the user signs
    commits), with one parent, several (a sync's merge) or none; nothing moves yet.

    ``committer``, when given, is who logged it (a reporter's article logged by an
    editor): git keeps both names, as it does for a patch applied by a maintainer."""
    parents = [] if parent is None else [parent] if isinstance(parent, str) else list(parent)
    env = identity.env(date)
    if committer is not None:
        env |= {"GIT_COMMITTER_NAME": committer.name, "GIT_COMMITTER_EMAIL": committer.email}
    return write_commit(store, tree, parents, message, env)


def write_commit(
    store: Repository, tree: str, parents: Sequence[str], message: str, env: Mapping[str, str]
) -> str:
    """Write a commit object with the author and committer ``env`` names (a replay keeps
    its original's author), signed when the user signs commits; nothing moves yet."""
    sign = signing(store)
    return gitcmd.output(
        store.root,
        *sign,  # the signature's settings go before the subcommand
        "commit-tree",
        tree,
        *[arg for each in parents if each for arg in ("-p", each)],
        *(["-S"] if sign else []),
        "-F",
        "-",
        input=message.encode("utf-8"),
        env=dict(env),
    )


def signing(store: Repository) -> list[str]:
    """The ``-c`` settings to sign with when the user signs commits (commit.gpgSign), or
    nothing: the tracker signs what it writes.

    The tracker decides everything itself: the format (gpg.format, checked), the key
    (user.signingKey) and the program, which gitcmd takes from the user's global config
    or git's default, never from the repository. git is never left to ask a program for a
    key (gpg.ssh.defaultKeyCommand): SSH signing without user.signingKey is refused.
    """
    root = store.root
    if not _is_true(gitcmd.config_value(root, "commit.gpgsign")):
        return []
    fmt = (gitcmd.config_value(root, "gpg.format") or "openpgp").strip().lower()
    if fmt not in ("openpgp", "x509", "ssh"):
        raise SigningError(
            f"gpg.format is {fmt!r}, which the tracker cannot sign with",
            "set gpg.format to openpgp, x509 or ssh, or commit.gpgSign to false",
        )
    key = (gitcmd.config_value(root, "user.signingkey") or "").strip()
    if fmt == "ssh" and not key:
        raise SigningError(
            "commit.gpgSign asks for SSH signatures but user.signingKey is not set",
            "set it to your key (git config --global user.signingKey ~/.ssh/id_ed25519.pub)"
            " or set commit.gpgSign to false; nothing was written",
        )
    pins = ["-c", f"gpg.format={fmt}"]
    if key:
        pins += ["-c", f"user.signingKey={key}"]
    return pins


def _is_true(value: str | None) -> bool:
    """A git boolean as git reads it ("", unset and 0 are false)."""
    text = (value or "").strip().lower()
    return text in ("true", "yes", "on") or (text.lstrip("-").isdigit() and int(text) != 0)


def _empty_tree(store: Repository) -> str:
    return store.git("mktree", input=b"")


def write_with_journal(
    store: Repository,
    ref: str,
    new: str,
    old: str | None,
    event: dict[str, Any],
    identity: Identity,
    date: str,
) -> None:
    """Move ``ref`` from ``old`` to ``new`` and append ``event`` to the journal, atomically.

    Both refs move in one transaction, each only if it still holds the value read, so a
    crash or a concurrent writer leaves either both updates or neither.
    """
    journal_old = store.ref(JOURNAL_REF)
    record = {"v": 1, **event, "ref": ref, "commit": new, "previous": old}
    summary = f"{event['event']} {new[:12]} on {ref}"
    message = f"{summary}\n\n{EVENT_PREFIX}{json.dumps(record, sort_keys=True)}\n"
    journal_new = commit_tree(store, _empty_tree(store), journal_old, message, identity, date)
    transaction = (
        "start\n"
        f"update {ref} {new} {old or ZERO}\n"
        f"update {JOURNAL_REF} {journal_new} {journal_old or ZERO}\n"
        "prepare\n"
        "commit\n"
    )
    _apply_transaction(store, transaction, ref, "nothing was recorded; run the command again")


def append_journal(store: Repository, event: dict[str, Any], identity: Identity, date: str) -> str:
    """Append ``event`` to the journal alone (an act that moves no other ref, such as a
    publish), compare-and-swap as every other write; returns the journal commit.

    The event is stored as given (``{"v": 1, ...}``): no ref, commit or previous, since
    nothing else moved. The caller holds the store lock."""
    journal_old = store.ref(JOURNAL_REF)
    summary = f"{event['event']} {event.get('document', '')}".strip()
    message = f"{summary}\n\n{EVENT_PREFIX}{json.dumps(event, sort_keys=True)}\n"
    journal_new = commit_tree(store, _empty_tree(store), journal_old, message, identity, date)
    _apply_transaction(
        store,
        f"start\nupdate {JOURNAL_REF} {journal_new} {journal_old or ZERO}\nprepare\ncommit\n",
        JOURNAL_REF,
        "nothing was written; run the command again",
    )
    return journal_new


def _apply_transaction(store: Repository, transaction: str, ref: str, hint: str) -> None:
    """Run one ``update-ref --stdin`` transaction (every update compare-and-swap); a ref
    that moved meanwhile refuses it whole, with ``hint``."""
    proc = gitcmd.run(
        store.root, "update-ref", "-m", "tracker", "--stdin", input=transaction.encode(),
        check=False,
    )  # fmt: skip
    store.refresh()
    if proc.returncode != 0:
        raise DirtyStoreError(
            f"{ref} moved while the tracker was writing (another program changed it)", hint
        )
