"""How a ResourceTable draws itself: only the lines on screen, through
Textual's line API, each row one strip with runs of one style merged.

Kept apart from the table's data, filtering, sorting and keys
(`resource_table.py`), which this mixin reads but never changes.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region
from textual.scroll_view import ScrollView
from textual.strip import Strip

if TYPE_CHECKING:
    from hybridtui.filtering import Query
    from hybridtui.ui.widgets.resource_table import TableData

#: Columns are separated by one blank cell (each cell carries a leading space).
GAP = 1


class TableRendering(ScrollView):
    """Mixed into ResourceTable, which sets the attributes below."""

    empty_text: str
    cursor: int
    _data: TableData
    _view: list[int]
    _widths: list[int]
    _query: str
    _filter: Query
    _sort: tuple[int, bool] | None
    _lines: LRUCache[tuple[int, int, bool, bool], Strip]
    _frame: tuple[Style, int, int, int] | None
    _mask: Callable[[str], str] | None

    if TYPE_CHECKING:  # ResourceTable's, used here

        @property
        def current_column(self) -> int: ...
        def _column_starts(self) -> list[int]: ...
        def _privacy_mask(self) -> Callable[[str], str] | None: ...

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


def _state_style(table: TableRendering, value: str) -> Style | None:
    cls = _STATE_CLASS.get(value)
    return table.get_component_rich_style(cls, partial=True) if cls else None
