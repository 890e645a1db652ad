"""The rules: one function per check, reading a site's records (inferred) or,
where records cannot tell, what the platform is documented to do (declared;
`shared/cloud-facts.md` §3). Each returns a Cell with the facts it used.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hybridtui.domain import (
    AddressKind,
    Image,
    KeyPair,
    Network,
    Node,
    PublicIpStrategy,
    ResourceKind,
    Router,
    SecurityGroup,
)
from hybridtui.interop.equivalence import Match, Spec, match
from hybridtui.interop.model import (
    LOGIN_FAMILIES,
    LOGIN_PREFIX,
    Cell,
    Evidence,
    Source,
    Verdict,
)
from hybridtui.interop.site import Site

#: What to look for when no spec is given: a small, common node.
DEFAULT_SPEC = Spec()

_FIP_WORDS = {"aws": "an Elastic IP", "openstack": "a floating IP", "gce": "a static external IP"}
_STATE_WORDS = {
    "aws": "terminated = deleted (gone); stopped = stopped",
    "gce": "TERMINATED = stopped (restartable, not deleted)",
    "openstack": "SHUTOFF = stopped; SHELVED = offloaded; DELETED = gone",
}


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


def _src(kind: ResourceKind | str, record: str, field: str, value: object) -> Source:
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
    nets: list[Network] = list(site.records(ResourceKind.NETWORKS))  # type: ignore[arg-type]
    subnets = [n for n in nets if n.id.startswith("subnet-")]
    default = [n for n in subnets if n.raw.get("DefaultForAz")]
    mapped = [n for n in default if n.raw.get("MapPublicIpOnLaunch")]
    srcs = tuple(
        _src(
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
        routers: list[Router] = list(site.records(ResourceKind.ROUTERS))  # type: ignore[arg-type]
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
    routers: list[Router] = list(site.records(ResourceKind.ROUTERS))  # type: ignore[arg-type]
    return tuple(
        _src(ResourceKind.ROUTERS, r.name, "external", r.external_network)
        for r in routers
        if r.external_network
    )


def _gce_strategy(site: Site) -> Strategy:
    nodes: list[Node] = list(site.records(ResourceKind.NODES))  # type: ignore[arg-type]
    with_nat = [n for n in nodes if _access_configs(n)]
    srcs = tuple(
        _src(
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
        (_src("platform", "gce", "accessConfigs", "ONE_TO_ONE_NAT"),),
    )


def _access_configs(node: Node) -> list[str]:
    nics = node.raw.get("networkInterfaces") or node.raw.get("network_interfaces") or []
    return [
        str(ac.get("type") or "ONE_TO_ONE_NAT")
        for nic in nics
        for ac in (nic.get("accessConfigs") or nic.get("access_configs") or [])
    ]


def _openstack_strategy(site: Site) -> Strategy | None:
    if not site.has(ResourceKind.NETWORKS):
        return None
    nets: list[Network] = list(site.records(ResourceKind.NETWORKS))  # type: ignore[arg-type]
    routers: list[Router] = list(site.records(ResourceKind.ROUTERS))  # type: ignore[arg-type]
    external = [n for n in nets if n.external]
    v4_ext = [n for n in external if any(_v4(c) for c in n.cidrs)]
    v6_ext = [n for n in external if any(":" in c for c in n.cidrs)]
    gateways = [r for r in routers if r.external_network]
    srcs = [_src(ResourceKind.NETWORKS, n.name, "router:external", True) for n in external]
    srcs += [_src(ResourceKind.NETWORKS, n.name, "cidrs", ", ".join(n.cidrs)) for n in external]
    srcs += [
        _src(ResourceKind.ROUTERS, r.name, "external_gateway_info", r.external_network)
        for r in gateways
    ]
    source = site.declares("floating_ip_source")
    requires = site.declares("requires_floating_ip")
    if source is not None:
        srcs.append(_src("config", site.cloud, "floating_ip_source", source))
    if requires is not None:
        srcs.append(_src("config", site.cloud, "requires_floating_ip", requires))
    fips = _nodes_with(site, AddressKind.FLOATING)
    if fips:
        srcs.append(
            _src(ResourceKind.NODES, fips[0].name, "addresses[].OS-EXT-IPS:type", "floating")
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
    srcs.append(_src(ResourceKind.NETWORKS, "(all)", "router:external", "false on every network"))
    return Strategy(PublicIpStrategy.NONE, "no external network", Evidence.INFERRED, tuple(srcs))


def _nodes_with(site: Site, kind: AddressKind) -> list[Node]:
    nodes: list[Node] = list(site.records(ResourceKind.NODES))  # type: ignore[arg-type]
    return [n for n in nodes if any(a.kind is kind for a in n.addresses)]


# ------------------------------------------------------------------ rules


def _cell(
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


def _declared_at(site: Site) -> float:
    return site.snapshot.fetched_at if site.snapshot else 0.0


def step1_key(site: Site) -> Cell:
    at = _declared_at(site)
    keys_err = site.snapshot.kind_errors.get(ResourceKind.KEYS) if site.snapshot else None
    if site.platform == "gce":
        keys: list[KeyPair] = list(site.records(ResourceKind.KEYS))  # type: ignore[arg-type]
        if any(k.key_type == "os-login" and k.scope == "project" for k in keys):
            return _cell(
                site,
                "1",
                Verdict.NO,
                "OS Login is on for the project: ssh-keys metadata is ignored; keys come from IAM",
                Evidence.INFERRED,
                site.read_at(ResourceKind.KEYS),
                "os-login",
                [
                    _src(
                        ResourceKind.KEYS,
                        "project",
                        "commonInstanceMetadata.enable-oslogin",
                        "TRUE",
                    )
                ],
            )
        nodes: list[Node] = list(site.records(ResourceKind.NODES))  # type: ignore[arg-type]
        oslogin = [n for n in nodes if _metadata(n).get("enable-oslogin", "").upper() == "TRUE"]
        if oslogin:
            return _cell(
                site,
                "1",
                Verdict.PARTIAL,
                f"OS Login is on for {len(oslogin)} nodes: ssh-keys metadata is ignored there",
                Evidence.INFERRED,
                site.read_at(ResourceKind.NODES),
                "metadata",
                [
                    _src(ResourceKind.NODES, n.name, "metadata.enable-oslogin", "TRUE")
                    for n in oslogin[:4]
                ],
            )
        return _cell(
            site,
            "1",
            Verdict.YES,
            "an ssh-keys metadata entry with expireOn (no key object)",
            Evidence.DECLARED,
            at,
            "metadata",
            [_src("platform", "gce", "metadata", "ssh-keys")],
        )
    api = (
        "ImportKeyPair, then KeyName at launch"
        if site.platform == "aws"
        else "create_keypair, then key_name at boot"
    )
    if keys_err is not None and keys_err.denied:
        return _cell(
            site,
            "1",
            Verdict.PARTIAL,
            f"listing key pairs is refused ({keys_err.title}): importing may be too",
            Evidence.INFERRED,
            keys_err.at,
            "key-pair",
            [_src(ResourceKind.KEYS, "(listing)", "error", keys_err.message)],
        )
    word = "EC2 key pair" if site.platform == "aws" else "Nova keypair"
    return _cell(
        site,
        "1",
        Verdict.YES,
        f"{word}: {api}",
        Evidence.DECLARED,
        at,
        "key-pair",
        [_src("platform", site.platform, "key mechanism", word)],
    )


def _metadata(node: Node) -> dict[str, str]:
    items = (node.raw.get("metadata") or {}).get("items") or []
    return {str(i.get("key")): str(i.get("value")) for i in items if isinstance(i, dict)}


def step2_read(site: Site) -> Cell:
    kinds = (ResourceKind.NETWORKS, ResourceKind.FLAVORS, ResourceKind.IMAGES)
    if site.snapshot is None or not any(site.has(k) for k in kinds):
        return _cell(site, "2", Verdict.UNKNOWN, "not read yet", Evidence.INFERRED, 0.0)
    errors = {k: site.snapshot.kind_errors[k] for k in kinds if k in site.snapshot.kind_errors}
    counts = {k: len(site.records(k)) for k in kinds}
    srcs = [_src(k, "(listing)", "records", counts[k]) for k in kinds]
    srcs += [_src(k, "(listing)", "error", e.message) for k, e in errors.items()]
    at = site.read_at(*kinds)
    summary = ", ".join(f"{counts[k]} {k}" for k in kinds)
    if not errors:
        empty = [str(k) for k in kinds if not counts[k]]
        if empty:
            return _cell(
                site,
                "2",
                Verdict.PARTIAL,
                f"{summary}: no {' or '.join(empty)}",
                Evidence.INFERRED,
                at,
                "",
                srcs,
            )
        return _cell(site, "2", Verdict.YES, summary, Evidence.INFERRED, at, "", srcs)
    failed = "; ".join(f"{k}: {e.title}" for k, e in errors.items())
    if not any(e.denied for e in errors.values()):
        # a 500, a timeout, throttling: says nothing about what this account may read
        return _cell(
            site,
            "2",
            Verdict.UNKNOWN,
            f"{failed}, not a refusal ({summary} shown from the cache)",
            Evidence.INFERRED,
            at,
            "",
            srcs,
        )
    if len(errors) == len(kinds) and not any(counts.values()):
        return _cell(site, "2", Verdict.NO, failed, Evidence.INFERRED, at, "", srcs)
    return _cell(
        site, "2", Verdict.PARTIAL, f"{failed} ({summary} shown)", Evidence.INFERRED, at, "", srcs
    )


def step3_pick(site: Site, m: Match | None) -> Cell:
    kinds = (ResourceKind.NETWORKS, ResourceKind.FLAVORS, ResourceKind.IMAGES)
    at = site.read_at(*kinds)
    if m is None or not all(site.has(k) for k in kinds):
        return _cell(site, "3", Verdict.UNKNOWN, "catalogue not read yet", Evidence.INFERRED, at)
    srcs = [
        _src(kind, c.record.name, "chosen", c.reason)
        for kind, c in (
            (ResourceKind.FLAVORS, m.flavor),
            (ResourceKind.IMAGES, m.image),
            (ResourceKind.NETWORKS, m.network),
        )
        if c.record is not None
    ]
    missing = [
        (what, c)
        for what, c in (("flavor", m.flavor), ("image", m.image), ("network", m.network))
        if not c.found
    ]
    if missing:
        why = "; ".join(f"{what}: {c.reason}" for what, c in missing)
        return _cell(
            site, "3", Verdict.NO, f"{m.spec.image}: {why}", Evidence.INFERRED, at, "", srcs
        )
    picked = f"{m.flavor.record.name} · {m.image.record.name} · {m.network.record.name}"  # type: ignore[union-attr]
    if m.network.ambiguous:
        return _cell(
            site,
            "3",
            Verdict.PARTIAL,
            f"network must be chosen: {m.network.reason}",
            Evidence.INFERRED,
            at,
            "",
            srcs,
        )
    return _cell(site, "3", Verdict.YES, picked, Evidence.INFERRED, at, "", srcs)


def step4_request(site: Site) -> Cell:
    api = {"aws": "RunInstances", "gce": "instances.insert", "openstack": "servers.create (Nova)"}[
        site.platform
    ]
    return _cell(
        site,
        "4",
        Verdict.YES,
        f"{api}; not measured yet",
        Evidence.DECLARED,
        _declared_at(site),
        "",
        [_src("platform", site.platform, "create call", api)],
    )


#: Strategies that give a public address without extra steps, and how a reason names them.
_AT_BOOT = {
    PublicIpStrategy.AUTO_ASSIGN: "auto-assign",
    PublicIpStrategy.ACCESS_CONFIG: "access config",
    PublicIpStrategy.DIRECT: "direct",
}


def step5_public(site: Site, strategy: Strategy | None) -> Cell:
    if strategy is None:
        return _cell(site, "5", Verdict.UNKNOWN, "networks not read yet", Evidence.INFERRED, 0.0)
    inferred = strategy.evidence is Evidence.INFERRED
    at = site.read_at(ResourceKind.NETWORKS) if inferred else _declared_at(site)
    s = strategy.kind
    srcs = strategy.sources
    if s in _AT_BOOT:
        verdict, why = Verdict.YES, f"{_AT_BOOT[s]}: {strategy.reason}"
        if strategy.unreachable:
            verdict, why = Verdict.PARTIAL, f"{why} {strategy.unreachable}"
    elif s is PublicIpStrategy.FLOATING_IP:
        word = _FIP_WORDS.get(site.platform, "a floating IP")
        pool = f" from `{strategy.pool}`" if strategy.pool and strategy.pool != "vpc" else ""
        verdict, why = Verdict.NO, f"needs {word}{pool} (allocate and attach): {strategy.reason}"
    elif s is PublicIpStrategy.IPV6_ONLY:
        verdict, why = Verdict.PARTIAL, f"IPv6 only: {strategy.reason}"
    elif jump := site.overrides.get("jump_host"):
        verdict, why = Verdict.PARTIAL, f"none: {strategy.reason}; reached through jump host {jump}"
        srcs = (*srcs, _src("config", site.cloud, "overrides.jump_host", jump))
    else:
        verdict, why = (
            Verdict.NO,
            f"none: {strategy.reason}; set overrides.jump_host to reach nodes",
        )
    return _cell(site, "5", verdict, why, strategy.evidence, at, str(s), srcs)


def login_accounts(site: Site) -> Counter[str]:
    """Login accounts of the site's Linux images, most common first."""
    images: list[Image] = list(site.records(ResourceKind.IMAGES))  # type: ignore[arg-type]
    return Counter(
        i.login_user
        for i in images
        if i.login_user and i.distro not in ("windows", "") and not i.login_user.startswith("any")
    )


