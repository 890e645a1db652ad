"""Many clouds, many nodes: the dashboard paints before the cache is read,
rebuilds only what changed, and keeps answering keys while clouds refresh.
(Speed itself is measured by bench/scale.py, never asserted here.)"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

import pytest
from conftest import THREE_CLOUDS, make_settings, settle, sim_cloud
from textual import events
from textual.message import Message
from textual.widgets import Input

from hybridtui.domain import ResourceKind
from hybridtui.filtering import haystack
from hybridtui.inventory.cache import InventoryCache
from hybridtui.inventory.model import CloudState, InventoryModel
from hybridtui.inventory.poller import Poller, PollOutcome
from hybridtui.inventory.snapshot import CloudSnapshot
from hybridtui.paths import resolve_paths
from hybridtui.providers import CloudTarget, targets_for
from hybridtui.providers.simulator.profiles import PROFILES as DEMO_PROFILES
from hybridtui.providers.simulator.provider import SimulatorProvider
from hybridtui.ui.app import make_app
from hybridtui.ui.messages import SnapshotReady
from hybridtui.ui.widgets.resource_table import widest_cells
from hybridtui.ui.widgets.resource_view import table_data
from hybridtui.ui.widgets.status_strip import StatusStrip


def warm_cache(clouds: list[dict[str, Any]]) -> None:
    cache = InventoryCache(resolve_paths().inventory_cache_dir)
    list(Poller(targets_for(make_settings(clouds).config), cache=cache).poll())
    cache.close()


class GatedCache(InventoryCache):
    """The real cache, whose reads wait until the test opens the gate: the
    moment between first paint and the cache read, held still."""

    def __init__(self) -> None:
        super().__init__(resolve_paths().inventory_cache_dir)
        self.gate = threading.Event()

    def load(self, target: CloudTarget, kinds: Any = None) -> CloudSnapshot | None:
        self.gate.wait(timeout=30)
        return super().load(target, kinds)


class RecordingCache(InventoryCache):
    """The real cache, noting at each read whether background work was still
    held for the first frame (`priority`)."""

    def __init__(self) -> None:
        super().__init__(resolve_paths().inventory_cache_dir)
        self.held: list[bool] = []

    def load(self, target: CloudTarget, kinds: Any = None) -> CloudSnapshot | None:
        from hybridtui import priority

        self.held.append(priority.holding())
        return super().load(target, kinds)


async def test_the_first_page_is_read_before_the_app_and_the_rest_after_its_first_frame(
    frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80 columns one pane fits: its cloud's cache is read before the app
    starts, so the first frame shows its rows. The other clouds are read by a
    thread that starts at mount but waits until the first frame is painted:
    started with it, it held the interpreter lock for part of the first layout
    (bench/startup.py)."""
    monkeypatch.setenv("COLUMNS", "80")
    warm_cache(THREE_CLOUDS[:2])
    app = make_app(make_settings(THREE_CLOUDS), clock=frozen_clock)
    assert app.preloaded == ["aws-sim"]
    assert app.model.snapshots["aws-sim"].nodes
    assert app.model.is_reading("gce-sim")
    assert app.cache is not None
    app.cache.close()
    app.cache = recording = RecordingCache()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = app.dashboard.views[ResourceKind.NODES].panes[0]
        assert first.table.total_count == len(app.model.snapshots["aws-sim"].nodes)
        await settle(app, pilot)
        assert recording.held == [False], "gce-sim's read came after the first frame"
        assert app.model.snapshots["gce-sim"].nodes


