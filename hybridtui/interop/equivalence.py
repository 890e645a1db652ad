"""Equivalence: a cloud-neutral spec → this site's flavor, image and network.

Every site names things its own way (`t3.medium`, `e2-medium`, `b2-7`,
`2C-4GB-50GB`; `ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-…`,
`ubuntu-2404-noble-amd64-v…`, `Ubuntu 24.04 Noble Numbat`). Matching reads the
normalized fields (vCPU, RAM, disk, arch, GPUs; distro, release, arch), never
the names, says why it chose, names a runner-up, and says "no match" with the
closest candidate instead of guessing. Provisioning's step 3 uses this code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from hybridtui.domain import Flavor, Image, Network, PublicIpStrategy, Router
from hybridtui.interop.site import Site


class SpecError(ValueError):
    """A spec string that cannot be read; the message says what is expected."""


SPEC_HELP = "vcpus=2,ram_gb=4,disk_gb=20,arch=x86_64|arm64,gpu=0,image=DISTRO[-VERSION]"
_ARCHES = ("x86_64", "arm64")


@dataclass(frozen=True, slots=True)
class Spec:
    """What a node needs, in no cloud's words."""

    vcpus: int = 2
    ram_gb: float = 4.0
    disk_gb: int = 0
    arch: str = "x86_64"
    gpu: int = 0
    distro: str = "ubuntu"
    #: '' means the distro's newest release on each cloud.
    version: str = ""

    @property
    def image(self) -> str:
        return f"{self.distro}-{self.version}" if self.version else self.distro

    def __str__(self) -> str:
        parts = [f"vcpus={self.vcpus}", f"ram_gb={self.ram_gb:g}"]
        if self.disk_gb:
            parts.append(f"disk_gb={self.disk_gb}")
        parts.append(f"arch={self.arch}")
        if self.gpu:
            parts.append(f"gpu={self.gpu}")
        parts.append(f"image={self.image}")
        return ",".join(parts)

    @classmethod
    def parse(cls, text: str) -> Spec:
        """`vcpus=2,ram_gb=4,image=ubuntu-22.04` (any order; unnamed fields keep
        their defaults). Raises SpecError naming the bad part."""
        values: dict[str, object] = {}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, raw = part.partition("=")
            key, raw = key.strip().lower(), raw.strip()
            if not sep or not raw:
                raise SpecError(f"spec part {part!r} is not KEY=VALUE (expected {SPEC_HELP})")
            try:
                if key == "vcpus":
                    values["vcpus"] = _positive(int(raw), key)
                elif key in ("ram_gb", "ram"):
                    values["ram_gb"] = _positive(float(raw), key)
                elif key in ("disk_gb", "disk"):
                    values["disk_gb"] = _positive(int(raw), key, zero=True)
                elif key in ("gpu", "gpus"):
                    values["gpu"] = _positive(int(raw), key, zero=True)
                elif key == "arch":
                    from hybridtui.providers.normalize import arch

                    norm = arch(raw)
                    if norm not in _ARCHES:
                        raise SpecError(f"arch {raw!r} is not one of {', '.join(_ARCHES)}")
                    values["arch"] = norm
                elif key == "image":
                    values["distro"], values["version"] = _image_spec(raw)
                else:
                    raise SpecError(f"unknown spec key {key!r} (expected {SPEC_HELP})")
            except ValueError as e:
                if isinstance(e, SpecError):
                    raise
                raise SpecError(f"{key} {raw!r} is not a number") from None
        return cls(**values)  # type: ignore[arg-type]


def _positive(value: float, key: str, zero: bool = False) -> float:
    if value < 0 or (value == 0 and not zero):
        raise SpecError(
            f"{key} must be {'zero or more' if zero else 'more than zero'}, got {value:g}"
        )
    return value


_DISTRO_SPEC = re.compile(r"^([a-z][a-z-]*?)(?:-(\d[\w.]*))?$")


