"""Refresh every cloud at once, each in its own thread, with a timeout and back-off.

Textual-free: `poll()` is a plain iterator that yields one `PollOutcome` per cloud
as each finishes, so the UI's thread worker, the CLI and the tests all drive it
the same way. A slow or hung cloud never delays the others: its outcome is a
timeout at its deadline, and its thread is left to finish (or hang) on its own as
a daemon, never blocking exit. A cloud with a call still outstanding is not asked
again until that call returns, so a hung API cannot pile up threads.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass

from hybridtui.domain import CATALOGUE_KINDS, ResourceKind
from hybridtui.errors import ProviderError
from hybridtui.inventory.cache import InventoryCache
from hybridtui.inventory.snapshot import CloudSnapshot, KindError, compact
from hybridtui.priority import chunked
from hybridtui.providers import CloudTarget, build_provider
from hybridtui.providers.base import (
    Inventory,
    Provider,
    as_provider_error,
    deadline,
    kind_order,
    timed_out,
)

log = logging.getLogger(__name__)
#: Seconds past a cloud's timeout before the poller gives up on its refresh as
#: a whole: its listings give up at the timeout itself and report what came
#: back, and need a moment to merge it.
GRACE = 1.0
Clock = Callable[[], float]
_Result = tuple[str, "CloudSnapshot | None", "ProviderError | None", float, frozenset[ResourceKind]]


@dataclass(frozen=True, slots=True)
class PollOutcome:
    cloud: str
    snapshot: CloudSnapshot | None
    error: ProviderError | None
    #: Seconds the refresh took (up to the timeout for a timed-out one).
    elapsed: float
    #: Kinds this refresh fetched (the snapshot's other kinds are older).
    fetched: frozenset[ResourceKind] = frozenset()

    @property
    def ok(self) -> bool:
        return self.error is None


def merge(
    cloud: str, kind: str, last: CloudSnapshot | None, inv: Inventory, now: float
) -> CloudSnapshot:
    """The new snapshot: what this refresh fetched, and for every other kind
    the previous records with their own age (and, for a kind that failed, why)."""
    records: dict[ResourceKind, tuple[object, ...]] = {}
    kind_at: dict[ResourceKind, float] = {}
    kind_errors: dict[ResourceKind, KindError] = dict(last.kind_errors) if last else {}
    for k in ResourceKind:
        if k in inv.records:
            records[k] = tuple(chunked(compact, inv.records[k]))
            kind_at[k] = now
            kind_errors.pop(k, None)
        elif last is not None:
            records[k] = last.resources(k)
            at = last.kind_time(k)
            if at is not None:  # never fetched (it failed from the start): no age
                kind_at[k] = at
        if k in inv.errors:
            kind_errors[k] = KindError.of(inv.errors[k], now)
    catalogue = [kind_at[k] for k in CATALOGUE_KINDS if k in kind_at]
    behaviour = inv.behaviour or (last.behaviour if last else None)
    return CloudSnapshot(
        cloud=cloud,
        kind=kind,
        fetched_at=now,
        behaviour=behaviour,
        catalogue_at=min(catalogue) if catalogue else 0.0,
        kind_at=kind_at,
        kind_errors=kind_errors,
        **{str(k).replace("-", "_"): v for k, v in records.items()},  # type: ignore[arg-type]
    )


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential back-off after failures, capped (k9s does the same)."""

    base: float = 5.0
    cap: float = 300.0

    def delay(self, failures: int) -> float:
        if failures <= 0:
            return 0.0
        return float(min(self.cap, self.base * 2 ** (failures - 1)))


