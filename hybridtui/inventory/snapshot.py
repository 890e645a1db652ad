"""One cloud's inventory at one moment: what the cache stores and the model shows."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from hybridtui.domain import (
    CATALOGUE_KINDS,
    RESOURCE_TYPES,
    CloudBehaviour,
    Flavor,
    Image,
    KeyPair,
    Network,
    Node,
    PublicAddress,
    RawRecord,
    Resource,
    ResourceKind,
    Router,
    SecurityGroup,
)
from hybridtui.errors import PermissionDeniedError, ProviderError
from hybridtui.priority import chunked
from hybridtui.redact import REDACTED, is_secret_key, raw_record, scrub

__all__ = ["REDACTED", "CloudSnapshot", "KindError", "compact", "is_secret_key", "scrub"]


@dataclass(frozen=True, slots=True)
class KindError:
    """Why one resource kind of a cloud failed on its last refresh; its records
    are the last good ones (see `CloudSnapshot.kind_at` for their age)."""

    message: str
    title: str = "Cloud error"
    hint: str = ""
    #: When it failed (seconds since the epoch).
    at: float = 0.0
    #: A permission error: not asked again on the regular refreshes (`r` retries).
    denied: bool = False

    @classmethod
    def of(cls, error: ProviderError, at: float) -> KindError:
        return cls(
            error.message,
            error.title,
            error.hint or "",
            at,
            isinstance(error, PermissionDeniedError),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "title": self.title,
            "hint": self.hint,
            "at": self.at,
            "denied": self.denied,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KindError:
        return cls(
            str(data["message"]),
            str(data.get("title") or "Cloud error"),
            str(data.get("hint") or ""),
            float(data.get("at") or 0.0),
            bool(data.get("denied", False)),
        )


@dataclass(frozen=True, slots=True)
class CloudSnapshot:
    cloud: str
    #: Provider kind (`simulator`, `openstack`, `aws`, `gce`).
    kind: str
    #: Seconds since the epoch when the refresh finished.
    fetched_at: float
    nodes: tuple[Node, ...] = ()
    flavors: tuple[Flavor, ...] = ()
    images: tuple[Image, ...] = ()
    networks: tuple[Network, ...] = ()
    behaviour: CloudBehaviour | None = None
    keys: tuple[KeyPair, ...] = ()
    addresses: tuple[PublicAddress, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    routers: tuple[Router, ...] = ()
    #: When flavors, images and networks were fetched (they refresh less often).
    catalogue_at: float = 0.0
    #: When each kind's records were fetched (kinds refresh, and fail, on their own).
    kind_at: Mapping[ResourceKind, float] = field(default_factory=dict)
    #: Kinds whose last refresh failed: their records are the previous ones.
    kind_errors: Mapping[ResourceKind, KindError] = field(default_factory=dict)

    def kind_time(self, kind: ResourceKind) -> float | None:
        """When `kind`'s records were fetched; None if they never were."""
        if self.kind_at:
            return self.kind_at.get(kind)
        return self.age_of(kind)  # a snapshot cached before kinds refreshed on their own

    def age_of(self, kind: ResourceKind) -> float:
        """When `kind`'s records were fetched (older snapshots: the whole refresh)."""
        if kind in self.kind_at:
            return self.kind_at[kind]
        return (
            (self.catalogue_at or self.fetched_at) if kind in CATALOGUE_KINDS else self.fetched_at
        )

    def resources(self, kind: ResourceKind) -> tuple[Resource, ...]:
        result: tuple[Resource, ...] = getattr(self, str(kind).replace("-", "_"))
        return result

    def to_json(
        self, kinds: Collection[ResourceKind] | None = None, *, raw_as_text: bool = False
    ) -> dict[str, Any]:
        """JSON-ready, secrets scrubbed; with `kinds`, only those kinds' records.
        `raw_as_text`: each provider record as JSON text (the cache's form: it
        is decoded again only when read, see `RawRecord`)."""
        record = _record_with_raw_text if raw_as_text else _record
        wanted = list(ResourceKind) if kinds is None else [k for k in ResourceKind if k in kinds]
        return {
            "cloud": self.cloud,
            "kind": self.kind,
            "fetched_at": self.fetched_at,
            "catalogue_at": self.catalogue_at or self.fetched_at,
            "behaviour": self.behaviour.to_dict() if self.behaviour else None,
            "kind_at": {str(k): v for k, v in self.kind_at.items()},
            "kind_errors": {str(k): e.to_dict() for k, e in self.kind_errors.items()},
            **{str(k): chunked(record, self.resources(k)) for k in wanted},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CloudSnapshot:
        res = {
            str(k).replace("-", "_"): tuple(
                chunked(RESOURCE_TYPES[k].from_dict, data.get(str(k), ()))
            )
            for k in ResourceKind
        }
        behaviour = data.get("behaviour")
        return cls(
            cloud=data["cloud"],
            kind=data["kind"],
            fetched_at=float(data["fetched_at"]),
            catalogue_at=float(data.get("catalogue_at") or data["fetched_at"]),
            behaviour=CloudBehaviour.from_dict(behaviour) if behaviour else None,
            kind_at={ResourceKind(k): float(v) for k, v in (data.get("kind_at") or {}).items()},
            kind_errors={
                ResourceKind(k): KindError.from_dict(v)
                for k, v in (data.get("kind_errors") or {}).items()
            },
            **res,  # type: ignore[arg-type]
        )


def _record(r: Resource) -> dict[str, Any]:
    return scrub(r.to_dict())  # type: ignore[no-any-return]


def _record_with_raw_text(r: Resource) -> dict[str, Any]:
    """The cache's form of a record: the normalized fields as they are (none
    is named like a secret: a test holds every record type to that), the
    provider's record scrubbed and as JSON text."""
    d = r.to_dict()
    raw = d.pop("raw", None)
    if raw is not None:
        d["raw"] = raw_record(raw).text
    return d


def compact(record: Resource) -> Resource:
    """`record` with its provider record as scrubbed JSON text (a `RawRecord`),
    as a refresh's records are kept: a listing's nested dicts are several times
    the size of their JSON text (bench/scale.py, 100,000 nodes). The cache
    writes the same text without encoding it again, and a secret in a
    provider's record never reaches the screen either."""
    raw = getattr(record, "raw", None)
    if raw is None or isinstance(raw, RawRecord):
        return record
    kept: dict[str, Any] = {"raw": raw_record(raw)}
    return replace(record, **kept)
