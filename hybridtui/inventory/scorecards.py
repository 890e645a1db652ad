"""Scorecards from the latest snapshots, and their history in the cache.

The glue between the pure comparator (`hybridtui.interop`) and the I/O the
dashboard and `hybridtui compare` share: which snapshot each cloud has, and
what the cache remembers of earlier scorecards. No Textual here.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hybridtui.interop import drift
from hybridtui.interop.equivalence import Spec
from hybridtui.interop.model import Cell
from hybridtui.interop.scorecard import Scorecard, build
from hybridtui.interop.site import site_for
from hybridtui.inventory.cache import InventoryCache
from hybridtui.inventory.snapshot import CloudSnapshot
from hybridtui.providers import CloudTarget

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Comparison:
    scorecard: Scorecard
    #: Per cloud: checks whose verdict or value changed since the previous kept scorecard.
    changed: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: Every change the history holds (oldest first), per cloud in config order.
    changes: Sequence[drift.Change] = ()


def compare(
    targets: Sequence[CloudTarget],
    snapshots: Mapping[str, CloudSnapshot | None],
    cache: InventoryCache | None,
    *,
    spec: Spec | None = None,
    now: float,
    keep: bool = True,
) -> Comparison:
    """Build the scorecard; with a cache, add it to each cloud's history when
    its behaviour changed (only spec-less scorecards are kept: a spec changes
    step 3, not the cloud) and report what changed."""
    sites = [site_for(t, snapshots.get(t.name)) for t in targets]
    card = build(sites, spec)
    if cache is None:
        return Comparison(card)
    measured: list[Cell] = []
    for t in targets:
        try:
            measured.extend(Cell.from_dict(d) for d in cache.measured(t))
        except (OSError, ValueError, KeyError) as e:
            log.warning("measured evidence of %s unavailable: %s", t.name, e)
    card = card.with_measured(measured)
    changed: dict[str, frozenset[str]] = {}
    changes: list[drift.Change] = []
    for t in targets:
        if snapshots.get(t.name) is None:
            continue
        cells = [c for (cloud, _), c in card.cells.items() if cloud == t.name]
        try:
            history = [
                (at, [Cell.from_dict(d) for d in cells_])
                for at, cells_ in cache.scorecard_history(t)
            ]
            last = history[-1][1] if history else None
            kept = drift.to_keep(last, cells) if keep and spec is None else None
            if kept is not None:
                cache.keep_scorecard(t, now, [c.to_dict() for c in kept], drift.HISTORY_LIMIT)
                history.append((now, kept))
        except (OSError, ValueError, KeyError) as e:  # history is a bonus: never fail a comparison
            log.warning("scorecard history of %s unavailable: %s", t.name, e)
            continue
        if len(history) >= 2:
            changed[t.name] = frozenset(drift.changed_checks(history[-2][1], history[-1][1]))
        changes.extend(drift.changes(history))
    return Comparison(card, changed, changes)
