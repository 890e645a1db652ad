"""The behaviour rows under the eight steps: public-address strategy, IPv6,
root and password login, how keys arrive, default network, SSH open by
default, state words, and the login account of each distro family."""

from __future__ import annotations

import ipaddress
from collections import Counter

from hybridtui.domain import (
    AddressKind,
    Image,
    Network,
    Node,
    ResourceKind,
)
from hybridtui.interop.equivalence import Match
from hybridtui.interop.facts import declared_at, fact, make_cell, nodes_with, ssh_reach
from hybridtui.interop.model import (
    LOGIN_FAMILIES,
    LOGIN_PREFIX,
    Cell,
    Evidence,
    Verdict,
)
from hybridtui.interop.site import Site

_STATE_WORDS = {
    "aws": "terminated = deleted (gone); stopped = stopped",
    "gce": "TERMINATED = stopped (restartable, not deleted)",
    "openstack": "SHUTOFF = stopped; SHELVED = offloaded; DELETED = gone",
}

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
        return make_cell(
            site, "ipv6", Verdict.UNKNOWN, "networks not read yet", Evidence.INFERRED, 0.0
        )
    nets = site.of(Network)
    v6 = [n for n in nets if any(":" in c and _global(c) for c in n.cidrs)]
    nodes6 = [
        n for n in nodes_with(site, AddressKind.PUBLIC) if any(a.version == 6 for a in n.addresses)
    ]
    at = site.read_at(ResourceKind.NETWORKS)
    srcs = [fact(ResourceKind.NETWORKS, n.name, "cidrs", ", ".join(n.cidrs)) for n in v6[:4]]
    srcs += [
        fact(
            ResourceKind.NODES,
            n.name,
            "addresses",
            next(a.ip for a in n.addresses if a.version == 6),
        )
        for n in nodes6[:2]
    ]
    if v6 or nodes6:
        where = ", ".join(n.name for n in v6[:3]) or f"{len(nodes6)} nodes"
        return make_cell(
            site, "ipv6", Verdict.YES, f"global IPv6 on {where}", Evidence.INFERRED, at, "", srcs
        )
    srcs = [
        fact(ResourceKind.NETWORKS, n.name, "cidrs", ", ".join(n.cidrs) or "-") for n in nets[:6]
    ]
    return make_cell(
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
    images = site.of(Image)
    at = site.read_at(ResourceKind.IMAGES)
    out = []
    for family in LOGIN_FAMILIES:
        of = [i for i in images if i.distro == family]
        if not of:
            continue
        accounts = Counter(i.login_user for i in of if i.login_user)
        check = f"{LOGIN_PREFIX}{family}"
        srcs = [
            fact(ResourceKind.IMAGES, i.name, "login account", i.login_user or "?") for i in of[:3]
        ]
        if not accounts:
            out.append(
                make_cell(
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
        out.append(make_cell(site, check, Verdict.YES, why, Evidence.INFERRED, at, value, srcs))
    return out


def behaviour_root(site: Site) -> Cell:
    at = declared_at(site)
    if site.platform == "gce":
        return make_cell(
            site,
            "root-login",
            Verdict.NO,
            "public images' sshd says PermitRootLogin no",
            Evidence.DECLARED,
            at,
            "",
            [fact("platform", "gce", "sshd_config", "PermitRootLogin no")],
        )
    return make_cell(
        site,
        "root-login",
        Verdict.NO,
        "cloud-init disable_root: root's key prints 'Please login as the user …' and exits 142",
        Evidence.DECLARED,
        at,
        "",
        [fact("platform", site.platform, "cloud-init", "disable_root: true")],
    )


def behaviour_password(site: Site) -> Cell:
    at = declared_at(site)
    why = {
        "aws": "password authentication is disabled on AWS images (AWS user guide)",
        "gce": "local users have no password on GCE images",
        "openstack": "cloud-init ssh_pwauth: false on cloud images",
    }[site.platform]
    return make_cell(
        site,
        "password-login",
        Verdict.NO,
        why,
        Evidence.DECLARED,
        at,
        "",
        [fact("platform", site.platform, "sshd", "PasswordAuthentication no")],
    )


def behaviour_keys(site: Site) -> Cell:
    at = declared_at(site)
    if site.platform == "gce":
        return make_cell(
            site,
            "key-delivery",
            Verdict.YES,
            "ssh-keys metadata, applied live by the guest agent",
            Evidence.DECLARED,
            at,
            "live",
            [fact("platform", "gce", "metadata", "ssh-keys")],
        )
    word = "one EC2 key pair (KeyName)" if site.platform == "aws" else "one Nova keypair (key_name)"
    return make_cell(
        site,
        "key-delivery",
        Verdict.NO,
        f"{word} at boot only; later keys go in by SSH",
        Evidence.DECLARED,
        at,
        "boot only",
        [fact("platform", site.platform, "key pair", "boot only")],
    )


def behaviour_default_network(site: Site, m: Match | None) -> Cell:
    at = site.read_at(ResourceKind.NETWORKS)
    if m is None or not site.has(ResourceKind.NETWORKS):
        return make_cell(
            site, "default-network", Verdict.UNKNOWN, "networks not read yet", Evidence.INFERRED, at
        )
    c = m.network
    srcs = [fact(ResourceKind.NETWORKS, c.record.name, "chosen", c.reason)] if c.record else []
    if c.record is None:
        return make_cell(
            site, "default-network", Verdict.NO, c.reason, Evidence.INFERRED, at, "", srcs
        )
    if c.ambiguous:
        return make_cell(
            site,
            "default-network",
            Verdict.PARTIAL,
            c.reason,
            Evidence.INFERRED,
            at,
            "",
            srcs,
        )
    return make_cell(
        site, "default-network", Verdict.YES, c.reason, Evidence.INFERRED, at, "", srcs
    )


def behaviour_ssh(site: Site) -> Cell:
    verdict, why, srcs = ssh_reach(site)
    return make_cell(
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
    nodes = site.of(Node)
    seen = sorted({f"{n.raw_state}→{n.state}" for n in nodes if n.raw_state})
    srcs = [fact(ResourceKind.NODES, "(states seen)", "status", s) for s in seen[:6]]
    verdict = Verdict.PARTIAL if site.platform == "gce" else Verdict.YES
    return make_cell(
        site,
        "state-words",
        verdict,
        _STATE_WORDS[site.platform],
        Evidence.DECLARED,
        declared_at(site),
        "",
        srcs,
    )
