"""Wiring: settings → model, poller, cache → the Textual app.

The app owns the poll loop (a thread worker per batch of due clouds, results
back as messages) and app-wide actions; screens own their own state. No cloud
SDK is imported here or anywhere on the way to first paint.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.worker import get_current_worker

from hybridtui.columns import prepare_rows
from hybridtui.domain import Node, ResourceKind
from hybridtui.errors import ConfigError, HybridError, ProviderError
from hybridtui.interop.site import Site, site_for
from hybridtui.inventory.cache import InventoryCache
from hybridtui.inventory.model import CloudState, InventoryModel
from hybridtui.inventory.poller import Poller
from hybridtui.inventory.scorecards import compare
from hybridtui.inventory.snapshot import CloudSnapshot
from hybridtui.providers import CloudTarget, targets_for
from hybridtui.provisioning.plan import Plan, PlanError
from hybridtui.settings import Settings
from hybridtui.ui.messages import ScorecardReady, SnapshotReady
from hybridtui.ui.screens.dashboard import TAB_TITLES, DashboardScreen
from hybridtui.ui.screens.help import HelpScreen, describe_bindings
from hybridtui.ui.themes import (
    DEFAULT_THEME,
    EXTRA_CYCLE,
    VARIABLE_DEFAULTS,
    builtin_themes_dir,
    load_themes,
)
from hybridtui.ui.widgets.interop_view import ScorecardTable
from hybridtui.ui.widgets.resource_table import ResourceTable

if TYPE_CHECKING:  # the engine's run types; the runner loads when a run starts
    from hybridtui.provisioning.runner import CloudRun, Progress
    from hybridtui.ui.screens.leftovers import Leftovers

#: Written by the app after its first paint, then it exits (bench/startup.py).
BENCH_FIRST_PAINT_ENV = "HYBRIDTUI_BENCH_FIRST_PAINT"


class HybridApp(App[int]):
    TITLE = "hybridtui"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="interrupt"),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("t", "cycle_theme", "Theme", id="cycle-theme"),
        Binding("p", "provision", "Provision", id="provision"),
        Binding("L", "leftovers", "Leftovers", id="leftovers"),
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
        tick_interval: float = 1.0,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.targets = targets
        self.model = model
        self.poller = poller
        self.cache = cache
        self.theme_names = theme_names
        self.theme_problems = list(theme_problems)
        self.tick_interval = tick_interval
        self._closed = False
        #: The snapshots changed since the scorecard was last computed.
        self._scorecard_dirty = True
        self._scorecard_running = False
        #: What interrupted runs left, once looked for (after the first paint).
        self.leftovers: Leftovers | None = None

    @property
    def scorecard_settled(self) -> bool:
        """No comparison running or pending (tests wait for this)."""
        return not self._scorecard_dirty and not self._scorecard_running

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
        return DashboardScreen(self.model, banner=self._banner(), markers=markers)

    def _banner(self) -> str | None:
        if self.settings.offline:
            return "OFFLINE — cached inventory only (r is disabled)"
        if self.settings.demo:
            return "DEMO — simulated clouds · no credentials needed · ? for help"
        return None

    @property
    def dashboard(self) -> DashboardScreen:
        screen = self.screen_stack[0]
        assert isinstance(screen, DashboardScreen)
        return screen

    def on_mount(self) -> None:
        self.sub_title = self.settings.source
        if self.settings.config.keymap:
            self.set_keymap(self.settings.config.keymap)
        for problem in self.theme_problems:
            self.notify(problem, title="Theme not loaded", severity="warning", timeout=10)
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
        if os.environ.get(BENCH_FIRST_PAINT_ENV):
            self.call_after_refresh(self._bench_first_paint)
        elif not self.settings.offline:
            self.call_after_refresh(self._find_leftovers)

    def _bench_first_paint(self) -> None:
        record = {"t": time.time(), "modules": sorted(sys.modules)}
        with open(os.environ[BENCH_FIRST_PAINT_ENV], "w", encoding="utf-8") as f:
            json.dump(record, f)
        self.exit(0)

    # --------------------------------------------------------------- polling
    def _tick(self) -> None:
        """Every second: start refreshes that are due, and age the status strip."""
        due = self.poller.due()
        if due:
            self._start_poll(due)
        self.dashboard.sync()
        self._refresh_scorecard()

    # ------------------------------------------------------------- comparator
    def sites(self) -> list[Site]:
        """Every configured cloud with its latest snapshot, for the comparator."""
        return [site_for(t, self.model.snapshots.get(t.name)) for t in self.targets]

    def _refresh_scorecard(self) -> None:
        """Recompute the scorecard when snapshots changed, one run at a time:
        refreshes that land meanwhile are folded into the next run."""
        if not self._scorecard_dirty or self._scorecard_running or self._closed:
            return
        self._scorecard_dirty = False
        self._scorecard_running = True
        self._compute_scorecard(dict(self.model.snapshots))

    @work(thread=True, group="interop", exit_on_error=False, description="Comparing clouds")
    def _compute_scorecard(self, snapshots: dict[str, CloudSnapshot]) -> None:
        try:
            result = compare(
                self.targets,
                snapshots,
                None if self._closed else self.cache,
                now=self.model.clock(),
                keep=not self.settings.offline,
            )
        except Exception as e:  # a comparator bug must not take the dashboard down
            self.post_message(ScorecardReady(None, f"{type(e).__name__}: {e}"))
            return
        self.post_message(ScorecardReady(result))

    def on_scorecard_ready(self, message: ScorecardReady) -> None:
        self._scorecard_running = False
        if message.comparison is not None:
            self.dashboard.show_comparison(message.comparison)
        elif message.error:
            self.notify(message.error, title="Scorecard not computed", severity="error", timeout=8)
        self._refresh_scorecard()

    def _start_poll(self, names: list[str], full: bool = False) -> None:
        self.model.mark_refreshing(names)
        self._poll(names, full)

    @work(thread=True, group="poll", exit_on_error=False, description="Refreshing clouds")
    def _poll(self, names: list[str], full: bool) -> None:
        worker = get_current_worker()
        for outcome in self.poller.poll(names, full=full):
            if worker.is_cancelled:
                return
            snap = outcome.snapshot
            rows = prepare_rows({k: snap.resources(k) for k in ResourceKind}) if snap else None
            self.post_message(SnapshotReady(outcome, rows))

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        outcome = message.outcome
        previous = self.model.status(outcome.cloud)
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
        self.dashboard.sync()
        self._refresh_scorecard()

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

    # ----------------------------------------------------------- provisioning
    def why_not_writable(self, cloud: str) -> str:
        """Why hybridtui may not write to `cloud` ("" when it may)."""
        if self.settings.read_only:
            return "read-only session (--read-only)"
        if self.settings.offline:
            return "offline: showing the cache only"
        target = next((t for t in self.targets if t.name == cloud), None)
        if target is None:
            return "not configured"
        if getattr(target.config, "read_only", True):
            return "read_only: true in the config"
        return ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:  # noqa: ARG002 - Textual's signature
        """Write actions are hidden (and refused) when no cloud is writable."""
        if action == "provision":
            return any(not self.why_not_writable(t.name) for t in self.targets)
        if action == "leftovers":
            return bool(self.leftovers)
        return True

    def action_provision(self) -> None:
        from hybridtui.ui.screens.provision import SpecScreen, Writable

        if not self.check_action("provision", ()):
            self.notify(
                "No cloud here may be written to (read-only).", title="Provisioning refused"
            )
            return
        clouds = [Writable(t.name, self.why_not_writable(t.name)) for t in self.targets]
        self.push_screen(SpecScreen(self.sites(), clouds, self._start_run, self._provisioned))

    def _start_run(
        self,
        plans: Sequence[Plan],
        progress: Callable[[Progress], None],
        cancel: threading.Event,
    ) -> list[CloudRun]:
        """The engine on `plans`, with the poller's providers (in a worker thread)."""
        from hybridtui.provisioning.ledger import Ledger
        from hybridtui.provisioning.operator import root_identity, root_keys
        from hybridtui.provisioning.runner import Runner

        for plan in plans:  # the engine refuses too; this says why in the app's words
            why = self.why_not_writable(plan.cloud)
            if why:
                raise PlanError(f"{plan.cloud}: {why}")
        files = list(self.settings.config.root_keys)
        paths = self.settings.paths
        ledger = Ledger(paths.ledger_file)
        try:
            runner = Runner(
                {p.cloud: self.poller.provider(p.cloud) for p in plans},
                ledger,
                paths.node_keys_dir,
                root_keys=root_keys(files),
                progress=progress,
                cancel=cancel,
                known_hosts=paths.data_dir / "known_hosts",
                root_identity=root_identity(files),
            )
            return runner.run(plans)
        finally:
            ledger.close()

    def _provisioned(self, runs: list[CloudRun]) -> None:
        """A run ended: its steps become measured evidence, its clouds refresh."""
        now = time.time()
        by_name = {t.name: t for t in self.targets}
        if self.cache is not None:
            for r in runs:
                cells = [c.to_dict() for c in r.measured(now)]
                if cells and r.cloud in by_name:
                    self.cache.keep_measured(by_name[r.cloud], cells)
        self._scorecard_dirty = True
        busy = self.poller.in_flight()
        names = [r.cloud for r in runs if r.cloud not in busy]
        if names and not self._closed:
            self._start_poll(names)
        self._refresh_scorecard()

    def delete_node(self, cloud: str, node: Node) -> None:
        """`d` on a node: only one hybridtui made, on a writable cloud, confirmed."""
        from hybridtui.provisioning.cleanup import is_ours
        from hybridtui.ui.screens.confirm import ConfirmScreen

        why = self.why_not_writable(cloud)
        if why:
            self.notify(f"{cloud}: {why}", title="Delete refused")
            return
        if not is_ours(node):
            self.notify(
                f"{node.name} was not made by hybridtui: it deletes only what it made.",
                title="Delete refused",
            )
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(cloud, node)

        self.push_screen(
            ConfirmScreen(
                f"Delete {node.name} on {cloud}?",
                f"Node {node.name} ({node.id}) on {cloud} is deleted, with the floating or "
                "Elastic IP hybridtui allocated for it. This cannot be undone.",
            ),
            answered,
        )

    @work(thread=True, group="delete", exit_on_error=False, description="Deleting a node")
    def _delete(self, cloud: str, node: Node) -> None:
        from hybridtui.provisioning.cleanup import destroy
        from hybridtui.provisioning.ledger import Ledger

        ledger = Ledger(self.settings.paths.ledger_file)
        try:
            lines = destroy(ledger, self.poller.provider(cloud), cloud, node)
        except HybridError as e:
            self.call_from_thread(
                self.notify, e.message, title=f"{cloud}: not deleted", severity="error"
            )
            return
        finally:
            ledger.close()
        self.call_from_thread(self.notify, "\n".join(lines), title=f"{cloud}: {node.name} deleted")
        self.call_from_thread(self._after_delete, cloud)

    def ssh_to(self, cloud: str, node: Node) -> None:
        """`s` on a node: suspend, run the system `ssh` with the right account,
        key, address (public, through the jump host, or the cloud's
        ssh_endpoint) and hybridtui's known_hosts, then come back where we were.
        Where the app cannot suspend (served in a browser): show and copy it."""
        import shlex
        import subprocess

        from textual.app import SuspendNotSupported

        from hybridtui.provisioning.cleanup import is_ours
        from hybridtui.provisioning.operator import root_identity
        from hybridtui.provisioning.ssh import JumpHost, ssh_command

        target = next((t for t in self.targets if t.name == cloud), None)
        overrides = target.config.overrides if target is not None else None
        jump = JumpHost.parse(overrides.jump_host) if overrides and overrides.jump_host else None
        if overrides and overrides.ssh_endpoint:
            host, _, port = overrides.ssh_endpoint.rpartition(":")
            address: tuple[str, int] | None = (host, int(port))
        elif node.public_ip:
            address, jump = (node.public_ip, 22), None
        elif jump is not None and node.private_ip:
            address = (node.private_ip, 22)
        else:
            address = None
        if address is None:
            self.notify(
                f"{node.name} has no public address and {cloud} has no jump host.",
                title="No way in",
                severity="warning",
            )
            return
        ours = is_ours(node)  # step 7 gave root the operator's keys
        login = overrides.login_user if overrides and overrides.login_user else ""
        user = "root" if ours else (login or node.login_user or "root")
        identity = root_identity(list(self.settings.config.root_keys)) if ours else None
        argv = ssh_command(
            address[0],
            address[1],
            user,
            known_hosts=self.settings.paths.data_dir / "known_hosts",
            identity=identity,
            jump=jump,
        )
        command = shlex.join(argv)
        try:
            with self.suspend():
                print(f"$ {command}", flush=True)
                subprocess.run(argv, check=False)
        except SuspendNotSupported:
            self.copy_to_clipboard(command)
            self.notify(command, title="Run this to reach the node (copied)", timeout=15)
        except OSError as e:  # no ssh installed
            self.notify(f"{e.strerror}: {argv[0]}", title="ssh not started", severity="error")

    @work(thread=True, group="leftovers", exit_on_error=False, description="Ledger")
    def _find_leftovers(self, strays_too: bool = True) -> None:
        """The ledger's unfinished entries and the tagged nodes no ledger knows
        (from the snapshots: no extra call to any cloud; not right after a
        clean-up, when the snapshots still show what it deleted)."""
        from hybridtui.provisioning.cleanup import leftovers, untracked
        from hybridtui.provisioning.ledger import Ledger
        from hybridtui.ui.screens.leftovers import Leftovers

        ledger = Ledger(self.settings.paths.ledger_file)
        try:
            entries = [e for t in self.targets for e in leftovers(ledger, t.name)]
            strays = [
                (t.name, n)
                for t in self.targets
                if strays_too
                and not self.why_not_writable(t.name)
                and t.name in self.model.snapshots
                for n in untracked(
                    ledger,
                    t.name,
                    [
                        r
                        for r in self.model.snapshots[t.name].resources(ResourceKind.NODES)
                        if isinstance(r, Node)
                    ],
                )
            ]
        finally:
            ledger.close()
        self.call_from_thread(self._show_leftovers, Leftovers(entries, strays))

    def _show_leftovers(self, found: Leftovers) -> None:
        had = bool(self.leftovers)
        self.leftovers = found
        if not found and not had:
            return  # the usual start: nothing left, nothing on screen changes
        self.refresh_bindings()
        n = len(found.entries) + len(found.strays)
        self.dashboard.show_leftovers(
            f"⚠ {n} thing{'s' if n != 1 else ''} left by interrupted runs on "
            f"{', '.join(found.clouds)} · L to review and clean up"
            if found
            else ""
        )

    def action_leftovers(self) -> None:
        from hybridtui.ui.screens.leftovers import LeftoversScreen

        if self.leftovers:
            self.push_screen(LeftoversScreen(self.leftovers, self._clean_leftovers))

    @work(thread=True, group="leftovers", exit_on_error=False, description="Cleaning up")
    def _clean_leftovers(self, found: Leftovers) -> None:
        from hybridtui.provisioning.cleanup import delete_and_wait
        from hybridtui.provisioning.ledger import Ledger
        from hybridtui.provisioning.runner import undo

        ledger = Ledger(self.settings.paths.ledger_file)
        lines: list[str] = []
        try:
            for cloud in found.clouds:
                if self.why_not_writable(cloud):
                    lines.append(f"{cloud}: {self.why_not_writable(cloud)}: left as it is")
                    continue
                provider = self.poller.provider(cloud)
                try:
                    entries = [e for e in found.entries if e.cloud == cloud]
                    lines += [f"{cloud}: {line}" for line in undo(ledger, provider, entries)]
                    for c, node in found.strays:
                        if c == cloud:
                            delete_and_wait(provider, node.id)
                            lines.append(f"{cloud}: node {node.name} deleted")
                except HybridError as e:
                    lines.append(f"{cloud}: {e.message}")
        finally:
            ledger.close()
        self.call_from_thread(self._cleaned, found.clouds, lines)

    def _cleaned(self, clouds: list[str], lines: list[str]) -> None:
        failed = any("NOT removed" in line or ": left as it is" in line for line in lines)
        self.notify(
            "\n".join(lines) or "nothing to do",
            title="Clean-up: some left" if failed else "Cleaned up",
            severity="warning" if failed else "information",
            timeout=15,
        )
        busy = self.poller.in_flight()
        names = [c for c in clouds if c not in busy]
        if names and not self._closed:
            self._start_poll(names)
        self._find_leftovers(strays_too=False)

    def _after_delete(self, cloud: str) -> None:
        if cloud not in self.poller.in_flight() and not self._closed:
            self._start_poll([cloud])

    def action_help(self) -> None:
        bindings = describe_bindings(
            list(self.BINDINGS),
            list(DashboardScreen.BINDINGS),
            list(ResourceTable.BINDINGS),
            list(ScorecardTable.BINDINGS),
        )
        self.push_screen(HelpScreen(bindings))

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

    def on_unmount(self) -> None:
        self._shutdown_background()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        dash = self.dashboard
        yield SystemCommand("Refresh all clouds", "Poll every cloud now (r)", self.action_refresh)
        yield SystemCommand(
            "Filter all panes", "Type to filter every pane at once (/)", dash.action_filter
        )
        yield SystemCommand(
            "Toggle unified view",
            "One table with a Cloud column, or panes side by side (u)",
            dash.action_toggle_unified,
        )
        yield SystemCommand(
            "Show Interop scorecard",
            "How each cloud behaves at the eight node-allocation steps (9)",
            partial(dash.action_show_tab, "interop"),
        )
        for kind, title in TAB_TITLES.items():
            yield SystemCommand(
                f"Show {title}",
                f"Switch to the {title} tab",
                partial(dash.action_show_tab, str(kind)),
            )
        if self.check_action("provision", ()):
            yield SystemCommand(
                "Provision a node",
                "The eight steps on one or more writable clouds (p)",
                self.action_provision,
            )
        yield SystemCommand("Cycle theme", "Next colour theme (t)", self.action_cycle_theme)
        yield SystemCommand("Key bindings", "Every key and what it does (?)", self.action_help)