def test_the_first_page_is_read_only_while_the_budget_lasts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three panes fit, but after two clouds the budget is spent: the third
    is read after the first frame, not before it (a big cache must not hold
    the first frame long)."""
    from hybridtui.ui.cache_reading import FIRST_PAGE_BUDGET, read_first_page
    from hybridtui.ui.widgets.resource_view import PANE_MIN_WIDTH

    clouds = [*THREE_CLOUDS]
    warm_cache(clouds)
    targets = targets_for(make_settings(clouds).config)
    model = InventoryModel(targets)
    model.mark_reading(t.name for t in targets)
    cache = InventoryCache(resolve_paths().inventory_cache_dir)
    # the clock as read before each cloud: the third finds the budget spent
    ticks = iter([0.0, 0.0, FIRST_PAGE_BUDGET * 0.9, FIRST_PAGE_BUDGET * 1.1])
    try:
        read = read_first_page(
            targets, cache, model, Poller(targets), 3 * PANE_MIN_WIDTH, clock=lambda: next(ticks)
        )
    finally:
        cache.close()
    assert read == ["aws-sim", "gce-sim"]
    assert [n for n in ("aws-sim", "gce-sim", "os-fip") if model.is_reading(n)] == ["os-fip"]
    assert model.snapshots["gce-sim"].nodes


def test_a_cache_that_fails_before_the_first_frame_does_not_stop_the_app(
    frozen_clock: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A read that raises (a locked or damaged database) before the app
    starts is logged, and the cloud is left to the thread that reads the
    rest of the cache after the first frame."""
    monkeypatch.setenv("COLUMNS", "160")
    warm_cache(THREE_CLOUDS[:2])

    def broken(self: InventoryCache, target: CloudTarget, kinds: Any = None) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(InventoryCache, "load", broken)
    app = make_app(make_settings(THREE_CLOUDS), clock=frozen_clock)
    assert app.preloaded == []
    assert app.model.is_reading("aws-sim")
    assert app.model.is_reading("gce-sim")
    assert "could not read aws-sim from the cache before the first frame" in caplog.text
    assert app.cache is not None
    app.cache.close()


