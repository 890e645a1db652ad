"""The centred read-only box the detail screens share (details, evidence,
equivalents, diff): one look, defined once. Textual's type selectors match
subclasses, so each screen only adds what differs."""

from __future__ import annotations

from textual.screen import ModalScreen


class InfoPanel(ModalScreen[None]):
    DEFAULT_CSS = """
    InfoPanel { align: center middle; }
    InfoPanel > Vertical {
        width: 90%; max-width: 120; height: 90%;
        background: $surface; border: round $primary; padding: 0 1;
    }
    InfoPanel .section { color: $accent; text-style: bold; margin-top: 1; }
    InfoPanel .title { text-style: bold; color: $primary; }
    """
