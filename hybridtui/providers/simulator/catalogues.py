"""Catalogues of the demo clouds: flavors, images and networks named and sized
the way each real cloud names them (AWS instance families and AMI series, GCE
machine types and image families, OpenStack sites' own flavor and image names).
Seeded: the same seed gives the same catalogue."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from hybridtui.domain import Flavor, Image, Network
from hybridtui.providers.normalize import (
    guess_distro,
)
from hybridtui.providers.simulator.epoch import DEMO_EPOCH


def _dates(rng: random.Random, n: int, spread_days: int = 720) -> list[datetime]:
    """`n` release dates before the demo epoch, each on a day of its own: an
    image's name carries its day (`debian-12-bookworm-v20250415`), and two
    releases on one day were one name twice, which no GCE project can hold. A
    day already taken moves to the next free one; the random stream is the same."""
    taken: set[date] = set()
    out = []
    for _ in range(n):
        when = DEMO_EPOCH - timedelta(
            days=rng.randint(1, spread_days), minutes=rng.randint(0, 1439)
        )
        while when.date() in taken:
            when -= timedelta(days=1)
        taken.add(when.date())
        out.append(when)
    return sorted(out)


def _hexid(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _uuid(rng: random.Random) -> str:
    h = _hexid(rng, 32)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def _image(style: str, raw: dict[str, object]) -> Image:
    """An image as its cloud's API lists it, read by hybridtui's adapter for
    that cloud: what the demo shows is what the real listing would show."""
    if style == "aws":
        from hybridtui.providers.aws import records as aws_records

        return aws_records.image(raw)
    if style == "gce":
        from hybridtui.providers.gce import records as gce_records

        project = str(raw["selfLink"]).split("/projects/")[1].split("/")[0]
        return gce_records.image(raw, project)
    from hybridtui.providers.openstack import records as openstack_records

    return openstack_records.image(raw)


def _boot_disk_gb(name: str, big: int, small: int) -> int:
    """The boot disk an image's publisher sets: the RHEL family's are larger."""
    heavy = ("rhel", "centos", "rocky", "suse", "sles", "alma")
    return big if any(h in name.lower() for h in heavy) else small


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
    "nano": (2, 0.5),
    "micro": (2, 1),
    "small": (2, 2),
    "medium": (2, 4),
    "large": (2, 8),
    "xlarge": (4, 16),
    "2xlarge": (8, 32),
    "4xlarge": (16, 64),
    "8xlarge": (32, 128),
}
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
            gpu = (
                {"GpuInfo": {"Gpus": [{"Name": "A10G", "Manufacturer": "NVIDIA", "Count": 1}]}}
                if family == "g5"
                else {}
            )
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
                        **gpu,
                    },
                    arch="arm64" if "g" in family[1:] else "x86_64",
                    gpus=1 if gpu else 0,
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
            # the root device as the publisher registered it (Amazon Linux: xvda)
            root = "/dev/xvda" if "al20" in pattern or "amzn" in pattern else "/dev/sda1"
            snap = hashlib.md5(ami.encode(), usedforsecurity=False).hexdigest()[:16]
            out.append(
                _image(
                    "aws",
                    {
                        "ImageId": ami,
                        "Name": name,
                        "OwnerId": owner,
                        "Architecture": "arm64" if arch == "arm64" else "x86_64",
                        "CreationDate": when.isoformat(timespec="milliseconds").replace(
                            "+00:00", "Z"
                        ),
                        "RootDeviceType": "ebs",
                        "RootDeviceName": root,
                        "BlockDeviceMappings": [
                            {
                                "DeviceName": root,
                                "Ebs": {
                                    "DeleteOnTermination": True,
                                    "SnapshotId": f"snap-0{snap}",
                                    "VolumeSize": _boot_disk_gb(name, 10, 8),
                                    "VolumeType": "gp3" if "gp3" in name else "gp2",
                                    "Encrypted": False,
                                },
                            }
                        ],
                        "VirtualizationType": "hvm",
                        "Public": True,
                        "State": "available",
                    },
                )
            )
    return out


def _aws_networks(rng: random.Random) -> list[Network]:
    """EC2-shaped VPC and subnet records, normalized by the AWS adapter's own code."""
    from hybridtui.providers.aws import records as aws_records

    vpc = f"vpc-0{_hexid(rng, 16)}"
    out = [
        aws_records.vpc(
            {"VpcId": vpc, "CidrBlock": "172.31.0.0/16", "IsDefault": True, "State": "available"}
        )
    ]
    for i, az in enumerate(("eu-west-1a", "eu-west-1b", "eu-west-1c")):
        sid = f"subnet-0{_hexid(rng, 16)}"
        out.append(
            aws_records.subnet(
                {
                    "SubnetId": sid,
                    "VpcId": vpc,
                    "CidrBlock": f"172.31.{i * 16}.0/20",
                    "AvailabilityZone": az,
                    "DefaultForAz": True,
                    "MapPublicIpOnLaunch": True,
                }
            )
        )
    app_vpc = f"vpc-0{_hexid(rng, 16)}"
    out.append(
        aws_records.vpc(
            {
                "VpcId": app_vpc,
                "CidrBlock": "10.20.0.0/16",
                "IsDefault": False,
                "Tags": [{"Key": "Name", "Value": "prod-app"}],
            }
        )
    )
    for i, az in enumerate(("eu-west-1a", "eu-west-1b")):
        sid = f"subnet-0{_hexid(rng, 16)}"
        out.append(
            aws_records.subnet(
                {
                    "SubnetId": sid,
                    "VpcId": app_vpc,
                    "CidrBlock": f"10.20.{i}.0/24",
                    "AvailabilityZone": az,
                    "DefaultForAz": False,
                    "MapPublicIpOnLaunch": False,
                    "Tags": [{"Key": "Name", "Value": f"prod-app-private-{az[-1]}"}],
                }
            )
        )
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
    + [(f"t2a-standard-{n}", n, n * 4) for n in (1, 2, 4, 8)]
    + [
        ("n1-standard-1", 1, 3.75),
        ("n1-standard-2", 2, 7.5),
        ("n1-standard-4", 4, 15),
        ("f1-micro", 1, 0.6),
        ("g1-small", 1, 1.7),
    ]
)


