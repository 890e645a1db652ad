"""The disk cache: persists, never stores secrets, survives concurrent writers."""

from __future__ import annotations

import dataclasses
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import sim_cloud

from hybridtui.config import AppConfig
from hybridtui.domain import NodeSpec, RawRecord, ResourceKind
from hybridtui.inventory import cache as cache_module
from hybridtui.inventory import report
from hybridtui.inventory.cache import InventoryCache, _decode_records
from hybridtui.inventory.poller import Poller
from hybridtui.inventory.snapshot import REDACTED
from hybridtui.jsonio import dumps, loads
from hybridtui.paths import resolve_paths
from hybridtui.providers import targets_for
from hybridtui.providers.simulator.profiles import PROFILES

NOW = 1_750_000_000.0


def targets(*clouds: dict[str, object]):  # type: ignore[no-untyped-def]
    return targets_for(AppConfig.validate({"clouds": list(clouds)}))


def cache_dir() -> Path:
    return resolve_paths().inventory_cache_dir


def test_snapshot_round_trips_across_instances() -> None:
    ts = targets(sim_cloud("a", "openstack-floating-ip"), sim_cloud("b", "gce-access-config"))
    cache = InventoryCache(cache_dir())
    poller = Poller(ts, cache=cache)
    fresh = {o.cloud: o.snapshot for o in poller.poll()}
    cache.close()

    again = InventoryCache(cache_dir())  # a new process would do exactly this
    for t in ts:
        loaded = again.load(t)
        assert loaded is not None
        assert fresh[t.name] is not None
        assert [n.to_dict() for n in loaded.nodes] == [n.to_dict() for n in fresh[t.name].nodes]
        assert loaded.behaviour == fresh[t.name].behaviour
        assert loaded.fetched_at == fresh[t.name].fetched_at
    again.close()


def test_cached_provider_records_are_decoded_only_when_read() -> None:
    """100,000 cached nodes load without decoding 100,000 raw records; a raw
    record read later is the one fetched, and storing it again keeps it."""
    (t,) = targets(sim_cloud("a", "aws-default-vpc"))
    cache = InventoryCache(cache_dir())
    fresh = next(iter(Poller([t], cache=cache).poll())).snapshot
    assert fresh is not None
    loaded = cache.load(t)
    assert loaded is not None
    raws = [n.raw for n in loaded.nodes]
    assert raws
    assert all(isinstance(r, RawRecord) and r._data is None for r in raws)
    first = fresh.nodes[0].raw
    assert dict(loaded.nodes[0].raw) == first
    assert first.get("InstanceId")
    assert raws[0]._data is not None
    assert raws[1]._data is None, "only the one read is decoded"

    cache.store(t, loaded)  # a refresh that keeps the cached records stores them again
    again = cache.load(t)
    assert again is not None
    assert [dict(n.raw) for n in again.nodes] == [n.raw for n in fresh.nodes]
    cache.close()


