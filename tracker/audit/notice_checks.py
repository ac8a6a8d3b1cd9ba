"""Provides verify's checks of published notices (one call from verify.py).

Two findings, each naming the revision a ``publish`` event of the journal made public
(tracker/publication.py):

* ``unapproved-notice``: the revision carries a notice (its note's type, else the store
  policy's default for the cause, other than none) but has no second editor's approval,
  or got it only after it was published. ``tracker publish`` refuses both, so the event
  was written by hand, or the approval was withdrawn (a flag) since.
  The same kind names a correction or a withdrawal published under a policy whose
  ``senior-issues`` rule (Reuters) lets only a senior editor issue it, when no approval
  made before publication is by one of the store's senior editors. Both the policy and
  the list are the ones in force at the publish date (the last journaled settings change
  on the branch made by then: audit/settings_history.py), so naming or removing a senior
  editor later does not change an earlier publication's verdict.
* ``late-notice``: a notice published more than the policy's days (30) after the error
  was reported (the note's ``reported``), with no ``late_reason``: the NYT rule that a
  delay is explained. ``tracker publish`` refuses it too.
"""

from __future__ import annotations

from tracker.audit.settings_history import SettingsAt
from tracker.errors import TrackerError
from tracker.identity import named_in, same_editor
from tracker.model import APPROVED, NoticeItem, Revision, VerifyReport
from tracker.notices import days_to_publish, is_after, items_of, late
from tracker.policy import SENIOR_NOTICES, needs_senior, preset
from tracker.publication import publish_events
from tracker.store import Store, StoreConfig


def check_notices(
    store: Store, report: VerifyReport, journal: list[dict], *, whole: bool = True
) -> None:
    """Add the findings of the journal's publish events to ``report``. ``whole``: the
    journal is all of it (``verify --since`` passes only its tail, and the settings of a
    publication's day are then read from the whole journal, if a rule needs them)."""
    events = publish_events(journal)
    if not events:
        return
    settings = SettingsAt(store, journal if whole else None)
    policy = preset(store.config.policy)
    first: dict[str, str] = {}  # a revision's publication is its first event's
    published_by: dict[str, dict] = {}  # and that event, for the settings of its moment
    for event in events:
        for rev in event["revisions"]:
            if isinstance(rev, str):
                first.setdefault(rev, event["date"])
                published_by.setdefault(rev, event)
    document = {rev: "" for rev in first}
    for event in events:
        for rev in event["revisions"]:
            if isinstance(rev, str) and not document.get(rev):
                document[rev] = str(event.get("document") or "")
    for rev, when in first.items():
        try:
            revision = store.revision(rev, document[rev] or None)
        except TrackerError:
            report.add("unapproved-notice", f"a publish event names {rev[:12]}, which this "
                       "store does not have", rev)  # fmt: skip
            continue
        items = items_of([revision], policy, {rev: (when, "")})
        if not items:
            continue  # no notice: a silent fix needs no sign-off
        approvals = _check_sign_off(store, revision, when, report)
        senior_kind = any(item.notice in SENIOR_NOTICES for item in items)
        if approvals and senior_kind and settings.ever_had(_senior_rule):
            _check_senior(revision, items, approvals, settings, published_by[rev], report)
        for item in items:
            _check_timeliness(item, policy, report)


def _check_sign_off(
    store: Store, revision: Revision, when: str, report: VerifyReport
) -> list[dict]:
    """A publication stands on an approval by a second editor made before it. A review
    written after it (a later flag, another opinion) does not undo what was published:
    it is shown where reviews are shown, not reported here. Returns those approvals
    (none: a finding was added)."""
    review = revision.review
    rev = revision.rev
    entries = store.review_entries(rev) or []
    before = [
        e for e in entries
        if e.get("status") == APPROVED
        and not same_editor(str(e.get("author")), revision.author)
        and not is_after(str(e.get("date")), when)
    ]  # fmt: skip
    if before:
        return before
    if review is not None and review.signed_off:
        report.add(
            "unapproved-notice",
            f"{rev[:12]} was published on {when[:10]} with a notice for readers, and "
            f"approved by a second editor only after it was published ({review.date[:10]})",
            rev,
        )
        return []
    said = "no review" if review is None else f"its review is {_status(review)}"
    report.add(
        "unapproved-notice",
        f"{rev[:12]} was published on {when[:10]} with a notice for readers, but "
        f"{said}: a notice is published only after a second editor approves it",
        rev,
    )
    return []


def _senior_rule(config: StoreConfig) -> bool:
    return preset(config.policy).senior_issues


def _check_senior(
    revision: Revision,
    items: list[NoticeItem],
    approvals: list[dict],
    settings: SettingsAt,
    event: dict,
    report: VerifyReport,
) -> None:
    """The ``senior-issues`` rule, by the settings in force when it was published (the
    publish ``event``'s place in the journal): a correction or a withdrawal stands on an
    approval by a senior editor named then."""
    when = str(event["date"])
    then = settings.at(event)
    policy = preset(then.policy)
    kept = [item for item in items if needs_senior(item.notice, policy)]
    if not kept:
        return
    seniors = then.senior_editors
    if any(named_in(str(e.get("author")), seniors) for e in approvals):
        return
    why = (
        "approved by no senior editor"
        if seniors
        else "the store named no senior editors then (tracker config senior-editors)"
    )
    report.add(
        "unapproved-notice",
        f"{revision.rev[:12]} was published on {when[:10]} with a {kept[0].notice} under the"
        f" {policy.name} policy, which lets only a senior editor issue one, but {why}",
        revision.rev,
    )


def _status(review) -> str:
    if review.conflict:
        return "in conflict (an approval and a flag)"
    if review.self_approved:
        return "its author's own approval"
    return review.status


def _check_timeliness(item: NoticeItem, policy, report: VerifyReport) -> None:
    if late(item, policy):
        report.add(
            "late-notice",
            f"the {item.notice} of change {item.change} was published "
            f"{days_to_publish(item)} days after the error was reported ({item.reported[:10]}),"
            f" more than {policy.late_after_days}, and its note gives no late reason",
            item.rev,
            item.change,
        )
