"""What interrupted runs left (key `L`, offered when there is any): the
ledger's unfinished entries, and nodes tagged as hybridtui's that no ledger
knows. `c` cleans up, after naming what goes, cloud by cloud, through the same
code as `hybridtui cleanup`."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from hybridtui.domain import Node
from hybridtui.provisioning.ledger import Entry
from hybridtui.ui.screens.confirm import ConfirmScreen


@dataclass(frozen=True)
class Leftovers:
    entries: Sequence[Entry]
    #: (cloud, node): tagged as hybridtui's, in no ledger.
    strays: Sequence[tuple[str, Node]]

    def __bool__(self) -> bool:
        return bool(self.entries or self.strays)

    @property
    def clouds(self) -> list[str]:
        names = [e.cloud for e in self.entries] + [c for c, _ in self.strays]
        return list(dict.fromkeys(names))


class LeftoversScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "clean", "Clean up", id="clean-leftovers"),
        Binding("escape,q", "dismiss", "Close", id="close-leftovers"),
    ]
    DEFAULT_CSS = """
    LeftoversScreen { align: center middle; }
    LeftoversScreen > Vertical {
        width: 96%; max-width: 130; height: 90%;
        background: $surface; border: round $warning; padding: 0 1;
    }
    LeftoversScreen .title { text-style: bold; color: $warning; }
    LeftoversScreen DataTable { height: 1fr; }
    """

    def __init__(self, found: Leftovers, clean: Callable[[Leftovers], object]) -> None:
        super().__init__()
        self.found = found
        self.clean = clean

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Left by interrupted runs", classes="title")
            yield DataTable(id="leftovers", cursor_type="row", zebra_stripes=True)
            yield Static(
                "A run still going in another hybridtui shows here too: look at its time.\n"
                "[b]c[/] clean up (asks first) · [b]esc[/] close"
            )

    def on_mount(self) -> None:
        table = self.query_one("#leftovers", DataTable)
        table.add_columns("cloud", "what", "name / id", "state", "run", "when")
        now = time.time()
        for e in self.found.entries:
            age = f"{(now - e.at) / 60:.0f} min ago" if e.at else ""
            table.add_row(e.cloud, str(e.kind), e.ref or e.name, str(e.state), e.run, age)
        for cloud, node in self.found.strays:
            table.add_row(cloud, "node", f"{node.name} ({node.id})", "tagged, in no ledger", "", "")

    def action_clean(self) -> None:
        if not self.found:
            self.dismiss()
            return
        n = len(self.found.entries) + len(self.found.strays)

        def answered(yes: bool | None) -> None:
            if yes:
                self.clean(self.found)
                self.dismiss()

        self.app.push_screen(
            ConfirmScreen(
                f"Remove {n} leftover{'s' if n != 1 else ''}?",
                f"On {', '.join(self.found.clouds)}: what these runs made is deleted "
                "(nodes, their addresses, key pairs, local node keys). Nothing hybridtui "
                "did not make is touched.",
            ),
            answered,
        )
