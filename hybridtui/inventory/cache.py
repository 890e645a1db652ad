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
import shutil
import sys
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hybridtui import jsonio, priority
from hybridtui.domain import ResourceKind
from hybridtui.inventory.snapshot import CloudSnapshot
from hybridtui.paths import ensure_private_dir

if TYPE_CHECKING:
    from hybridtui.providers import CloudTarget

log = logging.getLogger(__name__)

#: 3: provider records as JSON text, decoded when read; 2: each kind's records
#: in an entry of its own (1: one entry per cloud).
SCHEMA_VERSION = 3
#: Config fields that decide *which* inventory a pane shows (not how it polls).
IDENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "simulator": ("profile", "seed", "nodes"),
    "openstack": ("cloud", "region"),
    "aws": ("profile", "endpoint_url"),
    "gce": ("project", "zones", "credentials_file", "api_endpoint"),
    "replay": ("platform", "captured_region"),
}


def fingerprint(target: CloudTarget) -> str:
    fields = IDENTITY_FIELDS.get(target.kind, ())
    ident = {f: getattr(target.config, f, None) for f in fields}
    ident["kind"] = target.kind
    ident["region"] = target.region
    blob = json.dumps(ident, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


def _encode(value: object) -> bytes:
    return jsonio.dumps(value)


#: Records decoded by one decoder call (`_decode_records`).
DECODE_CHUNK = 200


def _encode_records(records: list[Any]) -> bytes:
    """A kind's records, one JSON document per line (the encoder escapes
    newlines inside strings, so a line is a record): read back in chunks."""
    dumps = jsonio.dumps
    return b"\n".join(dumps(r) for r in records)


def _decode_records(payload: bytes) -> list[Any]:
    """A kind's records, DECODE_CHUNK at a time. One decoder call holds the
    interpreter lock throughout: on 2,000 nodes (2 MB) that was 10-40 ms in
    which no key, frame or write of the app could run (timed while keys were
    typed at 50 x 2,000). A payload that is one JSON array was written by an
    earlier version: decoded at once."""
    if not payload:
        return []
    if payload[:1] == b"[":  # one JSON array: a list, or not JSON at all
        return list(jsonio.loads(payload))
    lines = payload.split(b"\n")
    out: list[Any] = []
    for i in range(0, len(lines), DECODE_CHUNK):
        priority.yield_to_ui()
        out.extend(jsonio.loads(b"[" + b",".join(lines[i : i + DECODE_CHUNK]) + b"]"))
    if not all(isinstance(d, dict) for d in out):
        raise TypeError("a cached record is not a JSON object")
    return out


def warn_on_stderr(message: str) -> None:
    """Before the dashboard takes the terminal, and in headless commands."""
    print(f"warning: {message}", file=sys.stderr)


def open_cache(
    directory: Path, warn: Callable[[str], None] = warn_on_stderr
) -> InventoryCache | None:
    """The inventory cache, or None: the app and the commands work without one.
    A cache that is not a database any more (a disk that filled up, a copy cut
    short) is moved aside to `<dir>.broken` and a new one started: it only
    holds what the clouds will send again. `warn` says what happened."""
    import sqlite3

    try:
        return InventoryCache(directory)
    except sqlite3.OperationalError as e:  # locked by another instance, cannot be opened:
        warn(f"cache unavailable ({e}); continuing without it")  # not damaged, left as it is
        return None
    except sqlite3.DatabaseError as e:  # not a database, or a malformed one
        aside = directory.with_name(f"{directory.name}.broken")
        try:
            shutil.rmtree(aside, ignore_errors=True)  # the one broken before
            directory.rename(aside)
            cache = InventoryCache(directory)
        except (OSError, sqlite3.Error) as again:
            warn(f"cache unavailable ({again}); continuing without it")
            return None
        warn(f"the cache could not be read ({e}): moved to {aside}, starting a new one")
        return cache
    except OSError as e:
        warn(f"cache unavailable ({e}); continuing without it")
        return None


class InventoryCache:
    def __init__(self, directory: Path) -> None:
        import diskcache  # only needed once a cache is opened

        self.directory = ensure_private_dir(directory)
        self._cache = diskcache.Cache(str(self.directory), size_limit=2**30)

    @staticmethod
    def key(target: CloudTarget) -> str:
        """The entry with a cloud's header (times, errors, behaviour); each kind's
        records are entries of their own under `key/kind`."""
        return f"v{SCHEMA_VERSION}/{target.name}/{fingerprint(target)}"

    def has(self, target: CloudTarget) -> bool:
        """Whether a snapshot of `target` is cached (without reading it)."""
        return self.key(target) in self._cache

    def load(
        self, target: CloudTarget, kinds: Collection[ResourceKind] | None = None
    ) -> CloudSnapshot | None:
        """A cloud's cached snapshot; with `kinds`, only those kinds' records
        are decoded (the others come back empty): `inventory --offline` of
        100,000 nodes does not decode every cloud's images as well."""
        try:
            found = self._read(target, kinds, raw=True)
            if found is None:
                return None
            head, records = found
            return CloudSnapshot.from_json({**head, **{str(k): v for k, v in records.items()}})
        except (ValueError, KeyError, TypeError) as e:
            self._drop(target, e)
            return None

    def load_plain(
        self,
        target: CloudTarget,
        kinds: Collection[ResourceKind] | None = None,
        *,
        raw: bool = True,
    ) -> tuple[CloudSnapshot, dict[ResourceKind, list[dict[str, Any]]]] | None:
        """A cloud's cached snapshot without its records (times, errors,
        behaviour), and each kind's records as the cache holds them: plain
        dicts, never built into records. The headless JSON export of cached
        data reads this: building and unbuilding 100,000 nodes was most of its
        time. Without `raw`, the provider records (JSON text, most of a
        record's size) are dropped one cloud at a time, not held until the
        export is written."""
        try:
            found = self._read(target, kinds, raw=raw)
            if found is None:
                return None
            head, records = found
            return CloudSnapshot.from_json(head), records
        except (ValueError, KeyError, TypeError) as e:
            self._drop(target, e)
            return None

    def _read(
        self, target: CloudTarget, kinds: Collection[ResourceKind] | None, *, raw: bool
    ) -> tuple[dict[str, Any], dict[ResourceKind, list[dict[str, Any]]]] | None:
        """The header and `kinds`' records, decoded JSON (ValueError,
        TypeError if an entry is not what this version writes)."""
        key = self.key(target)
        wanted = [k for k in ResourceKind if kinds is None or k in kinds]
        with self._cache.transact():  # header and kinds of one write, never torn
            header = self._cache.get(key)
            parts = {k: self._cache.get(f"{key}/{k}") for k in wanted}
        if header is None:
            return None
        head = jsonio.loads(header)
        if not isinstance(head, dict):
            raise TypeError(f"header is a {type(head).__name__}")
        with priority.turn():  # in chunks: one decoder call on 2 MB of nodes is 10-40 ms
            records = {
                k: _decode_records(part) if part is not None else [] for k, part in parts.items()
            }
        for kind, items in records.items():
            if not isinstance(items, list):
                raise TypeError(f"{kind} is a {type(items).__name__}")
            if not raw:
                for d in items:
                    d.pop("raw", None)
        return head, records

    def _drop(self, target: CloudTarget, e: Exception) -> None:
        """A damaged or foreign entry must not stop the app: drop it, refetch."""
        log.warning("dropping unreadable cache entry for %s: %s", target.name, e)
        self._cache.delete(self.key(target))

    def store(
        self,
        target: CloudTarget,
        snapshot: CloudSnapshot,
        kinds: Collection[ResourceKind] | None = None,
    ) -> None:
        """Write the snapshot; with `kinds`, only those kinds' records (the
        others are what is cached already): a refresh of the nodes does not
        re-encode a region's 1,400 instance types."""
        key = self.key(target)
        write = [
            k
            for k in ResourceKind
            if kinds is None or k in kinds or f"{key}/{k}" not in self._cache  # never written
        ]
        with priority.turn():  # one encoder call on 2,000 nodes is 10-20 ms
            doc = snapshot.to_json(kinds=write, raw_as_text=True)
            payloads = {f"{key}/{k}": _encode_records(doc.pop(str(k))) for k in write}
            header = _encode(doc)  # what is left: times, errors, behaviour
        with self._cache.transact():
            for entry, payload in payloads.items():
                self._cache.set(entry, payload)
            self._cache.set(key, header)

    # ------------------------------------------------------ scorecard history
    def scorecard_history(self, target: CloudTarget) -> list[tuple[float, list[dict[str, object]]]]:
        """The kept scorecards of a cloud, oldest first: (time, cell dicts).
        Cells are plain dicts here: the comparator (`interop.drift`) reads them."""
        raw = self._cache.get(f"{self.key(target)}/scorecards")
        if raw is None:
            return []
        try:
            return [(float(e["at"]), list(e["cells"])) for e in jsonio.loads(raw)]
        except (ValueError, KeyError, TypeError) as e:
            log.warning("dropping unreadable scorecard history for %s: %s", target.name, e)
            return []

    def keep_scorecard(
        self, target: CloudTarget, at: float, cells: list[dict[str, object]], limit: int
    ) -> None:
        """Append a scorecard (the caller decides it is a change), keeping the
        newest `limit`; read-modify-write in one transaction (several app
        instances may share the cache)."""
        entry = f"{self.key(target)}/scorecards"
        with self._cache.transact():
            raw = self._cache.get(entry)
            history = jsonio.loads(raw) if raw is not None else []
            history.append({"at": at, "cells": cells})
            self._cache.set(entry, _encode(history[-limit:]))

    # ------------------------------------------------------ measured evidence
    def keep_measured(self, target: CloudTarget, cells: list[dict[str, object]]) -> None:
        """The steps a provisioning run measured on this cloud (the newest run
        wins, step by step): the scorecard shows them as *measured* evidence."""
        entry = f"{self.key(target)}/measured"
        with self._cache.transact():
            raw = self._cache.get(entry)
            by_check = {str(c["check"]): c for c in (jsonio.loads(raw) if raw is not None else [])}
            by_check.update({str(c["check"]): c for c in cells})
            self._cache.set(entry, _encode(list(by_check.values())))

    def measured(self, target: CloudTarget) -> list[dict[str, object]]:
        raw = self._cache.get(f"{self.key(target)}/measured")
        try:
            return list(jsonio.loads(raw)) if raw is not None else []
        except ValueError:
            return []

    def close(self) -> None:
        self._cache.close()
