"""A flavor's or an image's equivalents on every other cloud (key `e`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from hybridtui.domain import Flavor, Image
from hybridtui.interop.equivalence import Equivalent, equivalents, spec_of_flavor, spec_of_image
from hybridtui.interop.site import Site
from hybridtui.ui.screens.panel import InfoPanel


def describe(record: Flavor | Image | None) -> str:
    if record is None:
        return "–"
    if isinstance(record, Flavor):
        arch = f", {record.arch}" if record.arch else ""
        gpu = f", {record.gpus} GPU" if record.gpus else ""
        return f"{record.name} ({record.vcpus} vCPU, {record.ram_mb / 1024:g} GiB{arch}{gpu})"
    return f"{record.name} ({record.distro} {record.version or '?'}, {record.arch or 'arch ?'})"


class EquivalentsScreen(InfoPanel):
    DEFAULT_CSS = "EquivalentsScreen > Vertical { width: 95%; max-width: 140; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter,e", "dismiss", "Close", id="close-equivalents"),
    ]

    def __init__(self, cloud: str, record: Flavor | Image, sites: Sequence[Site]) -> None:
        super().__init__()
        self.cloud = cloud
        self.record = record
        self.sites = list(sites)
        self.found: list[Equivalent] | None = None

    def compose(self) -> ComposeResult:
        if isinstance(self.record, Flavor):
            s = spec_of_flavor(self.record)
            wanted = f"≥{s.vcpus} vCPU, ≥{s.ram_gb:g} GiB, {s.arch}" + (
                f", ≥{s.gpu} GPU" if s.gpu else ""
            )
        else:
            s = spec_of_image(self.record)
            wanted = f"{s.distro} {s.version or '(newest)'}, {s.arch}"
        with Vertical():
            yield Static(
                f"Equivalents of {self.cloud} · {describe(self.record)}",
                id="equivalents-title",
                classes="title",
                markup=False,
            )
            yield Static(f"[dim]on every other cloud: {escape(wanted)}[/]")
            with VerticalScroll(id="equivalents-body"):
                yield Static("matching…", id="equivalents")
            yield Static("[dim]esc close · ↑↓ scroll[/]")

    def on_mount(self) -> None:
        self.query_one("#equivalents-body").focus()
        self._match()

    @work(thread=True, exit_on_error=False, description="Matching equivalents")
    def _match(self) -> None:
        # a catalogue of thousands of images per cloud: not on the UI thread
        found = equivalents(self.record, self.sites, exclude=self.cloud)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: list[Equivalent]) -> None:
        self.found = found
        # two columns (cloud, then the match, why and runner-up stacked): readable at 80 columns
        table = Table.grid(padding=(0, 2))
        table.add_column(no_wrap=True, style="bold")
        table.add_column(overflow="fold")
        for eq in found:
            c = eq.choice
            body = Text()
            if c.record is not None:
                body.append(describe(c.record), style="bold")  # type: ignore[arg-type]
            else:
                body.append("no match", style="bold")
            body.append(f"\n{c.reason}", style="dim")
            other = c.runner_up if c.record is not None else c.closest
            if other is not None:
                label = "runner-up" if c.record is not None else "closest"
                body.append(f"\n{label}: {describe(other)}")  # type: ignore[arg-type]
            table.add_row(eq.cloud, body)
            table.add_row("", "")
        if not found:
            self.query_one("#equivalents", Static).update("No other cloud is configured.")
            return
        self.query_one("#equivalents", Static).update(table)
