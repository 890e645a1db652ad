"""A configured cloud as the comparator sees it: which API it speaks, its
latest snapshot, and what the config declares about it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from hybridtui.domain import Resource, ResourceKind

if TYPE_CHECKING:  # only for the signature of `site_for`: no config parsing here
    from hybridtui.inventory.snapshot import CloudSnapshot
    from hybridtui.providers import CloudTarget

#: The three APIs whose behaviour differs; demo clouds speak one of them.
PLATFORMS = ("aws", "gce", "openstack")


R = TypeVar("R", bound=Resource)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Site:
    cloud: str
    #: `aws`, `gce` or `openstack`: which API's rules apply.
    platform: str
    snapshot: CloudSnapshot | None
    #: Per-site settings from the config (`overrides:`), only those set.
    overrides: dict[str, str] = field(default_factory=dict)
    #: What the adapter read from the cloud's own config (clouds.yaml flags,
    #: vendor profile) or the demo profile: `floating_ip_source: None`…
    declared: tuple[str, ...] = ()
    #: Where new nodes go, when the config says (GCE: the region of its zones).
    region: str = ""
    #: What `of` and `memo` worked out from the snapshot, kept for this
    #: comparison (a site is made per scorecard run): the checks read the
    #: same 2,000 nodes five times per site.
    _memo: dict[object, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def records(self, kind: ResourceKind) -> tuple[object, ...]:
        return self.snapshot.resources(kind) if self.snapshot else ()

    def of(self, cls: type[R]) -> list[R]:
        """The records of one kind, typed: `site.of(Network)`. Shared by every
        check of this site: read it, never change it."""
        return self.memo(cls, lambda: [r for r in self.records(cls.KIND) if isinstance(r, cls)])

    def memo(self, key: object, make: Callable[[], T]) -> T:
        """`make()`, made once per site and `key`."""
        if key not in self._memo:
            self._memo[key] = make()
        made: T = self._memo[key]
        return made

    def read_at(self, *kinds: ResourceKind) -> float:
        """When the oldest of `kinds` was read (0 when one never was)."""
        if self.snapshot is None:
            return 0.0
        times = [self.snapshot.kind_time(k) for k in kinds]
        return min((t or 0.0) for t in times) if times else self.snapshot.fetched_at

    def has(self, kind: ResourceKind) -> bool:
        """`kind` was read at least once (an empty list counts: it was read)."""
        return self.snapshot is not None and self.snapshot.kind_time(kind) is not None

    def declares(self, prefix: str) -> str | None:
        """The value of a declared `key: value` note, if the config declares it."""
        for note in self.declared:
            key, sep, value = note.partition(":")
            if sep and key.strip() == prefix:
                return value.strip()
        return None


def platform_of(target: CloudTarget) -> str:
    return target.platform


def site_for(target: CloudTarget, snapshot: CloudSnapshot | None) -> Site:
    overrides = {
        k: v for k, v in target.config.overrides.to_json().items() if v and isinstance(v, str)
    }
    declared = snapshot.behaviour.notes if snapshot and snapshot.behaviour else ()
    return Site(
        target.name, platform_of(target), snapshot, overrides, tuple(declared), _region(target)
    )


def _region(target: CloudTarget) -> str:
    """GCE: the region of the zone nodes are created in (`default_zone`, else the
    first configured zone); elsewhere the target's own region."""
    zone = getattr(target.config, "default_zone", None) or next(
        (z for z in getattr(target.config, "zones", None) or [] if z != "all"), ""
    )
    if zone:
        return zone.rsplit("-", 1)[0]
    return target.region or ""
