"""Provides the store's settings as they stood: the last journaled settings change the
branch holds (``last_on_branch``), and the settings in force at a given time (``SettingsAt``),
so that verify judges an act by the rules of its day, not by today's.

A settings change counts when the journal records it (a ``setup`` or ``config`` event:
``tracker init``, ``tracker config``) and the branch holds its commit: a change that
``sync --settle`` set aside is kept off the branch, and a settings file edited with plain
git is not the record's own (verify names that as a ``config`` finding).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tracker.git import cmd as gitcmd
from tracker.git.journal import read_journal
from tracker.store import CONFIG_PATH, Store, StoreConfig


def last_on_branch(store: Store, commits: list[str]) -> str | None:
    """The last of ``commits`` that the branch holds: a settings change that ``sync
    --settle`` set aside (kept, off the branch) does not decide the settings."""
    for commit in reversed(commits):
        ancestor = gitcmd.run(
            store.root, "merge-base", "--is-ancestor", commit, "HEAD", check=False
        )
        if ancestor.returncode == 0:
            return commit
    return None


class SettingsAt:
    """The settings in force when an act was journaled: those of the last journaled
    settings change on the branch that the journal holds before the act's own event (the
    journal's order, not the clock's: two acts in one second, or clones whose clocks
    differ, are still told apart); by date for an act the journal does not place. Built
    lazily: nothing is read until asked, and ``journal`` (the whole journal, oldest
    first) is read from the store only when the caller has none (``verify --since``
    holds only the events after its point)."""

    def __init__(self, store: Store, journal: list[dict[str, Any]] | None = None) -> None:
        self._store = store
        self._journal = journal
        self._changes: list[tuple[int, datetime, str]] | None = None
        self._position: dict[str, int] = {}  # journal commit -> its place in the journal
        self._found: dict[tuple[str, ...], StoreConfig] = {}
        self._ever: dict[Callable[[StoreConfig], bool], bool] = {}

    def _dated_changes(self) -> list[tuple[int, datetime, str]]:
        if self._changes is None:
            journal = self._journal if self._journal is not None else read_journal(self._store)
            changes = []
            for place, event in enumerate(journal):
                if isinstance(event.get("journal_commit"), str):
                    self._position[event["journal_commit"]] = place
                commit = event.get("commit")
                if event.get("event") not in ("setup", "config") or not isinstance(commit, str):
                    continue
                found = self._store.reader.commit(commit)
                author = found.author() if found is not None else None
                if author is not None:
                    changes.append((place, _when(author[2]), commit))
            self._changes = changes  # in the journal's order: the order they were made
        return self._changes

    def ever_had(self, wanted: Callable[[StoreConfig], bool]) -> bool:
        """Whether the store's current settings or any journaled ones are ``wanted``: read
        through the store's reader, with no git process of its own (but the journal, for a
        caller without it), so a check can tell that no settings it cares about were ever
        in force before it asks, at a cost, which were when. Asked once, kept."""
        found = self._ever.get(wanted)
        if found is None:
            configs = [self._read(commit) for _place, _date, commit in self._dated_changes()]
            found = self._ever[wanted] = any(map(wanted, [*configs, self._store.config]))
        return found

    def at(self, event: dict[str, Any]) -> StoreConfig:
        """The settings in force when the journal's ``event`` was written: of the last
        settings change before it in the journal, or (an event the journal does not hold)
        dated at or before its ``date``; the branch's current settings when there is no
        such change (a store the tracker did not set up)."""
        changes = self._dated_changes()
        place = self._position.get(str(event.get("journal_commit")))
        if place is not None:
            candidates = tuple(commit for at, _date, commit in changes if at < place)
        else:
            moment = _when(str(event.get("date")))
            candidates = tuple(commit for _at, date, commit in changes if date <= moment)
        if candidates not in self._found:
            self._found[candidates] = self._read(last_on_branch(self._store, list(candidates)))
        return self._found[candidates]

    def _read(self, commit: str | None) -> StoreConfig:
        raw = self._store.read_blob(commit, CONFIG_PATH) if commit else None
        if raw is None:
            return self._store.config
        try:
            data = json.loads(raw)
        except ValueError:
            return self._store.config
        return StoreConfig.from_json(data) if isinstance(data, dict) else self._store.config


def _when(text: str) -> datetime:
    """An ISO time, comparable (no offset: UTC; unreadable: the latest time, so that it
    is never "at or before" anything and decides nothing)."""
    try:
        parsed = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.max.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
