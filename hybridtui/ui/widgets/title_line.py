"""A one-line title that redraws only when what it says changed.

`Static.update` re-lays out the whole screen by default. Pane titles and the
status strip were updated on every sync (each answer of 50 clouds refreshing,
and every second), so the dashboard re-laid out and repainted 160x48 cells at
the screen's frame rate: 5 s of the UI thread's 14 during a refresh of 50 x
2,000 nodes (py-spy --gil), and keys waited behind it (bench/scale.py).
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def same_content(a: Content, b: Content) -> bool:
    """Same text and same styles. `Content.__eq__` compares the text alone, and
    a chip turning from stale to fresh keeps its text but not its colour."""
    return a.plain == b.plain and a.spans == b.spans


class TitleLine(Static):
    """A `Static` whose height never changes with its text (one line, set in
    CSS): an update repaints the line, with no layout pass, and an update
    that says the same as what is shown does nothing."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.shown = Content("")

    def show(self, content: Content) -> None:
        if same_content(content, self.shown):
            return
        self.shown = content
        self.update(content, layout=False)
