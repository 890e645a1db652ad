"""The dashboard's keys come before background work.

Python runs one thread at a time. With 50 clouds refreshing, the threads that
build cells, encode the cache and compute the scorecard took turns with the UI
thread, 5 ms each, and a key's repaint waited behind them: 99 ms typical and
226 ms at the 99th percentile at 50 x 2,000 nodes, against 46 / 78 ms with
nothing refreshing (bench/scale.py). So while the UI handles a key, background
loops that call `yield_to_ui()` between chunks of their work wait (the
interpreter lock released) until the screen has been repainted, and never
longer than `MAX_HOLD`: a key held down cannot stall a refresh for good.

Textual-free, as the poller and cache that call it. Headless commands never
hold, so a checkpoint there costs one flag test.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: The longest background work waits for one key (seconds).
MAX_HOLD = 0.25
#: Items between two checkpoints in `chunked`: a few milliseconds of work.
CHUNK = 256

_clear = threading.Event()
_clear.set()
_until = 0.0


def hold(seconds: float = MAX_HOLD) -> None:
    """The UI thread is handling input: background checkpoints wait."""
    global _until
    _until = time.monotonic() + seconds
    _clear.clear()


def release() -> None:
    """The input's effect is on screen: background work goes on."""
    _clear.set()


def holding() -> bool:
    return not _clear.is_set() and time.monotonic() < _until


def yield_to_ui() -> None:
    """A checkpoint for background loops: wait while the UI handles input."""
    if _clear.is_set():
        return
    remaining = _until - time.monotonic()
    if remaining > 0:
        _clear.wait(remaining)


def chunked(fn: Callable[[T], R], items: Iterable[T], every: int = CHUNK) -> list[R]:
    """`[fn(x) for x in items]` with a checkpoint every `every` items."""
    out: list[R] = []
    for i, item in enumerate(items):
        if i % every == 0:
            yield_to_ui()
        out.append(fn(item))
    return out