def _image_spec(raw: str) -> tuple[str, str]:
    from hybridtui.domain import LOGIN_BY_DISTRO_OPENSTACK

    m = _DISTRO_SPEC.match(raw.lower())
    if not m:
        raise SpecError(
            f"image {raw!r} is not DISTRO[-VERSION] (e.g. ubuntu-22.04, debian, rhel-9)"
        )
    distro, version = m.group(1), m.group(2) or ""
    known = {*LOGIN_BY_DISTRO_OPENSTACK, "amazon", "suse", "cos", "windows"}
    if distro not in known:
        import difflib

        close = difflib.get_close_matches(distro, sorted(known), n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        raise SpecError(f"unknown distro {distro!r}; {guess}known: {', '.join(sorted(known))}")
    return distro, version


@dataclass(frozen=True, slots=True)
class Choice:
    """One pick: the record, why, the runner-up; or why nothing fits, with the
    closest candidate."""

    record: Flavor | Image | Network | None
    reason: str
    runner_up: Flavor | Image | Network | None = None
    #: Nothing fits: the nearest miss, to show rather than guess.
    closest: Flavor | Image | Network | None = None
    #: The site leaves the choice open (several candidates, no override).
    ambiguous: bool = False

    @property
    def found(self) -> bool:
        return self.record is not None


@dataclass(frozen=True, slots=True)
class Match:
    cloud: str
    spec: Spec
    flavor: Choice
    image: Choice
    network: Choice
    notes: tuple[str, ...] = field(default=())

    @property
    def complete(self) -> bool:
        return self.flavor.found and self.image.found and self.network.found


# ---------------------------------------------------------------- flavors


def _gib(mb: int) -> str:
    return f"{mb / 1024:g} GiB"


#: Flavors licensed for one OS only (OVH `win-*`): not a match for Linux images.
_WINDOWS_FLAVOR = re.compile(r"^win[-_]", re.IGNORECASE)


def match_flavor(
    flavors: Iterable[Flavor],
    spec: Spec,
    overrides: dict[str, str] | None = None,
    *,
    zero_disk: Literal["launch", "image", "no"] = "launch",
) -> Choice:
    """The smallest flavor with at least the spec's vCPU, RAM and disk, of its
    architecture (an unstated one is accepted and said), without GPUs unless asked.

    A flavor without a disk of its own (0: every EC2 type and GCE machine
    type) and a disk requirement, by `zero_disk`: the cloud sizes the boot
    disk at launch (EC2, GCE: step 4 asks for it); the root disk is the
    image's size, which meets the requirement (OpenStack, when only the
    image's min_disk asks); or it does not fit (OpenStack, a disk the spec
    asks for)."""
    flavors = list(flavors)
    wanted = (overrides or {}).get("flavor")
    if wanted:
        chosen = next((f for f in flavors if wanted in (f.name, f.id)), None)
        if chosen is None:
            return Choice(None, f"overrides.flavor {wanted!r} is not in this site's catalogue")
        return Choice(chosen, f"{chosen.name}: set by overrides.flavor")
    ram_mb = int(spec.ram_gb * 1024)

    def fits(f: Flavor) -> bool:
        return (
            f.vcpus >= spec.vcpus
            and f.ram_mb >= ram_mb
            and (
                not spec.disk_gb
                or f.disk_gb >= spec.disk_gb
                or (not f.disk_gb and zero_disk != "no")
            )
            and (not f.arch or f.arch == spec.arch)
            and (f.gpus >= spec.gpu if spec.gpu else f.gpus == 0)
            and (spec.distro == "windows" or not _WINDOWS_FLAVOR.match(f.name))
        )

    order = sorted(
        (f for f in flavors if fits(f)),
        key=lambda f: (f.vcpus, f.ram_mb, f.disk_gb, f.gpus, f.name),
    )
    need = f"≥{spec.vcpus} vCPU, ≥{spec.ram_gb:g} GiB"
    if spec.disk_gb:
        need += f", ≥{spec.disk_gb} GB disk"
    if spec.gpu:
        need += f", ≥{spec.gpu} GPU"
    if not order:
        if not flavors:
            return Choice(None, "no flavors listed")
        # only the disk short: the smallest of those with the most disk is the closest
        short_of_disk = [f for f in flavors if fits(replace(f, disk_gb=spec.disk_gb))]
        same_arch = [f for f in flavors if not f.arch or f.arch == spec.arch] or flavors
        closest = (
            max(short_of_disk, key=lambda f: (f.disk_gb, -f.vcpus, -f.ram_mb, f.name))
            if short_of_disk
            else max(
                same_arch,
                key=lambda f: (min(f.vcpus / spec.vcpus, f.ram_mb / ram_mb), f.vcpus, f.ram_mb),
            )
        )
        what = f"{closest.name} ({closest.vcpus} vCPU, {_gib(closest.ram_mb)}"
        what += f", {closest.disk_gb} GB disk" if spec.disk_gb else ""
        what += f", {closest.arch})" if closest.arch else ")"
        return Choice(None, f"no {spec.arch} flavor with {need}; closest: {what}", closest=closest)
    best = order[0]
    arch_note = spec.arch if best.arch else f"arch not stated (assumed {spec.arch})"
    disk_note = ""
    if spec.disk_gb and not best.disk_gb:
        disk_note = (
            f", boot disk {spec.disk_gb} GB at launch"
            if zero_disk == "launch"
            else ", root disk the image's size"
        )
    reason = f"{best.name}: smallest with {need}, {arch_note}{disk_note}"
    # flavors of the same size are picked by name, which says nothing of
    # their kind (c6i.large before t3.medium, burstable): name the others
    size = (best.vcpus, best.ram_mb, best.disk_gb, best.gpus)
    same = [f.name for f in order[1:] if (f.vcpus, f.ram_mb, f.disk_gb, f.gpus) == size]
    if same:
        more = f" +{len(same) - 3} more" if len(same) > 3 else ""
        reason += f"; the same size: {', '.join(same[:3])}{more} (overrides.flavor picks one)"
    return Choice(best, reason, runner_up=order[1] if len(order) > 1 else None)


# ----------------------------------------------------------------- images

#: Image names that are not the plain distro: an application stack, a GPU
#: driver bundle, a hardened or minimal build.
_VARIANT = re.compile(
    r"docker|cpanel|plesk|gitlab|kubernetes|k8s|wordpress|virtualmin|nvidia|gpu|cuda|bitnami|"
    r"minimal|\bcis\b|-cis-|sql|deep learning|dlami|eks|\bnat\b|-nat-|optimized|pro\b",
    re.IGNORECASE,
)
#: Not a release: daily and testing builds.
_PRERELEASE = re.compile(r"daily|testing|nightly|beta|\brc\d|-rc\d|preview", re.IGNORECASE)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version)[:3])


