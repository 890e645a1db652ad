"""The scorecard: every site × every check, portability scores, pair scores.

Pure and cheap enough to recompute on every snapshot (see `bench/interop.py`);
the dashboard computes it in a worker, `hybridtui compare` once per run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from hybridtui.interop.equivalence import Match, Spec
from hybridtui.interop.model import (
    BEHAVIOURS,
    LOGIN_FAMILIES,
    LOGIN_PREFIX,
    STEPS,
    Cell,
    Check,
    Evidence,
    Verdict,
    check_by_id,
)
from hybridtui.interop.rules import evaluate
from hybridtui.interop.site import Site
from hybridtui.priority import turn

STEP_IDS = tuple(c.id for c in STEPS)


@dataclass(frozen=True, slots=True)
class PairScore:
    a: str
    b: str
    #: Steps (1–8) where both clouds behave the same.
    same: int
    #: Steps where they differ, in order.
    differ: tuple[str, ...]

    @property
    def total(self) -> int:
        return self.same + len(self.differ)

    @property
    def text(self) -> str:
        if not self.differ:
            return f"{self.a} ↔ {self.b}: {self.same}/{self.total} steps behave the same"
        return (
            f"{self.a} ↔ {self.b}: {self.same}/{self.total} steps behave the same; "
            f"differ at {', '.join(self.differ)}"
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "a": self.a,
            "b": self.b,
            "same": self.same,
            "total": self.total,
            "differ": list(self.differ),
        }


@dataclass(frozen=True, slots=True)
class Scorecard:
    clouds: tuple[str, ...]
    cells: Mapping[tuple[str, str], Cell]
    #: With a spec: each cloud's flavor, image and network for it.
    matches: Mapping[str, Match] = field(default_factory=dict)
    spec: Spec | None = None

    def cell(self, cloud: str, check: str) -> Cell | None:
        return self.cells.get((cloud, check))

    @property
    def checks(self) -> list[Check]:
        """Rows in display order: the steps, the behaviours, then one login row
        per distro family some cloud has."""
        present = {check for _, check in self.cells}
        logins = [f"{LOGIN_PREFIX}{f}" for f in LOGIN_FAMILIES if f"{LOGIN_PREFIX}{f}" in present]
        return [*STEPS, *BEHAVIOURS, *(check_by_id(c) for c in logins)]

    def score(self, cloud: str) -> int:
        """Steps that just work here (YES)."""
        return sum(1 for s in STEP_IDS if (c := self.cell(cloud, s)) and c.verdict is Verdict.YES)

    def pair(self, a: str, b: str) -> PairScore:
        differ = []
        for step in STEP_IDS:
            ca, cb = self.cell(a, step), self.cell(b, step)
            if ca is None or cb is None or ca.behaviour_key != cb.behaviour_key:
                differ.append(step)
        return PairScore(a, b, len(STEP_IDS) - len(differ), tuple(differ))

    def pairs(self) -> list[PairScore]:
        return [self.pair(a, b) for a, b in combinations(self.clouds, 2)]

    def pairs_of(self, cloud: str) -> list[PairScore]:
        """The pairs `cloud` is in, as `pairs()` has them (`a` before `b` in
        cloud order): n - 1 pairs, not all n(n - 1)/2 (1,225 at 50 clouds,
        a quarter of a second the dashboard spent per scorecard)."""
        i = self.clouds.index(cloud)
        return [
            self.pair(other, cloud) if j < i else self.pair(cloud, other)
            for j, other in enumerate(self.clouds)
            if j != i
        ]

    def with_measured(self, measured: Iterable[Cell]) -> Scorecard:
        """Measured cells (provisioning runs) replace the declared and inferred ones."""
        cells = dict(self.cells)
        for c in measured:
            if c.evidence is Evidence.MEASURED and c.cloud in self.clouds:
                cells[(c.cloud, c.check)] = c
        return Scorecard(self.clouds, cells, self.matches, self.spec)


def build(sites: Sequence[Site], spec: Spec | None = None) -> Scorecard:
    cells: dict[tuple[str, str], Cell] = {}
    matches: dict[str, Match] = {}
    for site in sites:
        # The dashboard computes this in a worker: its keys come first, and
        # it takes turns with the other background work (the UI thread then
        # waits for the interpreter lock behind one thread, not two).
        with turn():
            site_cells, m = evaluate(site, spec)
        for c in site_cells:
            cells[(c.cloud, c.check)] = c
        if m is not None:
            matches[site.cloud] = m
    return Scorecard(tuple(s.cloud for s in sites), cells, matches, spec)
