"""Pilot tests: the dashboard as a keyboard user drives it."""

from __future__ import annotations

import sys
from typing import Any

from conftest import THREE_CLOUDS, make_settings, settle, sim_cloud
from textual.message import Message
from textual.widgets import Input, TabbedContent

from hybridtui.domain import ResourceKind
from hybridtui.inventory.cache import InventoryCache
from hybridtui.inventory.model import CloudState
from hybridtui.inventory.poller import Poller
from hybridtui.paths import resolve_paths
from hybridtui.providers import targets_for
from hybridtui.ui.app import HybridApp, make_app
from hybridtui.ui.messages import SnapshotReady
from hybridtui.ui.screens.dashboard import DashboardScreen
from hybridtui.ui.screens.details import DetailsScreen
from hybridtui.ui.screens.help import HelpScreen
from hybridtui.ui.widgets.resource_table import ResourceTable
from hybridtui.ui.widgets.resource_view import ResourceView
from hybridtui.ui.widgets.status_strip import StatusStrip


def dash(app: HybridApp) -> DashboardScreen:
    return app.dashboard


def nodes_view(app: HybridApp) -> ResourceView:
    return dash(app).views[dash(app).active_kind]


async def test_panes_populated_per_cloud(frozen_clock: Any) -> None:
    messages: list[Message] = []
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(200, 48), message_hook=messages.append) as pilot:
        await settle(app, pilot)
        ready = [m for m in messages if isinstance(m, SnapshotReady)]
        assert sorted(m.outcome.cloud for m in ready) == ["aws-sim", "gce-sim", "os-fip"]
        assert all(m.outcome.ok for m in ready)
        for m in ready:  # cells were built in the worker thread and are used as they came
            assert m.rows is not None
            assert app.model.rows(ResourceKind.NODES, m.outcome.cloud) is m.rows[ResourceKind.NODES]
        view = nodes_view(app)
        for pane in view.panes:
            expected = len(app.model.snapshots[pane.cloud].nodes)
            assert expected > 0
            assert pane.table.total_count == expected
            assert f"{expected} nodes" in str(pane.title_bar.render())
        assert [s.state for s in app.model.statuses()] == [CloudState.FRESH] * 3
        assert isinstance(app.focused, ResourceTable)


async def test_pane_titles_count_in_words(frozen_clock: Any) -> None:
    """'1 router', '3 security groups': the count's word agrees with it, and a
    kind's name is written as words, not as its command-line spelling."""
    app = make_app(make_settings([sim_cloud("fip", "openstack-floating-ip")]), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        snapshot = app.model.snapshots["fip"]
        await pilot.press("8")
        await pilot.pause()
        assert len(snapshot.routers) == 1
        (pane,) = nodes_view(app).panes  # (the active tab's view)
        assert "fip · 1 router · " in str(pane.title_bar.render())
        await pilot.press("7")
        await pilot.pause()
        groups = len(snapshot.security_groups)
        assert groups > 1
        (pane,) = nodes_view(app).panes
        assert f"fip · {groups} security groups · " in str(pane.title_bar.render())


async def test_filter_applies_to_all_panes_and_esc_clears(frozen_clock: Any) -> None:
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(200, 48)) as pilot:  # three panes side by side
        await settle(app, pilot)
        view = nodes_view(app)
        totals = [p.table.total_count for p in view.panes]
        await pilot.press("slash", *"kafka")
        assert isinstance(app.focused, Input)
        await pilot.press("slash", "backspace")  # in the box, `/` is text, not the binding
        assert app.focused.value == "kafka"
        for pane in view.panes:
            rows = pane.table.visible_rows()
            assert rows, pane.cloud
            assert all(any("kafka" in c.lower() for c in r) for r in rows)
            assert 0 < pane.table.row_count < pane.table.total_count
            assert "/" in str(pane.title_bar.render())  # "3/48 nodes"
        await pilot.press("enter")
        assert isinstance(app.focused, ResourceTable), (
            "enter keeps the filter and returns to the table"
        )
        await pilot.press("2")  # the filter follows to the Flavors tab
        await pilot.pause()
        flavors = dash(app).views[dash(app).active_kind]
        assert all(p.table.filter_text == "kafka" for p in flavors.panes)
        await pilot.press("1", "escape")
        await pilot.pause()
        assert [p.table.row_count for p in view.panes] == totals


