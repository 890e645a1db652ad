"""The dashboard fills from the disk cache: the first page before the app
starts, the rest after the first frame.

The first page of panes (at the terminal's width, in pane order) is read by
`read_first_page` before the app runs, within FIRST_PAGE_BUDGET: the first
frame then shows their rows instead of "reading the cache…", and nothing else
runs yet to slow the reading down (read after the first frame, the first
cloud's 2,000 nodes took 160 ms instead of 60, bench/scale.py). The other
clouds are read by a thread worker (`CacheReading`, mixed into HybridApp)
that starts at mount but waits at its first checkpoint until the first frame
is painted; each cloud's cells are built there too, so the UI thread only
swaps them in. Polling starts once the cache is read.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.worker import get_current_worker

from hybridtui import priority
from hybridtui.columns import Rows, prepare_rows
from hybridtui.domain import ResourceKind
from hybridtui.ui.messages import CachedSnapshot, CacheRead
from hybridtui.ui.widgets.resource_view import PANE_MIN_WIDTH

if TYPE_CHECKING:
    from hybridtui.inventory.cache import InventoryCache
    from hybridtui.inventory.model import InventoryModel
    from hybridtui.inventory.poller import Poller
    from hybridtui.inventory.snapshot import CloudSnapshot
    from hybridtui.providers import CloudTarget

log = logging.getLogger(__name__)

#: Cache reading before the first frame (seconds): the clouds of the first
#: page, in pane order, until this much time is spent; the rest after it.
FIRST_PAGE_BUDGET = 0.15


def read_cached(
    cache: InventoryCache, target: CloudTarget
) -> tuple[CloudSnapshot | None, dict[ResourceKind, Rows] | None]:
    """A cloud's cached snapshot and its cells (None, None: nothing readable)."""
    snap = cache.load(target)
    if snap is None:
        return None, None
    return snap, prepare_rows({k: snap.resources(k) for k in ResourceKind})


def show_cached(
    model: InventoryModel, poller: Poller, snap: CloudSnapshot, rows: dict[ResourceKind, Rows]
) -> None:
    """A cached snapshot into the model; its catalogue counts until it is due."""
    model.load_cached(snap, rows)
    poller.seed(snap)


def read_first_page(
    targets: list[CloudTarget],
    cache: InventoryCache,
    model: InventoryModel,
    poller: Poller,
    width: int,
    clock: Callable[[], float] = time.perf_counter,
) -> list[str]:
    """Read the cached clouds of the first page of panes at this terminal's
    `width`, in pane order, before the app starts. At most FIRST_PAGE_BUDGET
    is spent (the cloud being read is finished), so a big cache delays the
    first frame little. The names of the clouds read."""
    read: list[str] = []
    start = clock()
    for t in targets[: max(1, width // PANE_MIN_WIDTH)]:
        if clock() - start > FIRST_PAGE_BUDGET:
            break
        if not model.is_reading(t.name):
            continue
        try:
            snap, rows = read_cached(cache, t)
        except Exception as e:  # the app must start: the reading thread meets it as before
            log.warning("could not read %s from the cache before the first frame: %s", t.name, e)
            break
        if snap is None or rows is None:  # dropped as unreadable: the first poll fills it
            model.done_reading(t.name)
            continue
        show_cached(model, poller, snap, rows)
        read.append(t.name)
    return read


class CacheReading(App[int]):
    """Mixed into HybridApp, which sets the attributes below."""

    model: InventoryModel
    poller: Poller
    cache: InventoryCache | None
    freeze_after_cache: bool
    _scorecard_dirty: bool

    if TYPE_CHECKING:  # HybridApp's, used here

        def _sync_soon(self) -> None: ...
        def _start(self) -> None: ...

    @work(thread=True, group="cache", exit_on_error=False, description="Reading the cache")
    def _read_cache(self, targets: list[CloudTarget]) -> None:
        """Each cached cloud in pane order (the visible ones first), its cells
        built here too: the UI thread only swaps them in."""
        worker = get_current_worker()
        for t in targets:
            priority.yield_to_ui()
            if worker.is_cancelled or self.cache is None:
                return
            snap, rows = read_cached(self.cache, t)
            self.post_message(CachedSnapshot(t.name, snap, rows))
        self.post_message(CacheRead())

    def on_cached_snapshot(self, message: CachedSnapshot) -> None:
        snap, rows = message.snapshot, message.rows
        if snap is None or rows is None:
            self.model.done_reading(message.cloud)
        elif message.cloud not in self.model.snapshots:  # a refresh may have come first
            show_cached(self.model, self.poller, snap, rows)
            self._scorecard_dirty = True
        self._sync_soon()

    def on_cache_read(self, _message: CacheRead) -> None:
        if self.freeze_after_cache:
            # what is loaded now lives as long as the app: the collector need
            # not walk it again on every collection (gc.freeze)
            gc.freeze()
        self._start()
