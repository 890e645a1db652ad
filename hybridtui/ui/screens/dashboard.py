"""The main screen: status strip, a tab per resource kind, one pane per cloud."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widgets import Footer, Input, Static, TabbedContent, TabPane

from hybridtui import keys, priority
from hybridtui.domain import Flavor, Image, Node, ResourceKind
from hybridtui.interop.site import Site
from hybridtui.inventory.model import InventoryModel
from hybridtui.ui.screens.command_line import CommandLine
from hybridtui.ui.widgets.cloud_pane import CloudPane
from hybridtui.ui.widgets.resource_table import ResourceTable
from hybridtui.ui.widgets.resource_view import ResourceView
from hybridtui.ui.widgets.status_strip import StatusStrip
from hybridtui.ui.writes import WriteActions

if TYPE_CHECKING:
    # The scorecard's view and the screens a key opens load when first needed:
    # with the comparator they were 40-50 ms of the time to first paint.
    from hybridtui.inventory.scorecards import Comparison
    from hybridtui.ui.widgets.interop_view import InteropView

TAB_TITLES = {
    ResourceKind.NODES: "Nodes",
    ResourceKind.FLAVORS: "Flavors",
    ResourceKind.IMAGES: "Images",
    ResourceKind.NETWORKS: "Networks",
    ResourceKind.KEYS: "Keys",
    ResourceKind.ADDRESSES: "Addresses",
    ResourceKind.SECURITY_GROUPS: "Sec groups",
    ResourceKind.ROUTERS: "Routers",
}
INTEROP_TAB = "tab-interop"


class Views(dict[ResourceKind, ResourceView]):
    """Each resource tab's view, made when first asked for: the first frame
    shows one, and making all eight (a pane per cloud in each) was time
    spent before it."""

    def __init__(self, make: Callable[[ResourceKind], ResourceView]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, kind: ResourceKind) -> ResourceView:
        view = self[kind] = self._make(kind)
        return view


class DashboardScreen(CommandLine):
    #: Under 20 rows (a jump host's small terminal, a projector's large font)
    #: the screen is `-short`: blocks below a grid keep to one row.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (20, "-tall")]
    BINDINGS: ClassVar[list[BindingType]] = [
        # priority: run as the key arrives, so `/kafka` typed fast (or arriving in
        # one packet over SSH) sends `kafka` to the filter, not the table
        Binding(keys.default("filter"), "filter", "Filter", id="filter", priority=True),
        Binding(keys.default("command"), "command", "Command", show=False, id="command"),
        Binding(
            keys.default("clear-filter"),
            "clear_filter",
            "Clear filter",
            show=False,
            id="clear-filter",
        ),
        Binding(keys.default("toggle-unified"), "toggle_unified", "Unify", id="toggle-unified"),
        Binding(keys.default("delete-node"), "delete_node", "Delete", id="delete-node"),
        Binding(keys.default("ssh-node"), "ssh_node", "SSH", id="ssh-node"),
        Binding(
            keys.default("tab-nodes"), "show_tab('nodes')", "Nodes tab", show=False, id="tab-nodes"
        ),
        Binding(
            keys.default("tab-flavors"),
            "show_tab('flavors')",
            "Flavors tab",
            show=False,
            id="tab-flavors",
        ),
        Binding(
            keys.default("tab-images"),
            "show_tab('images')",
            "Images tab",
            show=False,
            id="tab-images",
        ),
        Binding(
            keys.default("tab-networks"),
            "show_tab('networks')",
            "Networks tab",
            show=False,
            id="tab-networks",
        ),
        Binding(
            keys.default("tab-keys"), "show_tab('keys')", "Keys tab", show=False, id="tab-keys"
        ),
        Binding(
            keys.default("tab-addresses"),
            "show_tab('addresses')",
            "Addresses tab",
            show=False,
            id="tab-addresses",
        ),
        Binding(
            keys.default("tab-security-groups"),
            "show_tab('security-groups')",
            "Security groups tab",
            show=False,
            id="tab-security-groups",
        ),
        Binding(
            keys.default("tab-routers"),
            "show_tab('routers')",
            "Routers tab",
            show=False,
            id="tab-routers",
        ),
        Binding(
            keys.default("tab-interop"),
            "show_tab('interop')",
            "Interop scorecard",
            show=False,
            id="tab-interop",
        ),
        Binding(keys.default("equivalents"), "equivalents", "Equivalents", id="equivalents"),
        # only the tables on screen, round and round: never the tab bar or a
        # hidden widget (Textual's focus chain would visit both)
        Binding(keys.default("zoom-pane"), "zoom", "Zoom pane", show=False, id="zoom-pane"),
        Binding(keys.default("columns"), "columns", "Columns", show=False, id="columns"),
        Binding(keys.default("next-pane"), "pane(1)", "Next pane", show=False, id="next-pane"),
        Binding(
            keys.default("previous-pane"),
            "pane(-1)",
            "Previous pane",
            show=False,
            id="previous-pane",
        ),
    ]
    DEFAULT_CSS = """
    DashboardScreen #banner { height: 1; padding: 0 1; background: $demo-banner; color: $background; text-style: bold; }
    DashboardScreen #leftovers-banner { height: 1; padding: 0 1; background: $warning; color: $background; text-style: bold; display: none; }
    DashboardScreen #leftovers-banner.-shown { display: block; }
    DashboardScreen #filter { dock: bottom; display: none; height: 3; border: tall $primary; }
    DashboardScreen #filter.-active { display: block; }
    DashboardScreen #command { dock: bottom; display: none; height: 3; border: tall $accent; }
    DashboardScreen #command.-active { display: block; }
    DashboardScreen TabbedContent { height: 1fr; }
    DashboardScreen TabPane { padding: 0; height: 1fr; }
    DashboardScreen ContentSwitcher { height: 1fr; }
    """

    def __init__(
        self,
        model: InventoryModel,
        banner: str | None,
        markers: dict[str, str] | None = None,
        columns: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.banner = banner
        self.views = Views(
            lambda k: ResourceView(
                k, model.names, markers or {}, (columns or {}).get(str(k)), id=f"view-{k}"
            )
        )
        self.query_text = ""
        #: A filtering is due after the next frame (`_filter_changed`).
        self._filter_pending = False
        self._failed_tabs: set[ResourceKind] = set()
        #: A scorecard came while the Interop tab was hidden: drawn when it is shown.
        self._interop_stale = False
        #: The latest comparison; the Interop tab's view is made when first needed.
        self._comparison: Comparison | None = None
        self._interop: InteropView | None = None
        #: The resource tab shown last (the Interop tab has no resource view).
        self._resource_kind = ResourceKind.NODES

    def compose(self) -> ComposeResult:
        if self.banner:
            yield Static(self.banner, id="banner")
        yield Static("", id="leftovers-banner", markup=False)
        yield StatusStrip(id="status")
        with TabbedContent(initial=f"tab-{ResourceKind.NODES}"):
            for kind in ResourceKind:
                with TabPane(TAB_TITLES[kind], id=f"tab-{kind}"):
                    if kind is ResourceKind.NODES:  # the others when first shown:
                        yield self.views[kind]  # 8 tabs x 50 panes took 5 s to first paint
            yield TabPane("Interop", id=INTEROP_TAB)  # filled when first shown
        yield Input(placeholder="filter all panes (enter: keep, esc: clear)", id="filter")
        yield Input(
            placeholder=":nodes :images :cloud NAME :unified :health … (→ completes)",
            id="command",
            suggester=SuggestFromList(self.command_words(), case_sensitive=False),
        )
        # compact, and no "^p palette" (help lists it): at 80 columns every key
        # the footer offers fits, `? Help` included
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.sync()
        self.call_after_refresh(self._settle_focus)

    # ------------------------------------------------------------------ state
    @property
    def active_kind(self) -> ResourceKind:
        """The resource tab shown, or shown last while the Interop tab is up."""
        return self._kind_of(self.query_one(TabbedContent))

    def _kind_of(self, tabs: TabbedContent) -> ResourceKind:
        active = tabs.active or f"tab-{ResourceKind.NODES}"
        if active != INTEROP_TAB:
            self._resource_kind = ResourceKind(active.removeprefix("tab-"))
        return self._resource_kind

    @property
    def interop(self) -> InteropView:
        """The Interop tab's view (made, not mounted, on first use)."""
        if self._interop is None:
            from hybridtui.ui.widgets.interop_view import InteropView

            self._interop = InteropView(id="interop")
            self._interop.comparison = self._comparison
        return self._interop

    @property
    def interop_active(self) -> bool:
        try:
            return self.query_one(TabbedContent).active == INTEROP_TAB
        except NoMatches:
            return False

    @property
    def active_view(self) -> ResourceView:
        return self.views[self.active_kind]

    def sync(self, force: bool = False) -> None:
        """Redraw what changed in the model: statuses always, tables if data changed."""
        try:
            strip = self.query_one(StatusStrip)
            tabs = self.query_one(TabbedContent)
        except NoMatches:
            # not composed yet (on_mount syncs from the model then), or the app
            # is exiting and the screen is being dismantled
            return
        statuses = self.model.statuses()
        strip.show(statuses)
        self._mark_failed_tabs(tabs, {k for s in statuses for k in s.kind_errors})
        if tabs.active != INTEROP_TAB:
            self.views[self._kind_of(tabs)].sync(self.model, force=force)

    def _mark_failed_tabs(self, tabs: TabbedContent, failed: set[ResourceKind]) -> None:
        """A ⚠ on the tab of every kind that failed on some cloud."""
        if failed == self._failed_tabs:
            return
        self._failed_tabs = failed
        for kind, title in TAB_TITLES.items():
            tabs.get_tab(f"tab-{kind}").label = f"{title} ⚠" if kind in failed else title

    def show_comparison(self, comparison: Comparison) -> None:
        """Draw the scorecard now if its tab is shown, else when it is: with
        50 clouds refreshing, redrawing the hidden grid for every new
        scorecard took a third of the UI thread (py-spy)."""
        self._comparison = comparison
        if self.interop_active and self.interop.is_mounted:
            self.interop.show(comparison)
        else:
            if self._interop is not None:
                self._interop.comparison = comparison
            self._interop_stale = True

    def _settle_focus(self) -> None:
        """Focus a table once the screen has painted, unless the user has begun
        typing in the filter or command box meanwhile: on a busy app `/` can
        land before this runs, and the keys after it went to the table."""
        focused = self.focused
        if not (isinstance(focused, Input) and focused.has_class("-active")):
            self.focus_table()

    def focus_table(self) -> None:
        if self.interop_active:
            if self.interop.is_mounted and self.interop.table.display:
                self.interop.table.focus()
            return
        focused = self.focused
        tables = self.active_view.tables()
        if isinstance(focused, ResourceTable) and focused in tables:
            return
        if tables:  # now, not deferred: a later explicit focus (`:cloud`) must win
            self.set_focus(tables[0])

    # ---------------------------------------------------------------- events
    @on(TabbedContent.TabActivated)
    async def _tab_changed(self) -> None:
        self.refresh_bindings()  # `e` exists on the Flavors and Images tabs only
        if self.interop_active:
            interop = self.interop
            if not interop.is_mounted:  # first time on this tab: drawn as it mounts
                self._interop_stale = False
                await self.query_one(f"#{INTEROP_TAB}", TabPane).mount(interop)
            elif self._interop_stale and interop.comparison is not None:
                self._interop_stale = False
                interop.show(interop.comparison)
            self.call_after_refresh(self._settle_focus)
            return
        view = self.active_view
        if not view.is_mounted:  # first time on this tab
            view.unified = self.views[ResourceKind.NODES].unified
            await self.query_one(f"#tab-{view.kind}", TabPane).mount(view)
        view.sync(self.model)
        view.set_filter(self.query_text, self.model)
        self.call_after_refresh(self._settle_focus)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        """The typed text is painted first, the rows a frame later: keys
        typed meanwhile fold into one filtering (as k9s and fzf do), and the
        echo does not wait for four panes of 2,000 rows (bench/scale.py)."""
        self.query_text = event.value
        if not self._filter_pending:
            self._filter_pending = True
            priority.hold()  # background work waits for the rows too
            self.call_after_refresh(self._apply_filter)

    def _apply_filter(self) -> None:
        self._filter_pending = False
        self.active_view.set_filter(self.query_text, self.model)
        self.call_after_refresh(priority.release)

    def _show_pane(self, view: ResourceView, index: int) -> None:
        """Page to pane `index`; the panes of the new page catch up with the model."""
        if view.show_pane(index):
            view.sync(self.model)
            view.set_filter(self.query_text, self.model)

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.focus_table()
        if not self.query_text:
            self.query_one("#filter").remove_class("-active")

    def on_interop_view_evidence_requested(self, event: InteropView.EvidenceRequested) -> None:
        from hybridtui.ui.screens.evidence import EvidenceScreen

        self.app.push_screen(EvidenceScreen(event.check, event.cell, event.changed))

    @on(ResourceTable.ExportRequested)
    def _export(self, event: ResourceTable.ExportRequested) -> None:
        """`x`: ask where, then write the table as shown (filter and sort applied)."""
        import time
        from pathlib import Path

        from hybridtui.ui.screens.export import ExportScreen

        table = event.table
        pane = table.parent if isinstance(table.parent, CloudPane) else None
        scope = pane.cloud if pane is not None else "all"
        kind = str(self.active_kind)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        default = Path.cwd() / f"hybridtui-{scope}-{kind}-{stamp}.csv"
        headers, rows = table.visible_table()

        def written(path: Path | None) -> None:
            if path is not None:
                n = len(rows)
                self.notify(f"{n} row{'s' if n != 1 else ''} written to {path}", title="Exported")

        self.app.push_screen(ExportScreen(kind, headers, rows, default), written)

    @on(ResourceTable.RowSelected)
    def _open_details(self, event: ResourceTable.RowSelected) -> None:
        from hybridtui.ui.screens.details import DetailsScreen

        cloud, record = event.payload
        self.app.push_screen(DetailsScreen(cloud, record))

    # --------------------------------------------------------------- actions
    def action_filter(self) -> None:
        if self.interop_active:
            self.notify("The filter works on the resource tabs (1–8).", timeout=3)
            return
        box = self.query_one("#filter", Input)
        box.add_class("-active")
        # focused now, not after the refresh `focus()` waits for (see the binding)
        self.set_focus(box)

    @property
    def _writes(self) -> WriteActions:
        """The app's write actions (`d`, `s`): this screen lives in HybridApp."""
        app = self.app
        assert isinstance(app, WriteActions)
        return app

    def action_columns(self) -> None:
        """`o`: pick the columns of this tab; the app keeps (and saves) the choice."""
        from hybridtui.columns import COLUMNS
        from hybridtui.ui.screens.columns import ColumnsScreen

        if self.interop_active:
            return
        view = self.active_view
        every = [(c.key, c.title) for c in COLUMNS[view.kind]]
        shown = view.columns or [key for key, _ in every]

        def picked(keys: list[str] | None) -> None:
            if keys is None:
                return
            view.columns = None if keys == [key for key, _ in every] else keys
            view.sync(self.model, force=True)
            view.set_filter(self.query_text, self.model)
            self.post_message(self.ColumnsChosen(str(view.kind), view.columns))

        self.app.push_screen(ColumnsScreen(TAB_TITLES[view.kind], every, shown), picked)

    class ColumnsChosen(Message):
        """The column picker's choice for one tab (None: every column)."""

        def __init__(self, kind: str, keys: list[str] | None) -> None:
            super().__init__()
            self.kind = kind
            self.keys = keys

    def action_zoom(self) -> None:
        """`z`: the focused cloud's pane fills the screen (every column of it);
        `z` or `esc` again puts it back beside the others."""
        if self.maximized is not None:
            self.minimize()
            self.active_view.fit_panes()
            return
        focused = self.focused
        if isinstance(focused, ResourceTable) and isinstance(focused.parent, CloudPane):
            focused.parent.styles.width = "100%"  # the side-by-side width was set inline
            self.maximize(focused.parent, container=False)

    def action_pane(self, delta: int) -> None:
        if self.interop_active:
            self.focus_table()
            return
        view = self.active_view
        tables = view.tables() if view.unified else [p.table for p in view.panes]
        if not tables:
            return
        focused = self.focused
        i = next((k for k, t in enumerate(tables) if t is focused), -1)
        j = (i + delta) % len(tables)
        if not view.unified:  # a pane on another page: that page comes on screen
            self._show_pane(view, j)
        tables[j].focus()

    def _node_under_cursor(self) -> tuple[str, Node] | None:
        focused = self.focused
        payload = focused.current_payload if isinstance(focused, ResourceTable) else None
        if not payload or not isinstance(payload[1], Node):
            self.notify("Put the cursor on a node first.", timeout=3)
            return None
        return payload[0], payload[1]

    def action_ssh_node(self) -> None:
        found = self._node_under_cursor()
        if found is not None:
            self._writes.ssh_to(*found)

    def show_leftovers(self, text: str) -> None:
        """The banner that stays while interrupted runs left something ("" hides it)."""
        banner = self.query_one("#leftovers-banner", Static)
        banner.update(text)
        banner.set_class(bool(text), "-shown")

    def action_delete_node(self) -> None:
        found = self._node_under_cursor()
        if found is not None:
            self._writes.delete_node(*found)

    def action_clear_filter(self) -> None:
        command = self.query_one("#command", Input)
        if command.has_class("-active"):  # esc closes the command bar first
            command.value = ""
            command.remove_class("-active")
            self.focus_table()
            return
        if self.maximized is not None:  # esc leaves the zoomed pane first
            self.action_zoom()
            return
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""  # fires Input.Changed → clears every pane
        box.remove_class("-active")
        self.focus_table()

    def action_toggle_unified(self) -> None:
        unified = not self.active_view.unified
        for view in self.views.values():  # the views made so far; the others copy it
            view.unified = unified
        self.active_view.sync(self.model)
        self.active_view.set_filter(self.query_text, self.model)
        self.call_after_refresh(self._settle_focus)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:  # noqa: ARG002 - Textual's signature
        """`e` only where there is a flavor or an image under the cursor; `/`
        is typed, not bound, in a text box (the filter's own included)."""
        if action in ("filter", "command") and isinstance(self.focused, Input):
            return False
        if action == "ssh_node":
            return not self.interop_active and self.active_kind is ResourceKind.NODES
        if action == "delete_node":  # nodes only, and only where a write is allowed
            if self.interop_active or self.active_kind is not ResourceKind.NODES:
                return False
            pane = self.focused.parent if self.focused is not None else None
            if isinstance(pane, CloudPane):  # a pane is one cloud: its own say
                return not self._writes.why_not_writable(pane.cloud)
            return self.app.check_action("provision", ())
        if action == "equivalents":
            return self._equivalents_target() is not None
        return True

    def _equivalents_target(self) -> tuple[str, Flavor | Image] | None:
        if self.interop_active or self.active_kind not in (
            ResourceKind.FLAVORS,
            ResourceKind.IMAGES,
        ):
            return None
        focused = self.focused
        payload = focused.current_payload if isinstance(focused, ResourceTable) else None
        if not payload:
            return None
        cloud, record = payload
        return (cloud, record) if isinstance(record, Flavor | Image) else None

    def action_equivalents(self) -> None:
        target = self._equivalents_target()
        if target is None:
            return
        from hybridtui.ui.screens.equivalents import EquivalentsScreen

        sites: list[Site] = getattr(self.app, "sites", lambda: [])()
        self.app.push_screen(EquivalentsScreen(target[0], target[1], sites))

    def action_compare_two(self) -> None:
        """`c` on the Interop tab: the cursor's cloud against one the user picks."""
        from hybridtui.ui.screens.diff import DiffScreen, PickCloudScreen

        comparison = self.interop.comparison
        cloud = self.interop.current_cloud
        if comparison is None or cloud is None:
            return
        others = [c for c in comparison.scorecard.clouds if c != cloud]
        if not others:
            self.notify("Only one cloud is configured: nothing to compare it with.", timeout=3)
            return

        def chosen(other: str | None) -> None:
            if other:
                sites: list[Site] = getattr(self.app, "sites", lambda: [])()
                self.app.push_screen(DiffScreen(comparison.scorecard, sites, cloud, other))

        self.app.push_screen(PickCloudScreen(cloud, others), chosen)

    def action_show_tab(self, kind: str) -> None:
        self.query_one(TabbedContent).active = f"tab-{kind}"
