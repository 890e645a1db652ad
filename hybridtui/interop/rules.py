"""The rules: one function per check, reading a site's records (inferred) or,
where records cannot tell, what the platform is documented to do (declared;
`shared/cloud-facts.md` §3). Each returns a Cell with the facts it used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from hybridtui.domain import (
    Image,
    KeyPair,
    Node,
    PublicIpStrategy,
    ResourceKind,
    peek_raw,
)
from hybridtui.interop.behaviours import (
    behaviour_default_network,
    behaviour_ipv6,
    behaviour_keys,
    behaviour_logins,
    behaviour_password,
    behaviour_public,
    behaviour_root,
    behaviour_ssh,
    behaviour_states,
)
from hybridtui.interop.equivalence import Match, Spec, match
from hybridtui.interop.facts import (
    Strategy,
    declared_at,
    fact,
    make_cell,
    public_strategy,
    ssh_reach,
)
from hybridtui.interop.model import (
    Cell,
    Evidence,
    Verdict,
)
from hybridtui.interop.site import Site

__all__ = ["DEFAULT_SPEC", "evaluate", "public_strategy"]

#: What to look for when no spec is given: a small, common node.
DEFAULT_SPEC = Spec()

_FIP_WORDS = {"aws": "an Elastic IP", "openstack": "a floating IP", "gce": "a static external IP"}

# ------------------------------------------------------------------ rules


def step1_key(site: Site) -> Cell:
    at = declared_at(site)
    keys_err = site.snapshot.kind_errors.get(ResourceKind.KEYS) if site.snapshot else None
    if site.platform == "gce":
        keys = site.of(KeyPair)
        if any(k.key_type == "os-login" and k.scope == "project" for k in keys):
            return make_cell(
                site,
                "1",
                Verdict.NO,
                "OS Login is on for the project: ssh-keys metadata is ignored; keys come from IAM",
                Evidence.INFERRED,
                site.read_at(ResourceKind.KEYS),
                "os-login",
                [
                    fact(
                        ResourceKind.KEYS,
                        "project",
                        "commonInstanceMetadata.enable-oslogin",
                        "TRUE",
                    )
                ],
            )
        nodes = site.of(Node)
        oslogin = [n for n in nodes if _metadata(n).get("enable-oslogin", "").upper() == "TRUE"]
        if oslogin:
            return make_cell(
                site,
                "1",
                Verdict.PARTIAL,
                f"OS Login is on for {len(oslogin)} nodes: ssh-keys metadata is ignored there",
                Evidence.INFERRED,
                site.read_at(ResourceKind.NODES),
                "metadata",
                [
                    fact(ResourceKind.NODES, n.name, "metadata.enable-oslogin", "TRUE")
                    for n in oslogin[:4]
                ],
            )
        return make_cell(
            site,
            "1",
            Verdict.YES,
            "an ssh-keys metadata entry with expireOn (no key object)",
            Evidence.DECLARED,
            at,
            "metadata",
            [fact("platform", "gce", "metadata", "ssh-keys")],
        )
    api = (
        "ImportKeyPair, then KeyName at launch"
        if site.platform == "aws"
        else "create_keypair, then key_name at boot"
    )
    if keys_err is not None and keys_err.denied:
        return make_cell(
            site,
            "1",
            Verdict.PARTIAL,
            f"listing key pairs is refused ({keys_err.title}): importing may be too",
            Evidence.INFERRED,
            keys_err.at,
            "key-pair",
            [fact(ResourceKind.KEYS, "(listing)", "error", keys_err.message)],
        )
    word = "EC2 key pair" if site.platform == "aws" else "Nova keypair"
    return make_cell(
        site,
        "1",
        Verdict.YES,
        f"{word}: {api}",
        Evidence.DECLARED,
        at,
        "key-pair",
        [fact("platform", site.platform, "key mechanism", word)],
    )


def _metadata(node: Node) -> dict[str, str]:
    items = (peek_raw(node).get("metadata") or {}).get("items") or []
    return {str(i.get("key")): str(i.get("value")) for i in items if isinstance(i, dict)}


def step2_read(site: Site) -> Cell:
    kinds = (ResourceKind.NETWORKS, ResourceKind.FLAVORS, ResourceKind.IMAGES)
    if site.snapshot is None or not any(site.has(k) for k in kinds):
        return make_cell(site, "2", Verdict.UNKNOWN, "not read yet", Evidence.INFERRED, 0.0)
    errors = {k: site.snapshot.kind_errors[k] for k in kinds if k in site.snapshot.kind_errors}
    counts = {k: len(site.records(k)) for k in kinds}
    srcs = [fact(k, "(listing)", "records", counts[k]) for k in kinds]
    srcs += [fact(k, "(listing)", "error", e.message) for k, e in errors.items()]
    at = site.read_at(*kinds)
    summary = ", ".join(f"{counts[k]} {k}" for k in kinds)
    if not errors:
        empty = [str(k) for k in kinds if not counts[k]]
        if empty:
            return make_cell(
                site,
                "2",
                Verdict.PARTIAL,
                f"{summary}: no {' or '.join(empty)}",
                Evidence.INFERRED,
                at,
                "",
                srcs,
            )
        return make_cell(site, "2", Verdict.YES, summary, Evidence.INFERRED, at, "", srcs)
    failed = "; ".join(f"{k}: {e.title}" for k, e in errors.items())
    if not any(e.denied for e in errors.values()):
        # a 500, a timeout, throttling: says nothing about what this account may read
        return make_cell(
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
        return make_cell(site, "2", Verdict.NO, failed, Evidence.INFERRED, at, "", srcs)
    return make_cell(
        site, "2", Verdict.PARTIAL, f"{failed} ({summary} shown)", Evidence.INFERRED, at, "", srcs
    )


def step3_pick(site: Site, m: Match | None) -> Cell:
    kinds = (ResourceKind.NETWORKS, ResourceKind.FLAVORS, ResourceKind.IMAGES)
    at = site.read_at(*kinds)
    if m is None or not all(site.has(k) for k in kinds):
        return make_cell(
            site, "3", Verdict.UNKNOWN, "catalogue not read yet", Evidence.INFERRED, at
        )
    srcs = [
        fact(kind, c.record.name, "chosen", c.reason)
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
        return make_cell(
            site, "3", Verdict.NO, f"{m.spec.image}: {why}", Evidence.INFERRED, at, "", srcs
        )
    picked = f"{m.flavor.record.name} · {m.image.record.name} · {m.network.record.name}"  # type: ignore[union-attr]
    if m.network.ambiguous:
        return make_cell(
            site,
            "3",
            Verdict.PARTIAL,
            f"network must be chosen: {m.network.reason}",
            Evidence.INFERRED,
            at,
            "",
            srcs,
        )
    return make_cell(site, "3", Verdict.YES, picked, Evidence.INFERRED, at, "", srcs)


def step4_request(site: Site) -> Cell:
    api = {"aws": "RunInstances", "gce": "instances.insert", "openstack": "servers.create (Nova)"}[
        site.platform
    ]
    return make_cell(
        site,
        "4",
        Verdict.YES,
        f"{api}; not measured yet",
        Evidence.DECLARED,
        declared_at(site),
        "",
        [fact("platform", site.platform, "create call", api)],
    )


#: Strategies that give a public address without extra steps, and how a reason names them.
_AT_BOOT = {
    PublicIpStrategy.AUTO_ASSIGN: "auto-assign",
    PublicIpStrategy.ACCESS_CONFIG: "access config",
    PublicIpStrategy.DIRECT: "direct",
}


def step5_public(site: Site, strategy: Strategy | None) -> Cell:
    if strategy is None:
        return make_cell(
            site, "5", Verdict.UNKNOWN, "networks not read yet", Evidence.INFERRED, 0.0
        )
    inferred = strategy.evidence is Evidence.INFERRED
    at = site.read_at(ResourceKind.NETWORKS) if inferred else declared_at(site)
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
        srcs = (*srcs, fact("config", site.cloud, "overrides.jump_host", jump))
    else:
        verdict, why = (
            Verdict.NO,
            f"none: {strategy.reason}; set overrides.jump_host to reach nodes",
        )
    return make_cell(site, "5", verdict, why, strategy.evidence, at, str(s), srcs)


def login_accounts(site: Site) -> Counter[str]:
    """Login accounts of the site's Linux images, most common first."""
    images = site.of(Image)
    return Counter(
        i.login_user
        for i in images
        if i.login_user and i.distro not in ("windows", "") and not i.login_user.startswith("any")
    )


