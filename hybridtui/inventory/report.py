"""Headless inventory for scripts: the same poller and cache as the dashboard,
printed as table, JSON or CSV.

The JSON shape is a public interface (documented in the README) and versioned
by `schema`: add fields freely, never rename or remove one without bumping it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from hybridtui import jsonio
from hybridtui.domain import (
    NOT_PUBLIC,
    RESOURCE_TYPES,
    Node,
    Resource,
    ResourceKind,
    public_rank,
)
from hybridtui.errors import ProviderError
from hybridtui.inventory.cache import InventoryCache
from hybridtui.inventory.poller import Poller
from hybridtui.inventory.snapshot import CloudSnapshot, KindError, scrub
from hybridtui.providers import CloudTarget

JSON_SCHEMA = 1


@dataclass(frozen=True, slots=True)
class CloudResult:
    target: CloudTarget
    snapshot: CloudSnapshot | None
    #: fresh (fetched now), stale (from the cache), error (the refresh failed).
    status: str
    error: ProviderError | None = None
    from_cache: bool = False
    #: Kinds this run fetched from the cloud (the rest come from the cache).
    fetched: frozenset[ResourceKind] = frozenset()
    #: Records as the cache holds them, never built (`collect(plain=True)`):
    #: the snapshot then has none of these kinds' records.
    plain: Mapping[ResourceKind, list[dict[str, Any]]] | None = None

    def has_records(self, kind: ResourceKind) -> bool:
        if self.plain is not None and kind in self.plain:
            return bool(self.plain[kind])
        return self.snapshot is not None and bool(self.snapshot.resources(kind))

    def kind_status(self, kind: ResourceKind) -> str:
        """fresh (fetched now), cached (from the cache: not due, or --offline),
        error (this kind failed: its records, if any, are the cached ones),
        missing (never fetched, so nothing is cached: `--offline` after a run
        that asked for other kinds; its empty list is not "none there")."""
        if self.status == "error":
            return "error"
        if self.snapshot is not None and kind in self.snapshot.kind_errors:
            return "error"
        if kind in self.fetched:
            return "fresh"
        if self.snapshot is not None and self.snapshot.kind_time(kind) is None:
            return "missing"
        return "cached"

    def kind_error(self, kind: ResourceKind) -> KindError | None:
        if self.status == "error" and self.error is not None:
            return KindError.of(self.error, self.snapshot.fetched_at if self.snapshot else 0.0)
        return self.snapshot.kind_errors.get(kind) if self.snapshot else None


#: What `Provider.prime` reads from the last snapshot (AWS instance types too,
#: but only to skip describing them again, which a refresh without flavors
#: does not do).
PRIMED_FROM = {ResourceKind.IMAGES, ResourceKind.NETWORKS, ResourceKind.ROUTERS}


def collect(
    targets: list[CloudTarget],
    cache: InventoryCache | None,
    *,
    offline: bool,
    kinds: Collection[ResourceKind] | None = None,
    refresh_catalogue: bool = False,
    clock: Callable[[], float] = time.time,
    plain: bool = False,
    raw: bool = True,
) -> list[CloudResult]:
    """One refresh of every target (or the cache only), in config order.

    Like the dashboard, it starts from the cache: only `kinds` are asked for,
    and of those the catalogue (flavors, images, networks) only when the
    cached one is older than `catalogue_interval` (or `refresh_catalogue`).
    `plain` (offline only): the records stay the cache's dicts, for `to_json`,
    which prints them as they are; a table or CSV needs built records.
    Without `raw` they come without their provider records.
    """
    if plain and offline and cache is not None:
        return [_plain_result(t, cache, kinds, raw=raw) for t in targets]
    results: dict[str, CloudResult] = {}
    # only the kinds asked for, and nodes (addresses name what they are
    # attached to); online, also what the adapters are primed with (images
    # name login accounts, networks and routers name what nodes are on). Not
    # the rest: `--kind nodes` of 3 AWS regions decoded 4,000 instance types.
    decode = None if kinds is None else {*kinds, ResourceKind.NODES}
    if decode is not None and not offline:
        decode |= PRIMED_FROM
    cached = {t.name: cache.load(t, decode) if cache else None for t in targets}
    if offline:
        for t in targets:
            snap = cached[t.name]
            if snap is None:
                err = ProviderError(
                    f"{t.name}: nothing cached yet", hint="Run once without --offline."
                )
                results[t.name] = CloudResult(t, None, "error", err)
            else:
                results[t.name] = CloudResult(t, snap, "stale", from_cache=True)
        return [results[t.name] for t in targets]
    poller = Poller(targets, cache=cache, clock=clock)
    for snap in cached.values():
        if snap is not None:
            poller.seed(snap)
    wanted = list(ResourceKind) if kinds is None else list(kinds)
    try:
        for outcome in poller.poll(kinds=wanted, full=refresh_catalogue):
            t = poller.targets[outcome.cloud]
            snap = outcome.snapshot
            if outcome.ok and snap is not None and not outcome.fetched:
                # nothing was due (a recent cached catalogue): the cloud was not asked
                results[t.name] = CloudResult(t, snap, "stale", from_cache=True)
            elif outcome.ok and snap is not None:
                results[t.name] = CloudResult(t, snap, "fresh", fetched=outcome.fetched)
            else:
                old = cached[t.name]
                results[t.name] = CloudResult(
                    t, old, "error", outcome.error, from_cache=old is not None
                )
    finally:
        poller.close()
    return [results[t.name] for t in targets]


def _plain_result(
    target: CloudTarget,
    cache: InventoryCache,
    kinds: Collection[ResourceKind] | None,
    *,
    raw: bool,
) -> CloudResult:
    found = cache.load_plain(target, kinds, raw=raw)
    if found is None:
        err = ProviderError(
            f"{target.name}: nothing cached yet", hint="Run once without --offline."
        )
        return CloudResult(target, None, "error", err)
    snapshot, records = found
    return CloudResult(target, snapshot, "stale", from_cache=True, plain=records)


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _records(
    results: Iterable[CloudResult], kinds: list[ResourceKind]
) -> Iterable[tuple[str, ResourceKind, Resource]]:
    for r in results:
        if r.snapshot is None:
            continue
        for kind in kinds:
            for rec in r.snapshot.resources(kind):
                yield r.target.name, kind, rec


def to_json(
    results: list[CloudResult],
    kinds: list[ResourceKind],
    *,
    now: float,
    raw: bool = False,
) -> str:
    return json_bytes(results, kinds, now=now, raw=raw).decode()


def json_bytes(
    results: list[CloudResult],
    kinds: list[ResourceKind],
    *,
    now: float,
    raw: bool = False,
) -> bytes:
    """`to_json` as UTF-8, not copied into a string: 100,000 nodes are 70 MB."""
    clouds = [
        {
            "cloud": r.target.name,
            "provider": r.target.kind,
            "region": r.target.region,
            "status": r.status,
            "fetched_at": _iso(r.snapshot.fetched_at) if r.snapshot else None,
            "age_seconds": round(now - r.snapshot.fetched_at, 1) if r.snapshot else None,
            "from_cache": r.from_cache,
            "error": r.error.message if r.error else None,
            "kinds": {str(k): _kind_json(r, k, now) for k in kinds},
        }
        for r in results
    ]
    records: list[dict[str, Any]] = []
    for r in results:
        for kind in kinds:
            if r.plain is not None and kind in r.plain:
                records.extend(_plain_items(r.target.name, kind, r.plain[kind], raw=raw))
            elif r.snapshot is not None:
                records.extend(
                    _built_items(r.target.name, kind, r.snapshot.resources(kind), raw=raw)
                )
    doc = {
        "schema": JSON_SCHEMA,
        "generated_at": _iso(now),
        "kinds": [str(k) for k in kinds],
        "clouds": clouds,
        "records": records,
    }
    return jsonio.dumps(doc, indent=True)


def _built_items(
    cloud: str, kind: ResourceKind, recs: Iterable[Resource], *, raw: bool
) -> Iterator[dict[str, Any]]:
    for rec in recs:
        d = rec.to_dict()
        raw_record = d.pop("raw", None)
        item: dict[str, Any] = {"cloud": cloud, "kind": str(kind), **d}
        if isinstance(rec, Node):
            item["public_ip"] = rec.public_ip
        if raw:
            item["raw"] = scrub(raw_record or {})
        yield item


def _plain_items(
    cloud: str, kind: ResourceKind, cached: list[dict[str, Any]], *, raw: bool
) -> Iterator[dict[str, Any]]:
    """`_built_items` of the cache's dicts, without building a record: each
    dict is what `to_dict` wrote, its provider record as JSON text. One with
    other fields (a cache written before a field was added) goes through its
    record type, so defaults are filled in as for a built record."""
    cls = RESOURCE_TYPES[kind]
    names = {f.name for f in dataclasses.fields(cls)}
    nodes = kind is ResourceKind.NODES
    for d in cached:
        if d.keys() != names and d.keys() != names - {"raw"}:
            d = cls.from_dict(d).to_dict()
        item: dict[str, Any] = {"cloud": cloud, "kind": str(kind)}
        item.update(d)
        raw_record = item.pop("raw", None)
        if nodes:
            item["public_ip"] = _public_ip(item["addresses"])
        if raw:
            if isinstance(raw_record, str):
                raw_record = jsonio.loads(raw_record)
            item["raw"] = scrub(raw_record or {})
        yield item


def _public_ip(addresses: list[dict[str, Any]]) -> str:
    """`Node.public_ip` of a node's addresses as the cache holds them."""
    best, rank = "", NOT_PUBLIC
    for a in addresses:
        r = public_rank(a["ip"], int(a["version"]), a["kind"])
        if r < rank:
            best, rank = a["ip"], r
    return best


