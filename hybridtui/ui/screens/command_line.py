"""The dashboard's `:` command line, k9s-style: `:nodes`, `:fip`, `:cloud NAME`,
`:unified`, `:health`, with completion and a did-you-mean for a typo.

A mixin of DashboardScreen (which provides the tabs, views and panes it
switches between), kept apart so the words and what they do read in one place.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from textual import on
from textual.screen import Screen
from textual.widgets import Input

from hybridtui.domain import ResourceKind

if TYPE_CHECKING:
    from hybridtui.inventory.model import InventoryModel
    from hybridtui.ui.widgets.resource_view import ResourceView

#: `:` commands that open a tab, with the short names k9s users type.
COMMAND_TABS: dict[str, ResourceKind] = {
    **{str(k): k for k in ResourceKind},
    "node": ResourceKind.NODES,
    "vm": ResourceKind.NODES,
    "fl": ResourceKind.FLAVORS,
    "img": ResourceKind.IMAGES,
    "net": ResourceKind.NETWORKS,
    "kp": ResourceKind.KEYS,
    "fip": ResourceKind.ADDRESSES,
    "eip": ResourceKind.ADDRESSES,
    "sg": ResourceKind.SECURITY_GROUPS,
    "rt": ResourceKind.ROUTERS,
}


class CommandLine(Screen[None]):
    """Mixed into DashboardScreen, which provides the members declared below."""

    model: InventoryModel

    if TYPE_CHECKING:  # DashboardScreen's, used here

        @property
        def interop_active(self) -> bool: ...
        @property
        def active_view(self) -> ResourceView: ...
        def action_show_tab(self, kind: str) -> None: ...
        def action_toggle_unified(self) -> None: ...
        def _show_pane(self, view: ResourceView, index: int) -> None: ...
        def _settle_focus(self) -> None: ...

    def action_command(self) -> None:
        box = self.query_one("#command", Input)
        box.add_class("-active")
        self.set_focus(box)

    @on(Input.Submitted, "#command")
    def _command_submitted(self, event: Input.Submitted) -> None:
        box = self.query_one("#command", Input)
        box.value = ""
        box.remove_class("-active")
        problem = self.run_command(event.value)
        # a table of the tab the command showed (mounted on first showing),
        # not one of this tab: focusing that would switch the tab back
        self.call_after_refresh(self._settle_focus)
        if problem:
            self.notify(problem, title="Unknown command", severity="warning", timeout=5)

    def command_words(self) -> list[str]:
        """What `:` completes: the tabs (and short names), views, clouds, screens."""
        clouds = [f"cloud {c}" for c in self.model.names]
        return [
            *COMMAND_TABS,
            "interop",
            "unified",
            "panes",
            *clouds,
            "clouds",
            "health",
            "help",
            "quit",
        ]

    def run_command(self, text: str) -> str:
        """A k9s-style `:` command; what was wrong with it ("" when it ran)."""
        word, _, arg = text.strip().lstrip(":").strip().partition(" ")
        word, arg = word.lower(), arg.strip()
        if not word:
            return ""
        if word in COMMAND_TABS:
            self.action_show_tab(str(COMMAND_TABS[word]))
        elif word in ("interop", "scorecard", "compare"):
            self.action_show_tab("interop")
        elif word in ("unified", "panes"):
            if self.interop_active:
                self.action_show_tab(str(ResourceKind.NODES))
            if self.active_view.unified != (word == "unified"):
                self.action_toggle_unified()
        elif word == "cloud":
            return self._focus_cloud(arg)
        elif word in ("health", "clouds", "pulses"):  # every cloud, one row each
            self.app.action_health()  # type: ignore[attr-defined]
        elif word == "help":
            self.app.action_help()  # type: ignore[attr-defined]
        elif word in ("q", "quit"):
            self.app.exit()
        else:
            words = sorted({w.split()[0] for w in self.command_words()})
            close = difflib.get_close_matches(word, words, n=1)
            return f":{word} is not a command" + (
                f" (did you mean :{close[0]}?)" if close else f"; try {', '.join(words)}"
            )
        return ""

    def _focus_cloud(self, name: str) -> str:
        names = self.model.names
        match = [n for n in names if n == name] or [n for n in names if n.startswith(name)]
        if not name or len(match) != 1:
            return f":cloud needs one of {', '.join(names)}" + (f" (got {name!r})" if name else "")
        if self.interop_active:
            self.action_show_tab(str(ResourceKind.NODES))
        if self.active_view.unified:
            self.action_toggle_unified()
        view = self.active_view
        index = next(i for i, p in enumerate(view.panes) if p.cloud == match[0])
        self._show_pane(view, index)
        self.call_after_refresh(view.panes[index].table.focus)
        return ""
