"""Provides verify's check of the notes against the store's corrections policy (one call
from verify.py, per revision; audit/since.py reaches it through the same per-revision
check, and for the revisions whose notes changed since REV).

One finding kind, ``policy``: a change's current note (its later note when it has one)
that the store's policy forbids (tracker/policy.py ``lint``), whether the policy refuses
it or only flags it. Record and note refuse the first and warn of the second, so a note
that breaks the policy was written before the store chose it (``tracker config policy``),
with plain git, or flagged and kept: either way the desk should look at it. A note with no
reader-facing fields reads with the notice its policy derives, which never breaks it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker.policy import REFUSE, lint, preset

if TYPE_CHECKING:
    from tracker.model import Revision, VerifyReport
    from tracker.store import Store


def check_policy(store: Store, revision: Revision, report: VerifyReport) -> None:
    """Add a ``policy`` finding for each problem of each note of ``revision``."""
    policy = preset(store.config.policy)
    for change in revision.changes:
        if change.note is None:
            continue
        for problem in lint(change.note, policy, revision.date):
            verdict = "refuses" if problem.severity == REFUSE else "flags"
            report.add(
                "policy",
                f"the {policy.name} policy {verdict} its note (rule {problem.rule}): "
                f"{problem.message}",
                revision.rev,
                change.index,
            )