class Poller:
    def __init__(
        self,
        targets: Iterable[CloudTarget],
        *,
        cache: InventoryCache | None = None,
        clock: Clock = time.time,
        backoff: Backoff | None = None,
        provider_factory: Callable[[CloudTarget], Provider] = build_provider,
    ) -> None:
        self.targets: dict[str, CloudTarget] = {t.name: t for t in targets}
        self.cache = cache
        self.clock = clock
        self.backoff = backoff or Backoff()
        self._factory = provider_factory
        self._providers: dict[str, Provider] = {}
        self._lock = threading.Lock()
        #: Clouds whose fetch thread still runs (or one of its listings hangs).
        self._running: set[str] = set()
        #: Clouds whose outcome is not handed out yet: until then the cloud is
        #: not due again, or a tick between its answer and its outcome would
        #: refresh it twice.
        self._unfinished: set[str] = set()
        self._failures: dict[str, int] = {}
        self._next_due: dict[str, float] = {}
        self._closed = False
        #: Last good snapshot per cloud: its catalogue is reused between catalogue refreshes.
        self._last: dict[str, CloudSnapshot] = {}
        #: Queues of poll() calls under way, so close() can wake them at once.
        self._waiting: set[queue.Queue[_Result | None]] = set()

    # ----------------------------------------------------------- scheduling
    def provider(self, name: str) -> Provider:
        """The cloud's provider, built on first use (cheap; SDKs load on first call)."""
        with self._lock:
            if name not in self._providers:
                self._providers[name] = self._factory(self.targets[name])
            return self._providers[name]

    def seed(self, snapshot: CloudSnapshot) -> None:
        """Start from a cached snapshot: its catalogue counts until it is due again."""
        self._last[snapshot.cloud] = snapshot

    def catalogue_due(self, name: str, now: float | None = None) -> bool:
        """Whether any catalogue kind (flavors, images, networks) is due."""
        return any(k in CATALOGUE_KINDS for k in self.kinds_due(name, now))

    def kinds_due(
        self,
        name: str,
        now: float | None = None,
        *,
        full: bool = False,
        wanted: Collection[ResourceKind] | None = None,
    ) -> list[ResourceKind]:
        """The kinds a refresh of `name` asks for, nodes first.

        Nodes, keys, addresses, security groups and routers every time; the
        catalogue when its interval has passed (or it failed last time); a kind
        the cloud refused with a permission error not again until then either.
        `full` (the `r` key) asks for everything; `wanted` limits the kinds
        (the headless command asks only for what it prints)."""
        last = self._last.get(name)
        now = self.clock() if now is None else now
        interval = self.targets[name].config.catalogue_interval
        due: list[ResourceKind] = []
        for kind in kind_order(wanted):
            if full or last is None:
                due.append(kind)
                continue
            err = last.kind_errors.get(kind)
            if err is not None:
                if not (err.denied and now < err.at + interval):
                    due.append(kind)  # failed last time: try again (unless refused)
            elif (
                kind not in CATALOGUE_KINDS
                or last.kind_time(kind) is None  # never fetched (say, only nodes were asked for)
                or now >= last.age_of(kind) + interval
            ):
                due.append(kind)
        return due

    def in_flight(self) -> set[str]:
        with self._lock:
            return self._running | self._unfinished

    def failures(self, name: str) -> int:
        return self._failures.get(name, 0)

    def next_due(self, name: str) -> float:
        return self._next_due.get(name, 0.0)

    def due(self, now: float | None = None) -> list[str]:
        """Clouds whose refresh interval (or back-off) has passed and that are idle."""
        now = self.clock() if now is None else now
        busy = self.in_flight()
        return [n for n in self.targets if n not in busy and self._next_due.get(n, 0.0) <= now]

    # --------------------------------------------------------------- polling
    def poll(
        self,
        names: Iterable[str] | None = None,
        *,
        full: bool = False,
        kinds: Collection[ResourceKind] | None = None,
    ) -> Iterator[PollOutcome]:
        """Refresh `names` (default: all) concurrently; yield outcomes as they finish.

        Each cloud is asked for the kinds that are due (`kinds_due`), or all of
        `kinds` with `full`. Clouds already being refreshed are skipped, not
        queued twice.
        """
        wanted = list(self.targets) if names is None else [n for n in names if n in self.targets]
        results: queue.Queue[_Result | None] = queue.Queue()
        deadlines: dict[str, float] = {}
        started: dict[str, float] = {}
        with self._lock:
            if self._closed:
                return
            wanted = [n for n in wanted if n not in self._running | self._unfinished]
            self._running.update(wanted)
            self._unfinished.update(wanted)
            self._waiting.add(results)
        for name in wanted:
            started[name] = time.monotonic()
            deadlines[name] = started[name] + self.targets[name].config.timeout
            due = self.kinds_due(name, full=full, wanted=kinds)
            threading.Thread(
                target=self._fetch,
                args=(name, results, due, deadlines[name]),
                name=f"poll:{name}",
                daemon=True,
            ).start()

        pending = set(wanted)
        # the listings give up at the deadline and report what came back; this
        # backstop is for a cloud stuck before its listings start (auth, SDK import)
        backstop = {n: d + GRACE for n, d in deadlines.items()}
        try:
            yield from self._collect(results, pending, backstop, started)
        finally:
            with self._lock:
                self._waiting.discard(results)
                self._unfinished.difference_update(pending)  # not collected: quitting

    def _collect(
        self,
        results: queue.Queue[_Result | None],
        pending: set[str],
        deadlines: dict[str, float],
        started: dict[str, float],
    ) -> Iterator[PollOutcome]:
        while pending:
            timeout = max(0.0, min(deadlines[n] for n in pending) - time.monotonic())
            try:
                item = results.get(timeout=timeout)
            except queue.Empty:
                yield from self._expire(pending, deadlines, started)
                continue
            if item is None:
                return  # closed: the app is quitting
            name, snapshot, error, elapsed, fetched = item
            if name in pending:  # else: already reported as timed out
                pending.discard(name)
                yield self._finish(name, snapshot, error, elapsed, fetched)

    def _expire(
        self, pending: set[str], deadlines: dict[str, float], started: dict[str, float]
    ) -> Iterator[PollOutcome]:
        now = time.monotonic()
        for name in sorted(n for n in pending if deadlines[n] <= now):
            pending.discard(name)
            err = timed_out(name, self.targets[name].config.timeout)
            yield self._finish(name, None, err, now - started[name])

    def _fetch(
        self,
        name: str,
        results: queue.Queue[_Result | None],
        kinds: list[ResourceKind],
        at: float,
    ) -> None:
        t0 = time.monotonic()
        snapshot: CloudSnapshot | None = None
        error: ProviderError | None = None
        fetched: frozenset[ResourceKind] = frozenset()
        late: list[threading.Thread] = []
        try:
            provider = self.provider(name)
            last = self._last.get(name)
            if last is not None and not kinds:
                snapshot = last  # nothing due (a recent cached catalogue): no call at all
            else:
                if last is not None:
                    provider.prime(last)
                with deadline(at, self.targets[name].config.timeout) as late:
                    inv = provider.fetch_inventory(kinds)
                fetched = frozenset(inv.records)
                if inv.errors and not set(inv.records) & provider.LISTS:
                    # nothing came back at all: the cloud failed, not a kind of it
                    error = next(inv.errors[k] for k in kinds if k in inv.errors)
                else:
                    snapshot = merge(name, self.targets[name].kind, last, inv, self.clock())
        except Exception as e:  # an adapter bug must not kill the poller
            error = as_provider_error(name, e)
        results.put((name, snapshot, error, time.monotonic() - t0, fetched))
        # what answered is shown; the cloud is not asked again while a listing
        # of it still hangs (no second thread piles up on it)
        for t in late:
            t.join()
        with self._lock:
            self._running.discard(name)

    def _finish(
        self,
        name: str,
        snapshot: CloudSnapshot | None,
        error: ProviderError | None,
        elapsed: float,
        fetched: frozenset[ResourceKind] = frozenset(),
    ) -> PollOutcome:
        now = self.clock()
        interval = self.targets[name].config.refresh_interval
        if error is None:
            if snapshot is not None:
                self._last[name] = snapshot
            self._failures[name] = 0
            self._next_due[name] = now + interval
            if self.cache is not None and snapshot is not None and fetched:
                try:
                    self.cache.store(self.targets[name], snapshot, kinds=fetched)
                except Exception as e:  # a full disk or odd record must not stop polling
                    log.warning("could not cache %s: %s", name, e)
        else:
            n = self._failures.get(name, 0) + 1
            self._failures[name] = n
            wait = self.backoff.delay(n) if error.transient else max(interval, self.backoff.cap)
            self._next_due[name] = now + max(wait, min(interval, self.backoff.base))
        with self._lock:  # due again from now on, no earlier
            self._unfinished.discard(name)
        return PollOutcome(
            cloud=name, snapshot=snapshot, error=error, elapsed=elapsed, fetched=fetched
        )

    def close(self) -> None:
        """Wake any call blocked in a provider; threads are daemons and never block exit."""
        with self._lock:
            self._closed = True
            providers = list(self._providers.values())
            waiting = list(self._waiting)
        for q in waiting:
            q.put(None)
        for p in providers:
            with contextlib.suppress(Exception):  # closing is best effort
                p.close()
