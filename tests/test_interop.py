"""The comparator's rules and matching, table-driven, on records shaped like the
real ones: moto's instance types, the AMI series the moto peer serves, the GCE
peer's machine types and families, Glance/Neutron records like realstack's."""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import replace
from typing import Any

import pytest

from hybridtui.domain import (
    Flavor,
    Image,
    Network,
    PublicIpStrategy,
    ResourceKind,
    Router,
    SecurityGroup,
)
from hybridtui.interop.equivalence import Spec, SpecError, match_flavor, match_image, match_network
from hybridtui.interop.model import Evidence, Verdict
from hybridtui.interop.rules import evaluate, public_strategy
from hybridtui.interop.scorecard import build
from hybridtui.interop.site import Site
from hybridtui.inventory.snapshot import CloudSnapshot
from hybridtui.providers.aws import records as aws_records
from hybridtui.providers.gce import records as gce_records
from hybridtui.providers.openstack import records as openstack_records

NOW = 1_800_000_000.0


def site(
    platform: str,
    overrides: dict[str, str] | None = None,
    declared: tuple[str, ...] = (),
    **records: Any,
) -> Site:
    kinds = {k: NOW for k in ResourceKind if k.value.replace("-", "_") in records}
    snap = CloudSnapshot(
        cloud=f"{platform}-x",
        kind=platform,
        fetched_at=NOW,
        kind_at=kinds,
        **{k: tuple(v) for k, v in records.items()},
    )
    return Site(f"{platform}-x", platform, snap, overrides or {}, declared)


# ------------------------------------------------------------------- spec


def test_spec_parsing() -> None:
    assert Spec.parse("vcpus=2,ram_gb=4,image=ubuntu-22.04") == Spec(
        2, 4.0, distro="ubuntu", version="22.04"
    )
    assert Spec.parse("image=debian, arch=aarch64, gpu=1") == Spec(
        arch="arm64", gpu=1, distro="debian"
    )
    assert Spec.parse("image=fedora-coreos").distro == "fedora-coreos"
    assert (
        str(Spec.parse("ram_gb=0.5,vcpus=1,image=rhel-9"))
        == "vcpus=1,ram_gb=0.5,arch=x86_64,image=rhel-9"
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("vcpus=two", "'two' is not a number"),
        ("cpus=2", "unknown spec key 'cpus'"),
        ("vcpus", "is not KEY=VALUE"),
        ("image=ubnutu", "unknown distro 'ubnutu'"),
        ("arch=sparc", "arch 'sparc' is not one of"),
        ("vcpus=0", "vcpus must be more than zero"),
        ("image=22.04", "is not DISTRO[-VERSION]"),
    ],
)
def test_spec_errors_say_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(SpecError) as e:
        Spec.parse(text)
    assert says in str(e.value)


# ---------------------------------------------------------------- flavors


def moto_instance_types() -> list[Flavor]:
    import moto

    path = os.path.join(os.path.dirname(moto.__file__), "ec2/resources/instance_types.json.gz")
    with gzip.open(path) as f:
        return [aws_records.flavor(r) for r in json.load(f).values()]


def test_smallest_aws_type_of_the_right_architecture() -> None:
    types = moto_instance_types()
    assert len(types) > 1000
    for arch in ("x86_64", "arm64"):
        c = match_flavor(types, Spec(vcpus=2, ram_gb=4, arch=arch))
        assert c.record is not None
        best = c.record
        assert isinstance(best, Flavor)
        assert (best.vcpus, best.ram_mb, best.arch, best.gpus) == (2, 4096, arch, 0), best
        same = sorted(
            t.name
            for t in types
            if (t.vcpus, t.ram_mb, t.disk_gb, t.arch, t.gpus) == (2, 4096, best.disk_gb, arch, 0)
            and t.name != best.name
        )
        assert same, "moto's catalogue has several 2 vCPU / 4 GiB types"
        said = f"{best.name}: smallest with ≥2 vCPU, ≥4 GiB, {arch}; the same size: "
        assert c.reason.startswith(said), c.reason
        named = c.reason[len(said) :].split(" (overrides.flavor picks one)")[0]
        assert named.split(" +")[0].split(", ") == same[:3]
        if len(same) > 3:
            assert named.endswith(f" +{len(same) - 3} more")
        fitting = [
            t for t in types if t.arch == arch and t.vcpus >= 2 and t.ram_mb >= 4096 and not t.gpus
        ]
        assert all((t.vcpus, t.ram_mb) >= (best.vcpus, best.ram_mb) for t in fitting)
        assert c.runner_up is not None
        assert c.runner_up.name != best.name


