"""One cloud's inventory at one moment: what the cache stores and the model shows."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hybridtui.domain import (
    RESOURCE_TYPES,
    CloudBehaviour,
    Flavor,
    Image,
    KeyPair,
    Network,
    Node,
    PublicAddress,
    Resource,
    ResourceKind,
    Router,
    SecurityGroup,
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

    def resources(self, kind: ResourceKind) -> tuple[Resource, ...]:
        result: tuple[Resource, ...] = getattr(self, str(kind).replace("-", "_"))
        return result

    def to_json(self) -> dict[str, Any]:
        return {
            "cloud": self.cloud,
            "kind": self.kind,
            "fetched_at": self.fetched_at,
            "catalogue_at": self.catalogue_at or self.fetched_at,
            "behaviour": self.behaviour.to_dict() if self.behaviour else None,
            **{str(k): [scrub(r.to_dict()) for r in self.resources(k)] for k in ResourceKind},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CloudSnapshot:
        res = {
            str(k).replace("-", "_"): tuple(
                RESOURCE_TYPES[k].from_dict(d) for d in data.get(str(k), ())
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
            **res,  # type: ignore[arg-type]
        )


#: Keys whose values are secrets or may hold them (Nova's `adminPass`, user data
#: with cloud-init passwords, tokens, keys). Matched case-insensitively anywhere
#: in a raw record; the value is dropped, never stored or shown.
SECRET_KEY = re.compile(
    r"(pass(word|wd)?$|adminpass|secret|token|private.?key|credential|access.?key|"
    r"user.?data|startup-script|^auth)",
    re.IGNORECASE,
)
REDACTED = "<redacted>"


def scrub(value: Any) -> Any:
    """A copy of `value` with every secret-looking key's value redacted."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if isinstance(k, str) and SECRET_KEY.search(k) else scrub(v))
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value
