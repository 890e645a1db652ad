"""Two clouds, only what differs (key `c` on the Interop tab)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static

from hybridtui.interop.diff import diff, diff_text
from hybridtui.interop.scorecard import Scorecard
from hybridtui.interop.site import Site
from hybridtui.ui.screens.panel import InfoPanel


class PickCloudScreen(ModalScreen[str | None]):
    """Which cloud to compare the one under the cursor with."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss(None)", "Cancel", id="cancel-pick")
    ]
    DEFAULT_CSS = """
    PickCloudScreen { align: center middle; }
    PickCloudScreen > Vertical {
        width: 60; height: auto; background: $surface; border: round $primary; padding: 0 1;
    }
    PickCloudScreen .title { text-style: bold; color: $primary; }
    PickCloudScreen OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, cloud: str, others: Sequence[str]) -> None:
        super().__init__()
        self.cloud = cloud
        self.others = list(others)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Compare {self.cloud} with…", classes="title", markup=False)
            yield OptionList(*self.others, id="pick")
            yield Static("[dim]enter choose · esc cancel[/]")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.others[event.option_index])


class DiffScreen(InfoPanel):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,enter", "dismiss", "Close", id="close-diff")
    ]
    DEFAULT_CSS = "DiffScreen > Vertical { width: 95%; max-width: 140; }"

    def __init__(self, card: Scorecard, sites: Sequence[Site], a: str, b: str) -> None:
        super().__init__()
        self.card = card
        self.sites = {s.cloud: s for s in sites}
        self.a, self.b = a, b
        self.text: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"{self.a} ↔ {self.b}: only what differs", classes="title", markup=False)
            with VerticalScroll(id="diff-body"):
                yield Static("comparing…", id="diff", markup=False)
            yield Static("[dim]esc close · ↑↓ scroll[/]")

    def on_mount(self) -> None:
        self.query_one("#diff-body").focus()
        self._compute()

    @work(thread=True, exit_on_error=False, description="Comparing two clouds")
    def _compute(self) -> None:
        # every flavor size of one cloud matched against the other's catalogue
        text = diff_text(diff(self.card, self.sites, self.a, self.b), width=10_000)
        self.app.call_from_thread(self._show, text)

    def _show(self, text: str) -> None:
        self.text = text
        body = text.split("\n", 2)[2] if text.count("\n") >= 2 else text  # the title is above
        self.query_one("#diff", Static).update(body)
