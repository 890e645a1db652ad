"""Spec + a cloud's snapshot + its config → what will be asked of that cloud.

Pure: the same equivalence code as the scorecard's step 3 picks flavor, image
and network; the comparator's rules read the public-address strategy. A cloud
that cannot take the spec is refused here, before anything is created.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hybridtui.domain import Flavor, Image, Network, PublicIpStrategy, ResourceKind
from hybridtui.errors import ProvisionError
from hybridtui.interop.equivalence import Spec, match
from hybridtui.interop.rules import public_strategy
from hybridtui.interop.site import Site
from hybridtui.providers.normalize import ANY_LOGIN_GCE

#: The account hybridtui asks GCE's guest agent to create when none is configured.
GCE_DEFAULT_LOGIN = "hybrid"
#: Accounts cloud images use, tried after the image's own hint (cloud-facts §3.1).
COMMON_LOGINS = (
    "ubuntu",
    "ec2-user",
    "admin",
    "debian",
    "cloud-user",
    "centos",
    "rocky",
    "almalinux",
    "fedora",
    "core",
)


class PlanError(ProvisionError):
    """This cloud cannot take the spec (or may not be written to): nothing is created."""

    title = "Cannot provision"


@dataclass(frozen=True, slots=True)
class Plan:
    cloud: str
    platform: str
    spec: Spec
    flavor: Flavor
    image: Image
    network: Network
    strategy: PublicIpStrategy
    #: Why each choice was made: flavor, image, network, public address, login.
    reasons: dict[str, str] = field(default_factory=dict)
    #: External network floating IPs come from ('' when the cloud needs none).
    pool: str = ""
    #: Login accounts to try, best first.
    logins: tuple[str, ...] = ()
    #: `HOST:PORT` steps 6–8 dial instead of the node's address (port forwarding, test rigs).
    ssh_endpoint: str = ""
    jump_host: str = ""
    security_groups: tuple[str, ...] = ()

    @property
    def login(self) -> str:
        return self.logins[0] if self.logins else ""

    def rows(self) -> list[tuple[str, str, str]]:
        """(what, choice, why) for each decision, as the plan is shown."""
        return [
            ("flavor", self.flavor.name, self.reasons["flavor"]),
            ("image", self.image.name, self.reasons["image"]),
            ("network", self.network.name, self.reasons["network"]),
            ("public address", str(self.strategy), self.reasons["public address"]),
            ("login", self.login, self.reasons["login"]),
        ]

    def describe(self) -> str:
        lines = [f"{self.cloud}:"]
        for label, value, why in self.rows():
            lines.append(f"  {label:15} {value}")
            lines.append(f"  {'':15} {why}")
        return "\n".join(lines)


def make_plan(
    site: Site, spec: Spec, *, read_only: bool, security_groups: tuple[str, ...] = ()
) -> Plan:
    """The plan for one cloud, or PlanError saying why there is none."""
    if read_only:
        raise PlanError(
            f"{site.cloud} is read-only: nothing is provisioned there",
            hint=f"Set `read_only: false` on {site.cloud} in the config to allow writes.",
        )
    if site.snapshot is None:
        raise PlanError(
            f"{site.cloud}: its inventory has not been read yet",
            hint="Run `hybridtui inventory --kind all` first, or check the cloud's error.",
        )
    strategy = public_strategy(site)
    if strategy is None:
        raise PlanError(
            f"{site.cloud}: its networks have not been read, so the public-address strategy is unknown"
        )
    if (
        strategy.kind is PublicIpStrategy.NONE
        and not site.overrides.get("jump_host")
        and not site.overrides.get("ssh_endpoint")
    ):
        raise PlanError(
            f"{site.cloud}: nodes here get no public address ({strategy.reason}), and no jump"
            " host is configured to reach them through: steps 6-8 could not log in",
            hint=f"Set overrides.jump_host ([user@]host[:port]) on {site.cloud}.",
        )
    failed = {
        kind: err
        for kind, err in site.snapshot.kind_errors.items()
        if kind in (ResourceKind.FLAVORS, ResourceKind.IMAGES, ResourceKind.NETWORKS)
        and not site.snapshot.resources(kind)
    }
    if failed:  # a listing that failed is not "none listed": say what the cloud said
        raise PlanError(
            f"{site.cloud}: cannot plan without its "
            + "; ".join(f"{kind} ({err.title}: {err.message})" for kind, err in failed.items()),
            hint=next((e.hint for e in failed.values() if e.hint), "")
            or "Retry once the cloud answers (`hybridtui inventory --kind all` shows each kind).",
        )
    m = match(site, spec, strategy.kind)
    missing = [
        (what, c.reason)
        for what, c in (("flavor", m.flavor), ("image", m.image), ("network", m.network))
        if c.record is None
    ]
    if missing:
        raise PlanError(
            f"{site.cloud}: no match for {spec}: " + "; ".join(f"{w}: {r}" for w, r in missing),
            hint="Change the spec, or name the flavor/image/network in the cloud's `overrides:`.",
        )
    assert isinstance(m.flavor.record, Flavor)
    assert isinstance(m.image.record, Image)
    assert isinstance(m.network.record, Network)
    image = m.image.record
    logins = _logins(site, image)
    pool = site.overrides.get("floating_ip_pool", "") or (
        strategy.pool
        if strategy.kind is PublicIpStrategy.FLOATING_IP and strategy.pool != "vpc"
        else ""
    )
    reasons = {
        "flavor": m.flavor.reason,
        "image": m.image.reason,
        "network": m.network.reason,
        "public address": f"{strategy.kind}: {strategy.reason}",
        "login": _login_reason(site, image, logins),
    }
    return Plan(
        cloud=site.cloud,
        platform=site.platform,
        spec=spec,
        flavor=m.flavor.record,
        image=image,
        network=m.network.record,
        strategy=strategy.kind,
        reasons=reasons,
        pool=pool,
        logins=logins,
        ssh_endpoint=site.overrides.get("ssh_endpoint", ""),
        jump_host=site.overrides.get("jump_host", ""),
        security_groups=security_groups,
    )


def _logins(site: Site, image: Image) -> tuple[str, ...]:
    override = site.overrides.get("login_user", "")
    if site.platform == "gce":
        # GCE: the account is whatever name goes into ssh-keys metadata
        return (override or GCE_DEFAULT_LOGIN,)
    hinted = image.login_user if image.login_user and image.login_user != ANY_LOGIN_GCE else ""
    ordered = [override, hinted, *COMMON_LOGINS]
    return tuple(dict.fromkeys(u for u in ordered if u))


def _login_reason(site: Site, image: Image, logins: tuple[str, ...]) -> str:
    if site.overrides.get("login_user"):
        return f"{logins[0]}: set by overrides.login_user"
    if site.platform == "gce":
        return (
            f"{logins[0]}: the name hybridtui puts into ssh-keys metadata (any name works on GCE)"
        )
    if image.login_user:
        return f"{logins[0]}: the account {image.distro or 'this'} images use here; then {', '.join(logins[1:4])}…"
    return f"image gives no hint: trying {', '.join(logins[:4])}…"