def test_gpu_flavors_only_when_asked_and_no_match_names_the_closest() -> None:
    types = moto_instance_types()
    gpu = match_flavor(types, Spec(vcpus=4, ram_gb=16, gpu=1))
    assert gpu.record is not None
    assert gpu.record.gpus >= 1
    huge = match_flavor(types, Spec(vcpus=100_000, ram_gb=4))
    assert huge.record is None
    assert huge.closest is not None
    assert huge.reason.startswith("no x86_64 flavor with ≥100000 vCPU, ≥4 GiB; closest: ")


def test_openstack_flavors_without_arch_and_windows_only_flavors() -> None:
    flavors = [
        openstack_records.flavor({"id": str(i), "name": n, "vcpus": c, "ram": r, "disk": d})
        for i, (n, c, r, d) in enumerate(
            [
                ("win-b2-7", 2, 7168, 50),
                ("b2-7", 2, 7168, 50),
                ("m1.small", 1, 2048, 20),
                ("m1.medium", 2, 4096, 40),
            ]
        )
    ]
    c = match_flavor(flavors, Spec(vcpus=2, ram_gb=4))
    assert c.record is not None
    assert c.record.name == "m1.medium"
    assert "arch not stated (assumed x86_64)" in c.reason
    assert match_flavor(flavors, Spec(vcpus=2, ram_gb=6)).record.name == "b2-7"  # type: ignore[union-attr]
    assert match_flavor(flavors, Spec(disk_gb=45)).record.name == "b2-7"  # type: ignore[union-attr]
    over = match_flavor(flavors, Spec(), {"flavor": "m1.small"})
    assert (over.record.name, over.reason) == ("m1.small", "m1.small: set by overrides.flavor")  # type: ignore[union-attr]


def test_on_openstack_the_flavor_holds_the_images_min_disk() -> None:
    """Nova refuses a flavor whose root disk is smaller than the image's
    min_disk (HTTP 400 at step 4, seen on the real services); EC2 sizes the
    root volume at launch, so there the smallest flavor stays the pick."""
    from hybridtui.interop.equivalence import match

    flavors = [
        openstack_records.flavor({"id": n, "name": n, "vcpus": 2, "ram": 4096, "disk": d})
        for n, d in (("small-disk", 10), ("big-disk", 40))
    ]
    image = openstack_records.image(
        {"id": "i", "name": "debian-12", "os_distro": "debian", "min_disk": 20}
    )
    spec = Spec(vcpus=2, ram_gb=4, distro="debian")
    m = match(site("openstack", flavors=flavors, images=[image]), spec, PublicIpStrategy.DIRECT)
    assert m.flavor.record is not None
    assert m.flavor.record.name == "big-disk"
    assert "the image's min_disk is 20 GB" in m.flavor.reason
    m = match(site("aws", flavors=flavors, images=[image]), spec, PublicIpStrategy.AUTO_ASSIGN)
    assert m.flavor.record is not None
    assert m.flavor.record.name == "small-disk"


