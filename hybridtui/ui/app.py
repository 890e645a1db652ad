"""Wiring: settings → model, poller, cache → the Textual app.

The app owns the poll loop (a thread worker per batch of due clouds, results
back as messages) and app-wide actions; screens own their own state. No cloud
SDK is imported here or anywhere on the way to first paint.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import events, work
from textual.binding import Binding, BindingType
from textual.driver import Driver
from textual.screen import Screen
from textual.worker import get_current_worker

from hybridtui import keys, priority, reaper
from hybridtui.columns import Rows, prepare_rows
from hybridtui.domain import ResourceKind
from hybridtui.errors import ConfigError, ProviderError
from hybridtui.inventory.cache import InventoryCache, open_cache
from hybridtui.inventory.model import CloudState, InventoryModel
from hybridtui.inventory.poller import Poller, PollOutcome
from hybridtui.memory import Collector
from hybridtui.privacy import masker_for
from hybridtui.providers import CloudTarget, targets_for
from hybridtui.settings import Settings
from hybridtui.ui.cache_reading import CacheReading, read_first_page
from hybridtui.ui.messages import SnapshotReady
from hybridtui.ui.palette import PaletteCommands
from hybridtui.ui.privacy_mode import PrivacyActions
from hybridtui.ui.scorecard_runs import ScorecardRuns
from hybridtui.ui.screens.dashboard import DashboardScreen
from hybridtui.ui.screens.health import Health
from hybridtui.ui.themes import (
    DEFAULT_THEME,
    EXTRA_CYCLE,
    VARIABLE_DEFAULTS,
    builtin_themes_dir,
    load_themes,
)
from hybridtui.ui.widgets.resource_table import ResourceTable
from hybridtui.ui.writes import WriteActions


@dataclass(frozen=True, slots=True)
class Pulse:
    """A cloud's last refresh, for the health view."""

    seconds: float
    kinds: int
    #: SDK calls so far, and during the last refresh.
    calls_total: int
    calls: int
    ok_at: float | None
    error: str


if TYPE_CHECKING:  # types only: the runner loads when a run starts
    from textual.message import Message

    from hybridtui.ui.screens.leftovers import Leftovers


#: Written by the app after its first paint; it exits once the cache is read
#: and painted (bench/startup.py times the first frame and the first rows).
BENCH_FIRST_PAINT_ENV = "HYBRIDTUI_BENCH_FIRST_PAINT"
#: Written by the app as it exits: each key, when its event was made (input
#: thread), handled (UI thread) and the next frame painted (bench/scale.py
#: prints this beside the time tmux took to show the key).
BENCH_KEYS_ENV = "HYBRIDTUI_BENCH_KEYS"
#: The longest background work waits for the first frame (seconds).
FIRST_FRAME_HOLD = 1.0


