"""The demo clouds behave like the real clouds they imitate (cloud-facts.md)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import sim_cloud

from hybridtui.config import Fault, SimulatorCloud
from hybridtui.domain import (
    AddressKind,
    Node,
    NodeSpec,
    NodeState,
    PublicIpStrategy,
    ResourceKind,
)
from hybridtui.errors import (
    AuthError,
    CloudUnavailableError,
    NotFoundError,
    PermissionDeniedError,
    ProviderError,
)
from hybridtui.providers.base import Capability
from hybridtui.providers.simulator.profiles import PROFILES
from hybridtui.providers.simulator.provider import SimulatorProvider

#: An RSA public key (its private half was thrown away), as an operator imports one.
RSA_LINE = (
    "ssh-rsa "
    "AAAAB3NzaC1yc2EAAAADAQABAAABAQC1sjA2VwelqfluBpQq7Knx1S2t/3RUYEO81gINBOlMjgD1S7FD"
    "pm+IQb6A6EWvCQ+YkqpNXVdo9IBtsCLCxag3AMeW37o6hN1Lsn8LN0hsndyMcmGNyZG9lXlFXzRo6JW6"
    "wFX003bLRGgVG4DaYgVNfv9LbPHEx15/dIH2Cw5hA9XWhzIJ0ERCWyYEv4uhU2mI/dGoVr8n4FBsNCmZ"
    "10RF11zFJdLfQCRkkXmIbZFI6Ncgtk79jNDzxbuRcqyauqnykCaH5hmISK9MwxebiB2JBuCHu2fkfhAG"
    "0dgewCYy3gTLraf3riUPwAe6LTwmfqPnl+mpthLLTCzmHAyHJG2j"
    " demo@rsa"
)


def provider(profile: str, **knobs: object) -> SimulatorProvider:
    return SimulatorProvider("sim", SimulatorCloud.validate(sim_cloud("sim", profile, **knobs)))


def test_at_least_six_profiles_with_distinct_public_ip_behaviour() -> None:
    assert len(PROFILES) >= 6
    strategies = {p.behaviour.public_ip for p in PROFILES.values()}
    assert {
        PublicIpStrategy.AUTO_ASSIGN,
        PublicIpStrategy.ACCESS_CONFIG,
        PublicIpStrategy.FLOATING_IP,
        PublicIpStrategy.DIRECT,
        PublicIpStrategy.IPV6_ONLY,
        PublicIpStrategy.NONE,
    } <= strategies


def test_seeded_and_deterministic() -> None:
    a = provider("openstack-floating-ip", seed=7).fetch_inventory()
    b = provider("openstack-floating-ip", seed=7).fetch_inventory()
    c = provider("openstack-floating-ip", seed=8).fetch_inventory()
    assert [n.to_dict() for n in a.nodes] == [n.to_dict() for n in b.nodes]
    assert [i.id for i in a.images] == [i.id for i in b.images]
    assert [i.id for i in a.images] != [i.id for i in c.images]


def test_public_clouds_have_realistic_catalogues() -> None:
    for key in ("aws-default-vpc", "gce-access-config", "openstack-direct-ipv4"):
        p = provider(key)
        inv = p.fetch_inventory()
        assert len(p._world.images) >= 100, key  # type: ignore[attr-defined]
        assert len(inv.flavors) >= 24, key


def test_a_demo_cloud_lists_the_images_its_adapter_lists() -> None:
    """The catalogue is large, as a real one is; the listing is what
    hybridtui's adapter makes of it: AWS the newest 3 of each well-known
    series (the demo AWS pane listed all 244 AMIs of its catalogue, the adapter
    would list 85 of them), GCE the newest image of each family its
    `image_families` names by default (the demo listed all 12 families of its
    catalogue, the adapter asks for 9), OpenStack all of Glance's."""
    from hybridtui.config import GceCloud
    from hybridtui.providers.aws.records import series_key

    aws = provider("aws-default-vpc")
    listed = aws.fetch_inventory().images
    catalogue = aws._world.images  # type: ignore[attr-defined]
    series: dict[str, list[str]] = {}
    for i in catalogue:
        series.setdefault(series_key(i.name), []).append(i.created_at)
    assert len(listed) == sum(min(3, len(v)) for v in series.values()) < len(catalogue)
    for i in listed:
        newest = sorted(series[series_key(i.name)], reverse=True)[:3]
        assert i.created_at in newest, i.name

    gce = provider("gce-access-config")
    listed = gce.fetch_inventory().images
    default = GceCloud(name="g", kind="gce", project="p").image_families
    families = {f"{i.visibility}/{i.raw['family']}" for i in gce._world.images}  # type: ignore[attr-defined]
    assert set(default) < families, "the catalogue has families the adapter does not ask for"
    assert [f"{i.visibility}/{i.raw['family']}" for i in listed] == default
    for i in listed:
        same = [
            j.created_at
            for j in gce._world.images  # type: ignore[attr-defined]
            if j.raw["family"] == i.raw["family"]
        ]
        assert i.created_at == max(same), i.name

    os_ = provider("openstack-direct-ipv4")
    assert len(os_.fetch_inventory().images) == len(os_._world.images)  # type: ignore[attr-defined]


