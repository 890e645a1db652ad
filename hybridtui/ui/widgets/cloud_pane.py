"""One cloud's pane in a tab: a title line (name, count, status) over its table."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content

from hybridtui.domain import CATALOGUE_KINDS, ResourceKind
from hybridtui.inventory.model import CloudState, CloudStatus, format_age
from hybridtui.ui.widgets.resource_table import ResourceTable, TableData
from hybridtui.ui.widgets.title_line import TitleLine

#: How a pane title counts each kind: one, several.
COUNTED: dict[ResourceKind, tuple[str, str]] = {
    ResourceKind.NODES: ("node", "nodes"),
    ResourceKind.FLAVORS: ("flavor", "flavors"),
    ResourceKind.IMAGES: ("image", "images"),
    ResourceKind.NETWORKS: ("network", "networks"),
    ResourceKind.KEYS: ("key", "keys"),
    ResourceKind.ADDRESSES: ("address", "addresses"),
    ResourceKind.SECURITY_GROUPS: ("security group", "security groups"),
    ResourceKind.ROUTERS: ("router", "routers"),
}


def pane_title(
    label: str,
    kind: ResourceKind,
    table: ResourceTable,
    status: CloudStatus | None,
    marker: str = "",
    position: str = "",
) -> Content:
    count = (
        f"{table.row_count}/{table.total_count}" if table.filter_text else str(table.total_count)
    )
    parts: list[Content | tuple[str, str] | str] = []
    if position:  # "2/6": which pane this is when not all fit on screen
        parts.append((f"{position} ", "$text-muted"))
    accent = status.accent if status is not None else ""
    if accent:  # a bar, not coloured text: an accent cannot be readable on every theme
        parts.append(("▌", accent))
    parts.append((label, "bold"))
    if status is not None and status.production:
        parts.append((" PROD ", "bold reverse $error"))
    if marker:  # e.g. a real cloud hybridtui may write to
        parts.append((f" {marker}", "bold $warning"))
    one, many = COUNTED[kind]
    parts.append((f" · {count} {one if count == '1' else many}", ""))
    if status is not None:
        colours = {
            CloudState.ERROR: "$error",
            CloudState.STALE: "$stale",
            CloudState.PARTIAL: "$warning",
        }
        colour = colours.get(status.state, "$text-muted")
        detail = f" · {status.summary}"
        if status.state is CloudState.ERROR:
            detail = f" · ✖ {status.error}"
        # this kind's own age: flavors may be older than images, a failed kind older still
        kind_age = status.kind_age(kind)
        failed = status.kind_errors.get(kind)
        if failed is not None and status.state is not CloudState.ERROR:
            # this kind failed on its own: the rest of the cloud is fine
            shown = f"data {format_age(kind_age)} old" if kind_age is not None else "no data"
            detail, colour = f" · ✖ {failed.title} ({shown})", "$error"
        parts.append((detail, colour))
        older = (kind_age or 0.0) - (status.age or 0.0)
        if kind in CATALOGUE_KINDS and failed is None and kind_age is not None and older >= 1:
            parts.append((f" · catalogue {format_age(kind_age)}", "$text-muted"))
    return Content.assemble(*parts)


class CloudPane(Vertical):
    ALLOW_MAXIMIZE = True  # `z` zooms a pane to the whole screen
    DEFAULT_CSS = """
    CloudPane { width: 40; height: 1fr; border-right: vkey $panel; }
    CloudPane > ResourceTable { width: 1fr; height: 1fr; }
    CloudPane > .pane-title { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    CloudPane:focus-within > .pane-title { background: $primary 40%; }
    CloudPane.-production { border-left: outer $error; }
    """

    def __init__(self, cloud: str, kind: ResourceKind, marker: str = "", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.cloud = cloud
        self.kind = kind
        self.marker = marker
        #: "2/6" when the panes do not all fit on screen (set by the view).
        self.position = ""
        self.status: CloudStatus | None = None
        self.table = ResourceTable(empty_text="loading…")
        self.table.context = {"cloud": cloud}  # `cloud:aws*` filters whole panes
        self.title_bar = TitleLine(classes="pane-title")

    def compose(self) -> ComposeResult:
        yield self.title_bar
        yield self.table

    def show(self, data: TableData | None, status: CloudStatus | None) -> None:
        empty = _empty_text(self.kind, status)
        if empty != self.table.empty_text:
            self.table.empty_text = empty
            self.table.refresh()
        if data is not None:
            self.table.set_data(data)
        self.retitle(status)

    def retitle(self, status: CloudStatus | None) -> None:
        self.status = status
        self.set_class(status is not None and status.production, "-production")
        self.title_bar.show(
            pane_title(self.cloud, self.kind, self.table, status, self.marker, self.position)
        )


def _empty_text(kind: ResourceKind, status: CloudStatus | None) -> str:
    if status is None or status.state is CloudState.LOADING:
        return "loading…"
    if status.state is CloudState.READING:
        return "reading the cache…"
    if status.state is CloudState.ERROR and status.fetched_at is None:
        return f"no data: {status.error}" + (f"\nfix: {status.hint}" if status.hint else "")
    failed = status.kind_errors.get(kind)
    if failed is not None:
        return f"no data: {failed.message}" + (f"\nfix: {failed.hint}" if failed.hint else "")
    if status.fetched_at is not None and status.kind_ages.get(kind) is None:
        # never asked for (offline after runs of other kinds): not "none there"
        return f"{kind} not fetched yet: nothing cached for them"
    return f"no {kind}"
