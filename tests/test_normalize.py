"""Image names and architectures as the real clouds spell them → distro, release, arch.

The names are the ones the peers serve (moto's AMIs and `tests/peers/moto_ec2.py`,
the GCE peer's families, Glance names of real OpenStack sites): the first review
found Ubuntu 24.04 AMIs reported as version 3 (from `gp3`).
"""

from __future__ import annotations

import pytest

from hybridtui.config import SimulatorCloud
from hybridtui.domain import AddressKind, NodeState
from hybridtui.providers.aws import records as aws_records
from hybridtui.providers.gce import records as gce_records
from hybridtui.providers.normalize import arch, arch_in_name, guess_distro
from hybridtui.providers.openstack import records as openstack_records
from hybridtui.providers.simulator.profiles import PROFILES, public_pool
from hybridtui.providers.simulator.provider import SimulatorProvider


@pytest.mark.parametrize(
    ("name", "distro", "version"),
    [
        # AWS (moto's catalogue and the well-known owners' series)
        ("ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20261101", "ubuntu", "24.04"),
        ("ubuntu/images/hvm-ssd/ubuntu-trusty-14.04-amd64-server-20170727", "ubuntu", "14.04"),
        (
            "ubuntu-minimal/images-testing/hvm-ssd/ubuntu-oracular-daily-amd64-minimal-20261101",
            "ubuntu",
            "24.10",
        ),
        ("Deep Learning AMI Ubuntu Linux - 2.4_Oct2017", "ubuntu", ""),
        ("al2023-ami-2023.6.20240101.0-kernel-6.1-x86_64", "amazon", "2023"),
        ("amzn2-ami-kernel-5.10-hvm-2.0.20240101.0-x86_64-gp2", "amazon", "2"),
        ("amzn-ami-hvm-2017.09.1.20171103-x86_64-gp2", "amazon", "2017.09"),
        ("debian-12-amd64-20240101-1925", "debian", "12"),
        ("RHEL-9.4.0_HVM-20240101-x86_64-82-Hourly2-GP3", "rhel", "9.4"),
        ("RHEL-7.4_HVM_GA-20170808-x86_64-2-Hourly2-GP2", "rhel", "7.4"),
        ("CentOS Stream 9 x86_64 20240101", "centos", "9"),
        ("Fedora-Cloud-Base-AmazonEC2.x86_64-41-20240101.0", "fedora", "41"),
        ("fedora-coreos-40.20240906.3.0-hvm.x86_64", "fedora-coreos", "40"),
        ("suse-sles-15-sp6-v20240101-hvm-ssd-x86_64", "suse", "15.6"),
        ("Flatcar-stable-3975.2.1-hvm", "flatcar", "3975"),
        ("bitnami-wordpress-6.6.2-r20240101-linux-debian-12-x86_64-hvm-ebs", "debian", "12"),
        # GCE public image families
        ("debian-12-bookworm-v20261001", "debian", "12"),
        ("ubuntu-2404-noble-amd64-v20261028", "ubuntu", "24.04"),
        ("ubuntu-2204-jammy-v20261020", "ubuntu", "22.04"),
        ("rhel-9-v20261014", "rhel", "9"),
        ("centos-stream-9-v20261014", "centos", "9"),
        ("fedora-coreos-40-20261012-3-0-gcp-x86-64", "fedora-coreos", "40"),
        ("cos-stable-117-18613-0-79", "cos", "117"),
        ("sles-15-sp6-v20240101-x86-64", "suse", "15.6"),
        ("windows-server-2022-dc-v20240101", "windows", "2022"),
        # Glance names of OpenStack sites
        ("Ubuntu 24.04 Noble Numbat 20240101", "ubuntu", "24.04"),
        ("Debian 12 Bookworm", "debian", "12"),
        ("Rocky Linux 9.4 20240101", "rocky", "9.4"),
        ("AlmaLinux 9.4 20240101", "almalinux", "9.4"),
        ("Fedora CoreOS 40 stable 20240101", "fedora-coreos", "40"),
        ("openSUSE Leap 15.6", "opensuse", "15.6"),
        ("CirrOS 0.6.2", "cirros", "0.6.2"),
        ("centos-7-legacy-20240101", "centos", "7"),
    ],
)
def test_release_from_image_name(name: str, distro: str, version: str) -> None:
    assert guess_distro(name) == (distro, version)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("x86_64", "x86_64"),
        ("X86_64", "x86_64"),
        ("amd64", "x86_64"),
        ("aarch64", "arm64"),
        ("ARM64", "arm64"),
        ("", ""),
        (None, ""),
        ("sparc", ""),
    ],
)
def test_architecture_spellings(value: object, expected: str) -> None:
    assert arch(value) == expected


