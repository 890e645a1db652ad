"""Messages that cross from the poll worker thread into the UI (past tense: facts)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from hybridtui.columns import Rows
from hybridtui.domain import ResourceKind
from hybridtui.inventory.poller import PollOutcome
from hybridtui.inventory.snapshot import CloudSnapshot

if TYPE_CHECKING:  # the comparator loads after the first paint
    from hybridtui.inventory.scorecards import Comparison


@dataclass
class SnapshotReady(Message):
    """One cloud finished refreshing (successfully or not)."""

    outcome: PollOutcome
    #: Display cells per kind, built in the worker thread (None on failure).
    rows: dict[ResourceKind, Rows] | None = None


@dataclass
class CachedSnapshot(Message):
    """One cloud's cached snapshot, read (and its cells built) in a worker."""

    cloud: str
    #: None: the cache had nothing usable after all.
    snapshot: CloudSnapshot | None
    rows: dict[ResourceKind, Rows] | None = None


@dataclass
class CacheRead(Message):
    """Every cached snapshot has been read: polling may start."""


@dataclass
class ScorecardReady(Message):
    """The comparator finished (in a worker) on the latest snapshots."""

    comparison: Comparison | None
    #: Why it could not be computed (None when it was).
    error: str | None = None
