"""Provides HandOffInput: a one-line box that hands the focus on when Enter submits it.

Textual routes a key to the widget focused when the app reads it. Keys typed in one
burst after Enter (``text:Los Zetas`` Enter ``j j``) are all read, and routed to the box,
before the box has handled Enter; the ``j`` presses then landed in the box, and the
filter became ``text:Los Zetasjj``. So the box moves the focus itself, at once, when it
handles Enter, and sends any key that still reaches it afterwards back to the app, which
routes it to the widget now focused, in the order typed.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input


class HandOffInput(Input):
    """An Input whose Enter gives the focus to ``hand_to`` before anything else is read."""

    def __init__(self, *args, hand_to: type[Widget], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hand_to = hand_to
        self._handed_off = False

    async def action_submit(self) -> None:
        target = self.screen.query(self.hand_to).first()
        # set_focus now, not focus() (which waits its turn behind keys already read).
        self.screen.set_focus(target)
        self._handed_off = True
        await super().action_submit()

    def _on_focus(self, event: events.Focus) -> None:
        self._handed_off = False  # the box is in use again
        super()._on_focus(event)

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "enter" and not self._handed_off:
            # Here, in the box's own turn, not as a binding: a binding runs only after the
            # key has bubbled up to the app, by when the keys behind it were typed in here.
            event.stop()
            event.prevent_default()
            await self.action_submit()
            return
        if self._handed_off and self.screen.focused is not self:
            event.stop()
            event.prevent_default()
            self.app.post_message(events.Key(event.key, event.character))
            return
        await super()._on_key(event)
