"""The dashboard's memory: the collector policy (`hybridtui.memory`), on a
fake clock and fake `gc` functions (what it collects, when, and that it never
stays idle-only when the app is never idle); the reaper that frees what a
refresh replaced; and, through the real app, what it keeps alive."""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
import threading
from typing import Any

import pytest
from conftest import THREE_CLOUDS, make_settings, scored, settle, sim_cloud

from hybridtui import memory, priority, reaper
from hybridtui.config import AppConfig
from hybridtui.domain import ResourceKind
from hybridtui.inventory.cache import InventoryCache
from hybridtui.inventory.model import InventoryModel
from hybridtui.inventory.poller import Poller
from hybridtui.memory import Collector
from hybridtui.paths import resolve_paths
from hybridtui.providers import targets_for
from hybridtui.ui.app import make_app


class FakeGc:
    def __init__(self) -> None:
        self.now = 1000.0
        self.counts = (0, 0, 0)
        self.calls: list[str] = []

    def collect(self, generation: int) -> int:
        self.calls.append(f"collect{generation}")
        self.counts = (0, 0, 0) if generation == 2 else (0, 0, self.counts[2] + 1)
        return 0

    def collector(self) -> Collector:
        return Collector(
            clock=lambda: self.now,
            collect=self.collect,
            count=lambda: self.counts,
            freeze=lambda: self.calls.append("freeze"),
            unfreeze=lambda: self.calls.append("unfreeze"),
        )


def test_nothing_is_collected_while_a_refresh_runs_or_keys_come() -> None:
    fake = FakeGc()
    c = fake.collector()
    fake.counts = (500, memory.IDLE_MIN + 5, 0)
    assert c.tick(busy=True) is None  # a refresh running
    fake.now += memory.IDLE_AFTER + 1
    c.note_input()
    fake.now += memory.IDLE_AFTER / 2
    assert c.tick(busy=False) is None  # a key a moment ago
    assert fake.calls == []


def test_an_idle_dashboard_collects_everything_and_freezes_what_lives_on() -> None:
    fake = FakeGc()
    c = fake.collector()
    fake.counts = (500, memory.IDLE_MIN, 0)
    fake.now += memory.IDLE_AFTER
    assert c.tick(busy=False) == "idle"
    assert fake.calls == ["collect2", "freeze"]
    fake.calls.clear()
    assert c.tick(busy=False) is None, "nothing promoted since: no second collection"
    fake.counts = (100, 1, 0)
    assert c.tick(busy=False) is None, "one young collection is not worth a full one"
    assert fake.calls == []


def test_every_thaw_interval_an_idle_collection_unfreezes_first() -> None:
    fake = FakeGc()
    c = fake.collector()
    fake.now += memory.THAW_EVERY
    fake.counts = (0, memory.IDLE_MIN, 0)
    assert c.tick(busy=False) == "thaw"
    assert fake.calls == ["unfreeze", "collect2", "freeze"]
    fake.calls.clear()
    fake.now += 60
    fake.counts = (0, memory.IDLE_MIN, 0)
    assert c.tick(busy=False) == "idle"
    assert fake.calls == ["collect2", "freeze"]


def test_a_dashboard_that_is_never_idle_still_collects() -> None:
    fake = FakeGc()
    c = fake.collector()
    fake.counts = (0, memory.BACKSTOP_YOUNG, 0)
    assert c.tick(busy=True) == "middle"
    assert fake.calls == ["collect1"]
    fake.counts = (0, 0, memory.BACKSTOP_MIDDLE)
    assert c.tick(busy=True) == "all"
    assert fake.calls == ["collect1", "collect2"]


@pytest.fixture
def thresholds():  # type: ignore[no-untyped-def]
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_configure_leaves_only_young_collections_automatic(thresholds: None) -> None:
    memory.configure()
    young, middle, old = gc.get_threshold()
    assert young == memory.YOUNG
    assert middle >= memory.BACKSTOP_YOUNG * 1000
    assert old >= memory.BACKSTOP_MIDDLE * 1000


