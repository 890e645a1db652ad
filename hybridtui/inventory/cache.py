"""The on-disk inventory cache: instant first paint, offline use on a jump host.

diskcache (SQLite underneath) makes concurrent use by several app instances
safe. Entries are JSON (not pickle: a cache file must never execute code),
keyed by schema version, pane name and a fingerprint of what the pane points
at, so changing a cloud's profile or region never shows another cloud's data.
Secrets are scrubbed before anything is written (see `snapshot.scrub`).
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hybridtui.inventory.snapshot import CloudSnapshot
from hybridtui.paths import ensure_private_dir

if TYPE_CHECKING:
    from hybridtui.providers import CloudTarget

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
#: Config fields that decide *which* inventory a pane shows (not how it polls).
IDENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "simulator": ("profile", "seed", "nodes"),
    "openstack": ("cloud", "region"),
    "aws": ("profile", "endpoint_url"),
    "gce": ("project", "zones", "credentials_file", "api_endpoint"),
}


def fingerprint(target: CloudTarget) -> str:
    fields = IDENTITY_FIELDS.get(target.kind, ())
    ident = {f: getattr(target.config, f, None) for f in fields}
    ident["kind"] = target.kind
    ident["region"] = target.region
    blob = json.dumps(ident, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _json_default(value: object) -> str:
    """SDK records carry datetimes (boto3) and other non-JSON scalars: store text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


class InventoryCache:
    def __init__(self, directory: Path) -> None:
        import diskcache  # only needed once a cache is opened

        self.directory = ensure_private_dir(directory)
        self._cache = diskcache.Cache(str(self.directory), size_limit=2**30)

    @staticmethod
    def key(target: CloudTarget) -> str:
        return f"v{SCHEMA_VERSION}/{target.name}/{fingerprint(target)}"

    def load(self, target: CloudTarget) -> CloudSnapshot | None:
        raw = self._cache.get(self.key(target))
        if raw is None:
            return None
        try:
            return CloudSnapshot.from_json(json.loads(raw))
        except (ValueError, KeyError, TypeError) as e:
            # A damaged or foreign entry must not stop the app: drop it, refetch.
            log.warning("dropping unreadable cache entry for %s: %s", target.name, e)
            self._cache.delete(self.key(target))
            return None

    def store(self, target: CloudTarget, snapshot: CloudSnapshot) -> None:
        payload = json.dumps(snapshot.to_json(), separators=(",", ":"), default=_json_default)
        self._cache.set(self.key(target), payload)

    def close(self) -> None:
        self._cache.close()
