"""How each platform's API shapes what a demo world holds: a node's record
as EC2, Compute or Nova returns it, and the security groups (firewall rules)
and routers (internet gateways, route tables) a fresh account starts with.
The world (`world.py`) decides what exists; this says what it looks like.
"""

from __future__ import annotations

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
        return {
            "InstanceId": node_id,
            "InstanceType": spec.flavor,
            "ImageId": image.id,
            "State": {
                "Name": word,
                "Code": {"running": 16, "stopped": 80, "pending": 0}.get(word, 16),
            },
            "PublicIpAddress": public,
            "PrivateIpAddress": private,
            "KeyName": spec.key_name,
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
    """What each real cloud starts with (cloud-facts §3.1 "SSH reachability")."""
    style = profile.style
    specs: list[tuple[str, str, bool, int]]
    if style == "aws":  # default group: only traffic from itself
        specs = [
            ("default", "default VPC security group", False, 2),
            ("launch-wizard-1", "SSH from anywhere (console wizard)", True, 2),
            ("web-prod", "HTTP/HTTPS", False, 3),
        ]
    elif style == "gce":  # the auto-mode default network's firewall rules
        specs = [
            ("default-allow-ssh", "tcp:22 from 0.0.0.0/0", True, 1),
            ("default-allow-icmp", "icmp from 0.0.0.0/0", False, 1),
            ("default-allow-internal", "all from 10.128.0.0/9", False, 3),
        ]
    else:  # Neutron's default group blocks inbound
        specs = [
            ("default", "Default security group", False, 4),
            ("ssh", "SSH from anywhere", True, 1),
        ]
    # AWS groups belong to a VPC, GCE rules to a network; Neutron groups to the project
    vpc = next((n.id for n in networks if n.raw.get("IsDefault")), "")
    network = {"aws": vpc, "gce": "default"}.get(style, "")
    return [
        SecurityGroup(
            id=stable_id(f"sg-{n}", "sg"),
            name=n,
            description=d,
            rules=r,
            ssh_open=o,
            network=network,
            raw={"name": n, "description": d},
        )
        for n, d, o, r in specs
    ]


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