def make_app(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.time,
    tick_interval: float = 1.0,
) -> HybridApp:
    """Build the app; the inventory cache is read here so the first frame has data."""
    targets = targets_for(settings.config)
    try:
        cache: InventoryCache | None = InventoryCache(settings.paths.inventory_cache_dir)
    except OSError as e:
        print(f"warning: cache unavailable ({e}); continuing without it", file=sys.stderr)
        cache = None
    model = InventoryModel(targets, clock=clock)
    if cache is not None:
        for t in targets:
            snap = cache.load(t)
            if snap is not None:
                model.load_cached(snap)
    poller = Poller(targets, cache=None if settings.offline else cache, clock=clock)
    for snap in model.snapshots.values():
        poller.seed(snap)  # a cached catalogue counts until it is due

    themes = load_themes(builtin_themes_dir(), settings.paths.user_themes_dir)
    names = [t.name for t in themes.themes]
    app = HybridApp(
        settings,
        targets=targets,
        model=model,
        poller=poller,
        cache=cache,
        theme_names=[*names, *EXTRA_CYCLE],
        theme_problems=themes.failures,
        tick_interval=tick_interval,
    )
    for theme in themes.themes:
        app.register_theme(theme)
    wanted = settings.theme or DEFAULT_THEME
    if wanted not in app.available_themes:
        raise ConfigError(
            f"unknown theme {wanted!r}",
            hint=f"Available: {', '.join(sorted(app.available_themes))}",
        )
    app.theme = wanted
    return app
