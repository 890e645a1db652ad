"""The dashboard's keys come before background work.

Python runs one thread at a time. With 50 clouds refreshing, the threads that
build cells, encode the cache and compute the scorecard took turns with the UI
thread, 5 ms each, and a key's repaint waited behind them: 99 ms typical and
226 ms at the 99th percentile at 50 x 2,000 nodes, against 46 / 78 ms with
nothing refreshing (bench/scale.py). So while the UI handles a key, background
loops that call `yield_to_ui()` between chunks of their work wait (the
interpreter lock released) until the screen has been repainted, and never
longer than `MAX_HOLD`: a key held down cannot stall a refresh for good.

Background CPU work also takes turns (`turn`): one thread at a time builds
cells, encodes or decodes the cache, unpickles a demo world or frees what a
refresh replaced, so the UI and input threads wait behind one thread for the
interpreter lock, not behind every refresh thread at once.

Textual-free, as the poller and cache that call it. Headless commands never
hold, so a checkpoint there costs one flag test.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: The longest background work waits for one key (seconds).
MAX_HOLD = 0.25
#: Items between two checkpoints in `chunked`: a few milliseconds of work.
CHUNK = 256

#: Background CPU work takes turns (`turn`).
_turn = threading.RLock()
_clear = threading.Event()
_clear.set()
_until = 0.0
#: The thread that holds (the UI's): its own checkpoints and turns never wait.
_ui: int | None = None


def hold(seconds: float = MAX_HOLD) -> None:
    """The UI thread is handling input: background checkpoints wait."""
    global _until, _ui
    _ui = threading.get_ident()
    _until = time.monotonic() + seconds
    _clear.clear()


def hold_from_input() -> None:
    """A key has arrived in the terminal's input thread: background
    checkpoints wait from now, not from when the UI thread gets to the key.
    At 50 x 2,000 the UI thread was often in the middle of a frame when a
    key came (45-57 ms at the 90th percentile before it handled the key,
    bench/scale.py), and shared the interpreter lock with the refresh
    meanwhile. Unlike `hold`, it does not make the calling thread the one
    whose checkpoints never wait: that stays the UI thread."""
    global _until
    _until = time.monotonic() + MAX_HOLD
    _clear.clear()


def release() -> None:
    """The input's effect is on screen: background work goes on."""
    _clear.set()


def holding() -> bool:
    return not _clear.is_set() and time.monotonic() < _until


def yield_to_ui() -> None:
    """A checkpoint for background loops: wait while the UI handles input
    (on the UI thread itself, never: it would wait for its own release)."""
    if _clear.is_set() or threading.get_ident() == _ui:
        return
    remaining = _until - time.monotonic()
    if remaining > 0:
        _clear.wait(remaining)


@contextmanager
def turn() -> Iterator[None]:
    """Background CPU work, one thread at a time: a checkpoint, then the
    turn. With eight refresh threads building cells and encoding the cache at
    once, the UI thread and Textual's input thread were two contenders for
    the interpreter lock among ten, each handover a 5 ms switch interval
    away; taking turns leaves them one other thread to wait for. Re-entrant
    (a turn may call `chunked`); never hold it while waiting on the network
    or on another thread. The UI thread (when it builds cells itself) never
    waits for a turn: a background thread may hold one while it waits at a
    checkpoint for the UI."""
    if threading.get_ident() == _ui:
        yield
        return
    yield_to_ui()
    with _turn:
        yield


def chunked(fn: Callable[[T], R], items: Iterable[T], every: int = CHUNK) -> list[R]:
    """`[fn(x) for x in items]` with a checkpoint every `every` items, each
    chunk done in a `turn`."""
    out: list[R] = []
    it = iter(items)
    while True:
        with turn():
            before = len(out)
            out.extend(map(fn, itertools.islice(it, every)))
        if len(out) - before < every:
            return out
