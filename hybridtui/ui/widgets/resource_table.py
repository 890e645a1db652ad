"""A table that renders only what is on screen, so 50,000 rows stay responsive.

Textual's DataTable builds every row into its own structures: refilling it takes
seconds at 50k rows. This widget keeps rows as plain tuples of strings, a
lower-cased haystack per row for filtering, and an index list of the rows that
match; `render_line` (Textual's line API) draws just the visible window. A
filter keystroke is one pass over the haystacks; nothing else is rebuilt. How
the lines are drawn is in `table_rendering.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from hybridtui import keys, reaper
from hybridtui.filtering import Query, RowIndex
from hybridtui.ui.widgets.table_rendering import GAP, TableRendering

#: A column is shown cut (with "…") only if this much of it fits.
MIN_CUT_WIDTH = 8


@dataclass(frozen=True, slots=True)
class TableData:
    headers: Sequence[str]
    rows: Sequence[tuple[str, ...]]
    #: What each row stands for (given back in `RowSelected`), same length as rows.
    payloads: Sequence[Any]
    #: Identity per row, to keep the cursor on the same record across refreshes.
    keys: Sequence[Any]
    max_widths: Sequence[int]
    right_aligned: frozenset[int] = frozenset()
    #: Column whose value picks a state colour (node state), if any.
    state_column: int | None = None
    #: Colour (`#rrggbb`) of each cloud with an accent, for the first column
    #: (the unified table's Cloud column).
    accents: Mapping[str, str] = field(default_factory=dict)
    #: Each row's `filtering.haystack` and each column's widest cell, if the
    #: caller kept them (the unified table, per cloud); else built here.
    hay: list[str] | None = None
    natural: Sequence[int] | None = None


def widest_cells(rows: Sequence[Sequence[str]], columns: int) -> list[int]:
    """Each column's widest cell (0 where no row has the column), in terminal
    cells: a CJK character or an emoji takes two, and measured as one, a
    server named "東京-web-02" pushed the columns after it two cells right."""
    widths = [0] * columns
    for row in rows:
        for i, cell in enumerate(row):
            n = len(cell) if cell.isascii() else cell_len(cell)
            if n > widths[i]:
                widths[i] = n
    return widths


class ResourceTable(TableRendering, can_focus=True):
    """Virtual table: a fixed header line, then the filtered rows."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(keys.default("cursor-up"), "cursor(-1)", "Up", show=False, id="cursor-up"),
        Binding(keys.default("cursor-down"), "cursor(1)", "Down", show=False, id="cursor-down"),
        Binding(keys.default("page-up"), "page(-1)", "Page up", show=False, id="page-up"),
        Binding(keys.default("page-down"), "page(1)", "Page down", show=False, id="page-down"),
        Binding(keys.default("first-row"), "jump(0)", "First", show=False, id="first-row"),
        Binding(keys.default("last-row"), "jump(-1)", "Last", show=False, id="last-row"),
        Binding(
            keys.default("column-left"), "columns(-1)", "Column left", show=False, id="column-left"
        ),
        Binding(
            keys.default("column-right"),
            "columns(1)",
            "Column right",
            show=False,
            id="column-right",
        ),
        Binding(keys.default("details"), "select", "Details", id="details"),
        Binding(keys.default("yank-cell"), "yank(False)", "Copy cell", show=False, id="yank-cell"),
        Binding(keys.default("yank-row"), "yank(True)", "Copy row", show=False, id="yank-row"),
        Binding(keys.default("export"), "export", "Export", show=False, id="export"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "resource-table--header",
        "resource-table--cursor",
        "resource-table--cursor-blurred",
        "resource-table--empty",
        "resource-table--running",
        "resource-table--stopped",
        "resource-table--building",
        "resource-table--error",
        "resource-table--match",
    }
    DEFAULT_CSS = """
    ResourceTable {
        background: $surface;
        color: $foreground;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 0;  /* ◀ ▶ in the header say there is more */
    }
    ResourceTable > .resource-table--header { background: $panel; color: $foreground; text-style: bold; }
    ResourceTable > .resource-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold; }
    ResourceTable > .resource-table--cursor-blurred { background: $block-cursor-blurred-background; }
    ResourceTable > .resource-table--empty { color: $text-muted; text-style: italic; }
    ResourceTable > .resource-table--running { color: $node-running; }
    ResourceTable > .resource-table--stopped { color: $node-stopped; }
    ResourceTable > .resource-table--building { color: $node-building; }
    ResourceTable > .resource-table--error { color: $node-error; }
    ResourceTable > .resource-table--match { text-style: bold underline; }
    """

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class RowSelected(Message):
        """The user pressed enter on a row."""

        def __init__(self, table: ResourceTable, payload: Any) -> None:
            super().__init__()
            self.table = table
            self.payload = payload

        @property
        def control(self) -> ResourceTable:
            return self.table

    def __init__(self, *, empty_text: str = "nothing here", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.empty_text = empty_text
        self._data = TableData((), (), (), (), ())
        self._index = RowIndex(())
        self._view: list[int] = []
        self._widths: list[int] = []
        #: Each column's widest cell, uncapped (the caps give way when there is room).
        self._natural: list[int] = []
        self._query = ""
        self._filter = Query("")
        #: Fields a row has without a column for them (a pane's cloud), for `cloud:aws*`.
        self.context: dict[str, str] = {}
        #: Sorted by (column, descending), or as the cloud listed them.
        self._sort: tuple[int, bool] | None = None
        self._lines: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(1024)
        #: The column cursor: ← → move it, `y` copies its cell.
        self.column = 0
        #: (base style, scroll x, scroll y, width) while a frame renders.
        self._frame: tuple[Style, int, int, int] | None = None
        #: Privacy mode's masker while it is on (the app's `privacy_masker`).
        self._mask: Callable[[str], str] | None = None

    # ------------------------------------------------------------------ data
    @property
    def row_count(self) -> int:
        """Rows shown (after the filter)."""
        return len(self._view)

    @property
    def total_count(self) -> int:
        return len(self._data.rows)

    @property
    def filter_text(self) -> str:
        """The filter now applied (not `query`: that is Textual's DOM query)."""
        return self._query

    def set_data(self, data: TableData) -> None:
        """Replace all rows, keeping the cursor on the same record if it is still there."""
        current = self.current_key
        if data.headers != self._data.headers:
            self._sort = None  # another kind of table
        # the rows replaced (a cloud's 2,000 nodes, often their last
        # reference) are freed in the reaper's thread, not this one
        replaced: list[object] = [self._data, self._index]
        self._data = data
        self._index = RowIndex(data.rows, data.hay)
        reaper.retire(replaced)
        self._widths = self._measure()
        self._filter = Query.parse(self._query, data.headers, list(self.context))
        self._apply_filter()
        self._keep_cursor_on(current)
        self._refresh_all()

    def set_filter(self, query: str) -> None:
        """Show only the rows `query` holds for (see hybridtui.filtering)."""
        query = query.strip()
        if query == self._query:
            return
        self._query = query
        self._filter = Query.parse(query, self._data.headers, list(self.context))
        self._apply_filter()
        self.cursor = 0
        self.scroll_to(0, 0, animate=False, immediate=True)
        self._refresh_all()

    @property
    def filter_notes(self) -> tuple[str, ...]:
        """What the filter took otherwise than typed (a regex that does not compile)."""
        return self._filter.notes

    def _apply_filter(self) -> None:
        self._view = self._index.select(self._filter, self.context, self._sort)

    @property
    def sort_state(self) -> tuple[str, bool] | None:
        """(column title, descending) the rows are sorted by, if any."""
        if self._sort is None:
            return None
        return self._data.headers[self._sort[0]], self._sort[1]

    def sort_by(self, column: int, descending: bool = False) -> None:
        """Sort the rows by a column (None-like values last), keeping the cursor
        on the same record."""
        current = self.current_key
        self._sort = (column, descending)
        self._widths = self._measure()  # room for the ▲ ▼
        self._apply_filter()
        self._keep_cursor_on(current)
        self._refresh_all()

    def sort_by_letter(self, letter: str) -> bool:
        """Shift+letter: the column whose title starts with it; again: the
        other order; again: the next column with that letter (k9s-like)."""
        columns = [i for i, h in enumerate(self._data.headers) if h[:1].upper() == letter]
        if not columns:
            return False
        if self._sort is None or self._sort[0] not in columns:
            self.sort_by(columns[0])
        elif not self._sort[1]:
            self.sort_by(self._sort[0], descending=True)
        else:
            self.sort_by(columns[(columns.index(self._sort[0]) + 1) % len(columns)])
        return True

    @property
    def current_column(self) -> int:
        """The column `y` copies (← → move it)."""
        return min(self.column, max(0, len(self._widths) - 1))

    def visible_table(self) -> tuple[list[str], list[tuple[str, ...]]]:
        """Headers and the rows shown (filtered, sorted): what `x` exports,
        masked in privacy mode as on screen."""
        rows = self._data.rows
        mask = self._privacy_mask()
        if mask is None:
            return list(self._data.headers), [rows[i] for i in self._view]
        return list(self._data.headers), [tuple(map(mask, rows[i])) for i in self._view]

    def _privacy_mask(self) -> Callable[[str], str] | None:
        mask: Callable[[str], str] | None = getattr(self.app, "privacy_masker", None)
        return mask

    def action_yank(self, row: bool) -> None:
        """`y` the cell, `Y` the row (tab-separated), to the clipboard through
        the terminal (OSC 52: works over SSH, and in tmux with set-clipboard)."""
        if not self._view:
            return
        cells = self._data.rows[self._view[min(self.cursor, len(self._view) - 1)]]
        mask = self._privacy_mask()
        if mask is not None:
            cells = tuple(map(mask, cells))
        if row:
            text = "\t".join(cells)
        else:
            col = self.current_column
            text = cells[col] if col < len(cells) else ""
        self.app.copy_to_clipboard(text)
        shown = text if len(text) <= 60 else text[:59] + "…"
        self.notify(shown.replace("\t", " · "), title="Copied", timeout=3)

    def action_export(self) -> None:
        self.post_message(self.ExportRequested(self))

    class ExportRequested(Message):
        """`x`: the screen asks where to write the table shown."""

        def __init__(self, table: ResourceTable) -> None:
            super().__init__()
            self.table = table

    def _keep_cursor_on(self, key: Any) -> None:
        if key is None or not self._data.keys:
            return
        try:
            pos = self._view.index(self._data.keys.index(key))
        except ValueError:
            pos = 0
        self.cursor = min(pos, max(0, len(self._view) - 1))

    def on_key(self, event: events.Key) -> None:
        """Shift+letter sorts, unless the letter is bound (G, L, …): a binding wins."""
        ch = event.character
        if not ch or len(ch) != 1 or not ("A" <= ch <= "Z"):
            return
        if event.key in self.screen.active_bindings:
            return
        if self.sort_by_letter(ch):
            event.stop()
            event.prevent_default()

    def _measure(self) -> list[int]:
        d = self._data
        sorted_col = self._sort[0] if self._sort else -1
        widths = [len(h) + (2 if i == sorted_col else 0) for i, h in enumerate(d.headers)]
        cells = d.natural if d.natural is not None else widest_cells(d.rows, len(widths))
        widths = [max(w, c) for w, c in zip(widths, cells, strict=False)]
        self._natural = widths
        return self._fit(self._room())

    def _room(self) -> int:
        """The width columns are fitted to: the content width less the vertical
        scrollbar, whether it shows yet or not (it appears when rows arrive, with
        no resize event: fitting to the width without it cut the last column
        one cell short, depending on which came first)."""
        return self.size.width - int(self.styles.scrollbar_size_vertical or 0)

    def _fit(self, room: int) -> list[int]:
        """Column widths: each capped (so one long image name cannot push every
        other column off screen), then the caps give way, left to right, to
        use the room the pane has: a wide terminal shows whole names."""
        d = self._data
        natural = self._natural
        widths = [
            min(w, d.max_widths[i]) if i < len(d.max_widths) else w for i, w in enumerate(natural)
        ]
        spare = room - (sum(widths) + GAP * len(widths))
        for i, w in enumerate(widths):
            if spare <= 0:
                break
            grow = min(spare, natural[i] - w)
            widths[i] += grow
            spare -= grow
        # the column across the right edge gets the room left, cut with "…",
        # when that room is worth it (else it is left out: see render_line)
        start = 0
        for i, w in enumerate(widths):
            left = room - start - GAP
            if start + w + GAP > room:
                if left >= MIN_CUT_WIDTH:
                    widths[i] = left
                break
            start += w + GAP
        return widths

    def on_resize(self) -> None:
        if self._natural:
            widths = self._fit(self._room())
            if widths != self._widths:
                self._widths = widths
                self._refresh_all()

    def _column_starts(self) -> list[int]:
        starts, x = [], 0
        for w in self._widths:
            starts.append(x)
            x += w + GAP
        return starts

    def action_columns(self, delta: int) -> None:
        """← → move the column cursor a whole column (what `y` copies, marked in
        the header), scrolling sideways by whole columns to keep it in view."""
        if not self._widths:
            return
        self.column = max(0, min(len(self._widths) - 1, self.column + delta))
        starts = self._column_starts()
        start, end = starts[self.column], starts[self.column] + self._widths[self.column] + GAP
        x, width = int(self.scroll_x), self.scrollable_content_region.width
        if start < x:
            target = start
        elif end > x + width:  # the first column start that shows this one whole
            target = next((s for s in starts if end - s <= width), start)
        else:
            target = x
        self.scroll_to(x=min(target, self.max_scroll_x), animate=False, immediate=True)
        self.refresh()

    def _refresh_all(self) -> None:
        self._lines.clear()
        total = sum(self._widths) + GAP * len(self._widths)
        self.virtual_size = Size(total, len(self._view) + 1)
        self.refresh()

    @property
    def current_payload(self) -> Any:
        if not self._view:
            return None
        return self._data.payloads[self._view[min(self.cursor, len(self._view) - 1)]]

    @property
    def current_key(self) -> Any:
        if not self._view or not self._data.keys:
            return None
        return self._data.keys[self._view[min(self.cursor, len(self._view) - 1)]]

    def visible_rows(self) -> list[tuple[str, ...]]:
        """The rows currently on screen (tests and the tmux check read these)."""
        top = int(self.scroll_offset.y)
        height = max(0, self.size.height - 1)
        return [self._data.rows[i] for i in self._view[top : top + height]]

    # --------------------------------------------------------------- actions
    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * max(1, self.size.height - 2))

    def action_jump(self, where: int) -> None:
        self._move(len(self._view) - 1 if where < 0 else 0)

    def action_select(self) -> None:
        payload = self.current_payload
        if payload is not None:
            self.post_message(self.RowSelected(self, payload))

    def _move(self, pos: int) -> None:
        if not self._view:
            return
        self.cursor = max(0, min(pos, len(self._view) - 1))

    def watch_cursor(self, new: int) -> None:
        rows_visible = max(1, self.size.height - 1)
        top = int(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + rows_visible:
            self.scroll_to(y=new - rows_visible + 1, animate=False, immediate=True)
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        pos = int(self.scroll_offset.y) + event.y - 1
        if 0 <= pos < len(self._view):
            self.cursor = pos
            if event.chain >= 2:
                self.action_select()

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()
