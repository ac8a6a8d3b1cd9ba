"""Keys typed in one burst inside a form land in the field they were typed for.

A fast typist, or a paste, puts Tab and the words behind it in the terminal at once.
Textual reads them all and routes each to the field focused at that moment, before the
screen's Tab binding has moved the focus: the reason landed in the summary.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input
from tui_helpers import editing_app, run_app, settle

from tracker.demo import build_demo
from tracker.tui.screens.annotate import AnnotateScreen
from tracker.tui.screens.record import RecordScreen


@pytest.fixture
def demo_copy(tmp_path):
    return build_demo(tmp_path / "demo").root


def burst(app, *parts: str) -> None:
    """Queue keys as the terminal delivers a burst: all at once, none waited for."""
    named = {"tab": "\t", "shift+tab": None, "ctrl+s": None, "enter": "\r"}
    for part in parts:
        for key in [part] if part in named else list(part):
            character = named.get(key, key)
            event = events.Key("space" if key == " " else key, character)
            event.set_sender(app)
            app._driver.send_message(event)


def value(screen, selector: str) -> str:
    return screen.query_one(selector, Input).value


def test_a_burst_with_tabs_in_the_open_record_screen_fills_each_field(
    demo_copy, tmp_path, monkeypatch
):
    app = editing_app(demo_copy, tmp_path, monkeypatch)

    async def scenario(pilot, screen):
        await pilot.press("e")
        await settle(pilot, lambda: isinstance(pilot.app.screen, RecordScreen))
        record = pilot.app.screen
        await settle(pilot, lambda: record.focused is record.query_one("#summary"))
        burst(pilot.app, "Add a word", "tab", "It ended abruptly", "tab", "One more word")
        await settle(pilot, lambda: value(record, ".note") == "One more word")
        assert value(record, "#summary") == "Add a word"
        assert value(record, "#reason") == "It ended abruptly"
        # And back: shift+tab, then words, go to the field before.
        burst(pilot.app, "shift+tab", " (checked)")
        await settle(pilot, lambda: value(record, "#reason").endswith("(checked)"))
        assert value(record, ".note") == "One more word"

    run_app(demo_copy, scenario, app=app)


def test_a_burst_with_a_tab_in_the_annotate_box_fills_note_then_source(demo_copy):
    async def scenario(pilot, screen):
        await pilot.press("a")
        await settle(pilot, lambda: isinstance(pilot.app.screen, AnnotateScreen))
        box = pilot.app.screen
        await settle(pilot, lambda: box.focused is box.query_one("#text"))
        burst(pilot.app, "Checked", "tab", "court record")
        await settle(pilot, lambda: value(box, "#source").endswith("court record"))
        assert value(box, "#text").endswith("Checked")
        assert "court" not in value(box, "#text")

    run_app(demo_copy, scenario)
