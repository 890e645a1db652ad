"""openstacksdk resources → domain records, and the cloud's public-IP behaviour.
Pure functions over plain dicts (`resource.to_dict()`), tested without a cloud."""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterable, Mapping
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
    OPENSTACK_STATES,
    arch,
    arch_in_name,
    guess_distro,
    login_user,
    node_state,
)

#: Marks what hybridtui created: server metadata key, FIP description, key name prefix.
MANAGED_DESCRIPTION = MANAGED_TAG
KEY_PREFIX = "hybridtui-"
#: Per-network settings openstacksdk reads from clouds.yaml (network-config.rst).
NETWORK_FLAGS = (
    "routes_externally",
    "routes_ipv4_externally",
    "routes_ipv6_externally",
    "default_interface",
    "nat_destination",
    "nat_source",
)


def addresses(server: Mapping[str, Any], external: set[str]) -> tuple[Address, ...]:
    """Every address of a server, classified: floating (NAT), public (fixed on an
    external/provider network, or a global IPv6), or fixed (private)."""
    out: list[Address] = []
    for net, entries in (server.get("addresses") or {}).items():
        for e in entries:
            ip = e.get("addr", "")
            version = int(e.get("version", 6 if ":" in ip else 4))
            if e.get("OS-EXT-IPS:type") == "floating":
                kind = AddressKind.FLOATING
            elif net in external or _is_global(ip):
                kind = AddressKind.PUBLIC
            else:
                kind = AddressKind.FIXED
            out.append(Address(ip, version, kind, net))
    return tuple(out)


