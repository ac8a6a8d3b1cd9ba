"""Provides author identities ("Name <email>") and timestamps in the form git expects."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

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


# How far ahead of this machine's clock a date may be: the clocks of two machines that
# share a store disagree by seconds or minutes, never by years.
FUTURE_TOLERANCE = timedelta(minutes=5)


def is_future(date: datetime) -> bool:
    """True when ``date`` (aware) is later than now plus the clock-skew tolerance."""
    return date > datetime.now().astimezone() + FUTURE_TOLERANCE


def refuse_future(text: str) -> None:
    """Refuse a date in the future: every later revision would have to be dated after it."""
    if is_future(datetime.fromisoformat(text)):
        raise TrackerError(
            f"the date {text} is in the future",
            "give a date no later than now (5 minutes are allowed for clock skew), or none",
        )


def check_date(text: str) -> str:
    """Parse a ``--date`` (ISO 8601) into git's form; refuse one that is not yet here."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise TrackerError(
            f"{text!r} is not a date", "use ISO 8601, e.g. 2026-03-01T09:30:00+01:00"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.astimezone()
    result = parsed.isoformat(timespec="seconds")
    refuse_future(result)
    return result


def default_identity(store_root) -> Identity:
    """The user's git identity (``user.name`` / ``user.email``), read through hardened git.

    Not through GitPython: importing it runs ``$GIT_PYTHON_GIT_EXECUTABLE`` from the
    caller's environment, which is exactly what the tracker must never do.
    """
    from tracker.git import cmd as gitcmd

    # From the config gitcmd has already read: no git process of its own.
    name_text = (gitcmd.config_value(store_root, "user.name") or "").strip()
    email = (gitcmd.config_value(store_root, "user.email") or "").strip()
    if not name_text:
        raise TrackerError(
            "no author identity is set",
            'pass --author "Name <email>", or set it once with git config --global'
            ' user.name "Your Name" and git config --global user.email you@example.org',
        )
    return Identity(name_text, email)


def _name_and_email(text: str) -> tuple[str, str]:
    """``Name <email>`` split loosely: text that is not in that form is all name."""
    match = _IDENTITY.match(text or "")
    if match is None:
        return (text or "").strip(), ""
    return match["name"].strip(), match["email"].strip()


def same_editor(one: str, other: str) -> bool:
    """Whether two ``Name <email>`` texts name the same editor, as sign-off counts them.

    By email, case-insensitive (one person, however they spell their name this time);
    by name, case-insensitive and with spaces collapsed, when either has no email (an
    email alone cannot be compared with nothing). Two empty identities are the same
    editor: an approval nobody signed is not a second editor's."""
    name_a, email_a = _name_and_email(one)
    name_b, email_b = _name_and_email(other)
    if email_a and email_b:
        return email_a.casefold() == email_b.casefold()
    return " ".join(name_a.split()).casefold() == " ".join(name_b.split()).casefold()


def named_in(who: str, editors: Iterable[str]) -> bool:
    """Whether the editor ``who`` ("Name <email>") is one of ``editors`` (a store's senior
    editors), matched by email as ``same_editor`` matches them, case-insensitively. An
    identity with no email matches none: a name alone is anyone's to type."""
    _name, email = _name_and_email(who)
    return bool(email) and any(
        _name_and_email(editor)[1] and same_editor(who, editor) for editor in editors
    )
