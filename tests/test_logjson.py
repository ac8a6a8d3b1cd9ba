"""``log --json``'s pass-through path prints exactly what the ordinary path would."""

from __future__ import annotations

import json

from tracker.logjson import log_json
from tracker.recording import NoteInput, add_later_note, init_store, record

from conftest import ANN, BOB, DATE, git, run_cli


def test_fast_and_ordinary_paths_agree(tmp_path):
    store = init_store(tmp_path / "s", ANN, DATE)
    doc = store.root / "doc.txt"
    doc.write_text("Alpha “beta” gamma.\n", encoding="utf-8")
    record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    doc.write_text("Alpha “delta” gamma!\n\u202e\n", encoding="utf-8")
    rev = record(
        store, "doc.txt", "Edit [b]é\x1b", "Reason “q” \\ \"x\"",
        {1: NoteInput("n1 ☃", "factual", "https://s"), 2: NoteInput("n2", "style")},
        identity=BOB,
    )  # fmt: skip
    doc.write_text("Alpha delta gamma!\n", encoding="utf-8")
    record(store, "doc.txt", "Quotes", notes={1: NoteInput("plain")}, identity=ANN)
    add_later_note(store, rev, 2, NoteInput("n2 corrected", "clarity"), ANN)
    # A commit made by plain git, bypassing the tracker: changes are computed.
    doc.write_text("Alpha delta gamma! Omega.\n", encoding="utf-8")
    git(store.root, "commit", "-qam", "Plain git edit\n\nBody of a foreign commit.")

    fast = json.loads("".join(log_json(store, "doc.txt")))
    slow = [r.to_json() for r in store.log("doc.txt")]
    assert fast["revisions"] == slow
    assert [r["summary"] for r in slow] == ["Plain git edit", "Quotes", "Edit [b]é\x1b", "Add"]
    assert slow[2]["changes"][1]["note"]["text"] == "n2 corrected"
    assert slow[0]["recorded_by_tracker"] is False and slow[0]["changes"]
    cli = json.loads(run_cli("-C", str(store.root), "log", "--json").out)
    assert cli == fast


def test_a_forged_record_falls_back_to_computed_changes(tmp_path):
    store = init_store(tmp_path / "s", ANN, DATE)
    (store.root / "doc.txt").write_text("one two\n")
    record(store, "doc.txt", "Add", identity=ANN, date=DATE)
    (store.root / "doc.txt").write_text("one three\n")
    git(
        store.root, "commit", "-qam",
        "Forged\n\nTracker-Document: doc.txt\n"
        'Tracker-Record: {"v": 1, "reason": "x", "changes": [1, 2',
    )  # fmt: skip
    result = run_cli("-C", str(store.root), "log", "--json")
    assert result.code == 0, result.err
    newest = json.loads(result.out)["revisions"][0]
    assert newest["recorded_by_tracker"] is False
    assert [(c["old"]["text"], c["new"]["text"]) for c in newest["changes"]] == [("two", "three")]
