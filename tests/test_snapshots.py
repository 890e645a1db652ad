"""Snapshot tests of the main screens at 80x24 (SSH on a jump host) and 160x48
(a projector), on seeded demo clouds with a frozen clock."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import FROZEN_NOW, THREE_CLOUDS, make_settings, sim_cloud
from textual.pilot import Pilot
from textual.widgets import Input

from hybridtui.ui.app import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]


def app_for(clouds: list[dict[str, Any]] | None = None, theme: str | None = None) -> Any:
    return make_app(make_settings(clouds, theme=theme), clock=lambda: FROZEN_NOW)


async def settled(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    # Input's cursor blinks on a timer; a frozen cursor keeps the snapshot stable.
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


class TestDashboard:
    @pytest.mark.parametrize("size", SIZES)
    def test_nodes_panes(self, snap_compare: Any, size: tuple[int, int]) -> None:
        assert snap_compare(app_for(), terminal_size=size, run_before=settled)

    @pytest.mark.parametrize("size", SIZES)
    def test_unified(self, snap_compare: Any, size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await settled(pilot)
            await pilot.press("u")
            await pilot.pause()

        assert snap_compare(app_for(), terminal_size=size, run_before=run)

    def test_filter(self, snap_compare: Any) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await settled(pilot)
            await pilot.press("slash", *"web")
            await settled(pilot)

        assert snap_compare(app_for(), terminal_size=(80, 24), run_before=run)

    def test_images_tab(self, snap_compare: Any) -> None:
        assert snap_compare(app_for(), terminal_size=(160, 48), press=["3"], run_before=settled)

    def test_failing_cloud(self, snap_compare: Any) -> None:
        clouds = [
            *THREE_CLOUDS[:2],
            sim_cloud("broken", "openstack-private", fault="expired-credentials"),
        ]
        assert snap_compare(app_for(clouds), terminal_size=(160, 48), run_before=settled)

    def test_projector_theme(self, snap_compare: Any) -> None:
        assert snap_compare(app_for(theme="projector"), terminal_size=(160, 48), run_before=settled)


class TestOperator:
    """Sorted, filtered with the filter language, and a pane zoomed."""

    @pytest.mark.parametrize("size", SIZES)
    def test_sorted_and_filtered(self, snap_compare: Any, size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await settled(pilot)
            await pilot.press("slash", *"state:running !kafka prod", "enter")
            await pilot.press("P", "P")  # public IP, descending
            await settled(pilot)

        assert snap_compare(app_for(), terminal_size=size, run_before=run)

    @pytest.mark.parametrize("size", SIZES)
    def test_zoomed_pane(self, snap_compare: Any, size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await settled(pilot)
            await pilot.press("tab", "z")
            await settled(pilot)

        assert snap_compare(app_for(), terminal_size=size, run_before=run)


async def scored(pilot: Pilot[Any]) -> None:
    """Settled, and the scorecard computed from the last snapshots."""
    await settled(pilot)
    for _ in range(50):
        if pilot.app.scorecard_settled:
            break
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    assert pilot.app.scorecard_settled


class TestInterop:
    @pytest.mark.parametrize("size", SIZES)
    def test_scorecard(self, snap_compare: Any, size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await scored(pilot)
            await pilot.press("9")
            await scored(pilot)
            await pilot.press("down", "down", "down", "down", "right", "right", "right")
            await pilot.pause()

        assert snap_compare(app_for(), terminal_size=size, run_before=run)

    @pytest.mark.parametrize("size", SIZES)
    def test_evidence(self, snap_compare: Any, size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await scored(pilot)
            await pilot.press("9")
            await scored(pilot)
            await pilot.press("down", "down", "down", "down", "right", "right", "right", "enter")
            await pilot.pause()

        assert snap_compare(app_for(), terminal_size=size, run_before=run)

    @pytest.mark.parametrize("size", SIZES)
    def test_equivalents(self, snap_compare: Any, size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await scored(pilot)
            await pilot.press("2", "down", "down", "down", "e")
            await scored(pilot)

        assert snap_compare(app_for(), terminal_size=size, run_before=run)


class TestDetails:
    def test_details(self, snap_compare: Any) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await settled(pilot)
            await pilot.press("enter")
            await pilot.pause()

        assert snap_compare(app_for(), terminal_size=(80, 24), run_before=run)


class TestHelp:
    def test_help(self, snap_compare: Any) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await settled(pilot)
            await pilot.press("question_mark")
            await pilot.pause()

        assert snap_compare(app_for(), terminal_size=(80, 24), run_before=run)


PROVISION_CLOUDS = [
    sim_cloud("aws-sim", "aws-default-vpc"),
    sim_cloud("fip-sim", "openstack-floating-ip"),
    sim_cloud("gce-sim", "gce-access-config", fault="http-500", fault_ops=["public address"]),
]


class TestProvision:
    """The plan and the finished step grid (a fault at step 5 on gce-sim),
    with the run's id and its step clock frozen so the frames are stable."""

    @pytest.fixture(autouse=True)
    def _frozen_run(self, monkeypatch: pytest.MonkeyPatch) -> None:
        import types
        import uuid

        from hybridtui.provisioning import runner

        fixed = uuid.UUID(int=0x5EED)
        monkeypatch.setattr(runner, "uuid", types.SimpleNamespace(uuid4=lambda: fixed))
        monkeypatch.setattr(runner, "time", types.SimpleNamespace(monotonic=lambda: 100.0))

    @pytest.mark.parametrize("size", SIZES)
    def test_plan(self, snap_compare: Any, size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await settled(pilot)
            await pilot.press("p", "enter", "right")
            await settled(pilot)

        assert snap_compare(app_for(PROVISION_CLOUDS), terminal_size=size, run_before=run)

    @pytest.mark.parametrize("size", SIZES)
    def test_finished_grid(self, snap_compare: Any, size: tuple[int, int]) -> None:
        async def run(pilot: Pilot[Any]) -> None:
            await settled(pilot)
            await pilot.press("p", "enter", "y")
            await settled(pilot)
            for _ in range(100):  # the run's last messages, posted from its thread
                if getattr(pilot.app.screen, "done", False):
                    break
                await pilot.pause()
            assert pilot.app.screen.done  # type: ignore[attr-defined]
            await settled(pilot)

        assert snap_compare(app_for(PROVISION_CLOUDS), terminal_size=size, run_before=run)
