"""Provisioning from the dashboard, driven with Textual's Pilot on demo clouds:
spec form → plan → confirm → live step grid → done; a fault at step 5 on one
cloud (failed and rolled back there, the others finish); cancel mid-run rolls
back; `d` deletes a node hybridtui made after naming it; read-only hides and
refuses every write."""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest
from conftest import make_settings, settle, sim_cloud
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, SelectionList, Static

from hybridtui.domain import Node, ResourceKind
from hybridtui.interop.equivalence import Spec
from hybridtui.inventory.model import CloudState
from hybridtui.provisioning.cleanup import is_ours
from hybridtui.provisioning.plan import PlanError, make_plan
from hybridtui.provisioning.runner import refusal
from hybridtui.ui.app import HybridApp, make_app
from hybridtui.ui.messages import ScorecardReady
from hybridtui.ui.screens.confirm import ConfirmScreen
from hybridtui.ui.screens.provision import PlanScreen, RunScreen, SpecScreen

CLOUDS = [
    sim_cloud("aws-sim", "aws-default-vpc"),
    sim_cloud("fip-sim", "openstack-floating-ip"),
    sim_cloud("gce-sim", "gce-access-config", fault="http-500", fault_ops=["public address"]),
]


def grid(app: HybridApp) -> dict[tuple[int, str], str]:
    table = app.screen.query_one("#grid", DataTable)
    clouds = [str(c.key.value) for c in table.columns.values()][1:]
    return {
        (int(str(row.value)), cloud): str(table.get_cell(row, cloud))
        for row in table.rows
        for cloud in clouds
    }


def our_nodes(app: HybridApp, cloud: str) -> list[Node]:
    snap = app.model.snapshots[cloud]
    return [n for n in snap.resources(ResourceKind.NODES) if isinstance(n, Node) and is_ours(n)]


async def provision_one(app: HybridApp, pilot: Pilot[Any]) -> Node:
    """Provision with the form's defaults on the app's one cloud; the new node."""
    await settle(app, pilot)
    await pilot.press("p", "enter", "y")
    await settle(app, pilot)
    await pilot.press("escape")
    await settle(app, pilot)
    (ours,) = our_nodes(app, "aws-sim")
    return ours


