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

from collections.abc import Mapping
from dataclasses import dataclass, field

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
    ),
    "reuters": Preset(
        name="reuters",
        title="Reuters",
        sources=(
            "Reuters Handbook of Journalism, 'Corrections, refiles and withdrawals' "
            "(CORRECTED for a substantive error, REFILE for a minor one, STORY WITHDRAWN)",
        ),
        defaults={**_COMMON_DEFAULTS, "factual": (CORRECTION, SIGNIFICANT)},
        labels={
            CORRECTION: "CORRECTED",
            CLARIFICATION: "CLARIFIED",
            EDITORS_NOTE: "EDITOR'S NOTE",
            UPDATE: "UPDATE",
            WITHDRAWAL: "STORY WITHDRAWN",
        },
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


def lint(note: Note, policy: Preset) -> list[Problem]:
    """What ``policy`` forbids in ``note`` (empty when nothing)."""
    problems: list[Problem] = []
    if note.notice and note.notice not in NOTICE_TYPES:
        problems.append(
            Problem(
                REFUSE,
                "notice-type",
                f"unknown notice type {note.notice!r}; use one of: " + ", ".join(NOTICE_TYPES),
            )  # fmt: skip
        )
        return problems
    if note.significance and note.significance not in SIGNIFICANCE:
        problems.append(
            Problem(
                REFUSE,
                "significance",
                f"unknown significance {note.significance!r}; use minor or significant",
            )  # fmt: skip
        )
        return problems
    notice, significance = notice_of(note, policy), significance_of(note, policy)
    factual = note.category == "factual"
    if factual and notice == CLARIFICATION and policy.factual_never_clarification:
        problems.append(
            Problem(
                REFUSE,
                "factual-as-clarification",
                f"{policy.title}: a factual error is corrected with a correction, never "
                "called a clarification",
            )  # fmt: skip
        )
    if significance == SIGNIFICANT and notice == NONE:
        problems.append(
            Problem(
                REFUSE,
                "significant-without-notice",
                f"{policy.title}: a significant change is told to readers; give it a "
                "notice (correction, clarification, editor's note, update)",
            )  # fmt: skip
        )
    elif factual and notice == NONE and not policy.minor_factual_may_be_silent:
        problems.append(
            Problem(
                REFUSE,
                "factual-without-notice",
                f"{policy.title}: every factual error is corrected in a notice, however small",
            )  # fmt: skip
        )
    if notice == WITHDRAWAL and significance != SIGNIFICANT:
        problems.append(
            Problem(
                FLAG,
                "minor-withdrawal",
                "a withdrawal is significant by nature; it is placed at the top",
            )  # fmt: skip
        )
    if note.category in ("style", "structure") and notice not in (NONE, UPDATE):
        problems.append(
            Problem(
                FLAG,
                "notice-for-style",
                f"a {note.category} change with a {notice} notice: readers are told "
                "of errors, not of edits",
            )  # fmt: skip
        )
    return problems
