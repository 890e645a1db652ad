"""The command palette's entries (ctrl+p): every dashboard action by name,
with the key that does it in this session (a keymap may have moved it)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.screen import Screen

from hybridtui.ui.screens.dashboard import TAB_TITLES

if TYPE_CHECKING:
    from hybridtui.settings import Settings
    from hybridtui.ui.screens.dashboard import DashboardScreen


class PaletteCommands(App[int]):
    """Mixed into HybridApp, which has the actions named below."""

    settings: Settings

    if TYPE_CHECKING:  # HybridApp's, used here

        @property
        def dashboard(self) -> DashboardScreen: ...
        def key_of(self, binding_id: str) -> str: ...
        def action_refresh(self) -> None: ...
        def action_provision(self) -> None: ...
        def action_health(self) -> None: ...
        def action_cycle_theme(self) -> None: ...
        def action_help(self) -> None: ...

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        dash = self.dashboard
        if not self.settings.offline:
            yield SystemCommand(
                "Refresh all clouds",
                f"Poll every cloud now ({self.key_of('refresh')})",
                self.action_refresh,
            )
        yield SystemCommand(
            "Filter all panes",
            f"Type to filter every pane at once ({self.key_of('filter')})",
            dash.action_filter,
        )
        yield SystemCommand(
            "Toggle unified view",
            f"One table with a Cloud column, or panes side by side ({self.key_of('toggle-unified')})",
            dash.action_toggle_unified,
        )
        yield SystemCommand(
            "Show Interop scorecard",
            f"How each cloud behaves at the eight node-allocation steps ({self.key_of('tab-interop')})",
            partial(dash.action_show_tab, "interop"),
        )
        for kind, title in TAB_TITLES.items():
            yield SystemCommand(
                f"Show {title}",
                f"Switch to the {title} tab",
                partial(dash.action_show_tab, str(kind)),
            )
        if self.check_action("provision", ()):
            yield SystemCommand(
                "Provision a node",
                f"The eight steps on one or more writable clouds ({self.key_of('provision')})",
                self.action_provision,
            )
        yield SystemCommand(
            "Cloud health",
            f"Last refresh, SDK calls, failures, next try, SDK version ({self.key_of('health')})",
            self.action_health,
        )
        yield SystemCommand(
            "Cycle theme",
            f"Next colour theme ({self.key_of('cycle-theme')})",
            self.action_cycle_theme,
        )
        yield SystemCommand(
            "Key bindings", f"Every key and what it does ({self.key_of('help')})", self.action_help
        )