async def test_spec_plan_run_on_three_demo_clouds(frozen_clock: Any) -> None:
    app = make_app(make_settings(CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("p")
        assert isinstance(app.screen, SpecScreen)
        clouds = app.screen.query_one("#clouds", SelectionList)
        assert sorted(clouds.selected) == ["aws-sim", "fip-sim", "gce-sim"], "all writable"
        await pilot.press("enter")  # in the vCPU field: plan
        assert isinstance(app.screen, PlanScreen)
        table = app.screen.query_one("#plan", DataTable)
        assert [str(c.label) for c in table.columns.values()][1:] == [
            "aws-sim",
            "fip-sim",
            "gce-sim",
        ]
        assert str(table.get_cell("public address", "fip-sim")) == "floating-ip"
        assert str(table.get_cell("login", "gce-sim")) == "hybrid"
        why = app.screen.query_one("#why-text", Static)
        assert str(why.render()).startswith("aws-sim"), "the reasons of the first cloud"
        await pilot.press("right")
        reasons = str(why.render())
        assert reasons.startswith("fip-sim")
        assert "floating IP" in reasons or "floating-ip" in reasons
        await pilot.press("y")
        assert isinstance(app.screen, RunScreen)
        await settle(app, pilot)
        cells = grid(app)
        for cloud in ("aws-sim", "fip-sim"):
            assert all(cells[(n, cloud)].startswith(("✓", "–")) for n in range(1, 9)), cells
        assert cells[(5, "gce-sim")] == "✗ rolled back", cells
        assert all(cells[(n, "gce-sim")].startswith("✓") for n in range(1, 5)), cells
        assert all(cells[(n, "gce-sim")] == "·" for n in range(6, 9)), "never ran"
        details = str(app.screen.query_one("#detail-text", Static).render())
        assert "✗ gce-sim: step 5 (public address)" in details
        assert "rolled back: node" in details
        await pilot.press("escape")
        assert not isinstance(app.screen, RunScreen)
        await settle(app, pilot)  # the clouds refreshed: the new nodes are listed
        assert len(our_nodes(app, "aws-sim")) == 1
        assert len(our_nodes(app, "fip-sim")) == 1
        assert our_nodes(app, "gce-sim") == [], "rolled back"
        # the runs are the scorecard's measured evidence now
        assert app.cache is not None
        by_name = {t.name: t for t in app.targets}
        measured = {c["check"]: c["verdict"] for c in app.cache.measured(by_name["fip-sim"])}
        assert measured["5"] == "partial", "a floating IP was needed"
        assert measured["6"] == "yes"
        gce = {c["check"]: c["verdict"] for c in app.cache.measured(by_name["gce-sim"])}
        assert gce["5"] == "no", "the failed step is measured too"


async def test_a_bad_spec_and_no_cloud_are_said_in_the_form(frozen_clock: Any) -> None:
    app = make_app(make_settings(CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("p", "end", "backspace", "x")
        assert isinstance(app.screen, SpecScreen)
        # said as it is typed, before enter, and the field is outlined
        error = app.screen.query_one("#error", Static)
        assert str(error.render()) == "vcpus 'x' is not a number"
        assert app.screen.query_one("#vcpus", Input).has_class("-invalid")
        await pilot.press("backspace")
        assert str(error.render()) == ""
        assert not app.screen.query_one("#vcpus", Input).has_class("-invalid")
        await pilot.press("x", "enter")
        assert isinstance(app.screen, SpecScreen), "a bad spec is not planned"
        assert str(error.render()) == "spec: vcpus 'x' is not a number"
        app.screen.query_one("#clouds", SelectionList).deselect_all()
        await pilot.press("backspace", "2", "enter")
        assert "choose at least one cloud" in str(app.screen.query_one("#error", Static).render())
        await pilot.press("escape")
        assert not isinstance(app.screen, SpecScreen)


async def test_cancel_mid_run_rolls_back(frozen_clock: Any) -> None:
    slow = [sim_cloud("fip-sim", "openstack-floating-ip", latency=0.2)]
    app = make_app(make_settings(slow), clock=frozen_clock)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("p", "enter", "y")
        run = app.screen
        assert isinstance(run, RunScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        assert run.done
        details = str(run.query_one("#detail-text", Static).render())
        assert "✗ fip-sim:" in details, details
        assert "cancelled" in details, details
        await pilot.press("escape")
        await settle(app, pilot)
        assert our_nodes(app, "fip-sim") == []


async def test_delete_names_the_node_and_removes_only_ours(frozen_clock: Any) -> None:
    app = make_app(make_settings(CLOUDS[:1]), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        ours = await provision_one(app, pilot)
        # someone else's node: refused without a question
        await pilot.press("d")
        assert not isinstance(app.screen, ConfirmScreen)
        # ours: find it with the filter, then `d` names it and asks
        await pilot.press("slash", *ours.name, "enter", "d")
        assert isinstance(app.screen, ConfirmScreen)
        assert ours.name in app.screen.title_text
        assert "aws-sim" in app.screen.title_text
        await pilot.press("y")
        await settle(app, pilot)
        await settle(app, pilot)
        assert our_nodes(app, "aws-sim") == []


async def test_read_only_hides_and_refuses_writes(frozen_clock: Any) -> None:
    settings = dataclasses.replace(make_settings(CLOUDS), read_only=True)
    app = make_app(settings, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        offered = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "provision" not in offered
        assert "delete_node" not in offered
        await pilot.press("p")
        assert not isinstance(app.screen, SpecScreen)
        app.action_provision()  # whoever asks: refused
        await pilot.pause()
        assert not isinstance(app.screen, SpecScreen)
        assert app.check_action("provision", ()) is False
        assert app.dashboard.check_action("delete_node", ()) is False


async def test_ssh_to_a_node_shows_and_copies_the_command_where_it_cannot_suspend(
    frozen_clock: Any,
) -> None:
    """Headless (as when served in a browser) the app cannot hand the terminal
    to `ssh`: the exact command is shown and copied (OSC 52). A public node is
    dialled directly with its image's account; a private one through the
    cloud's jump host, at its private address."""
    clouds = [
        sim_cloud("aws-sim", "aws-default-vpc"),
        sim_cloud("priv", "openstack-private", overrides={"jump_host": "ops@bastion:2222"}),
    ]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        table = app.dashboard.active_view.panes[0].table
        cloud, node = table.current_payload
        assert cloud == "aws-sim"
        await pilot.press("s")
        known = app.settings.paths.data_dir / "known_hosts"
        expected = (
            f"ssh -o 'UserKnownHostsFile={known} ~/.ssh/known_hosts' "
            f"{node.login_user}@{node.public_ip}"
        )
        assert app.clipboard == expected
        assert node.login_user
        assert node.public_ip
        await pilot.press("tab", "s")  # the private cloud's pane
        cloud, node = app.dashboard.active_view.panes[1].table.current_payload
        assert cloud == "priv"
        assert not node.public_ip
        assert app.clipboard.endswith(f"-J ops@bastion:2222 {node.login_user}@{node.private_ip}")


async def test_a_ledger_that_cannot_be_opened_is_said_and_the_dashboard_goes_on(
    frozen_clock: Any,
) -> None:
    """The leftovers check after the first paint died in its worker, silently."""
    settings = make_settings(CLOUDS[:1])
    settings.paths.ledger_file.parent.mkdir(parents=True, exist_ok=True)
    settings.paths.ledger_file.write_bytes(b"\x13" * 4096)
    app = make_app(settings, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        (note,) = [n for n in app._notifications if n.title == "Leftovers not looked for"]
        assert "cannot be opened (file is not a database)" in note.message
        assert ".broken" in note.message
        assert app.model.status("aws-sim").state is CloudState.FRESH


async def test_leftovers_of_an_interrupted_run_are_offered_and_cleaned(
    frozen_clock: Any,
) -> None:
    """A run killed halfway (its ledger entries written, the process gone)
    leaves a node, a key and a local key: the next start says so, `L` lists
    them, `c` then `y` removes them, counted on the demo cloud."""
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import merge
    from hybridtui.providers import CloudTarget
    from hybridtui.providers.simulator.provider import SimulatorProvider
    from hybridtui.provisioning.ledger import Kind, Ledger
    from hybridtui.provisioning.runner import Runner
    from hybridtui.ui.screens.leftovers import LeftoversScreen

    settings = make_settings(CLOUDS[:1])
    target = CloudTarget("aws-sim", "simulator", settings.config.clouds[0])
    provider = SimulatorProvider("aws-sim", settings.config.clouds[0])
    site = site_for(target, merge("aws-sim", "simulator", None, provider.fetch_inventory(), 0))
    plan = make_plan(site, Spec.parse("image=ubuntu"), read_only=False)
    ledger = Ledger(settings.paths.ledger_file)
    # a run that stops after step 4, as if killed: what it made stays in the ledger
    runner = Runner({"aws-sim": provider}, ledger, settings.paths.node_keys_dir)
    runner.progress = lambda ev: runner.cancel.set() if ev.result.step == 4 else None
    runner.rollback = lambda cloud, run: []  # type: ignore[method-assign] # killed: no rollback
    (run,) = runner.run([plan])
    assert not run.ok
    left = ledger.open_entries(cloud="aws-sim")
    assert {e.kind for e in left} == {Kind.NODE, Kind.KEY, Kind.LOCAL_KEY}
    provider.close()

    app = make_app(settings, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert app.leftovers
        assert len(app.leftovers.entries) == 3
        banner = app.dashboard.query_one("#leftovers-banner", Static)
        assert banner.display
        assert "3 things left by interrupted runs on aws-sim" in str(banner.render())
        assert app.check_action("leftovers", ())
        await pilot.press("L")
        assert isinstance(app.screen, LeftoversScreen)
        assert app.screen.query_one("#leftovers", DataTable).row_count == 3
        await pilot.press("c")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(app, pilot)
        await settle(app, pilot)
        assert not app.leftovers
        assert not banner.display, "the banner goes with the leftovers"
        assert ledger.open_entries(cloud="aws-sim") == []
        assert our_nodes(app, "aws-sim") == []
        assert not [k for k in app.poller.provider("aws-sim").list_keys() if k.managed]


async def test_ssh_to_a_node_hybridtui_made_is_root_with_the_operator_key(
    frozen_clock: Any, tmp_path: Any
) -> None:
    """After step 7 root has the operator's keys: `s` on a node hybridtui made
    logs in as root with the private half of the configured root key."""
    from hybridtui.provisioning.ssh import make_node_key

    operator = make_node_key("operator", tmp_path / "keys")
    pub = tmp_path / "keys" / "operator.pub"
    pub.write_text(operator.public + "\n")
    app = make_app(make_settings(CLOUDS[:1], root_keys=[str(pub)]), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        ours = await provision_one(app, pilot)
        await pilot.press("slash", *ours.name, "enter", "s")
        assert f" -i {operator.private_path} " in app.clipboard
        assert app.clipboard.endswith(f" root@{ours.public_ip}")


async def test_a_writable_real_cloud_is_marked_in_its_pane_title(frozen_clock: Any) -> None:
    """A real cloud hybridtui may write to says so in every pane title; a
    read-only one and the demo clouds do not."""
    clouds = [
        sim_cloud("aws-sim", "aws-default-vpc"),
        # nothing answers on port 1 of loopback: the pane shows the error, and its title
        {
            "name": "prod",
            "kind": "aws",
            "regions": ["eu-west-1"],
            "timeout": 1,
            "endpoint_url": "http://127.0.0.1:1",
            "max_attempts": 1,
            "read_only": False,
        },
        {
            "name": "audit",
            "kind": "aws",
            "regions": ["eu-west-1"],
            "timeout": 1,
            "endpoint_url": "http://127.0.0.1:1",
            "max_attempts": 1,
        },
    ]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        titles = {p.cloud: str(p.title_bar.render()) for p in app.dashboard.active_view.panes}
        assert "✎ writable" in titles["prod"]
        assert "✎ writable" not in titles["audit"], "read-only is the default for real clouds"
        assert "✎ writable" not in titles["aws-sim"]


async def test_a_read_only_cloud_among_writable_ones_is_refused_everywhere(
    frozen_clock: Any,
) -> None:
    """`read_only: true` on one cloud: the form will not pick it and says why,
    `d` is hidden in its panes (shown in the writable cloud's), asking anyway
    is refused, and the engine refuses a plan made for it elsewhere."""
    clouds = [
        sim_cloud("aws-sim", "aws-default-vpc"),
        sim_cloud("fip-sim", "openstack-floating-ip", read_only=True),
    ]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        panes = {p.cloud: p for p in app.dashboard.active_view.panes}

        def offered() -> set[str]:
            return {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}

        panes["fip-sim"].table.focus()
        await pilot.pause()
        assert "delete_node" not in offered()
        assert "provision" in offered(), "another cloud is writable"
        panes["aws-sim"].table.focus()
        await pilot.pause()
        assert "delete_node" in offered()

        node = app.model.snapshots["fip-sim"].resources(ResourceKind.NODES)[0]
        assert isinstance(node, Node)
        app.delete_node("fip-sim", node)
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)

        await pilot.press("p")
        assert isinstance(app.screen, SpecScreen)
        assert list(app.screen.query_one("#clouds", SelectionList).selected) == ["aws-sim"]
        said = " ".join(str(s.render()) for s in app.screen.query(Static))
        assert "fip-sim: read_only: true in the config" in said
        await pilot.press("escape")

        site = next(s for s in app.sites() if s.cloud == "fip-sim")
        plan = make_plan(site, Spec.parse("image=ubuntu"), read_only=False)
        with pytest.raises(PlanError, match="fip-sim: read_only: true in the config"):
            app._start_run([plan], lambda _: None, threading.Event())
        provider = app.poller.provider("fip-sim")
        refused = refusal(plan, provider)
        assert refused is not None
        assert "read-only" in refused.message


async def test_a_tick_while_the_app_is_dismantled_does_nothing(frozen_clock: Any) -> None:
    """The 1 s timer can fire after the screens are gone and before it stops
    (a fresh-clone run failed so): the tick and a pending sync do nothing."""
    app = make_app(make_settings(CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    assert not app.screen_stack
    app._tick()
    app._sync_now()
    app._scorecard_dirty = True
    app._refresh_scorecard()
    app.on_scorecard_ready(ScorecardReady(None, "late"))