class HybridApp(CacheReading, ScorecardRuns, WriteActions, PrivacyActions, PaletteCommands):
    TITLE = "hybridtui"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(keys.default("quit"), "quit", "Quit", id="quit"),
        Binding(
            keys.default("interrupt"), "quit", "Quit", show=False, priority=True, id="interrupt"
        ),
        Binding(keys.default("help"), "help", "Help", id="help"),
        Binding(keys.default("refresh"), "refresh", "Refresh", id="refresh"),
        Binding(keys.default("cycle-theme"), "cycle_theme", "Theme", show=False, id="cycle-theme"),
        Binding(keys.default("provision"), "provision", "Provision", id="provision"),
        Binding(keys.default("leftovers"), "leftovers", "Leftovers", id="leftovers"),
        Binding(keys.default("health"), "health", "Health", show=False, id="health"),
        Binding(
            keys.default("toggle-privacy"),
            "toggle_privacy",
            "Privacy",
            show=False,
            id="toggle-privacy",
        ),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        targets: list[CloudTarget],
        model: InventoryModel,
        poller: Poller,
        cache: InventoryCache | None,
        theme_names: list[str],
        theme_problems: Iterable[str] = (),
        cache_problems: Iterable[str] = (),
        tick_interval: float = 1.0,
        freeze_after_cache: bool = False,
    ) -> None:
        super().__init__()
        self.freeze_after_cache = freeze_after_cache
        #: When the older generations are collected (`hybridtui.memory`).
        self.collector = Collector()
        self.settings = settings
        self.targets = targets
        self.model = model
        self.poller = poller
        self.cache = cache
        self.theme_names = theme_names
        self.theme_problems = list(theme_problems)
        #: What opening the cache ran into (`open_cache`): said on screen, where
        #: a line on stderr would be drawn over.
        self.cache_problems = list(cache_problems)
        self.tick_interval = tick_interval
        self._closed = False
        self._sync_pending = False
        #: What interrupted runs left, once looked for (after the first paint).
        self.leftovers: Leftovers | None = None
        #: Per cloud: its last refresh (seconds, kinds, SDK calls), last success, last error.
        self.pulses: dict[str, Pulse] = {}
        #: Clouds whose cache was read before the app started (`read_first_page`).
        self.preloaded: list[str] = []
        #: Per key (bench/scale.py only): its name and times, see BENCH_KEYS_ENV.
        self._key_times: list[list[object]] | None = [] if os.environ.get(BENCH_KEYS_ENV) else None
        self.install_privacy(lambda: masker_for(self.settings), settings.privacy)
        self.init_scorecard_runs()

    # ----------------------------------------------------------------- input
    async def on_event(self, event: events.Event) -> None:
        """A key holds background work (`hybridtui.priority`) until its effect
        is painted: the frame after the one that follows the key, since the
        filter's work comes a message later than the key itself."""
        if isinstance(event, events.Key) and not event.is_forwarded:
            self.collector.note_input()
            priority.hold()
            self.call_after_refresh(self.call_after_refresh, priority.release)
            if self._key_times is not None:  # Textual stamps events with time.monotonic (POSIX)
                times: list[object] = [event.key, event.time, time.monotonic()]
                self._key_times.append(times)
                self.call_after_refresh(lambda: times.append(time.monotonic()))
        await super().on_event(event)

    def get_driver_class(self) -> type[Driver]:
        """Textual's driver for this terminal, holding background work
        (`priority.hold_from_input`) as soon as its input thread reads a key."""
        return _holding_driver(super().get_driver_class())

    # ----------------------------------------------------------------- setup
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(VARIABLE_DEFAULTS)

    def get_default_screen(self) -> Screen[None]:
        # a real cloud (not a demo) hybridtui may write to: marked in its panes
        markers = {
            t.name: "✎ writable"
            for t in self.targets
            if t.kind != "simulator" and not self.why_not_writable(t.name)
        }
        return DashboardScreen(
            self.model,
            banner=self._banner(),
            markers=markers,
            columns=self.settings.config.columns,
        )

    def _banner(self) -> str | None:
        if self.settings.replay:
            return f"REPLAY — captured {self.settings.replay} · no credentials, no network"
        if self.settings.offline:
            return "OFFLINE — cached inventory only, no refresh"
        if self.settings.demo:
            return "DEMO — simulated clouds · no credentials needed · ? for help"
        return None

    def key_of(self, binding_id: str) -> str:
        """The keys a binding answers to in this session, as help prints them."""
        return keys.shown(keys.effective(self.settings.config.keymap)[binding_id])

    @property
    def dashboard(self) -> DashboardScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, DashboardScreen)
        return screen

    def on_mount(self) -> None:
        self.sub_title = self.settings.source
        if self.settings.config.keymap:  # checked by the config: known ids, no clashes
            self.set_keymap(
                {bid: keys.normalize(k) for bid, k in self.settings.config.keymap.items()}
            )
        for problem in self.theme_problems:
            self.notify(problem, title="Theme not loaded", severity="warning", timeout=10)
        for problem in self.cache_problems:
            self.notify(problem, title="Cache", severity="warning", timeout=10)
        # The first frame comes before background work: the threads that read
        # the cache, poll and compare start now but wait at their first
        # checkpoint until it is painted (they held the interpreter lock for
        # part of the first layout, bench/startup.py).
        priority.hold(FIRST_FRAME_HOLD)
        bench = bool(os.environ.get(BENCH_FIRST_PAINT_ENV))
        if bench:  # recorded before anything is released
            self.call_after_refresh(self._bench_first_paint)
        self.call_after_refresh(priority.release)
        if self.model.reading or self.preloaded:  # panes fill as the cache is read
            self._read_cache([t for t in self.targets if self.model.is_reading(t.name)])
        else:
            self._start()
        if not self.settings.offline and not bench:
            self.call_after_refresh(self._find_leftovers)

    def _start(self) -> None:
        """With what the cache had in place: polling starts (or, offline,
        the clouds with nothing cached say so)."""
        if self.settings.offline:
            for t in self.targets:
                if t.name not in self.model.snapshots:
                    self.model.note_error(
                        t.name,
                        ProviderError(
                            f"{t.name}: nothing cached yet (offline)", title="Not cached"
                        ),
                    )
            self.dashboard.sync()
            self._refresh_scorecard()
        else:
            self._tick()
            self.set_interval(self.tick_interval, self._tick)
        if os.environ.get(BENCH_FIRST_PAINT_ENV):  # the cache is on screen: done
            self.call_after_refresh(self.exit)

    def _bench_first_paint(self) -> None:
        record = {
            "t": time.time(),
            "modules": sorted(sys.modules),
            "switch_interval": sys.getswitchinterval(),
        }
        with open(os.environ[BENCH_FIRST_PAINT_ENV], "w", encoding="utf-8") as f:
            json.dump(record, f)

    # --------------------------------------------------------------- polling
    def _sync_soon(self) -> None:
        """Show what arrived in one redraw, after every message already queued:
        50 clouds answering at once were 50 layouts, and keys waited behind
        them (bench/scale.py)."""
        if not self._sync_pending:
            self._sync_pending = True
            self.call_later(self._sync_now)

    @property
    def _dismantled(self) -> bool:
        """Quitting: the screens may be gone before the timers stop (seen as
        an IndexError from a 1 s tick in a fresh-clone run)."""
        return self._closed or not self.screen_stack

    def _sync_now(self) -> None:
        self._sync_pending = False
        if self._dismantled:
            return
        self.dashboard.sync()
        self._refresh_scorecard()

    def _tick(self) -> None:
        """Every second: start refreshes that are due, and age the status strip."""
        if self._dismantled:
            return
        due = self.poller.due()
        if due:
            self._start_poll(due)
        if self.freeze_after_cache:  # the CLI's dashboard: it owns the collector
            self.collector.tick(busy=bool(self.poller.in_flight()))
        self.dashboard.sync()
        self._refresh_scorecard()

    def _start_poll(self, names: list[str], full: bool = False) -> None:
        self.model.mark_refreshing(names)
        self._poll(names, full)

    @work(thread=True, group="poll", exit_on_error=False, description="Refreshing clouds")
    def _poll(self, names: list[str], full: bool) -> None:
        worker = get_current_worker()
        #: Per cloud, the cells of its last outcome in this refresh: a cloud
        #: answers kind by kind, and only the kinds that came are built again.
        prepared: dict[str, dict[ResourceKind, Rows]] = {}
        for outcome in self.poller.poll(names, full=full):
            if worker.is_cancelled:
                return
            snap = outcome.snapshot
            rows = None
            if snap is not None:
                before = prepared.get(outcome.cloud)
                build = set(outcome.fetched) if before and outcome.fetched else set(ResourceKind)
                if ResourceKind.NODES in build:  # addresses name the nodes they are on
                    build.add(ResourceKind.ADDRESSES)
                built = prepare_rows({k: snap.resources(k) for k in build}, snap.nodes)
                rows = prepared[outcome.cloud] = {**(before or {}), **built}
            self.post_message(SnapshotReady(outcome, rows))

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        outcome = message.outcome
        previous = self.model.status(outcome.cloud)
        self._record_pulse(outcome)
        self.model.apply(outcome, message.rows)
        err = outcome.error
        if err is not None and previous.state is not CloudState.ERROR:
            body = err.message + (f"\n{err.hint}" if err.hint else "")
            self.notify(body, title=err.title, severity="error", timeout=8)
        if outcome.snapshot is not None:
            for kind, failed in outcome.snapshot.kind_errors.items():
                if kind not in previous.kind_errors:  # newly failing: say it once
                    body = failed.message + (f"\n{failed.hint}" if failed.hint else "")
                    self.notify(
                        body,
                        title=f"{outcome.cloud}: {kind}: {failed.title}",
                        severity="warning",
                        timeout=8,
                    )
        self._scorecard_dirty = self._scorecard_dirty or outcome.snapshot is not None
        self._sync_soon()

    def _record_pulse(self, outcome: PollOutcome) -> None:
        calls = self.poller.provider(outcome.cloud).calls
        before = self.pulses.get(outcome.cloud)
        self.pulses[outcome.cloud] = Pulse(
            seconds=outcome.elapsed,
            kinds=len(outcome.fetched),
            calls_total=calls,
            calls=calls - (before.calls_total if before else 0),
            ok_at=self.model.clock() if outcome.ok else (before.ok_at if before else None),
            error=outcome.error.message if outcome.error else "",
        )

    def health(self) -> list[Health]:
        """The health view's rows, from the model, the poller and the pulses."""
        from importlib import metadata

        now = self.model.clock()
        busy = self.poller.in_flight()
        rows = []
        for t in self.targets:
            status = self.model.status(t.name)
            pulse = self.pulses.get(t.name)
            provider = self.poller._providers.get(t.name)  # never built offline
            dist = getattr(provider, "SDK_NAME", "") if provider is not None else ""
            try:
                sdk = f"{dist} {metadata.version(dist)}" if dist else "built-in"
            except metadata.PackageNotFoundError:
                sdk = f"{dist} (not installed)"
            rows.append(
                Health(
                    cloud=t.name,
                    kind=t.kind,
                    state=str(status.state),
                    last_seconds=pulse.seconds if pulse else None,
                    kinds_asked=pulse.kinds if pulse else 0,
                    calls=pulse.calls if pulse else None,
                    last_success_age=None
                    if not pulse or pulse.ok_at is None
                    else now - pulse.ok_at,
                    failures=self.poller.failures(t.name),
                    next_in=None if t.name in busy else self.poller.next_due(t.name) - now,
                    data_age=status.age,
                    sdk=sdk,
                    error=pulse.error if pulse else (status.error_title or ""),
                    interval=t.config.refresh_interval,
                )
            )
        return rows

    def on_dashboard_screen_columns_chosen(self, message: DashboardScreen.ColumnsChosen) -> None:
        """Keep the picker's choice in the config, and in its file when the
        config is the user's (the built-in demo's is not written to)."""
        from pathlib import Path

        from hybridtui.config_file import save_columns

        columns = dict(self.settings.config.columns)
        if message.keys is None:
            columns.pop(message.kind, None)
        else:
            columns[message.kind] = message.keys
        import dataclasses

        config = self.settings.config.replace(columns=columns)
        self.settings = dataclasses.replace(self.settings, config=config)
        if self.settings.demo and self.settings.source == "built-in demo clouds":
            self.notify(
                "Kept for this session: the built-in demo config is not written to.",
                title="Columns",
                timeout=4,
            )
            return
        path = Path(self.settings.source)
        try:
            save_columns(path, columns)
        except (OSError, ConfigError) as e:
            self.notify(f"{e}", title="Columns not saved", severity="error")
            return
        self.notify(f"Saved in {path} (columns.{message.kind})", title="Columns", timeout=4)

    def action_health(self) -> None:
        from hybridtui.ui.screens.health import HealthScreen

        self.push_screen(HealthScreen(self.health))

    # --------------------------------------------------------------- actions
    def action_refresh(self) -> None:
        if self.settings.offline:
            self.notify("Offline mode: showing the cache only.", title="Refresh disabled")
            return
        busy = self.poller.in_flight()
        names = [n for n in self.model.names if n not in busy]
        if names:
            self._start_poll(names, full=True)  # r: the catalogue too
            self.dashboard.sync()
        self.notify(
            f"Refreshing {len(names)} cloud{'s' if len(names) != 1 else ''}"
            + (f" ({len(busy)} still busy)" if busy else ""),
            timeout=2,
        )

    def action_help(self) -> None:
        from hybridtui.ui.screens.help import HelpScreen, describe_bindings, extra_help
        from hybridtui.ui.widgets.interop_view import ScorecardTable

        effective = keys.effective(self.settings.config.keymap)
        bindings = describe_bindings(
            effective,
            list(self.BINDINGS),
            list(DashboardScreen.BINDINGS),
            list(ResourceTable.BINDINGS),
            list(ScorecardTable.BINDINGS),
        )
        self.push_screen(HelpScreen([*bindings, *extra_help(effective)]))

    def action_cycle_theme(self) -> None:
        names = self.theme_names
        i = names.index(self.theme) if self.theme in names else -1
        self.theme = names[(i + 1) % len(names)]
        self.notify(f"Theme: {self.theme}", timeout=2)

    async def action_quit(self) -> None:
        self._shutdown_background()
        self.exit(0)

    def _shutdown_background(self) -> None:
        """Wake blocked poll loops so exiting never waits on a hung cloud."""
        if self._closed:
            return
        self._closed = True
        self.poller.close()
        if self.cache is not None:
            self.cache.close()
        if self._key_times is not None:
            with open(os.environ[BENCH_KEYS_ENV], "w", encoding="utf-8") as f:
                json.dump(self._key_times, f)

    def on_unmount(self) -> None:
        self._shutdown_background()


