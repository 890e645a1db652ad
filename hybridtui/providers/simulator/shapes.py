"""How each platform's API shapes what a demo world holds: a node's record
as EC2, Compute or Nova returns it (and what GCE's adapter reads of its
keys), a key pair's fingerprint as each cloud computes it, and the security
groups (firewall rules) and routers (internet gateways, route tables) a fresh
account starts with.
The world (`world.py`) decides what exists; this says what it looks like.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Callable
from typing import Any

from hybridtui.domain import (
    Address,
    AddressKind,
    Image,
    Network,
    NodeSpec,
    NodeState,
    PublicIpStrategy,
    Router,
    SecurityGroup,
)
from hybridtui.providers.aws import records as aws_records
from hybridtui.providers.gce import records as gce_records
from hybridtui.providers.openstack import records as openstack_records
from hybridtui.providers.simulator.profiles import DemoProfile

STATE_WORDS: dict[str, dict[NodeState, str]] = {
    "aws": {
        NodeState.RUNNING: "running",
        NodeState.STOPPED: "stopped",
        NodeState.BUILDING: "pending",
        NodeState.ERROR: "running",
    },
    "gce": {
        NodeState.RUNNING: "RUNNING",
        NodeState.STOPPED: "TERMINATED",
        NodeState.BUILDING: "STAGING",
        NodeState.ERROR: "REPAIRING",
    },
    "openstack": {
        NodeState.RUNNING: "ACTIVE",
        NodeState.STOPPED: "SHUTOFF",
        NodeState.BUILDING: "BUILD",
        NodeState.ERROR: "ERROR",
        NodeState.SHELVED: "SHELVED_OFFLOADED",
    },
}


#: EC2's instance state codes (the low byte of `State.Code`).
_AWS_STATE_CODES = {
    "pending": 0,
    "running": 16,
    "shutting-down": 32,
    "terminated": 48,
    "stopping": 64,
    "stopped": 80,
}


def aws_state(word: str) -> dict[str, Any]:
    """`State` as DescribeInstances gives it: the name and its code."""
    return {"Name": word, "Code": _AWS_STATE_CODES.get(word, 16)}


def node_record(
    profile: DemoProfile,
    node_id: str,
    spec: NodeSpec,
    state: NodeState,
    zone: str,
    image: Image,
    addrs: list[Address],
    created: str,
    gce_key_line: Callable[[str], str],
) -> dict[str, Any]:
    """A node's record as its platform's API returns it (EC2, Compute, Nova)."""
    word = STATE_WORDS[profile.style].get(state, "UNKNOWN")
    public = next((a.ip for a in addrs if a.kind is not AddressKind.FIXED and a.version == 4), None)
    private = next((a.ip for a in addrs if a.kind is AddressKind.FIXED), None)
    if profile.style == "aws":
        # EC2 leaves out what an instance does not have (no public IP, no key)
        return {
            "InstanceId": node_id,
            "InstanceType": spec.flavor,
            "ImageId": image.id,
            "State": aws_state(word),
            **({"PublicIpAddress": public} if public else {}),
            **({"PrivateIpAddress": private} if private else {}),
            **({"KeyName": spec.key_name} if spec.key_name else {}),
            "Placement": {"AvailabilityZone": zone},
            "LaunchTime": created,
            "Tags": [
                {"Key": "Name", "Value": spec.name},
                *({"Key": k, "Value": v} for k, v in spec.tags.items()),
            ],
        }
    if profile.style == "gce":
        nic: dict[str, Any] = {"network": "global/networks/default", "networkIP": private}
        if public or spec.public_ip:  # a stopped node keeps its access config, not its IP
            nat = {"natIP": public} if public else {}
            nic["accessConfigs"] = [{"type": "ONE_TO_ONE_NAT", "name": "External NAT", **nat}]
        return {
            "kind": "compute#instance",
            "id": node_id,
            "name": spec.name,
            "status": word,
            "zone": zone,
            "machineType": f"zones/{zone}/machineTypes/{spec.flavor}",
            "networkInterfaces": [nic],
            "labels": dict(spec.tags),
            "creationTimestamp": created,
            "metadata": {"items": [{"key": "ssh-keys", "value": gce_key_line(spec.key_name)}]},
        }
    nets: dict[str, list[dict[str, Any]]] = {}
    for a in addrs:
        nets.setdefault(
            a.network if a.kind is not AddressKind.FLOATING else profile.node_network, []
        ).append(
            {
                "addr": a.ip,
                "version": a.version,
                "OS-EXT-IPS:type": "floating" if a.kind is AddressKind.FLOATING else "fixed",
            }
        )
    return {
        "id": node_id,
        "name": spec.name,
        "status": word,
        "flavor": {"original_name": spec.flavor},
        "image": {"id": image.id},
        "key_name": spec.key_name,
        "addresses": nets,
        "OS-EXT-AZ:availability_zone": zone,
        "created": created,
        "metadata": dict(spec.tags),
    }


def security_groups(
    profile: DemoProfile, networks: list[Network], stable_id: Callable[[str, str], str]
) -> list[SecurityGroup]:
    """What each real cloud starts with (cloud-facts §3.1 "SSH reachability"),
    as its API returns the rules, read by that cloud's adapter: the rule
    counts and "SSH open" are worked out as on a real account."""
    style = profile.style
    if style == "aws":
        return _aws_groups(networks, stable_id)
    if style == "gce":
        return _gce_firewalls(stable_id)
    return _neutron_groups(stable_id)


def _aws_groups(
    networks: list[Network], stable_id: Callable[[str, str], str]
) -> list[SecurityGroup]:
    """The default VPC's default group admits only its own members; the
    console's launch wizard opens SSH to the world; a web group opens 80/443."""
    vpc = next((n.id for n in networks if n.raw.get("IsDefault")), "")

    def tcp(port: int) -> dict[str, Any]:
        return {
            "IpProtocol": "tcp",
            "FromPort": port,
            "ToPort": port,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        }

    out = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    groups = [
        ("default", "default VPC security group", None),
        ("launch-wizard-1", "launch-wizard-1 created 2026-03-02T09:14:07.000Z", [tcp(22)]),
        ("web-prod", "HTTP/HTTPS", [tcp(80), tcp(443)]),
    ]
    records = []
    for name, description, ingress in groups:
        gid = stable_id(f"sg-{name}", "sg")
        self_only = [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": gid}]}]
        records.append(
            aws_records.security_group(
                {
                    "GroupId": gid,
                    "GroupName": name,
                    "Description": description,
                    "VpcId": vpc,
                    "IpPermissions": self_only if ingress is None else ingress,
                    "IpPermissionsEgress": out,
                }
            )
        )
    return records


def _gce_firewalls(stable_id: Callable[[str, str], str]) -> list[SecurityGroup]:
    """The auto-mode default network's firewall rules, as a new project has them."""
    rules: list[tuple[str, str, str, list[dict[str, Any]]]] = [
        ("default-allow-ssh", "Allow SSH from anywhere", "0.0.0.0/0", [_gce_allow("tcp", "22")]),
        ("default-allow-icmp", "Allow ICMP from anywhere", "0.0.0.0/0", [_gce_allow("icmp")]),
        (
            "default-allow-internal",
            "Allow internal traffic on the default network",
            "10.128.0.0/9",
            [_gce_allow("tcp", "0-65535"), _gce_allow("udp", "0-65535"), _gce_allow("icmp")],
        ),
    ]
    return [
        gce_records.firewall(
            {
                "kind": "compute#firewall",
                "id": stable_id(f"sg-{name}", "sg"),
                "name": name,
                "description": description,
                "network": "global/networks/default",
                "priority": 65534,
                "direction": "INGRESS",
                "sourceRanges": [source],
                "allowed": allowed,
            }
        )
        for name, description, source, allowed in rules
    ]


def _gce_allow(protocol: str, ports: str = "") -> dict[str, Any]:
    return {"IPProtocol": protocol, **({"ports": [ports]} if ports else {})}


def _neutron_groups(stable_id: Callable[[str, str], str]) -> list[SecurityGroup]:
    """Neutron's default group admits its members only; every new group gets
    the two egress rules; the `ssh` group adds TCP 22 from anywhere."""

    def rule(direction: str, ethertype: str, **more: Any) -> dict[str, Any]:
        return {"direction": direction, "ethertype": ethertype, "protocol": None, **more}

    egress = [rule("egress", "IPv4"), rule("egress", "IPv6")]
    records = []
    for name, description in (("default", "Default security group"), ("ssh", "SSH from anywhere")):
        gid = stable_id(f"sg-{name}", "sg")
        ingress = (
            [rule("ingress", v, remote_group_id=gid) for v in ("IPv4", "IPv6")]
            if name == "default"
            else [
                rule(
                    "ingress",
                    "IPv4",
                    protocol="tcp",
                    port_range_min=22,
                    port_range_max=22,
                    remote_ip_prefix="0.0.0.0/0",
                )
            ]
        )
        records.append(
            openstack_records.security_group(
                {
                    "id": gid,
                    "name": name,
                    "description": description,
                    "security_group_rules": ingress + egress,
                }
            )
        )
    return records


def routers(
    profile: DemoProfile, networks: list[Network], stable_id: Callable[[str, str], str]
) -> list[Router]:
    if profile.style == "aws":
        return _aws_gateways(networks)
    if profile.behaviour.public_ip is not PublicIpStrategy.FLOATING_IP:
        return []
    ext = profile.public_network
    return [
        Router(
            id=stable_id("router1", "router"),
            name="router1",
            status="ACTIVE",
            external_network=ext,
            external_ips=("203.0.113.1",),
            raw={"name": "router1", "external_gateway_info": {"network": ext}},
        )
    ]


def _aws_gateways(networks: list[Network]) -> list[Router]:
    """The default VPC's internet gateway and route tables as EC2 returns
    them: the main table routes 0.0.0.0/0 to the gateway; a private VPC's
    table routes only inside the VPC."""
    vpcs = [n for n in networks if n.id.startswith("vpc-")]
    default = next((v for v in vpcs if v.raw.get("IsDefault")), None)
    records: list[Router] = []
    if default is not None:
        igw = f"igw-0{hashlib.md5(default.id.encode(), usedforsecurity=False).hexdigest()[:16]}"
        records.append(
            aws_records.internet_gateway(
                {
                    "InternetGatewayId": igw,
                    "Attachments": [{"State": "available", "VpcId": default.id}],
                    "Tags": [],
                }
            )
        )
    for vpc in vpcs:
        rtb = f"rtb-0{hashlib.md5(vpc.id.encode(), usedforsecurity=False).hexdigest()[:16]}"
        routes: list[dict[str, Any]] = [
            {"DestinationCidrBlock": vpc.cidrs[0], "GatewayId": "local", "State": "active"}
        ]
        if vpc is default:
            routes.append(
                {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": igw, "State": "active"}
            )
        records.append(
            aws_records.route_table(
                {
                    "RouteTableId": rtb,
                    "VpcId": vpc.id,
                    "Routes": routes,
                    "Associations": [{"Main": True, "RouteTableId": rtb}],
                }
            )
        )
    return records


def gce_keys(raw: dict[str, Any]) -> tuple[str, str]:
    """A GCE node's key and login account as the GCE adapter shows them from
    its ssh-keys lines: hybridtui's keys by their marker (GCE has no key
    objects, an operator's line names none), and the first line's user ("any,
    via ssh-keys metadata" when there is none)."""
    seen = gce_records.node(raw)
    return seen.key_name, seen.login_user


def key_fingerprint(public_key: str, style: str) -> str:
    """A key pair's fingerprint as the cloud computes it from the key itself,
    so it matches `ssh-keygen -l` on the operator's copy: EC2 gives an ed25519
    key's base64 SHA-256 digest, and an RSA key's MD5 (RFC 4716); Nova the
    MD5, colon-separated. A line that is not a key is hashed as text."""
    try:
        blob = base64.b64decode(public_key.split()[1], validate=True)
    except (IndexError, binascii.Error, ValueError):
        blob = public_key.encode()
    if style == "aws" and public_key.startswith("ssh-ed25519"):
        return base64.b64encode(hashlib.sha256(blob).digest()).decode()
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))
