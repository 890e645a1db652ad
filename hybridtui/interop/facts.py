"""What the rules stand on: a site's public-address strategy read from its
topology, and the helpers every rule uses to build a cell with its sources."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hybridtui.domain import (
    AddressKind,
    Network,
    Node,
    PublicIpStrategy,
    ResourceKind,
    Router,
    SecurityGroup,
    peek_raw,
)
from hybridtui.interop.model import (
    Cell,
    Evidence,
    Source,
    Verdict,
)
from hybridtui.interop.site import Site


@dataclass(frozen=True, slots=True)
class Strategy:
    """How this site's nodes get a public address, and the facts behind it."""

    kind: PublicIpStrategy
    reason: str
    evidence: Evidence
    sources: tuple[Source, ...]
    #: External network / pool public addresses come from (floating IPs).
    pool: str = ""
    #: Why an address given at boot cannot be reached ('' when it can).
    unreachable: str = ""


def fact(kind: ResourceKind | str, record: str, field: str, value: object) -> Source:
    return Source(str(kind), record, field, str(value))


def _v4(cidr: str) -> bool:
    return bool(cidr) and ":" not in cidr


# ------------------------------------------------------- public addresses


def public_strategy(site: Site) -> Strategy | None:
    """The strategy read from the site's topology (None: not enough data)."""
    if site.platform == "aws":
        return _aws_strategy(site)
    if site.platform == "gce":
        return _gce_strategy(site)
    return _openstack_strategy(site)


def _aws_strategy(site: Site) -> Strategy | None:
    if not site.has(ResourceKind.NETWORKS):
        return None
    nets = site.of(Network)
    subnets = [n for n in nets if n.id.startswith("subnet-")]
    default = [n for n in subnets if n.raw.get("DefaultForAz")]
    mapped = [n for n in default if n.raw.get("MapPublicIpOnLaunch")]
    srcs = tuple(
        fact(
            ResourceKind.NETWORKS,
            f"{n.name} ({n.id})",
            "MapPublicIpOnLaunch",
            n.raw.get("MapPublicIpOnLaunch"),
        )
        for n in (default or subnets)[:6]
    )
    gateways = _aws_gateways(site)
    if mapped:
        why = (
            f"default subnets map a public IPv4 at launch ({len(mapped)} of {len(subnets)} subnets)"
        )
        vpcs = {str(n.raw.get("VpcId", "")) for n in mapped}
        routers = site.of(Router)
        attached = [
            r
            for r in routers
            if r.id.startswith("igw-")
            and r.external_network
            and any(v and v in r.status for v in vpcs)
        ]
        unreachable = ""
        if site.has(ResourceKind.ROUTERS) and not attached:
            unreachable = "but their VPC has no internet gateway: the address is not reachable"
        return Strategy(
            PublicIpStrategy.AUTO_ASSIGN,
            why,
            Evidence.INFERRED,
            srcs + gateways,
            unreachable=unreachable,
        )
    if any(n.auto_public_ip for n in subnets):
        names = ", ".join(n.name for n in subnets if n.auto_public_ip)
        why = f"only some subnets map a public IPv4 ({names}); the default ones do not"
        return Strategy(PublicIpStrategy.AUTO_ASSIGN, why, Evidence.INFERRED, srcs + gateways)
    if site.has(ResourceKind.ROUTERS) and not gateways:
        return Strategy(
            PublicIpStrategy.NONE,
            "no subnet maps a public IPv4 and no internet gateway is attached",
            Evidence.INFERRED,
            srcs,
        )
    return Strategy(
        PublicIpStrategy.FLOATING_IP,
        "no subnet maps a public IPv4: an Elastic IP is needed",
        Evidence.INFERRED,
        srcs + gateways,
        pool="vpc",
    )


def _aws_gateways(site: Site) -> tuple[Source, ...]:
    routers = site.of(Router)
    return tuple(
        fact(ResourceKind.ROUTERS, r.name, "external", r.external_network)
        for r in routers
        if r.external_network
    )


def _gce_strategy(site: Site) -> Strategy:
    nodes = site.of(Node)
    with_nat = [n for n in nodes if _access_configs(n)]
    srcs = tuple(
        fact(
            ResourceKind.NODES,
            n.name,
            "networkInterfaces[].accessConfigs[].type",
            ",".join(_access_configs(n)),
        )
        for n in with_nat[:4]
    )
    why = "an ONE_TO_ONE_NAT access config asked for at insert gives an external IP"
    if nodes:
        why += f" ({len(with_nat)} of {len(nodes)} nodes have one)"
        return Strategy(PublicIpStrategy.ACCESS_CONFIG, why, Evidence.INFERRED, srcs)
    return Strategy(
        PublicIpStrategy.ACCESS_CONFIG,
        why,
        Evidence.DECLARED,
        (fact("platform", "gce", "accessConfigs", "ONE_TO_ONE_NAT"),),
    )


def _access_configs(node: Node) -> list[str]:
    raw = peek_raw(node)
    nics = raw.get("networkInterfaces") or raw.get("network_interfaces") or []
    return [
        str(ac.get("type") or "ONE_TO_ONE_NAT")
        for nic in nics
        for ac in (nic.get("accessConfigs") or nic.get("access_configs") or [])
    ]