def test_architecture_in_names() -> None:
    assert arch_in_name("debian-12-arm64-20240101-1925") == "arm64"
    assert arch_in_name("fedora-coreos-40-20261012-3-0-gcp-x86-64") == "x86_64"
    assert arch_in_name("Ubuntu 24.04") == ""


def test_records_carry_architecture_and_gpus() -> None:
    ami = aws_records.image(
        {
            "ImageId": "ami-1",
            "Name": "al2022-ami-2022.0.20220728.1-kernel-5.15-arm64",
            "OwnerId": "137112412989",
            "Architecture": "arm64",
        }
    )
    assert (ami.distro, ami.version, ami.arch) == ("amazon", "2022", "arm64")
    t4g = aws_records.flavor(
        {
            "InstanceType": "t4g.nano",
            "VCpuInfo": {"DefaultVCpus": 2},
            "MemoryInfo": {"SizeInMiB": 512},
            "ProcessorInfo": {"SupportedArchitectures": ["arm64"]},
        }
    )
    assert t4g.arch == "arm64"
    both = aws_records.flavor(
        {
            "InstanceType": "t2.micro",
            "ProcessorInfo": {"SupportedArchitectures": ["i386", "x86_64"]},
        }
    )
    assert both.arch == "x86_64"
    g5 = aws_records.flavor({"InstanceType": "g5.xlarge", "GpuInfo": {"Gpus": [{"Count": 1}]}})
    assert g5.gpus == 1
    t2a = gce_records.flavor({"name": "t2a-standard-2", "guestCpus": 2, "memoryMb": 8192})
    assert t2a.arch == "arm64"
    a2 = gce_records.flavor(
        {
            "name": "a2-highgpu-1g",
            "architecture": "X86_64",
            "accelerators": [
                {"guestAcceleratorType": "nvidia-tesla-a100", "guestAcceleratorCount": 1}
            ],
        }
    )
    assert (a2.arch, a2.gpus) == ("x86_64", 1)
    glance = openstack_records.image({"id": "i", "name": "Ubuntu 24.04", "architecture": "aarch64"})
    assert glance.arch == "arm64"
    gpu = openstack_records.flavor(
        {
            "id": "f",
            "name": "g1.a100",
            "vcpus": 8,
            "ram": 65536,
            "extra_specs": {"pci_passthrough:alias": "a100:2"},
        }
    )
    assert (gpu.arch, gpu.gpus) == ("", 2)


def _demo(profile: str) -> SimulatorProvider:
    return SimulatorProvider(
        "c", SimulatorCloud(name="c", kind="simulator", profile=profile, latency=0, jitter=0)
    )


def test_demo_nodes_boot_images_of_their_types_architecture() -> None:
    p = _demo("aws-default-vpc")
    flavors = {f.name: f for f in p.list_flavors()}
    # every AMI the nodes run: the listing has only the newest of each series
    images = {i.name: i for i in p._world.images}  # type: ignore[attr-defined]
    pairs = [(flavors[n.flavor].arch, images[n.image].arch) for n in p.list_nodes()]
    assert any(f == "arm64" for f, _ in pairs)
    assert all(f == i for f, i in pairs), pairs


def test_demo_aws_nodes_sit_on_their_zones_subnet() -> None:
    p = _demo("aws-default-vpc")
    subnets = {n.name: n for n in p.list_networks()}
    for node in p.list_nodes():
        fixed = next(a for a in node.addresses if a.kind is AddressKind.FIXED)
        assert subnets[fixed.network].zone == node.zone


def test_demo_stopping_releases_ephemeral_public_addresses() -> None:
    for profile in ("aws-default-vpc", "gce-access-config"):
        p = _demo(profile)
        for _ in range(30):  # the world flips one node per poll
            for node in p.list_nodes():
                if node.state is NodeState.STOPPED:
                    assert not any(a.kind is AddressKind.PUBLIC for a in node.addresses), node
                    assert node.raw.get("PublicIpAddress") is None
                if node.state is NodeState.RUNNING and profile == "aws-default-vpc":
                    assert node.public_ip, node


def test_demo_profiles_never_share_a_public_address() -> None:
    seen: dict[str, str] = {}
    for key, profile in PROFILES.items():
        if profile.behaviour.public_ip.value in ("none", "ipv6-only"):
            continue
        for ip in public_pool(profile):
            assert ip not in seen, (ip, key, seen.get(ip))
            seen[ip] = key
