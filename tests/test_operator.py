"""The dashboard as an operator drives it all day (Pilot, demo clouds): sort,
the filter language with its matches marked, copy, export, health, the `:`
command bar, the column picker, and a layout that holds still. Every value read
off the screen is checked against the records it came from."""

from __future__ import annotations

import csv
import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import make_settings, settle, sim_cloud

from hybridtui.domain import Node
from hybridtui.ui.app import HybridApp, make_app
from hybridtui.ui.screens.dashboard import DashboardScreen
from hybridtui.ui.screens.export import ExportScreen
from hybridtui.ui.widgets.resource_table import ResourceTable
from hybridtui.ui.widgets.resource_view import ResourceView
from hybridtui.ui.widgets.status_strip import StatusStrip

CLOUDS = [
    sim_cloud("aws-sim", "aws-default-vpc"),
    sim_cloud("gce-sim", "gce-access-config"),
]


def table_of(app: HybridApp, cloud: str) -> ResourceTable:
    return next(p.table for p in app.dashboard.active_view.panes if p.cloud == cloud)


def shown_rows(table: ResourceTable) -> list[tuple[str, ...]]:
    return table.visible_table()[1]


def dash(app: HybridApp) -> DashboardScreen:
    return app.dashboard


def nodes_view(app: HybridApp) -> ResourceView:
    return app.dashboard.active_view


def nodes(app: HybridApp, cloud: str) -> list[Node]:
    return list(app.model.snapshots[cloud].nodes)


