"""What the dashboard replaces is freed off the UI thread.

When a refresh lands, the model drops the cloud's previous snapshot and
cells, and CPython frees them there and then, in the thread that dropped the
last reference. At 50 x 2,000 that was the UI thread's single largest cost
while clouds refreshed: the two lines of `InventoryModel.apply` that replace
them were 6% of all the interpreter lock's samples (py-spy --gil, bench/scale.py),
each freeing a cached cloud's 2,000 nodes in one go while a key waited.

`retire(items)` hands a list holding the last references to a daemon thread
instead, which empties it at a `priority` checkpoint: never while a key is
being handled. The thread empties the list rather than dropping it, so what
is in it is freed there even if the caller still holds the (then empty) list.
Headless commands never retire anything (they drop what they replace).
"""

from __future__ import annotations

import queue
import threading

from hybridtui import priority

_queue: queue.SimpleQueue[list[object]] = queue.SimpleQueue()
_thread: threading.Thread | None = None
_lock = threading.Lock()
#: Lists retired and not yet emptied.
_pending = 0


def start() -> None:
    """Start the reaper thread, before the app runs: a `threading.Thread`
    keeps the `sys.stderr` of when it was made, and a Textual app replaces
    that with a capture object that refers to the app. Started from inside
    one, the reaper kept the first app of a test session alive for good."""
    global _thread
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_run, name="hybridtui-reaper", daemon=True)
            _thread.start()


def retire(items: list[object]) -> None:
    """Free what `items` holds in the reaper thread (it empties the list): the
    caller must already have dropped every other reference to them."""
    global _pending
    if _thread is None:
        start()
    with _lock:
        _pending += 1
    _queue.put(items)


def _run() -> None:
    global _pending
    while True:
        items = _queue.get()
        with priority.turn():
            items.clear()  # the last references: freed here, in this thread
        del items
        with _lock:
            _pending -= 1


def idle() -> bool:
    """Everything retired so far is freed (tests wait for this)."""
    return _pending == 0
