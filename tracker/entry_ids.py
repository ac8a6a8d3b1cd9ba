"""Names the entries of later notes and reviews: an entry's identity is its content.

Below both the model (which gives each entry read its id) and notes.py (which writes
them), so neither has to import the other.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical(entry: Any) -> str:
    """An entry's identity: its canonical JSON (sorted keys, no spaces, UTF-8 as is)."""
    return json.dumps(entry, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_id(entry: Any) -> str:
    """The short id by which a later entry's "seen" names this one."""
    return hashlib.sha256(canonical(entry).encode("utf-8", "surrogatepass")).hexdigest()[:16]


def seen_of(entry: Any) -> tuple[str, ...] | None:
    """The ids an entry says it saw, or None for an entry without "seen" (old or hand-made)."""
    seen = entry.get("seen") if isinstance(entry, dict) else None
    if not isinstance(seen, list):
        return None
    return tuple(str(item) for item in seen)
