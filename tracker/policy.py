"""Provides a store's corrections policy: what each change's note tells readers (its
notice type and significance, derived from its cause unless the note says), and the lint
that refuses or flags what the policy forbids. Core: no git, no store, no UI.

A store names its policy in ``.tracker/config.json`` (``"policy": "nyt"``); a store that
names none reads with ``DEFAULT_POLICY``. The presets are modelled on published
corrections policies; each lists its sources, and docs/corrections.md quotes the rules.

Notice types (what readers see): ``none`` (a silent fix: a typo, a style edit),
``correction`` (the article was wrong), ``clarification`` (it was right but unclear or
missing context), ``editors-note`` (a lapse of fairness, balance or standards),
``update`` (new information since publication), ``withdrawal`` (the article is taken
back). Significance: ``minor`` or ``significant`` (it decides where a notice goes: a
significant one at the top, with due prominence; a minor one at the end).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from tracker.model import Note

NONE = "none"
CORRECTION = "correction"
CLARIFICATION = "clarification"
EDITORS_NOTE = "editors-note"
UPDATE = "update"
WITHDRAWAL = "withdrawal"
NOTICE_TYPES = (NONE, CORRECTION, CLARIFICATION, EDITORS_NOTE, UPDATE, WITHDRAWAL)

MINOR = "minor"
SIGNIFICANT = "significant"
SIGNIFICANCE = (MINOR, SIGNIFICANT)

REFUSE = "refuse"  # record and note refuse it; verify names it
FLAG = "flag"  # recorded, and said (record's warning, verify's finding)

LATE_AFTER_DAYS = 30  # the NYT rule: a correction this long after the report says why


@dataclass(frozen=True)
class Preset:
    """One corrections policy: defaults per cause, and what it forbids."""

    name: str
    title: str
    sources: tuple[str, ...]  # where the rules come from (citation, URL)
    # cause (category) -> (notice, significance) when the note does not say
    defaults: Mapping[str, tuple[str, str]]
    # How each notice is labelled for readers ("Correction", Reuters' "CORRECTED").
    labels: Mapping[str, str] = field(default_factory=dict)
    # A factual cause may not be published as a clarification (AP: "never call a
    # factual fix a clarification").
    factual_never_clarification: bool = True
    # A silent fix (notice none) of a factual error is allowed when minor (Reuters'
    # REFILE for a minor fix; IPSO corrects significant inaccuracies); the NYT corrects
    # every factual error, however small.
    minor_factual_may_be_silent: bool = True
    late_after_days: int = LATE_AFTER_DAYS
    # A factual error told to readers is told as a correction (or the story withdrawn),
    # never as an editor's note or an update (AP: "a correction must always be labeled
    # a correction"; the NYT corrects errors and keeps editors' notes for lapses).
    factual_needs_correction: bool = False
    # A significant factual error is corrected, not merely noted (Reuters: CORRECTED for
    # a substantive error; IPSO clause 1: "a significant inaccuracy ... must be corrected").
    significant_factual_corrected: bool = False
    # A minor fix is refiled, not labelled CORRECTED (Reuters): flagged, since a desk
    # may judge a small error substantive after all.
    minor_correction_refiled: bool = False
    # A lapse of balance or fairness is told in an editor's note (the NYT's Editors'
    # Notes): a silent balance fix is flagged.
    balance_needs_editors_note: bool = False
    # Only a senior editor's approval lets a correction or a withdrawal be published
    # (Reuters: "only senior editors will be authorized to issue a CORRECTED story"; a
    # desk head decides whether to correct or kill). Checked by publish and verify, not
    # by the lint: a note cannot say who approved it.
    senior_issues: bool = False

    def rules(self) -> tuple[str, ...]:
        """The lint's rules under this policy, by name (RULES says what each means)."""
        on = {
            "factual-as-clarification": self.factual_never_clarification,
            "factual-without-notice": not self.minor_factual_may_be_silent,
            "factual-needs-correction": self.factual_needs_correction,
            "significant-factual-corrected": self.significant_factual_corrected,
            "minor-correction-refiled": self.minor_correction_refiled,
            "balance-needs-editors-note": self.balance_needs_editors_note,
            "senior-issues": self.senior_issues,
        }
        return tuple(name for name in RULES if on.get(name, True))