def test_a_flavor_without_a_disk_meets_a_disk_only_where_the_cloud_sizes_it() -> None:
    """A flavor with no disk of its own (0): EC2 and GCE size the boot disk at
    launch, so it fits a spec's disk and step 4 asks for it; an OpenStack
    zero-disk flavor boots a root disk of the image's size, so it fits the
    image's min_disk but not a disk the spec asks for."""
    from hybridtui.interop.equivalence import match

    flavors = [
        openstack_records.flavor({"id": n, "name": n, "vcpus": 2, "ram": 4096, "disk": d})
        for n, d in (("zero-disk", 0), ("small-disk", 20), ("big-disk", 80))
    ]
    image = openstack_records.image(
        {"id": "i", "name": "debian-12", "os_distro": "debian", "min_disk": 10}
    )
    spec = Spec(vcpus=2, ram_gb=4, distro="debian", disk_gb=50)
    os_site = site("openstack", flavors=flavors, images=[image])
    m = match(os_site, spec, PublicIpStrategy.DIRECT)
    assert m.flavor.record is not None
    assert m.flavor.record.name == "big-disk"
    assert "at launch" not in m.flavor.reason
    m = match(os_site, replace(spec, disk_gb=0), PublicIpStrategy.DIRECT)
    assert m.flavor.record is not None
    assert m.flavor.record.name == "zero-disk", "min_disk alone: the image-sized root meets it"
    assert "root disk the image's size (the image's min_disk is 10 GB)" in m.flavor.reason
    m = match(site("aws", flavors=flavors, images=[image]), spec, PublicIpStrategy.AUTO_ASSIGN)
    assert m.flavor.record is not None
    assert m.flavor.record.name == "zero-disk"
    assert m.flavor.reason.endswith(", boot disk 50 GB at launch")


def test_when_only_the_disk_is_short_the_closest_has_the_most_disk() -> None:
    """No flavor has the disk: the closest is the smallest of those with the
    most disk that meet the rest, and the reason says its disk."""
    flavors = [
        openstack_records.flavor({"id": n, "name": n, "vcpus": c, "ram": r, "disk": d})
        for n, c, r, d in (
            ("tiny", 1, 1024, 10),
            ("std.2x4", 2, 4096, 40),
            ("std.8x32", 8, 32768, 40),
            ("big-cpu", 64, 262144, 20),
        )
    ]
    c = match_flavor(flavors, Spec(vcpus=2, ram_gb=4, disk_gb=500), zero_disk="no")
    assert c.record is None
    assert c.closest is not None
    assert c.closest.name == "std.2x4"
    assert c.reason.endswith("closest: std.2x4 (2 vCPU, 4 GiB, 40 GB disk)")
    c = match_flavor(flavors, Spec(vcpus=128, ram_gb=4))
    assert c.closest is not None
    assert (c.closest.name, c.reason.endswith("(64 vCPU, 256 GiB)")) == ("big-cpu", True)


# ----------------------------------------------------------------- images


def moto_peer_amis() -> list[Image]:
    from peers.moto_ec2 import ami_catalogue

    out = []
    for a in ami_catalogue():
        rec = {
            "ImageId": a["ami_id"],
            "Name": a["name"],
            "OwnerId": a["owner_id"],
            "Architecture": a["architecture"],
            "CreationDate": a["creation_date"],
            "Public": True,
        }
        out.append(aws_records.image(rec))
    return out


def test_newest_ubuntu_release_not_a_daily_build() -> None:
    amis = moto_peer_amis()
    c = match_image(amis, Spec(distro="ubuntu"))
    assert c.record is not None
    assert c.record.name.startswith("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-")
    newest = max(
        (i for i in amis if i.name.startswith("ubuntu/images/hvm-ssd-gp3/")),
        key=lambda i: i.created_at,
    )
    assert c.record.id == newest.id
    assert c.reason.startswith("ubuntu 24.04 (newest release), x86_64, built ")
    jammy = match_image(amis, Spec(distro="ubuntu", version="22.04"))
    assert jammy.record is not None
    assert "ubuntu-jammy-22.04" in jammy.record.name
    rhel = match_image(amis, Spec(distro="rhel", version="9"))
    assert rhel.record is not None
    assert rhel.record.version == "9.4"