def _version_matches(have: str, want: str) -> bool:
    return have == want or have.startswith(want + ".")


def match_image(
    images: Iterable[Image], spec: Spec, overrides: dict[str, str] | None = None
) -> Choice:
    """The newest plain release of the spec's distro (or of its version) for
    its architecture; never an image of the other architecture."""
    images = list(images)
    wanted = (overrides or {}).get("image")
    if wanted:
        chosen = next((i for i in images if wanted in (i.name, i.id)), None)
        if chosen is None:
            return Choice(None, f"overrides.image {wanted!r} is not in this site's catalogue")
        return Choice(chosen, f"{chosen.name}: set by overrides.image")
    of_distro = [i for i in images if i.distro == spec.distro]
    right_arch = [i for i in of_distro if not i.arch or i.arch == spec.arch]
    candidates = [
        i for i in right_arch if not spec.version or _version_matches(i.version, spec.version)
    ]

    order = _ranked(candidates)
    if not order:
        return _no_image(images, of_distro, right_arch, spec)
    best = order[0]
    which = f"matches {spec.version}" if spec.version else "newest release"
    arch_note = best.arch or f"arch not stated (assumed {spec.arch})"
    family = str(best.raw.get("family") or "") if best.raw else ""
    built = f", built {best.created_at[:10]}" if best.created_at else ""
    reason = f"{spec.distro} {best.version or '?'} ({which}), {arch_note}{built}"
    if family:
        reason += f", family {family}"
    if _VARIANT.search(best.name):
        reason += "; only a variant image has it"
    runner = next(
        (i for i in order[1:] if i.version != best.version or _VARIANT.search(i.name)), None
    )
    return Choice(best, reason, runner_up=runner or (order[1] if len(order) > 1 else None))


def _rank(i: Image) -> tuple[object, ...]:
    """Releases before daily builds; newest release; plain before variants;
    stated arch first (ties: see `_ranked`)."""
    return (
        bool(_PRERELEASE.search(i.name)),
        [-n for n in _version_key(i.version)],
        bool(_VARIANT.search(i.name)),
        not i.arch,
    )