@dataclass(frozen=True)
class Rule:
    """One rule of a policy: its severity and what it says, for the docs and the tests;
    ``at`` says who checks it: the lint of a note, or ``publish`` (and verify's check of
    each publish event), for a rule about who published or approved."""

    severity: str
    says: str
    at: str = "lint"


# Every rule of the lint, in the order it checks them; ``Preset.rules`` says which apply.
RULES: dict[str, Rule] = {
    "notice-type": Rule("refuse", "the notice is one of the known types"),
    "significance": Rule("refuse", "the significance is minor or significant"),
    "reported-date": Rule("refuse", "the date the error was reported is an ISO 8601 date"),
    "reported-after-correction": Rule("refuse", "an error is reported before it is corrected"),
    "factual-as-clarification": Rule("refuse", "a factual error is never a clarification"),
    "significant-without-notice": Rule("refuse", "a significant change is told to readers"),
    "factual-without-notice": Rule("refuse", "every factual error gets a notice"),
    "factual-needs-correction": Rule(
        "refuse", "a factual error is told as a correction (or a withdrawal)"
    ),
    "significant-factual-corrected": Rule(
        "refuse", "a significant factual error is corrected (or the story withdrawn)"
    ),
    "minor-correction-refiled": Rule("flag", "a minor fix is refiled, not labelled CORRECTED"),
    "balance-needs-editors-note": Rule("flag", "a lapse of balance gets an editor's note"),
    "minor-withdrawal": Rule("flag", "a withdrawal is significant"),
    "notice-for-style": Rule("flag", "a style or structure edit is not a correction"),
    "late-without-reason": Rule(
        "flag", "a correction more than 30 days after the report says why it came late"
    ),
    "notice-names-staff": Rule("flag", "a notice names no member of staff"),
    "senior-issues": Rule(
        "refuse",
        "a correction or withdrawal is published only once a senior editor approved it",
        at="publish",
    ),
}
# The notices only a senior editor may issue under a policy with ``senior_issues``: what
# Reuters tags CORRECTED and STORY WITHDRAWN (a REFILE is a silent fix here, notice none,
# which needs no sign-off at all).
SENIOR_NOTICES = (CORRECTION, WITHDRAWAL)


_LABELS = {
    CORRECTION: "Correction",
    CLARIFICATION: "Clarification",
    EDITORS_NOTE: "Editor's note",
    UPDATE: "Update",
    WITHDRAWAL: "Withdrawn",
}

# What most newsrooms do with each of the store's causes (tracker.model.DEFAULT_CATEGORIES).
_COMMON_DEFAULTS: dict[str, tuple[str, str]] = {
    "factual": (CORRECTION, SIGNIFICANT),
    "sourcing": (CLARIFICATION, MINOR),
    "balance": (EDITORS_NOTE, SIGNIFICANT),
    "clarity": (CLARIFICATION, MINOR),
    "style": (NONE, MINOR),
    "structure": (NONE, MINOR),
    "legal": (EDITORS_NOTE, SIGNIFICANT),
    "other": (NONE, MINOR),
}

