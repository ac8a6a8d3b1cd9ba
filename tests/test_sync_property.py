"""A few small trials of the "Done when" property (bench/sync_property.py runs 200):
editors doing random record / note / review / sync over file:// and git daemon; after a
final round every clone has identical refs, every note, review and journal entry ever
written is there exactly once, and verify passes everywhere."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from sync_property import run_trial, served  # noqa: E402


@pytest.mark.parametrize(
    ("seed", "editors", "kinds"),
    [(41, 3, ["file"]), (44, 3, ["file", "git"])],
)
def test_nothing_written_is_lost_or_doubled(seed, editors, kinds, tmp_path) -> None:
    with served(tmp_path, kinds) as urls:
        trial = run_trial(seed, tmp_path, urls, editors, steps=10)
    # The seeds are chosen to write notes and reviews, replay revisions and join refs;
    # in seed 41 two editors change the same words, and one settles it (sync --settle).
    assert trial.notes and trial.reviews and trial.replayed and trial.joined
    assert trial.settled or seed != 41