def test_aws_like_state_and_login_by_ami_family() -> None:
    inv = provider("aws-default-vpc").fetch_inventory()
    running = [n for n in inv.nodes if n.state is NodeState.RUNNING]
    assert running
    assert all(n.public_ip for n in running), "default subnet gives public IPv4 on launch"
    users = {i.distro: i.login_user for i in inv.images}
    assert users["debian"] == "admin"
    assert users["amazon"] == "ec2-user"
    assert users["ubuntu"] == "ubuntu"
    assert {n.raw_state for n in inv.nodes} <= {"running", "stopped", "pending"}
    codes = {"pending": 0, "running": 16, "stopped": 80}  # EC2's State.Code
    assert all(n.raw["State"]["Code"] == codes[n.raw_state] for n in inv.nodes)
    bare = [n for n in inv.nodes if not n.public_ip]
    assert bare, "stopped and pending instances have no public IPv4"
    assert all("PublicIpAddress" not in n.raw for n in bare), "EC2 leaves the key out"
    assert any(n.auto_public_ip for n in inv.networks)
    assert any(not n.auto_public_ip for n in inv.networks)


def test_openstack_centos_logs_in_as_cloud_user_but_aws_centos_as_centos() -> None:
    os_users = {
        i.distro: i.login_user for i in provider("openstack-floating-ip").fetch_inventory().images
    }
    aws_users = {
        i.distro: i.login_user for i in provider("aws-default-vpc").fetch_inventory().images
    }
    assert os_users["centos"] == "cloud-user"
    assert aws_users["centos"] == "centos"
    assert os_users["debian"] == "debian"
    assert aws_users["debian"] == "admin"


def test_gce_terminated_is_stopped_not_deleted() -> None:
    inv = provider("gce-access-config", seed=3).fetch_inventory()
    terminated = [n for n in inv.nodes if n.raw_state == "TERMINATED"]
    assert terminated
    assert all(n.state is NodeState.STOPPED for n in terminated)
    assert provider("gce-access-config").behaviour().live_key_update is True


def test_private_cloud_has_no_public_address_and_needs_jump_host() -> None:
    p = provider("openstack-private")
    inv = p.fetch_inventory()
    assert all(not n.public_ip for n in inv.nodes)
    assert not any(n.external for n in inv.networks)
    assert p.behaviour().needs_jump_host


def test_ipv6_only_cloud_gives_only_v6_public_addresses() -> None:
    inv = provider("openstack-ipv6-only").fetch_inventory()
    publics = [a for n in inv.nodes for a in n.addresses if a.is_public]
    assert publics
    assert all(a.version == 6 for a in publics)


