"""`?`: every key binding, gathered from the live bindings so the list never drifts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.markup import escape
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from hybridtui import keys
from hybridtui.columns import COLUMN_LEGEND
from hybridtui.ui.widgets.status_strip import LEGEND

#: Said once by extra_help() instead of one line per binding.
MOVEMENT = frozenset(
    {
        "cursor-up",
        "cursor-down",
        "page-up",
        "page-down",
        "first-row",
        "last-row",
        "column-left",
        "column-right",
        "next-pane",
        "previous-pane",
        "zoom-pane",
    }
)


def extra_help(effective: Mapping[str, str]) -> list[tuple[str, str]]:
    """Movement, said once per kind of move, with the keys in effect."""

    def k(*ids: str) -> str:
        return " / ".join(keys.shown(effective[i]) for i in ids)

    return [
        (k("next-pane", "previous-pane"), "Next / previous pane (round the panes on screen)"),
        (k("zoom-pane"), "Zoom the pane to the whole screen (again, or esc, puts it back)"),
        (
            k("cursor-up", "cursor-down", "page-up", "page-down", "first-row", "last-row"),
            "Move in a table: row, page, first, last",
        ),
        (k("column-left", "column-right"), "A column left / right; ◀ ▶ in the header: more"),
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
        # long key lists (movement) wrap in their column instead of widening it
        table.add_column(style="bold", max_width=18, overflow="fold")
        table.add_column()
        for key, desc in dict.fromkeys(self.bindings):  # each pair once, in order
            table.add_row(key, desc)
        table.add_row("", "")
        table.add_row("[u]columns[/]", "")
        for title, meaning in COLUMN_LEGEND:
            table.add_row(escape(title), escape(meaning))
        table.add_row("", "")
        table.add_row("[u]status strip[/]", "")
        for glyph, meaning in LEGEND:
            table.add_row(glyph, meaning)
        with Vertical():
            yield Static("hybridtui — keys", id="help-title")
            with VerticalScroll():
                yield Static(table, id="help-table")
            yield Static("[dim]esc close[/]")


def describe_bindings(
    effective: Mapping[str, str], *groups: list[BindingType]
) -> list[tuple[str, str]]:
    """(keys, description) for every binding with a description, first seen
    wins, with the keys in effect (a `keymap:` remaps them). The table's
    movement keys are left to extra_help(), which says each kind of move once."""
    out: list[tuple[str, str]] = []
    for group in groups:
        for b in group:
            if not isinstance(b, Binding) or not b.description or b.id in MOVEMENT:
                continue
            bound = effective.get(b.id, b.key) if b.id else b.key
            out.append((keys.shown(keys.normalize(bound)), b.description))
    return out
