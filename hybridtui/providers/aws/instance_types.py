"""Instance type specs, shared by every region of one account and endpoint.

A type's specs (vCPUs, memory, disks) are the same in every region, and
describing all of them is the slowest part of a cold AWS refresh (hundreds of
types, 100 a request). So a region lists only its offerings, and the specs are
described once per account for all regions, then kept.

The regions of one cloud refresh at once. Each region *claims* the types no
one knows or is describing yet, describes them, and waits only for the types
another region is describing at that moment; all claims run in parallel. (A
lock around the whole describe made the second and third regions wait for the
first one's batches, then send their few new types one round trip after
another.) A region that waits too long, or whose peer failed, describes what is
still missing itself: a hung region never hides another's flavors.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from hybridtui.domain import Flavor


class TypeCatalogue:
    """The known specs of one account's instance types, and who is describing
    which of the rest right now."""

    def __init__(self) -> None:
        self.specs: dict[str, Flavor] = {}
        self._describing: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def remember(self, flavors: Iterable[Flavor]) -> None:
        """Specs from the cache: types already described need not be again."""
        with self._lock:
            for f in flavors:
                self.specs.setdefault(f.name, f)

    def specs_of(
        self,
        offered: list[str],
        describe: Callable[[list[str]], list[Flavor]],
        wait: float,
    ) -> list[Flavor]:
        """The specs of the `offered` types, in that order: known ones at once,
        unknown ones described by `describe` (which may raise; the types are
        then free for another region to claim), those another region is
        describing awaited for at most `wait` seconds, then described here."""
        with self._lock:
            mine = [t for t in offered if t not in self.specs and t not in self._describing]
            theirs = {id(e): e for t in offered if (e := self._describing.get(t))}
            done = threading.Event()
            for t in mine:
                self._describing[t] = done
        try:
            if mine:
                self._learn(describe(mine))
        finally:
            with self._lock:
                for t in mine:
                    del self._describing[t]
            done.set()
        until = time.monotonic() + wait
        for event in theirs.values():
            event.wait(max(0.0, until - time.monotonic()))
        missing = [t for t in offered if t not in self.specs]
        if missing:  # another region failed or is late: describe them here
            self._learn(describe(missing))
        return [self.specs[t] for t in offered if t in self.specs]

    def _learn(self, flavors: list[Flavor]) -> None:
        with self._lock:
            for f in flavors:
                self.specs[f.name] = f


_CATALOGUES: dict[tuple[str | None, str | None], TypeCatalogue] = {}
_CATALOGUES_LOCK = threading.Lock()


def catalogue(profile: str | None, endpoint: str | None) -> TypeCatalogue:
    """The type catalogue of one account (profile) at one endpoint."""
    with _CATALOGUES_LOCK:
        return _CATALOGUES.setdefault((profile, endpoint), TypeCatalogue())


def forget() -> None:
    """Drop every catalogue, as a new process starts (benchmarks, tests)."""
    with _CATALOGUES_LOCK:
        _CATALOGUES.clear()
