"""When the dashboard's cyclic garbage collector runs.

CPython collects the older generations when enough younger collections have
happened. With 100,000 nodes held that was a pause of 270-420 ms every few
seconds while clouds refreshed (the older generation holds every record that
came in), and each pause stopped every thread, the UI's keys included: most of
the slowest keystrokes of bench/scale.py at 50 x 2,000 lined up with one.

So in the dashboard only the youngest generation is collected automatically
(pauses up to 110 ms measured at 50 x 2,000, against 420 ms before; it frees
short-lived cycles such as Textual's strips), and the older ones when the
dashboard is idle: no refresh running and no key for
`IDLE_AFTER` seconds. What survives an idle collection is long-lived (the
inventory), so it is frozen (`gc.freeze`) and not walked again; every
`THAW_EVERY` seconds an idle collection unfreezes first, so a cycle that died
after being frozen is freed too. A backstop collects the older generations
anyway if the dashboard is never idle (a refresh interval shorter than a
refresh), so memory stays bounded.

A headless `inventory` (`one_shot`) collects only the youngest generation too,
with no backstop: it builds one large structure and exits, and each older
collection walked all of it again (with Python's defaults an export of 100,000
cached nodes spent a third of its 2.4 s collecting, bench/scale.py).

Textual-free (the app calls `tick` from its timer), with its clock and the
`gc` functions injectable for the tests.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

#: Allocations (net container objects) between two young collections.
YOUNG = 10_000
#: Out of reach: the older generations are never collected automatically.
NEVER = 1_000_000
#: Seconds without a key, and with no refresh running, that make the app idle.
IDLE_AFTER = 2.0
#: Young collections (about YOUNG allocations each) that promoted objects
#: before an idle collection is worth it.
IDLE_MIN = 3
#: Young collections after which the middle generation is collected even
#: while busy (about 2 million allocations: a few refreshes of 50 x 2,000).
BACKSTOP_YOUNG = 200
#: Middle collections after which everything is collected even while busy.
BACKSTOP_MIDDLE = 10
#: Seconds between idle collections that unfreeze the inventory first.
THAW_EVERY = 600.0


def configure() -> None:
    """The dashboard's thresholds (see the module's docstring)."""
    gc.set_threshold(YOUNG, NEVER, NEVER)


def one_shot() -> None:
    """Thresholds for a command that builds its data once and exits."""
    gc.set_threshold(YOUNG, NEVER, NEVER)


class Collector:
    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        collect: Callable[[int], int] = gc.collect,
        count: Callable[[], tuple[int, int, int]] = gc.get_count,
        freeze: Callable[[], None] = gc.freeze,
        unfreeze: Callable[[], None] = gc.unfreeze,
    ) -> None:
        self._clock = clock
        self._collect = collect
        self._count = count
        self._freeze = freeze
        self._unfreeze = unfreeze
        self._last_input = clock()
        self._last_thaw = clock()

    def note_input(self) -> None:
        """A key or click: not idle for the next `IDLE_AFTER` seconds."""
        self._last_input = self._clock()

    def tick(self, busy: bool) -> str | None:
        """Collect if it is due; what was done ("idle", "thaw", "middle",
        "all") or None. `busy`: a refresh is running."""
        _, young_runs, middle_runs = self._count()
        now = self._clock()
        idle = not busy and now - self._last_input >= IDLE_AFTER
        if idle and (young_runs >= IDLE_MIN or middle_runs):
            done = "idle"
            if now - self._last_thaw >= THAW_EVERY:
                self._unfreeze()
                self._last_thaw = now
                done = "thaw"
            self._collect(2)
            self._freeze()
            return done
        if middle_runs >= BACKSTOP_MIDDLE:
            self._collect(2)
            return "all"
        if young_runs >= BACKSTOP_YOUNG:
            self._collect(1)
            return "middle"
        return None