def make_app(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.time,
    tick_interval: float = 1.0,
    freeze_after_cache: bool = False,
) -> HybridApp:
    """Build the app; the inventory cache is opened here, the first page of
    panes read from it, and the rest read once the first frame is on screen
    (each of those panes says `reading the cache…` till then)."""
    targets = targets_for(settings.config)
    cache_problems: list[str] = []
    cache = open_cache(settings.paths.inventory_cache_dir, cache_problems.append)
    # what a refresh replaces is freed in the reaper's thread, not the UI's
    reaper.start()
    model = InventoryModel(targets, clock=clock, retire=reaper.retire)
    # what is cached is read after the first paint (`cache_reading`),
    # but for the first page's clouds when they are quick to read
    cached = [t.name for t in targets if cache is not None and cache.has(t)]
    model.mark_reading(cached)
    poller = Poller(targets, cache=None if settings.offline else cache, clock=clock)
    preloaded = (
        read_first_page(targets, cache, model, poller, shutil.get_terminal_size().columns)
        if cache is not None
        else []
    )

    themes = load_themes(
        builtin_themes_dir(),
        settings.paths.user_themes_dir,
        memo_dir=settings.paths.config_memo_dir,
    )
    names = [t.name for t in themes.themes]
    app = HybridApp(
        settings,
        targets=targets,
        model=model,
        poller=poller,
        cache=cache,
        theme_names=[*names, *EXTRA_CYCLE],
        theme_problems=themes.failures,
        cache_problems=cache_problems,
        tick_interval=tick_interval,
        freeze_after_cache=freeze_after_cache,
    )
    app.preloaded = preloaded
    for theme in themes.themes:
        app.register_theme(theme)
    wanted = settings.theme or DEFAULT_THEME
    if wanted not in app.available_themes:
        import difflib

        close = difflib.get_close_matches(wanted, sorted(app.available_themes), n=1)
        raise ConfigError(
            f"unknown theme {wanted!r}" + (f" (did you mean {close[0]!r}?)" if close else ""),
            hint=f"Available: {', '.join(sorted(app.available_themes))}",
        )
    app.theme = wanted
    return app


def _holding_driver(base: type[Driver]) -> type[Driver]:
    """`base` with a key holding background work from the input thread: the
    UI thread's own hold (`HybridApp.on_event`) comes only when it gets to the
    key, after the frame it was painting."""

    def process_message(self: Driver, message: Message) -> None:
        if isinstance(message, events.Key):
            priority.hold_from_input()
        base.process_message(self, message)

    return type(f"Holding{base.__name__}", (base,), {"process_message": process_message})
