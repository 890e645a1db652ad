"""The header strip: one chip per cloud with its state and data age (k9s-style).

Chips are laid out into lines here, by width, so a chip never breaks across
lines on a narrow terminal (Textual would wrap inside one).
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from hybridtui.inventory.model import CloudState, CloudStatus
from hybridtui.ui.widgets.title_line import same_content

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
    accent = ("▌", s.accent) if s.accent else ""  # a bar: readable on every theme
    prod = ("!", "bold $error") if s.production else ""
    return Content.assemble(
        (glyph, colour), " ", accent, prod, (s.name, "bold"), " ", (text, colour)
    )


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


#: Rows the chips may take; more clouds than fit are summed up in one line.
MAX_ROWS = 2
#: The summary's order, and each state's word.
_SUMMARY: tuple[tuple[CloudState, str], ...] = (
    (CloudState.FRESH, "fresh"),
    (CloudState.REFRESHING, "refreshing"),
    (CloudState.READING, "reading cache"),
    (CloudState.LOADING, "loading"),
    (CloudState.STALE, "stale"),
    (CloudState.PARTIAL, "partly failed"),
    (CloudState.ERROR, "failed"),
)


def too_many(statuses: list[CloudStatus], width: int) -> bool:
    """Whether the chips cannot fit in `MAX_ROWS` rows, known without
    building them: a chip is at least `● name 9s` wide. With 50 clouds the
    strip is redrawn for every answer, and building 50 chips to throw them
    away was a tenth of the UI thread during a refresh (py-spy)."""
    least = sum(len(s.name) + 6 + len(SEPARATOR) for s in statuses) - len(SEPARATOR)
    return least > MAX_ROWS * width


#: Where every cloud is listed, longest first: the summary ends with the first that fits.
_TAILS = ("  (i or :clouds: every cloud)", "  (i: every cloud)", "  (i)")


def summary(statuses: list[CloudStatus], width: int) -> Content:
    """`50 clouds  ● 45 fresh  ◌ 3 refreshing  ✖ 2 failed: demo-07, demo-19`:
    one line however many clouds; the failing ones named while they fit, and
    `i` (the health view) lists every cloud."""
    parts: list[Content] = [Content.assemble((f"{len(statuses)} clouds", "bold"))]
    for state, word in _SUMMARY:
        n = sum(s.state is state for s in statuses)
        if n:
            glyph, colour = _DOT[state]
            parts.append(Content.assemble((glyph, colour), f" {n} {word}"))
    line = Content(SEPARATOR).join(parts)
    failing = [s.name for s in statuses if s.state in (CloudState.ERROR, CloudState.PARTIAL)]
    # the pointer to the full list, as long as the line has room for (a
    # summary that wrapped kept its second row after it got shorter)
    tail = next((t for t in _TAILS if line.cell_length + len(t) <= width), "")
    named: list[str] = []
    for i, name in enumerate(failing):  # as many as fit, then how many more
        rest = len(failing) - i - 1
        text = ", ".join([*named, name]) + (f" +{rest} more" if rest else "")
        if line.cell_length + 2 + len(text) + len(tail) > width:
            break
        named.append(name)
    if named:
        rest = len(failing) - len(named)
        text = ", ".join(named) + (f" +{rest} more" if rest else "")
        line = Content.assemble(line, ": ", (text, "$error"))
    return Content.assemble(line, tail)


class StatusStrip(Static):
    DEFAULT_CSS = """
    StatusStrip { height: auto; max-height: 4; padding: 0 1; background: $panel; color: $foreground; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._statuses: list[CloudStatus] = []
        self._shown = Content("")

    def show(self, statuses: list[CloudStatus]) -> None:
        self._statuses = statuses
        self._render_chips()

    @property
    def text(self) -> str:
        """What the strip shows, as plain text (for tests and screen readers)."""
        return self._shown.plain.replace("\n", SEPARATOR)

    def on_resize(self) -> None:
        self._render_chips()

    def _render_chips(self) -> None:
        width = max(20, self.content_size.width or self.app.size.width - 2)
        if too_many(self._statuses, width):  # 50 clouds took 5 rows
            shown = summary(self._statuses, width)
        else:
            shown = layout([chip(s) for s in self._statuses], width)
            if len(shown.plain.split("\n")) > MAX_ROWS:
                shown = summary(self._statuses, width)
        if same_content(shown, self._shown):
            return  # every second, and every answer of every cloud: mostly no change
        # a layout pass (the whole screen) only when the strip's height changes
        rows = _rows(shown, width) != _rows(self._shown, width)
        self._shown = shown
        self.update(shown, layout=rows)


def _rows(content: Content, width: int) -> int:
    """The rows `content` takes at `width`, wrapped by Textual's own wrapping
    (at word boundaries, so a count by length alone could be one short)."""
    return max(1, len(content.wrap(width)))