def _is_global(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_global
    except ValueError:
        return False


def node(server: Mapping[str, Any], external: set[str], images: Mapping[str, Image]) -> Node:
    status = str(server.get("status") or "")
    image_ref = server.get("image") or {}
    img = images.get(image_ref.get("id", "")) if isinstance(image_ref, dict) else None
    flavor = server.get("flavor") or {}
    return Node(
        id=server["id"],
        name=server.get("name") or server["id"],
        state=node_state(OPENSTACK_STATES, status),
        raw_state=status,
        flavor=flavor.get("original_name") or flavor.get("name") or flavor.get("id", ""),
        image=img.name
        if img
        else (image_ref.get("id", "") if isinstance(image_ref, dict) else "(volume)"),
        zone=server.get("availability_zone") or server.get("OS-EXT-AZ:availability_zone") or "",
        addresses=addresses(server, external),
        key_name=server.get("key_name") or "",
        created_at=str(server.get("created_at") or server.get("created") or ""),
        login_user=img.login_user if img else "",
        raw=dict(server),
    )


def flavor(record: Mapping[str, Any]) -> Flavor:
    specs = record.get("extra_specs") or {}
    return Flavor(
        id=record["id"],
        name=record.get("name") or record["id"],
        vcpus=int(record.get("vcpus") or 0),
        ram_mb=int(record.get("ram") or 0),
        disk_gb=int(record.get("disk") or 0),
        arch=arch(specs.get("capabilities:cpu_arch") or specs.get("hw:cpu_arch")),
        gpus=flavor_gpus(specs),
        raw=dict(record),
    )


def flavor_gpus(specs: Mapping[str, Any]) -> int:
    """GPUs a flavor asks Nova for: a vGPU resource or a PCI passthrough alias
    (`pci_passthrough:alias: "a100:2"`)."""
    vgpu = specs.get("resources:VGPU")
    if vgpu:
        return int(str(vgpu)) if str(vgpu).isdigit() else 1
    alias = str(specs.get("pci_passthrough:alias") or "")
    total = 0
    for part in filter(None, alias.split(",")):
        _, _, count = part.partition(":")
        total += int(count) if count.isdigit() else 1
    return total


def image(record: Mapping[str, Any]) -> Image:
    props = record.get("properties") or {}
    name = record.get("name") or record["id"]
    guessed, guessed_version = guess_distro(name)
    distro = str(record.get("os_distro") or props.get("os_distro") or guessed)
    version = str(record.get("os_version") or props.get("os_version") or guessed_version)
    admin = record.get("os_admin_user") or props.get("os_admin_user")
    size = record.get("size") or 0
    return Image(
        id=record["id"],
        name=name,
        distro=distro,
        version=version,
        login_user=str(admin or login_user(distro, "openstack")),
        created_at=str(record.get("created_at") or ""),
        visibility=str(record.get("visibility") or ""),
        size_gb=round(size / 2**30, 2) if isinstance(size, int) else 0.0,
        arch=arch(record.get("architecture") or props.get("architecture")) or arch_in_name(name),
        disk_gb=int(record.get("min_disk") or 0),
        raw=dict(record),
    )


def network(record: Mapping[str, Any], subnets: Mapping[str, Mapping[str, Any]]) -> Network:
    cidrs = tuple(
        subnets[s]["cidr"]
        for s in record.get("subnet_ids") or record.get("subnets") or []
        if s in subnets
    )
    external = bool(record.get("is_router_external") or record.get("router:external"))
    shared = bool(record.get("is_shared") or record.get("shared"))
    return Network(
        id=record["id"],
        name=record.get("name") or record["id"],
        external=external,
        shared=shared,
        cidrs=cidrs,
        zone=",".join(record.get("availability_zones") or []),
        public_access=public_access(external, shared, cidrs),
        raw=dict(record),
    )


def public_access(external: bool, shared: bool, cidrs: tuple[str, ...]) -> str:
    """What a Neutron network gives a node: an external network shared with the
    project is one nodes attach to (routable IPv4, or IPv6 only); an external one
    that is not shared is where floating IPs come from; the rest is private."""
    if not external:
        return "no"
    if not shared:
        return "fip-pool"
    if cidrs and all(":" in c for c in cidrs):
        return "direct-v6"
    return "direct"


def key_pair(record: Mapping[str, Any]) -> KeyPair:
    name = record.get("name") or record["id"]
    return KeyPair(
        id=record.get("id") or name,
        name=name,
        fingerprint=record.get("fingerprint") or "",
        key_type=record.get("type") or "ssh",
        created_at=str(record.get("created_at") or ""),
        managed=name.startswith(KEY_PREFIX),
        scope="user",  # Nova keypairs belong to the user, not the project
        raw=dict(record),
    )


def floating_ip(record: Mapping[str, Any], networks: Mapping[str, str]) -> PublicAddress:
    details = record.get("port_details") or {}
    return PublicAddress(
        id=record["id"],
        name=record.get("floating_ip_address") or record["id"],
        ip=record.get("floating_ip_address") or "",
        pool=networks.get(
            record.get("floating_network_id") or "", record.get("floating_network_id") or ""
        ),
        attached_to=(details.get("device_id") if details else "") or record.get("port_id") or "",
        managed=(record.get("description") or "") == MANAGED_DESCRIPTION,
        raw=dict(record),
    )


def security_group(record: Mapping[str, Any]) -> SecurityGroup:
    rules = record.get("security_group_rules") or []
    parsed = [
        (
            r.get("direction", ""),
            str(r.get("protocol") or "any"),
            r.get("port_range_min"),
            r.get("port_range_max"),
            # no prefix and no remote group: from anywhere
            r.get("remote_ip_prefix")
            or (
                "(group)"
                if r.get("remote_group_id")
                else ("::/0" if r.get("ethertype") == "IPv6" else "0.0.0.0/0")
            ),
        )
        for r in rules
    ]
    return SecurityGroup(
        id=record["id"],
        name=record.get("name") or record["id"],
        description=record.get("description") or "",
        rules=len(rules),
        ssh_open=ssh_open(parsed),
        raw=dict(record),
    )


def router(record: Mapping[str, Any], networks: Mapping[str, str]) -> Router:
    gw = record.get("external_gateway_info") or {}
    return Router(
        id=record["id"],
        name=record.get("name") or record["id"],
        status=record.get("status") or "",
        external_network=networks.get(gw.get("network_id", ""), gw.get("network_id", "")),
        external_ips=tuple(ip.get("ip_address", "") for ip in gw.get("external_fixed_ips") or []),
        raw=dict(record),
    )


def behaviour(
    networks: Iterable[Network], images: Iterable[Image], cfg: Mapping[str, Any], has_router: bool
) -> CloudBehaviour:
    """The public-IP strategy from the cloud's config (vendor profile, clouds.yaml)
    first, then from what the network looks like, like openstacksdk's own logic."""
    nets = list(networks)
    external = [n for n in nets if n.external]
    v4_external = [n for n in external if any(":" not in c for c in n.cidrs)]
    v6_external = [n for n in external if any(":" in c for c in n.cidrs)]
    source = str(cfg.get("floating_ip_source", "neutron"))
    requires = cfg.get("requires_floating_ip")
    notes = [f"floating_ip_source: {source}"]
    if requires is not None:
        notes.append(f"requires_floating_ip: {str(requires).lower()}")
    for key in ("nat_destination", "default_interface"):
        if cfg.get(key):
            notes.append(f"{key}: {cfg[key]}")
    for net in cfg.get("networks") or []:  # per-network flags from clouds.yaml / vendor profile
        flags = [f for f in NETWORK_FLAGS if net.get(f)]
        if flags:
            notes.append(f"network {net.get('name')}: {', '.join(flags)}")
    if source.lower() == "none":
        strategy = (
            PublicIpStrategy.DIRECT
            if v4_external
            else PublicIpStrategy.IPV6_ONLY
            if v6_external
            else PublicIpStrategy.NONE
        )
    elif requires is True or (requires is None and v4_external and has_router):
        strategy = PublicIpStrategy.FLOATING_IP
    elif v4_external and any(n.shared for n in v4_external):
        strategy = PublicIpStrategy.DIRECT
    elif v6_external:
        strategy = PublicIpStrategy.IPV6_ONLY
    else:
        strategy = PublicIpStrategy.NONE
    users = Counter(i.login_user for i in images if i.login_user)
    return CloudBehaviour(
        public_ip=strategy,
        key_mechanism="Nova keypair (key_name at boot)",
        live_key_update=False,
        login_users=tuple(u for u, _ in users.most_common()) or ("ubuntu", "cloud-user", "debian"),
        root_login=False,
        ipv6=bool(v6_external),
        needs_jump_host=strategy is PublicIpStrategy.NONE,
        notes=tuple(notes),
    )