def test_write_contract_floating_ip_cloud() -> None:
    p = provider("openstack-floating-ip")
    assert Capability.WRITE in p.capabilities
    inv = p.fetch_inventory()
    p.import_key("node-key-1", "ssh-ed25519 AAAAC3Nza test")
    node = p.create_node(
        NodeSpec(
            name="probe",
            flavor=inv.flavors[0].name,
            image=inv.images[0].name,
            network="default-network",
            key_name="node-key-1",
        )
    )
    assert node.public_ip == "", (
        "a tenant-network node has no public address until a FIP is attached"
    )
    assert "adminPass" in node.raw
    addr = p.ensure_public_address(node.id)
    assert addr.kind is AddressKind.FLOATING
    assert p.get_node(node.id).public_ip == addr.ip
    assert p.ensure_public_address(node.id) == addr, "idempotent"
    assert next(a for a in p.list_addresses() if a.ip == addr.ip).managed, "allocated by us"
    p.delete_node(node.id)
    assert addr.ip not in p.floating_ips(), "a FIP we allocated is released with the node"
    with pytest.raises(NotFoundError):
        p.get_node(node.id)
    assert [k.name for k in p.list_keys() if k.managed] == ["node-key-1"]
    p.delete_key("node-key-1")
    assert "node-key-1" not in p.key_material()
    assert [k.name for k in p.list_keys() if k.managed] == []


def test_create_with_unknown_key_or_flavor_fails_clearly() -> None:
    p = provider("aws-default-vpc")
    inv = p.fetch_inventory()
    with pytest.raises(NotFoundError, match="key pair 'nope'"):
        p.create_node(
            NodeSpec(
                name="x", flavor=inv.flavors[0].name, image=inv.images[0].name, key_name="nope"
            )
        )
    with pytest.raises(NotFoundError, match="flavor 'z9.huge'"):
        p.create_node(NodeSpec(name="x", flavor="z9.huge", image=inv.images[0].name))


@pytest.mark.parametrize("key", sorted(PROFILES))
def test_every_private_address_is_inside_its_own_network(key: str) -> None:
    """What an operator checks against the networks tab: each node's fixed
    address lies in the block of the network it names, a zonal subnet's nodes
    are in that subnet's zone (eu-west-1b's nodes in 172.31.16.0/20, not in
    eu-west-1a's block), and no two nodes share an address."""
    import ipaddress

    inv = provider(key, nodes=900).fetch_inventory()
    nets = {n.name: n for n in inv.networks}
    fixed = [(n, a) for n in inv.nodes for a in n.addresses if a.kind is AddressKind.FIXED]
    assert fixed or key.endswith("ipv4"), "only the directly-public cloud has none"
    for node, a in fixed:
        if a.network not in nets:  # the IPv6-only cloud's v4 side network is not listed
            continue
        net = nets[a.network]
        blocks = [ipaddress.ip_network(c) for c in net.cidrs]
        assert any(ipaddress.ip_address(a.ip) in b for b in blocks), (node.name, a, net.cidrs)
        if net.zone and net.zone in PROFILES[key].zones:
            assert node.zone == net.zone, (node.name, node.zone, net.name)
    ips = [a.ip for _, a in fixed]
    assert len(ips) == len(set(ips)), "every node its own address"
    zones = {n.zone for n in inv.nodes}
    assert zones == set(PROFILES[key].zones), "the nodes are spread over every zone"


@pytest.mark.parametrize("key", sorted(PROFILES))
def test_what_a_demo_node_shows_is_what_its_cloud_adapter_makes_of_its_raw_record(
    key: str,
) -> None:
    """Every value a demo node puts on screen is the one hybridtui's adapter for
    that cloud reads from the node's raw record (shown in its details): a GCE
    node's login is its ssh-keys line's user, its key only hybridtui's marked
    one, an address's network its interface's subnetwork, its id `zone/name`
    (the numeric id in its record is in no call). Not compared: a GCE node's
    image (the adapter joins it from the disks listing)."""
    from hybridtui.providers.aws import records as aws
    from hybridtui.providers.gce import records as gce
    from hybridtui.providers.openstack import records as openstack

    p = provider(key)
    inv = p.fetch_inventory()
    # the AWS adapter looks up the AMIs nodes run that the listing left out
    images = {i.id: i for i in p._world.images}  # type: ignore[attr-defined]
    external = {n.name for n in inv.networks if n.external}
    style = PROFILES[key].style
    shown = ("id", "name", "state", "raw_state", "flavor", "zone", "key_name", "login_user")
    shown += ("public_ip", "private_ip", "created_at") + (() if style == "gce" else ("image",))
    for node in inv.nodes:
        raw = dict(node.raw)
        read = (
            aws.node(raw, images, {n.id: n.name for n in inv.networks if n.zone})
            if style == "aws"
            else gce.node(raw)
            if style == "gce"
            else openstack.node(raw, external, images)
        )
        for field in shown:
            assert getattr(node, field) == getattr(read, field), (node.name, field)
        assert on_networks(node) == on_networks(read), node.name


