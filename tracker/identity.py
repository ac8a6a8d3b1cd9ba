"""Provides author identities ("Name <email>") and timestamps in the form git expects."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from tracker.errors import TrackerError

_IDENTITY = re.compile(r"^\s*(?P<name>[^<>\n]*?)\s*<(?P<email>[^<>\n]*)>\s*$")


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @classmethod
    def parse(cls, text: str) -> Identity:
        match = _IDENTITY.match(text or "")
        if not match or not match["name"].strip():
            raise TrackerError(
                f"{text!r} is not an author", 'write it as "Name <email@example.org>"'
            )
        return cls(match["name"].strip(), match["email"].strip())

    def env(self, date: str) -> dict[str, str]:
        """Environment that makes git write this identity and date as author and committer."""
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
            "GIT_COMMITTER_DATE": date,
        }


def now_iso() -> str:
    """The current time, ISO 8601 with the local UTC offset."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def check_date(text: str) -> str:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TrackerError(
            f"{text!r} is not a date", "use ISO 8601, e.g. 2026-03-01T09:30:00+01:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    return parsed.isoformat(timespec="seconds")


def default_identity(store_root) -> Identity:
    """The user's git identity (``user.name`` / ``user.email``), read through hardened git.

    Not through GitPython: importing it runs ``$GIT_PYTHON_GIT_EXECUTABLE`` from the
    caller's environment, which is exactly what the tracker must never do.
    """
    from tracker import gitcmd

    # From the config gitcmd has already read: no git process of its own.
    name_text = (gitcmd.config_value(store_root, "user.name") or "").strip()
    email = (gitcmd.config_value(store_root, "user.email") or "").strip()
    if not name_text:
        raise TrackerError(
            "no author identity is set",
            'pass --author "Name <email>" or run git config --global user.name "Your Name"',
        )
    return Identity(name_text, email)
