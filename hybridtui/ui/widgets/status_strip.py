"""The header strip: one chip per cloud with its state and data age (k9s-style)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from hybridtui.inventory.model import CloudState, CloudStatus

_DOT: dict[CloudState, tuple[str, str]] = {
    CloudState.FRESH: ("●", "$success"),
    CloudState.REFRESHING: ("◌", "$primary"),
    CloudState.LOADING: ("◌", "$primary"),
    CloudState.STALE: ("●", "$stale"),
    CloudState.ERROR: ("✖", "$error"),
}


class StatusStrip(Static):
    DEFAULT_CSS = """
    StatusStrip { height: auto; max-height: 4; padding: 0 1; background: $panel; color: $foreground; }
    """

    def show(self, statuses: list[CloudStatus]) -> None:
        parts: list[Content] = []
        for s in statuses:
            glyph, colour = _DOT[s.state]
            text = s.summary if s.state is not CloudState.ERROR else f"error: {s.error_title}"
            if s.state is CloudState.ERROR and s.age is not None:
                text += f" (data {s.age_text} old)"
            # non-breaking spaces inside a chip: the strip wraps between chips only
            parts.append(
                Content.assemble(
                    (glyph, colour), "\u00a0", (s.name, "bold"), "\u00a0",
                    (text.replace(" ", "\u00a0"), colour),
                )
            )
        self.update(Content("   ").join(parts))
