"""Provides the JSON corrections report: the full machine-readable audit record."""

from __future__ import annotations

import json

from tracker.notices import item_json

TYPE_CHECKING = False  # the report types only annotate: no import back into the package
if TYPE_CHECKING:
    from tracker.export import Report


def render_json(report: Report) -> str:
    data = {
        "document": report.document,
        "store": report.store,
        "range": report.range,
        "generated": report.generated,
        "categories": dict(sorted(report.categories.items())),
        "revisions": [item.revision.to_json() for item in report.revisions],
        "notices": [item_json(item) for item in report.notices],
    }
    # ASCII-only: no control or bidi character reaches whoever prints the file.
    return json.dumps(data, ensure_ascii=True, indent=2) + "\n"
