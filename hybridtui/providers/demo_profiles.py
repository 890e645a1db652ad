"""The built-in demo clouds: six sites that differ the way real ones do.

Every fact here comes from `shared/cloud-facts.md` (§3.1, §3.2): AWS gives a
public IPv4 in the default subnet and the login depends on the AMI; GCE gives an
external IP only with an access config and any login name via metadata; OpenStack
sites need a floating IP, or give direct public IPv4, or IPv6 only, or nothing
(jump host). Names and counts are realistic and everything is seeded, so two
runs with the same seed show the same clouds.

Public addresses come from the documentation ranges (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32): they look real on a projector
and can never reach anybody's machine.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from hybridtui.domain import (
    Address,
    AddressKind,
    CloudBehaviour,
    Flavor,
    Image,
    Network,
    PublicIpStrategy,
)
from hybridtui.providers.normalize import guess_distro, login_user

#: Fixed "now" of the demo world, so generated dates never depend on the clock.
DEMO_EPOCH = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class DemoProfile:
    key: str
    title: str
    #: Which API's record shapes and state words the simulator speaks.
    style: str  # "aws" | "gce" | "openstack"
    zones: tuple[str, ...]
    behaviour: CloudBehaviour
    node_count: int
    flavors: Callable[[random.Random], list[Flavor]]
    images: Callable[[random.Random], list[Image]]
    networks: Callable[[random.Random], list[Network]]
    #: Network new nodes land on, and where public addresses come from.
    node_network: str
    public_network: str = ""


def _dates(rng: random.Random, n: int, spread_days: int = 720) -> list[datetime]:
    return sorted(
        (DEMO_EPOCH - timedelta(days=rng.randint(1, spread_days), minutes=rng.randint(0, 1439)))
        for _ in range(n)
    )


def _hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _uuid(rng: random.Random) -> str:
    h = _hexid(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _image(style: str, id_: str, name: str, when: datetime, raw: dict[str, object]) -> Image:
    distro, version = guess_distro(name)
    return Image(
        id=id_,
        name=name,
        distro=distro,
        version=version,
        login_user=login_user(distro, "aws" if style == "aws" else "openstack"),
        created_at=when.isoformat(timespec="seconds"),
        visibility="public",
        raw=raw,
    )


# ------------------------------------------------------------------- AWS-like

_AWS_FAMILIES = {
    "t3": ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"],
    "t3a": ["micro", "small", "medium", "large", "xlarge"],
    "t4g": ["nano", "micro", "small", "medium", "large"],
    "m6i": ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge"],
    "m7g": ["medium", "large", "xlarge", "2xlarge", "4xlarge"],
    "c6i": ["large", "xlarge", "2xlarge", "4xlarge"],
    "c7g": ["medium", "large", "xlarge", "2xlarge"],
    "r6i": ["large", "xlarge", "2xlarge", "4xlarge"],
    "r7g": ["medium", "large", "xlarge", "2xlarge"],
    "i4i": ["large", "xlarge"],
    "g5": ["xlarge", "2xlarge"],
}
_AWS_SIZE = {
    "nano": (2, 0.5), "micro": (2, 1), "small": (2, 2), "medium": (2, 4), "large": (2, 8),
    "xlarge": (4, 16), "2xlarge": (8, 32), "4xlarge": (16, 64), "8xlarge": (32, 128),
}  # fmt: skip
_AWS_MEM_FACTOR = {"c": 0.5, "r": 2.0, "t": 1.0, "m": 1.0, "i": 2.0, "g": 2.0}


def _aws_flavors(rng: random.Random) -> list[Flavor]:
    out = []
    for family, sizes in _AWS_FAMILIES.items():
        for size in sizes:
            vcpu, mem = _AWS_SIZE[size]
            if family.startswith("t") and size in ("nano", "micro", "small"):
                mem = {"nano": 0.5, "micro": 1, "small": 2}[size]
            else:
                mem = mem * _AWS_MEM_FACTOR[family[0]]
            name = f"{family}.{size}"
            out.append(
                Flavor(
                    id=name,
                    name=name,
                    vcpus=vcpu,
                    ram_mb=int(mem * 1024),
                    disk_gb=0,
                    raw={
                        "InstanceType": name,
                        "VCpuInfo": {"DefaultVCpus": vcpu},
                        "MemoryInfo": {"SizeInMiB": int(mem * 1024)},
                        "ProcessorInfo": {
                            "SupportedArchitectures": ["arm64" if "g" in family[1:] else "x86_64"]
                        },
                    },
                )
            )
    return out


_AWS_AMI_SERIES = [
    ("099720109477", "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-{arch}-server-{d}", 28),
    ("099720109477", "ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-{arch}-server-{d}", 26),
    ("099720109477", "ubuntu/images/hvm-ssd/ubuntu-focal-20.04-{arch}-server-{d}", 14),
    ("137112412989", "al2023-ami-2023.6.{d}.0-kernel-6.1-{arch}", 30),
    ("137112412989", "amzn2-ami-kernel-5.10-hvm-2.0.{d}.0-{arch}-gp2", 18),
    ("136693071363", "debian-12-{arch}-{d}-1925", 26),
    ("136693071363", "debian-11-{arch}-{d}-1810", 12),
    ("309956199498", "RHEL-9.4.0_HVM-{d}-{arch}-82-Hourly2-GP3", 16),
    ("309956199498", "RHEL-8.10.0_HVM-{d}-{arch}-4-Hourly2-GP3", 10),
    ("125523088429", "CentOS Stream 9 {arch} {d}", 14),
    ("125523088429", "Fedora-Cloud-Base-AmazonEC2.{arch}-41-{d}.0", 12),
    ("125523088429", "fedora-coreos-40.{d}.3.0-hvm.{arch}", 12),
    ("013907871322", "suse-sles-15-sp6-v{d}-hvm-ssd-{arch}", 10),
    ("075585003325", "Flatcar-stable-3975.2.{d}-hvm", 8),
    ("979382823631", "bitnami-wordpress-6.6.2-r{d}-linux-debian-12-{arch}-hvm-ebs", 8),
]


def _aws_images(rng: random.Random) -> list[Image]:
    out = []
    for owner, pattern, count in _AWS_AMI_SERIES:
        for when in _dates(rng, count):
            arch = rng.choice(["amd64", "arm64"]) if "{arch}" in pattern else ""
            if (
                "RHEL" in pattern
                or "Fedora" in pattern
                or "CentOS" in pattern
                or "al20" in pattern
                or "amzn" in pattern
            ):
                arch = {"amd64": "x86_64", "arm64": "arm64"}[arch or "amd64"]
            name = pattern.format(arch=arch, d=when.strftime("%Y%m%d"))
            ami = f"ami-0{_hexid(rng, 16)}"
            out.append(_image("aws", ami, name, when, {
                "ImageId": ami, "Name": name, "OwnerId": owner, "Architecture": arch or "x86_64",
                "CreationDate": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "RootDeviceType": "ebs", "VirtualizationType": "hvm", "Public": True, "State": "available",
            }))  # fmt: skip
    return out


def _aws_networks(rng: random.Random) -> list[Network]:
    vpc = f"vpc-0{_hexid(rng, 16)}"
    out = [Network(id=vpc, name="default VPC", external=False, cidrs=("172.31.0.0/16",),
                   raw={"VpcId": vpc, "CidrBlock": "172.31.0.0/16", "IsDefault": True, "State": "available"})]  # fmt: skip
    for i, az in enumerate(("eu-west-1a", "eu-west-1b", "eu-west-1c")):
        sid = f"subnet-0{_hexid(rng, 16)}"
        cidr = f"172.31.{i * 16}.0/20"
        out.append(Network(id=sid, name=f"default-{az}", cidrs=(cidr,), auto_public_ip=True, zone=az,
                           raw={"SubnetId": sid, "VpcId": vpc, "CidrBlock": cidr, "AvailabilityZone": az,
                                "DefaultForAz": True, "MapPublicIpOnLaunch": True}))  # fmt: skip
    app_vpc = f"vpc-0{_hexid(rng, 16)}"
    out.append(Network(id=app_vpc, name="prod-app", cidrs=("10.20.0.0/16",),
                       raw={"VpcId": app_vpc, "CidrBlock": "10.20.0.0/16", "IsDefault": False}))  # fmt: skip
    for i, az in enumerate(("eu-west-1a", "eu-west-1b")):
        sid = f"subnet-0{_hexid(rng, 16)}"
        cidr = f"10.20.{i}.0/24"
        out.append(Network(id=sid, name=f"prod-app-private-{az[-1]}", cidrs=(cidr,), zone=az,
                           raw={"SubnetId": sid, "VpcId": app_vpc, "CidrBlock": cidr, "AvailabilityZone": az,
                                "DefaultForAz": False, "MapPublicIpOnLaunch": False}))  # fmt: skip
    return out


# ------------------------------------------------------------------- GCE-like

_GCE_TYPES = (
    [("e2-micro", 2, 1), ("e2-small", 2, 2), ("e2-medium", 2, 4)]
    + [(f"e2-standard-{n}", n, n * 4) for n in (2, 4, 8, 16, 32)]
    + [(f"e2-highmem-{n}", n, n * 8) for n in (2, 4, 8, 16)]
    + [(f"n2-standard-{n}", n, n * 4) for n in (2, 4, 8, 16, 32, 48, 64, 80)]
    + [(f"n2-highcpu-{n}", n, n) for n in (2, 4, 8, 16, 32)]
    + [(f"n2d-standard-{n}", n, n * 4) for n in (2, 4, 8, 16)]
    + [(f"c3-standard-{n}", n, n * 4) for n in (4, 8, 22, 44)]
    + [(f"t2d-standard-{n}", n, n * 4) for n in (1, 2, 4, 8)]
    + [("n1-standard-1", 1, 3.75), ("n1-standard-2", 2, 7.5), ("n1-standard-4", 4, 15), ("f1-micro", 1, 0.6), ("g1-small", 1, 1.7)]
)  # fmt: skip


def _gce_flavors(rng: random.Random) -> list[Flavor]:
    return [
        Flavor(id=str(1_000_000 + i), name=n, vcpus=c, ram_mb=int(m * 1024),
               raw={"kind": "compute#machineType", "name": n, "guestCpus": c, "memoryMb": int(m * 1024),
                    "zone": "europe-west1-b", "isSharedCpu": n.startswith(("e2-m", "e2-s", "f1", "g1"))})
        for i, (n, c, m) in enumerate(_GCE_TYPES)
    ]  # fmt: skip


_GCE_FAMILIES = [
    ("debian-cloud", "debian-12-bookworm-v{d}", "debian-12", 24),
    ("debian-cloud", "debian-11-bullseye-v{d}", "debian-11", 14),
    ("ubuntu-os-cloud", "ubuntu-2404-noble-amd64-v{d}", "ubuntu-2404-lts-amd64", 24),
    ("ubuntu-os-cloud", "ubuntu-2204-jammy-v{d}", "ubuntu-2204-lts", 20),
    ("rhel-cloud", "rhel-9-v{d}", "rhel-9", 16),
    ("rhel-cloud", "rhel-8-v{d}", "rhel-8", 10),
    ("centos-cloud", "centos-stream-9-v{d}", "centos-stream-9", 16),
    ("rocky-linux-cloud", "rocky-linux-9-optimized-gcp-v{d}", "rocky-linux-9-optimized-gcp", 14),
    ("fedora-coreos-cloud", "fedora-coreos-40-{d}-3-0-gcp-x86-64", "fedora-coreos-stable", 14),
    ("cos-cloud", "cos-stable-117-18613-0-{d}", "cos-stable", 18),
    ("suse-cloud", "sles-15-sp6-v{d}-x86-64", "sles-15", 10),
    ("windows-cloud", "windows-server-2022-dc-v{d}", "windows-2022", 10),
]


def _gce_images(rng: random.Random) -> list[Image]:
    out = []
    for project, pattern, family, count in _GCE_FAMILIES:
        for when in _dates(rng, count):
            name = pattern.format(d=when.strftime("%Y%m%d"))
            img = _image("gce", str(rng.randint(10**18, 10**19 - 1)), name, when, {
                "kind": "compute#image", "name": name, "family": family,
                "selfLink": f"https://www.googleapis.com/compute/v1/projects/{project}/global/images/{name}",
                "status": "READY", "architecture": "X86_64",
                "creationTimestamp": when.isoformat(timespec="milliseconds"),
            })  # fmt: skip
            # GCE: no fixed account; the name is whatever goes into ssh-keys metadata.
            out.append(replace(img, login_user="(any, via metadata)"))
    return out


def _gce_networks(rng: random.Random) -> list[Network]:
    out = [Network(id=str(rng.randint(10**18, 10**19 - 1)), name="default", shared=False, cidrs=(),
                   raw={"kind": "compute#network", "name": "default", "autoCreateSubnetworks": True,
                        "firewallRules": ["default-allow-ssh", "default-allow-icmp", "default-allow-internal"]})]  # fmt: skip
    for region, cidr in (
        ("europe-west1", "10.132.0.0/20"),
        ("europe-west4", "10.164.0.0/20"),
        ("us-central1", "10.128.0.0/20"),
    ):
        out.append(Network(id=str(rng.randint(10**18, 10**19 - 1)), name=f"default/{region}", cidrs=(cidr,), zone=region,
                           raw={"kind": "compute#subnetwork", "name": "default", "region": region,
                                "ipCidrRange": cidr, "network": "default"}))  # fmt: skip
    out.append(Network(id=str(rng.randint(10**18, 10**19 - 1)), name="prod-vpc/europe-west1", cidrs=("10.10.0.0/24",), zone="europe-west1",
                       raw={"kind": "compute#subnetwork", "name": "prod-europe-west1", "ipCidrRange": "10.10.0.0/24",
                            "privateIpGoogleAccess": True, "network": "prod-vpc"}))  # fmt: skip
    return out


# ------------------------------------------------------------- OpenStack-like


def _os_flavors(names: list[tuple[str, int, int, int]]) -> Callable[[random.Random], list[Flavor]]:
    def make(rng: random.Random) -> list[Flavor]:
        return [
            Flavor(id=_uuid(rng), name=n, vcpus=c, ram_mb=m, disk_gb=d,
                   raw={"name": n, "vcpus": c, "ram": m, "disk": d, "OS-FLV-EXT-DATA:ephemeral": 0,
                        "os-flavor-access:is_public": True, "rxtx_factor": 1.0})
            for n, c, m, d in names
        ]  # fmt: skip

    return make


def _os_images(series: list[tuple[str, str, int]]) -> Callable[[random.Random], list[Image]]:
    """series: (name pattern with {d}, os_distro, count)."""

    def make(rng: random.Random) -> list[Image]:
        out = []
        for pattern, distro, count in series:
            for when in _dates(rng, count):
                name = pattern.format(d=when.strftime("%Y%m%d"))
                iid = _uuid(rng)
                _, version = guess_distro(name)
                img = _image("openstack", iid, name, when, {
                    "id": iid, "name": name, "status": "active", "visibility": "public",
                    "disk_format": rng.choice(["qcow2", "raw"]), "container_format": "bare",
                    "min_disk": rng.choice([8, 10, 20]), "os_distro": distro, "os_version": version,
                    "created_at": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
                })  # fmt: skip
                out.append(img)
        return out

    return make


def _os_networks(specs: list[dict[str, object]]) -> Callable[[random.Random], list[Network]]:
    def make(rng: random.Random) -> list[Network]:
        out = []
        for spec in specs:
            nid = _uuid(rng)
            cidrs = tuple(spec.get("cidrs", ()))  # type: ignore[call-overload]
            out.append(Network(
                id=nid, name=str(spec["name"]), external=bool(spec.get("external")), shared=bool(spec.get("shared")),
                cidrs=cidrs,
                raw={"id": nid, "name": spec["name"], "router:external": bool(spec.get("external")),
                     "shared": bool(spec.get("shared")), "status": "ACTIVE", "subnets": [_uuid(rng) for _ in cidrs],
                     "provider:network_type": spec.get("type", "vxlan"), "mtu": 1450 if spec.get("type", "vxlan") == "vxlan" else 1500},
            ))  # fmt: skip
        return out

    return make


_STD_OS_IMAGES = [
    ("Ubuntu 24.04 Noble Numbat {d}", "ubuntu", 14),
    ("Ubuntu 22.04 Jammy Jellyfish {d}", "ubuntu", 12),
    ("Debian 12 Bookworm {d}", "debian", 12),
    ("Debian 11 Bullseye {d}", "debian", 6),
    ("CentOS Stream 9 {d}", "centos", 10),
    ("Rocky Linux 9.4 {d}", "rocky", 10),
    ("AlmaLinux 9.4 {d}", "almalinux", 8),
    ("Fedora 41 Cloud Base {d}", "fedora", 8),
    ("Fedora CoreOS 40 stable {d}", "fedora-coreos", 6),
    ("openSUSE Leap 15.6 {d}", "opensuse", 5),
    ("Windows Server 2022 Standard {d}", "windows", 5),
    ("CirrOS 0.6.2 {d}", "cirros", 2),
]

_BEHAVIOUR_OPENSTACK_KEYS = "Nova keypair (key_name at boot)"

PROFILES: dict[str, DemoProfile] = {
    "aws-default-vpc": DemoProfile(
        key="aws-default-vpc",
        title="AWS-like region, default VPC (public IPv4 on launch)",
        style="aws",
        zones=("eu-west-1a", "eu-west-1b", "eu-west-1c"),
        behaviour=CloudBehaviour(
            public_ip=PublicIpStrategy.AUTO_ASSIGN,
            key_mechanism="EC2 key pair (ImportKeyPair → KeyName at launch)",
            live_key_update=False,
            login_users=("ubuntu", "ec2-user", "admin", "centos", "fedora", "core"),
            root_login=False,
            notes=(
                "default subnet: MapPublicIpOnLaunch=true",
                "public IPv4 billed $0.005/h since 2024-02",
            ),
        ),
        node_count=48,
        flavors=_aws_flavors,
        images=_aws_images,
        networks=_aws_networks,
        node_network="default-eu-west-1a",
    ),
    "gce-access-config": DemoProfile(
        key="gce-access-config",
        title="GCE-like zone (external IP only with an access config)",
        style="gce",
        zones=("europe-west1-b", "europe-west1-c", "europe-west1-d"),
        behaviour=CloudBehaviour(
            public_ip=PublicIpStrategy.ACCESS_CONFIG,
            key_mechanism="ssh-keys instance metadata (user:key google-ssh {expireOn})",
            live_key_update=True,
            login_users=("hybrid",),
            root_login=False,
            notes=("login name is chosen by us via metadata", "TERMINATED = stopped, restartable"),
        ),
        node_count=36,
        flavors=_gce_flavors,
        images=_gce_images,
        networks=_gce_networks,
        node_network="default/europe-west1",
    ),
    "openstack-floating-ip": DemoProfile(
        key="openstack-floating-ip",
        title="OpenStack, tenant network + router: public IPv4 only via floating IP",
        style="openstack",
        zones=("nova",),
        behaviour=CloudBehaviour(
            public_ip=PublicIpStrategy.FLOATING_IP,
            key_mechanism=_BEHAVIOUR_OPENSTACK_KEYS,
            live_key_update=False,
            login_users=("ubuntu", "debian", "cloud-user", "rocky", "almalinux", "fedora", "core"),
            root_login=False,
            notes=("requires_floating_ip: true", "CentOS/RHEL log in as cloud-user (cloud-init)"),
        ),
        node_count=30,
        flavors=_os_flavors(
            [
                (f"{c}C-{m}GB-{d}GB", c, m * 1024, d)
                for c, m, d in [
                    (1, 1, 20),
                    (1, 2, 20),
                    (2, 4, 50),
                    (2, 8, 50),
                    (4, 8, 50),
                    (4, 16, 100),
                    (8, 16, 100),
                    (8, 32, 100),
                    (16, 32, 200),
                    (16, 64, 200),
                    (32, 64, 400),
                    (32, 128, 400),
                ]
            ]
            + [
                (f"{c}C-{m}GB", c, m * 1024, 0)
                for c, m in [
                    (1, 1),
                    (1, 2),
                    (2, 4),
                    (2, 8),
                    (4, 8),
                    (4, 16),
                    (8, 16),
                    (8, 32),
                    (16, 64),
                    (32, 128),
                ]
            ]
        ),  # fmt: skip
        images=_os_images(_STD_OS_IMAGES),
        networks=_os_networks(
            [
                {
                    "name": "ext-net",
                    "external": True,
                    "shared": True,
                    "type": "flat",
                    "cidrs": ("203.0.113.0/24",),
                },
                {"name": "default-network", "cidrs": ("10.0.0.0/24",)},
                {"name": "db-backend", "cidrs": ("10.0.10.0/24",)},
            ]
        ),  # fmt: skip
        node_network="default-network",
        public_network="ext-net",
    ),
    "openstack-direct-ipv4": DemoProfile(
        key="openstack-direct-ipv4",
        title="OpenStack, provider network: direct public IPv4 (no floating IPs)",
        style="openstack",
        zones=("nova",),
        behaviour=CloudBehaviour(
            public_ip=PublicIpStrategy.DIRECT,
            key_mechanism=_BEHAVIOUR_OPENSTACK_KEYS,
            live_key_update=False,
            login_users=("ubuntu", "debian", "rocky", "almalinux", "centos", "fedora"),
            root_login=False,
            ipv6=True,
            notes=("floating_ip_source: None", "public IPv4 and IPv6 by DHCP on Ext-Net"),
        ),
        node_count=40,
        flavors=_os_flavors(
            [
                (f"b2-{m}", c, m * 1024, d)
                for c, m, d in [
                    (2, 7, 50),
                    (4, 15, 100),
                    (8, 30, 200),
                    (16, 60, 400),
                    (32, 120, 400),
                ]
            ]
            + [
                (f"c2-{m}", c, m * 1024, d)
                for c, m, d in [
                    (2, 7, 50),
                    (4, 15, 100),
                    (8, 30, 200),
                    (16, 60, 400),
                    (32, 120, 400),
                ]
            ]
            + [
                (f"r2-{m}", c, m * 1024, d)
                for c, m, d in [
                    (2, 15, 50),
                    (2, 30, 50),
                    (4, 60, 100),
                    (8, 120, 200),
                    (16, 240, 400),
                ]
            ]
            + [(f"d2-{m}", c, m * 1024, d) for c, m, d in [(1, 2, 25), (2, 4, 50), (4, 8, 50)]]
            + [(f"s1-{m}", c, m * 1024, d) for c, m, d in [(1, 2, 10), (1, 4, 20), (2, 8, 40)]]
            + [
                (f"b3-{m}", c, m * 1024, d)
                for c, m, d in [
                    (2, 8, 50),
                    (4, 16, 100),
                    (8, 32, 200),
                    (16, 64, 400),
                    (32, 128, 400),
                    (64, 256, 400),
                ]
            ]
            + [
                (f"t1-{m}", c, m * 1024, d)
                for c, m, d in [(8, 45, 400), (16, 90, 800), (32, 180, 800)]
            ]
            + [
                (f"win-b2-{m}", c, m * 1024, d)
                for c, m, d in [(2, 7, 50), (4, 15, 100), (8, 30, 200)]
            ]
        ),  # fmt: skip
        images=_os_images(
            [(p.replace(" {d}", ""), d, 1) for p, d, _ in _STD_OS_IMAGES]
            + [
                ("Ubuntu 24.04 - Docker {d}", "ubuntu", 12),
                ("Debian 12 - Docker {d}", "debian", 10),
                ("Ubuntu 22.04 - cPanel {d}", "ubuntu", 8),
                ("AlmaLinux 9 - Plesk {d}", "almalinux", 8),
                ("Debian 12 - GitLab {d}", "debian", 8),
                ("Ubuntu 24.04 - Kubernetes {d}", "ubuntu", 14),
                ("Rocky Linux 9 - Virtualmin {d}", "rocky", 6),
                ("Windows Server 2022 Datacenter {d}", "windows", 8),
                ("Ubuntu 22.04 - NVIDIA GPU {d}", "ubuntu", 10),
                ("Debian 12 - WordPress {d}", "debian", 8),
                ("Fedora 41 {d}", "fedora", 8),
                ("Ubuntu 24.04 {d}", "ubuntu", 20),
                ("Debian 12 {d}", "debian", 18),
            ]
        ),  # fmt: skip
        networks=_os_networks(
            [
                {
                    "name": "Ext-Net",
                    "external": True,
                    "shared": True,
                    "type": "flat",
                    "cidrs": ("198.51.100.0/24", "2001:db8:41::/64"),
                },
                {"name": "vrack-backend", "type": "vlan", "cidrs": ("10.1.0.0/16",)},
            ]
        ),  # fmt: skip
        node_network="Ext-Net",
        public_network="Ext-Net",
    ),
    "openstack-ipv6-only": DemoProfile(
        key="openstack-ipv6-only",
        title="OpenStack, public IPv6 only (IPv4 is private, no floating IPs)",
        style="openstack",
        zones=("nova",),
        behaviour=CloudBehaviour(
            public_ip=PublicIpStrategy.IPV6_ONLY,
            key_mechanism=_BEHAVIOUR_OPENSTACK_KEYS,
            live_key_update=False,
            login_users=("ubuntu", "debian", "cloud-user", "fedora"),
            root_login=False,
            ipv6=True,
            notes=("IPv6 is provided to every server", "IPv4 reachable only from inside"),
        ),
        node_count=18,
        flavors=_os_flavors(
            [
                (f"m1.{s}", c, m, d)
                for s, c, m, d in [
                    ("tiny", 1, 512, 1),
                    ("small", 1, 2048, 20),
                    ("medium", 2, 4096, 40),
                    ("large", 4, 8192, 80),
                    ("xlarge", 8, 16384, 160),
                ]
            ]
            + [
                (f"c1.{s}", c, m, 20)
                for s, c, m in [("large", 4, 4096), ("xlarge", 8, 8192), ("2xlarge", 16, 16384)]
            ]
            + [(f"r1.{s}", c, m, 40) for s, c, m in [("large", 2, 16384), ("xlarge", 4, 32768)]]
        ),  # fmt: skip
        images=_os_images([(p, d, max(1, n // 3)) for p, d, n in _STD_OS_IMAGES]),
        networks=_os_networks(
            [
                {
                    "name": "public-v6",
                    "external": True,
                    "shared": True,
                    "type": "flat",
                    "cidrs": ("2001:db8:42::/64",),
                },
                {"name": "private-v4", "shared": True, "cidrs": ("172.16.0.0/20",)},
            ]
        ),  # fmt: skip
        node_network="public-v6",
        public_network="public-v6",
    ),
    "openstack-private": DemoProfile(
        key="openstack-private",
        title="Private OpenStack in a data centre: no public address, reach nodes via a jump host",
        style="openstack",
        zones=("az-a", "az-b"),
        behaviour=CloudBehaviour(
            public_ip=PublicIpStrategy.NONE,
            key_mechanism=_BEHAVIOUR_OPENSTACK_KEYS,
            live_key_update=False,
            login_users=("cloud-user", "ubuntu", "centos"),
            root_login=False,
            needs_jump_host=True,
            notes=("no external network", "ssh -J bastion"),
        ),
        node_count=26,
        flavors=_os_flavors(
            [
                (f"std.{c}x{m}", c, m * 1024, 40)
                for c, m in [(1, 2), (2, 4), (2, 8), (4, 8), (4, 16), (8, 32), (16, 64)]
            ]
            + [(f"hm.{c}x{m}", c, m * 1024, 40) for c, m in [(4, 32), (8, 64), (16, 128)]]
        ),  # fmt: skip
        images=_os_images(
            [
                ("rhel-9.4-golden-{d}", "rhel", 8),
                ("rhel-8.10-golden-{d}", "rhel", 5),
                ("ubuntu-22.04-cis-{d}", "ubuntu", 6),
                ("centos-7-legacy-{d}", "centos", 2),
            ]
        ),  # fmt: skip
        networks=_os_networks(
            [
                {"name": "internal", "shared": True, "type": "vlan", "cidrs": ("10.50.0.0/16",)},
                {"name": "storage", "shared": True, "type": "vlan", "cidrs": ("10.60.0.0/16",)},
            ]
        ),  # fmt: skip
        node_network="internal",
    ),
}


def public_pool(profile: DemoProfile) -> list[str]:
    """Documentation-range addresses this profile hands out as public IPv4."""
    base = {"aws": "198.51.100", "gce": "192.0.2", "openstack": "203.0.113"}[profile.style]
    if profile.key == "openstack-direct-ipv4":
        base = "198.51.100"
    return [f"{base}.{i}" for i in range(2, 255)]


def address(ip: str, kind: AddressKind, network: str) -> Address:
    return Address(ip=ip, version=6 if ":" in ip else 4, kind=kind, network=network)