async def test_filter_with_no_match_says_so(frozen_clock: Any) -> None:
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"zzzz-no-such")
        pane = nodes_view(app).panes[0]
        assert pane.table.row_count == 0
        assert "no rows match 'zzzz-no-such'" in pane.table.render_line(1).text


async def test_refresh_polls_every_cloud_again(frozen_clock: Any) -> None:
    messages: list[Message] = []
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        await settle(app, pilot)
        before = {n: app.poller.provider(n).calls for n in app.model.names}  # type: ignore[attr-defined]
        await pilot.press("r")
        await settle(app, pilot)
        ready = [m for m in messages if isinstance(m, SnapshotReady)]
        assert len(ready) == 6
        after = {n: app.poller.provider(n).calls for n in app.model.names}  # type: ignore[attr-defined]
        # r is a full refresh: every kind asked for again, one listing each
        assert all(after[n] == before[n] + len(ResourceKind) for n in before)


async def test_unified_view_toggle(frozen_clock: Any) -> None:
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        view = nodes_view(app)
        total = sum(len(s.nodes) for s in app.model.snapshots.values())
        await pilot.press("u")
        await pilot.pause()
        assert view.unified
        assert view.unified_table.display
        assert view.unified_table.total_count == total
        assert view.unified_table.render_line(0).text.split()[0] == "Cloud"
        assert app.focused is view.unified_table
        clouds = {row[0] for row in view.unified_table.visible_rows()}
        assert clouds <= {"aws-sim", "gce-sim", "os-fip"}
        assert clouds
        await pilot.press("u")
        await pilot.pause()
        assert not view.unified
        assert isinstance(app.focused, ResourceTable)
        assert app.focused in [p.table for p in view.panes]


async def test_details_view_shows_normalized_and_raw(frozen_clock: Any) -> None:
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.focused
        assert isinstance(table, ResourceTable)
        await pilot.press("down")
        cloud, record = table.current_payload
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DetailsScreen)
        assert screen.record is record
        assert screen.cloud == cloud
        title = str(screen.query_one("#details-title").render())
        assert record.name in title
        assert cloud in title
        shown = app.export_screenshot()
        first_raw_key = sorted(record.raw)[0]  # the view sorts keys
        assert first_raw_key in shown, "the provider's own record is on screen"
        assert "RawRecord" not in shown, "a kept record is decoded for the view"
        assert "Normalized" in shown
        assert record.id in shown
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_failing_cloud_shows_error_while_others_stay_fresh(frozen_clock: Any) -> None:
    clouds = [*THREE_CLOUDS[:2], sim_cloud("broken", "openstack-private", fault="http-500")]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(200, 48)) as pilot:
        await settle(app, pilot)
        states = {s.name: s.state for s in app.model.statuses()}
        assert states == {
            "aws-sim": CloudState.FRESH,
            "gce-sim": CloudState.FRESH,
            "broken": CloudState.ERROR,
        }
        broken = next(p for p in nodes_view(app).panes if p.cloud == "broken")
        assert "HTTP 500" in str(broken.title_bar.render())
        assert broken.table.total_count == 0
        assert "no data" in broken.table.empty_text
        strip = dash(app).query_one(StatusStrip).text
        assert "broken error" in strip.replace("\u00a0", " ")
        assert "● aws-sim  0s" in strip.replace("\u00a0", " ")
        assert any(n.title == "Cloud unavailable" for n in app._notifications)
        assert app.poller.next_due("broken") > frozen_clock(), "backing off"


