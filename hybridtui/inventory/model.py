"""What the views show: the latest snapshot per cloud and each cloud's status.

Textual-free and single-threaded by design: only the UI thread (or the CLI) calls
it, with outcomes the poller produced. Views read; they never fetch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from hybridtui.columns import Rows, prepare_rows
from hybridtui.domain import Resource, ResourceKind
from hybridtui.errors import ProviderError
from hybridtui.inventory.poller import PollOutcome
from hybridtui.inventory.snapshot import CloudSnapshot, KindError
from hybridtui.providers import CloudTarget


class CloudState(StrEnum):
    LOADING = "loading"  # nothing yet, first refresh under way
    #: The cache holds this cloud's data and it is being read (first paint
    #: does not wait for 100,000 cached nodes to decode).
    READING = "reading"
    FRESH = "fresh"
    REFRESHING = "refreshing"
    STALE = "stale"
    #: The cloud answered, but some kinds failed (they show their last records).
    PARTIAL = "partial"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class CloudStatus:
    name: str
    kind: str
    state: CloudState
    #: When the data shown was fetched (None: no data at all).
    fetched_at: float | None
    age: float | None
    #: Age of the flavors, images and networks shown (they refresh less often).
    catalogue_age: float | None = None
    error: str = ""
    error_title: str = ""
    hint: str = ""
    from_cache: bool = False
    #: Kinds whose last refresh failed (their records shown are older).
    kind_errors: Mapping[ResourceKind, KindError] = field(default_factory=dict)
    #: Age of each kind's records (kinds refresh on their own schedules).
    kind_ages: Mapping[ResourceKind, float | None] = field(default_factory=dict)
    #: The cloud's colour (`#rrggbb`, config `accent:`), "" for none.
    accent: str = ""
    #: Config `production: true`: marked wherever the cloud is named.
    production: bool = False

    @property
    def age_text(self) -> str:
        return format_age(self.age)

    def kind_age(self, kind: ResourceKind) -> float | None:
        return self.kind_ages.get(kind, self.age)

    @property
    def summary(self) -> str:
        """A few words for a status chip: `fresh 12s`, `stale 2h`, `error: …`."""
        if self.state is CloudState.ERROR:
            return f"error: {self.error_title or self.error}"
        if self.state is CloudState.LOADING:
            return "loading…"
        if self.state is CloudState.READING:
            return "reading cache…"
        if self.state is CloudState.REFRESHING:
            text = f"refreshing ({self.age_text})" if self.age is not None else "refreshing"
        else:
            text = f"{self.state} {self.age_text}"
        if self.kind_errors:
            failed = ", ".join(str(k) for k in self.kind_errors)
            text += f" · ⚠ {failed} failed"
        return text


def format_age(age: float | None) -> str:
    if age is None:
        return "never"
    age = max(0.0, age)
    if age < 60:
        return f"{int(age)}s"
    if age < 3600:
        return f"{int(age // 60)}m"
    if age < 86400:
        return f"{int(age // 3600)}h"
    return f"{int(age // 86400)}d"


class InventoryModel:
    def __init__(
        self,
        targets: Iterable[CloudTarget],
        *,
        clock: Callable[[], float] = time.time,
        stale_factor: float = 2.0,
        retire: Callable[[list[object]], None] | None = None,
    ) -> None:
        self.targets: dict[str, CloudTarget] = {t.name: t for t in targets}
        #: Where a replaced snapshot and its cells go to be freed (the
        #: dashboard's `reaper.retire`: not on the UI thread); None: here.
        self._retire = retire
        self.clock = clock
        self.stale_factor = stale_factor
        self.snapshots: dict[str, CloudSnapshot] = {}
        self._from_cache: set[str] = set()
        self._refreshing: set[str] = set()
        #: Clouds whose cached data is still being read.
        self._reading: set[str] = set()
        self._errors: dict[str, PollOutcome] = {}
        self._rows: dict[str, dict[ResourceKind, Rows]] = {}
        self.generation = 0
        """Bumped on every change, so views know when to rebuild."""
        self._cloud_generation: dict[str, int] = {}

    @property
    def names(self) -> list[str]:
        return list(self.targets)

    def cloud_generation(self, name: str) -> int:
        """The `generation` at which this cloud's data last changed: a pane
        rebuilds only when its own cloud changed, not on every cloud's refresh
        (50 clouds refreshing made 2,500 pane rebuilds)."""
        return self._cloud_generation.get(name, -1)

    def _changed(self, name: str) -> None:
        self.generation += 1
        self._cloud_generation[name] = self.generation

    def mark_reading(self, names: Iterable[str]) -> None:
        """These clouds' data is in the cache, on its way (see `load_cached`)."""
        self._reading.update(names)

    def done_reading(self, name: str) -> None:
        """The cache had nothing usable for `name` after all."""
        self._reading.discard(name)

    @property
    def reading(self) -> bool:
        return bool(self._reading)

    def is_reading(self, name: str) -> bool:
        return name in self._reading

    def load_cached(
        self, snapshot: CloudSnapshot, rows: dict[ResourceKind, Rows] | None = None
    ) -> None:
        """Show a cached snapshot; `rows`: its cells, if prepared off the UI thread."""
        self._reading.discard(snapshot.cloud)
        self.snapshots[snapshot.cloud] = snapshot
        if rows is None:
            self._rows.pop(snapshot.cloud, None)
        else:
            self._rows[snapshot.cloud] = rows
        self._from_cache.add(snapshot.cloud)
        self._changed(snapshot.cloud)

    def mark_refreshing(self, names: Iterable[str]) -> None:
        self._refreshing.update(names)

    def apply(self, outcome: PollOutcome, rows: dict[ResourceKind, Rows] | None = None) -> None:
        """Take a poll outcome; `rows` are its cells, if prepared off the UI thread."""
        self._refreshing.discard(outcome.cloud)
        if outcome.ok and outcome.snapshot is not None:
            replaced: list[object] = [
                self.snapshots.get(outcome.cloud),
                self._rows.get(outcome.cloud),
            ]
            self.snapshots[outcome.cloud] = outcome.snapshot
            if rows is None:
                self._rows.pop(outcome.cloud, None)
            else:
                self._rows[outcome.cloud] = rows
            if self._retire is not None:
                self._retire(replaced)
            self._from_cache.discard(outcome.cloud)
            self._errors.pop(outcome.cloud, None)
            self._changed(outcome.cloud)
        else:
            self._errors[outcome.cloud] = outcome

    def note_error(self, name: str, error: ProviderError) -> None:
        """Record a failure that did not come from a poll (offline and not cached)."""
        self._errors[name] = PollOutcome(cloud=name, snapshot=None, error=error, elapsed=0.0)

    def status(self, name: str) -> CloudStatus:
        target = self.targets[name]
        snap = self.snapshots.get(name)
        now = self.clock()
        # the cloud's age is its nodes' (other kinds show their own age)
        nodes_at = snap.kind_time(ResourceKind.NODES) if snap else None
        age = (now - (nodes_at or snap.fetched_at)) if snap else None
        err = self._errors.get(name)
        catalogue_age = (now - (snap.catalogue_at or snap.fetched_at)) if snap else None
        kind_ages: dict[ResourceKind, float | None] = {}
        if snap is not None:
            for k in ResourceKind:
                at = snap.kind_time(k)
                kind_ages[k] = None if at is None else now - at
        common = {
            "name": name,
            "kind": target.kind,
            "fetched_at": snap.fetched_at if snap else None,
            "age": age,
            "from_cache": name in self._from_cache,
            "catalogue_age": catalogue_age,
            "kind_errors": dict(snap.kind_errors) if snap else {},
            "kind_ages": kind_ages,
            "accent": target.config.accent or "",
            "production": target.config.production,
        }
        if err is not None and err.error is not None:
            return CloudStatus(
                state=CloudState.ERROR,
                error=err.error.message,
                error_title=err.error.title,
                hint=err.error.hint or "",
                **common,  # type: ignore[arg-type]
            )
        if snap is None and name in self._reading:
            state = CloudState.READING
        elif name in self._refreshing:
            state = CloudState.REFRESHING if snap else CloudState.LOADING
        elif snap is None:
            state = CloudState.LOADING
        elif name in self._from_cache or (
            age is not None and age > self.stale_factor * target.config.refresh_interval
        ):
            state = CloudState.STALE
        elif snap.kind_errors:
            state = CloudState.PARTIAL
        else:
            state = CloudState.FRESH
        return CloudStatus(state=state, **common)  # type: ignore[arg-type]

    def statuses(self) -> list[CloudStatus]:
        return [self.status(n) for n in self.targets]

    def rows(self, kind: ResourceKind, cloud: str) -> Rows:
        """Display cells for one cloud's records, in `records()` order."""
        prepared = self._rows.setdefault(cloud, {})
        if kind not in prepared:
            snap = self.snapshots.get(cloud)
            prepared.update(
                prepare_rows(
                    {kind: snap.resources(kind) if snap else ()}, snap.nodes if snap else ()
                )
            )
        return prepared[kind]

    def records(self, kind: ResourceKind, cloud: str | None = None) -> list[tuple[str, Resource]]:
        """(cloud, record) pairs in pane order, for one cloud or all."""
        names = [cloud] if cloud else list(self.targets)
        out: list[tuple[str, Resource]] = []
        for name in names:
            snap = self.snapshots.get(name)
            if snap:
                out.extend((name, r) for r in snap.resources(kind))
        return out
