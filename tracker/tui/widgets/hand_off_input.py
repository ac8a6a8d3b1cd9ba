"""Provides one-line boxes that keep keys typed in one burst in the order they were typed.

Textual routes a key to the widget focused when the app reads it. Keys typed in one
burst after Enter or Tab (``text:Los Zetas`` Enter ``j j``; a summary, Tab, a reason)
are all read, and routed to the box, before the box's Enter or the screen's Tab binding
has run; the ``j`` presses then landed in the filter box (``text:Los Zetasjj``) and the
reason in the summary. So the box moves the focus itself, at once, when it handles
Enter or Tab, and sends any key that still reaches it afterwards back to the app, which
routes it to the widget now focused, in the order typed.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input

# Keys that move the focus as the screen's bindings would, and what they call.
FOCUS_KEYS = {"tab": "focus_next", "shift+tab": "focus_previous"}


class TypeAheadInput(Input):
    """An Input whose Tab moves the focus before the keys typed behind it are read."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._handed_off = False

    def hand_off(self, target: Widget | None) -> None:
        """Give the focus away now; keys that still reach this box follow it."""
        # set_focus now, not focus() (which waits its turn behind keys already read).
        if target is not None:
            self.screen.set_focus(target)
        self._handed_off = True

    def _on_focus(self, event: events.Focus) -> None:
        self._handed_off = False  # the box is in use again
        super()._on_focus(event)

    async def _on_key(self, event: events.Key) -> None:
        if self._handed_off and self.screen.focused is not self:
            event.stop()
            event.prevent_default()
            self.app.post_message(events.Key(event.key, event.character))
            return
        if event.key in FOCUS_KEYS:
            # In the box's own turn, not as the screen's binding: a binding runs only
            # after the key has bubbled up, by when the keys behind it were typed in here.
            event.stop()
            event.prevent_default()
            getattr(self.screen, FOCUS_KEYS[event.key])()
            self.hand_off(None)
            return
        await super()._on_key(event)


class HandOffInput(TypeAheadInput):
    """A TypeAheadInput whose Enter also gives the focus to ``hand_to``."""

    def __init__(self, *args, hand_to: type[Widget], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hand_to = hand_to

    async def action_submit(self) -> None:
        self.hand_off(self.screen.query(self.hand_to).first())
        await super().action_submit()

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and not self._handed_off:
            # Here, in the box's own turn, not as a binding (see the Tab case above).
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        await super()._on_key(event)