def test_records_are_stored_a_line_each_and_decoded_in_chunks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One decoder call on a cloud's 2,000 nodes held the interpreter lock
    for 10-40 ms: each record is a line, decoded DECODE_CHUNK at a time.
    Newlines inside a record (a pretty-printed provider record) stay escaped
    in its line; a kind with no records is stored empty and reads back."""
    (t,) = targets(sim_cloud("a", "aws-default-vpc"))
    cache = InventoryCache(cache_dir())
    fresh = next(iter(Poller([t], cache=cache).poll())).snapshot
    assert fresh is not None
    pretty = RawRecord('{\n  "InstanceId": "i-0abc",\n  "UserData": "#!/bin/sh\\necho hi\\n"\n}')
    first = dataclasses.replace(fresh.nodes[0], raw=pretty, name="web\nsecond line")
    snap = dataclasses.replace(fresh, nodes=(first, *fresh.nodes[1:]), routers=())
    cache.store(t, snap)
    payload = cache._cache.get(f"{cache.key(t)}/nodes")
    assert payload.count(b"\n") == len(snap.nodes) - 1, "one line per node"
    assert cache._cache.get(f"{cache.key(t)}/routers") == b""

    calls: list[int] = []
    real = cache_module.jsonio.loads

    def counting(raw: bytes) -> object:
        calls.append(len(raw))
        return real(raw)

    monkeypatch.setattr(cache_module, "DECODE_CHUNK", 5)
    monkeypatch.setattr(cache_module.jsonio, "loads", counting)
    loaded = cache.load(t, kinds=[ResourceKind.NODES])
    monkeypatch.undo()
    assert loaded is not None
    assert [n.to_dict() for n in loaded.nodes] == [n.to_dict() for n in snap.nodes]
    assert loaded.nodes[0].name == "web\nsecond line"
    assert dict(loaded.nodes[0].raw)["UserData"] == "#!/bin/sh\necho hi\n"
    chunks = -(-len(snap.nodes) // 5)
    assert len(calls) == 1 + chunks, "the header, then the nodes five at a time"
    assert cache.load(t) is not None
    assert cache.load(t).routers == ()  # type: ignore[union-attr]
    cache.close()


def test_records_written_by_an_earlier_version_still_load() -> None:
    """Before, a kind's records were one JSON array: such an entry is read
    as it is (no schema change, no cold start after an upgrade)."""
    (t,) = targets(sim_cloud("a", "openstack-floating-ip"))
    cache = InventoryCache(cache_dir())
    fresh = next(iter(Poller([t], cache=cache).poll())).snapshot
    assert fresh is not None
    for kind in ResourceKind:
        entry = f"{cache.key(t)}/{kind}"
        cache._cache.set(entry, dumps(_decode_records(cache._cache.get(entry))))
    assert cache._cache.get(f"{cache.key(t)}/nodes")[:1] == b"["
    loaded = cache.load(t)
    assert loaded is not None
    assert [n.to_dict() for n in loaded.nodes] == [n.to_dict() for n in fresh.nodes]
    assert [i.to_dict() for i in loaded.images] == [i.to_dict() for i in fresh.images]
    cache.close()


def test_cache_dir_is_private() -> None:
    InventoryCache(cache_dir()).close()
    mode = stat.S_IMODE(cache_dir().stat().st_mode)
    assert mode == 0o700


def test_secrets_never_reach_the_cache_files() -> None:
    (t,) = targets(sim_cloud("os", "openstack-floating-ip"))
    cache = InventoryCache(cache_dir())
    poller = Poller([t], cache=cache)
    provider = poller.provider("os")
    inv = provider.fetch_inventory()
    provider.import_key("k1", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKEYMATERIAL test")
    node = provider.create_node(
        NodeSpec(
            name="secret-holder",
            flavor=inv.flavors[0].name,
            image=inv.images[0].name,
            key_name="k1",
        )
    )
    admin_pass = node.raw["adminPass"]
    assert len(admin_pass) >= 8
    (outcome,) = list(poller.poll())
    assert outcome.ok
    cache.close()

    blobs = b"".join(p.read_bytes() for p in cache_dir().rglob("*") if p.is_file())
    assert b"secret-holder" in blobs, "the node itself is cached"
    assert admin_pass.encode() not in blobs, "Nova's adminPass must never be written"
    loaded = InventoryCache(cache_dir()).load(t)
    assert loaded is not None
    held = next(n for n in loaded.nodes if n.name == "secret-holder")
    assert held.raw["adminPass"] == REDACTED

    # what the refresh keeps in memory (and the screen shows) is the same
    # scrubbed text the cache wrote, not the listing's dicts
    assert outcome.snapshot is not None
    kept = next(n for n in outcome.snapshot.nodes if n.name == "secret-holder")
    assert isinstance(kept.raw, RawRecord)
    assert kept.raw["adminPass"] == REDACTED
    assert isinstance(held.raw, RawRecord)
    assert kept.raw.text == held.raw.text


def test_changed_cloud_identity_never_shows_old_data() -> None:
    (old,) = targets(sim_cloud("x", "openstack-private"))
    (new,) = targets(sim_cloud("x", "aws-default-vpc"))
    cache = InventoryCache(cache_dir())
    list(Poller([old], cache=cache).poll())
    assert cache.load(old) is not None
    assert cache.load(new) is None
    cache.close()


def test_damaged_entry_is_dropped_not_fatal() -> None:
    (t,) = targets(sim_cloud("x", "openstack-private"))
    cache = InventoryCache(cache_dir())
    cache._cache.set(cache.key(t), "{not json")
    assert cache.load(t) is None
    assert cache._cache.get(cache.key(t)) is None
    cache.close()


def test_a_cache_that_is_not_a_database_is_moved_aside_and_started_again() -> None:
    """A cache.db cut short or overwritten was a sqlite3.DatabaseError
    traceback out of every command and the dashboard."""
    from hybridtui.inventory.cache import open_cache

    (t,) = targets(sim_cloud("x", "openstack-private"))
    said: list[str] = []
    for round_ in range(2):  # the second replaces the first broken copy
        cache_dir().mkdir(parents=True, exist_ok=True)
        (cache_dir() / "cache.db").write_bytes(b"SQLite format 2\0" + bytes(range(256)) * 8)
        cache = open_cache(cache_dir(), said.append)
        assert cache is not None
        assert not cache.has(t)
        Poller([t], cache=cache).poll().__next__()  # it works: a refresh is stored
        assert cache.load(t) is not None
        cache.close()
        assert len(said) == round_ + 1
    aside = cache_dir().with_name(f"{cache_dir().name}.broken")
    assert said[-1] == (
        f"the cache could not be read (file is not a database): moved to {aside},"
        " starting a new one"
    )
    assert (aside / "cache.db").read_bytes().startswith(b"SQLite format 2")


def test_a_cache_that_cannot_be_opened_is_left_as_it_is() -> None:
    """sqlite's OperationalError (a database locked by another instance, one
    that cannot be opened) is not damage: the cache is done without, never
    moved aside under another instance that shares it."""
    from hybridtui.inventory.cache import open_cache

    cache_dir().mkdir(parents=True, exist_ok=True)
    (cache_dir() / "cache.db").mkdir()  # sqlite: unable to open database file
    said: list[str] = []
    assert open_cache(cache_dir(), said.append) is None
    assert len(said) == 1
    assert said[0].startswith("cache unavailable (unable to open database file)")
    assert (cache_dir() / "cache.db").is_dir(), "left where it was"
    assert not cache_dir().with_name(f"{cache_dir().name}.broken").exists()


def test_a_headless_command_over_a_broken_cache_warns_and_prints(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from hybridtui.cli import main

    cache_dir().mkdir(parents=True, exist_ok=True)
    (cache_dir() / "cache.db").write_bytes(b"\0" * 4096)
    assert main(["--demo", "inventory", "--kind", "flavors", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert "warning: the cache could not be read (file is not a database)" in err
    assert "Traceback" not in err
    assert "os-private-dc1,flavors," in out


def test_a_cache_that_cannot_be_opened_is_done_without(tmp_path: Path) -> None:
    from hybridtui.inventory.cache import open_cache

    said: list[str] = []
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert open_cache(blocker / "inventory", said.append) is None
    assert len(said) == 1
    assert said[0].startswith("cache unavailable (")
    assert said[0].endswith("continuing without it")


WRITER = textwrap.dedent(
    """
    import sys
    from hybridtui.config import AppConfig
    from hybridtui.inventory.cache import InventoryCache
    from hybridtui.inventory.snapshot import CloudSnapshot
    from hybridtui.providers import targets_for
    from hybridtui.providers.simulator.provider import SimulatorProvider

    seed = int(sys.argv[2])
    cfg = AppConfig.validate({"clouds": [
        {"name": "shared", "kind": "simulator", "profile": "aws-default-vpc", "latency": 0, "jitter": 0}]})
    (t,) = targets_for(cfg)
    inv = SimulatorProvider("shared", cfg.clouds[0]).fetch_inventory()
    cache = InventoryCache(__import__("pathlib").Path(sys.argv[1]))
    for i in range(40):
        snap = CloudSnapshot("shared", "simulator", float(seed * 1000 + i), inv.nodes, inv.flavors, inv.images, inv.networks, inv.behaviour)
        cache.store(t, snap)
        got = cache.load(t)
        assert got is not None and len(got.nodes) == len(inv.nodes), "torn read"
    cache.close()
    """
)


def test_two_processes_share_one_cache_without_corruption(tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(cache_dir()), str(seed)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for seed in (1, 2)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    (t,) = targets(sim_cloud("shared", "aws-default-vpc"))
    final = InventoryCache(cache_dir()).load(t)
    assert final is not None
    assert final.fetched_at in {1039.0, 2039.0}, "the last complete write of one writer wins"


def test_sdk_datetimes_are_stored_as_text() -> None:
    from datetime import UTC, datetime

    from hybridtui.domain import Node
    from hybridtui.inventory.snapshot import CloudSnapshot

    (t,) = targets(sim_cloud("x", "openstack-private"))
    when = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    snap = CloudSnapshot(
        "x", "aws", 1.0, nodes=(Node(id="i-1", name="n", raw={"LaunchTime": when}),)
    )
    cache = InventoryCache(cache_dir())
    cache.store(t, snap)
    loaded = cache.load(t)
    assert loaded is not None
    assert loaded.nodes[0].raw["LaunchTime"] == "2026-11-01T12:00:00+00:00"
    cache.close()


def test_a_failing_cache_does_not_stop_polling() -> None:
    class BrokenCache:
        def store(self, *_: object) -> None:
            raise OSError(28, "No space left on device")

    (t,) = targets(sim_cloud("x", "openstack-private"))
    (outcome,) = list(Poller([t], cache=BrokenCache()).poll())  # type: ignore[arg-type]
    assert outcome.ok
    assert outcome.snapshot is not None


def test_a_refresh_rewrites_only_the_kinds_it_fetched() -> None:
    """Each kind is its own entry: a nodes-only refresh leaves the cached
    catalogue as it is (no re-encoding of a region's instance types), and a
    first write stores every kind even when only some were fetched."""
    from dataclasses import replace

    from hybridtui.domain import ResourceKind
    from hybridtui.inventory.snapshot import CloudSnapshot
    from hybridtui.providers.simulator.provider import SimulatorProvider

    (t,) = targets(sim_cloud("c", "aws-default-vpc"))
    inv = SimulatorProvider("c", t.config).fetch_inventory()
    full = CloudSnapshot("c", "simulator", 1000.0, inv.nodes, inv.flavors, inv.images, inv.networks)
    cache = InventoryCache(cache_dir())
    cache.store(t, full, kinds={ResourceKind.NODES})
    first = cache.load(t)
    assert first is not None
    assert len(first.flavors) == len(inv.flavors), "a first write stores every kind"

    later = replace(full, fetched_at=2000.0, nodes=inv.nodes[:3], flavors=inv.flavors[:1])
    cache.store(t, later, kinds={ResourceKind.NODES})
    got = cache.load(t)
    assert got is not None
    assert got.fetched_at == 2000.0
    assert [n.id for n in got.nodes] == [n.id for n in inv.nodes[:3]], "the fetched kind is new"
    assert len(got.flavors) == len(inv.flavors), "the others were not rewritten"
    cache.close()


def test_no_normalized_field_is_named_like_a_secret() -> None:
    """The cache writes normalized fields without scrubbing them (only the
    provider's raw record is): a field named like a secret must be noticed."""
    from dataclasses import fields

    from hybridtui.domain import RESOURCE_TYPES
    from hybridtui.inventory.snapshot import is_secret_key

    names = {f.name for t in RESOURCE_TYPES.values() for f in fields(t)}
    assert "raw" in names
    assert [n for n in names if is_secret_key(n)] == []


@pytest.mark.parametrize("raw", [False, True])
def test_offline_json_from_the_cache_dicts_equals_the_built_records(raw: bool) -> None:
    """`inventory --offline --format json` prints the cache's dicts without
    building records: byte for byte what building them prints, on every kind
    of every demo profile, with and without provider records; a record cached
    without a field added since gets the field's default, as a built one."""
    ts = targets(*(sim_cloud(f"c{i}", p) for i, p in enumerate(PROFILES)))
    cache = InventoryCache(cache_dir())
    list(Poller(ts, cache=cache).poll())
    # an older cache: the first node of the first cloud without `login_user`
    key = f"{cache.key(ts[0])}/nodes"
    nodes = _decode_records(cache._cache.get(key))
    assert nodes[0]["login_user"], "the demo node names its login account"
    del nodes[0]["login_user"]
    cache._cache.set(key, dumps(nodes))  # as earlier versions wrote it: one JSON array

    kinds = list(ResourceKind)
    built = report.collect(ts, cache, offline=True)
    plain = report.collect(ts, cache, offline=True, plain=True, raw=raw)
    assert all(r.plain is not None for r in plain)
    assert all(not r.snapshot.nodes for r in plain if r.snapshot), "no record was built"
    want = report.json_bytes(built, kinds, now=NOW, raw=raw)
    got = report.json_bytes(plain, kinds, now=NOW, raw=raw)
    assert got == want
    doc = loads(got)
    first = next(r for r in doc["records"] if r["kind"] == "nodes")
    assert first["login_user"] == "", "the default, as `Node.from_dict` gives"
    assert sum(1 for r in doc["records"] if r.get("public_ip")) > 10
    assert all(("raw" in r) is raw for r in doc["records"])
    cache.close()


def test_damaged_entry_read_as_dicts_is_dropped_not_fatal() -> None:
    (t,) = targets(sim_cloud("x", "openstack-private"))
    cache = InventoryCache(cache_dir())
    list(Poller([t], cache=cache).poll())
    cache._cache.set(f"{cache.key(t)}/nodes", dumps("not a record"))
    assert cache.load_plain(t) is None
    assert cache._cache.get(cache.key(t)) is None
    (result,) = report.collect([t], cache, offline=True, plain=True)
    assert result.status == "error"
    assert result.error is not None
    assert "nothing cached yet" in result.error.message
    cache.close()