def ssh_reach(site: Site) -> tuple[Verdict, str, list[Source]]:
    """Does the firewall new nodes get admit TCP 22 from anywhere?"""
    if not site.has(ResourceKind.SECURITY_GROUPS):
        return Verdict.UNKNOWN, "security groups not read", []
    groups: list[SecurityGroup] = list(site.records(ResourceKind.SECURITY_GROUPS))  # type: ignore[arg-type]
    if site.platform == "gce":
        open_ = [
            g
            for g in groups
            if g.ssh_open and (not g.network or g.network.split("/")[0] == "default")
        ]
        srcs = [
            _src(ResourceKind.SECURITY_GROUPS, g.name, "sourceRanges+allowed tcp:22", "open")
            for g in open_
        ]
        if open_:
            return Verdict.YES, f"firewall rule `{open_[0].name}` admits TCP 22 from anywhere", srcs
        return Verdict.NO, "no firewall rule admits TCP 22 from anywhere: add one", srcs
    default = next((g for g in groups if g.name == "default"), None)
    others = [g for g in groups if g.ssh_open and g is not default]
    srcs = [
        _src(ResourceKind.SECURITY_GROUPS, g.name, "ingress tcp:22 from 0.0.0.0/0", g.ssh_open)
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


def step6_login(site: Site, strategy: Strategy | None) -> Cell:
    at = site.read_at(ResourceKind.IMAGES, ResourceKind.SECURITY_GROUPS)
    reach, reach_why, srcs = ssh_reach(site)
    override = site.overrides.get("login_user")
    if override:
        verdict, why, value = Verdict.YES, f"overrides.login_user: {override}", override
        srcs.append(_src("config", site.cloud, "overrides.login_user", override))
    elif site.platform == "gce":
        verdict, why, value = (
            Verdict.YES,
            "any account name: the guest agent creates the one in ssh-keys metadata",
            "any",
        )
        srcs.append(_src("platform", "gce", "ssh-keys", "user:key google-ssh {userName}"))
    else:
        accounts = login_accounts(site)
        if not accounts:
            return _cell(
                site,
                "6",
                Verdict.UNKNOWN,
                "no Linux images to read the account from",
                Evidence.INFERRED,
                at,
                "",
                srcs,
            )
        names = [a for a, _ in accounts.most_common()]
        value = ",".join(sorted(names))
        srcs += [
            _src(ResourceKind.IMAGES, f"{n} images", "login account", f"{a}")
            for a, n in accounts.most_common(6)
        ]
        if len(names) == 1:
            verdict, why = Verdict.YES, f"every image logs in as {names[0]}"
        else:
            verdict, why = Verdict.PARTIAL, f"account depends on image: {' / '.join(names[:5])}"
    if reach is not Verdict.YES and reach is not Verdict.UNKNOWN:
        verdict = Verdict.PARTIAL if verdict is Verdict.YES else verdict
    why += f"; {reach_why}"
    if strategy is not None and strategy.kind is PublicIpStrategy.NONE:
        why += "; only through the jump host"
    return _cell(site, "6", verdict, why, Evidence.INFERRED, at, value, srcs)


def step7_root(site: Site) -> Cell:
    at = _declared_at(site)
    if site.platform == "gce":
        return _cell(
            site,
            "7",
            Verdict.YES,
            "via sudo: the metadata account gets passwordless sudo (google-sudoers)",
            Evidence.DECLARED,
            at,
            "sudo",
            [_src("platform", "gce", "guest agent", "google-sudoers")],
        )
    return _cell(
        site,
        "7",
        Verdict.YES,
        "via sudo as the login account (cloud-init gives it NOPASSWD sudo); root's own login is refused until then",
        Evidence.DECLARED,
        at,
        "sudo",
        [_src("platform", site.platform, "cloud-init", "default_user sudo, disable_root")],
    )


def step8_remove(site: Site) -> Cell:
    at = _declared_at(site)
    if site.platform == "gce":
        return _cell(
            site,
            "8",
            Verdict.YES,
            "removing the ssh-keys entry makes the guest agent delete the key on the node; expireOn does it by itself",
            Evidence.DECLARED,
            at,
            "live",
            [_src("platform", "gce", "guest agent", "applies metadata changes live")],
        )
    call = "DeleteKeyPair" if site.platform == "aws" else "keypair delete"
    return _cell(
        site,
        "8",
        Verdict.PARTIAL,
        f"{call} removes the cloud's copy only: the node keeps the key in authorized_keys until it is edited",
        Evidence.DECLARED,
        at,
        "cloud-copy-only",
        [_src("platform", site.platform, "key pair", "read at boot only")],
    )


# ------------------------------------------------------------- behaviours


def behaviour_public(site: Site, step5: Cell) -> Cell:
    return Cell(
        site.cloud,
        "public-address",
        step5.verdict,
        step5.reason,
        step5.evidence,
        step5.observed_at,
        step5.value or "unknown",
        step5.sources,
    )


def behaviour_ipv6(site: Site) -> Cell:
    if not site.has(ResourceKind.NETWORKS):
        return _cell(site, "ipv6", Verdict.UNKNOWN, "networks not read yet", Evidence.INFERRED, 0.0)
    nets: list[Network] = list(site.records(ResourceKind.NETWORKS))  # type: ignore[arg-type]
    v6 = [n for n in nets if any(":" in c and _global(c) for c in n.cidrs)]
    nodes6 = [
        n for n in _nodes_with(site, AddressKind.PUBLIC) if any(a.version == 6 for a in n.addresses)
    ]
    at = site.read_at(ResourceKind.NETWORKS)
    srcs = [_src(ResourceKind.NETWORKS, n.name, "cidrs", ", ".join(n.cidrs)) for n in v6[:4]]
    srcs += [
        _src(
            ResourceKind.NODES,
            n.name,
            "addresses",
            next(a.ip for a in n.addresses if a.version == 6),
        )
        for n in nodes6[:2]
    ]
    if v6 or nodes6:
        where = ", ".join(n.name for n in v6[:3]) or f"{len(nodes6)} nodes"
        return _cell(
            site, "ipv6", Verdict.YES, f"global IPv6 on {where}", Evidence.INFERRED, at, "", srcs
        )
    srcs = [
        _src(ResourceKind.NETWORKS, n.name, "cidrs", ", ".join(n.cidrs) or "-") for n in nets[:6]
    ]
    return _cell(
        site,
        "ipv6",
        Verdict.NO,
        "no network has a global IPv6 range",
        Evidence.INFERRED,
        at,
        "",
        srcs,
    )


#: Not reachable from outside: unique-local and link-local IPv6.
_LOCAL_V6 = (ipaddress.ip_network("fc00::/7"), ipaddress.ip_network("fe80::/10"))


def _global(cidr: str) -> bool:
    """A routable IPv6 range (documentation ranges count: the demo clouds use
    them the way real sites use theirs)."""
    try:
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return net.version == 6 and not any(net.subnet_of(local) for local in _LOCAL_V6)  # type: ignore[arg-type]


def behaviour_logins(site: Site) -> list[Cell]:
    """One cell per distro family the site has images of: the account they use."""
    images: list[Image] = list(site.records(ResourceKind.IMAGES))  # type: ignore[arg-type]
    at = site.read_at(ResourceKind.IMAGES)
    out = []
    for family in LOGIN_FAMILIES:
        of = [i for i in images if i.distro == family]
        if not of:
            continue
        accounts = Counter(i.login_user for i in of if i.login_user)
        check = f"{LOGIN_PREFIX}{family}"
        srcs = [
            _src(ResourceKind.IMAGES, i.name, "login account", i.login_user or "?") for i in of[:3]
        ]
        if not accounts:
            out.append(
                _cell(
                    site,
                    check,
                    Verdict.UNKNOWN,
                    f"{len(of)} images, account not known",
                    Evidence.INFERRED,
                    at,
                    "",
                    srcs,
                )
            )
            continue
        user, n = accounts.most_common(1)[0]
        value = "any" if user.startswith("any") else user
        why = (
            "any name, via ssh-keys metadata"
            if value == "any"
            else f"{user} ({n} of {len(of)} images)"
        )
        out.append(_cell(site, check, Verdict.YES, why, Evidence.INFERRED, at, value, srcs))
    return out


def behaviour_root(site: Site) -> Cell:
    at = _declared_at(site)
    if site.platform == "gce":
        return _cell(
            site,
            "root-login",
            Verdict.NO,
            "public images' sshd says PermitRootLogin no",
            Evidence.DECLARED,
            at,
            "",
            [_src("platform", "gce", "sshd_config", "PermitRootLogin no")],
        )
    return _cell(
        site,
        "root-login",
        Verdict.NO,
        "cloud-init disable_root: root's key prints 'Please login as the user …' and exits 142",
        Evidence.DECLARED,
        at,
        "",
        [_src("platform", site.platform, "cloud-init", "disable_root: true")],
    )


def behaviour_password(site: Site) -> Cell:
    at = _declared_at(site)
    why = {
        "aws": "password authentication is disabled on AWS images (AWS user guide)",
        "gce": "local users have no password on GCE images",
        "openstack": "cloud-init ssh_pwauth: false on cloud images",
    }[site.platform]
    return _cell(
        site,
        "password-login",
        Verdict.NO,
        why,
        Evidence.DECLARED,
        at,
        "",
        [_src("platform", site.platform, "sshd", "PasswordAuthentication no")],
    )


def behaviour_keys(site: Site) -> Cell:
    at = _declared_at(site)
    if site.platform == "gce":
        return _cell(
            site,
            "key-delivery",
            Verdict.YES,
            "ssh-keys metadata, applied live by the guest agent",
            Evidence.DECLARED,
            at,
            "live",
            [_src("platform", "gce", "metadata", "ssh-keys")],
        )
    word = "one EC2 key pair (KeyName)" if site.platform == "aws" else "one Nova keypair (key_name)"
    return _cell(
        site,
        "key-delivery",
        Verdict.NO,
        f"{word} at boot only; later keys go in by SSH",
        Evidence.DECLARED,
        at,
        "boot only",
        [_src("platform", site.platform, "key pair", "boot only")],
    )


def behaviour_default_network(site: Site, m: Match | None) -> Cell:
    at = site.read_at(ResourceKind.NETWORKS)
    if m is None or not site.has(ResourceKind.NETWORKS):
        return _cell(
            site, "default-network", Verdict.UNKNOWN, "networks not read yet", Evidence.INFERRED, at
        )
    c = m.network
    srcs = [_src(ResourceKind.NETWORKS, c.record.name, "chosen", c.reason)] if c.record else []
    if c.record is None:
        return _cell(site, "default-network", Verdict.NO, c.reason, Evidence.INFERRED, at, "", srcs)
    if c.ambiguous:
        return _cell(
            site,
            "default-network",
            Verdict.PARTIAL,
            c.reason,
            Evidence.INFERRED,
            at,
            "",
            srcs,
        )
    return _cell(site, "default-network", Verdict.YES, c.reason, Evidence.INFERRED, at, "", srcs)


def behaviour_ssh(site: Site) -> Cell:
    verdict, why, srcs = ssh_reach(site)
    return _cell(
        site,
        "ssh-open",
        verdict,
        why,
        Evidence.INFERRED,
        site.read_at(ResourceKind.SECURITY_GROUPS),
        str(verdict),
        srcs,
    )


def behaviour_states(site: Site) -> Cell:
    nodes: list[Node] = list(site.records(ResourceKind.NODES))  # type: ignore[arg-type]
    seen = sorted({f"{n.raw_state}→{n.state}" for n in nodes if n.raw_state})
    srcs = [_src(ResourceKind.NODES, "(states seen)", "status", s) for s in seen[:6]]
    verdict = Verdict.PARTIAL if site.platform == "gce" else Verdict.YES
    return _cell(
        site,
        "state-words",
        verdict,
        _STATE_WORDS[site.platform],
        Evidence.DECLARED,
        _declared_at(site),
        "",
        srcs,
    )


def evaluate(site: Site, spec: Spec | None = None) -> tuple[list[Cell], Match | None]:
    """Every check for one site, and its equivalence match for `spec`."""
    strategy = public_strategy(site)
    m = (
        match(site, spec or DEFAULT_SPEC, strategy.kind if strategy else PublicIpStrategy.NONE)
        if site.snapshot
        else None
    )
    step5 = step5_public(site, strategy)
    rules: list[Callable[[], Cell]] = [
        lambda: step1_key(site),
        lambda: step2_read(site),
        lambda: step3_pick(site, m),
        lambda: step4_request(site),
        lambda: step5,
        lambda: step6_login(site, strategy),
        lambda: step7_root(site),
        lambda: step8_remove(site),
        lambda: behaviour_public(site, step5),
        lambda: behaviour_ipv6(site),
        lambda: behaviour_root(site),
        lambda: behaviour_password(site),
        lambda: behaviour_keys(site),
        lambda: behaviour_default_network(site, m),
        lambda: behaviour_ssh(site),
        lambda: behaviour_states(site),
    ]
    cells = [rule() for rule in rules]
    cells += behaviour_logins(site)
    return cells, m
