"""Privacy mode in the dashboard: every line drawn on screen goes through the
masker (`hybridtui.privacy`), whatever widget drew it: tables, the details
view, the scorecard, toasts, the health view, the provisioning screen.

Why a line filter: Textual applies the app's line filters to every line of
every widget, so no screen can be forgotten. A line is masked as a whole (its
segments joined) and cut back into the same segments: a value drawn in two
styles (the part a filter matched, underlined) is still found. Masks are as
long as what they hide, so nothing moves. Tables also mask each cell before
cutting it to its column (`ResourceTable`), where a cut value would no longer
be found; `y` and `x` copy and export masked cells.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.segment import Segment
from textual.app import App
from textual.color import Color
from textual.filter import LineFilter

from hybridtui.privacy import Masker


class PrivacyFilter(LineFilter):
    """Masks the text of each line, keeping its segments and their styles."""

    def __init__(self, masker: Masker, enabled: bool) -> None:
        super().__init__(enabled=enabled)
        self.masker = masker

    def apply(self, segments: list[Segment], _background: Color) -> list[Segment]:
        text = "".join(s.text for s in segments if not s.control)
        masked = self.masker.text(text)
        if masked == text:
            return segments
        out = []
        at = 0
        for s in segments:
            if s.control:
                out.append(s)
                continue
            out.append(Segment(masked[at : at + len(s.text)], s.style))
            at += len(s.text)
        return out


class PrivacyActions(App[int]):
    """The dashboard's privacy mode: on from the start with `--privacy` or
    `privacy: true`, and toggled with `m` (`toggle-privacy`)."""

    _privacy_filter: PrivacyFilter | None = None

    def install_privacy(self, masker: Callable[[], Masker], on: bool) -> None:
        """Privacy mode on now if `on`; `masker` is called once, when privacy
        mode is first turned on (it reads the salt file)."""
        self._make_masker = masker
        if on:
            self._privacy_filter = PrivacyFilter(masker(), enabled=True)

    def get_line_filters(self) -> Sequence[LineFilter]:
        """Textual's filters, then the masker's while privacy mode is on."""
        filters = super().get_line_filters()
        f = self._privacy_filter
        return [*filters, f] if f is not None and f.enabled else filters

    @property
    def privacy_masker(self) -> Callable[[str], str] | None:
        """What masks a value on screen now; None when privacy mode is off."""
        f = self._privacy_filter
        return f.masker.text if f is not None and f.enabled else None

    def action_toggle_privacy(self) -> None:
        if self._privacy_filter is None:
            self._privacy_filter = PrivacyFilter(self._make_masker(), enabled=False)
        f = self._privacy_filter
        f.enabled = not f.enabled
        for screen in self.screen_stack:
            for widget in screen.walk_children():
                widget.refresh()
            screen.refresh()
        self.notify(
            "addresses, ids and fingerprints masked" if f.enabled else "values shown as they are",
            title=f"Privacy mode {'on' if f.enabled else 'off'}",
            timeout=3,
        )
