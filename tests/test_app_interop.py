"""Pilot tests of the Interop tab: the scorecard and its evidence, the
equivalents of a flavor or an image on the other clouds (`e`), and two clouds
compared (`c`), as a keyboard user reaches them from the dashboard."""

from __future__ import annotations

from typing import Any

from conftest import make_settings, scored, settle
from textual.message import Message
from textual.widgets import TabbedContent

from hybridtui.ui.app import make_app
from hybridtui.ui.widgets.resource_table import ResourceTable


async def test_interop_tab_shows_the_scorecard_and_its_evidence(frozen_clock: Any) -> None:
    from hybridtui.interop.model import Verdict
    from hybridtui.ui.messages import ScorecardReady
    from hybridtui.ui.screens.evidence import EvidenceScreen
    from hybridtui.ui.widgets.interop_view import ScorecardTable

    messages: list[Message] = []
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(160, 48), message_hook=messages.append) as pilot:
        await scored(app, pilot)
        ready = [m for m in messages if isinstance(m, ScorecardReady)]
        assert ready
        assert ready[-1].comparison is not None
        assert ready[-1].comparison.scorecard.clouds == ("aws-sim", "gce-sim", "os-fip")
        await pilot.press("9")
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "tab-interop"
        table = app.query_one(ScorecardTable)
        assert app.focused is table
        row5 = table.get_row("5")
        assert [str(c) for c in row5] == ["5 Get its PUBLIC address", "YES", "YES", "NO"]
        assert str(table.get_row("score")[3]) == "5/8"
        await pilot.press("down", "down", "down", "down", "right", "right", "right")
        pairs = str(app.query_one("#pairs").render())
        assert "os-fip ↔ aws-sim 6/8 (differ at 5,6)" in pairs
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EvidenceScreen)
        assert screen.cell is not None
        assert (screen.cell.cloud, screen.cell.check, screen.cell.verdict) == (
            "os-fip",
            "5",
            Verdict.NO,
        )
        shown = {(s.kind, s.record, s.field) for s in screen.cell.sources}
        assert ("routers", "router1", "external_gateway_info") in shown
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.dashboard
        # the filter belongs to the resource tabs; the palette knows the tab
        await pilot.press("slash")
        await pilot.pause()
        assert not app.query_one("#filter").has_class("-active")
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Show Interop scorecard" in commands


async def test_equivalents_of_a_flavor_and_an_image(frozen_clock: Any) -> None:
    from hybridtui.domain import Flavor, Image
    from hybridtui.ui.screens.equivalents import EquivalentsScreen

    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await scored(app, pilot)
        assert app.dashboard.check_action("equivalents", ()) is False, "no `e` on the Nodes tab"
        await pilot.press("2")
        await pilot.pause()
        table = app.focused
        assert isinstance(table, ResourceTable)
        cloud, flavor = table.current_payload
        assert (cloud, isinstance(flavor, Flavor)) == ("aws-sim", True)
        await pilot.press("e")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, EquivalentsScreen)
        assert screen.found is not None
        found = {eq.cloud: eq.choice for eq in screen.found}
        assert set(found) == {"gce-sim", "os-fip"}, "every other cloud, not its own"
        for choice in found.values():
            assert isinstance(choice.record, Flavor)
            assert choice.record.vcpus >= flavor.vcpus
            assert choice.record.ram_mb >= flavor.ram_mb
            assert choice.record.arch in ("", flavor.arch)
        await pilot.press("escape", "3")
        await pilot.pause()
        table = app.focused
        assert isinstance(table, ResourceTable)
        for _ in range(200):  # to an x86_64 Ubuntu image
            _, image = table.current_payload
            if image.distro == "ubuntu" and image.arch == "x86_64":
                break
            await pilot.press("down")
        assert isinstance(image, Image)
        await pilot.press("e")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, EquivalentsScreen)
        assert screen.found is not None
        for eq in screen.found:
            match = eq.choice.record
            assert isinstance(match, Image), (eq.cloud, eq.choice.reason)
            assert (match.distro, match.version) == ("ubuntu", image.version)
            assert match.arch in ("", "x86_64")


async def test_compare_two_clouds_from_the_interop_tab(frozen_clock: Any) -> None:
    from hybridtui.ui.screens.diff import DiffScreen, PickCloudScreen

    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await scored(app, pilot)
        await pilot.press("9")
        await pilot.pause()
        await pilot.press("right", "c")  # the cursor's cloud: aws-sim
        await pilot.pause()
        assert isinstance(app.screen, PickCloudScreen)
        assert app.screen.others == ["gce-sim", "os-fip"]
        await pilot.press("down", "enter")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        assert (screen.a, screen.b) == ("aws-sim", "os-fip")
        assert screen.text is not None
        assert "5 Get its PUBLIC address" in screen.text
        assert "Image releases only os-fip offers:" in screen.text


async def test_on_a_short_terminal_the_pair_scores_keep_to_one_row(frozen_clock: Any) -> None:
    """At 40 x 10 the pair scores' three rows left the scorecard none; under
    20 rows they take one (cut with …), and three again on a taller one."""
    from hybridtui.ui.widgets.interop_view import ScorecardTable

    clouds = [
        {**c, "name": f"{c['name']}-with-a-long-name"}
        for c in make_settings().config.to_json()["clouds"]
    ]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(40, 10)) as pilot:
        await scored(app, pilot)
        await pilot.press("9")
        await pilot.pause()
        pairs = app.query_one("#pairs")
        assert app.dashboard.has_class("-short")
        assert pairs.size.height == 1
        assert app.query_one(ScorecardTable).size.height >= 3, "the grid keeps rows"
        await pilot.resize_terminal(40, 30)
        await pilot.pause()
        assert not app.dashboard.has_class("-short")
        assert pairs.size.height == 3