PRESETS: dict[str, Preset] = {
    "ap": Preset(
        name="ap",
        title="The Associated Press",
        sources=(
            "AP Stylebook, 'corrections, correctives' (a correction must always be labeled "
            "a correction; a clarification is not used to fix a factual error)",
            "AP News Values and Principles, 'Corrections'",
        ),
        defaults=_COMMON_DEFAULTS,
        labels=_LABELS,
        factual_needs_correction=True,
    ),
    "reuters": Preset(
        name="reuters",
        title="Reuters",
        sources=(
            "Reuters Handbook of Journalism, 'Corrections, refiles and withdrawals' "
            "(CORRECTED for a substantive error, REFILE for a minor one, STORY WITHDRAWN; "
            "a desk head or specialist editor decides whether to correct or withdraw)",
            "Reuters, notice to its clients on corrections (2006): only senior editors are "
            "authorized to issue a CORRECTED story or a REFILE",
        ),
        defaults={**_COMMON_DEFAULTS, "factual": (CORRECTION, SIGNIFICANT)},
        labels={
            CORRECTION: "CORRECTED",
            CLARIFICATION: "CLARIFIED",
            EDITORS_NOTE: "EDITOR'S NOTE",
            UPDATE: "UPDATE",
            WITHDRAWAL: "STORY WITHDRAWN",
        },
        significant_factual_corrected=True,
        minor_correction_refiled=True,
        senior_issues=True,
    ),
    "nyt": Preset(
        name="nyt",
        title="The New York Times",
        sources=(
            "The New York Times, 'Ethical Journalism' handbook, section on corrections "
            "(every factual error is corrected, promptly, in a self-explanatory notice)",
            "The New York Times, Standards and Ethics: Editors' Notes for lapses of "
            "fairness, balance or context; a delay of more than a month is explained",
        ),
        defaults={**_COMMON_DEFAULTS, "sourcing": (EDITORS_NOTE, MINOR)},
        labels=_LABELS,
        minor_factual_may_be_silent=False,
        factual_needs_correction=True,
        balance_needs_editors_note=True,
    ),
    "ipso": Preset(
        name="ipso",
        title="IPSO Editors' Code of Practice, clause 1 (UK)",
        sources=(
            "IPSO Editors' Code of Practice, clause 1 (Accuracy): a significant "
            "inaccuracy, misleading statement or distortion must be corrected, promptly "
            "and with due prominence",
        ),
        defaults=_COMMON_DEFAULTS,
        labels=_LABELS,
        significant_factual_corrected=True,
    ),
}
DEFAULT_POLICY = "ap"


def preset(name: str | None) -> Preset:
    """The named preset; the default for a store that names none (or one this tracker
    does not know: a newer tracker's, read as the default rather than refused)."""
    return PRESETS.get(name or DEFAULT_POLICY, PRESETS[DEFAULT_POLICY])


def notice_of(note: Note | None, policy: Preset) -> str:
    """The notice readers get for a change with ``note``: the note's own, else the
    policy's default for its cause; ``none`` for a change without a note."""
    if note is None:
        return NONE
    if note.notice in NOTICE_TYPES:
        return note.notice
    return policy.defaults.get(note.category, (NONE, MINOR))[0]


def significance_of(note: Note | None, policy: Preset) -> str:
    if note is None:
        return MINOR
    if note.significance in SIGNIFICANCE:
        return note.significance
    return policy.defaults.get(note.category, (NONE, MINOR))[1]


def label(notice: str, policy: Preset) -> str:
    """How readers see the notice type under the policy ("Correction", "CORRECTED")."""
    return policy.labels.get(notice, _LABELS.get(notice, notice))


def needs_senior(notice: str, policy: Preset) -> bool:
    """Whether a notice of this type may be published only with a senior editor's
    approval under ``policy`` (its ``senior-issues`` rule)."""
    return policy.senior_issues and notice in SENIOR_NOTICES


def placement(significance: str) -> str:
    """Where a notice goes: a significant one at the top (due prominence), else the end."""
    return "top" if significance == SIGNIFICANT else "end"


@dataclass(frozen=True)
class Problem:
    """What the policy forbids in one note: ``severity`` REFUSE or FLAG, ``rule`` a short
    name (docs/corrections.md lists them), ``message`` one line for the editor."""

    severity: str
    rule: str
    message: str


