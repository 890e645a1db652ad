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
    CloudState.STALE: ("●", "$stale"),
    CloudState.PARTIAL: ("◐", "$warning"),
    CloudState.ERROR: ("✖", "$error"),
}
SEPARATOR = "   "


def chip(s: CloudStatus) -> Content:
    glyph, colour = _DOT[s.state]
    text = s.summary if s.state is not CloudState.ERROR else f"error: {s.error_title}"
    if s.state is CloudState.ERROR and s.age is not None:
        text += f" (data {s.age_text} old)"
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
        return "   ".join(c.plain for c in self._chips)

    def on_resize(self) -> None:
        self._render_chips()

    def _render_chips(self) -> None:
        width = self.content_size.width or self.app.size.width - 2
        self.update(layout(self._chips, max(20, width)))
