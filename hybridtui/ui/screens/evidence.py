"""Why a scorecard cell says what it says: the check, the verdict, and the
records and raw fields it was read from."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from hybridtui.interop.model import Cell, Check, Evidence
from hybridtui.ui.screens.panel import InfoPanel

_EVIDENCE_MEANING = {
    Evidence.DECLARED: "declared: the config, or what this platform is documented to do",
    Evidence.INFERRED: "inferred: read from the cloud's own records (below)",
    Evidence.MEASURED: "measured: seen on a provisioning run",
}


class EvidenceScreen(InfoPanel):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "Close", id="close-evidence"),
    ]

    def __init__(self, check: Check, cell: Cell | None, changed: bool = False) -> None:
        super().__init__()
        self.check = check
        self.cell = cell
        self.changed = changed

    def compose(self) -> ComposeResult:
        c, cell = self.check, self.cell
        where = f"{cell.cloud} · " if cell else ""
        step = f"step {c.id} · " if c.step else ""
        with Vertical():
            yield Static(f"{where}{step}{c.title}", id="evidence-title", classes="title")
            with VerticalScroll(id="evidence-body"):
                yield Static(c.question)
                if cell is None:
                    yield Static(
                        "Pick a cloud's cell (← →) and press enter to see why it says what it says."
                    )
                else:
                    yield Static("Verdict", classes="section")
                    yield Static(self._verdict(cell), id="verdict")
                    yield Static("Evidence", classes="section")
                    yield Static(self._sources(cell), id="sources")
            yield Static("[dim]esc close · ↑↓ scroll[/]")

    def _verdict(self, cell: Cell) -> Table:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold")
        grid.add_column()
        grid.add_row(
            "verdict",
            str(cell.verdict).upper()
            + ("  (changed since the previous scorecard)" if self.changed else ""),
        )
        grid.add_row("reason", cell.reason)
        if cell.value:
            grid.add_row("value", cell.value)
        grid.add_row("evidence", _EVIDENCE_MEANING[cell.evidence])
        when = (
            datetime.fromtimestamp(cell.observed_at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            if cell.observed_at
            else "-"
        )
        grid.add_row("observed", when)
        return grid

    @staticmethod
    def _sources(cell: Cell) -> Table | str:
        if not cell.sources:
            return "No records: nothing was read to decide this (see the reason)."
        table = Table(box=None, padding=(0, 2), header_style="bold")
        for title in ("Kind", "Record", "Field", "Raw value"):
            table.add_column(title, overflow="fold")
        for s in cell.sources:
            table.add_row(s.kind, s.record, s.field, s.value)
        return table

    def on_mount(self) -> None:
        self.query_one("#evidence-body").focus()