def lint(note: Note, policy: Preset, corrected: str = "") -> list[Problem]:
    """What ``policy`` forbids in ``note`` (empty when nothing). Pure: it reads the note's
    fields and ``corrected``, the date of the revision that made the change (default the
    note's own date: a later note is written after the correction it describes)."""
    problems: list[Problem] = []
    rules = set(policy.rules())

    def problem(rule: str, message: str) -> None:
        if rule in rules:
            problems.append(Problem(RULES[rule].severity, rule, message))

    if note.notice and note.notice not in NOTICE_TYPES:
        problem(
            "notice-type",
            f"unknown notice type {note.notice!r}; use one of: " + ", ".join(NOTICE_TYPES),
        )
        return problems
    if note.significance and note.significance not in SIGNIFICANCE:
        problem(
            "significance", f"unknown significance {note.significance!r}; use minor or significant"
        )
        return problems
    reported = _when(note.reported) if note.reported else None
    if note.reported and reported is None:
        problem("reported-date", f"{note.reported!r} is not a date; use ISO 8601, e.g. 2025-03-06")
    written = _when(corrected or note.date)
    if reported is not None and written is not None and reported > written:
        problem(
            "reported-after-correction",
            f"the error is said to be reported on {note.reported}, after it was corrected "
            f"({corrected or note.date})",
        )
    notice, significance = notice_of(note, policy), significance_of(note, policy)
    factual = note.category == "factual"
    who = policy.title
    if factual and notice == CLARIFICATION:
        problem(
            "factual-as-clarification",
            f"{who}: a factual error is corrected with a correction, never called a clarification",
        )
    if significance == SIGNIFICANT and notice == NONE:
        problem(
            "significant-without-notice",
            f"{who}: a significant change is told to readers; give it a notice (correction, "
            "clarification, editors-note, update)",
        )
    elif factual and notice == NONE:
        problem(
            "factual-without-notice",
            f"{who}: every factual error is corrected in a notice, however small",
        )
    if factual and notice in (EDITORS_NOTE, UPDATE):
        problem(
            "factual-needs-correction",
            f"{who}: a factual error is told as a correction, not as {_a(notice)}",
        )
    if factual and significance == SIGNIFICANT and notice not in (CORRECTION, WITHDRAWAL):
        problem(
            "significant-factual-corrected",
            f"{who}: a significant factual error is corrected (notice correction), not "
            + ("left silent" if notice == NONE else f"told as {_a(notice)}"),
        )
    if notice == CORRECTION and significance == MINOR:
        problem(
            "minor-correction-refiled",
            f"{who}: a minor fix is refiled (notice none), not labelled "
            f"{label(CORRECTION, policy)}; mark it significant if the error is substantive",
        )
    if note.category == "balance" and notice == NONE:
        problem(
            "balance-needs-editors-note",
            f"{who}: a lapse of balance or fairness is told to readers in an editor's note",
        )
    if notice == WITHDRAWAL and significance != SIGNIFICANT:
        problem("minor-withdrawal", "a withdrawal is significant by nature; it goes at the top")
    if note.category in ("style", "structure") and notice not in (NONE, UPDATE):
        problem(
            "notice-for-style",
            f"a {note.category} change with {_a(notice)} notice: readers are told of "
            "errors, not of edits",
        )
    if (
        notice != NONE
        and reported is not None
        and written is not None
        and not note.late_reason
        and written - reported > timedelta(days=policy.late_after_days)
    ):
        problem(
            "late-without-reason",
            f"{who}: corrected {(written - reported).days} days after the error was reported "
            f"({note.reported}); say why with a late reason (more than "
            f"{policy.late_after_days} days)",
        )
    if notice != NONE and (named := _staff_named(note)):
        problem(
            "notice-names-staff",
            f"the note's text, which readers see in the notice, names {named}; a notice "
            "speaks for the publication and names no member of staff",
        )
    return problems


def _staff_named(note: Note) -> str:
    """The note's author as its reader-facing text names them ("" when it does not): by
    full name of two words or more, as a phrase (one word, "Will" or "June", is too
    often a plain word), or by address."""
    name, _, rest = note.author.partition("<")
    name, email = " ".join(name.split()), rest.rstrip(">").strip()
    said = " ".join(note.text.split()).casefold()
    if email and "@" in email and email.casefold() in said:
        return "its author's address"
    if " " in name and re.search(rf"(?<!\w){re.escape(name.casefold())}(?!\w)", said):
        return "its author"
    return ""


def is_late(note: Note, when: str, policy: Preset) -> bool:
    """Whether a notice published (or written) at ``when`` is more than the policy's days
    after the error was reported, with no reason given: the NYT's rule."""
    reported, at = _when(note.reported), _when(when)
    if note.late_reason or reported is None or at is None:
        return False
    return at - reported > timedelta(days=policy.late_after_days)


def _a(notice: str) -> str:
    """The notice type with its article, as a sentence says it ("an editor's note")."""
    words = _LABELS.get(notice, notice).lower()
    return ("an " if words[:1] in "aeiou" else "a ") + words


def _when(text: str) -> datetime | None:
    """An ISO 8601 date or date-time, comparable (a date alone, or no offset: UTC)."""
    try:
        parsed = datetime.fromisoformat(text)
    except (ValueError, TypeError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