def _ranked(images: Iterable[Image]) -> list[Image]:
    """Best first by `_rank`, then newest build, then the name descending (AMI and
    GCE names carry the build date, so equal timestamps still order). Stable
    sorts, least significant key first: no key negates a string."""
    order = sorted(images, key=lambda i: i.name, reverse=True)
    order.sort(key=lambda i: i.created_at, reverse=True)
    order.sort(key=_rank)
    return order


def _no_image(
    images: Sequence[Image], of_distro: Sequence[Image], right_arch: Sequence[Image], spec: Spec
) -> Choice:
    if not images:
        return Choice(None, "no images listed")
    if not of_distro:
        distros = sorted({i.distro for i in images if i.distro})
        return Choice(
            None,
            f"no {spec.distro} images; this site has: {', '.join(distros) or 'none recognised'}",
        )
    if not right_arch:
        other = _ranked(of_distro)[0]
        return Choice(
            None,
            f"no {spec.arch} image of {spec.distro}; closest: {other.name} ({other.arch})",
            closest=other,
        )
    other = _ranked(right_arch)[0]
    versions = sorted({i.version for i in right_arch if i.version}, key=_version_key)
    return Choice(
        None,
        f"no {spec.distro} {spec.version}; releases here: {', '.join(versions)}",
        closest=other,
    )


# --------------------------------------------------------------- networks

#: Names that say "put nodes here" (cloudwrap's private-net list, common defaults).
_NODE_NET_NAMES = re.compile(r"default|private|internal|tenant|servicenet|priv|lan", re.IGNORECASE)


def match_network(site: Site, strategy: PublicIpStrategy) -> Choice:
    """The network (OpenStack), subnet (AWS) or subnetwork (GCE) new nodes go
    on, by the cloud's public-address strategy; an override wins."""

    networks = site.of(Network)
    wanted = site.overrides.get("network")
    if wanted:
        chosen = next((n for n in networks if wanted in (n.name, n.id)), None)
        if chosen is None:
            return Choice(None, f"overrides.network {wanted!r} is not among this site's networks")
        return Choice(chosen, f"{chosen.name}: set by overrides.network")
    if not networks:
        return Choice(None, "no networks listed")
    if site.platform == "aws":
        return _aws_subnet(networks)
    if site.platform == "gce":
        return _gce_subnet(networks, site.region or _busiest_region(site))
    routers = site.of(Router)
    return _openstack_network(networks, routers, strategy)


def _pick(cands: list[Network], why: str, ambiguous: bool = False) -> Choice:
    best = cands[0]
    runner = cands[1] if len(cands) > 1 else None
    if ambiguous and runner is not None:
        names = ", ".join(n.name for n in cands[:4]) + (" …" if len(cands) > 4 else "")
        why += f"; {len(cands)} candidates ({names}): set overrides.network to choose"
    return Choice(
        best, f"{best.name}: {why}", runner_up=runner, ambiguous=ambiguous and runner is not None
    )


def _aws_subnet(networks: list[Network]) -> Choice:
    subnets = sorted(
        (n for n in networks if n.id.startswith("subnet-")), key=lambda n: (n.zone, n.name)
    )
    default = [n for n in subnets if n.raw.get("DefaultForAz")]
    if default:
        return _pick(default, f"default subnet of {default[0].zone} (default VPC)")
    public = [n for n in subnets if n.auto_public_ip]
    if public:
        return _pick(public, "maps public IPv4 on launch (no default VPC)", ambiguous=True)
    if subnets:
        return _pick(subnets, "no default VPC and no subnet maps public IPv4", ambiguous=True)
    return Choice(None, "no subnets listed")


def _busiest_region(site: Site) -> str:
    """The region most nodes run in (GCE zones are REGION-LETTER)."""
    from collections import Counter

    from hybridtui.domain import Node

    nodes = site.of(Node)
    regions = Counter(n.zone.rsplit("-", 1)[0] for n in nodes if n.zone)
    return regions.most_common(1)[0][0] if regions else ""


def _gce_subnet(networks: list[Network], region: str) -> Choice:
    subnets = [n for n in networks if n.cidrs]
    default = sorted(
        (n for n in subnets if n.name.startswith("default/")),
        key=lambda n: (n.zone != region, n.name),
    )
    if default:
        where = f"region {region}" if region and default[0].zone == region else "its region"
        return _pick(default, f"the auto-mode `default` network's subnet in {where}")
    if subnets:
        return _pick(subnets, "no `default` network", ambiguous=True)
    return Choice(None, "no subnetworks listed")


