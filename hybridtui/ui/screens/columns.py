"""`o`: choose the columns of the tab on screen (space toggles, enter keeps).
The choice is the config's `columns:` entry for that tab, saved there when the
config is a file of the user's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static


class ColumnsScreen(ModalScreen[list[str] | None]):
    """Every column of a kind, the shown ones ticked; `enter` returns the ticked
    keys in table order (None on `esc`, or when none is ticked)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel", id="cancel-columns"),
        Binding("enter", "keep", "Keep", id="keep-columns", priority=True),
    ]
    DEFAULT_CSS = """
    ColumnsScreen { align: center middle; }
    ColumnsScreen > Vertical {
        width: 50; max-width: 96%; height: auto; max-height: 90%;
        background: $surface; border: round $primary; padding: 0 1;
    }
    ColumnsScreen .title { text-style: bold; color: $primary; }
    ColumnsScreen SelectionList { height: auto; max-height: 14; }
    ColumnsScreen #columns-error { color: $error; }
    """

    def __init__(self, tab: str, columns: Sequence[tuple[str, str]], shown: Sequence[str]) -> None:
        super().__init__()
        self.tab = tab
        self.columns = list(columns)  # (key, title)
        self.shown = set(shown)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Columns of {self.tab}", classes="title", markup=False)
            yield SelectionList[str](
                *[(title, key, key in self.shown) for key, title in self.columns], id="columns"
            )
            yield Static("", id="columns-error", markup=False)
            yield Static("[b]space[/] show/hide · [b]enter[/] keep · [b]esc[/] cancel")

    def action_keep(self) -> None:
        ticked = set(self.query_one("#columns", SelectionList).selected)
        keys = [key for key, _ in self.columns if key in ticked]
        if not keys:
            self.query_one("#columns-error", Static).update("keep at least one column")
            return
        self.dismiss(keys)