def step6_login(site: Site, strategy: Strategy | None) -> Cell:
    at = site.read_at(ResourceKind.IMAGES, ResourceKind.SECURITY_GROUPS)
    reach, reach_why, srcs = ssh_reach(site)
    override = site.overrides.get("login_user")
    if override:
        verdict, why, value = Verdict.YES, f"overrides.login_user: {override}", override
        srcs.append(fact("config", site.cloud, "overrides.login_user", override))
    elif site.platform == "gce":
        verdict, why, value = (
            Verdict.YES,
            "any account name: the guest agent creates the one in ssh-keys metadata",
            "any",
        )
        srcs.append(fact("platform", "gce", "ssh-keys", "user:key google-ssh {userName}"))
    else:
        accounts = login_accounts(site)
        if not accounts:
            return make_cell(
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
            fact(ResourceKind.IMAGES, f"{n} images", "login account", f"{a}")
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
    return make_cell(site, "6", verdict, why, Evidence.INFERRED, at, value, srcs)


def step7_root(site: Site) -> Cell:
    at = declared_at(site)
    if site.platform == "gce":
        return make_cell(
            site,
            "7",
            Verdict.YES,
            "via sudo: the metadata account gets passwordless sudo (google-sudoers)",
            Evidence.DECLARED,
            at,
            "sudo",
            [fact("platform", "gce", "guest agent", "google-sudoers")],
        )
    return make_cell(
        site,
        "7",
        Verdict.YES,
        "via sudo as the login account (cloud-init gives it NOPASSWD sudo); root's own login is refused until then",
        Evidence.DECLARED,
        at,
        "sudo",
        [fact("platform", site.platform, "cloud-init", "default_user sudo, disable_root")],
    )


def step8_remove(site: Site) -> Cell:
    at = declared_at(site)
    if site.platform == "gce":
        return make_cell(
            site,
            "8",
            Verdict.YES,
            "removing the ssh-keys entry makes the guest agent delete the key on the node; expireOn does it by itself",
            Evidence.DECLARED,
            at,
            "live",
            [fact("platform", "gce", "guest agent", "applies metadata changes live")],
        )
    call = "DeleteKeyPair" if site.platform == "aws" else "keypair delete"
    return make_cell(
        site,
        "8",
        Verdict.PARTIAL,
        f"{call} removes the cloud's copy only: the node keeps the key in authorized_keys until it is edited",
        Evidence.DECLARED,
        at,
        "cloud-copy-only",
        [fact("platform", site.platform, "key pair", "read at boot only")],
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