def _kind_json(r: CloudResult, kind: ResourceKind, now: float) -> dict[str, Any]:
    """Per-kind status (schema 1 addition): each kind refreshes and fails on its own."""
    at = r.snapshot.kind_time(kind) if r.snapshot is not None else None
    err = r.kind_error(kind)
    return {
        "status": r.kind_status(kind),
        "fetched_at": _iso(at) if at else None,
        "age_seconds": round(now - at, 1) if at else None,
        "error": None
        if err is None
        else {
            "message": err.message,
            "title": err.title,
            "hint": err.hint or None,
            "denied": err.denied,
        },
    }


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(
            f"{v['ip']}({v['kind']})" if isinstance(v, dict) and "ip" in v else str(v)
            for v in value
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def to_csv(results: list[CloudResult], kind: ResourceKind) -> str:
    out = io.StringIO()
    writer: Any = None
    for cloud, _, rec in _records(results, [kind]):
        d = rec.to_dict()
        d.pop("raw", None)
        if isinstance(rec, Node):  # what a script wants first, without parsing `addresses`
            d["public_ip"] = rec.public_ip or ""
            d["private_ip"] = rec.private_ip or ""
        row = {"cloud": cloud, "kind": str(kind), **{k: _flat(v) for k, v in d.items()}}
        if writer is None:
            writer = csv.DictWriter(out, fieldnames=list(row), lineterminator="\n")
            writer.writeheader()
        writer.writerow(row)
    return out.getvalue()


def to_table(
    results: list[CloudResult],
    kind: ResourceKind,
    *,
    cut: bool = True,
    mask: Callable[[str], str] | None = None,
) -> str:
    """Aligned columns. `cut`: long cells end in "…" to fit a terminal; off
    when the output goes to a file or a pipe, where every value stays whole.
    `mask` (privacy mode) masks each cell before any is cut: a cut value is
    no longer one the masker can find."""
    from hybridtui.columns import COLUMNS, node_names, row_cells, titles

    head = titles(kind, with_cloud=True)
    names = {r.target.name: node_names(r.snapshot.nodes) for r in results if r.snapshot}
    rows = [
        row_cells(kind, rec, cloud, names.get(cloud)) for cloud, _, rec in _records(results, [kind])
    ]
    if mask is not None:
        rows = [tuple(mask(c) for c in r) for r in rows]
    limits = [20, *(c.max_width for c in COLUMNS[kind])] if cut else [10**6] * len(head)
    widths = [
        min(limits[i], max([len(head[i]), *(len(r[i]) for r in rows)])) for i in range(len(head))
    ]

    def fmt(cells: Iterable[str]) -> str:
        parts = []
        for cell, w in zip(cells, widths, strict=True):
            cell = cell if len(cell) <= w else cell[: w - 1] + "…"
            parts.append(cell.ljust(w))
        return "  ".join(parts).rstrip()

    lines = [fmt(head), *(fmt(r) for r in rows)]
    return "\n".join(lines) + "\n"