def _openstack_strategy(site: Site) -> Strategy | None:
    if not site.has(ResourceKind.NETWORKS):
        return None
    nets = site.of(Network)
    routers = site.of(Router)
    external = [n for n in nets if n.external]
    v4_ext = [n for n in external if any(_v4(c) for c in n.cidrs)]
    v6_ext = [n for n in external if any(":" in c for c in n.cidrs)]
    gateways = [r for r in routers if r.external_network]
    srcs = [fact(ResourceKind.NETWORKS, n.name, "router:external", True) for n in external]
    srcs += [fact(ResourceKind.NETWORKS, n.name, "cidrs", ", ".join(n.cidrs)) for n in external]
    srcs += [
        fact(ResourceKind.ROUTERS, r.name, "external_gateway_info", r.external_network)
        for r in gateways
    ]
    source = site.declares("floating_ip_source")
    requires = site.declares("requires_floating_ip")
    if source is not None:
        srcs.append(fact("config", site.cloud, "floating_ip_source", source))
    if requires is not None:
        srcs.append(fact("config", site.cloud, "requires_floating_ip", requires))
    fips = nodes_with(site, AddressKind.FLOATING)
    if fips:
        srcs.append(
            fact(ResourceKind.NODES, fips[0].name, "addresses[].OS-EXT-IPS:type", "floating")
        )
    no_fip = (source or "").lower() == "none"
    if requires == "true" or (not no_fip and v4_ext and gateways):
        pool = gateways[0].external_network if gateways else (v4_ext[0].name if v4_ext else "")
        why = f"tenant networks reach `{pool}` through a router"
        if requires == "true":
            why = "requires_floating_ip: true" + (f"; router to `{pool}`" if gateways else "")
        ev = Evidence.DECLARED if requires == "true" and not gateways else Evidence.INFERRED
        return Strategy(PublicIpStrategy.FLOATING_IP, why, ev, tuple(srcs), pool=pool)
    if v4_ext:
        n = v4_ext[0]
        why = f"`{n.name}` is external with routable IPv4 ({', '.join(c for c in n.cidrs if _v4(c))}): nodes attach to it directly"
        if no_fip:
            why += "; floating_ip_source: None"
        return Strategy(PublicIpStrategy.DIRECT, why, Evidence.INFERRED, tuple(srcs), pool=n.name)
    if v6_ext:
        n = v6_ext[0]
        why = f"only `{n.name}` is external and it is IPv6 ({', '.join(n.cidrs)}): no public IPv4"
        return Strategy(
            PublicIpStrategy.IPV6_ONLY, why, Evidence.INFERRED, tuple(srcs), pool=n.name
        )
    srcs.append(fact(ResourceKind.NETWORKS, "(all)", "router:external", "false on every network"))
    return Strategy(PublicIpStrategy.NONE, "no external network", Evidence.INFERRED, tuple(srcs))


def nodes_with(site: Site, kind: AddressKind) -> list[Node]:
    """The site's nodes with an address of `kind` (one pass per site for
    every kind: the checks ask for floating and public ones)."""
    return site.memo(_nodes_by_address_kind, lambda: _nodes_by_address_kind(site)).get(kind, [])


def _nodes_by_address_kind(site: Site) -> dict[AddressKind, list[Node]]:
    out: dict[AddressKind, list[Node]] = {}
    for n in site.of(Node):
        kinds = {a.kind for a in n.addresses}
        for k in kinds:
            out.setdefault(k, []).append(n)
    return out


def make_cell(
    site: Site,
    check: str,
    verdict: Verdict,
    reason: str,
    evidence: Evidence,
    at: float,
    value: str = "",
    sources: Iterable[Source] = (),
) -> Cell:
    return Cell(site.cloud, check, verdict, reason, evidence, at, value, tuple(sources))


def declared_at(site: Site) -> float:
    return site.snapshot.fetched_at if site.snapshot else 0.0


def ssh_reach(site: Site) -> tuple[Verdict, str, list[Source]]:
    """Does the firewall new nodes get admit TCP 22 from anywhere?"""
    if not site.has(ResourceKind.SECURITY_GROUPS):
        return Verdict.UNKNOWN, "security groups not read", []
    groups = site.of(SecurityGroup)
    if site.platform == "gce":
        open_ = [
            g
            for g in groups
            if g.ssh_open and (not g.network or g.network.split("/")[0] == "default")
        ]
        srcs = [
            fact(ResourceKind.SECURITY_GROUPS, g.name, "sourceRanges+allowed tcp:22", "open")
            for g in open_
        ]
        if open_:
            return Verdict.YES, f"firewall rule `{open_[0].name}` admits TCP 22 from anywhere", srcs
        return Verdict.NO, "no firewall rule admits TCP 22 from anywhere: add one", srcs
    default = next((g for g in groups if g.name == "default"), None)
    others = [g for g in groups if g.ssh_open and g is not default]
    srcs = [
        fact(ResourceKind.SECURITY_GROUPS, g.name, "ingress tcp:22 from 0.0.0.0/0", g.ssh_open)
        for g in ([default] if default else []) + others[:3]
    ]
    if default is not None and default.ssh_open:
        return Verdict.YES, "the `default` group admits TCP 22", srcs
    if others:
        return (
            Verdict.PARTIAL,
            f"the `default` group blocks TCP 22; `{others[0].name}` opens it",
            srcs,
        )
    return Verdict.NO, "no group admits TCP 22 from anywhere: add a rule", srcs