def _gce_flavors(rng: random.Random) -> list[Flavor]:
    return [
        Flavor(
            id=str(1_000_000 + i),
            name=n,
            vcpus=c,
            ram_mb=int(m * 1024),
            raw={
                "kind": "compute#machineType",
                "name": n,
                "guestCpus": c,
                "memoryMb": int(m * 1024),
                "zone": "europe-west1-b",
                "isSharedCpu": n.startswith(("e2-m", "e2-s", "f1", "g1")),
                "architecture": "ARM64" if n.startswith("t2a-") else "X86_64",
            },
            arch="arm64" if n.startswith("t2a-") else "x86_64",
        )
        for i, (n, c, m) in enumerate(_GCE_TYPES)
    ]


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
            image_id = str(rng.randint(10**18, 10**19 - 1))
            img = _image(
                "gce",
                {
                    "kind": "compute#image",
                    "id": image_id,
                    "name": name,
                    "family": family,
                    "selfLink": f"https://www.googleapis.com/compute/v1/projects/{project}/global/images/{name}",
                    "status": "READY",
                    "architecture": "X86_64",
                    "creationTimestamp": when.isoformat(timespec="milliseconds"),
                    # int64 fields are strings in the REST API's JSON
                    "diskSizeGb": str(_boot_disk_gb(name, 20, 10)),
                },
            )
            out.append(img)
    return out


