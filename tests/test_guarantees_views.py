"""What a reader sees is the right way round: old text left and new text right (CLI and
app side by side), and ``log -S`` lists exactly the revisions that add or remove the
words, judged by texts whose summaries do not contain them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tui_helpers import run_app, settle

from tracker.recording import init_store, record
from tracker.tui.widgets.diff_view import DIVIDER, DiffView

from conftest import ANN, run_cli

TEXTS = (
    ("Add fox.txt", "The fox jumps over the dog.\n"),
    ("Speed", "The quick fox jumps over the dog.\n"),  # adds "quick"
    ("Verb", "The quick fox leaps over the dog.\n"),  # keeps "quick": no match
    ("Animal", "The quick fox leaps over the cat.\n"),  # keeps "quick": no match
)
DATES = [f"2020-01-0{n}T10:00:00+00:00" for n in range(1, 5)]


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """Four revisions of fox.txt (the library writes them: fixed identity and dates)."""
    store = init_store(tmp_path_factory.mktemp("views") / "store", ANN, DATES[0])
    for (summary, text), date in zip(TEXTS, DATES, strict=True):
        (store.root / "fox.txt").write_text(text, encoding="utf-8")
        record(store, "fox.txt", summary, identity=ANN, date=date)
    return store.root


def summaries(root: Path, *args: str) -> list[str]:
    result = run_cli("-C", str(root), "log", *args, "--json")
    assert result.code == 0, result.err
    return [r["summary"] for r in json.loads(result.out)["revisions"]]


def test_log_search_lists_only_the_revision_that_adds_the_words(history):
    assert summaries(history) == ["Animal", "Verb", "Speed", "Add fox.txt"]
    assert not any("quick" in s.lower() for s, _ in TEXTS)  # found by the text alone
    assert summaries(history, "-S", "quick") == ["Speed"]
    assert summaries(history, "-S", "leaps") == ["Verb"]
    assert summaries(history, "-S", "jumps") == ["Verb", "Add fox.txt"]  # removed, added
    assert summaries(history, "-S", "absent words") == []
    human = run_cli("-C", str(history), "log", "-S", "quick")
    assert human.code == 0, human.err
    assert "Speed" in human.out
    for other in ("Verb", "Animal", "Add fox.txt"):
        assert other not in human.out


def test_cli_side_by_side_puts_the_old_text_left_and_the_new_right(history):
    result = run_cli("-C", str(history), "diff", "HEAD~2", "HEAD~1", "--side-by-side",
                     "--width", "100")  # fmt: skip
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    header = next(line for line in lines if "old " in line and "new " in line)
    split = header.index("new ")
    assert header.index("old ") < split
    row = next(line for line in lines if "[-jumps-]" in line)
    assert row.index("[-jumps-]") < split <= row.index("{+leaps+}")
    # The marks sit in a gutter before each side's text, so they are checked against the
    # column divider rather than the header's words.
    divider = row.index("│")
    assert row.index("−") < divider < row.index("+ ")


def test_the_app_side_by_side_puts_the_old_text_left_and_the_new_right(history):
    seen: dict[str, str] = {}

    async def scenario(pilot, screen):
        view = screen.query_one(DiffView)
        view.layout_mode = "side"

        def shown() -> bool:
            lines = [view.render_line(y).text for y in range(view.size.height)]
            seen["row"] = next((line for line in lines if "cat" in line), "")
            return bool(seen["row"])

        await settle(pilot, shown)

    run_app(history, scenario)
    row = seen["row"]
    left, _, right = row.partition(DIVIDER)
    # The newest revision (Animal) replaces "dog" with "cat": old words and the "−"
    # gutter on the left, new words and the "+" gutter on the right.
    assert "dog" in left and "cat" not in left and left.lstrip().startswith("−")
    assert "cat" in right and "dog" not in right and right.lstrip().startswith("+")