async def test_offline_a_kind_never_fetched_says_so_not_none(frozen_clock: Any) -> None:
    """Offline after a refresh of nodes only, the Flavors tab has nothing
    cached: its panes say the kind was never fetched, not "no flavors"."""
    settings = make_settings(THREE_CLOUDS[:1], offline=True)
    cache = InventoryCache(resolve_paths().inventory_cache_dir)
    list(Poller(targets_for(settings.config), cache=cache).poll(kinds=[ResourceKind.NODES]))
    cache.close()
    app = make_app(settings, clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        assert app.dashboard.views[ResourceKind.NODES].panes[0].table.total_count > 0
        await pilot.press("2")
        await settle(app, pilot)
        pane = app.dashboard.views[ResourceKind.FLAVORS].panes[0]
        assert pane.table.total_count == 0
        assert pane.table.empty_text == "flavors not fetched yet: nothing cached for them"


async def test_the_first_scorecard_compares_what_is_cached(
    frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The comparator waits for the cache to be read: it ran first on no
    snapshots at all, while the cache was being read, and then again."""
    from hybridtui.inventory import scorecards

    compared: list[set[str]] = []
    real = scorecards.compare

    def compare(targets: Any, snapshots: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        compared.append(set(snapshots))
        return real(targets, snapshots, *args, **kwargs)

    monkeypatch.setattr(scorecards, "compare", compare)
    warm_cache(THREE_CLOUDS[:2])
    app = make_app(make_settings(THREE_CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        for _ in range(100):
            await settle(app, pilot)
            if compared and app.scorecard_settled:
                break
        assert compared, "the scorecard was computed"
        assert compared[0] >= {"aws-sim", "gce-sim"}, compared


async def test_panes_are_paged_to_the_terminal_before_the_first_layout(
    frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 160 columns two panes fit: the others are off the page from the
    first frame, not drawn at their default width and then put away when the
    view's first resize pages them (here that resize is switched off)."""
    from hybridtui.ui.widgets.resource_view import ResourceView

    monkeypatch.setattr(ResourceView, "on_resize", lambda self: None)
    app = make_app(make_settings(THREE_CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        panes = app.dashboard.views[ResourceKind.NODES].panes
        assert [p.display for p in panes] == [True, True, False]
        assert {p.styles.width.value for p in panes if p.display} == {80}


async def test_panes_say_the_cache_is_being_read_until_it_is(
    frozen_clock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # no time to read before the first frame (a first page too big to read at once)
    monkeypatch.setattr("hybridtui.ui.cache_reading.FIRST_PAGE_BUDGET", -1.0)
    warm_cache(THREE_CLOUDS[:2])  # the third cloud was never cached
    app = make_app(make_settings(THREE_CLOUDS), clock=frozen_clock)
    assert app.cache is not None
    app.cache.close()
    app.cache = gated = GatedCache()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        view = app.dashboard.views[app.dashboard.active_kind]
        states = {s.name: s.state for s in app.model.statuses()}
        assert states == {
            "aws-sim": CloudState.READING,
            "gce-sim": CloudState.READING,
            "os-fip": CloudState.LOADING,
        }
        assert view.panes[0].table.empty_text == "reading the cache…"
        assert "aws-sim cached…" in app.dashboard.query_one(StatusStrip).text.replace("\xa0", " ")
        assert app.poller._providers == {}, "no cloud is asked before the cache is read"
        await pilot.press("2")  # keys work meanwhile
        assert app.dashboard.active_kind == "flavors"
        gated.gate.set()
        # the refresh starts once the cache has been read, from a message the
        # cache worker posts as it ends: settle until that refresh is done too
        for _ in range(100):
            await settle(app, pilot)
            if app.model.status("aws-sim").state in (CloudState.FRESH, CloudState.STALE):
                break
            await pilot.pause(0.02)
        view = app.dashboard.views[app.dashboard.active_kind]
        assert all(p.table.total_count > 0 for p in view.panes if p.display)
        assert app.model.status("aws-sim").state in (CloudState.FRESH, CloudState.STALE)
        assert app.poller._providers, "polling started once the cache was read"


async def test_one_cloud_refreshing_rebuilds_only_its_own_pane(frozen_clock: Any) -> None:
    app = make_app(make_settings(THREE_CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(200, 48)) as pilot:
        await settle(app, pilot)
        panes = app.dashboard.views[app.dashboard.active_kind].panes
        before = {p.cloud: p.table._data for p in panes}
        app._start_poll(["gce-sim"])
        await settle(app, pilot)
        after = {p.cloud: p.table._data for p in panes}
        rebuilt = {c for c in before if after[c] is not before[c]}
        assert rebuilt == {"gce-sim"}


async def test_one_cloud_refreshing_rebuilds_only_its_part_of_the_unified_table(
    frozen_clock: Any,
) -> None:
    """The unified table keeps each cloud's rows: a cloud with new data (one
    node gone) is built again, the others are reused, and the whole equals a
    table built from scratch (rows, what each row opens, search text, widths)."""
    app = make_app(make_settings(THREE_CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        await pilot.press("u")
        view = app.dashboard.views[app.dashboard.active_kind]
        assert view.unified
        assert sorted(view.unified_rows.built) == sorted(app.model.names)
        old = app.model.snapshots["gce-sim"]
        gone = old.nodes[0]
        new = dataclasses.replace(old, nodes=old.nodes[1:])
        await pilot.press("slash", *gone.name, "enter")
        table = view.unified_table
        assert ("gce-sim", gone.name) in {r[:2] for r in table.visible_rows()}
        app.dashboard.post_message(SnapshotReady(PollOutcome("gce-sim", new, None, 0.1)))
        await settle(app, pilot)
        assert view.unified_rows.built == ["gce-sim"]
        fresh = table_data(app.model, ResourceKind.NODES, None)
        assert table._data.rows == fresh.rows
        assert table._data.keys == fresh.keys
        assert table._data.payloads == fresh.payloads
        assert table._index.hay == [haystack(r) for r in fresh.rows]
        widest = widest_cells(fresh.rows, len(fresh.headers))
        assert table._natural == [
            max(len(h), w) for h, w in zip(fresh.headers, widest, strict=True)
        ]
        assert ("gce-sim", gone.id) not in table._data.keys
        assert table.total_count == sum(len(s.nodes) for s in app.model.snapshots.values())
        assert ("gce-sim", gone.name) not in {r[:2] for r in table.visible_rows()}, (
            "the filter typed before the change applies to the new rows"
        )


PROFILES = list(DEMO_PROFILES)  # the six demo behaviours, in the demo's order


async def test_fifty_clouds_answer_keys_while_they_load_and_quit(monkeypatch: Any) -> None:
    """50 demo clouds loading at once: the filter typed meanwhile is handled
    while they load, is applied to what arrives after it, and `q` ends the app.
    Asserted on messages and state, not on time (bench/scale.py measures the
    latency), at the issue's size: 50 clouds x 2,000 nodes. The last cloud answers only once the first key is handled (or
    after 30 s): an app that took no key until every cloud had answered fails
    here, however fast the machine."""
    clouds = [
        sim_cloud(f"demo-{i:02d}", PROFILES[i % 6], seed=i, nodes=2000, latency=0.05)
        for i in range(50)
    ]
    seen: list[str] = []
    clouds_seen: set[str] = set()
    typed = threading.Event()
    waited_for_keys: list[bool] = []
    real_call = SimulatorProvider._call

    def held_call(self: SimulatorProvider, op: str, kind: Any = None) -> Any:
        if self.name == "demo-49" and not typed.is_set():
            waited_for_keys.append(typed.wait(30))
        return real_call(self, op, kind)

    monkeypatch.setattr(SimulatorProvider, "_call", held_call)

    def hook(message: Message) -> None:
        if isinstance(message, events.Key):
            seen.append("key")
            typed.set()
        elif isinstance(message, SnapshotReady):
            seen.append("snapshot")
            clouds_seen.add(message.outcome.cloud)

    app = make_app(make_settings(clouds))
    async with app.run_test(size=(160, 48), message_hook=hook) as pilot:
        await pilot.press("slash", *"db-prod")
        await settle(app, pilot)
        assert len(clouds_seen) == 50
        last_snapshot = len(seen) - 1 - seen[::-1].index("snapshot")
        assert seen.index("key") < last_snapshot
        assert all(waited_for_keys), "keys were handled while clouds loaded"
        box = app.dashboard.query_one("#filter", Input)
        assert app.focused is box
        assert box.value == "db-prod"
        view = app.dashboard.views[app.dashboard.active_kind]
        shown = [p.table for p in view.panes if p.display]
        assert len(shown) == 2
        for table in shown:
            assert table.filter_text == "db-prod"
            _, rows = table.visible_table()
            assert 0 < len(rows) < table.total_count
            assert all(any("db-prod" in cell for cell in row) for row in rows)
        await pilot.press("tab", "tab", "tab")  # the next page: its panes catch up
        assert view.panes[2].display
        assert view.panes[2].table.filter_text == "db-prod"
        await pilot.press("escape", "q")
    assert app.return_code == 0


async def test_many_clouds_are_summed_up_in_one_status_line(frozen_clock: Any) -> None:
    """Chips for 14 clouds would take more than two rows at 80 columns: one
    line counts them by state and names the failing ones; `:clouds` opens
    the per-cloud list (the health view)."""
    clouds = [sim_cloud(f"cloud-{i:02d}", PROFILES[i % 6], seed=i, nodes=5) for i in range(12)]
    clouds += [sim_cloud(f"bad-{i}", "aws-default-vpc", fault="http-500") for i in (1, 2)]
    app = make_app(make_settings(clouds), clock=frozen_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        strip = app.dashboard.query_one(StatusStrip)
        text = strip.text.replace("\xa0", " ")
        assert strip.size.height == 1
        assert text.startswith("14 clouds  ● 12 fresh  ✖ 2 failed: bad-1, bad-2"), text
        await pilot.press("colon", *"clouds", "enter")
        assert type(app.screen).__name__ == "HealthScreen"
        await pilot.press("escape")
        await pilot.resize_terminal(200, 40)  # wide enough: a chip each again
        await pilot.pause()
        assert "● cloud-00" in strip.text.replace("\xa0", " ")


async def test_a_tab_is_built_when_first_shown(frozen_clock: Any) -> None:
    """Eight tabs of 50 panes each took 5 s to first paint: only Nodes is
    built at start, another tab when first shown, with its data and filter."""
    app = make_app(make_settings(THREE_CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(200, 48)) as pilot:
        await settle(app, pilot)
        views = app.dashboard.views
        assert [k for k, v in views.items() if v.is_mounted] == ["nodes"]
        await pilot.press("slash", *"t3a", "enter", "2")
        await pilot.pause()
        flavors = views[app.dashboard.active_kind]
        assert flavors.kind == "flavors"
        assert flavors.is_mounted
        for pane in flavors.panes:
            assert pane.table.filter_text == "t3a"
        aws = flavors.panes[0].table
        assert aws.row_count > 0
        assert all(row[0].startswith("t3a.") for row in aws.visible_table()[1])
        assert isinstance(app.focused, type(aws))


async def test_the_health_view_says_which_clouds_fall_behind(frozen_clock: Any) -> None:
    """A cloud whose refresh takes longer than its refresh_interval is marked,
    and the view says what that means and what to change."""
    from dataclasses import replace

    from hybridtui.ui.screens.health import HealthScreen

    app = make_app(make_settings(THREE_CLOUDS), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(app, pilot)
        real = app.health()
        slow = [replace(real[0], last_seconds=45.0, interval=30.0), *real[1:]]
        await app.push_screen(HealthScreen(lambda: slow))
        await pilot.pause()
        note = str(app.screen.query_one("#behind").render())
        assert note.startswith("⚠ 1 of 3 clouds take longer to refresh")
        assert "(aws-sim)" in note
        assert "raise refresh_interval" in note
        assert not real[0].behind, "the demo clouds keep up"
        assert slow[0].behind


def test_listings_beyond_the_limit_wait_for_a_slot_and_nested_calls_never_deadlock() -> None:
    """The dashboard runs at most N listings at once (their threads hold the
    interpreter lock while they parse); a call that gathers calls of its own
    uses its slot for them, so a full set of slots never waits on itself."""
    from hybridtui.providers import base

    running, peak = [0], [0]
    changed = threading.Condition()

    def listing(inner: bool) -> int:
        with changed:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            changed.notify_all()
        if inner:  # an adapter gathering calls inside one kind
            found, errors = base.gather("c", {i: lambda: 1 for i in range(3)})
            assert errors == {}
            assert sum(found.values()) == 3
        with changed:  # until a second listing runs alongside (the last may be alone)
            changed.wait_for(lambda: running[0] >= 2, timeout=0.5)
            running[0] -= 1
            changed.notify_all()
        return 1

    base.limit_calls(2)
    try:
        found, errors = base.gather("c", {i: (lambda i=i: listing(i % 2 == 0)) for i in range(6)})
    finally:
        base.limit_calls(1024)
    assert errors == {}
    assert sum(found.values()) == 6
    assert peak[0] == 2


def test_the_pairs_of_one_cloud_are_those_the_whole_list_has() -> None:
    """`pairs_of` (the Interop tab's pair line) is `pairs()` narrowed to one
    cloud, same order and same orientation, on six demo clouds."""
    from hybridtui.config import AppConfig
    from hybridtui.interop.scorecard import build
    from hybridtui.interop.site import site_for

    clouds = [sim_cloud(f"c{i}", p) for i, p in enumerate(DEMO_PROFILES)]
    ts = targets_for(AppConfig.validate({"clouds": clouds}))
    snaps = {o.cloud: o.snapshot for o in Poller(ts).poll()}
    card = build([site_for(t, snaps[t.name]) for t in ts])
    assert len(card.clouds) == 6
    for cloud in card.clouds:
        assert card.pairs_of(cloud) == [p for p in card.pairs() if cloud in (p.a, p.b)]


def test_the_summary_is_chosen_early_only_when_the_chips_cannot_fit() -> None:
    """`too_many` decides without building chips; whenever it says so, the
    chips laid out would indeed have taken more than `MAX_ROWS` rows."""
    from hybridtui.config import AppConfig
    from hybridtui.ui.widgets.status_strip import MAX_ROWS, chip, layout, too_many

    clouds = [sim_cloud(f"demo-cloud-{i:02d}", "aws-default-vpc") for i in range(40)]
    statuses = InventoryModel(targets_for(AppConfig.validate({"clouds": clouds}))).statuses()
    early = 0
    for n in range(1, len(statuses) + 1):
        for width in (40, 80, 120, 160, 200):
            if too_many(statuses[:n], width):
                early += 1
                rows = layout([chip(s) for s in statuses[:n]], width).plain.count("\n") + 1
                assert rows > MAX_ROWS, (n, width)
    assert early > 0


async def test_the_summary_keeps_to_one_row_and_shrinks_back_when_it_gets_shorter() -> None:
    """At 60 columns `6 clouds  ● 4 fresh  ◌ 2 refreshing  (i or :clouds:
    every cloud)` wrapped to two rows, and the strip kept both rows once it
    read `● 6 fresh` (its height was judged by newlines, not wrapping): a
    row lost on the small terminals of jump hosts."""
    from textual.app import App, ComposeResult

    from hybridtui.config import AppConfig

    clouds = [sim_cloud(f"region-cloud-{i:02d}", PROFILES[i % 6]) for i in range(6)]
    statuses = InventoryModel(targets_for(AppConfig.validate({"clouds": clouds}))).statuses()

    def shown(*states: CloudState) -> list[Any]:
        return [dataclasses.replace(s, state=st) for s, st in zip(statuses, states, strict=True)]

    class Strip(App[None]):
        def compose(self) -> ComposeResult:
            yield StatusStrip()

    app = Strip()
    async with app.run_test(size=(60, 16)) as pilot:
        strip = app.query_one(StatusStrip)
        fresh, busy, failed = CloudState.FRESH, CloudState.REFRESHING, CloudState.ERROR
        strip.show(shown(fresh, fresh, fresh, fresh, busy, busy))
        await pilot.pause()
        assert strip.text.replace("\xa0", " ").startswith("6 clouds  ● 4 fresh  ◌ 2 refreshing  (i")
        assert strip.size.height == 1
        strip.show(shown(*[fresh] * 6))
        await pilot.pause()
        assert strip.text.replace("\xa0", " ") == "6 clouds  ● 6 fresh  (i or :clouds: every cloud)"
        assert strip.size.height == 1
        await pilot.resize_terminal(40, 16)  # too narrow for three states: it wraps
        strip.show(shown(fresh, fresh, fresh, busy, busy, failed))
        await pilot.pause()
        assert strip.size.height == 2
        strip.show(shown(*[fresh] * 6))
        await pilot.pause()
        assert strip.size.height == 1, "back to one row"


async def test_a_scorecard_is_drawn_when_its_tab_is_shown_not_before(
    frozen_clock: Any, monkeypatch: Any
) -> None:
    """While the Interop tab is hidden a new scorecard is kept, not drawn;
    showing the tab draws the latest one. (The first one may be drawn as the
    tab's view is mounted, if it comes first: that is once, at start-up.)"""
    from textual.widgets import TabbedContent

    from hybridtui.ui.widgets.interop_view import ScorecardTable

    async def scored() -> None:
        for _ in range(50):
            await settle(app, pilot)
            if app.scorecard_settled:
                return
        raise AssertionError("the scorecard never settled")

    app = make_app(make_settings(), clock=frozen_clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await scored()
        interop = app.dashboard.interop
        drawn: list[object] = []
        real = interop.show
        monkeypatch.setattr(interop, "show", lambda c: (drawn.append(c), real(c)))
        app._scorecard_dirty = True  # a refresh changed something: a new scorecard
        app._refresh_scorecard()
        await scored()
        latest = interop.comparison
        assert latest is not None
        assert drawn == [], "not drawn while hidden"
        await pilot.press("9")
        await pilot.pause()
        assert app.query_one(TabbedContent).active == "tab-interop"
        assert drawn == [latest]
        table = app.query_one(ScorecardTable)
        assert table.row_count == len(latest.scorecard.checks) + 1  # + the score row


async def test_a_title_line_redraws_only_when_its_text_or_style_changes() -> None:
    """`TitleLine.show` with what is shown does nothing; a new colour on the
    same text (stale → fresh) is drawn; neither asks for a layout pass."""
    from textual.app import App, ComposeResult
    from textual.content import Content

    from hybridtui.ui.widgets.title_line import TitleLine

    line = TitleLine()

    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield line

    refreshes: list[bool] = []
    async with Host().run_test() as pilot:
        real = line.refresh

        def spy(*regions: Any, **kw: Any) -> Any:
            refreshes.append(bool(kw.get("layout")))
            return real(*regions, **kw)

        line.refresh = spy  # type: ignore[method-assign]
        line.show(Content.assemble(("demo-00", "bold"), " · fresh 2s"))
        line.show(Content.assemble(("demo-00", "bold"), " · fresh 2s"))
        assert refreshes == [False], "the same text and style: no redraw"
        line.show(Content.assemble(("demo-00", "bold"), (" · fresh 2s", "$error")))
        assert refreshes == [False, False], "same text, new style: drawn, no layout"
        await pilot.pause()
        assert "fresh 2s" in str(line.render())
