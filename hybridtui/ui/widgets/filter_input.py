"""The filter box: Textual's Input, but a keystroke repaints the box alone."""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class FilterInput(Input):
    """Input's value watcher sets the box's virtual size (its text's width),
    a reactive that asks for a layout of the whole screen: every keystroke
    was a reflow and repaint of every pane, 30-90 ms a frame at 50 clouds x
    2,000 nodes while they refreshed (bench/scale.py). The box's size comes
    from the CSS, never from its text, so the virtual size is set first as
    Textual sets it when no layout is due (`Widget._size_updated`); Input's
    own watcher then finds it unchanged and does the rest (the Changed
    message, the cursor, scrolling to it), and only the box is repainted."""

    def _watch_value(self, value: str) -> None:
        self.set_reactive(Widget.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)
        self.refresh()
