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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from hybridtui.errors import CloudTimeoutError, HybridError, ProviderError
from hybridtui.inventory.cache import InventoryCache
from hybridtui.inventory.snapshot import CloudSnapshot
from hybridtui.providers import CloudTarget, build_provider
from hybridtui.providers.base import Provider

log = logging.getLogger(__name__)
Clock = Callable[[], float]
_Result = tuple[str, "CloudSnapshot | None", "ProviderError | None", float]


@dataclass(frozen=True, slots=True)
class PollOutcome:
    cloud: str
    snapshot: CloudSnapshot | None
    error: ProviderError | None
    #: Seconds the refresh took (up to the timeout for a timed-out one).
    elapsed: float

    @property
    def ok(self) -> bool:
        return self.error is None


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
        self._in_flight: set[str] = set()
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
        last = self._last.get(name)
        if last is None:
            return True
        now = self.clock() if now is None else now
        return (
            now
            >= (last.catalogue_at or last.fetched_at) + self.targets[name].config.catalogue_interval
        )

    def in_flight(self) -> set[str]:
        with self._lock:
            return set(self._in_flight)

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
        self, names: Iterable[str] | None = None, *, full: bool = False
    ) -> Iterator[PollOutcome]:
        """Refresh `names` (default: all) concurrently; yield outcomes as they finish.

        The catalogue (flavors, images, networks) is fetched when it is due, or
        always with `full`. Clouds already being refreshed are skipped, not queued twice.
        """
        wanted = list(self.targets) if names is None else [n for n in names if n in self.targets]
        results: queue.Queue[_Result | None] = queue.Queue()
        deadlines: dict[str, float] = {}
        started: dict[str, float] = {}
        with self._lock:
            if self._closed:
                return
            wanted = [n for n in wanted if n not in self._in_flight]
            self._in_flight.update(wanted)
            self._waiting.add(results)
        for name in wanted:
            started[name] = time.monotonic()
            deadlines[name] = started[name] + self.targets[name].config.timeout
            catalogue = full or self.catalogue_due(name)
            threading.Thread(
                target=self._fetch,
                args=(name, results, catalogue),
                name=f"poll:{name}",
                daemon=True,
            ).start()

        pending = set(wanted)
        try:
            yield from self._collect(results, pending, deadlines, started)
        finally:
            with self._lock:
                self._waiting.discard(results)

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
            name, snapshot, error, elapsed = item
            if name in pending:  # else: already reported as timed out
                pending.discard(name)
                yield self._finish(name, snapshot, error, elapsed)

    def _expire(
        self, pending: set[str], deadlines: dict[str, float], started: dict[str, float]
    ) -> Iterator[PollOutcome]:
        now = time.monotonic()
        for name in sorted(n for n in pending if deadlines[n] <= now):
            pending.discard(name)
            limit = self.targets[name].config.timeout
            err = CloudTimeoutError(
                f"{name}: no answer within {limit:g} s",
                hint="The cloud is slow or unreachable; raise `timeout` for it if it is just slow.",
            )
            yield self._finish(name, None, err, now - started[name])

    def _fetch(self, name: str, results: queue.Queue[_Result | None], catalogue: bool) -> None:
        t0 = time.monotonic()
        snapshot: CloudSnapshot | None = None
        error: ProviderError | None = None
        try:
            inv = self.provider(name).fetch_inventory(catalogue=catalogue)
            now = self.clock()
            last = self._last.get(name)
            if not inv.catalogue and last is not None:
                flavors, images, networks = last.flavors, last.images, last.networks
                behaviour, catalogue_at = last.behaviour, last.catalogue_at or last.fetched_at
            else:
                flavors, images, networks = inv.flavors, inv.images, inv.networks
                behaviour, catalogue_at = inv.behaviour, now
            snapshot = CloudSnapshot(
                cloud=name,
                kind=self.targets[name].kind,
                fetched_at=now,
                nodes=inv.nodes,
                flavors=flavors,
                images=images,
                networks=networks,
                behaviour=behaviour,
                keys=inv.keys,
                addresses=inv.addresses,
                security_groups=inv.security_groups,
                routers=inv.routers,
                catalogue_at=catalogue_at,
            )
        except ProviderError as e:
            error = e
        except HybridError as e:
            error = ProviderError(e.message, title=e.title, hint=e.hint)
        except Exception as e:  # an adapter bug must not kill the poller
            error = ProviderError(
                f"{name}: unexpected {type(e).__name__}: {e}", title="Adapter error"
            )
        finally:
            with self._lock:
                self._in_flight.discard(name)
        results.put((name, snapshot, error, time.monotonic() - t0))

    def _finish(
        self, name: str, snapshot: CloudSnapshot | None, error: ProviderError | None, elapsed: float
    ) -> PollOutcome:
        now = self.clock()
        interval = self.targets[name].config.refresh_interval
        if error is None:
            if snapshot is not None:
                self._last[name] = snapshot
            self._failures[name] = 0
            self._next_due[name] = now + interval
            if self.cache is not None and snapshot is not None:
                try:
                    self.cache.store(self.targets[name], snapshot)
                except Exception as e:  # a full disk or odd record must not stop polling
                    log.warning("could not cache %s: %s", name, e)
        else:
            n = self._failures.get(name, 0) + 1
            self._failures[name] = n
            wait = self.backoff.delay(n) if error.transient else max(interval, self.backoff.cap)
            self._next_due[name] = now + max(wait, min(interval, self.backoff.base))
        return PollOutcome(cloud=name, snapshot=snapshot, error=error, elapsed=elapsed)

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
