"""Provides the JSON corrections report: the full machine-readable audit record."""

from __future__ import annotations

import json
from typing import Any

from tracker.model import Revision
from tracker.notices import item_json
from tracker.policy import preset

TYPE_CHECKING = False  # the report types only annotate: no import back into the package
if TYPE_CHECKING:
    from tracker.export import Report


def _revision(report: Report, revision: Revision) -> dict[str, Any]:
    """The revision as ``show --json`` has it, each change with its notice beside its note
    (the note keeps its stored keys; the notice says what the policy made of them)."""
    data = revision.to_json()
    notes = {change.index: change.note for change in revision.changes}
    for change in data["changes"]:
        change["notice"] = report.notice(notes.get(change["index"]))
    return data


def render_json(report: Report) -> str:
    data = {
        "document": report.document,
        "store": report.store,
        "range": report.range,
        "generated": report.generated,
        "categories": dict(sorted(report.categories.items())),
        "policy": preset(report.policy).name,
        "revisions": [_revision(report, item.revision) for item in report.revisions],
        "notices": [item_json(item) for item in report.notices],
    }
    # ASCII-only: no control or bidi character reaches whoever prints the file.
    return json.dumps(data, ensure_ascii=True, indent=2) + "\n"
