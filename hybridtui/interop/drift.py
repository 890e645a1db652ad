"""Drift: what changed in a cloud's behaviour since the previous scorecard.

A scorecard is kept (in the cache, bounded) only when some cell's verdict or
value changed, so the history is a list of real changes with their times:
"os-fip-fra started refusing root login since Tuesday" is read from it.
Reasons alone (a node count in a sentence) never count as a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from hybridtui.interop.model import Cell, Verdict, check_by_id

#: Scorecards kept per cloud (each one a change): enough for months of drift.
HISTORY_LIMIT = 50
_RANK = {Verdict.YES: 3, Verdict.PARTIAL: 2, Verdict.NO: 1, Verdict.UNKNOWN: 0}


def signature(cells: Iterable[Cell]) -> dict[str, tuple[str, str]]:
    """What must differ for two scorecards of one cloud to count as a change."""
    return {c.check: (str(c.verdict), c.value) for c in cells if c.verdict is not Verdict.UNKNOWN}


@dataclass(frozen=True, slots=True)
class Change:
    cloud: str
    check: str
    before: Cell | None
    after: Cell | None
    #: When the new behaviour was first seen (seconds since the epoch).
    since: float

    @property
    def regression(self) -> bool:
        """Worse than before (YES → PARTIAL, PARTIAL → NO…), or gone."""
        if self.before is None:
            return False
        if self.after is None:
            return True
        return _RANK[self.after.verdict] < _RANK[self.before.verdict]

    @property
    def text(self) -> str:
        title = _title(self.check)
        was = _word(self.before)
        now = _word(self.after)
        when = datetime.fromtimestamp(self.since, UTC).strftime("%Y-%m-%d %H:%M UTC")
        why = f": {self.after.reason}" if self.after is not None else ""
        return f"{self.cloud}: {title}: {was} → {now} since {when}{why}"

    def to_dict(self) -> dict[str, object]:
        return {
            "cloud": self.cloud,
            "check": self.check,
            "before": self.before.to_dict() if self.before else None,
            "after": self.after.to_dict() if self.after else None,
            "since": self.since,
            "regression": self.regression,
        }


def _title(check: str) -> str:
    try:
        c = check_by_id(check)
    except KeyError:
        return check
    return f"step {c.id} ({c.title})" if c.step else c.title


def _word(cell: Cell | None) -> str:
    if cell is None:
        return "absent"
    return f"{cell.verdict}" + (
        f" ({cell.value})" if cell.value and cell.value != str(cell.verdict) else ""
    )


def changes(history: Sequence[tuple[float, Sequence[Cell]]]) -> list[Change]:
    """Every change between consecutive kept scorecards of one cloud, oldest first."""
    out: list[Change] = []
    for (_, before), (at, after) in zip(history, history[1:], strict=False):
        out.extend(diff(before, after, at))
    return out


def diff(before: Sequence[Cell], after: Sequence[Cell], at: float) -> list[Change]:
    old = {c.check: c for c in before if c.verdict is not Verdict.UNKNOWN}
    new = {c.check: c for c in after if c.verdict is not Verdict.UNKNOWN}
    out = []
    for check in list(old) + [c for c in new if c not in old]:
        a, b = old.get(check), new.get(check)
        if a is not None and b is not None and a.behaviour_key == b.behaviour_key:
            continue
        if b is None:
            continue  # no longer decided (a kind failed): not a change of behaviour
        cloud = (b or a).cloud  # type: ignore[union-attr]
        out.append(Change(cloud, check, a, b, at))
    return out


def changed_checks(previous: Sequence[Cell], current: Sequence[Cell]) -> set[str]:
    """Checks whose verdict or value differ from the previous scorecard (marked on screen)."""
    return {c.check for c in diff(previous, current, 0.0)}


def to_keep(last: Sequence[Cell] | None, cells: Sequence[Cell]) -> list[Cell] | None:
    """The scorecard to add to the history, or None when nothing changed.

    A check this refresh could not decide (a kind failed: UNKNOWN) keeps its last
    known cell, so a failing listing never reads as "behaviour changed" twice."""
    if last is None:
        return [c for c in cells if c.verdict is not Verdict.UNKNOWN]
    previous = {c.check: c for c in last}
    decided = {c.check: c for c in cells if c.verdict is not Verdict.UNKNOWN}
    if all(
        check in previous and previous[check].behaviour_key == c.behaviour_key
        for check, c in decided.items()
    ):
        return None
    merged = {**previous, **decided}
    return list(merged.values())
