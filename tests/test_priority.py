"""`hybridtui.priority`: background loops wait at their checkpoints while the UI
holds, go on when it releases, and never wait past the hold's limit."""

from __future__ import annotations

import threading

from hybridtui import priority


def _run_chunked(done: list[int]) -> threading.Thread:
    t = threading.Thread(
        target=lambda: done.extend(priority.chunked(lambda x: x * 2, range(10), every=3)),
        daemon=True,
    )
    t.start()
    return t


def test_background_work_waits_while_the_ui_holds_and_goes_on_at_release() -> None:
    done: list[int] = []
    priority.hold(60.0)
    try:
        assert priority.holding()
        t = _run_chunked(done)
        t.join(0.3)
        assert t.is_alive(), "the first checkpoint waits while held"
        assert done == []
    finally:
        priority.release()
    t.join(10)
    assert not t.is_alive()
    assert done == [x * 2 for x in range(10)]
    assert not priority.holding()


def test_a_hold_ends_on_its_own() -> None:
    """A key held down (holds renewed, no release) cannot stall a refresh:
    each hold lasts at most its limit."""
    done: list[int] = []
    priority.hold(0.05)
    t = _run_chunked(done)
    t.join(10)
    try:
        assert not t.is_alive()
        assert done == [x * 2 for x in range(10)]
    finally:
        priority.release()


def test_without_a_hold_a_checkpoint_does_not_wait() -> None:
    priority.release()
    assert priority.chunked(str, [1, 2, 3], every=1) == ["1", "2", "3"]
    priority.yield_to_ui()
