"""The little the git layer needs to know of a store: where it is and how to read a ref.

``tracker.store.Store`` satisfies it; typing against this protocol instead of importing
``Store`` keeps the git layer below everything that uses it (no import cycle).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Repository(Protocol):
    """A git repository the tracker reads and writes."""

    root: Path

    def git(self, *args: str, **kwargs) -> str: ...

    def ref(self, name: str) -> str | None: ...

    def refresh(self) -> None: ...
