"""A tab's content: one pane per cloud side by side, or one unified table with a
Cloud column. Only the mode on screen is rebuilt when data changes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import HorizontalScroll, Vertical
from textual.reactive import reactive

from hybridtui.columns import CLOUD_COLUMN_TITLE, COLUMNS, Column, Rows
from hybridtui.domain import Resource, ResourceKind
from hybridtui.filtering import haystack
from hybridtui.inventory.model import InventoryModel
from hybridtui.ui.widgets.cloud_pane import CloudPane, pane_title
from hybridtui.ui.widgets.resource_table import ResourceTable, TableData, widest_cells
from hybridtui.ui.widgets.title_line import TitleLine

#: Narrowest pane: name, state, both addresses and the flavor stay visible.
PANE_MIN_WIDTH = 56


def _picked(kind: ResourceKind, shown: Sequence[str] | None) -> tuple[list[Column[Any]], list[int]]:
    """The columns to show (`shown`: their keys, in order) and their places in
    COLUMNS[kind] (empty: every column, as prepared)."""
    every = COLUMNS[kind]
    pick = [i for key in shown for i, c in enumerate(every) if c.key == key] if shown else []
    return ([every[i] for i in pick] if pick else list(every)), pick


def _cells(model: InventoryModel, kind: ResourceKind, cloud: str, pick: list[int]) -> Rows:
    rows = model.rows(kind, cloud)
    return [tuple(r[i] for i in pick) for r in rows] if pick else rows


def _table(cols: list[Column[Any]], with_cloud: bool, **data: Any) -> TableData:
    offset = 1 if with_cloud else 0
    return TableData(
        headers=([CLOUD_COLUMN_TITLE] if with_cloud else []) + [c.title for c in cols],
        max_widths=([20] if with_cloud else []) + [c.max_width for c in cols],
        right_aligned=frozenset(i + offset for i, c in enumerate(cols) if c.right),
        state_column=next((i + offset for i, c in enumerate(cols) if c.key == "state"), None),
        **data,
    )


def table_data(
    model: InventoryModel,
    kind: ResourceKind,
    cloud: str | None,
    shown: Sequence[str] | None = None,
) -> TableData:
    """Rows for one cloud (`cloud` given) or all clouds with a Cloud column;
    `shown`: the column keys to show, in that order (the column picker's)."""
    if cloud is None:
        return UnifiedRows().data(model, kind, shown)
    cols, pick = _picked(kind, shown)
    records = model.records(kind, cloud)
    return _table(
        cols,
        False,
        rows=_cells(model, kind, cloud, pick),
        payloads=records,
        keys=[(c, r.id) for c, r in records],
    )


@dataclass(frozen=True, slots=True)
class _Part:
    """One cloud's share of the unified table, as built at `generation`."""

    generation: int
    rows: Rows
    hay: list[str]
    natural: list[int]
    payloads: list[tuple[str, Resource]]
    keys: list[tuple[str, str]]


class UnifiedRows:
    """The unified table's rows, kept per cloud: when one cloud of fifty has
    new data, only its rows, haystacks and widths are built again, and the rest
    are reused. Rebuilding all 100,000 rows of 50 × 2,000 took the UI thread
    0.1-0.15 s for every cloud that refreshed (bench/unified_diff.py)."""

    def __init__(self) -> None:
        self._parts: dict[str, _Part] = {}
        self._key: tuple[ResourceKind, tuple[str, ...]] | None = None
        #: Clouds whose part the last `data` call built (the others were reused).
        self.built: list[str] = []

    def data(
        self, model: InventoryModel, kind: ResourceKind, shown: Sequence[str] | None = None
    ) -> TableData:
        cols, pick = _picked(kind, shown)
        key = (kind, tuple(shown or ()))
        if key != self._key:  # other cells: nothing kept fits
            self._parts.clear()
            self._key = key
        self.built = []
        parts = []
        for cloud in model.names:
            part = self._parts.get(cloud)
            generation = model.cloud_generation(cloud)
            if part is None or part.generation != generation:
                part = self._part(model, kind, cloud, pick, generation, len(cols) + 1)
                self._parts[cloud] = part
                self.built.append(cloud)
            parts.append(part)
        for gone in set(self._parts) - set(model.names):
            del self._parts[gone]
        natural = [0] * (len(cols) + 1)
        for part in parts:
            natural = [max(a, b) for a, b in zip(natural, part.natural, strict=True)]
        accents = {n: t.config.accent for n, t in model.targets.items() if t.config.accent}
        return _table(
            cols,
            True,
            accents=accents,
            rows=[row for p in parts for row in p.rows],
            payloads=[x for p in parts for x in p.payloads],
            keys=[k for p in parts for k in p.keys],
            hay=[h for p in parts for h in p.hay],
            natural=natural,
        )

    @staticmethod
    def _part(
        model: InventoryModel,
        kind: ResourceKind,
        cloud: str,
        pick: list[int],
        generation: int,
        columns: int,
    ) -> _Part:
        rows = [(cloud, *cells) for cells in _cells(model, kind, cloud, pick)]
        records = model.records(kind, cloud)
        return _Part(
            generation=generation,
            rows=rows,
            hay=[haystack(r) for r in rows],
            natural=widest_cells(rows, columns),
            payloads=records,
            keys=[(c, r.id) for c, r in records],
        )


class ResourceView(Vertical):
    DEFAULT_CSS = """
    ResourceView { height: 1fr; }
    ResourceView > #panes { height: 1fr; scrollbar-size-horizontal: 0; }
    ResourceView > #unified { height: 1fr; display: none; }
    ResourceView.-unified > #panes { display: none; }
    ResourceView.-unified > #unified { display: block; }
    ResourceView #unified > .pane-title { height: 1; background: $panel; padding: 0 1; }
    """

    unified: reactive[bool] = reactive(False)

    def __init__(
        self,
        kind: ResourceKind,
        clouds: list[str],
        markers: dict[str, str] | None = None,
        columns: Sequence[str] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.kind = kind
        #: The column keys shown, in order (None: every column).
        self.columns: list[str] | None = list(columns) if columns else None
        self.panes = [CloudPane(c, kind, marker=(markers or {}).get(c, "")) for c in clouds]
        self.unified_table = ResourceTable(empty_text="loading…")
        self.unified_title = TitleLine(classes="pane-title")
        #: The model generation the unified table shows (-1: never built).
        self._shown_unified = -1
        #: The unified table's rows, kept per cloud between rebuilds.
        self.unified_rows = UnifiedRows()
        #: Per pane: its cloud's generation that the pane shows.
        self._pane_shows: dict[str, int] = {}
        #: A pane on the page shown (the page is the one holding it).
        self.page_start = 0
        self._query = ""

    def compose(self) -> ComposeResult:
        # Paged to the terminal's width before the first layout (corrected on
        # resize): laid out at their default width first, the panes of the
        # first frame were the wrong ones and all six were drawn.
        self._fit(self.app.size.width)
        with HorizontalScroll(id="panes"):
            yield from self.panes
        with Vertical(id="unified"):
            yield self.unified_title
            yield self.unified_table

    def on_resize(self) -> None:
        self.fit_panes()

    def fit_panes(self) -> None:
        """Fit as many whole panes as stay readable and let them fill the width
        exactly; the rest are a page away (tab moves between panes). At 80
        columns that is one full-width pane, at 160 two, at 200 three. Only
        the page shown is displayed: 50 panes laid out and filtered on every
        refresh and keystroke made keys wait a second (bench/scale.py)."""
        self._fit(self.size.width)

    def _fit(self, width: int) -> None:
        if not self.panes:
            return
        per_page = self._per_page(width)
        width = width // per_page
        n = len(self.panes)
        first = self.page_start - self.page_start % per_page
        for i, pane in enumerate(self.panes):
            pane.styles.width = width
            pane.display = first <= i < first + per_page
            position = f"{i + 1}/{n}" if per_page < n else ""
            if position != pane.position:
                pane.position = position
                pane.retitle(pane.status)

    @property
    def per_page(self) -> int:
        return self._per_page(self.size.width)

    def _per_page(self, width: int) -> int:
        return max(1, min(len(self.panes), width // PANE_MIN_WIDTH))

    def show_pane(self, index: int) -> bool:
        """Bring the page holding pane `index` on screen; True if it changed."""
        if self.panes[index].display:
            return False
        self.page_start = index
        self.fit_panes()
        return True

    def watch_unified(self, unified: bool) -> None:
        self.set_class(unified, "-unified")

    def tables(self) -> list[ResourceTable]:
        """The tables on screen in the current mode."""
        if self.unified:
            return [self.unified_table]
        return [p.table for p in self.panes if p.display]

    def sync(self, model: InventoryModel, force: bool = False) -> None:
        """Bring the visible mode up to date with the model (cheap when nothing
        changed): a pane rebuilds when its own cloud changed, and only while
        it is on screen (the others when their page is shown)."""
        if force:
            self._pane_shows.clear()
            self.unified_rows = UnifiedRows()
        if self.unified:
            if force or self._shown_unified != model.generation:
                self.unified_table.set_data(self.unified_rows.data(model, self.kind, self.columns))
            self.unified_table.set_filter(self._query)
            self._retitle_unified(model)
            self._shown_unified = model.generation
            return
        for pane in self.panes:
            if not pane.display:
                continue
            status = model.status(pane.cloud)
            generation = model.cloud_generation(pane.cloud)
            changed = self._pane_shows.get(pane.cloud) != generation
            pane.show(
                table_data(model, self.kind, pane.cloud, self.columns) if changed else None,
                status,
            )
            self._pane_shows[pane.cloud] = generation
            pane.table.set_filter(self._query)
            pane.retitle(status)

    def _retitle_unified(self, model: InventoryModel) -> None:
        n = len(model.names)
        self.unified_title.show(pane_title(f"all {n} clouds", self.kind, self.unified_table, None))

    def set_filter(self, query: str, model: InventoryModel) -> None:
        self._query = query
        for table in self.tables():
            table.set_filter(query)
        if self.unified:
            self._retitle_unified(model)
        else:
            for pane in self.panes:
                if pane.display:
                    pane.retitle(model.status(pane.cloud))