def _openstack_network(
    networks: list[Network], routers: list[Router], strategy: PublicIpStrategy
) -> Choice:
    external = [n for n in networks if n.external]
    internal = [n for n in networks if not n.external]
    if strategy in (PublicIpStrategy.DIRECT, PublicIpStrategy.IPV6_ONLY):
        shared = sorted(external, key=lambda n: (not n.shared, n.name))
        if shared:
            kind = "IPv6" if strategy is PublicIpStrategy.IPV6_ONLY else "IPv4"
            return _pick(
                shared, f"external network with routable {kind} (nodes attach to it directly)"
            )
    named = sorted(
        internal, key=lambda n: (not _NODE_NET_NAMES.search(n.name), not n.shared, n.name)
    )
    if not named:
        return Choice(None, "no network a node can attach to")
    if strategy is PublicIpStrategy.FLOATING_IP:
        ext = ", ".join(sorted({r.external_network for r in routers if r.external_network}))
        why = f"tenant network (floating IPs from {ext or 'an external network'})"
    else:
        why = "internal network"
    return _pick(named, why, ambiguous=len(named) > 1 and not _NODE_NET_NAMES.search(named[0].name))


def match(site: Site, spec: Spec, strategy: PublicIpStrategy) -> Match:

    flavors = site.of(Flavor)
    image = match_image(site.of(Image), spec, site.overrides)
    return Match(
        cloud=site.cloud,
        spec=spec,
        flavor=_flavor_for(site, flavors, spec, image.record),
        image=image,
        network=match_network(site, strategy),
    )


def _flavor_for(site: Site, flavors: list[Flavor], spec: Spec, image: object) -> Choice:
    """Nova refuses a flavor whose root disk is smaller than the image's
    min_disk (HTTP 400 at step 4): on OpenStack the image's minimum is part of
    what the flavor must hold; a flavor without a disk of its own (0) boots the
    image's size, which meets min_disk but not a disk the spec asks for. EC2
    and GCE size the boot volume at launch."""
    openstack = site.platform == "openstack"
    need = image.disk_gb if isinstance(image, Image) and openstack else 0
    if need <= spec.disk_gb:
        zero_disk: Literal["launch", "no"] = "no" if openstack else "launch"
        return match_flavor(flavors, spec, site.overrides, zero_disk=zero_disk)
    choice = match_flavor(flavors, replace(spec, disk_gb=need), site.overrides, zero_disk="image")
    said = f" (the image's min_disk is {need} GB)"
    return replace(choice, reason=choice.reason + said)


# ------------------------------------------------- one record's equivalents


def spec_of_flavor(f: Flavor) -> Spec:
    """A flavor's size as a spec: what it takes to run the same node elsewhere."""
    return Spec(
        vcpus=max(1, f.vcpus), ram_gb=max(f.ram_mb, 1) / 1024, arch=f.arch or "x86_64", gpu=f.gpus
    )


def spec_of_image(i: Image) -> Spec:
    """An image's distro, release and architecture as a spec."""
    return Spec(distro=i.distro, version=i.version, arch=i.arch or "x86_64")


@dataclass(frozen=True, slots=True)
class Equivalent:
    cloud: str
    choice: Choice


def equivalents(
    record: Flavor | Image, sites: Sequence[Site], exclude: str = ""
) -> list[Equivalent]:
    """The best match for `record` on every site but `exclude` (its own cloud).
    Overrides are ignored: the question is what the other catalogue offers."""
    from hybridtui.domain import ResourceKind

    out = []
    for site in sites:
        if site.cloud == exclude:
            continue
        if isinstance(record, Flavor):
            flavors = site.of(Flavor)
            choice = (
                match_flavor(flavors, spec_of_flavor(record))
                if site.has(ResourceKind.FLAVORS)
                else None
            )
        else:
            images = site.of(Image)
            choice = (
                match_image(images, spec_of_image(record))
                if record.distro
                else Choice(None, f"{record.name}: distro not recognised, nothing to match on")
            )
            if not site.has(ResourceKind.IMAGES):
                choice = None
        out.append(Equivalent(site.cloud, choice or Choice(None, "catalogue not read yet")))
    return out
