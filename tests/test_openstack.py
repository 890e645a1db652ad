"""The OpenStack adapter against real OpenStack services on loopback (keystone,
nova with the fake virt driver, neutron with routers and floating IPs, glance,
placement), started once per session by the `realstack` fixture."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest
from conftest import add_cloud, make_settings, os_cloud, realstack_url, services_through_proxies
from peers.fault_proxy import Fault, FaultProxy, fault_proxy

from hybridtui.config import AppConfig, OpenStackCloud
from hybridtui.domain import AddressKind, NodeSpec, NodeState, PublicIpStrategy, ResourceKind
from hybridtui.errors import (
    AuthError,
    CloudTimeoutError,
    CloudUnavailableError,
    PermissionDeniedError,
    ProviderError,
    QuotaError,
    ThrottledError,
)
from hybridtui.inventory.model import CloudState
from hybridtui.inventory.poller import Poller
from hybridtui.providers import targets_for
from hybridtui.providers.openstack.adapter import OpenStackProvider

pytestmark = pytest.mark.openstack
PUBKEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBl9n5d7dDPbvvjkJtE/uYEM4dU2qkxuFFXVJhf3h4Bv os@hybridtui"
)
NOVA = realstack_url("nova")
KEYSTONE = realstack_url("keystone")


def provider(cloud: str = "realstack", **extra: Any) -> OpenStackProvider:
    cfg = OpenStackCloud.validate(os_cloud(cloud, **extra))
    return OpenStackProvider(cfg.name, cfg, cfg.region)


def admin() -> Any:
    return openstack.connect(cloud="realstack-admin")


@pytest.fixture
def nova_proxy(os_clouds: Path) -> Iterator[FaultProxy]:
    """`realstack-via-proxy`: the same cloud, with compute requests through a fault proxy."""
    with fault_proxy(NOVA) as proxy:
        add_cloud(os_clouds, "realstack-via-proxy", compute_endpoint_override=f"{proxy.url}/v2.1")
        yield proxy


def test_inventory_of_the_real_cloud(os_clouds: Path) -> None:
    inv = provider().fetch_inventory()
    assert [f.name for f in inv.flavors] == ["m1.tiny", "m1.small", "m1.medium", "m1.large"]
    (image,) = [i for i in inv.images if i.name == "ubuntu-22.04"]
    assert (image.distro, image.login_user) == ("ubuntu", "ubuntu"), "from glance's os_distro"
    assert image.disk_gb == 1, "the boot disk it needs: glance's min_disk, not its 1 MiB file"
    nets = {n.name: n for n in inv.networks}
    assert nets["public"].external
    assert nets["public"].cidrs == ("203.0.113.0/24",)
    assert not nets["private"].external
    assert inv.behaviour is not None
    assert inv.behaviour.public_ip is PublicIpStrategy.FLOATING_IP, (
        "tenant network + router + external net"
    )
    assert "floating_ip_source: neutron" in inv.behaviour.notes


def test_member_and_admin_views_side_by_side(os_clouds: Path) -> None:
    config = AppConfig.validate({"clouds": [os_cloud("realstack"), os_cloud("realstack-admin")]})
    outcomes = {o.cloud: o for o in Poller(targets_for(config)).poll()}
    assert set(outcomes) == {"realstack", "realstack-admin"}
    for o in outcomes.values():
        assert o.ok, o.error
        assert o.snapshot is not None
        assert len(o.snapshot.flavors) == 4
    member = {n.name for n in outcomes["realstack"].snapshot.networks}  # type: ignore[union-attr]
    assert {"public", "private"} <= member


def test_server_addresses_are_classified(os_clouds: Path) -> None:
    p = provider()
    node = p.create_node(
        NodeSpec(name=f"cls-{uuid.uuid4().hex[:6]}", flavor="m1.tiny", image="ubuntu-22.04")
    )
    try:
        assert node.state is NodeState.BUILDING, "accepted, not waited on: the engine waits"
        node = p.wait_for(node.id, NodeState.RUNNING, time.monotonic() + 180)
        assert [a.kind for a in node.addresses] == [AddressKind.FIXED]
        assert node.addresses[0].ip.startswith("10.0.0.")
        assert node.addresses[0].network == "private"
        assert node.public_ip == "", "a tenant network gives no public address by itself"
        addr = p.ensure_public_address(node.id)
        assert addr.kind is AddressKind.FLOATING
        assert addr.ip.startswith("203.0.113.")
        again = p.get_node(node.id)
        assert {a.kind for a in again.addresses} == {AddressKind.FIXED, AddressKind.FLOATING}
        assert again.public_ip == addr.ip
    finally:
        p.delete_node(node.id)
        p.wait_for(node.id, NodeState.DELETED, time.monotonic() + 180)
    assert addr.ip not in {a.ip for a in p.list_addresses()}, "the FIP we allocated is released"


def test_free_floating_ip_is_reused_and_never_released(os_clouds: Path) -> None:
    conn = openstack.connect(cloud="realstack")
    public = conn.network.find_network("public")
    theirs = conn.network.create_ip(floating_network_id=public.id)
    # a stack reused between sessions may hold other free ones: any of them is right
    free = {f.floating_ip_address for f in conn.network.ips() if not f.port_id}
    p = provider()
    node = p.create_node(
        NodeSpec(name=f"reuse-{uuid.uuid4().hex[:6]}", flavor="m1.tiny", image="ubuntu-22.04")
    )
    try:
        p.wait_for(node.id, NodeState.RUNNING, time.monotonic() + 180)
        addr = p.ensure_public_address(node.id)
        assert addr.ip in free, "a free FIP in the pool is reused first"
    finally:
        p.delete_node(node.id)
        p.wait_for(node.id, NodeState.DELETED, time.monotonic() + 180)
    try:
        still = conn.network.get_ip(theirs.id)
        assert still.floating_ip_address == theirs.floating_ip_address, "not ours: never released"
    finally:
        conn.network.delete_ip(theirs.id, ignore_missing=True)


def test_unknown_cloud_lists_the_names_in_clouds_yaml(os_clouds: Path) -> None:
    with pytest.raises(AuthError) as info:
        provider("nope").list_keys()
    assert "cloud 'nope' is not in clouds.yaml" in info.value.message
    assert "realstack, realstack-admin" in info.value.message
    assert str(os_clouds) in info.value.message


def test_wrong_password_names_the_cloud_and_auth_url(os_clouds: Path) -> None:
    add_cloud(os_clouds, "bad-password", **{"auth.password": "not-the-password"})
    with pytest.raises(AuthError) as info:
        provider("bad-password").list_flavors()
    assert "cloud 'bad-password'" in info.value.message
    assert f"{KEYSTONE}/v3" in info.value.message
    assert "not-the-password" not in info.value.message + (info.value.hint or "")


def test_endpoint_missing_from_the_catalog(os_clouds: Path) -> None:
    add_cloud(os_clouds, "wrong-region", region_name="Atlantis")
    with pytest.raises(ProviderError) as info:
        provider("wrong-region").list_flavors()
    assert info.value.title == "Endpoint missing"
    assert not info.value.transient


def test_api_500s_become_cloud_unavailable(nova_proxy: FaultProxy) -> None:
    nova_proxy.inject(Fault(status=500, html='{"computeFault": {"code": 500, "message": "boom"}}'))
    with pytest.raises(CloudUnavailableError, match="HTTP 500"):
        provider("realstack-via-proxy").list_flavors()


def test_hung_api_times_out_on_the_session(nova_proxy: FaultProxy) -> None:
    nova_proxy.inject(Fault(delay=60))
    with pytest.raises(CloudTimeoutError, match="no answer within 2 s"):
        provider("realstack-via-proxy", timeout=2).list_flavors()


def test_keystone_down_is_a_clear_error(os_clouds: Path) -> None:
    with fault_proxy(KEYSTONE) as ks:
        add_cloud(os_clouds, "keystone-down", **{"auth.auth_url": f"{ks.url}/v3"})
        ks.inject(Fault(drop=True))
        with pytest.raises(CloudUnavailableError, match="cannot reach the API"):
            provider("keystone-down").list_flavors()


def test_quota_exceeded_names_the_quota(os_clouds: Path) -> None:
    adm = admin()
    demo = adm.identity.find_project("demo")
    adm.set_compute_quotas(demo.id, instances=0)
    try:
        with pytest.raises(QuotaError, match="(?i)quota exceeded for instances"):
            provider().create_node(
                NodeSpec(name="over-quota", flavor="m1.tiny", image="ubuntu-22.04")
            )
    finally:
        adm.set_compute_quotas(demo.id, instances=100)
    assert "over-quota" not in {n.name for n in provider().list_nodes()}


def test_several_networks_and_none_chosen(os_clouds: Path) -> None:
    conn = openstack.connect(cloud="realstack")
    extra = conn.network.create_network(name=f"extra-{uuid.uuid4().hex[:6]}")
    conn.network.create_subnet(network_id=extra.id, ip_version=4, cidr="10.9.0.0/24")
    try:
        with pytest.raises(ProviderError) as info:
            provider().create_node(
                NodeSpec(name="which-net", flavor="m1.tiny", image="ubuntu-22.04")
            )
        assert info.value.title == "Choose a network"
        assert "private" in info.value.message
        assert extra.name in info.value.message
        node = provider(overrides={"network": "private"}).create_node(
            NodeSpec(name="chosen-net", flavor="m1.tiny", image="ubuntu-22.04")
        )
        provider().delete_node(node.id)
        provider().wait_for(node.id, NodeState.DELETED, time.monotonic() + 180)
    finally:
        conn.delete_network(extra.id)


async def test_dashboard_keeps_other_clouds_fresh_when_one_fails(
    nova_proxy: FaultProxy, frozen_clock: Any
) -> None:
    from hybridtui.ui.app import make_app

    clouds = [
        os_cloud("realstack", name="os-member"),
        os_cloud("realstack-admin", name="os-admin"),
        os_cloud("realstack-via-proxy", name="os-broken"),
    ]
    nova_proxy.inject(Fault(status=500, html='{"computeFault": {"code": 500, "message": "boom"}}'))
    app = make_app(make_settings(clouds, demo=False), clock=frozen_clock)
    # wide enough for the three panes side by side: a pane off screen is
    # brought up to date when its page is shown, not before
    async with app.run_test(size=(180, 48)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        states = {s.name: s.state for s in app.model.statuses()}
        assert states == {
            "os-member": CloudState.FRESH,
            "os-admin": CloudState.FRESH,
            "os-broken": CloudState.PARTIAL,
        }, "nova failing costs os-broken its compute kinds, not its networks"
        broken = app.model.status("os-broken")
        assert set(broken.kind_errors) == {
            ResourceKind.NODES,
            ResourceKind.FLAVORS,
            ResourceKind.KEYS,
        }
        await pilot.press("2")
        await pilot.pause()
        panes = {p.cloud: p for p in app.dashboard.active_view.panes}
        assert panes["os-member"].table.total_count == 4
        assert panes["os-admin"].table.total_count == 4
        assert "✖ Cloud unavailable (no data)" in str(panes["os-broken"].title_bar.render())
        assert "HTTP 500" in panes["os-broken"].table.empty_text
        await pilot.press("4")
        await pilot.pause()
        panes = {p.cloud: p for p in app.dashboard.active_view.panes}
        assert panes["os-broken"].table.total_count == panes["os-member"].table.total_count > 0
        assert "✖" not in str(panes["os-broken"].title_bar.render()), "neutron answered"


def test_security_groups_and_routers(os_clouds: Path) -> None:
    inv = provider().fetch_inventory()
    (router,) = inv.routers
    assert router.name == "router1"
    assert router.external_network == "public"
    assert router.external_ips
    assert router.external_ips[0].startswith("203.0.113.")
    groups = {g.name: g for g in inv.security_groups}
    assert not groups["default"].ssh_open, "Neutron's default group blocks inbound SSH"
    conn = openstack.connect(cloud="realstack")
    sg = conn.network.create_security_group(name=f"ssh-{uuid.uuid4().hex[:6]}")
    try:
        conn.network.create_security_group_rule(
            security_group_id=sg.id,
            direction="ingress",
            protocol="tcp",
            port_range_min=22,
            port_range_max=22,
            remote_ip_prefix="0.0.0.0/0",
        )
        found = {g.name: g for g in provider().list_security_groups()}[sg.name]
        assert found.ssh_open
        assert found.rules >= 1
    finally:
        conn.network.delete_security_group(sg.id)


def test_one_refresh_lists_networks_once(os_clouds: Path) -> None:
    with fault_proxy(realstack_url("neutron")) as neutron:
        add_cloud(os_clouds, "counted", network_endpoint_override=neutron.url)
        inv = provider("counted").fetch_inventory()
        listed = sum(n for path, n in neutron.actions.items() if path.endswith("/v2.0/networks"))
    assert inv.routers[0].external_network == "public", "router gateway named from the same listing"
    assert {a.pool for a in inv.addresses} <= {"public"}
    assert listed == 1


def test_a_cold_refresh_discovers_each_api_version_once(os_clouds: Path) -> None:
    """openstacksdk discovers a service's API version when its proxy is first
    used, without a lock: the listings of one service, made at once, each
    discovered it again (neutron's five: five discovery calls)."""
    with services_through_proxies(os_clouds, "discovered") as (nova, neutron, glance):
        inv = provider("discovered").fetch_inventory()
        roots = {
            "compute": nova.actions["/v2.1"] + nova.actions["/v2.1/"],
            "network": neutron.actions["/"],
            "image": glance.actions["/"],
        }
        listed = sum(n for p in (nova, neutron, glance) for n in p.actions.values())
    assert not inv.errors
    assert inv.nodes is not None
    assert inv.security_groups
    assert roots == {"compute": 1, "network": 1, "image": 1}, (roots, listed)


def test_through_the_catalog_compute_versions_are_read_once(
    os_clouds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the service catalog (as real clouds are reached: no endpoint
    override, so no proxy can stand in the way), the SDK reads compute's
    version document on each listing's first request: three listings at once
    read it three times. Counted as the SDK's session sends each request."""
    import keystoneauth1.session as ks

    sent: list[str] = []
    real = ks.Session.request

    def counted(self: Any, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        sent.append(f"{method} {url.split('?')[0]}")
        return real(self, url, method, *args, **kwargs)

    monkeypatch.setattr(ks.Session, "request", counted)
    inv = provider().fetch_inventory()
    assert not inv.errors
    nova = realstack_url("nova")
    versions = [r for r in sent if r in (f"GET {nova}/v2.1", f"GET {nova}/v2.1/")]
    assert len(versions) == 1, sent


def test_refused_credentials_are_tried_once_per_service_not_once_per_kind(
    os_clouds: Path,
) -> None:
    """A wrong password: the first listing of each service asks Keystone and
    is refused; the other listings of that service fail with its reason at
    once instead of asking again (3 token requests, not one per kind)."""
    with fault_proxy(KEYSTONE) as ks:
        add_cloud(
            os_clouds,
            "refused",
            **{"auth.auth_url": f"{ks.url}/v3", "auth.password": "not-the-password"},
        )
        inv = provider("refused").fetch_inventory()
        tokens = sum(n for path, n in ks.actions.items() if path.endswith("/auth/tokens"))
    assert set(inv.errors) == set(ResourceKind)
    for error in inv.errors.values():
        assert isinstance(error, AuthError)
        assert "authentication failed" in error.message
    assert tokens == 3, ks.actions


@pytest.mark.parametrize(
    ("fault", "error", "attempts"),
    [
        (Fault(status=429, html='{"message": "Rate limit exceeded"}'), ThrottledError, 2),
        (
            Fault(status=503, html="<html><body>503 Service Unavailable</body></html>"),
            CloudUnavailableError,
            2,
        ),
        (
            Fault(
                status=500,
                html='{"NeutronError": {"type": "HTTPInternalServerError", "message": "boom"}}',
            ),
            CloudUnavailableError,
            1,
        ),
        (
            Fault(
                status=403,
                html='{"NeutronError": {"type": "PolicyNotAuthorized", "message": "rule:get_security_group is disallowed by policy"}}',
            ),
            PermissionDeniedError,
            1,
        ),
        (Fault(drop=True), CloudUnavailableError, 2),
        (Fault(status=200, html='{"security_groups": [{"na'), CloudUnavailableError, 1),
        (Fault(delay=60), CloudTimeoutError, None),
    ],
    ids=["429", "503", "500", "403", "connection-reset", "cut-off-json", "hang"],
)
def test_a_fault_on_one_listing_leaves_the_others_fresh(
    os_clouds: Path, fault: Fault, error: type[ProviderError], attempts: int | None
) -> None:
    """The fault table on the real OpenStack services: whatever happens to the
    security-group listing (through a proxy in front of neutron), servers,
    networks and the rest come back; keystoneauth retries only 429/503 and
    connection failures (`retries: 1` here), never a 500 that may hide work done."""
    with fault_proxy(realstack_url("neutron")) as neutron:
        add_cloud(os_clouds, "faulty", network_endpoint_override=neutron.url)
        fault.path = "/v2.0/security-groups"
        neutron.inject(fault)
        try:
            inv = provider("faulty", timeout=3, retries=1).fetch_inventory()
        finally:
            neutron.clear()
        calls = sum(n for path, n in neutron.actions.items() if path.endswith("/security-groups"))
    assert set(inv.errors) == {ResourceKind.SECURITY_GROUPS}, inv.errors
    err = inv.errors[ResourceKind.SECURITY_GROUPS]
    assert isinstance(err, error), err
    assert "cloud 'faulty'" in err.message
    assert inv.networks
    assert inv.flavors
    assert ResourceKind.NODES in inv.records
    if attempts is not None:
        assert calls == attempts


def test_scorecard_infers_floating_ips_from_the_real_topology(os_clouds: Path) -> None:
    """realstack: `public` external (not shared), `private` tenant network and
    router1 between them: step 5 NO (a floating IP from `public`), inferred from
    Neutron's records, with the router as evidence."""
    from conftest import scorecard_of

    from hybridtui.interop.equivalence import Spec
    from hybridtui.interop.model import Evidence, Verdict
    from hybridtui.providers import CloudTarget

    cfg = OpenStackCloud.validate(os_cloud("realstack"))
    card = scorecard_of(
        [CloudTarget("realstack", "openstack", cfg)],
        Spec.parse("vcpus=2,ram_gb=4,image=ubuntu-22.04"),
    )
    step5 = card.cell("realstack", "5")
    assert (step5.verdict, step5.evidence, step5.value) == (
        Verdict.NO,
        Evidence.INFERRED,
        "floating-ip",
    )
    assert step5.reason.startswith("needs a floating IP from `public`")
    assert ("routers", "router1", "external_gateway_info", "public") in {
        (s.kind, s.record, s.field, s.value) for s in step5.sources
    }
    m = card.matches["realstack"]
    assert (m.flavor.record.name, m.image.record.name, m.network.record.name) == (
        "m1.medium",
        "ubuntu-22.04",
        "private",
    )
    assert card.cell("realstack", "login:ubuntu").value == "ubuntu"
    assert card.cell("realstack", "2").verdict is Verdict.YES


def test_a_boot_disk_size_is_refused_before_anything_is_made(os_clouds: Path) -> None:
    """The boot disk here is the flavor's (step 3 picks one with the disk): a
    node spec asking to size it at launch is refused, not silently ignored."""
    p = provider()
    before = len(p.list_nodes())
    with pytest.raises(ProviderError, match="the boot disk here is the flavor's") as e:
        p.create_node(NodeSpec(name="sized", flavor="m1.tiny", image="ubuntu-22.04", disk_gb=50))
    assert e.value.hint is not None
    assert "flavor with the disk" in e.value.hint
    assert len(p.list_nodes()) == before
