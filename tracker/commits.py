"""Provides ``commit_tree``: write a commit object, signed by the tracker's own rules.

Both the write path (recording.py) and the journal (journal.py) write commits; keeping
this here, below both, is what lets the journal write its own commits without importing
the write path that calls it.
"""

from __future__ import annotations

from tracker import gitcmd
from tracker.errors import SigningError
from tracker.identity import Identity
from tracker.store import Store


def commit_tree(
    store: Store, tree: str, parent: str | None, message: str, identity: Identity, date: str
) -> str:
    """Write a commit object (signed when the user signs commits); nothing moves yet."""
    sign = signing(store)
    return gitcmd.output(
        store.root,
        *sign,  # the signature's settings go before the subcommand
        "commit-tree",
        tree,
        *(["-p", parent] if parent else []),
        *(["-S"] if sign else []),
        "-F",
        "-",
        input=message.encode("utf-8"),
        env=identity.env(date),
    )


def signing(store: Store) -> list[str]:
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
