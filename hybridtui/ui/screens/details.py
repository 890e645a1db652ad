"""Details of one record: our normalized fields next to what the cloud really said."""

from __future__ import annotations

import json
from typing import ClassVar

from rich.syntax import Syntax
from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from hybridtui.domain import Node, Resource, peek_raw
from hybridtui.inventory.snapshot import scrub
from hybridtui.ui.screens.panel import InfoPanel


class DetailsScreen(InfoPanel):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "Close", id="close-details"),
    ]

    def __init__(self, cloud: str, record: Resource) -> None:
        super().__init__()
        self.cloud = cloud
        self.record = record

    def compose(self) -> ComposeResult:
        r = self.record
        with Vertical():
            yield Static(f"{self.cloud} · {r.KIND} · {r.name}", id="details-title", classes="title")
            with VerticalScroll(id="details-body"):
                yield Static("Normalized", classes="section")
                yield Static(self._normalized(), id="normalized")
                yield Static("Provider record (raw, secrets redacted)", classes="section")
                # decoded for the view (a kept record is JSON text, see RawRecord)
                raw = json.dumps(scrub(peek_raw(r)), indent=2, sort_keys=True, default=str)
                yield Static(Syntax(raw, "json", theme="ansi_dark", word_wrap=True), id="raw")
            yield Static("[dim]esc close · ↑↓ scroll[/]")

    def _normalized(self) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        data = self.record.to_dict()
        data.pop("raw", None)
        if isinstance(self.record, Node):
            data["public_ip"] = self.record.public_ip or "-"
            data["private_ip"] = self.record.private_ip or "-"
            data["addresses"] = (
                "\n".join(
                    f"{a['ip']}  (v{a['version']}, {a['kind']}, {a['network']})"
                    for a in data["addresses"]
                )
                or "-"
            )
        for key, value in data.items():
            if isinstance(value, list):
                value = ", ".join(map(str, value)) or "-"
            table.add_row(key, str(value) if value not in ("", None) else "-")
        return table

    def on_mount(self) -> None:
        self.query_one("#details-body").focus()