def test_never_an_image_of_the_other_architecture() -> None:
    amis = moto_peer_amis()
    c = match_image(amis, Spec(distro="ubuntu", arch="arm64"))
    assert c.record is None
    assert c.reason.startswith("no arm64 image of ubuntu; closest: ubuntu/images/")
    missing = match_image(amis, Spec(distro="rocky"))
    assert missing.record is None
    assert missing.reason.startswith("no rocky images; this site has: amazon, centos")
    old = match_image(amis, Spec(distro="debian", version="11"))
    assert old.record is None
    assert old.reason == "no debian 11; releases here: 12"


def test_gce_families_and_glance_properties() -> None:
    from peers.gce_peer import PUBLIC_IMAGES

    gce = [
        gce_records.image(
            {
                "name": n,
                "family": f,
                "architecture": "X86_64",
                "creationTimestamp": "2026-10-01T00:00:00.000-07:00",
            },
            project,
        )
        for project, images in PUBLIC_IMAGES.items()
        for n, f in images
    ]
    c = match_image(gce, Spec(distro="debian"))
    assert c.record is not None
    assert c.record.name == "debian-12-bookworm-v20261105"
    assert "family debian-12" in c.reason
    ubuntu = match_image(gce, Spec(distro="ubuntu", version="22.04"))
    assert ubuntu.record is not None
    assert ubuntu.record.name == "ubuntu-2204-jammy-v20261020"
    glance = [
        openstack_records.image(
            {"id": "1", "name": "ubuntu-22.04", "os_distro": "ubuntu", "os_version": "22.04"}
        ),
        openstack_records.image(
            {
                "id": "2",
                "name": "Ubuntu 22.04 - Docker",
                "os_distro": "ubuntu",
                "os_version": "22.04",
                "architecture": "x86_64",
            }
        ),
    ]
    plain = match_image(glance, Spec(distro="ubuntu"))
    assert plain.record is not None
    assert plain.record.id == "1", "the plain image before an app variant"
    assert "arch not stated (assumed x86_64)" in plain.reason


# --------------------------------------------------------------- strategy


def aws_subnet(sid: str, zone: str, default: bool, public: bool) -> Network:
    return aws_records.subnet(
        {
            "SubnetId": sid,
            "VpcId": "vpc-1",
            "CidrBlock": "172.31.0.0/20",
            "AvailabilityZone": zone,
            "DefaultForAz": default,
            "MapPublicIpOnLaunch": public,
        }
    )


def os_net(
    name: str, cidrs: tuple[str, ...], external: bool = False, shared: bool = False
) -> Network:
    subnets = {f"{name}-{i}": {"cidr": c} for i, c in enumerate(cidrs)}
    return openstack_records.network(
        {
            "id": name,
            "name": name,
            "router:external": external,
            "shared": shared,
            "subnets": list(subnets),
        },
        subnets,
    )


def os_router(name: str, ext: str) -> Router:
    return openstack_records.router(
        {
            "id": name,
            "name": name,
            "status": "ACTIVE",
            "external_gateway_info": {"network_id": ext},
        },
        {ext: ext},
    )


