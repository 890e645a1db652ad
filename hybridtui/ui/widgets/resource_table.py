"""A table that renders only what is on screen, so 50,000 rows stay responsive.

Textual's DataTable builds every row into its own structures: refilling it takes
seconds at 50k rows. This widget keeps rows as plain tuples of strings, a
lower-cased haystack per row for filtering, and an index list of the rows that
match; `render_line` (Textual's line API) draws just the visible window. A
filter keystroke is one pass over the haystacks; nothing else is rebuilt.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from hybridtui import keys
from hybridtui.filtering import Query, RowIndex

#: Columns are separated by one blank cell (each cell carries a leading space).
GAP = 1
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


class ResourceTable(ScrollView, can_focus=True):
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
        self._data = data
        self._index = RowIndex(data.rows, data.hay)
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

    # ------------------------------------------------------------- rendering
    def render_lines(self, crop: Region) -> list[Strip]:
        """Work out the base style, scroll offset and width once per frame, not
        per line: `rich_style` walks every ancestor's CSS, and asking for these
        per line was half of a 50,000-row filter keystroke (bench/table_50k.py)."""
        x, y = self.scroll_offset
        self._frame = (self.rich_style, x, y, self.scrollable_content_region.width)
        self._mask = self._privacy_mask()
        try:
            return super().render_lines(crop)
        finally:
            self._frame = None

    @property
    def _base_style(self) -> Style:
        return self.rich_style if self._frame is None else self._frame[0]

    def render_line(self, y: int) -> Strip:
        if self._frame is None:
            x, scroll_y = self.scroll_offset
            base, width = self.rich_style, self.scrollable_content_region.width
            self._mask = self._privacy_mask()
        else:
            base, x, scroll_y, width = self._frame
        if y > 0 and not self._view:  # the message, wrapped to the pane: never cut mid-word
            return self._empty_strip(y - 1, width).crop_extend(0, width, base)
        if y == 0:
            strip = self._header_strip()
        else:
            pos = int(scroll_y) + y - 1
            if pos >= len(self._view):
                return Strip.blank(width, base)
            strip = self._row_strip(pos)
        if x or strip.cell_length != width:
            # not when it would return the strip itself: Textual's crop_extend
            # then caches the strip in itself, a reference cycle per line that
            # only the cyclic collector frees (its pauses held keys, py-spy)
            strip = strip.crop_extend(x, x + width, base)
        cut = self._partial_column(x, width)
        if cut is not None:  # a column that does not fit is left out, not cut:
            # "172.31." would read like a real value
            strip = Strip.join([strip.crop(0, cut), Strip.blank(width - cut, base)])
        if y == 0 and width > 2:  # ◀ ▶: columns are hidden that way (← → show them)
            style = base + self.get_component_rich_style("resource-table--header")
            if x > 0:
                strip = Strip.join([Strip([Segment("◀", style)]), strip.crop(1, width)])
            if self.virtual_size.width > x + width:
                strip = Strip.join([strip.crop(0, width - 1), Strip([Segment("▶", style)])])
        return strip

    def _partial_column(self, x: int, width: int) -> int | None:
        """Where (on screen) the first column that does not fit whole starts."""
        for start, w in zip(self._column_starts(), self._widths, strict=True):
            if start + w + GAP > x + width:
                return max(0, start - x) if start >= x else None
        return None

    def _cells(
        self, cells: Sequence[str], style: Style, state_style: Style | None, marks: bool = False
    ) -> Strip:
        """One row as a strip as wide as the table. Runs of one style are one
        segment (a row of eight cells in one style was sixteen, and Textual's
        crop, filters and compositor work per segment: a keystroke at 50 x
        2,000 repaints four panes of rows, bench/scale.py), and the width is
        known when every cell is ASCII, not measured again."""
        parts: list[tuple[str, Style]] = []
        right = self._data.right_aligned
        state_col = self._data.state_column
        match = style + self.get_component_rich_style("resource-table--match") if marks else None
        mask = self._mask
        accents = self._data.accents
        ascii_only = True

        def put(text: str, part_style: Style) -> None:
            if parts and parts[-1][1] is part_style:
                parts[-1] = (parts[-1][0] + text, part_style)
            elif text:
                parts.append((text, part_style))

        for i, w in enumerate(self._widths):
            text = cells[i] if i < len(cells) else ""
            if mask is not None:  # before the cut: a cut value is no longer found
                text = mask(text)
            if text.isascii():
                size = len(text)
                if size > w:  # "…" is one cell wide
                    text, size = text[: max(0, w - 1)] + "…", max(1, w)
            else:  # measured in cells, and cut on a cell boundary
                ascii_only = False
                size = cell_len(text)
                if size > w:
                    text, size = set_cell_size(text, max(0, w - 1)) + "…", max(1, w)
            pad = w - size
            right_aligned = i in right
            cell_style = style + state_style if (i == state_col and state_style) else style
            if i == 0 and text in accents:  # the gap before the cloud's name: its colour bar
                put("▌", style + Style(color=accents[text]))
                if right_aligned and pad:
                    put(" " * pad, cell_style)
            else:
                put(" " + (" " * pad if right_aligned else ""), cell_style)
            spans = self._filter.spans(i, text) if match is not None else []
            at = 0
            for start, end in spans:  # what the filter matched, marked
                if start < at:
                    continue
                put(text[at:start], cell_style)
                put(text[start:end], cell_style + match)
                at = end
            put(text[at:] + ("" if right_aligned else " " * pad), cell_style)
        width = self.virtual_size.width
        segments = [Segment(text, part_style) for text, part_style in parts]
        if not ascii_only:  # a wide character: let the strip measure itself
            return Strip(segments).extend_cell_length(width, style)
        length = sum(self._widths) + GAP * len(self._widths)
        if length < width:
            segments.append(Segment(" " * (width - length), style))
        return Strip(segments, max(length, width))

    def _header_strip(self) -> Strip:
        style = self._base_style + self.get_component_rich_style("resource-table--header")
        headers = list(self._data.headers)
        if self._sort is not None:  # ▲ ▼ on the sorted column
            col, descending = self._sort
            headers[col] = f"{headers[col]} {'▼' if descending else '▲'}"
        strip = self._cells(headers, style, None)
        col = self.current_column
        if self.has_focus and col < len(self._widths):  # the column cursor: underlined
            start = self._column_starts()[col] + GAP
            end = start + self._widths[col]
            strip = Strip.join(
                [
                    strip.crop(0, start),
                    strip.crop(start, end).apply_style(Style(underline=True)),
                    strip.crop(end, strip.cell_length),
                ]
            )
        return strip

    def _empty_strip(self, line: int, width: int) -> Strip:
        """Line `line` of the "nothing to show" message (an error and its fix
        can be long: it wraps, it is not cut)."""
        style = self._base_style + self.get_component_rich_style("resource-table--empty")
        text = (
            f"no rows match {self._query!r}" if self._query and self._data.rows else self.empty_text
        )
        lines = [
            wrapped
            for paragraph in text.splitlines()
            for wrapped in textwrap.wrap(paragraph, max(10, width - 2), break_on_hyphens=False)
        ]
        if line >= len(lines):
            return Strip.blank(width, self._base_style)
        return Strip([Segment(" " + lines[line], style)])

    def _row_strip(self, pos: int) -> Strip:
        is_cursor = pos == self.cursor
        key = (pos, self._view[pos], is_cursor and self.has_focus, self._mask is not None)
        cached = self._lines.get(key)
        if cached is not None and not is_cursor:
            return cached
        row = self._data.rows[self._view[pos]]
        style = self._base_style
        if is_cursor:
            style = style + self.get_component_rich_style(
                "resource-table--cursor" if self.has_focus else "resource-table--cursor-blurred"
            )
        state_style = None
        col = self._data.state_column
        if col is not None and not (is_cursor and self.has_focus):
            state_style = _state_style(self, row[col] if col < len(row) else "")
        strip = self._cells(row, style, state_style, bool(self._filter))
        self._lines[key] = strip
        return strip


_STATE_CLASS = {
    "running": "resource-table--running",
    "stopped": "resource-table--stopped",
    "shelved": "resource-table--stopped",
    "suspended": "resource-table--stopped",
    "building": "resource-table--building",
    "deleting": "resource-table--building",
    "error": "resource-table--error",
    "deleted": "resource-table--stopped",
}


def _state_style(table: ResourceTable, value: str) -> Style | None:
    cls = _STATE_CLASS.get(value)
    return table.get_component_rich_style(cls, partial=True) if cls else None