@pytest.mark.parametrize("key", sorted(PROFILES))
def test_no_demo_cloud_lists_one_image_name_twice(key: str) -> None:
    """A release's name carries its day; two releases drawn for one day were
    one name twice (`debian-12-bookworm-v20250415`), which no GCE image
    project and no AMI owner can hold."""
    inv = provider(key).fetch_inventory()
    names = [i.name for i in inv.images]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("key", ["aws-default-vpc", "gce-access-config"])
def test_every_subnet_belongs_to_a_network_the_cloud_lists(key: str) -> None:
    """The networks tab lists each subnet's network too (the demo GCE had a
    prod-vpc/europe-west1 subnetwork and no prod-vpc network)."""
    inv = provider(key).fetch_inventory()
    subnets = [n for n in inv.networks if n.zone]
    parents = [n for n in inv.networks if not n.zone]
    assert subnets
    assert parents
    if key.startswith("aws"):
        assert {s.raw["VpcId"] for s in subnets} <= {p.id for p in parents}
    else:
        assert {s.name.split("/")[0] for s in subnets} <= {p.name for p in parents}


@pytest.mark.parametrize(
    ("key", "hash_name"), [("aws-default-vpc", "sha256"), ("openstack-floating-ip", "md5")]
)
def test_a_key_fingerprint_is_what_ssh_keygen_says_of_the_same_key(
    key: str, hash_name: str, tmp_path: Path
) -> None:
    """An operator checks a cloud's key against their own copy with
    `ssh-keygen -l`: EC2 shows an ed25519 key's SHA-256 (base64), Nova the
    MD5. The demo hashed the key line's text, which matched nothing."""
    p = provider(key)
    p.import_key("hybridtui-rsa", RSA_LINE)
    material = p.key_material()
    for record in p.list_keys():
        line = material[record.name]
        (tmp_path / "k.pub").write_text(line + "\n")
        want = hash_name if line.startswith("ssh-ed25519") else "md5"
        out = subprocess.run(
            ["ssh-keygen", "-l", "-E", want, "-f", str(tmp_path / "k.pub")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()[1]
        shown = record.fingerprint
        assert out == (f"SHA256:{shown.rstrip('=')}" if want == "sha256" else f"MD5:{shown}")


def test_a_node_lands_on_the_network_picked_for_it_and_is_made_now() -> None:
    """Step 3's pick is where the node goes: an EC2 instance launched into a
    subnet is in that subnet's zone, and a private subnet maps no public
    address. What hybridtui makes is dated now, not at the demo world's epoch."""
    from datetime import UTC, datetime, timedelta

    p = provider("aws-default-vpc")
    inv = p.fetch_inventory()
    subnets = {n.name: n for n in inv.networks if n.zone}
    public, private = subnets["default-eu-west-1c"], subnets["prod-app-private-b"]
    before = datetime.now(UTC) - timedelta(seconds=1)
    p.import_key("node-key", "ssh-ed25519 AAAAC3Nza test")
    made = [
        p.create_node(
            NodeSpec(
                name=f"on-{net.name}",
                flavor=inv.flavors[0].name,
                image=inv.images[0].name,
                network=net.id if net is private else net.name,  # EC2 takes the id
                key_name="node-key",
            )
        )
        for net in (public, private)
    ]
    for node, net in zip(made, (public, private), strict=True):
        assert node.zone == net.zone
        (fixed,) = [a for a in node.addresses if a.kind is AddressKind.FIXED]
        assert fixed.network == net.name
        assert ipaddress_in(fixed.ip, net.cidrs[0])
        assert node.raw["SubnetId"] == net.id
        assert node.raw["Placement"]["AvailabilityZone"] == net.zone
        assert datetime.fromisoformat(node.created_at) >= before
    assert made[0].public_ip, "the default subnet maps a public IPv4 on launch"
    assert made[1].public_ip == "", "a private subnet does not"
    (key,) = [k for k in p.list_keys() if k.name == "node-key"]
    assert datetime.fromisoformat(key.created_at) >= before
    with pytest.raises(NotFoundError, match="network 'subnet-nope'"):
        p.create_node(
            NodeSpec(
                name="x",
                flavor=inv.flavors[0].name,
                image=inv.images[0].name,
                network="subnet-nope",
            )
        )


def on_networks(node: Node) -> list[tuple[str, AddressKind, str]]:
    """A node's addresses with the network each names."""
    return sorted((a.ip, a.kind, a.network) for a in node.addresses)


def test_a_demo_gce_node_key_is_written_as_the_gce_adapter_writes_it() -> None:
    """hybridtui's node key on a demo GCE node: the adapter's own ssh-keys line
    (the `hybrid` account, its marker), expiring the default lifetime after it
    was written, not at a date fixed to the demo's past."""
    import json
    from datetime import UTC, datetime, timedelta

    from hybridtui.domain import GCE_KEY_TTL_HOURS
    from hybridtui.providers.gce import records as gce

    p = provider("gce-access-config")
    inv = p.fetch_inventory()
    line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBl9n5d7dDPbvvjkJtE/uYEM4dU2qkxuFFXVJhf3h4Bv k"
    p.import_key("hybridtui-k", line)
    before = datetime.now(UTC)
    node = p.create_node(
        NodeSpec(
            name="g", flavor=inv.flavors[0].name, image=inv.images[0].name, key_name="hybridtui-k"
        )
    )
    (entry,) = gce.ssh_entries(dict(node.raw))
    assert entry.startswith("hybrid:ssh-ed25519 ")
    assert entry.endswith(" hybridtui:hybridtui-k")
    expire = datetime.fromisoformat(
        json.loads(entry.split(" google-ssh ")[1].split(" hybridtui:")[0])["expireOn"]
    )
    ttl = timedelta(hours=GCE_KEY_TTL_HOURS)
    assert before + ttl - timedelta(seconds=1) <= expire <= datetime.now(UTC) + ttl
    assert (node.key_name, node.login_user) == ("hybridtui-k", "hybrid")


def test_a_key_made_in_a_demo_cloud_keeps_its_date_across_restarts() -> None:
    """The demo keeps what hybridtui made in a state file: an imported key's
    date comes back with it, not the demo epoch."""
    from hybridtui.providers.simulator.world import World

    world = World(PROFILES["aws-default-vpc"], 1, 0)
    world.keys["hybridtui-k"] = (
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBl9n5d7dDPbvvjkJtE/uYEM4dU2qkxuFFXVJhf3h4Bv k"
    )
    world.key_created["hybridtui-k"] = "2026-12-03T10:00:00+00:00"
    world.managed.add("hybridtui-k")
    again = World(PROFILES["aws-default-vpc"], 1, 0)
    again.restore(world.state())
    (key,) = [k for k in again.key_records() if k.name == "hybridtui-k"]
    assert key.created_at == "2026-12-03T10:00:00+00:00"


def ipaddress_in(ip: str, cidr: str) -> bool:
    import ipaddress

    return ipaddress.ip_address(ip) in ipaddress.ip_network(cidr)


def test_private_cloud_refuses_public_address_with_hint() -> None:
    p = provider("openstack-private")
    inv = p.fetch_inventory()
    node = p.create_node(NodeSpec(name="x", flavor=inv.flavors[0].name, image=inv.images[0].name))
    with pytest.raises(ProviderError) as info:
        p.ensure_public_address(node.id)
    assert "jump host" in (info.value.hint or "")


@pytest.mark.parametrize(
    ("fault", "error"),
    [(Fault.HTTP_500, CloudUnavailableError), (Fault.EXPIRED_CREDENTIALS, AuthError)],
)
def test_injected_faults(fault: Fault, error: type[Exception]) -> None:
    p = provider("aws-default-vpc", fault=fault.value)
    inv = p.fetch_inventory()
    assert not inv.records, "every call fails"
    assert set(inv.errors) == set(ResourceKind)
    for err in inv.errors.values():
        assert isinstance(err, error)
        assert "simulated" in str(err)
    with pytest.raises(error):
        p.list_nodes()


def test_fault_on_one_kind_costs_only_that_kind() -> None:
    p = provider("gce-access-config", fault="forbidden", fault_kinds=["security-groups"])
    inv = p.fetch_inventory()
    assert set(inv.errors) == {ResourceKind.SECURITY_GROUPS}
    assert isinstance(inv.errors[ResourceKind.SECURITY_GROUPS], PermissionDeniedError)
    assert "403" in inv.errors[ResourceKind.SECURITY_GROUPS].message
    assert inv.nodes
    assert inv.flavors
    assert inv.images
    assert inv.networks


def test_fault_rate_zero_never_fails() -> None:
    p = provider("aws-default-vpc", fault="http-500", fault_rate=0.0)
    for _ in range(5):
        assert not p.fetch_inventory().errors


def test_hang_is_released_by_close() -> None:
    import threading

    p = provider("openstack-private", fault="timeout")
    errors: list[BaseException] = []

    def call() -> None:
        errors.extend(p.fetch_inventory().errors.values())

    t = threading.Thread(target=call)
    t.start()
    t.join(0.2)
    assert t.is_alive(), "a hung cloud does not answer"
    p.close()
    t.join(5)
    assert not t.is_alive()
    assert errors


def test_reused_floating_ip_is_never_released() -> None:
    """A FIP that was already allocated (not by us) is reused, and left allocated."""
    p = provider("openstack-floating-ip")
    inv = p.fetch_inventory()
    theirs = next(a for a in inv.addresses if a.attached_to)
    owner = theirs.attached_to
    p.delete_node(owner)  # someone else's node goes away: its FIP becomes free
    node = p.create_node(
        NodeSpec(name="reuse", flavor=inv.flavors[0].name, image=inv.images[0].name)
    )
    addr = p.ensure_public_address(node.id)
    assert addr.ip == theirs.ip, "a free FIP in the pool is reused before allocating"
    p.delete_node(node.id)
    assert p.floating_ips()[theirs.ip] == "", "not ours: stays allocated, just free again"


@pytest.mark.parametrize(
    ("rules", "open_"),
    [
        ([("ingress", "tcp", 22, 22, "0.0.0.0/0")], True),
        ([("ingress", "tcp", 20, 30, "::/0")], True),
        ([("ingress", "-1", None, None, "0.0.0.0/0")], True),
        ([("ingress", "any", None, None, "0.0.0.0/0")], True),
        ([("ingress", "tcp", 22, 22, "10.0.0.0/8")], False),
        ([("egress", "tcp", 22, 22, "0.0.0.0/0")], False),
        ([("ingress", "udp", 22, 22, "0.0.0.0/0")], False),
        ([("ingress", "tcp", 80, 443, "0.0.0.0/0")], False),
        ([("ingress", "tcp", 22, 22, "(group)")], False),
    ],
)
def test_ssh_open_rule_matching(
    rules: list[tuple[str, str, int | None, int | None, str]], open_: bool
) -> None:
    from hybridtui.domain import ssh_open

    assert ssh_open(rules) is open_


def test_security_groups_and_routers_like_the_real_clouds() -> None:
    """Each group's rules are in its raw record as the API gives them, and what
    the table says of them (rule count, SSH open) is the adapter's reading."""
    aws = provider("aws-default-vpc").fetch_inventory()
    wizard = next(g for g in aws.security_groups if g.name == "launch-wizard-1")
    assert wizard.raw["IpPermissions"][0]["FromPort"] == 22
    assert (wizard.rules, wizard.ssh_open) == (2, True), "SSH in, all out"
    assert {g.name: g.ssh_open for g in aws.security_groups}["default"] is False, (
        "AWS default group: no SSH"
    )
    gce = provider("gce-access-config").fetch_inventory()
    assert {g.name: g.ssh_open for g in gce.security_groups}["default-allow-ssh"] is True
    fip = provider("openstack-floating-ip").fetch_inventory()
    assert [r.external_network for r in fip.routers] == ["ext-net"]
    assert {g.name: g.ssh_open for g in fip.security_groups}["default"] is False
    ssh = next(g for g in fip.security_groups if g.name == "ssh")
    assert ssh.rules == 3, "Neutron gives every new group its two egress rules"
    assert ssh.ssh_open
    assert provider("openstack-direct-ipv4").fetch_inventory().routers == ()


#: The id each cloud gives a node it makes, as hybridtui's adapter for it reads it.
MADE_ID = {
    "aws": r"i-0[0-9a-f]{16}",
    "openstack": r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}",
    "gce": r"[a-z]+-[a-z]+\d-[a-z]/hybrid-1",
}


@pytest.mark.parametrize("key", sorted(PROFILES))
def test_a_node_made_in_a_demo_cloud_has_its_clouds_id_and_stays_hybridtuis(key: str) -> None:
    """A node provisioning makes carries the id its cloud would give it (an
    EC2 instance id, a Nova UUID, a GCE zone/name: what the adapter reads from
    its record), not a `sim-0001-…` that only the demo makes; it is still
    known as hybridtui's after a restart (the state file) and never churned."""
    import re

    from hybridtui.providers.aws import records as aws
    from hybridtui.providers.gce import records as gce
    from hybridtui.providers.openstack import records as openstack
    from hybridtui.providers.simulator.world import World

    p = provider(key)
    inv = p.fetch_inventory()
    node = p.create_node(
        NodeSpec(name="hybrid-1", flavor=inv.flavors[0].name, image=inv.images[0].name)
    )
    style = PROFILES[key].style
    assert re.fullmatch(MADE_ID[style], node.id), node.id
    raw = dict(node.raw)
    read = (
        aws.node(raw, {i.id: i for i in inv.images}, {})
        if style == "aws"
        else gce.node(raw)
        if style == "gce"
        else openstack.node(raw, {n.name for n in inv.networks if n.external}, {})
    )
    assert read.id == node.id
    assert p.get_node(node.id).id == node.id

    world = p._world  # type: ignore[attr-defined]
    (saved,) = world.state()["nodes"]
    assert saved["id"] == node.id
    again = World(PROFILES[key], world_seed(p), 0)
    again.restore(world.state())
    assert node.id in again.made
    for _ in range(len(again.nodes) * 8):  # every node's turn at churn, several times
        again.tick()
    assert again.nodes[node.id].state is node.state


def world_seed(p: SimulatorProvider) -> int:
    return p.sim.seed  # type: ignore[attr-defined,no-any-return]


def test_a_demo_gce_instance_name_is_taken_once_per_zone() -> None:
    """GCE calls an instance by its zone and name: a second one of the same
    name in that zone is refused (409 alreadyExists), as the API refuses it."""
    p = provider("gce-access-config")
    inv = p.fetch_inventory()
    spec = NodeSpec(name="hybrid-1", flavor=inv.flavors[0].name, image=inv.images[0].name)
    p.create_node(spec)
    with pytest.raises(ProviderError, match="already exists"):
        p.create_node(spec)


@pytest.mark.parametrize("key", sorted(PROFILES))
def test_a_demo_image_is_what_its_cloud_adapter_makes_of_its_raw_record(key: str) -> None:
    """Every value a demo image puts on screen is the one hybridtui's adapter
    for that cloud reads from its raw record: a GCE image's id is its
    selfLink and its visibility its project, an AMI's login comes from its
    owner, every image's boot disk from where its API says it."""
    import dataclasses

    from hybridtui.providers.aws import records as aws
    from hybridtui.providers.gce import records as gce
    from hybridtui.providers.openstack import records as openstack

    inv = provider(key).fetch_inventory()
    style = PROFILES[key].style
    assert inv.images
    for image in inv.images:
        raw = dict(image.raw)
        read = (
            aws.image(raw)
            if style == "aws"
            else gce.image(raw, raw["selfLink"].split("/projects/")[1].split("/")[0])
            if style == "gce"
            else openstack.image(raw)
        )
        for f in dataclasses.fields(image):
            if f.name != "raw":
                assert getattr(image, f.name) == getattr(read, f.name), (image.name, f.name)