@pytest.mark.parametrize(
    ("s", "strategy", "verdict", "reason"),
    [
        (
            site("aws", networks=[aws_subnet("subnet-a", "eu-west-1a", True, True)]),
            PublicIpStrategy.AUTO_ASSIGN,
            Verdict.YES,
            "auto-assign: default subnets map a public IPv4 at launch (1 of 1 subnets)",
        ),
        (
            site("aws", networks=[aws_subnet("subnet-p", "eu-west-1a", False, False)]),
            PublicIpStrategy.FLOATING_IP,
            Verdict.NO,
            "needs an Elastic IP (allocate and attach): no subnet maps a public IPv4: an Elastic IP is needed",
        ),
        # realstack's topology: external `public` (not shared) + router1 from `private`
        (
            site(
                "openstack",
                networks=[
                    os_net("public", ("203.0.113.0/24",), external=True),
                    os_net("private", ("10.0.0.0/24",)),
                ],
                routers=[os_router("router1", "public")],
            ),
            PublicIpStrategy.FLOATING_IP,
            Verdict.NO,
            "needs a floating IP from `public` (allocate and attach): tenant networks reach `public` through a router",
        ),
        (
            site(
                "openstack",
                networks=[
                    os_net(
                        "Ext-Net",
                        ("198.51.100.0/24", "2001:db8:41::/64"),
                        external=True,
                        shared=True,
                    )
                ],
                routers=[],
                declared=("floating_ip_source: None",),
            ),
            PublicIpStrategy.DIRECT,
            Verdict.YES,
            "direct: `Ext-Net` is external with routable IPv4 (198.51.100.0/24): nodes attach to it directly; floating_ip_source: None",
        ),
        (
            site(
                "openstack",
                networks=[os_net("public-v6", ("2001:db8:42::/64",), external=True, shared=True)],
                routers=[],
            ),
            PublicIpStrategy.IPV6_ONLY,
            Verdict.PARTIAL,
            "IPv6 only: only `public-v6` is external and it is IPv6 (2001:db8:42::/64): no public IPv4",
        ),
        (
            site(
                "openstack",
                networks=[os_net("internal", ("10.50.0.0/16",), shared=True)],
                routers=[],
            ),
            PublicIpStrategy.NONE,
            Verdict.NO,
            "none: no external network; set overrides.jump_host to reach nodes",
        ),
        (
            site(
                "openstack",
                overrides={"jump_host": "ops@bastion"},
                networks=[os_net("internal", ("10.50.0.0/16",))],
                routers=[],
            ),
            PublicIpStrategy.NONE,
            Verdict.PARTIAL,
            "none: no external network; reached through jump host ops@bastion",
        ),
    ],
)
def test_public_address_strategy_from_topology(
    s: Site, strategy: PublicIpStrategy, verdict: Verdict, reason: str
) -> None:
    found = public_strategy(s)
    assert found is not None
    assert found.kind is strategy
    cells = {c.check: c for c in evaluate(s)[0]}
    assert (cells["5"].verdict, cells["5"].reason) == (verdict, reason)
    assert cells["5"].evidence is Evidence.INFERRED
    assert cells["5"].sources, "every inferred verdict names its records"
    assert cells["public-address"].value == str(strategy)


def test_declared_floating_ip_requirement_wins_over_a_flat_network() -> None:
    s = site(
        "openstack",
        networks=[os_net("ext", ("203.0.113.0/24",), external=True, shared=True)],
        routers=[],
        declared=("requires_floating_ip: true",),
    )
    strategy = public_strategy(s)
    assert strategy is not None
    assert strategy.kind is PublicIpStrategy.FLOATING_IP
    assert strategy.evidence is Evidence.DECLARED
    assert any(
        src.kind == "config" and src.field == "requires_floating_ip" for src in strategy.sources
    )


def test_unread_networks_are_unknown_not_no() -> None:
    s = Site(
        "c", "openstack", CloudSnapshot("c", "openstack", NOW, kind_at={ResourceKind.NODES: NOW})
    )
    cells = {c.check: c for c in evaluate(s)[0]}
    assert cells["5"].verdict is Verdict.UNKNOWN
    assert cells["2"].verdict is Verdict.UNKNOWN
    assert cells["3"].verdict is Verdict.UNKNOWN


