"""The comparator's runs: when the app recomputes the scorecard, and how.

The scorecard is recomputed in a thread worker when snapshots changed, one run
at a time, at most a fifth of a core while clouds are still answering. Mixed
into HybridApp (as `writes` and `privacy_mode` are) so the scheduling can be
read in one place; the comparator itself (`interop/`, via
`inventory.scorecards`) loads in the worker, after the first paint.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import work
from textual.app import App

from hybridtui import priority
from hybridtui.interop.site import Site, site_for
from hybridtui.ui.messages import ScorecardReady

if TYPE_CHECKING:  # the app provides these
    from hybridtui.inventory.cache import InventoryCache
    from hybridtui.inventory.model import InventoryModel
    from hybridtui.inventory.poller import Poller
    from hybridtui.inventory.snapshot import CloudSnapshot
    from hybridtui.providers import CloudTarget
    from hybridtui.settings import Settings
    from hybridtui.ui.screens.dashboard import DashboardScreen

#: The comparator's run time x this: the least time from one run's start to
#: the next (at most a fifth of a core), unless the Interop tab is shown.
SCORECARD_SHARE = 5.0


class ScorecardRuns(App[int]):
    """Mixed into HybridApp, which sets the attributes below."""

    settings: Settings
    targets: list[CloudTarget]
    model: InventoryModel
    poller: Poller
    cache: InventoryCache | None
    _closed: bool

    if TYPE_CHECKING:  # HybridApp's, used here

        @property
        def dashboard(self) -> DashboardScreen: ...
        @property
        def _dismantled(self) -> bool: ...

    def init_scorecard_runs(self) -> None:
        #: The snapshots changed since the scorecard was last computed.
        self._scorecard_dirty = True
        self._scorecard_running = False
        #: The snapshots the next scorecard run compares, handed to its worker
        #: (see `_compute_scorecard`).
        self._scorecard_input: dict[str, CloudSnapshot] = {}
        #: When the last comparison began and how long it took (perf_counter).
        self._scorecard_timing = (0.0, 0.0)
        self._scorecard_waiting = False

    @property
    def scorecard_settled(self) -> bool:
        """No comparison running or pending (tests wait for this)."""
        return not self._scorecard_dirty and not self._scorecard_running

    def sites(self) -> list[Site]:
        """Every configured cloud with its latest snapshot, for the comparator."""
        return [site_for(t, self.model.snapshots.get(t.name)) for t in self.targets]

    def _refresh_scorecard(self) -> None:
        """Recompute the scorecard when snapshots changed, one run at a time:
        refreshes that land meanwhile are folded into the next run. While
        clouds are still answering (and the Interop tab is not shown), a run
        waits until the comparator has had at most a fifth of the time since
        the last one began: with 50 clouds answering one after another it ran
        back to back, a core's worth of CPU the UI thread waited behind."""
        if not self._scorecard_dirty or self._scorecard_running or self._dismantled:
            return
        if self.model.reading:  # the first run compares what is cached, not nothing
            return
        started, took = self._scorecard_timing
        wait = started + SCORECARD_SHARE * took - time.perf_counter()
        if wait > 0 and self.poller.in_flight() and not self.dashboard.interop_active:
            if not self._scorecard_waiting:
                self._scorecard_waiting = True
                self.set_timer(wait, self._scorecard_due)
            return
        self._scorecard_dirty = False
        self._scorecard_running = True
        self._scorecard_timing = (time.perf_counter(), 0.0)
        self._scorecard_input = dict(self.model.snapshots)
        self._compute_scorecard()

    def _scorecard_due(self) -> None:
        self._scorecard_waiting = False
        self._refresh_scorecard()

    @work(thread=True, group="interop", exit_on_error=False, description="Comparing clouds")
    def _compute_scorecard(self) -> None:
        """The snapshots come through `_scorecard_input`, not as an argument: a
        finished Textual worker is in a reference cycle with its task (through
        the task's context), so its arguments live until a full collection,
        which the dashboard makes only when idle (`memory`). Passed as an
        argument, the snapshots of every past run stayed alive: at 50 x 2,000
        the cached ones, 100,000 nodes replaced by the first refresh, were
        130 MB of the dashboard's RSS (found with `gc.get_referrers`)."""
        priority.yield_to_ui()
        from hybridtui.inventory.scorecards import compare  # not needed to paint

        snapshots, self._scorecard_input = self._scorecard_input, {}
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
        started, _ = self._scorecard_timing
        self._scorecard_timing = (started, time.perf_counter() - started)
        if self._dismantled:
            return
        if message.comparison is not None:
            self.dashboard.show_comparison(message.comparison)
        elif message.error:
            self.notify(message.error, title="Scorecard not computed", severity="error", timeout=8)
        self._refresh_scorecard()
