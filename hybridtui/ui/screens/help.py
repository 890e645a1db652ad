"""`?`: every key binding, gathered from the live bindings so the list never drifts."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from hybridtui.ui.widgets.status_strip import LEGEND

EXTRA_HELP = [
    ("tab / shift+tab", "Next / previous pane (round the panes on screen)"),
    ("z", "Zoom the pane to the whole screen (z or esc puts it back)"),
    ("↑ ↓ pgup pgdn home end", "Move in a table (also j k g G)"),
    ("← →", "A column left / right (also h l); ◀ ▶ in the header: more that way"),
    ("ctrl+p", "Command palette: every action by name"),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="close-help"),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Vertical { width: 72; max-width: 95%; height: auto; max-height: 90%;
        background: $surface; border: round $primary; padding: 0 1; }
    HelpScreen #help-title { text-style: bold; color: $primary; }
    """

    def __init__(self, bindings: list[tuple[str, str]]) -> None:
        super().__init__()
        self.bindings = bindings

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 3))
        table.add_column(style="bold")
        table.add_column()
        seen: set[str] = set()
        for key, desc in [*self.bindings, *EXTRA_HELP]:
            if key in seen:
                continue
            seen.add(key)
            table.add_row(key, desc)
        table.add_row("", "")
        table.add_row("[u]status strip[/]", "")
        for glyph, meaning in LEGEND:
            table.add_row(glyph, meaning)
        with Vertical():
            yield Static("hybridtui — keys", id="help-title")
            with VerticalScroll():
                yield Static(table, id="help-table")
            yield Static("[dim]esc close[/]")


def describe_bindings(*groups: list[BindingType]) -> list[tuple[str, str]]:
    """(key, description) for every binding with a description, first seen wins."""
    out: list[tuple[str, str]] = []
    for group in groups:
        for b in group:
            if isinstance(b, Binding) and b.description:
                keys = " / ".join(
                    k.strip().replace("question_mark", "?").replace("slash", "/")
                    for k in b.key.split(",")
                )
                out.append((keys, b.description))
    return out