def test_aws_network_pick_and_ambiguity() -> None:
    nets = [
        aws_subnet("subnet-b", "eu-west-1b", True, True),
        aws_subnet("subnet-a", "eu-west-1a", True, True),
    ]
    c = match_network(site("aws", networks=nets), PublicIpStrategy.AUTO_ASSIGN)
    assert c.record is not None
    assert c.record.id == "subnet-a"
    assert not c.ambiguous
    private = [
        aws_subnet("subnet-1", "eu-west-1a", False, False),
        aws_subnet("subnet-2", "eu-west-1b", False, False),
    ]
    amb = match_network(site("aws", networks=private), PublicIpStrategy.FLOATING_IP)
    assert amb.ambiguous
    assert "set overrides.network to choose" in amb.reason
    chosen = match_network(
        site("aws", {"network": "subnet-2"}, networks=private), PublicIpStrategy.FLOATING_IP
    )
    assert chosen.record is not None
    assert chosen.record.id == "subnet-2"
    assert not chosen.ambiguous
    wrong = match_network(
        site("aws", {"network": "subnet-9"}, networks=private), PublicIpStrategy.FLOATING_IP
    )
    assert wrong.record is None
    assert wrong.reason == "overrides.network 'subnet-9' is not among this site's networks"


def test_ssh_reachability_from_security_groups() -> None:
    def sg(name: str, open_: bool) -> SecurityGroup:
        return SecurityGroup(id=name, name=name, ssh_open=open_)

    closed = site("openstack", security_groups=[sg("default", False)])
    other = site("openstack", security_groups=[sg("default", False), sg("ssh", True)])
    opened = site("openstack", security_groups=[sg("default", True)])
    verdicts = [{c.check: c for c in evaluate(s)[0]}["ssh-open"] for s in (closed, other, opened)]
    assert [c.verdict for c in verdicts] == [Verdict.NO, Verdict.PARTIAL, Verdict.YES]
    assert verdicts[1].reason == "the `default` group blocks TCP 22; `ssh` opens it"


# -------------------------------------------------------------- scorecard


@pytest.fixture(scope="module")
def demo_scorecard() -> Any:
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import Poller
    from hybridtui.providers import CloudTarget, targets_for
    from hybridtui.settings import resolve_settings

    settings = resolve_settings(demo=True, config_path=None, offline=False, theme=None)
    targets = [
        CloudTarget(t.name, t.kind, t.config.replace(latency=0, jitter=0), t.region)
        for t in targets_for(settings.config)
    ]
    poller = Poller(targets, cache=None)
    try:
        snaps = {o.cloud: o.snapshot for o in poller.poll()}
    finally:
        poller.close()
    return build(
        [site_for(t, snaps[t.name]) for t in targets], Spec.parse("vcpus=2,ram_gb=4,image=debian")
    )


def test_demo_scorecard_shows_the_real_differences(demo_scorecard: Any) -> None:
    sc = demo_scorecard
    v = {(c, s): sc.cell(c, s).verdict for c in sc.clouds for s in ("5", "6", "8")}
    assert v[("aws-eu-west-1", "5")] is Verdict.YES
    assert v[("gce-europe-west1", "5")] is Verdict.YES
    assert v[("os-fip-fra", "5")] is Verdict.NO
    assert sc.cell("os-fip-fra", "5").reason.startswith("needs a floating IP from `ext-net`")
    assert v[("os-public-gra", "5")] is Verdict.YES
    assert v[("os-v6-zrh", "5")] is Verdict.PARTIAL
    assert sc.cell("os-private-dc1", "5").reason.startswith(
        "none: no external network; reached through jump host"
    )
    assert sc.cell("aws-eu-west-1", "6").reason.startswith("account depends on image: ")
    assert v[("gce-europe-west1", "8")] is Verdict.YES
    assert v[("aws-eu-west-1", "8")] is Verdict.PARTIAL
    # Debian logs in as admin on AWS and as debian on OpenStack
    assert sc.cell("aws-eu-west-1", "login:debian").value == "admin"
    assert sc.cell("os-fip-fra", "login:debian").value == "debian"
    assert sc.cell("os-fip-fra", "login:centos").value == "cloud-user"
    assert sc.cell("aws-eu-west-1", "login:centos").value == "centos"
    assert sc.pair("aws-eu-west-1", "os-fip-fra").text == (
        "aws-eu-west-1 ↔ os-fip-fra: 6/8 steps behave the same; differ at 5, 6"
    )
    assert sc.score("gce-europe-west1") > sc.score("os-fip-fra")
    for cloud in sc.clouds:
        for check in sc.checks:
            cell = sc.cell(cloud, check.id)
            if (
                cell is not None
                and cell.evidence is Evidence.INFERRED
                and cell.verdict is not Verdict.UNKNOWN
            ):
                assert cell.sources, (cloud, check.id)
                assert cell.observed_at > 0


