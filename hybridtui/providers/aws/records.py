"""EC2 API records (boto3 dicts) → domain records. Pure: no boto3 import, so it is
tested table-driven and shared by every code path that reads EC2."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from hybridtui.domain import (
    MANAGED_TAG,
    Address,
    AddressKind,
    CloudBehaviour,
    Flavor,
    Image,
    KeyPair,
    Network,
    Node,
    PublicAddress,
    PublicIpStrategy,
    Router,
    SecurityGroup,
    ssh_open,
)
from hybridtui.providers.normalize import (
    AWS_STATES,
    arch,
    arch_in_name,
    guess_distro,
    login_user,
    node_state,
)

#: Owners whose AMIs people actually launch (AWS's "find a Linux AMI" list),
#: with the name patterns of their main series. Listing these instead of the whole
#: public catalogue is the difference between ~100 images and ~100,000.
WELL_KNOWN_OWNERS: dict[str, tuple[str, ...]] = {
    "099720109477": ("ubuntu/images/*ubuntu-*-server-*",),  # Canonical
    "137112412989": ("al2023-ami-2023*", "amzn2-ami-kernel-*"),  # Amazon Linux
    "136693071363": ("debian-1*",),  # Debian
    "309956199498": ("RHEL-*",),  # Red Hat
    "125523088429": ("CentOS Stream *", "Fedora-Cloud-Base*", "fedora-coreos-*"),  # Fedora project
    "013907871322": ("suse-sles-*",),  # SUSE
    "075585003325": ("Flatcar-stable-*",),  # Kinvolk / Flatcar
    "792107900819": ("Rocky-*",),  # Rocky Linux
    "764336703387": ("AlmaLinux OS *",),  # AlmaLinux
}
#: Login account by owner, where the owner alone decides it (AWS user guide).
LOGIN_BY_OWNER: dict[str, str] = {
    "099720109477": "ubuntu",
    "137112412989": "ec2-user",
    "136693071363": "admin",
    "309956199498": "ec2-user",
    "013907871322": "ec2-user",
    "075585003325": "core",
    "792107900819": "rocky",
    "764336703387": "ec2-user",
}
KEEP_PER_SERIES = 3
_DATE_BITS = re.compile(r"\d{8}(?:[.-]\d+)*|\d{4}[.-]\d{2}[.-]\d{2}|v\d{6,}|r\d+|\d+\.\d+\.\d{8}")


def tags(record: Mapping[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in record.get("Tags") or []}


def iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return str(value or "")


def image_login(owner: str, name: str) -> tuple[str, str, str]:
    """(distro, version, login user) for an AMI: owner first, then its name."""
    distro, version = guess_distro(name)
    user = LOGIN_BY_OWNER.get(owner) or login_user(distro, "aws")
    return distro, version, user


def image(record: Mapping[str, Any]) -> Image:
    name = record.get("Name") or record["ImageId"]
    distro, version, user = image_login(str(record.get("OwnerId", "")), name)
    return Image(
        id=record["ImageId"],
        name=name,
        distro=distro,
        version=version,
        login_user=user,
        created_at=iso(record.get("CreationDate")),
        visibility="public" if record.get("Public") else "private",
        arch=arch(record.get("Architecture")) or arch_in_name(name),
        disk_gb=root_volume_gb(record),
        raw=dict(record),
    )


def root_volume_gb(record: Mapping[str, Any]) -> int:
    """The size of the volume an instance boots from (the smallest root disk
    it can be launched with): the block device mapping of RootDeviceName."""
    root = record.get("RootDeviceName")
    for mapping in record.get("BlockDeviceMappings") or []:
        if mapping.get("DeviceName") == root:
            return int((mapping.get("Ebs") or {}).get("VolumeSize") or 0)
    return 0


def root_volume_mapping(image: Mapping[str, Any], size_gb: int) -> list[dict[str, Any]]:
    """RunInstances' BlockDeviceMappings for a root volume of `size_gb`: only
    the size, so EC2 keeps the AMI's snapshot, volume type and deletion on
    termination. Empty when the AMI's root is already as large; ValueError
    when it has no EBS root to size (an instance-store AMI)."""
    root = image.get("RootDeviceName")
    ebs = next(
        (
            m["Ebs"]
            for m in image.get("BlockDeviceMappings") or []
            if m.get("DeviceName") == root and "Ebs" in m
        ),
        None,
    )
    if not root or ebs is None:
        raise ValueError(f"image {image.get('ImageId', '?')} has no EBS root volume to size")
    if int(ebs.get("VolumeSize") or 0) >= size_gb:
        return []
    return [{"DeviceName": root, "Ebs": {"VolumeSize": size_gb}}]


def series_key(name: str) -> str:
    """An AMI name without its date/build parts: images of one series share it."""
    return _DATE_BITS.sub("#", name)


def latest_per_series(images: Iterable[Image], keep: int = KEEP_PER_SERIES) -> list[Image]:
    by_series: dict[str, list[Image]] = {}
    for img in images:
        by_series.setdefault(series_key(img.name), []).append(img)
    out: list[Image] = []
    for group in by_series.values():
        group.sort(key=lambda i: i.created_at, reverse=True)
        out.extend(group[:keep])
    out.sort(key=lambda i: (i.distro, i.name))
    return out


def flavor(record: Mapping[str, Any]) -> Flavor:
    name = record["InstanceType"]
    storage = record.get("InstanceStorageInfo") or {}
    return Flavor(
        id=name,
        name=name,
        vcpus=int((record.get("VCpuInfo") or {}).get("DefaultVCpus", 0)),
        ram_mb=int((record.get("MemoryInfo") or {}).get("SizeInMiB", 0)),
        disk_gb=int(storage.get("TotalSizeInGB", 0)),
        arch=type_arch(record),
        gpus=sum(int(g.get("Count") or 0) for g in (record.get("GpuInfo") or {}).get("Gpus") or []),
        raw=dict(record),
    )


def type_arch(record: Mapping[str, Any]) -> str:
    """An instance type's architecture: x86_64 first when it supports both
    (`i386`/`x86_64` types are x86_64 machines)."""
    supported = [
        arch(a) for a in (record.get("ProcessorInfo") or {}).get("SupportedArchitectures") or []
    ]
    for a in ("x86_64", "arm64"):
        if a in supported:
            return a
    return supported[0] if supported else ""


def vpc(record: Mapping[str, Any]) -> Network:
    t = tags(record)
    cidrs = [a["CidrBlock"] for a in record.get("CidrBlockAssociationSet") or []] or [
        record.get("CidrBlock", "")
    ]
    default = bool(record.get("IsDefault"))
    return Network(
        id=record["VpcId"],
        name=t.get("Name") or ("default VPC" if default else record["VpcId"]),
        cidrs=tuple(c for c in cidrs if c),
        public_access="per-subnet",
        raw=dict(record),
    )


def subnet(record: Mapping[str, Any]) -> Network:
    t = tags(record)
    zone = record.get("AvailabilityZone", "")
    v6 = [a["Ipv6CidrBlock"] for a in record.get("Ipv6CidrBlockAssociationSet") or []]
    name = t.get("Name") or (
        f"default-{zone}" if record.get("DefaultForAz") else record["SubnetId"]
    )
    return Network(
        id=record["SubnetId"],
        name=name,
        cidrs=(record.get("CidrBlock", ""), *v6),
        auto_public_ip=bool(record.get("MapPublicIpOnLaunch")),
        zone=zone,
        public_access="auto" if record.get("MapPublicIpOnLaunch") else "no",
        raw=dict(record),
    )


def addresses(
    instance: Mapping[str, Any], subnet_names: Mapping[str, str] | None = None
) -> tuple[Address, ...]:
    """The instance's addresses, each on its subnet: by the name the networks
    tab lists it under when `subnet_names` knows it, else by its id."""
    names = subnet_names or {}
    out: list[Address] = []
    for nic in instance.get("NetworkInterfaces") or []:
        net = names.get(nic.get("SubnetId", ""), nic.get("SubnetId", ""))
        for p in nic.get("PrivateIpAddresses") or []:
            out.append(Address(p["PrivateIpAddress"], 4, AddressKind.FIXED, net))
            assoc = p.get("Association") or {}
            if assoc.get("PublicIp"):
                # An Elastic IP is owned by the account; an auto-assigned one by "amazon".
                kind = (
                    AddressKind.PUBLIC
                    if assoc.get("IpOwnerId") == "amazon"
                    else AddressKind.FLOATING
                )
                out.append(Address(assoc["PublicIp"], 4, kind, net))
        for v6 in nic.get("Ipv6Addresses") or []:
            out.append(Address(v6["Ipv6Address"], 6, AddressKind.PUBLIC, net))
    subnet = names.get(instance.get("SubnetId", ""), instance.get("SubnetId", ""))
    if not out:  # instances without interface details
        if instance.get("PrivateIpAddress"):
            out.append(Address(instance["PrivateIpAddress"], 4, AddressKind.FIXED, subnet))
        if instance.get("PublicIpAddress"):
            out.append(Address(instance["PublicIpAddress"], 4, AddressKind.PUBLIC, subnet))
    elif instance.get("PublicIpAddress") and not any(
        a.ip == instance["PublicIpAddress"] for a in out
    ):
        out.append(Address(instance["PublicIpAddress"], 4, AddressKind.PUBLIC, subnet))
    return tuple(out)


def node(
    instance: Mapping[str, Any],
    images: Mapping[str, Image],
    subnet_names: Mapping[str, str] | None = None,
) -> Node:
    t = tags(instance)
    raw_state = (instance.get("State") or {}).get("Name", "")
    img = images.get(instance.get("ImageId", ""))
    return Node(
        id=instance["InstanceId"],
        name=t.get("Name", instance["InstanceId"]),
        state=node_state(AWS_STATES, raw_state),
        raw_state=raw_state,
        flavor=instance.get("InstanceType", ""),
        image=img.name if img else instance.get("ImageId", ""),
        zone=(instance.get("Placement") or {}).get("AvailabilityZone", ""),
        addresses=addresses(instance, subnet_names),
        key_name=instance.get("KeyName", "") or "",
        created_at=iso(instance.get("LaunchTime")),
        login_user=img.login_user if img else "",
        raw=dict(instance),
    )


def key_pair(record: Mapping[str, Any]) -> KeyPair:
    return KeyPair(
        id=record.get("KeyPairId") or record["KeyName"],
        name=record["KeyName"],
        fingerprint=record.get("KeyFingerprint", ""),
        key_type=record.get("KeyType", ""),
        created_at=iso(record.get("CreateTime")),
        managed=tags(record).get(MANAGED_TAG) == "true",
        scope="region",
        raw=dict(record),
    )


def elastic_ip(record: Mapping[str, Any]) -> PublicAddress:
    """An Elastic IP. One associated with a network interface and no instance
    (a NAT gateway's, a load balancer's) is held by that interface, not free."""
    return PublicAddress(
        id=record.get("AllocationId") or record["PublicIp"],
        name=record["PublicIp"],
        ip=record["PublicIp"],
        pool=record.get("Domain", "vpc"),
        attached_to=record.get("InstanceId") or record.get("NetworkInterfaceId") or "",
        managed=tags(record).get(MANAGED_TAG) == "true",
        raw=dict(record),
    )


def security_group(record: Mapping[str, Any]) -> SecurityGroup:
    rules: list[tuple[str, str, int | None, int | None, str]] = []
    for direction, key in (("ingress", "IpPermissions"), ("egress", "IpPermissionsEgress")):
        for perm in record.get(key) or []:
            cidrs = [r["CidrIp"] for r in perm.get("IpRanges") or []] + [
                r["CidrIpv6"] for r in perm.get("Ipv6Ranges") or []
            ]
            for cidr in cidrs or ["(group)"]:
                rules.append(
                    (
                        direction,
                        str(perm.get("IpProtocol", "")),
                        perm.get("FromPort"),
                        perm.get("ToPort"),
                        cidr,
                    )
                )
    return SecurityGroup(
        id=record["GroupId"],
        name=record.get("GroupName", record["GroupId"]),
        description=record.get("Description", ""),
        rules=len(record.get("IpPermissions") or []) + len(record.get("IpPermissionsEgress") or []),
        ssh_open=ssh_open(rules),
        network=record.get("VpcId", ""),
        raw=dict(record),
    )


def internet_gateway(record: Mapping[str, Any]) -> Router:
    """An internet gateway: what lets a VPC's public addresses reach the
    internet at all (the default VPC has one; a private VPC usually not)."""
    attached = [
        a for a in record.get("Attachments") or [] if a.get("State") in ("available", "attached")
    ]
    vpcs = ", ".join(a.get("VpcId", "") for a in attached)
    return Router(
        id=record["InternetGatewayId"],
        name=tags(record).get("Name") or record["InternetGatewayId"],
        status=f"attached to {vpcs}" if attached else "detached",
        external_network="internet" if attached else "",
        raw=dict(record),
    )


def route_table(record: Mapping[str, Any]) -> Router:
    """A route table; its `external_network` is the internet gateway its
    default route (0.0.0.0/0 or ::/0) goes to: subnets using it are public."""
    gateway = ""
    for route in record.get("Routes") or []:
        dest = route.get("DestinationCidrBlock") or route.get("DestinationIpv6CidrBlock")
        if dest in ("0.0.0.0/0", "::/0") and str(route.get("GatewayId", "")).startswith("igw-"):
            gateway = route["GatewayId"]
            break
    main = any(a.get("Main") for a in record.get("Associations") or [])
    vpc = record.get("VpcId", "")
    return Router(
        id=record["RouteTableId"],
        name=tags(record).get("Name") or (f"main ({vpc})" if main else record["RouteTableId"]),
        status="main" if main else "",
        external_network=gateway,
        raw=dict(record),
    )


def behaviour(networks: Iterable[Network], images: Iterable[Image]) -> CloudBehaviour:
    subnets = [n for n in networks if n.id.startswith("subnet-")]
    default_public = any(n.auto_public_ip and n.raw.get("DefaultForAz") for n in subnets)
    users = Counter(i.login_user for i in images if i.login_user)
    ordered = tuple(u for u, _ in users.most_common()) or ("ec2-user", "ubuntu", "admin")
    notes = ["public IPv4 billed $0.005/h since 2024-02"]
    if default_public:
        notes.insert(0, "default subnet: MapPublicIpOnLaunch=true")
    else:
        notes.insert(0, "no default subnet maps public IPv4: an Elastic IP is needed")
    return CloudBehaviour(
        public_ip=PublicIpStrategy.AUTO_ASSIGN if default_public else PublicIpStrategy.FLOATING_IP,
        key_mechanism="EC2 key pair (ImportKeyPair → KeyName at launch)",
        live_key_update=False,
        login_users=ordered,
        root_login=False,
        ipv6=any(len(n.cidrs) > 1 for n in subnets),
        notes=tuple(notes),
    )
