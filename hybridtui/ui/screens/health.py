"""`i`: each cloud's health, the numbers a person needs when a cloud feels slow
(k9s's `:pulses`): how long its last refresh took, how many SDK calls it made
and how many kinds it asked for, when it last succeeded, failures in a row and
when it is tried again, the age of the data shown, and the SDK's version."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from hybridtui.inventory.model import format_age


@dataclass(frozen=True, slots=True)
class Health:
    """One cloud's row, as the app knows it now."""

    cloud: str
    kind: str
    state: str
    #: Seconds the last refresh took (None: none finished yet).
    last_seconds: float | None
    kinds_asked: int
    calls: int | None
    last_success_age: float | None
    failures: int
    #: Seconds until the next refresh (<= 0: due; None: refreshing now).
    next_in: float | None
    data_age: float | None
    sdk: str
    error: str
    #: Seconds between refreshes asked for (`refresh_interval`).
    interval: float = 60.0

    @property
    def behind(self) -> bool:
        """The last refresh took longer than the interval: the data shown gets
        older than the interval asks (a refresh starts an interval after the
        last one ended; a cloud is never refreshed twice at once, nothing queues)."""
        return self.last_seconds is not None and self.last_seconds > self.interval


COLUMNS = (
    "Cloud",
    "Provider",
    "State",
    "Last refresh",
    "Kinds",
    "SDK calls",
    "Last success",
    "Failures",
    "Next",
    "Data age",
    "SDK",
    "Last error",
)


def cells(h: Health) -> tuple[str, ...]:
    def ago(age: float | None) -> str:
        return "never" if age is None else f"{format_age(age)} ago"

    if h.next_in is None:
        nxt = "refreshing"
    elif h.next_in <= 0:
        nxt = "due"
    else:
        nxt = f"in {format_age(h.next_in)}"
    return (
        h.cloud,
        h.kind,
        h.state,
        "-"
        if h.last_seconds is None
        else f"{h.last_seconds:.2f}s" + (" ⚠ behind" if h.behind else ""),
        str(h.kinds_asked) if h.last_seconds is not None else "-",
        "-" if h.calls is None else str(h.calls),
        ago(h.last_success_age),
        str(h.failures),
        nxt,
        "-" if h.data_age is None else format_age(h.data_age),
        h.sdk,
        (h.error if len(h.error) <= 70 else h.error[:69] + "…") or "-",
    )


class HealthScreen(ModalScreen[None]):
    """Redrawn every second from the app's numbers; `esc` closes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,i,q", "dismiss", "Close", id="close-health"),
    ]
    DEFAULT_CSS = """
    HealthScreen { align: center middle; }
    HealthScreen > Vertical {
        width: 98%; height: auto; max-height: 90%; background: $surface;
        border: round $primary; padding: 0 1;
    }
    HealthScreen .title { text-style: bold; color: $primary; }
    HealthScreen DataTable { height: auto; max-height: 30; }
    """

    def __init__(
        self, rows: Callable[[], list[Health]], clock: Callable[[], float] = time.time
    ) -> None:
        super().__init__()
        self.rows = rows
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Cloud health", classes="title")
            yield Static("", id="behind")
            yield DataTable(id="health", cursor_type="row", zebra_stripes=True)
            yield Static(
                "SDK calls: operations of the last refresh (a listing's pages each count)"
                " · [b]r[/] in the dashboard refreshes now · [b]esc[/] close"
            )

    def on_mount(self) -> None:
        table = self.query_one("#health", DataTable)
        for title in COLUMNS:
            table.add_column(title, key=title)
        self._fill()
        self.set_interval(1.0, self._fill)

    def _fill(self) -> None:
        table = self.query_one("#health", DataTable)
        cursor = table.cursor_row
        table.clear()
        rows = self.rows()
        for h in rows:
            table.add_row(*cells(h), key=h.cloud)
        behind = [h.cloud for h in rows if h.behind]
        self.query_one("#behind", Static).update(
            f"⚠ {len(behind)} of {len(rows)} clouds take longer to refresh than their"
            f" refresh_interval ({', '.join(behind[:5])}{' …' if len(behind) > 5 else ''}):"
            " their data gets older than it asks (refreshes never pile up: the next"
            " starts an interval after the last ended); raise refresh_interval for them"
            if behind
            else ""
        )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