def test_demo_equivalence_per_cloud(demo_scorecard: Any) -> None:
    m = dict(demo_scorecard.matches)
    private = m.pop("os-private-dc1")
    assert private.image.record is None
    assert private.image.reason == "no debian images; this site has: centos, rhel, ubuntu"
    assert demo_scorecard.cell("os-private-dc1", "3").verdict is Verdict.NO
    for cloud, match in m.items():
        assert match.complete, (cloud, match)
        flavor, image = match.flavor.record, match.image.record
        assert flavor.vcpus >= 2
        assert flavor.ram_mb >= 4096
        assert (image.distro, image.version) == ("debian", "12"), (cloud, image.name)
        assert not flavor.arch or not image.arch or flavor.arch == image.arch
    assert m["aws-eu-west-1"].network.record.name == "default-eu-west-1a"
    assert m["os-fip-fra"].network.record.name == "default-network"
    assert m["os-public-gra"].network.record.name == "Ext-Net"


def test_a_measured_cell_wins_over_declared_and_inferred(demo_scorecard: Any) -> None:
    from hybridtui.interop.model import Cell

    measured = Cell(
        "os-fip-fra",
        "5",
        Verdict.YES,
        "floating IP attached in 4.2 s",
        Evidence.MEASURED,
        NOW,
        "floating-ip",
    )
    ignored = Cell("os-fip-fra", "6", Verdict.NO, "not measured", Evidence.INFERRED, NOW)
    card = demo_scorecard.with_measured([measured, ignored])
    assert card.cell("os-fip-fra", "5") == measured
    assert card.cell("os-fip-fra", "6") == demo_scorecard.cell("os-fip-fra", "6"), (
        "only measured cells replace"
    )
    assert card.score("os-fip-fra") == demo_scorecard.score("os-fip-fra") + 1


def test_the_comparator_and_leftovers_read_node_records_without_keeping_them_decoded() -> None:
    """A refresh keeps each provider record as JSON text; the comparator reads
    a field or two of every node (GCE metadata, access configs) and leftovers
    look for hybridtui's tag on every node, on each run. Neither may leave the
    records decoded in memory: 100,000 of them undid the saving."""
    from conftest import make_settings, sim_cloud

    from hybridtui.domain import RawRecord
    from hybridtui.interop.site import site_for
    from hybridtui.inventory.poller import Poller
    from hybridtui.providers import targets_for
    from hybridtui.provisioning.cleanup import is_ours

    clouds = [sim_cloud("gce", "gce-access-config"), sim_cloud("aws", "aws-default-vpc")]
    ts = targets_for(make_settings(clouds).config)
    poller = Poller(ts)
    outcomes = {o.cloud: o for o in poller.poll()}
    for t in ts:
        snap = outcomes[t.name].snapshot
        assert snap is not None
        nodes = snap.nodes
        assert nodes
        assert all(isinstance(n.raw, RawRecord) for n in nodes)
        cells, _ = evaluate(site_for(t, snap))
        assert cells
        assert not any(is_ours(n) for n in nodes)  # the demo's own nodes are not ours
        assert not [n.name for n in nodes if n.raw.is_decoded]  # type: ignore[attr-defined]
    gce = outcomes["gce"].snapshot
    assert gce is not None
    assert "networkInterfaces" in gce.nodes[0].raw, "the record is still all there when read"
    poller.close()