def _gce_networks(rng: random.Random) -> list[Network]:
    """GCE-shaped network and subnetwork records, normalized by the GCE adapter's code."""
    from hybridtui.providers.gce import records as gce_records

    out = [
        gce_records.network(
            {
                "kind": "compute#network",
                "id": str(rng.randint(10**18, 10**19 - 1)),
                "name": "default",
                "autoCreateSubnetworks": True,
            }
        )
    ]
    for region, cidr in (
        ("europe-west1", "10.132.0.0/20"),
        ("europe-west4", "10.164.0.0/20"),
        ("us-central1", "10.128.0.0/20"),
    ):
        out.append(
            gce_records.subnetwork(
                {
                    "kind": "compute#subnetwork",
                    "id": str(rng.randint(10**18, 10**19 - 1)),
                    "name": "default",
                    "region": f"regions/{region}",
                    "ipCidrRange": cidr,
                    "network": "global/networks/default",
                }
            )
        )
    # the custom-mode network the next subnetwork belongs to (its id is not
    # drawn from `rng`, so the records drawn after it stay as they were)
    prod_id = int(hashlib.md5(b"gce/prod-vpc", usedforsecurity=False).hexdigest(), 16)
    out.append(
        gce_records.network(
            {
                "kind": "compute#network",
                "id": str(10**18 + prod_id % (9 * 10**18)),
                "name": "prod-vpc",
                "autoCreateSubnetworks": False,
                "routingConfig": {"routingMode": "REGIONAL"},
            }
        )
    )
    out.append(
        gce_records.subnetwork(
            {
                "kind": "compute#subnetwork",
                "id": str(rng.randint(10**18, 10**19 - 1)),
                "name": "prod-europe-west1",
                "region": "regions/europe-west1",
                "ipCidrRange": "10.10.0.0/24",
                "privateIpGoogleAccess": True,
                "network": "global/networks/prod-vpc",
            }
        )
    )
    return out


# ------------------------------------------------------------- OpenStack-like


def _os_flavors(names: list[tuple[str, int, int, int]]) -> Callable[[random.Random], list[Flavor]]:
    def make(rng: random.Random) -> list[Flavor]:
        return [
            Flavor(
                id=_uuid(rng),
                name=n,
                vcpus=c,
                ram_mb=m,
                disk_gb=d,
                raw={
                    "name": n,
                    "vcpus": c,
                    "ram": m,
                    "disk": d,
                    "OS-FLV-EXT-DATA:ephemeral": 0,
                    "os-flavor-access:is_public": True,
                    "rxtx_factor": 1.0,
                },
            )
            for n, c, m, d in names
        ]

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
                img = _image(
                    "openstack",
                    {
                        "id": iid,
                        "name": name,
                        "status": "active",
                        "visibility": "public",
                        "disk_format": rng.choice(["qcow2", "raw"]),
                        "container_format": "bare",
                        "min_disk": rng.choice([8, 10, 20]),
                        "os_distro": distro,
                        "os_version": version,
                        **({"architecture": "x86_64"} if distro != "cirros" else {}),
                        "created_at": when.isoformat(timespec="seconds").replace("+00:00", "Z"),
                    },
                )
                out.append(img)
        return out

    return make


def _os_networks(specs: list[dict[str, object]]) -> Callable[[random.Random], list[Network]]:
    """Neutron-shaped network records (with their subnets), normalized by the
    OpenStack adapter's own code."""

    def make(rng: random.Random) -> list[Network]:
        from hybridtui.providers.openstack import records as openstack_records

        out = []
        for spec in specs:
            nid = _uuid(rng)
            cidrs = list(spec.get("cidrs", ()))  # type: ignore[call-overload]
            subnets = {_uuid(rng): {"cidr": c} for c in cidrs}
            kind = spec.get("type", "vxlan")
            raw = {
                "id": nid,
                "name": spec["name"],
                "router:external": bool(spec.get("external")),
                "shared": bool(spec.get("shared")),
                "status": "ACTIVE",
                "subnets": list(subnets),
                "provider:network_type": kind,
                "mtu": 1450 if kind == "vxlan" else 1500,
            }
            out.append(openstack_records.network(raw, subnets))
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