async def test_shift_letters_sort_by_value_and_say_so_in_the_header(frozen_clock: Any) -> None:
    app = make_app(make_settings(CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        table = table_of(app, "aws-sim")
        headers = table.visible_table()[0]
        before = shown_rows(table)[0]
        await pilot.press("P")  # Public IP, ascending
        assert table.sort_state == ("Public IP", False)
        header = "".join(s.text for s in table.render_line(0))
        assert "Public IP ▲" in header
        by_id = {n.name: n for n in nodes(app, "aws-sim")}
        ips = [by_id[r[0]].public_ip for r in shown_rows(table)]
        with_ip = [ip for ip in ips if ip]
        assert with_ip == sorted(with_ip, key=ipaddress.ip_address), "by address, not as text"
        assert "198.51.100.10" in with_ip
        assert with_ip.index("198.51.100.9") < with_ip.index("198.51.100.10")
        assert all(not ip for ip in ips[len(with_ip) :]), "no address: last"
        await pilot.press("P")
        assert table.sort_state == ("Public IP", True)
        await pilot.press("P")
        assert table.sort_state == ("Private IP", False), "the next column with that letter"
        await pilot.press("N")
        names = [r[0] for r in shown_rows(table)]
        assert names == sorted(names, key=str.lower)
        assert shown_rows(table)[table.cursor] == before, "the cursor stays on its record"
        # `G` and `L` stay what they are bound to (last row, leftovers)
        await pilot.press("G")
        assert table.cursor == len(names) - 1
        assert table.sort_state == ("Name", False)
        assert headers[0] == "Name"


async def test_the_filter_language_on_panes_with_its_matches_marked(frozen_clock: Any) -> None:
    app = make_app(make_settings(CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        aws, gce = table_of(app, "aws-sim"), table_of(app, "gce-sim")
        await pilot.press("slash", *"state:running", "enter")
        for cloud, table in (("aws-sim", aws), ("gce-sim", gce)):
            expected = sorted(n.name for n in nodes(app, cloud) if str(n.state) == "running")
            assert sorted(r[0] for r in shown_rows(table)) == expected
            assert 0 < len(expected) < len(nodes(app, cloud))
        await pilot.press("escape", "slash", *"!running", "enter")
        for cloud, table in (("aws-sim", aws), ("gce-sim", gce)):
            expected = sorted(
                n.name
                for n in nodes(app, cloud)
                if "running" not in " ".join(table.visible_table()[0]).lower()
                and str(n.state) != "running"
            )
            assert sorted(r[0] for r in shown_rows(table)) == expected
        await pilot.press("escape", "slash", *"cloud:gce* kafka", "enter")
        assert shown_rows(aws) == [], "another cloud's pane is emptied by cloud:"
        assert [r[0] for r in shown_rows(gce)] == sorted(
            (n.name for n in nodes(app, "gce-sim") if "kafka" in n.name),
            key=[n.name for n in nodes(app, "gce-sim")].index,
        )
        line = gce.render_line(1)
        marked = [s.text for s in line if s.style is not None and s.style.underline]
        assert marked == ["kafka"], "the match is marked in the name"
        await pilot.press("escape", "slash", *"^web-.*-01$", "enter")
        assert sorted(r[0] for r in shown_rows(aws)) == sorted(
            n.name
            for n in nodes(app, "aws-sim")
            if n.name.startswith("web-") and n.name.endswith("-01")
        )


async def test_y_copies_the_cell_and_shift_y_the_row(frozen_clock: Any) -> None:
    app = make_app(make_settings(CLOUDS[:1]), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        table = table_of(app, "aws-sim")
        first = nodes(app, "aws-sim")[0]
        await pilot.press("y")
        assert app.clipboard == first.name
        await pilot.press("right", "right", "y")
        assert table.current_column == 2
        assert app.clipboard == first.public_ip
        await pilot.press("Y")
        assert app.clipboard.split("\t")[:4] == [
            first.name,
            str(first.state),
            first.public_ip or "-",
            first.private_ip or "-",
        ]


@pytest.mark.parametrize("suffix", [".csv", ".json"])
async def test_x_exports_the_table_as_shown(frozen_clock: Any, tmp_path: Path, suffix: str) -> None:
    app = make_app(make_settings(CLOUDS[:1]), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"state:running", "enter", "N", "N", "x")
        assert isinstance(app.screen, ExportScreen)
        box = app.screen.query_one("#export-path")
        target = tmp_path / f"nodes{suffix}"
        box.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert not isinstance(app.screen, ExportScreen)
    running = [n for n in nodes(app, "aws-sim") if str(n.state) == "running"]
    expected = sorted((n.name for n in running), key=str.lower, reverse=True)
    if suffix == ".json":
        rows = json.loads(target.read_text())
        assert [r["Name"] for r in rows] == expected
        by_name = {n.name: n for n in running}
        assert all(r["Public IP"] == (by_name[r["Name"]].public_ip or "-") for r in rows)
    else:
        rows = list(csv.DictReader(target.open()))
        assert [r["Name"] for r in rows] == expected
        assert all(r["State"] == "running" for r in rows)


async def test_addresses_say_which_node_they_are_attached_to_by_name(
    frozen_clock: Any,
) -> None:
    clouds = [sim_cloud("fip-sim", "openstack-floating-ip")]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("6")
        table = table_of(app, "fip-sim")
        snap = app.model.snapshots["fip-sim"]
        by_id = {n.id: n.name for n in snap.nodes}
        by_ip = {a.ip: a for a in snap.addresses}
        rows = shown_rows(table)
        attached = [r for r in rows if by_ip[r[0]].attached_to]
        assert attached, "the demo has floating IPs in use"
        for ip, shown_as, *_ in rows:
            record = by_ip[ip]
            if record.attached_to:
                assert shown_as == by_id[record.attached_to], (ip, shown_as)
            else:
                assert shown_as == "(free)"


async def test_the_health_view_says_how_each_cloud_is_doing(frozen_clock: Any) -> None:
    """`i`: a healthy cloud's last refresh with its SDK calls (counted by the
    provider itself), and a failing one's failures, next try and error."""
    from textual.widgets import DataTable

    from hybridtui.ui.screens.health import COLUMNS, HealthScreen

    clouds = [
        sim_cloud("aws-sim", "aws-default-vpc"),
        sim_cloud("broken", "gce-access-config", fault="http-500"),
    ]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("i")
        assert isinstance(app.screen, HealthScreen)
        table = app.screen.query_one("#health", DataTable)
        rows = {
            str(key.value): dict(zip(COLUMNS, table.get_row(key), strict=True))
            for key in table.rows
        }
        ok, bad = rows["aws-sim"], rows["broken"]
        calls = app.poller.provider("aws-sim").calls
        assert calls > 0
        assert ok["SDK calls"] == str(calls), "the first refresh made every call so far"
        assert ok["State"] == "fresh"
        assert ok["Last success"] == "0s ago"
        assert ok["Failures"] == "0"
        assert ok["Kinds"] == "8"
        assert ok["Next"].startswith("in "), ok
        assert ok["SDK"] == "built-in"
        assert bad["State"] == "error"
        assert bad["Failures"] == "1"
        assert bad["Last success"] == "never"
        assert "HTTP 500" in bad["Last error"], bad
        assert bad["Next"].startswith("in "), "backing off"
        await pilot.press("escape")
        assert not isinstance(app.screen, HealthScreen)


async def test_the_colon_command_bar_like_k9s(frozen_clock: Any) -> None:
    from textual.widgets import Input, TabbedContent

    app = make_app(make_settings(CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        dash = app.dashboard
        await pilot.press("colon", *"img", "enter")
        assert dash.query_one(TabbedContent).active == "tab-images"
        await pilot.press("colon", *"unified", "enter")
        assert dash.active_view.unified
        await pilot.press("colon", *"cloud gce", "enter")  # a prefix is enough
        await pilot.pause()
        assert not dash.active_view.unified, ":cloud shows the panes"
        assert app.focused is table_of(app, "gce-sim")
        await pilot.press("colon", *"clo")
        box = dash.query_one("#command", Input)
        await pilot.pause()
        assert box._suggestion == "cloud aws-sim", "completion offers the clouds"
        await pilot.press("right", "enter")
        await pilot.pause()
        assert app.focused is table_of(app, "aws-sim")
        await pilot.press("colon", *"imgs", "enter")
        assert any("did you mean :img?" in n.message for n in app._notifications)
        await pilot.press("colon", *"stat", "escape")
        assert not box.has_class("-active"), "esc closes the bar"
        assert box.value == ""
        # `:` inside the filter is text, not the command bar
        await pilot.press("slash", *"state:running")
        assert dash.query_one("#filter", Input).value == "state:running"
        assert not box.has_class("-active")
        await pilot.press("escape", "colon", *"q", "enter")
    assert app.return_code == 0


async def test_the_column_picker_shows_and_saves_a_tabs_columns(
    frozen_clock: Any, tmp_path: Path
) -> None:
    """`o` on the Nodes tab, Image unticked: the panes lose that column, the
    choice is written to the user's config file (its comments kept), and
    the next start shows the same columns."""
    import yaml
    from textual.widgets import SelectionList

    from hybridtui.config_file import load_config
    from hybridtui.settings import resolve_settings
    from hybridtui.ui.screens.columns import ColumnsScreen

    path = tmp_path / "config.yaml"
    path.write_text(
        "# the lab\n" + yaml.safe_dump({"clouds": [sim_cloud("aws-sim", "aws-default-vpc")]})
    )
    settings = resolve_settings(config_path=str(path))
    app = make_app(settings, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert "Image" in table_of(app, "aws-sim").visible_table()[0]
        await pilot.press("o")
        assert isinstance(app.screen, ColumnsScreen)
        picker = app.screen.query_one("#columns", SelectionList)
        picker.deselect("image")
        picker.deselect("zone")
        await pilot.press("enter")
        await pilot.pause()
        headers, rows = table_of(app, "aws-sim").visible_table()
        assert headers == ["Name", "State", "Public IP", "Private IP", "Flavor", "Login"]
        first = nodes(app, "aws-sim")[0]
        assert rows[0] == (
            first.name,
            str(first.state),
            first.public_ip or "-",
            first.private_ip or "-",
            first.flavor,
            first.login_user or "?",
        )
    saved = load_config(path)
    assert saved.columns == {
        "nodes": ["name", "state", "public_ip", "private_ip", "flavor", "login"]
    }
    assert path.read_text().startswith("# the lab\n")
    again = make_app(resolve_settings(config_path=str(path)), clock=frozen_clock)
    async with again.run_test(size=(160, 48)) as pilot:
        await settle(again, pilot)
        assert "Image" not in table_of(again, "aws-sim").visible_table()[0]


DEMO_SIX = [
    sim_cloud("aws-eu-west-1", "aws-default-vpc"),
    sim_cloud("gce-europe-west1", "gce-access-config"),
    sim_cloud("os-fip-fra", "openstack-floating-ip"),
    sim_cloud("os-public-gra", "openstack-direct-ipv4"),
    sim_cloud("os-v6-zrh", "openstack-ipv6-only"),
    sim_cloud("os-private-dc1", "openstack-private"),
]


async def test_the_status_strip_keeps_its_height_as_ages_grow_and_clouds_refresh() -> None:
    """At 80×24 with the six demo clouds: `9s` becoming `10s`, `59s` becoming
    `1m`, and every cloud refreshing at once move nothing on screen."""
    from conftest import FROZEN_NOW

    now = [FROZEN_NOW]
    # The test moves the clock past the refresh interval; the app's own
    # one-second tick would then start real refreshes that reset every age.
    app = make_app(make_settings(DEMO_SIX), clock=lambda: now[0], tick_interval=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        strip = dash(app).query_one(StatusStrip)
        table_top = nodes_view(app).panes[0].region.y
        seen = []
        for step in (0, 9, 1, 49, 1):
            now[0] += step
            dash(app).sync()
            await pilot.pause()
            seen.append((strip.size.height, nodes_view(app).panes[0].region.y, strip.text))
        app.model.mark_refreshing(app.model.names)
        dash(app).sync()
        await pilot.pause()
        seen.append((strip.size.height, nodes_view(app).panes[0].region.y, strip.text))
        heights = {(h, y) for h, y, _ in seen}
        assert heights == {(seen[0][0], table_top)}, seen
        assert seen[0][0] <= 2, "six demo clouds fit in two rows at 80 columns"
        assert "◌ aws-eu-west-1  1m" in seen[-1][2].replace("\u00a0", " ")


def screen_lines(table: ResourceTable, rows: int) -> list[str]:
    return ["".join(s.text for s in table.render_line(y)) for y in range(rows)]


async def test_panes_columns_and_focus_as_an_operator_moves_around(frozen_clock: Any) -> None:
    """At 160 columns: two whole panes, each saying which of six it is; no
    address is ever shown cut short; ← → move a column at a time with ◀ ▶
    saying more is there; `z` zooms a pane to every column; tab goes round
    the panes only (never the tab bar)."""
    app = make_app(make_settings(DEMO_SIX), clock=frozen_clock)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(app, pilot)
        panes = nodes_view(app).panes
        assert [p.region.width for p in panes[:2]] == [80, 80]
        assert str(panes[1].title_bar.render()).startswith("2/6 gce-europe-west1")
        table = panes[0].table
        snap = app.model.snapshots["aws-eu-west-1"]
        lines = screen_lines(table, 6)
        assert lines[0].rstrip().endswith("▶"), lines[0]
        private = {n.private_ip for n in snap.nodes}
        for line in lines[1:]:
            for word in line.split():
                if word.startswith(("172.", "10.")):
                    assert word in private, f"{word!r} is cut: {line!r}"
        columns = len(table.visible_table()[0])
        await pilot.press("right")
        assert table.current_column == 1
        assert int(table.scroll_x) == 0, "the column cursor moves; nothing scrolls yet"
        await pilot.press(*["right"] * (columns - 2))
        assert table.current_column == columns - 1
        starts = table._column_starts()
        assert int(table.scroll_x) in starts, "scrolled by whole columns"
        assert int(table.scroll_x) > 0
        moved = screen_lines(table, 1)[0]
        assert moved.startswith("◀"), moved
        assert moved.rstrip().endswith("Zone"), "the last column, whole"
        await pilot.press(*["left"] * columns)
        assert (table.current_column, int(table.scroll_x)) == (0, 0)

        await pilot.press("z")
        assert app.dashboard.maximized is panes[0]
        assert panes[0].region.width == 160
        zoomed = screen_lines(table, 3)
        assert "Zone" in zoomed[0], "every column when zoomed"
        assert "▶" not in zoomed[0]
        web = next(n for n in snap.nodes if n.name == "web-prod-01")
        row = next(line for line in zoomed[1:] if "web-prod-01" in line)
        assert web.image in row, "the whole image name, with room to show it"
        await pilot.press("escape")
        assert app.dashboard.maximized is None
        assert panes[0].region.width == 80

        seen = []
        for _ in range(7):
            await pilot.press("tab")
            focused = app.focused
            assert isinstance(focused, ResourceTable), focused
            seen.append(focused.parent.cloud)  # type: ignore[union-attr]
        assert seen == [p.cloud for p in panes[1:]] + [panes[0].cloud, panes[1].cloud]
        await pilot.press("shift+tab")
        assert app.focused is panes[0].table


async def test_a_regex_matches_within_a_row_never_across_two(frozen_clock: Any) -> None:
    """Regexes are scanned over every row's text at once (fast at 50,000 rows):
    a match running from one row's last cell into the next row's name is no
    row's match, while `^` still anchors at each cell."""
    import re

    app = make_app(make_settings(CLOUDS[:1]), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        table = table_of(app, "aws-sim")
        first, second = shown_rows(table)[:2]
        across = f"{re.escape(first[-1].lower())}\\n{re.escape(second[0].lower())}"
        table.set_filter(across)
        assert shown_rows(table) == []
        table.set_filter(f"^{re.escape(second[0].lower())}$")
        assert [r[0] for r in shown_rows(table)] == [second[0]]
        table.set_filter("^running$")
        assert {r[1] for r in shown_rows(table)} == {"running"}


async def test_a_table_focused_after_a_paint_never_takes_the_keys_typed_in_the_filter(
    frozen_clock: Any,
) -> None:
    """On a busy app `/` can land before the dashboard's deferred "focus the
    first table" runs: the letters typed next must stay in the filter box
    (they went to the table and opened the export dialog at 50 clouds)."""
    app = make_app(make_settings(CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        box = dash(app).query_one("#filter")
        assert app.focused is box
        dash(app)._settle_focus()  # what a tab change or first paint schedules
        await pilot.press(*"web")
        assert app.focused is box
        assert table_of(app, "aws-sim").filter_text == "web"
        assert not isinstance(app.screen, ExportScreen)
        await pilot.press("enter")  # enter keeps the filter and goes to the rows
        assert isinstance(app.focused, ResourceTable)
