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
from dataclasses import dataclass

from hybridtui.domain import (
    Address,
    AddressKind,
    CloudBehaviour,
    Flavor,
    Image,
    Network,
    PublicIpStrategy,
)
from hybridtui.providers.simulator.catalogues import (
    _STD_OS_IMAGES,
    _aws_flavors,
    _aws_images,
    _aws_networks,
    _gce_flavors,
    _gce_images,
    _gce_networks,
    _os_flavors,
    _os_images,
    _os_networks,
)


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
        ),
        images=_os_images(_STD_OS_IMAGES),
        networks=_os_networks(
            [
                {
                    "name": "ext-net",  # a floating-IP pool: external, not shared
                    "external": True,
                    "shared": False,
                    "type": "flat",
                    "cidrs": ("203.0.113.0/24",),
                },
                # a /20: room for the 2,000 nodes of the scale benches
                {"name": "default-network", "cidrs": ("10.0.0.0/20",)},
                {"name": "db-backend", "cidrs": ("10.0.16.0/24",)},
            ]
        ),
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
        ),
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
        ),
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
        ),
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
        ),
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
        ),
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
        ),
        images=_os_images(
            [
                ("rhel-9.4-golden-{d}", "rhel", 8),
                ("rhel-8.10-golden-{d}", "rhel", 5),
                ("ubuntu-22.04-cis-{d}", "ubuntu", 6),
                ("centos-7-legacy-{d}", "centos", 2),
            ]
        ),
        networks=_os_networks(
            [
                {"name": "internal", "shared": True, "type": "vlan", "cidrs": ("10.50.0.0/16",)},
                {"name": "storage", "shared": True, "type": "vlan", "cidrs": ("10.60.0.0/16",)},
            ]
        ),
        node_network="internal",
    ),
}


def public_pool(profile: DemoProfile) -> list[str]:
    """Documentation-range addresses this profile hands out as public IPv4;
    profiles never share one (the same address on two clouds reads as a bug)."""
    if profile.key == "openstack-direct-ipv4":
        return [f"198.51.100.{i}" for i in range(128, 255)]
    if profile.style == "aws":
        return [f"198.51.100.{i}" for i in range(2, 128)]
    base = {"gce": "192.0.2", "openstack": "203.0.113"}[profile.style]
    return [f"{base}.{i}" for i in range(2, 255)]


def address(ip: str, kind: AddressKind, network: str) -> Address:
    return Address(ip=ip, version=6 if ":" in ip else 4, kind=kind, network=network)