async def test_a_cache_that_is_not_a_database_is_said_on_screen_and_the_clouds_load(
    frozen_clock: Any,
) -> None:
    """The dashboard did not start at all (sqlite3.DatabaseError); a warning
    printed on stderr would be drawn over: it is a notification."""
    cache_dir = resolve_paths().inventory_cache_dir
    cache_dir.mkdir(parents=True)
    (cache_dir / "cache.db").write_bytes(b"\0" * 4096)
    app = make_app(make_settings(THREE_CLOUDS[:2]), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        (note,) = [n for n in app._notifications if n.title == "Cache"]
        assert note.message.startswith("the cache could not be read (file is not a database)")
        states = {s.name: s.state for s in app.model.statuses()}
        assert states == {"aws-sim": CloudState.FRESH, "gce-sim": CloudState.FRESH}
    assert app.cache is not None
    assert app.cache.has(app.targets[0]), "the new cache holds the refresh"


async def test_a_refused_kind_is_marked_on_its_tab_and_pane(frozen_clock: Any) -> None:
    clouds = [
        THREE_CLOUDS[0],
        sim_cloud(
            "gce-sim", "gce-access-config", fault="forbidden", fault_kinds=["security-groups"]
        ),
    ]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert {s.name: s.state for s in app.model.statuses()} == {
            "aws-sim": CloudState.FRESH,
            "gce-sim": CloudState.PARTIAL,
        }, "one refused listing is not a failed cloud"
        assert any(
            n.title == "gce-sim: security-groups: Permission denied" for n in app._notifications
        ), "told once, with the reason"
        tabs = dash(app).query_one(TabbedContent)
        assert str(tabs.get_tab("tab-security-groups").label) == "Sec groups ⚠"
        assert str(tabs.get_tab("tab-nodes").label) == "Nodes"
        gce_nodes = next(p for p in nodes_view(app).panes if p.cloud == "gce-sim")
        assert gce_nodes.table.total_count > 0, "nodes still shown"
        strip = dash(app).query_one(StatusStrip).text.replace("\u00a0", " ")
        assert "◐ gce-sim  0s ⚠ security-groups failed" in strip

        await pilot.press("7")
        await pilot.pause()
        panes = {p.cloud: p for p in nodes_view(app).panes}
        title = str(panes["gce-sim"].title_bar.render())
        assert "✖ Permission denied (no data)" in title
        assert "HTTP 403 Forbidden" in panes["gce-sim"].table.empty_text
        assert "lack this permission" in panes["gce-sim"].table.empty_text, "with what to do"
        assert "✖" not in str(panes["aws-sim"].title_bar.render())


async def test_offline_mode_uses_cache_and_never_polls(frozen_clock: Any) -> None:
    settings = make_settings(offline=True)
    cache = InventoryCache(resolve_paths().inventory_cache_dir)
    ts = targets_for(settings.config)
    list(Poller(ts[:2], cache=cache).poll())  # os-fip never cached
    cache.close()
    app = make_app(settings, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        states = {s.name: s.state for s in app.model.statuses()}
        assert states["aws-sim"] is CloudState.STALE
        assert states["gce-sim"] is CloudState.STALE
        assert states["os-fip"] is CloudState.ERROR
        assert app.poller._providers == {}, "offline never builds a provider"
        assert "OFFLINE" in str(dash(app).query_one("#banner").render())
        offered = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "refresh" not in offered, "the footer offers no refresh offline"
        await pilot.press("r")
        app.action_refresh()  # from the palette, say: it says why not
        await pilot.pause()
        assert any(n.title == "Refresh disabled" for n in app._notifications)
        assert app.poller._providers == {}
        assert nodes_view(app).panes[0].table.total_count > 0


async def test_paints_from_cache_before_the_first_refresh_returns(frozen_clock: Any) -> None:
    slow = [sim_cloud("slowpoke", "openstack-floating-ip", latency=30, timeout=60)]
    cache = InventoryCache(resolve_paths().inventory_cache_dir)
    fast = make_settings([sim_cloud("slowpoke", "openstack-floating-ip")])
    list(Poller(targets_for(fast.config), cache=cache).poll())
    cache.close()
    app = make_app(make_settings(slow), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        pane = nodes_view(app).panes[0]
        assert pane.table.total_count > 0, "cached rows are on the first frame"
        assert app.model.status("slowpoke").state is CloudState.REFRESHING
        await pilot.press("q")


async def test_tabs_by_number_keys(frozen_clock: Any) -> None:
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for key, kind in (("2", "flavors"), ("3", "images"), ("4", "networks"), ("1", "nodes")):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.query_one(TabbedContent).active == f"tab-{kind}"
            view = dash(app).active_view
            expected = len(app.model.snapshots["aws-sim"].resources(view.kind))
            assert view.panes[0].table.total_count == expected > 0


async def test_hidden_tabs_are_made_when_first_shown_and_follow_the_mode(
    frozen_clock: Any,
) -> None:
    """Only the Nodes view (and no Interop view) exists until another tab is
    shown; a view made later takes the unified mode chosen meanwhile."""
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert set(dash(app).views) == {ResourceKind.NODES}
        assert dash(app)._interop is None
        assert not app.screen.query("InteropView")
        await pilot.press("u", "2")
        await pilot.pause()
        assert set(dash(app).views) == {ResourceKind.NODES, ResourceKind.FLAVORS}
        flavors = dash(app).views[ResourceKind.FLAVORS]
        assert flavors.is_mounted
        assert flavors.unified
        assert flavors.unified_table.total_count == sum(
            len(s.flavors) for s in app.model.snapshots.values()
        )


async def test_help_lists_every_binding(frozen_clock: Any) -> None:
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        listed = list(app.screen.bindings)
        for pair in (
            ("/", "Filter"),
            ("u", "Unify"),
            ("r", "Refresh"),
            ("q", "Quit"),
            ("enter", "Details"),
            ("t", "Theme"),
            ("?", "Help"),
            ("9", "Interop scorecard"),
            ("enter", "Evidence"),
            ("c", "Compare two"),
            ("e", "Equivalents"),
        ):
            assert pair in listed, (pair, listed)
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_theme_cycles_and_keymap_applies(frozen_clock: Any) -> None:
    app = make_app(make_settings(keymap={"refresh": "f5"}), clock=frozen_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.theme == "hybrid-dark"
        await pilot.press("t")
        assert app.theme == "hybrid-light"
        await pilot.press("t", "t")
        assert app.theme == "ansi-dark"
        calls = app.poller.provider("aws-sim").calls  # type: ignore[attr-defined]
        await pilot.press("f5")
        await settle(app, pilot)
        assert app.poller.provider("aws-sim").calls == calls + len(ResourceKind)  # type: ignore[attr-defined]


async def test_help_and_palette_say_the_remapped_keys(frozen_clock: Any) -> None:
    """`keymap:` remaps: help and the palette print the keys in effect, and
    help says each movement once (not `up / k` and `↑ ↓` both)."""
    keymap = {"refresh": "f5", "quit": "ctrl+q", "cursor-down": "down,n", "next-pane": "f6"}
    app = make_app(make_settings(keymap=keymap), clock=frozen_clock)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        listed = {desc: key for key, desc in app.screen.bindings}
        assert listed["Refresh"] == "f5"
        assert ("ctrl+q", "Quit") in app.screen.bindings
        assert "Up" not in listed, "movement is one line, not one per key"
        moves = next(k for k, d in app.screen.bindings if d.startswith("Move in a table"))
        assert "down / n" in moves
        assert next(k for k, d in app.screen.bindings if d.startswith("Next / previous pane")) == (
            "f6 / shift+tab"
        )
        assert len(app.screen.bindings) == len(set(app.screen.bindings)), "each said once"
        await pilot.press("escape")
        commands = {c.title: c.help for c in app.get_system_commands(app.screen)}
        assert commands["Refresh all clouds"].endswith("(f5)")
        assert commands["Key bindings"].endswith("(?)")
        await pilot.press("ctrl+q")
    assert app.return_code == 0


async def test_quit_does_not_wait_for_a_hung_cloud(frozen_clock: Any) -> None:
    clouds = [sim_cloud("hung", "openstack-private", fault="timeout", timeout=300)]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.poller.in_flight() == {"hung"}
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 0
    assert app.poller._waiting == set(), "the poll loop was woken, not left blocked"


async def test_unknown_theme_is_a_config_error() -> None:
    import pytest

    from hybridtui.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown theme 'nope'"):
        make_app(make_settings(theme="nope"))
    with pytest.raises(ConfigError) as typo:
        make_app(make_settings(theme="nrod"))
    assert typo.value.message == "unknown theme 'nrod' (did you mean 'nord'?)"
    assert typo.value.hint is not None
    assert "nord" in typo.value.hint


async def test_inventory_persists_across_app_restarts(frozen_clock: Any) -> None:
    first = make_app(make_settings(), clock=frozen_clock)
    async with first.run_test(size=(120, 40)) as pilot:
        await settle(first, pilot)
        seen = {n: [r.id for r in s.nodes] for n, s in first.model.snapshots.items()}
        await pilot.press("q")
    assert set(seen) == {"aws-sim", "gce-sim", "os-fip"}

    second = make_app(make_settings(offline=True), clock=frozen_clock)
    async with second.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert {n: [r.id for r in s.nodes] for n, s in second.model.snapshots.items()} == seen
        assert all(s.from_cache for s in second.model.statuses())
        assert nodes_view(second).panes[0].table.total_count == len(seen["aws-sim"])


async def test_command_palette_runs_dashboard_actions(frozen_clock: Any) -> None:
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+p", *"toggle unified", "enter")
        await pilot.pause(0.3)
        await pilot.pause()
        assert nodes_view(app).unified


async def test_secrets_in_raw_records_never_reach_the_screen(frozen_clock: Any) -> None:
    from hybridtui.domain import NodeSpec

    app = make_app(make_settings([sim_cloud("os", "openstack-floating-ip")]), clock=frozen_clock)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(app, pilot)
        provider = app.poller.provider("os")
        inv = provider.fetch_inventory()
        node = provider.create_node(
            NodeSpec(name="has-secret", flavor=inv.flavors[0].name, image=inv.images[0].name)
        )
        secret = node.raw["adminPass"]
        await pilot.press("r")
        await settle(app, pilot)
        await pilot.press("slash", *"has-secret", "enter", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        shown = app.export_screenshot()
        assert "adminPass" in shown
        assert "&lt;redacted&gt;" in shown
        assert secret not in shown


def test_catalogue_tabs_show_the_catalogue_age_when_older(frozen_clock: Any) -> None:
    from hybridtui.inventory.model import InventoryModel
    from hybridtui.inventory.snapshot import CloudSnapshot
    from hybridtui.ui.widgets.cloud_pane import pane_title

    settings = make_settings([sim_cloud("c", "openstack-private")])
    model = InventoryModel(targets_for(settings.config), clock=frozen_clock)
    now = frozen_clock()
    model.load_cached(CloudSnapshot("c", "simulator", fetched_at=now - 30, catalogue_at=now - 7200))
    status = model.status("c")
    assert status.catalogue_age == 7200
    table = ResourceTable()
    assert "catalogue 2h" in str(pane_title("c", ResourceKind.FLAVORS, table, status))
    assert "catalogue" not in str(pane_title("c", ResourceKind.NODES, table, status)), (
        "nodes follow the fast poll"
    )
    model.load_cached(CloudSnapshot("c", "simulator", fetched_at=now - 30, catalogue_at=now - 30))
    assert "catalogue" not in str(pane_title("c", ResourceKind.IMAGES, table, model.status("c")))
    # kinds refresh on their own: each catalogue tab shows its own age
    kind_at = {
        ResourceKind.NODES: now - 30,
        ResourceKind.FLAVORS: now - 3 * 86400,
        ResourceKind.IMAGES: now - 30,
        ResourceKind.NETWORKS: now - 7200,
    }
    model.load_cached(CloudSnapshot("c", "simulator", fetched_at=now - 30, kind_at=kind_at))
    status = model.status("c")
    assert "catalogue 3d" in str(pane_title("c", ResourceKind.FLAVORS, table, status))
    assert "catalogue 2h" in str(pane_title("c", ResourceKind.NETWORKS, table, status))
    assert "catalogue" not in str(pane_title("c", ResourceKind.IMAGES, table, status))


async def test_a_double_click_on_a_row_selects_without_crashing(frozen_clock: Any) -> None:
    """A double click runs Textual's `text_select_all`, which calls the
    widget's own `query` method: a ResourceTable attribute of that name once
    crashed the app here."""
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        table = nodes_view(app).panes[0].table
        await pilot.click(table, offset=(3, 2), times=2)
        await pilot.pause()
        assert app.is_running
        assert app.return_code is None
        assert isinstance(app.screen, DetailsScreen), "a double click opens the row, as enter"
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)


async def test_a_missing_sdk_says_how_to_install_it_in_the_pane(
    frozen_clock: Any, monkeypatch: Any
) -> None:
    """An AWS cloud configured without boto3 installed: its pane says what is
    missing and the exact pip command, wrapped to the pane, not cut."""
    monkeypatch.setitem(sys.modules, "boto3", None)  # `import boto3` fails as if absent
    monkeypatch.setitem(sys.modules, "botocore", None)
    clouds = [
        sim_cloud("aws-sim", "aws-default-vpc"),
        {"name": "prod", "kind": "aws", "regions": ["eu-west-1"], "timeout": 1},
    ]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")  # one pane a page at 80 columns: the next is prod's
        await pilot.pause()
        pane = next(p for p in nodes_view(app).panes if p.cloud == "prod")
        assert pane.display
        width = pane.table.size.width
        lines = ["".join(s.text for s in pane.table.render_line(y)).rstrip() for y in range(1, 8)]
        shown = " ".join(line.strip() for line in lines if line)
        assert "boto3 is not installed" in shown
        assert "fix: pip install 'hybridtui[aws]'" in shown
        assert all(len(line) <= width for line in lines)
        assert not any(line.endswith("…") for line in lines)
        assert app.model.status("aws-sim").state is CloudState.FRESH, "the others work"


async def test_keys_typed_before_the_rows_are_filtered_fold_into_one_filtering(
    frozen_clock: Any, monkeypatch: Any
) -> None:
    """The box echoes each key at once; the rows are filtered a frame later,
    once, with the text as it is then (as k9s and fzf do)."""
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(200, 48)) as pilot:
        await settle(app, pilot)
        view = nodes_view(app)
        applied: list[str] = []
        real = view.set_filter
        monkeypatch.setattr(
            view, "set_filter", lambda query, model: (applied.append(query), real(query, model))
        )
        await pilot.press("slash")
        box = app.focused
        assert isinstance(box, Input)
        for text in ("k", "ka", "kafka"):  # three changes before any frame
            dash(app)._filter_changed(Input.Changed(box, text))
        assert applied == [], "nothing is filtered before the next frame"
        await pilot.pause()
        assert applied == ["kafka"]
        for pane in view.panes:
            rows = pane.table.visible_rows()
            assert rows
            assert all(any("kafka" in c.lower() for c in r) for r in rows)


async def test_wide_characters_keep_the_columns_aligned() -> None:
    """A CJK or emoji name takes two terminal cells a character: measured as
    one, a server named "東京-web-02" pushed every column after it right. The
    columns are measured in cells, and a capped column cuts a wide name on a
    cell boundary."""
    from rich.cells import cell_len
    from textual.app import App, ComposeResult

    from hybridtui.ui.themes import VARIABLE_DEFAULTS
    from hybridtui.ui.widgets.resource_table import TableData

    class Table(App[None]):
        def get_theme_variable_defaults(self) -> dict[str, str]:
            return dict(VARIABLE_DEFAULTS)

        def compose(self) -> ComposeResult:
            yield ResourceTable()

    names = ["web-01", "東京-web-02", "café-03", "👍-04"]
    rows = [(n, "running", f"10.0.0.{i}") for i, n in enumerate(names)]

    def ip_columns(table: ResourceTable) -> set[int]:
        lines = [table.render_line(y).text for y in range(len(rows) + 1)]
        assert len({cell_len(line) for line in lines}) == 1, lines
        header, *body = lines
        return {cell_len(header[: header.index("IP")])} | {
            cell_len(line[: line.index("10.0.0.")]) for line in body
        }

    app = Table()
    async with app.run_test(size=(80, 10)) as pilot:
        table = app.query_one(ResourceTable)
        keys = list(range(len(rows)))
        table.set_data(TableData(("Name", "State", "IP"), rows, keys, keys, [20, 10, 15]))
        await pilot.pause()
        assert ip_columns(table) == {cell_len("東京-web-02") + 1 + len("running") + 2}
        # a narrow pane: the name column gets 6 cells, "東京-w…" would be 7
        table.set_data(TableData(("Name", "State", "IP"), rows, keys, keys, [6, 10, 15]))
        await pilot.resize_terminal(24, 10)
        await pilot.pause()
        assert len(ip_columns(table)) == 1
        assert [table.render_line(y).text.split()[0] for y in (2, 3)] == ["東京-…", "café-…"]
        table.set_filter("web")
        await pilot.pause()
        assert [table.render_line(y).text.split()[0] for y in (1, 2)] == ["web-01", "東京-…"]


async def test_the_bench_key_log_times_each_key(
    frozen_clock: Any, monkeypatch: Any, tmp_path: Any
) -> None:
    """bench/scale.py's in-app figure: with HYBRIDTUI_BENCH_KEYS set, each key's
    event, handling and next painted frame are written out as the app exits."""
    import json

    log = tmp_path / "keys.json"
    monkeypatch.setenv("HYBRIDTUI_BENCH_KEYS", str(log))
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", "w", "e")
        await pilot.pause()
        await pilot.press("q")
    keys = json.loads(log.read_text())
    assert [k[0] for k in keys] == ["slash", "w", "e", "q"]
    for name, made, handled, painted in keys[:3]:
        assert made <= handled <= painted, name
