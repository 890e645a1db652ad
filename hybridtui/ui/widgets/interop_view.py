"""The Interop tab: one column per cloud, one row per check, and the pair scores.

It renders a `Comparison` the app computed in a worker; it never computes one
itself (the comparator may take a while with many clouds and big catalogues).
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import DataTable, Static

from hybridtui import keys
from hybridtui.interop.model import STEPS, Cell, Check, Verdict
from hybridtui.interop.report import cell_text
from hybridtui.inventory.scorecards import Comparison

#: Theme variable each verdict is drawn in.
VERDICT_COLOUR = {
    Verdict.YES: "success",
    Verdict.PARTIAL: "warning",
    Verdict.NO: "error",
    Verdict.UNKNOWN: "foreground-muted",
}
CHECK_WIDTH = 32
CELL_WIDTH = 18


class ScorecardTable(DataTable[Text]):
    """Cells are (check, cloud); `enter` asks for a cell's evidence."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(keys.default("evidence"), "select_cursor", "Evidence", id="evidence"),
        Binding(keys.default("compare-two"), "screen.compare_two", "Compare two", id="compare-two"),
    ]


class InteropView(Vertical):
    DEFAULT_CSS = """
    InteropView { height: 1fr; }
    InteropView ScorecardTable { height: 1fr; }
    InteropView #interop-empty { padding: 1 2; color: $text-muted; }
    InteropView #pairs { height: auto; max-height: 3; padding: 0 1; color: $text-muted; }
    """

    class EvidenceRequested(Message):
        """The user asked why a cell says what it says."""

        def __init__(self, check: Check, cell: Cell | None, changed: bool) -> None:
            super().__init__()
            self.check = check
            self.cell = cell
            self.changed = changed

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.comparison: Comparison | None = None
        self._checks: list[Check] = []
        self._clouds: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static("Scorecard: computing from the inventory…", id="interop-empty")
        table = ScorecardTable(
            id="scorecard", cursor_type="cell", zebra_stripes=True, fixed_columns=1
        )
        table.display = False
        yield table
        yield Static("", id="pairs")

    @property
    def table(self) -> ScorecardTable:
        return self.query_one(ScorecardTable)

    def on_mount(self) -> None:
        if self.comparison is not None:  # computed before this tab was composed
            self.show(self.comparison)

    def show(self, comparison: Comparison) -> None:
        """Redraw from a new comparison, keeping the cursor where it was."""
        self.comparison = comparison
        try:
            table = self.table
        except NoMatches:
            return  # not composed yet: on_mount shows it
        card = comparison.scorecard
        cursor = table.cursor_coordinate
        same_shape = card.clouds == self._clouds and [c.id for c in card.checks] == [
            c.id for c in self._checks
        ]
        self._checks, self._clouds = card.checks, card.clouds
        if not same_shape:
            table.clear(columns=True)
            table.add_column("Check", width=CHECK_WIDTH, key="check")
            for cloud in card.clouds:
                table.add_column(cloud, width=max(CELL_WIDTH, min(len(cloud), 24)), key=cloud)
        else:
            table.clear()
        for check in card.checks:
            label = f"{check.id} {check.title}" if check.step else check.title
            row = [Text(label, style="bold" if check.step else "")]
            for cloud in card.clouds:
                row.append(
                    self._cell(
                        card.cell(cloud, check.id),
                        check,
                        check.id in comparison.changed.get(cloud, ()),
                    )
                )
            table.add_row(*row, key=check.id)
        table.add_row(
            Text("Steps that just work", style="bold"),
            *(Text(f"{card.score(c)}/{len(STEPS)}", style="bold") for c in card.clouds),
            key="score",
        )
        if cursor.row < table.row_count:
            table.move_cursor(row=cursor.row, column=cursor.column, animate=False)
        self.query_one("#interop-empty").display = False
        table.display = True
        self._show_pairs(table.cursor_coordinate.column)

    def _show_pairs(self, column: int) -> None:
        """The pair scores of the cloud under the cursor: one short block, so a
        24-row terminal keeps the grid."""
        if self.comparison is None or not self._clouds:
            return
        card = self.comparison.scorecard
        cloud = self._clouds[max(0, column - 1)]
        parts = []
        for p in card.pairs_of(cloud):
            other = p.b if p.a == cloud else p.a
            parts.append(
                f"{other} {p.same}/{p.total}"
                + (f" (differ at {','.join(p.differ)})" if p.differ else "")
            )
        text = (
            f"{cloud} ↔ " + " · ".join(parts)
            if parts
            else f"{cloud}: no other cloud to compare with"
        )
        if any(self.comparison.changed.values()):
            text += "   * changed since the previous scorecard"
        self.query_one("#pairs", Static).update(text)

    @on(DataTable.CellHighlighted)
    def _moved(self, event: DataTable.CellHighlighted) -> None:
        event.stop()
        self._show_pairs(event.coordinate.column)

    def _cell(self, cell: Cell | None, check: Check, changed: bool) -> Text:
        if cell is None:
            return Text("–", style="dim")
        colour = self.app.theme_variables.get(VERDICT_COLOUR[cell.verdict], "")
        text = Text(cell_text(cell, check), style=colour)
        if changed:
            text.append(" *", style="bold")
        return text

    @property
    def current_cloud(self) -> str | None:
        """The cloud whose column the cursor is in (the first one on the label column)."""
        if not self._clouds:
            return None
        try:
            column = self.table.cursor_coordinate.column
        except NoMatches:
            return None
        return self._clouds[max(0, column - 1)]

    @on(DataTable.CellSelected)
    def _selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        if self.comparison is None:
            return
        row, col = event.coordinate.row, event.coordinate.column
        if row >= len(self._checks):
            return  # the score row
        check = self._checks[row]
        if col == 0:
            self.post_message(self.EvidenceRequested(check, None, False))
            return
        cloud = self._clouds[col - 1]
        card = self.comparison.scorecard
        changed = check.id in self.comparison.changed.get(cloud, ())
        self.post_message(self.EvidenceRequested(check, card.cell(cloud, check.id), changed))
