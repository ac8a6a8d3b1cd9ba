"""Names the refs several editors share through a remote, and where a remote's copies of
them are kept locally.

A sync never fetches into the user's own refs: every ref of the remote is fetched into
``refs/tracker/remotes/NAME/...``, checked (a remote that went backwards is refused), and
only then merged into the local refs by the tracker.
"""

from __future__ import annotations

from tracker.git.journal import JOURNAL_REF
from tracker.notes import NOTES_REF
from tracker.reviews import REVIEWS_REF

# The notes-like refs merged by a JSON-aware union (sync/notes_merge.py).
NOTES_REFS = (NOTES_REF, REVIEWS_REF)
# Every shared ref besides the branch: the notes refs and the journal.
SHARED_REFS = (*NOTES_REFS, JOURNAL_REF)
# A revision replayed onto the remote's tip keeps its original reachable (and so a signed
# original auditable) under this prefix, named by the original's full id; pushed too.
ORIGINALS_PREFIX = "refs/tracker/originals/"
TRACKING_PREFIX = "refs/tracker/remotes/"


def tracking_ref(remote: str, ref: str) -> str:
    """Where a remote's copy of ``ref`` is kept here: ``refs/heads/main`` of remote
    ``origin`` is ``refs/tracker/remotes/origin/heads/main``."""
    return f"{TRACKING_PREFIX}{remote}/{ref.removeprefix('refs/')}"


def original_ref(commit: str) -> str:
    """The ref that keeps a replayed revision's original reachable."""
    return f"{ORIGINALS_PREFIX}{commit}"
