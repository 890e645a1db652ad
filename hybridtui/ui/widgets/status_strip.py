"""The header strip: one chip per cloud with its state and data age (k9s-style).

Chips are laid out into lines here, by width, so a chip never breaks across
lines on a narrow terminal (Textual would wrap inside one).
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from hybridtui.inventory.model import CloudState, CloudStatus

_DOT: dict[CloudState, tuple[str, str]] = {
    CloudState.FRESH: ("●", "$success"),
    CloudState.REFRESHING: ("◌", "$primary"),
    CloudState.LOADING: ("◌", "$primary"),
    CloudState.READING: ("◌", "$primary"),
    CloudState.STALE: ("●", "$stale"),
    CloudState.PARTIAL: ("◐", "$warning"),
    CloudState.ERROR: ("✖", "$error"),
}
SEPARATOR = "  "
#: What the glyphs mean (the help screen's legend).
LEGEND = (
    ("●", "fresh (green) or stale (grey, the word says so)"),
    ("◌", "refreshing now (the age is of the data shown)"),
    ("◐", "some kinds failed: their last data is shown"),
    ("✖", "the cloud failed: the reason, and the data's age if any"),
)


def chip(s: CloudStatus) -> Content:
    """`● name  9s`: the glyph carries the routine states (fresh, refreshing),
    the age is right-aligned in three cells, so a chip keeps its width from
    refresh to refresh and the strip never re-wraps; words appear only for
    states that need reading (stale, loading, what failed)."""
    glyph, colour = _DOT[s.state]
    if s.state is CloudState.ERROR:
        text = f"error: {s.error_title}"
        if s.age is not None:
            text += f" (data {s.age_text} old)"
    elif s.state is CloudState.LOADING:
        text = "loading…"
    elif s.state is CloudState.READING:
        text = "cached…"
    else:
        text = ("stale " if s.state is CloudState.STALE else "") + s.age_text.rjust(3)
        if s.kind_errors:
            text += f" ⚠ {', '.join(str(k) for k in s.kind_errors)} failed"
    return Content.assemble((glyph, colour), " ", (s.name, "bold"), " ", (text, colour))


def layout(chips: list[Content], width: int) -> Content:
    lines: list[list[Content]] = [[]]
    used = 0
    for c in chips:
        need = c.cell_length + (len(SEPARATOR) if lines[-1] else 0)
        if lines[-1] and used + need > width:
            lines.append([])
            used, need = 0, c.cell_length
        lines[-1].append(c)
        used += need
    return Content("\n").join(Content(SEPARATOR).join(line) for line in lines)


class StatusStrip(Static):
    DEFAULT_CSS = """
    StatusStrip { height: auto; max-height: 4; padding: 0 1; background: $panel; color: $foreground; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._chips: list[Content] = []

    def show(self, statuses: list[CloudStatus]) -> None:
        self._chips = [chip(s) for s in statuses]
        self._render_chips()

    @property
    def text(self) -> str:
        """The chips as plain text, one per cloud (for tests and screen readers)."""
        return SEPARATOR.join(c.plain for c in self._chips)

    def on_resize(self) -> None:
        self._render_chips()

    def _render_chips(self) -> None:
        width = self.content_size.width or self.app.size.width - 2
        self.update(layout(self._chips, max(20, width)))