def test_the_real_collector_frees_a_cycle_on_an_idle_tick(thresholds: None) -> None:
    """With the real `gc`: a cycle that survived into an older generation is
    freed by an idle tick (and not before), then the survivors are frozen."""
    import weakref

    class Node:
        pass

    memory.configure()
    gc.collect()
    a, b = Node(), Node()
    a.other, b.other = b, a  # type: ignore[attr-defined]
    ref = weakref.ref(a)
    gc.collect(0)  # promoted out of the young generation, as a survivor would be
    del a, b
    clock = [0.0]
    c = Collector(clock=lambda: clock[0])
    c.note_input()
    gc.collect(0)
    gc.collect(0)
    gc.collect(0)  # IDLE_MIN young collections since the last middle one
    assert ref() is not None, "young collections alone do not reach it"
    clock[0] += memory.IDLE_AFTER
    try:
        assert c.tick(busy=False) in ("idle", "thaw")
        assert ref() is None
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_headless_inventory_collects_only_the_young_generation(
    thresholds: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """`inventory` is one-shot: it sets the young-only thresholds (an older
    collection walked the whole export again, a third of its time at 100k)."""
    from hybridtui.cli import main

    gc.set_threshold(700, 10, 10)  # Python's defaults
    assert main(["--demo", "inventory", "--kind", "flavors", "--format", "csv"]) == 0
    assert "t3.nano" in capsys.readouterr().out
    assert gc.get_threshold() == (memory.YOUNG, memory.NEVER, memory.NEVER)


@pytest.mark.parametrize("argv", [["--demo"], ["--demo", "inventory"]])
def test_thresholds_are_set_before_the_heavy_imports(
    thresholds: None, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """The dashboard and `inventory` set their thresholds before the settings
    (pydantic) and Textual are imported: with Python's defaults those imports
    ran about 130 young collections and a full one (bench/startup.py)."""
    import hybridtui.cli as cli
    from hybridtui.errors import ConfigError

    seen: list[tuple[tuple[int, int, int], str | None]] = []

    def settings(_args: object) -> None:
        seen.append((gc.get_threshold(), os.environ.get("PYDANTIC_DISABLE_PLUGINS")))
        raise ConfigError("stop here")

    gc.set_threshold(700, 10, 10)  # Python's defaults
    monkeypatch.delenv("PYDANTIC_DISABLE_PLUGINS", raising=False)
    monkeypatch.setattr(cli, "_settings", settings)
    assert cli.main(argv) == cli.EXIT_USAGE
    # and pydantic, imported with the settings, does not scan entry points
    assert seen == [((memory.YOUNG, memory.NEVER, memory.NEVER), "__all__")]


class Freed:
    """Says which thread freed it."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.thread: list[str] = []

    def watch(self) -> object:
        event, thread = self.event, self.thread

        class Watched:
            def __del__(self) -> None:
                thread.append(threading.current_thread().name)
                event.set()

        return Watched()


def test_what_is_retired_is_freed_in_the_reaper_thread_and_never_during_a_key() -> None:
    freed = Freed()
    priority.hold(30.0)  # a key is being handled
    try:
        reaper.retire([freed.watch()])
        # the reaper waits at its checkpoint: not freed while the key holds
        assert not freed.event.wait(0.3)
    finally:
        priority.release()
    assert freed.event.wait(10)
    assert freed.thread == ["hybridtui-reaper"]


def test_a_refresh_hands_the_replaced_snapshot_and_cells_to_the_reaper() -> None:
    (t,) = targets_for(AppConfig.validate({"clouds": [sim_cloud("a", "aws-default-vpc")]}))
    poller = Poller([t])
    retired: list[list[object]] = []
    model = InventoryModel([t], retire=retired.append)
    first, second = (next(iter(poller.poll())) for _ in range(2))
    # a copy only the outcome holds (the poller keeps the snapshots it made)
    old = dataclasses.replace(first.snapshot)
    model.apply(dataclasses.replace(first, snapshot=old), {})
    rows = model.rows(ResourceKind.NODES, "a")
    assert retired == [[None, None]]  # nothing was there before
    model.apply(second, {})
    assert model.snapshots["a"] is second.snapshot
    assert retired[1][0] is old
    assert retired[1][1] == {ResourceKind.NODES: rows}
    # the list is the last holder besides this test: emptied, only `old` is left
    assert sys.getrefcount(old) == 3  # `old`, the list, getrefcount's argument
    retired[1].clear()
    assert sys.getrefcount(old) == 2


# ------------------------------------------- what the dashboard keeps alive
async def test_a_finished_scorecard_run_keeps_no_snapshot_alive(frozen_clock: Any) -> None:
    """A finished Textual worker is in a cycle with its task, so what it was
    given lives until a full collection, which the dashboard makes only when
    idle. The scorecard computed on the cached snapshots must not keep them
    once a refresh replaced them: with automatic collection off (only
    reference counting frees anything), every node is held once, not twice
    (at 50 x 2,000 the second copy was 130 MB of RSS)."""
    import collections

    from hybridtui.domain import Node

    clouds = [sim_cloud(c["name"], c["profile"], latency=0.3) for c in THREE_CLOUDS]
    cache = InventoryCache(resolve_paths().inventory_cache_dir)
    list(Poller(targets_for(make_settings().config), cache=cache).poll())
    cache.close()
    gc.collect()  # the warming poller's worlds are gone; from here only refcounts free
    # nodes alive before this app (earlier tests' in this worker, demo worlds)
    # are not its copies: a CI run counted 30 of them as "held twice"
    # (held here, so no new node can take one of their addresses)
    earlier_nodes = [o for o in gc.get_objects() if type(o) is Node]
    earlier = {id(o) for o in earlier_nodes}
    gc.disable()
    try:
        app = make_app(make_settings(clouds), clock=frozen_clock)
        async with app.run_test(size=(120, 40)) as pilot:
            # the scorecard can settle on the cached data before the first
            # refresh has even started: wait for every cloud's refresh too
            for _ in range(200):
                await scored(app, pilot)
                fresh = [not app.model.status(t.name).from_cache for t in app.targets]
                if all(fresh) and len(app.model.snapshots) == len(fresh):
                    break
                await pilot.pause(0.05)
            # what the refresh replaced is freed in the reaper's thread
            for _ in range(200):
                if reaper.idle():
                    break
                await pilot.pause(0.05)
            assert reaper.idle()
            snaps = app.model.snapshots.values()
            assert all(not app.model.status(s.cloud).from_cache for s in snaps)
            shown = {n.id for s in snaps for n in s.nodes}
            assert len(shown) > 50
            held = collections.Counter(
                o.id
                for o in gc.get_objects()
                if type(o) is Node and o.id in shown and id(o) not in earlier
            )
            assert set(held) == shown
            twice = [i for i, n in held.items() if n > 1]
            assert not twice, f"{len(twice)} nodes held twice (the cached copy lives on)"
            await pilot.press("q")
    finally:
        gc.enable()


async def test_the_reaper_thread_does_not_keep_an_app_alive(
    monkeypatch: Any, frozen_clock: Any
) -> None:
    """The reaper thread starts before the app runs. Started from inside a
    running app, it kept that app alive for good: a `threading.Thread` keeps
    the `sys.stderr` of when it was made, which a Textual app replaces with a
    capture object that refers to the app (found with `gc.get_referrers`:
    the first app of a test session outlived it, and its nodes were counted
    twice by the test above)."""

    def reaches(obj: object, target: object, depth: int = 4) -> bool:
        frontier, seen = [obj], {id(obj)}
        for _ in range(depth):
            nxt = []
            for o in frontier:
                for r in gc.get_referents(o):
                    if r is target:
                        return True
                    if id(r) not in seen and not isinstance(r, type):
                        seen.add(id(r))
                        nxt.append(r)
            frontier = nxt
        return False

    monkeypatch.setattr(reaper, "_thread", None)  # as in a fresh process
    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("r")  # a refresh replaces every snapshot: the reaper runs
        await settle(app, pilot)
        assert reaper._thread is not None
        assert reaper._thread.is_alive()
        assert not reaches(reaper._thread, app)
        await pilot.press("q")


def test_a_table_hands_the_rows_it_replaces_to_the_reaper(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its rows are often the last reference to a cloud's 2,000 cached nodes
    (their payloads): replaced on the UI thread, they were freed there."""
    from hybridtui.ui.widgets.resource_table import ResourceTable, TableData

    retired: list[list[object]] = []
    table = ResourceTable()
    first = TableData(("Name",), [("a",)], ["a"], ["a"], [1])
    table.set_data(first)
    monkeypatch.setattr(reaper, "retire", retired.append)
    table.set_data(TableData(("Name",), [("b",)], ["b"], ["b"], [1]))
    assert len(retired) == 1
    assert retired[0][0] is first
    assert table.current_key == "b"  # the new rows are in place
